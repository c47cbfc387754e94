"""Figures of Lakhal et al.'s tables: accuracy curves (Table 1, Figure 3), fusion bars (Table 2) and
the confusion matrix with classes grouped by category (Figure 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from motion_rnn.experiments.leroux2017.figures import plot_table, wide

__all__ = ["confusion_by_category", "plot_fusion", "plot_table", "wide"]


def plot_fusion(table: pd.DataFrame):
    """Table 2 as bars: the paper's and ours (with 95% intervals), a group a fusion strategy."""
    import matplotlib.pyplot as plt

    labels = list(dict.fromkeys(table["data"]))
    panels = [("paper (HMDB-51)", table[table["data"] == labels[0]], "paper")]
    panels += [(f"ours ({label})", table[table["data"] == label], "ours") for label in labels]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False, sharey=False)
    for ax, (name, part, values) in zip(axes[0], panels):
        part = part[part[values].notna()]
        names = [f"{c}\n{r}" for r, c in zip(part["row"], part["column"])]
        y = part[values].astype(float).to_numpy()
        colours = ["C0" if "Mid" in c else "C1" if "Late" in c else "C7" for c in part["column"]]
        ax.bar(range(len(y)), y, color=colours)
        if values == "ours" and part["low"].notna().any():
            low, high = part["low"].astype(float).to_numpy(), part["high"].astype(float).to_numpy()
            ax.errorbar(range(len(y)), y, yerr=[y - low, high - y], fmt="none", color="k", capsize=3)
        ax.set_xticks(range(len(y)), names, rotation=45, ha="right", fontsize="small")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(name)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def confusion_by_category(items: dict, class_names, categories: dict):
    """Figure 5: the confusion matrix (rows: true class, normalised to 1) with classes grouped by
    coarse category, lines between the categories. ``items``: one run's test predictions."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    class_names = list(class_names)
    order = sorted(range(len(class_names)), key=lambda i: (categories.get(class_names[i], ""), class_names[i]))
    matrix = confusion_matrix(items["target"], items["predicted"], labels=order, normalize="true")
    size = max(4.0, 0.32 * len(order) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(np.nan_to_num(matrix), cmap="Blues", vmin=0, vmax=1)
    names = [class_names[i] for i in order]
    ax.set_xticks(range(len(order)), names, rotation=90, fontsize="x-small")
    ax.set_yticks(range(len(order)), names, fontsize="x-small")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    groups = [categories.get(n, "") for n in names]
    bounds = [i for i in range(1, len(groups)) if groups[i] != groups[i - 1]]
    for b in bounds:
        ax.axhline(b - 0.5, color="k", lw=0.8)
        ax.axvline(b - 0.5, color="k", lw=0.8)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    fig.tight_layout()
    return fig
