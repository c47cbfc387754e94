"""What a table runs on: one data set, described for the results and handed to the rows' training.

Kept apart from the runner on purpose: the data and training code of every table imports this
module, so it is part of the code that keys the stored rows (:mod:`motion_rnn.fingerprint`), and
it should change as rarely as the notion of a data set does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """One data set a table runs on."""

    label: str
    """The results table's ``data`` value (``"synthetic"``, a stand-in's name, ``"path:<folder>"``)."""
    description: str
    """What the data are, in a sentence for the page."""
    fingerprint: str
    """What identifies the data (:mod:`motion_rnn.fingerprint`): the generator's settings, or a
    manifest of the real files."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """JSON-encodable facts the cells, claims and pages need (number of classes, test items, ...)."""
    payload: Any = None
    """What a row's training reads (data sets, splits); never stored."""

    def record(self) -> dict:
        return {
            "label": self.label,
            "description": self.description,
            "fingerprint": self.fingerprint,
            "facts": dict(self.facts),
        }
