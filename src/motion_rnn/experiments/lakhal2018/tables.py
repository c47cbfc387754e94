"""Lakhal et al.'s Tables 1-3 and Figure 3, declared on the book's one runner (:func:`motion_rnn.runner.run_table`).

Every table trains (Res-)LSTMs on the same clip features (:mod:`.data`); they differ in their rows:
the time steps T (Table 1), the fusion of the two streams (Table 2), the width d_m and the depth
with and without residual connections (Figure 3), and one final model scored per category and
class (Table 3).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.experiments.lakhal2018 import claims, data, training
from motion_rnn.experiments.lakhal2018.settings import PAPER_DEPTHS, PAPER_TIME_STEPS, PAPER_WIDTHS, PRESETS, Settings
from motion_rnn.reference import paper_cells, wide_as_printed
from motion_rnn.runner import Source, TableSpec
from motion_rnn.statistics import ItemScores, classification_scores

PAPER = "lakhal2018"
NAMES = {
    "table1": "table1_time_steps",
    "table2": "table2_fusion",
    "figure3": "figure3_hidden_size_depth",
    "table3": "table3_per_category",
}
WITH_STANDIN = ("table2",)
"""Tables whose rows need only two streams, so they also run on the smartwatch stand-in."""

# Table 2's cells: (row, column) as the paper prints them
SUM, PRODUCT, WEIGHTED = "element-wise sum", "element-wise product", "w1.Flow + w2.RGB"
MID, LATE, SINGLE = "Mid fusion", "Late fusion", "Single stream (ours)"
LATE_ROWS = {"sum": SUM, "product": PRODUCT, "weighted": WEIGHTED}
STREAM_ROWS = {"rgb": "first stream only (RGB)", "flow": "second stream only (flow)"}
RES_LSTM, LSTM = "Res-LSTM", "LSTM"
OVERALL = "All classes (ours)"


def _base(settings: Settings, **changes) -> dict:
    return {
        "stream": "rgb",
        "time_steps": settings.time_steps,
        "width": settings.width,
        "depth": settings.depth,
        "residual": True,
        **changes,
    }


def rows(key: str, settings: Settings, source: Source) -> list[dict]:
    """The rows of table ``key``: what each trains, named by the paper's row and column."""
    layout = source.facts["layout"]
    if key == "table1":
        return [
            {"name": f"T={t}", "row": layout, "column": str(p), **_base(settings, time_steps=t)}
            for p, t in zip(PAPER_TIME_STEPS, settings.time_step_grid)
        ]
    if key == "table2":
        return [
            {"name": f"mid {how}", "row": LATE_ROWS[how], "column": MID, **_base(settings, stream=f"mid:{how}")}
            for how in ("sum", "product")
        ] + [{"name": "late", "row": "late", "column": LATE, **_base(settings, stream="late")}]
    if key == "figure3":
        out = []
        for residual, row in ((True, RES_LSTM), (False, LSTM)):
            out += [
                {
                    "name": f"{row} d_m={w}",
                    "row": row,
                    "column": f"d_m = {p}",
                    **_base(settings, width=w, residual=residual),
                }
                for p, w in zip(PAPER_WIDTHS, settings.width_grid)
            ]
            out += [
                {
                    "name": f"{row} L={d}",
                    "row": f"{row} depth",
                    "column": f"L = {p}",
                    **_base(settings, depth=d, residual=residual),
                }
                for p, d in zip(PAPER_DEPTHS, settings.depth_grid)
            ]
        return out
    if key == "table3":
        return [{"name": "final", "row": "final", "column": RES_LSTM, **_base(settings, stream="late")}]
    raise KeyError(key)


def _accuracy_cells(runs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"row": runs["row"], "column": runs["column"], "ours": runs["accuracy"], "unit": "%"})


def _late_cells(run) -> list[dict]:
    """A late row's cells: each late fusion, and each stream alone (ours)."""
    # in the tables' fixed order: a row read back from its JSON has its keys sorted
    cells = [
        {"row": LATE_ROWS[how], "column": LATE, "ours": run.fusions[how]["accuracy"], "unit": "%"} for how in LATE_ROWS
    ]
    cells += [
        {"row": STREAM_ROWS[s], "column": SINGLE, "ours": run.streams[s]["accuracy"], "unit": "%"} for s in STREAM_ROWS
    ]
    return cells


def _late_items(run) -> dict:
    out = {(LATE_ROWS[how], LATE): run.fusions[how]["items"] for how in LATE_ROWS}
    out.update({(STREAM_ROWS[s], SINGLE): run.streams[s]["items"] for s in STREAM_ROWS})
    return out


def _final_items(run) -> dict:
    return run.fusions["product"]["items"]


def per_category(items: dict, source: Source) -> dict[str, np.ndarray]:
    """Test-item masks of Table 3's rows: each coarse category, each named class present, and all."""
    target = np.asarray(items["target"])
    names = np.asarray(source.facts["class_names"])[target]
    categories = source.facts["categories"]
    masks = {
        claims.paper_category(c): np.isin(names, [n for n, k in categories.items() if k == c])
        for c in sorted(set(categories.values()))
    }
    for paper_name, official in claims.NAMED_CLASSES.items():
        if official in source.facts["class_names"]:
            masks[paper_name] = names == official
            category = categories[official]
            if paper_name in claims.FAST_CLASSES:
                own = np.isin(names, [n for n, k in categories.items() if k == category])
                masks[claims.rest_of(claims.paper_category(category), paper_name)] = own & (names != official)
    masks[OVERALL] = np.ones(len(target), bool)
    return {k: m for k, m in masks.items() if m.any()}


def cells(key: str, runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit): test accuracy in %."""
    if key == "table2":
        plain = runs[runs["row"] != "late"]
        late = [c for run in runs[runs["row"] == "late"].itertuples() for c in _late_cells(run)]
        return pd.concat([_accuracy_cells(plain), pd.DataFrame(late)], ignore_index=True)
    if key == "table3":
        out = []
        for run in runs.itertuples():
            items = _final_items(run)
            right = np.asarray(items["predicted"]) == np.asarray(items["target"])
            for row, mask in per_category(items, source).items():
                out.append(
                    {"row": row, "column": RES_LSTM, "ours": round(100 * float(right[mask].mean()), 4), "unit": "%"}
                )
        return pd.DataFrame(out)
    return _accuracy_cells(runs)


def item_scores(key: str, runs: pd.DataFrame, source: Source, settings: Settings) -> dict:
    """Each cell's outcome on each test video (one seed)."""
    out = {}
    for run in runs.itertuples():
        if key == "table2" and run.row == "late":
            for cell, items in _late_items(run).items():
                out[cell] = classification_scores(items["predicted"], items["target"])
        elif key == "table3":
            items = _final_items(run)
            whole = classification_scores(items["predicted"], items["target"])
            for row, mask in per_category(items, source).items():
                # a subset's items keep the chance of the whole test set (the share of *all*
                # predictions naming their class): shuffling within one class would change nothing
                out[(row, RES_LSTM)] = ItemScores.of(whole.values[0][mask], chance=whole.chance[0][mask])
        else:
            out[(run.row, run.column)] = classification_scores(run.items["predicted"], run.items["target"])
    return out


def reference(key: str) -> pd.DataFrame:
    """The paper's table ``key`` (tidy); Figure 3 prints no numbers, so its frame has the cells and no values."""
    if key == "figure3":
        cells_ = [(r, f"d_m = {w}") for r in (RES_LSTM, LSTM) for w in PAPER_WIDTHS]
        cells_ += [(f"{r} depth", f"L = {d}") for r in (RES_LSTM, LSTM) for d in PAPER_DEPTHS]
        return pd.DataFrame(
            {"row": [r for r, _ in cells_], "column": [c for _, c in cells_], "value": np.nan, "unit": "%"}
        )
    return paper_cells(PAPER, key)


def reference_wide(key: str) -> pd.DataFrame:
    """The paper's table ``key`` laid out as printed (rows and columns in its order), ``-`` where it has no number."""
    return wide_as_printed(reference(key))


def check_standin(key: str, standin: str | None) -> str | None:
    """The notebook's ``standin`` parameter: one of :data:`.data.STANDINS` for Table 2, or None."""
    if standin is None:
        return None
    check_choice("standin", standin, data.STANDINS)
    if key not in WITH_STANDIN:
        raise ParameterError(f"standin={standin!r}: {key} needs videos in categories; use standin=None")
    return standin


def _spec(key: str) -> TableSpec:
    return TableSpec(
        paper=PAPER,
        name=NAMES[key],
        presets=PRESETS,
        table=key,
        reference=functools.partial(reference, key),
        load_data=data.load_data,
        rows=functools.partial(rows, key),
        train_row=training.train_row,
        cells=functools.partial(cells, key),
        claims=claims.CLAIMS[key],
        scores=functools.partial(item_scores, key),
        cpu_threads=1,
        data_per_seed=False,  # one data set and one frozen extractor for every seed (see .data)
        options=("standin", "extractor", "extractor_weights")
        if key in WITH_STANDIN
        else ("extractor", "extractor_weights"),
        train_modules=(
            "motion_rnn.experiments.lakhal2018.training",
            "motion_rnn.experiments.lakhal2018.data",
        ),
    )


SPECS = {key: _spec(key) for key in NAMES}
"""The paper's table (``"table1"``, ...) -> its specification."""
TABLES = tuple(SPECS.values())
