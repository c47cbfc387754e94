"""Le Roux's Tables 4-9, 11 and 12, declared on the book's one runner (:func:`motion_rnn.runner.run_table`).

Every table trains the same network, :data:`.rows.BASELINE` with what its rows change, on the same
data; they differ in their rows, the thesis's table and the claims.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.experiments.leroux2017 import claims, data, training, transfer
from motion_rnn.experiments.leroux2017.rows import LAST_STEP_SUFFIX, TABLE_ROWS, row_config
from motion_rnn.experiments.leroux2017.settings import PRESETS, Settings
from motion_rnn.reference import paper_table
from motion_rnn.runner import Source, TableSpec

PAPER = "leroux2017"
NAMES = {
    "table4": "table4_rnn_types",
    "table5": "table5_layers",
    "table6": "table6_dropout",
    "table7": "table7_regularisation",
    "table8": "table8_skeleton_transformer",
    "table9": "table9_alignment",
    "table11": "table11_bidirectional",
    "table12": "table12_inattention",
}
WITH_STANDIN = ("table4", "table5", "table6", "table7")
"""Tables whose rows need no skeleton, so they also run on the smartwatch stand-in."""


def rows(key: str, settings: Settings, source: Source) -> list[dict]:
    return [
        {"name": r.name, "row": r.row, "column": r.column, "table": key, **row_config(r)} for r in TABLE_ROWS[key]()
    ]


def cells(runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit): test accuracy in % of every row."""
    return pd.DataFrame({"row": runs["row"], "column": runs["column"], "ours": runs["accuracy"], "unit": "%"})


def reference(key: str) -> pd.DataFrame:
    """The thesis's table ``key`` (tidy), with Table 11's comparison rows taken from Table 4."""
    paper = _text_columns(paper_table(PAPER, key))
    if key == "table11":
        brnn = _text_columns(paper_table(PAPER, "table4"))
        brnn = brnn[brnn["row"].str.startswith("Bidirectional ")].copy()
        brnn["row"] = brnn["row"].str.removeprefix("Bidirectional ") + LAST_STEP_SUFFIX
        brnn["column"] = (brnn["column"].astype(int) // 2).astype(str)  # Table 4 counts both directions
        paper = pd.concat([paper, brnn], ignore_index=True)
    return paper.drop(columns="table")


def _text_columns(paper: pd.DataFrame) -> pd.DataFrame:
    """Column names as the rows name them ("1", "0.9", "100"), whatever type the CSV reader gave them."""
    return paper.assign(
        column=[f"{c:g}" if isinstance(c, (int, float, np.number)) else str(c) for c in paper["column"]]
    )


def check_standin(key: str, standin: str | None) -> str | None:
    """The notebook's ``standin`` parameter: one of :data:`.data.STANDINS` for Tables 4-7, or None."""
    if standin is None:
        return None
    check_choice("standin", standin, data.STANDINS)
    if key not in WITH_STANDIN:
        raise ParameterError(f"standin={standin!r}: {key} needs skeletons, which no stand-in has; use standin=None")
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
        cells=cells,
        claims=claims.CLAIMS[key],
        scores=claims.item_scores,
        cpu_threads=1,
        options=("standin",) if key in WITH_STANDIN else (),
        train_modules=(
            "motion_rnn.experiments.leroux2017.training",
            "motion_rnn.experiments.leroux2017.data",
            "motion_rnn.experiments.leroux2017.rows",
        ),
    )


SPECS = {key: _spec(key) for key in NAMES}
"""The thesis's table (``"table4"``, ...) -> its specification."""
TABLE10 = TableSpec(
    paper=PAPER,
    name="table10_estimated_poses",
    presets=transfer.PRESETS,
    table="table10",
    reference=functools.partial(reference, "table10"),
    load_data=transfer.load_data,
    rows=transfer.rows,
    train_row=transfer.train_row,
    cells=transfer.cells,
    claims=claims.claims_table10,
    scores=transfer.item_scores,
    cpu_threads=1,
    options=("clips",),
    train_modules=("motion_rnn.experiments.leroux2017.transfer",),
)
"""Table 10: one network a seed, trained on skeletons and motion capture, tested on real clips (:mod:`.transfer`)."""
TABLES = (*SPECS.values(), TABLE10)
"""Every table of the thesis the book builds: the eight above and Table 10."""
