"""Figures of Le Roux's tables."""

from __future__ import annotations

import pandas as pd


def wide(table: pd.DataFrame, values: str) -> pd.DataFrame:
    """A tidy table's ``values`` (``"ours"``, ``"paper"``, ``"low"``, ``"high"``) as rows x columns, in table order."""
    rows, columns = list(dict.fromkeys(table["row"])), list(dict.fromkeys(table["column"]))
    return table.pivot(index="row", columns="column", values=values).reindex(index=rows, columns=columns).astype(float)


def plot_table(table: pd.DataFrame, *, title: str = "", xlabel: str = "", paper_label: str = "thesis (NTU RGB+D)"):
    """One panel for the thesis's numbers and one for ours on each data set: accuracy against the
    table's columns, a line a row, ours with its 95% interval. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    labels = list(dict.fromkeys(table["data"]))
    first = table[table["data"] == labels[0]]
    panels = [(paper_label, first, "paper")] + [
        (f"ours ({label})", table[table["data"] == label], "ours") for label in labels
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    columns = list(dict.fromkeys(table["column"]))
    for ax, (name, part, values) in zip(axes[0], panels):
        means = wide(part, values).reindex(columns=columns)
        bounds = None
        if values == "ours" and "low" in part and part["low"].notna().any():
            bounds = wide(part, "low").reindex(columns=columns), wide(part, "high").reindex(columns=columns)
        for i, (row, series) in enumerate(means.iterrows()):
            if series.notna().any():
                x = range(len(columns))
                ax.plot(x, series.to_numpy(), marker="o", color=f"C{i % 10}", label=row)
                if bounds is not None:
                    low, high = bounds[0].loc[row].to_numpy(), bounds[1].loc[row].to_numpy()
                    ax.fill_between(x, low, high, color=f"C{i % 10}", alpha=0.12, linewidth=0)
        ax.set_xticks(
            range(len(columns)),
            columns,
            rotation=30 if max(map(len, columns)) > 6 else 0,
            ha="right" if max(map(len, columns)) > 6 else "center",
        )
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
    handles, names = axes[0][0].get_legend_handles_labels()
    extra = [(h, n) for ax in axes[0][1:] for h, n in zip(*ax.get_legend_handles_labels()) if n not in names]
    for h, n in extra:
        handles.append(h)
        names.append(n)
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)), fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08 + 0.045 * ((len(names) - 1) // 4), 1, 1))
    return fig
