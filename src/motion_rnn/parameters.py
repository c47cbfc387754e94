"""The notebook contract's parameters, checked at once.

Every notebook of the book starts with a cell tagged ``parameters`` holding plain values
(``profile``, ``data``, ``seed``, ``device``, ``results_dir`` and any of its own). Its first code
cell after that calls :func:`check_parameters`, so a wrong value stops the run before any work,
with an error that names the parameter and the values it accepts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.device import resolve_device
from motion_rnn.paths import resolve

PROFILES = ("ci", "quick", "full")
"""``ci``: under a minute on 2 CPU cores, proves the pipeline and shows the table's shape.
``quick``: minutes on a CPU, big enough for the paper's comparison to mean something.
``full``: the paper's settings; wants a GPU and the real data set."""


DEFAULT_SEEDS = {"ci": 1, "quick": 3, "full": 3}
"""How many seeds a profile trains each row with when the ``seeds`` parameter is None: one proves
the pipeline; three give a mean with an interval and paired tests across seeds."""


@dataclass(frozen=True)
class RunParameters:
    """The checked common parameters of one notebook run."""

    profile: str
    data: str
    """A synthetic/stand-in name from the notebook's list, or a path to a real data set."""
    data_path: Path | None
    """The resolved folder when ``data`` is a path, else ``None``."""
    seed: int
    """The first seed; the rows are trained with ``seed, seed + 1, ..., seed + seeds - 1``."""
    device: torch.device
    results_dir: Path
    stored_only: bool = False
    """Only read rows already stored under ``results_dir``; never train (how the book renders
    committed results)."""
    seeds: int = 1
    """How many seeds each row is trained with (each seed also draws its own synthetic data)."""

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seed, self.seed + self.seeds))

    @property
    def data_label(self) -> str:
        """What the results files record as the data: the name, or the folder's name for a path."""
        return self.data if self.data_path is None else f"path:{self.data_path.name}"


def check_parameters(
    *,
    profile: str,
    data: str,
    seed: int,
    device: str = "auto",
    results_dir: str | os.PathLike = "_build/results",
    data_choices: tuple[str, ...] = ("synthetic",),
    accepts_path: bool = True,
    stored_only: bool = False,
    seeds: int | None = None,
) -> RunParameters:
    """Check the common parameters of a notebook; raise :class:`ParameterError` on the first bad one.

    ``data`` is one of ``data_choices`` or, when ``accepts_path``, a path to an existing folder
    holding the real data set in its own layout (the data set's reader checks the layout).
    ``seeds``: how many seeds, from ``seed`` on (None: the profile's :data:`DEFAULT_SEEDS`).
    """
    check_choice("profile", profile, PROFILES)
    if not isinstance(stored_only, bool):
        raise ParameterError(f"stored_only={stored_only!r} must be True or False")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed={seed!r} must be a non-negative integer, e.g. seed=0")
    if seeds is None:
        seeds = DEFAULT_SEEDS[profile]
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ParameterError(f"seeds={seeds!r} must be a positive integer (how many seeds), e.g. seeds=3")
    data_path = None
    if data not in data_choices:
        looks_like_path = isinstance(data, (str, os.PathLike)) and (os.sep in str(data) or Path(data).exists())
        if not accepts_path or not looks_like_path:
            allowed = ", ".join(map(repr, data_choices))
            extra = " or a path to the real data set's folder" if accepts_path else ""
            raise ParameterError(f"data={data!r} is not allowed; choose one of: {allowed}{extra}")
        data_path = resolve(data)
        if not data_path.is_dir():
            raise ParameterError(
                f"data={data!r}: no folder at {data_path}; point data at the folder holding the real data "
                f"set in its own layout, or use one of: {', '.join(map(repr, data_choices))}"
            )
    try:
        torch_device = resolve_device(device)
    except ValueError as error:
        raise ParameterError(str(error)) from None
    return RunParameters(
        profile=profile,
        data=str(data),
        data_path=data_path,
        seed=seed,
        device=torch_device,
        results_dir=resolve(results_dir),
        stored_only=stored_only,
        seeds=seeds,
    )
