"""Figures of Borg and Camilleri's tables: the paper's cells beside ours (bars, with our 95% intervals),
the dropout sweeps of Table 4, the forward-time ratios of Table 2 and Figure 4's confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from motion_rnn.data.signing_wild import CLASS_NAMES

__all__ = ["confusion", "plot_bars", "plot_ratios", "plot_sweeps"]


def _cells(table: pd.DataFrame, column: str, rows: Sequence[str] | None) -> pd.DataFrame:
    part = table[table["column"] == column]
    if rows is not None:
        part = part.set_index("row").reindex(list(rows)).reset_index()
    return part


def _errorbars(ax, x, part: pd.DataFrame) -> None:
    y = part["ours"].astype(float).to_numpy()
    low, high = part["low"].astype(float).to_numpy(), part["high"].astype(float).to_numpy()
    ok = ~(np.isnan(low) | np.isnan(high))
    if ok.any():
        ax.errorbar(np.asarray(x)[ok], y[ok], yerr=[(y - low)[ok], (high - y)[ok]], fmt="none", color="k", capsize=3)


def plot_bars(table: pd.DataFrame, column: str, *, ylabel: str, rows: Sequence[str] | None = None, title: str = ""):
    """One column of a table as grouped bars: the paper's (grey) and ours (blue, 95% intervals), a row a group."""
    import matplotlib.pyplot as plt

    part = _cells(table, column, rows)
    x = np.arange(len(part))
    fig, ax = plt.subplots(figsize=(max(4.5, 1.1 * len(part) + 2), 3.6))
    ax.bar(x - 0.2, part["paper"].astype(float), 0.4, color="0.65", label="paper")
    ax.bar(x + 0.2, part["ours"].astype(float), 0.4, color="C0", label="ours")
    _errorbars(ax, x + 0.2, part)
    ax.set_xticks(x, part["row"], rotation=30, ha="right", fontsize="small")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_ratios(table: pd.DataFrame, column: str, rows: Sequence[str]):
    """Table 2's forward times as ratios to the fastest row, the paper's and ours side by side."""
    import matplotlib.pyplot as plt

    part = _cells(table, column, rows)
    paper, ours = part["paper"].astype(float).to_numpy(), part["ours"].astype(float).to_numpy()
    x = np.arange(len(part))
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.bar(x - 0.2, paper / np.nanmin(paper), 0.4, color="0.65", label="paper")
    if np.isfinite(ours).any():
        ax.bar(x + 0.2, ours / np.nanmin(ours), 0.4, color="C0", label="ours")
    else:  # the ci profile measures no times (see tables.measures_times)
        ax.text(0.98, 0.95, "ours: not measured in this profile", transform=ax.transAxes, ha="right", va="top")
    ax.set_yscale("log")
    ax.set_xticks(x, part["row"], fontsize="small")
    ax.set_ylabel("time / fastest (log scale)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_sweeps(table: pd.DataFrame, rows: Sequence[str], rates: Sequence[str]):
    """Table 4's dropout sweeps: validation loss against the rate, a panel a dropout, paper and ours."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(4.6 * len(rows), 3.4), squeeze=False)
    for ax, row in zip(axes[0], rows):
        part = table[table["row"] == row].set_index("column").reindex(list(rates))
        x = np.array([float(r) for r in rates])
        ax.plot(x, part["paper"].astype(float), "o-", color="0.5", label="paper")
        ax.plot(x, part["ours"].astype(float), "o-", color="C0", label="ours")
        _errorbars(ax, x, part.reset_index())
        ax.set_xlabel("rate")
        ax.set_ylabel("validation loss")
        ax.set_title(row)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def confusion(items: dict, class_names: Sequence[str] = CLASS_NAMES):
    """Figure 4: the confusion matrix of one run's segments (rows: the true class, normalised to 1)."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = list(range(len(class_names)))
    matrix = confusion_matrix(items["target"], items["predicted"], labels=labels, normalize="true")
    fig, ax = plt.subplots(figsize=(4.4, 3.8))
    image = ax.imshow(np.nan_to_num(matrix), cmap="Blues", vmin=0, vmax=1)
    for i in labels:
        for j in labels:
            ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", color="w" if matrix[i, j] > 0.5 else "k")
    ax.set_xticks(labels, class_names)
    ax.set_yticks(labels, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    fig.tight_layout()
    return fig
