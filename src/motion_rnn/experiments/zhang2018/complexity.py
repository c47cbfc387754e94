"""The complexity columns of Zhang et al.'s Table 1 at the paper's shape, and the measured step times.

Both are computed from the modules, not trained: parameter sizes and Mult-Adds in the paper's
convention and as PyTorch and the FLOP counter see them (:mod:`motion_rnn.models.zhang2018.complexity`),
and the forward+backward time of one recurrent step of each cell. The times are measurements of
the machine that ran them; they go in their own file, apart from the reproducible table.
"""

from __future__ import annotations

import functools

import pandas as pd
import torch

from motion_rnn.experiments.zhang2018.settings import PAPER_CHANNELS, PAPER_KERNEL, PAPER_MAP, Settings
from motion_rnn.models.zhang2018.complexity import complexity_table, time_training_steps
from motion_rnn.models.zhang2018.convlstm import CELL_KINDS, CELL_LABELS
from motion_rnn.results import result_paths


@functools.lru_cache(maxsize=1)
def complexity_at_paper_shape() -> pd.DataFrame:
    """Parameter size and Mult-Adds of each cell at the paper's shape, one row a cell.

    See :func:`motion_rnn.models.zhang2018.complexity.complexity_table` for the columns: the
    paper's count (weights without biases, eqs. 7, 16, 20, 24), PyTorch's (biases included), the
    paper's Mult-Adds convention (parameter size x map positions) and the multiply-adds one step
    really performs (PyTorch's FLOP counter).
    """
    table = complexity_table(
        in_channels=PAPER_CHANNELS,
        hidden_channels=PAPER_CHANNELS,
        kernel_size=PAPER_KERNEL,
        height=PAPER_MAP,
        width=PAPER_MAP,
    )
    return table.rename(columns={"label": "row"}).assign(channels=PAPER_CHANNELS)


def timing_table(
    settings: Settings, *, device: torch.device, channels: int = PAPER_CHANNELS, map_size: int = PAPER_MAP
) -> pd.DataFrame:
    """Measured forward+backward seconds per recurrent step of each cell at the paper's shape (taking turns)."""
    seconds = time_training_steps(
        CELL_KINDS,
        batch=settings.timing_batch,
        steps=settings.timing_steps,
        device=device,
        repeats=settings.timing_repeats,
        in_channels=channels,
        hidden_channels=channels,
        height=map_size,
        width=map_size,
    )
    rows = [{"kind": kind, "row": CELL_LABELS[kind], "seconds_per_step": seconds[kind]} for kind in CELL_KINDS]
    frame = pd.DataFrame(rows)
    frame["speedup_vs_convlstm"] = frame["seconds_per_step"].iloc[0] / frame["seconds_per_step"]
    return frame


def step_timing(run) -> pd.DataFrame:
    """The step times of a table run: measured now and written to ``<table>.timing.csv`` beside the
    results, or, for a run read back from stored rows, the measurement stored there (empty if none)."""
    path = result_paths(run.params.results_dir, run.spec.paper, run.spec.name).table.with_suffix(".timing.csv")
    if run.params.stored_only:
        return pd.read_csv(path) if path.exists() else pd.DataFrame()
    timing = timing_table(run.settings, device=run.params.device)
    path.parent.mkdir(parents=True, exist_ok=True)
    timing.to_csv(path, index=False, float_format="%.6g")
    return timing
