"""Zhang et al.'s Tables 1 and 2, declared on the book's one runner (:func:`motion_rnn.runner.run_table`)."""

from __future__ import annotations

import pandas as pd

from motion_rnn.experiments.zhang2018 import claims, data, modality_data, table2, table2_claims, training
from motion_rnn.experiments.zhang2018.complexity import complexity_at_paper_shape
from motion_rnn.experiments.zhang2018.settings import PRESETS, Settings
from motion_rnn.experiments.zhang2018.table2_settings import PRESETS as TABLE2_PRESETS
from motion_rnn.models.zhang2018.convlstm import CELL_KINDS, CELL_LABELS
from motion_rnn.runner import Source, TableSpec


def rows(settings: Settings, source: Source) -> list[dict]:
    """A row a cell: ConvLSTM and variants (a)-(d)."""
    return [{"name": CELL_LABELS[kind], "kind": kind} for kind in CELL_KINDS]


def cells(runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    """Our numbers as tidy cells: accuracy of the trained networks, complexity at the paper's shape."""
    accuracy = runs.set_index("kind")["accuracy"]
    out = []
    for c in complexity_at_paper_shape().itertuples():
        out += [
            (c.row, source.facts["column"], accuracy.loc[c.kind], "%"),
            (c.row, "Channel Num", c.channels, ""),
            (c.row, "Parameter Size", c.paper_parameter_size / 1e6, "M"),
            (c.row, "Mult-Adds", c.paper_mult_adds / 1e6, "M"),
            (c.row, "PyTorch parameters (biases included)", c.torch_parameter_count / 1e6, "M"),
            (c.row, claims.MEASURED, c.measured_mult_adds / 1e6, "M"),
            (c.row, "Channel Num (trained network)", settings.convlstm_channels, ""),
        ]
    return pd.DataFrame(out, columns=["row", "column", "ours", "unit"])


TABLE1 = TableSpec(
    paper="zhang2018",
    name="table1_convlstm_variants",
    table="table1",
    presets=PRESETS,
    load_data=data.load_data,
    rows=rows,
    train_row=training.train_variant,
    cells=cells,
    claims=claims.check_claims,
    scores=claims.item_scores,
    train_modules=("motion_rnn.experiments.zhang2018.training", "motion_rnn.experiments.zhang2018.data"),
)

TABLE2 = TableSpec(
    paper="zhang2018",
    name="table2_modalities",
    table="table2",
    presets=TABLE2_PRESETS,
    load_data=modality_data.load_data,
    rows=table2.rows,
    train_row=table2.train_network,
    cells=table2.cells,
    claims=table2_claims.check_claims,
    scores=table2.item_scores,
    options=("modalities",),
    train_modules=("motion_rnn.experiments.zhang2018.table2", "motion_rnn.experiments.zhang2018.modality_data"),
)

TABLES = (TABLE1, TABLE2)
