"""Measuring how long a piece of work takes, the same way for every benchmark of the book."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import torch


def best_time(run: Callable[[], None], *, repeats: int = 3, device: torch.device | str = "cpu") -> float:
    """Seconds of the fastest of ``repeats`` timed calls of ``run``, after one untimed warm-up.

    The fastest, not the mean: other work on the machine only ever adds time. On a GPU each call
    is synchronised, so the time covers the kernels and not only their launch.
    """
    return fastest_of_each({"run": run}, repeats=repeats, device=device)["run"]


def fastest_of_each(
    runs: Mapping[str, Callable[[], None]], *, repeats: int = 3, device: torch.device | str = "cpu"
) -> dict[str, float]:
    """Seconds of the fastest of ``repeats`` timed calls of each of ``runs``, taken in turns.

    Each is warmed up once; then every round calls each of them once, in order. Taking turns puts
    a slow spell of the machine on every contender alike, so the ratios of the results are
    measured side by side (timing one after the other would give all of a slow spell to one).
    """
    device = torch.device(device)

    def timed(run: Callable[[], None]) -> float:
        start = time.perf_counter()
        run()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    for run in runs.values():
        timed(run)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(max(1, repeats)):
        for name, run in runs.items():
            best[name] = min(best[name], timed(run))
    return best
