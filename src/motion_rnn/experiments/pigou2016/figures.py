"""Figures of Pigou et al.'s Tables 1 and 2 and Figures 2 and 3, drawn from a run's stored rows."""

from __future__ import annotations

import numpy as np

from motion_rnn.experiments.pigou2016 import tables
from motion_rnn.experiments.pigou2016.settings import FIGURE3_MODELS, TABLE2_INPUTS
from motion_rnn.models.pigou2016.networks import MODEL_NAMES, TABLE1_ROWS
from motion_rnn.runner import TableRun


def table1_figure(result: TableRun):
    """Table 1: the Jaccard index of the seven architectures, the paper's beside ours, and our training curves."""
    import matplotlib.pyplot as plt

    params = result.params
    histories = tables.histories(result)
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
    wide = result.table[result.table["column"] == "Jaccard Index"].set_index("row")
    labels = [TABLE1_ROWS[n] for n in MODEL_NAMES]
    x = np.arange(len(labels))
    axes[0].bar(x - 0.2, wide["paper"].astype(float), 0.4, label="paper (Montalbano)")
    axes[0].bar(x + 0.2, wide["ours"].astype(float), 0.4, label=f"ours ({params.data_label}, {params.profile})")
    axes[0].set_xticks(x, labels, rotation=30, ha="right")
    axes[0].set_ylabel("Jaccard index")
    axes[0].set_title("Jaccard index of the seven architectures")
    axes[0].legend()
    for k, name in enumerate(MODEL_NAMES):
        history, colour = histories[name], plt.get_cmap("tab10")(k)
        axes[1].plot(history["epoch"], history["val_loss"], marker="o", color=colour, label=TABLE1_ROWS[name])
        axes[1].plot(history["epoch"], history["train_loss"], ls="--", color=colour, alpha=0.6)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("loss (cross-entropy a frame)")
    axes[1].set_title("Training curves (ours): validation solid, training dashed")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def figure2_figure(result: TableRun):
    """Figure 2: each architecture's output probabilities over the start of the first test sequence, with the truth."""
    import matplotlib.pyplot as plt

    fig2 = tables.figure2(result)
    truth = fig2["labels"]
    cmap = plt.get_cmap("tab20")
    fig, axes = plt.subplots(len(MODEL_NAMES) + 1, 1, figsize=(13, 1.35 * (len(MODEL_NAMES) + 1)), sharex=True)
    frames = np.arange(len(truth))
    for ax, name in zip(axes, MODEL_NAMES):
        probs = fig2[name]
        ax.fill_between(frames, probs[:, 0], color="0.85", step="mid", label="no gesture")
        for k in range(1, probs.shape[1]):
            if probs[:, k].max() > 0.2 or np.any(truth == k):
                ax.plot(frames, probs[:, k], color=cmap((k - 1) % 20), lw=1.2)
        ax.set_ylim(0, 1)
        ax.set_ylabel(TABLE1_ROWS[name], rotation=0, ha="right", va="center", fontsize=9)
        ax.set_yticks([])
    axes[-1].imshow(
        np.where(truth > 0, truth, np.nan)[None, :],
        aspect="auto",
        cmap=cmap,
        vmin=1,
        vmax=20,
        extent=(-0.5, len(truth) - 0.5, 0, 1),
        interpolation="nearest",
    )
    axes[-1].set_ylabel("ground truth", rotation=0, ha="right", va="center", fontsize=9)
    axes[-1].set_yticks([])
    axes[-1].set_xlabel(f"frame of test sequence {fig2['sample']}")
    fig.tight_layout()
    return fig


def figure3_figure(result: TableRun):
    """Figure 3: the input and the most active map without and with temporal convolutions, at rest and moving."""
    import matplotlib.pyplot as plt

    fig3 = tables.figure3(result)
    fig, axes = plt.subplots(2, 3, figsize=(10, 6.6))
    for row, (when, key) in enumerate((("rest", "rest_map"), ("moving", "move_map"))):
        frame = fig3["frames"]["rest" if row == 0 else "move"]
        index = fig3["frames"]["rest_frame" if row == 0 else "move_frame"]
        axes[row, 0].imshow(np.clip(frame, 0, 1), interpolation="nearest")
        axes[row, 0].set_title(f"input, {when} (frame {index})")
        for col, (name, title) in enumerate(
            zip(FIGURE3_MODELS, ("spatial map (no temporal conv)", "spatiotemporal map (temporal conv)")), start=1
        ):
            maps = fig3[name]
            scale = max(np.abs(np.asarray(maps["rest_map"])).max(), np.abs(np.asarray(maps["move_map"])).max(), 1e-6)
            axes[row, col].imshow(np.asarray(maps[key]), cmap="magma", vmin=0, vmax=scale, interpolation="nearest")
            axes[row, col].set_title(f"{title}, {when}", fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def table2_figure(result: TableRun):
    """Table 2: the Jaccard index of Temp Conv + LSTM with each input, the paper's beside ours."""
    import matplotlib.pyplot as plt

    params = result.params
    ours_rows = [row for _, _, row in TABLE2_INPUTS]
    fig, ax = plt.subplots(figsize=(10, 4))
    jac = result.table[result.table["column"] == "Jaccard Index"].set_index("row")
    x = np.arange(len(ours_rows))
    ax.bar(x - 0.2, jac.loc[ours_rows, "paper"].astype(float), 0.4, label="paper (Montalbano)")
    ax.bar(
        x + 0.2, jac.loc[ours_rows, "ours"].astype(float), 0.4, label=f"ours ({params.data_label}, {params.profile})"
    )
    ax.set_xticks(x, [r.replace("Temp Conv + LSTM, ", "") for r in ours_rows])
    ax.set_ylabel("Jaccard index")
    ax.set_title("Temp Conv + LSTM with and without the skeleton crop and depth")
    ax.legend()
    fig.tight_layout()
    return fig
