"""Figure of Zhang et al.'s Table 1, drawn from a run and the notebook's complexity and timing frames."""

from __future__ import annotations

import pandas as pd

from motion_rnn.models.zhang2018.convlstm import CELL_LABELS
from motion_rnn.runner import TableRun


def table1_figure(result: TableRun, complexity: pd.DataFrame, timing: pd.DataFrame, accuracy_column: str):
    """Table 1: accuracy paper vs ours, complexity, speed-up vs Mult-Adds ratios and our training curves, 2x2."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    params = result.params
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    acc = result.table[result.table["column"] == accuracy_column].set_index("row")
    order = list(acc.index)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "network": order,
                    "accuracy (%)": acc["paper"].values,
                    "source": f"paper ({accuracy_column.split('(')[1][:-1]})",
                }
            ),
            pd.DataFrame(
                {
                    "network": order,
                    "accuracy (%)": acc["ours"].values,
                    "source": f"ours ({params.data_label}, {params.profile})",
                }
            ),
        ]
    )
    sns.barplot(long, x="network", y="accuracy (%)", hue="source", ax=axes[0, 0])
    axes[0, 0].set_title("Validation accuracy")
    axes[0, 0].set_xlabel("")
    sizes = (
        complexity[
            ["Parameter Size (paper's count)", "Mult-Adds (paper's convention)", "Mult-Adds (measured, one step)"]
        ]
        / 1e6
    )
    sizes.plot.bar(ax=axes[0, 1], logy=True, rot=0)
    axes[0, 1].set_ylabel("millions (log scale)")
    axes[0, 1].set_title("Complexity of the ConvLSTM component (256 channels, 28x28)")
    ratios = timing[["speed-up over ConvLSTM", "Mult-Adds ratio (paper)", "Mult-Adds ratio (measured)"]]
    ratios.plot.bar(ax=axes[1, 0], rot=0)
    axes[1, 0].axhline(1, color="grey", lw=0.8)
    axes[1, 0].set_title(f"Measured training-step speed-up vs Mult-Adds ratio ({params.device.type})")
    axes[1, 0].set_ylabel("ConvLSTM / cell")
    for run in result.runs[result.runs["seed"] == result.params.seed].itertuples():  # the first seed's networks
        history = pd.DataFrame(run.history)
        axes[1, 1].plot(history["epoch"], 100 * history["val_accuracy"], marker="o", label=CELL_LABELS[run.kind])
    axes[1, 1].set_xlabel("epoch")
    axes[1, 1].set_ylabel("validation accuracy (%)")
    axes[1, 1].set_title("Training curves (ours)")
    axes[1, 1].legend()
    fig.tight_layout()
    return fig


def table2_figure(result: TableRun):
    """Table 2: accuracy of every network on each modality, the paper's beside ours (one panel a modality)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    columns = list(result.facts["columns"].values())
    fig, axes = plt.subplots(1, len(columns), figsize=(5.5 * len(columns), 5), squeeze=False, sharey=True)
    for ax, column in zip(axes[0], columns):
        cells = result.table[result.table["column"] == column]
        long = pd.concat(
            [
                pd.DataFrame({"network": cells["row"], "accuracy (%)": cells["paper"], "source": "paper (IsoGD)"}),
                pd.DataFrame(
                    {
                        "network": cells["row"],
                        "accuracy (%)": cells["ours"],
                        "source": f"ours ({result.params.data_label}, {result.params.profile})",
                    }
                ),
            ],
            ignore_index=True,
        )
        long["accuracy (%)"] = pd.to_numeric(long["accuracy (%)"], errors="coerce")
        sns.barplot(long, y="network", x="accuracy (%)", hue="source", ax=ax, orient="h", legend=ax is axes[0, 0])
        ax.set_title(column)
        ax.set_ylabel("")
    axes[0, 0].legend(loc="lower left", bbox_to_anchor=(0, 1.06), ncols=2, frameon=False)
    fig.tight_layout()
    return fig


def fused_map_figure(result: TableRun, modality: str | None = None):
    """Fig. 3: variant (a)'s fused feature map in its most active channel over the recurrent steps,
    under the input frame of each step (the first seed's network, first validation video)."""
    import matplotlib.pyplot as plt

    runs = result.runs[(result.runs["seed"] == result.params.seed) & result.runs["network"].str.contains(r"\(a\)")]
    if modality is not None:
        runs = runs[runs["modality"] == modality]
    run = runs.iloc[0]
    fused = run["fused_map"]
    maps, frames = fused["maps"], fused["frames"]
    steps = len(maps)
    fig, axes = plt.subplots(2, steps, figsize=(1.6 * steps, 3.6), squeeze=False)
    for k in range(steps):
        axes[0, k].imshow(frames[k], cmap="gray", vmin=0, vmax=255)
        axes[0, k].set_title(f"step {k + 1}", fontsize=9)
        axes[1, k].imshow(maps[k], cmap="jet", vmin=0, vmax=255)
        for ax in axes[:, k]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("input", fontsize=9)
    axes[1, 0].set_ylabel(f"channel {fused['channel']}", fontsize=9)
    names = result.facts.get("class_names")
    label = names[fused["label"]] if names else f"class {fused['label']}"
    fig.suptitle(f"{result.facts['columns'][run['modality']]}, {fused['video_id']} ({label})", fontsize=10)
    fig.tight_layout()
    return fig
