"""Pigou et al.'s Tables 1 and 2, declared on the book's one runner (:func:`motion_rnn.runner.run_table`).

Both tables train the same kind of row (:func:`.training.train_architecture`): Table 1 the seven
architectures on the cropped RGB-D input, Table 2 the best one (Temp Conv + LSTM) on each input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from motion_rnn.experiments.pigou2016 import claims, data, training
from motion_rnn.experiments.pigou2016.settings import (
    BEST_MODEL,
    FIGURE3_MODELS,
    PRESETS,
    ROW_NAMES,
    TABLE2_INPUTS,
    Settings,
)
from motion_rnn.models.pigou2016.networks import MODEL_NAMES
from motion_rnn.runner import Source, TableRun, TableSpec

METRIC_COLUMNS = {  # result key -> (Table 1 column, unit)
    "jaccard": ("Jaccard Index", ""),
    "precision": ("Precision", "%"),
    "recall": ("Recall", "%"),
    "error_rate": ("Error Rate*", "%"),
    "jaccard_false_positives": ("Jaccard Index (false positives counted)", ""),
    "frame_accuracy": ("Frame accuracy", "%"),
    "switches_per_100_frames": ("Label switches per 100 frames", ""),
    "parameters": ("Parameters", ""),
}


def table1_rows(settings: Settings, source: Source) -> list[dict]:
    return [{"name": name, "model": name, "crop": "skeleton", "depth": True, "figures": True} for name in MODEL_NAMES]


def table1_cells(runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit), Figure 3's activation ratio among them."""
    cells = []
    for run in runs.itertuples():
        for key, (column, unit) in METRIC_COLUMNS.items():
            cells.append((ROW_NAMES[run.name], column, getattr(run, key), unit))
        if run.name in FIGURE3_MODELS and isinstance(getattr(run, "figure3", None), dict):
            cells.append((ROW_NAMES[run.name], claims.FIGURE3_COLUMN, run.figure3["rest_over_move"], ""))
    return pd.DataFrame(cells, columns=["row", "column", "ours", "unit"])


def table2_rows(settings: Settings, source: Source) -> list[dict]:
    return [
        {"name": row, "model": BEST_MODEL, "crop": crop, "depth": depth, "figures": False}
        for crop, depth, row in TABLE2_INPUTS
    ]


def table2_cells(runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    """Our Table 2 cells: the flags of each input and its metrics."""
    cells = []
    for run in runs.itertuples():
        cells += [
            (run.name, "Crop", int(run.crop == "skeleton"), "yes=1"),
            (run.name, "Depth", int(run.depth), "yes=1"),
            (run.name, "Pose", 0, "yes=1"),
        ]
        for key in ("jaccard", "precision", "recall", "error_rate", "jaccard_false_positives"):
            column, unit = METRIC_COLUMNS[key]
            cells.append((run.name, column, getattr(run, key), unit))
    return pd.DataFrame(cells, columns=["row", "column", "ours", "unit"])


TRAIN_MODULES = ("motion_rnn.experiments.pigou2016.training", "motion_rnn.experiments.pigou2016.data")

TABLE1 = TableSpec(
    paper="pigou2016",
    name="table1_architectures",
    table="table1",
    presets=PRESETS,
    load_data=data.load_data,
    rows=table1_rows,
    train_row=training.train_architecture,
    cells=table1_cells,
    claims=claims.check_claims,
    scores=claims.table1_scores,
    train_modules=TRAIN_MODULES,
)
TABLE2 = TableSpec(
    paper="pigou2016",
    name="table2_inputs",
    table="table2",
    presets=PRESETS,
    load_data=data.load_data,
    rows=table2_rows,
    train_row=training.train_architecture,
    cells=table2_cells,
    claims=claims.check_table2_claims,
    scores=claims.table2_scores,
    train_modules=TRAIN_MODULES,
)
TABLES = (TABLE1, TABLE2)


# ----------------------------------------------------------------------------------------------
# What the pages draw, read from the stored rows


def first_seed(run: TableRun) -> pd.DataFrame:
    """The rows of the run's first seed: the figures show one trained network a row."""
    return run.runs[run.runs["seed"] == run.params.seed]


def histories(run: TableRun) -> dict[str, pd.DataFrame]:
    """Row name -> its training history (epoch, losses, accuracies) at the first seed."""
    return {r.name: pd.DataFrame(r.history) for r in first_seed(run).itertuples()}


def figure2(run: TableRun) -> dict:
    """Figure 2: model name -> probabilities ``(T, K)`` over the first test sequence; ``"labels"``
    -> its ground truth ``(T,)``; ``"sample"`` -> its id (networks of the first seed)."""
    by_name = first_seed(run).set_index("name")
    out = {name: np.asarray(by_name.loc[name, "figure2"]["probabilities"]) for name in MODEL_NAMES}
    out["labels"] = np.asarray(by_name.loc[MODEL_NAMES[0], "figure2"]["labels"])
    out["sample"] = by_name.loc[MODEL_NAMES[0], "figure2"]["sample"]
    return out


def figure3(run: TableRun) -> dict:
    """Figure 3: model name -> its most active map at rest and moving (:func:`.features.figure3_maps`);
    ``"frames"`` -> the input frames under them (networks of the first seed)."""
    by_name = first_seed(run).set_index("name")
    out = {name: by_name.loc[name, "figure3"] for name in FIGURE3_MODELS}
    first = out[FIGURE3_MODELS[0]]
    out["frames"] = {
        "rest": np.asarray(first["rest_rgb"]),
        "move": np.asarray(first["move_rgb"]),
        "rest_frame": first["rest_frame"],
        "move_frame": first["move_frame"],
    }
    return out
