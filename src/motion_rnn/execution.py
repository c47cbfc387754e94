"""How training runs, as opposed to what it computes: precision, compilation, memory layout and
mid-epoch checkpoints.

These are chosen for a whole run (``python -m motion_rnn.run --precision bf16 --compile``) and
read by the one training loop (:func:`motion_rnn.train.fit`) through :func:`current`, so that no
table's training code has to pass them along. The defaults are how every committed row was
trained (full precision, eager, the default layout); a run with another precision keys its rows
apart (:func:`key_entries`), because bf16 changes the numbers. Compilation and the memory layout
change only the speed, so rows trained with them are interchangeable with the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import torch

PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class Execution:
    """How to run training; the defaults change nothing of what the book has always done."""

    precision: Literal["fp32", "bf16"] = "fp32"
    """``bf16``: forward passes and losses under :func:`torch.autocast` with bfloat16 (weights,
    gradients and optimiser state stay in float32)."""
    compile: bool = False
    """Train through :func:`torch.compile` (the first batches are slow while it compiles)."""
    channels_last: bool = False
    """Keep 4-D and 5-D weights in the channels-last layout (faster convolutions on recent GPUs)."""
    loader_workers: int = 0
    """Worker processes loading the training batches (pinned memory on a GPU); 0: the main process."""
    checkpoint_minutes: float = 10.0
    """Besides every epoch's end, save a checkpoint after the batch that ends this many minutes
    since the last one, so a long epoch killed half-way loses at most that much."""

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision={self.precision!r} is not one of {', '.join(map(repr, PRECISIONS))}")
        if self.loader_workers < 0:
            raise ValueError(f"loader_workers={self.loader_workers!r} must be 0 or more")
        if not self.checkpoint_minutes > 0:
            raise ValueError(f"checkpoint_minutes={self.checkpoint_minutes!r} must be positive")

    def autocast(self, device: torch.device):
        """The context a forward pass and its loss run in."""
        return torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16")

    def key_entries(self) -> dict:
        """What a stored row's settings gain from this execution: nothing unless it changes the numbers."""
        return {} if self.precision == "fp32" else {"precision": self.precision}


DEFAULT = Execution()
_CURRENT: ContextVar[Execution | None] = ContextVar("execution", default=None)


def current() -> Execution:
    """The execution the training loop runs with now (the defaults unless :func:`executing` says otherwise)."""
    return _CURRENT.get() or DEFAULT


@contextmanager
def executing(execution: Execution) -> Iterator[Execution]:
    """Train with ``execution`` inside the block."""
    token = _CURRENT.set(execution)
    try:
        yield execution
    finally:
        _CURRENT.reset(token)
