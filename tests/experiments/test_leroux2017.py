"""Le Roux (2017) Tables 4-9, 11, 12: the experiment's pieces, with one tiny run through the NTU reader."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from motion_rnn.data.ntu.synthetic import write_synthetic_ntu
from motion_rnn.experiments.leroux2017 import data as D
from motion_rnn.experiments.leroux2017 import rows as R
from motion_rnn.experiments.leroux2017 import tables
from motion_rnn.experiments.leroux2017 import training as T
from motion_rnn.experiments.leroux2017.settings import PRESETS
from motion_rnn.parameters import ParameterError, check_parameters
from motion_rnn.reference import paper_table_wide
from motion_rnn.sweep import RowContext
from motion_rnn.verdicts import Evidence, claims_frame

TINY = replace(PRESETS["ci"], max_epochs=1, width=0.03, dense_size=8, max_frames=8)


# ---- the thesis's tables, as data --------------------------------------------------------------


def test_reference_tables_as_the_thesis_prints_them():
    t4 = paper_table_wide("leroux2017", "table4")
    assert t4.loc["Unidirectional GRU", 100] == 79.2 and t4.loc["Bidirectional Standard RNN", 800] == 66.54
    assert list(paper_table_wide("leroux2017", "table5").loc["Accuracy"]) == [
        72.35,
        77.09,
        79.2,
        77.94,
        77.83,
        77.2,
        76.72,
        74.62,
    ]
    assert list(paper_table_wide("leroux2017", "table6").loc["Accuracy"]) == [75.17, 76.93, 78.11, 79.2, 72.91, 57.72]
    assert paper_table_wide("leroux2017", "table7").loc["Without L2", "Without early stopping"] == 68.12
    t8 = paper_table_wide("leroux2017", "table8")
    assert t8.loc["Affine combination", "mu = 0"] == 79.58 and np.isnan(t8.loc["Without", "mu = 0.01"])
    assert paper_table_wide("leroux2017", "table9").loc["13 joints", "With alignment"] == 74.43
    assert paper_table_wide("leroux2017", "table11").loc["GRU", 200] == 79.03
    assert list(paper_table_wide("leroux2017", "table12").loc["GRU 200 Units"]) == [
        78.36,
        79.09,
        78.6,
        78.6,
        79.07,
        78.86,
        78.88,
        79.03,
    ]


@pytest.mark.parametrize("key", sorted(tables.SPECS))
def test_every_row_has_a_thesis_cell_or_is_an_added_comparison(key):
    paper = tables.reference(key)
    cells = set(zip(paper["row"], paper["column"]))
    rows = R.TABLE_ROWS[key]()
    assert len({r.name for r in rows}) == len(rows)
    added = [r for r in rows if (r.row, r.column) not in cells]
    assert [r.row for r in added] == ([R.MOTION_ROW] if key == "table8" else [])
    assert cells <= {(r.row, r.column) for r in rows}


# ---- each table changes only what the thesis changes ------------------------------------------------


def changed(key):
    return {r.name: {k for k, v in R.row_config(r).items() if v != R.BASELINE[k]} for r in R.TABLE_ROWS[key]()}


def test_the_baseline_is_the_improved_baseline():
    b = R.BASELINE
    assert (b["cell"], b["units"], b["layers"], b["bidirectional"], b["keep_prob"]) == ("gru", 100, 3, False, 0.5)
    assert b["l2"] and b["early_stopping"] and b["loss"] == "last_step" and b["joints"] == 25 and not b["align"]


@pytest.mark.parametrize(
    "key, allowed",
    [
        ("table4", {"cell", "units", "bidirectional"}),
        ("table5", {"layers"}),
        ("table6", {"keep_prob"}),
        ("table7", {"l2", "early_stopping"}),
        ("table8", {"transformer", "sparsity_mu", "inputs"}),
        ("table9", {"joints", "align"}),
        ("table11", {"cell", "units", "bidirectional", "loss"}),
        ("table12", {"units", "bidirectional", "loss", "inattention_steps"}),
    ],
)
def test_rows_differ_from_the_baseline_only_where_the_thesis_says(key, allowed):
    for name, keys in changed(key).items():
        assert keys <= allowed, (name, keys)


def test_table4_halves_the_units_of_bidirectional_rows_and_table12_uses_the_best_brnn():
    for r in R.TABLE_ROWS["table4"]():
        config = R.row_config(r)
        assert config["units"] * (2 if config["bidirectional"] else 1) == int(r.column)
    for r in R.TABLE_ROWS["table12"]():
        config = R.row_config(r)
        assert (config["cell"], config["units"], config["bidirectional"]) == ("gru", 200, True)
        assert config["loss"] == ("every_step" if r.column == "T" else "inattention")
        if r.column != "T":
            assert config["inattention_steps"] == int(r.column)
    assert {R.row_config(r)["loss"] for r in R.TABLE_ROWS["table11"]()} == {"every_step", "last_step"}


def test_training_set_up_is_the_thesis_s():
    full = PRESETS["full"]
    assert (full.batch_size, full.lr, full.adam_eps, full.grad_clip_norm) == (256, 5e-3, 1e-4, 1.0)
    config = T.fit_config(R.BASELINE, full)
    assert config.optimizer == "adam" and config.lr_schedule == "plateau" and config.plateau_factor == 0.1
    assert config.final_lr == pytest.approx(5e-5) and config.restore_best and config.early_stopping_patience
    off = T.fit_config({**R.BASELINE, "early_stopping": False}, full)
    assert off.lr_schedule == "constant" and off.early_stopping_patience is None and not off.restore_best
    model = T.build_model(R.BASELINE, (25, 3), 60, full)
    gru = model.stack.layers[0]
    assert isinstance(gru, torch.nn.GRU) and gru.hidden_size == 100 and len(model.stack.layers) == 3
    assert torch.all(gru.bias_ih_l0[:200] == 1)  # Sec. 3.1.2: reset and update gate biases 1
    assert (
        T.inattention_size(
            {**R.BASELINE, "loss": "inattention", "inattention_steps": 20}, replace(full, step_scale=0.5)
        )
        == 10
    )


# ---- claims, on crafted numbers --------------------------------------------------------------


def check(table, key):
    """The claims of table ``key`` decided on the numbers of ``table``'s ``paper`` column, as printed."""
    return claims_frame(tables.SPECS[key].claims(Evidence(table, values="paper")))


def crafted(key, values):
    """The thesis's table ``key`` with its numbers replaced by ``values(row, column, thesis's number)``."""
    paper = tables.reference(key)
    rows = R.TABLE_ROWS[key]()
    paper_of = dict(zip(zip(paper["row"], paper["column"]), paper["value"]))
    return pd.DataFrame(
        {
            "row": [r.row for r in rows],
            "column": [r.column for r in rows],
            "paper": [values(r.row, r.column, paper_of.get((r.row, r.column), 70.0)) for r in rows],
            "ours": np.nan,
        }
    )


@pytest.mark.parametrize("key", sorted(tables.SPECS))
def test_claims_as_the_thesis_s_numbers_say(key):
    paper = tables.reference(key).rename(columns={"value": "paper"}).assign(ours=np.nan)
    claims = check(paper, key)
    assert len(claims) >= 2 and set(claims["kind"]) <= {"empirical", "ours"}
    for claim, verdict in zip(claims["claim"], claims["verdict"]):
        # Table 8's "in all the cases" fails on the thesis's own mu = 0.001 column (77.36 < 77.78).
        expected = "fails" if key == "table8" and "restraining the weights to sum to 1" in claim else "holds"
        if "Skeleton motion alone" in claim:
            expected = "inconclusive"  # its 75.57 is in the thesis's text, not its table: not reported
        assert verdict == expected, claim
    # Table 11's comparison with the last-step loss is our hypothesis, and says so.
    if key == "table11":
        assert claims["kind"].tolist()[-1] == "ours" and claims["claim"].tolist()[-1].startswith("Ours")


def test_claims_turn_with_the_numbers():
    worse = {
        "Without L2": {"Without early stopping": 80.0, "With early stopping": 70.0},
        "With L2": {"Without early stopping": 70.0, "With early stopping": 65.0},
    }
    assert (check(crafted("table7", lambda r, c, p: worse[r][c]), "table7")["verdict"] == "fails").all()
    layers = {"1": 70, "2": 75, "3": 74, "4": 76, "5": 73, "6": 72, "7": 71, "8": 70}
    verdicts = check(crafted("table5", lambda r, c, p: layers[c]), "table5")["verdict"].tolist()
    assert verdicts == ["fails", "fails", "holds"]  # 4 layers best; 3 > 1 still
    flat = {"T": 80.0}
    verdicts = check(crafted("table12", lambda r, c, p: flat.get(c, 82.0)), "table12")["verdict"].tolist()
    assert verdicts == ["fails", "holds"]
    tied = check(crafted("table9", lambda r, c, p: 70.0), "table9")["verdict"].tolist()
    assert tied == ["inconclusive"] * 3  # ties as printed neither confirm nor refute


# ---- data and a tiny run --------------------------------------------------------------------------


def test_a_folder_without_skeleton_files_is_refused_naming_the_layout(tmp_path):
    (tmp_path / "ntu").mkdir()
    (tmp_path / "ntu" / "readme.txt").write_text("not a skeleton")
    params = check_parameters(profile="ci", data=str(tmp_path / "ntu"), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match=r"SsssCcccPpppRrrrAaaa\.skeleton"):
        D.load_data(params, TINY)


def test_standin_parameter_is_checked():
    assert tables.check_standin("table4", None) is None and tables.check_standin("table7", "smartwatch") == "smartwatch"
    with pytest.raises(ParameterError, match="'smartwatch'"):
        tables.check_standin("table4", "accelerometer")
    with pytest.raises(ParameterError, match="skeletons"):
        tables.check_standin("table9", "smartwatch")


def test_preprocessing_gives_what_each_row_reads():
    rng = np.random.default_rng(0)
    seq = rng.normal(size=(30, 25, 3)).astype(np.float32)
    assert D.prepare_sequence(seq, joints=25, align=False, inputs="positions", max_frames=None).shape == (30, 25, 3)
    assert D.prepare_sequence(seq, joints=13, align=True, inputs="positions", max_frames=10).shape == (10, 13, 3)
    motion = D.prepare_sequence(seq, joints=25, align=False, inputs="motion", max_frames=10)
    assert motion.shape == (10, 25, 3)


def test_a_tiny_run_through_the_ntu_reader(tmp_path):
    root = write_synthetic_ntu(tmp_path / "ntu", performances_per_class=3, seed=1, num_classes=3)
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    (source,) = D.load_data(params, TINY)
    raw = source.payload
    assert raw.label == source.label == "path:ntu" and raw.num_classes == 60 and raw.kind == "skeleton"
    assert len(raw.train) and len(raw.validation) and len(raw.test)
    for changes in (
        {},
        {"transformer": "convex", "sparsity_mu": 0.01},
        {"joints": 13, "align": True},
        {"bidirectional": True, "loss": "inattention", "inattention_steps": 10},
    ):
        config = {**R.BASELINE, **changes, "name": "tiny"}
        context = RowContext(key="tiny", checkpoint=tmp_path / "tiny.pt", progress=False)
        result = T.train_row(config, source, TINY, context, params)
        assert 0 <= result["accuracy"] <= 100 and result["epochs"] == 1
