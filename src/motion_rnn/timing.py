"""Measuring how long a piece of work takes, the same way for every benchmark of the book."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def best_time(run: Callable[[], None], *, repeats: int = 3, device: torch.device | str = "cpu") -> float:
    """Seconds of the fastest of ``repeats`` timed calls of ``run``, after one untimed warm-up.

    The fastest, not the mean: other work on the machine only ever adds time. On a GPU each call
    is synchronised, so the time covers the kernels and not only their launch.
    """
    device = torch.device(device)

    def call() -> None:
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    call()
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best
