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


def plot_estimated_clips(run, folder=None, *, frames: int = 5, seed: int | None = None):
    """Figure 15 of the thesis, on our clips: each clip's estimated 2D skeletons (2D tracking and 3D
    temporal smoothing) at ``frames`` evenly spaced frames, over the video frames where the clip's
    strip is stored, with its true class and each selection's prediction (of the first seed's
    network, or ``seed``'s). Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    from motion_rnn.data.estimated_poses import (
        ESTIMATED_POSES_DIR,
        read_estimated,
        read_strip,
        strip_frame_indices,
        track_2d,
        viterbi_smoothing,
    )
    from motion_rnn.data.pose import BONES_13

    folder = ESTIMATED_POSES_DIR if folder is None else folder
    runs = run.runs if seed is None else run.runs[run.runs["seed"] == seed]
    row = runs.iloc[0]
    names = run.facts["class_names"]
    clips = row["clip_ids"]
    selections = {"2D tracking": track_2d, "3D temporal smoothing": viterbi_smoothing}
    fig, axes = plt.subplots(len(clips), 1, figsize=(2.0 * frames, 2.9 * len(clips)), squeeze=False)
    colours = {"2D tracking": "tab:blue", "3D temporal smoothing": "tab:orange"}
    for ax, (i, clip) in zip(axes[:, 0], enumerate(clips)):
        hyp = read_estimated(f"{folder}/{clip}.npz")
        picks = {name: select(hyp) for name, select in selections.items()}
        when = strip_frame_indices(hyp.num_frames, frames)
        strip = read_strip(f"{folder}/{clip}.npz", frames)  # the video frames, where stored
        for k, t in enumerate(when):
            if strip is not None:  # the estimator's region of the frame, resized to the unit square
                ax.imshow(strip[k], extent=(k * 1.1, k * 1.1 + 1, 1, 0), zorder=0)
            for name, picked in picks.items():
                xy = picked.image[t] + np.array([k * 1.1, 0.0])  # frames side by side
                for a, b in BONES_13:
                    ax.plot(*xy[[a, b]].T, color=colours[name], lw=1.4, alpha=0.8)
                ax.plot(*xy[0], "o", color=colours[name], ms=4)
            ax.text(k * 1.1 + 0.5, 1.03, f"frame {t}", ha="center", va="top", fontsize=8)
        outcome = row["selections"]
        true = names[outcome["2D tracking"]["target"][i]]
        said = "; ".join(
            f"{name}: {names[outcome[name]['predicted'][i]]} ({'right' if outcome[name]['predicted'][i] == outcome[name]['target'][i] else 'wrong'})"
            for name in selections
        )
        ax.set_title(f"{clip}: truth {true!r}; {said}", fontsize=9, loc="left")
        ax.set_xlim(-0.05, frames * 1.1)
        ax.set_ylim(1.12, -0.05)  # image y points down
        ax.set_aspect("equal")
        ax.axis("off")
    handles = [plt.Line2D([], [], color=c, label=n) for n, c in colours.items()]
    fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
