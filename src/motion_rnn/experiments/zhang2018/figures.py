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
