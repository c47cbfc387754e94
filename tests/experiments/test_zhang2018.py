"""Zhang et al. Table 1: the experiment's pieces, without training the five networks."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.jester.synthetic import write_synthetic_jester
from motion_rnn.experiments.zhang2018 import claims as zhang_claims
from motion_rnn.experiments.zhang2018 import data as zhang_data
from motion_rnn.experiments.zhang2018 import tables
from motion_rnn.experiments.zhang2018.complexity import complexity_at_paper_shape
from motion_rnn.experiments.zhang2018.settings import PRESETS
from motion_rnn.experiments.zhang2018.training import train_variant
from motion_rnn.parameters import ParameterError, check_parameters
from motion_rnn.reference import paper_table
from motion_rnn.report import paper_vs_ours
from motion_rnn.runner import Source
from motion_rnn.statistics import classification_scores
from motion_rnn.sweep import RowContext
from motion_rnn.verdicts import Evidence, claims_frame

TINY = replace(PRESETS["ci"], epochs=1, train_videos_per_class=2, val_videos_per_class=1, batch_size=8)


def test_complexity_columns_match_the_paper_to_its_rounding():
    complexity = complexity_at_paper_shape().set_index("row")
    paper = paper_table("zhang2018", "table1").pivot(index="row", columns="column", values="value")
    assert (complexity["paper_parameter_size"] / 1e6).round(3).tolist() == paper.loc[
        complexity.index, "Parameter Size"
    ].tolist()
    # Mult-Adds: the paper's column is parameter size x 784 to within half a percent.
    ratio = complexity["paper_mult_adds"] / 1e6 / paper.loc[complexity.index, "Mult-Adds"]
    assert ((ratio - 1).abs() < 0.005).all()
    assert complexity.loc["ConvLSTM", "paper_parameter_size"] == 4_718_592
    assert complexity.loc["Variant (a)", "paper_parameter_size"] == 528_896


FACTS = {"column": "Validating accuracy (Jester)", "num_classes": 12, "validation_samples": 120}


def check(table, facts=FACTS):
    """The claims decided on ``table``'s ``ours`` numbers as printed (no intervals)."""
    printed = table.assign(paper=pd.to_numeric(table["ours"], errors="coerce"))
    return claims_frame(zhang_claims.check_claims(Evidence(printed, values="paper", facts=facts)))


def fake_table(accuracies: dict[str, float], tmp_path) -> pd.DataFrame:
    params = check_parameters(profile="ci", data="synthetic", seed=0, results_dir=tmp_path)
    runs = pd.DataFrame({"kind": list(accuracies), "accuracy": list(accuracies.values())})
    ours = tables.cells(runs, Source("synthetic", "", "", facts=FACTS), TINY)
    return paper_vs_ours(paper_table("zhang2018", "table1"), ours, table="table1", params=params)


def test_claims_follow_our_numbers(tmp_path):
    as_paper = fake_table({"convlstm": 95.11, "a": 95.08, "b": 94.18, "c": 95.13, "d": 95.10}, tmp_path)
    claims = check(as_paper)
    assert (claims["verdict"] == "holds").all(), claims
    assert claims["kind"].tolist() == ["exact", "exact", "exact", "ours", "empirical", "empirical", "empirical"]
    reversed_ = fake_table({"convlstm": 90.0, "a": 80.0, "b": 95.0, "c": 92.0, "d": 85.0}, tmp_path)
    claims = check(reversed_).set_index("claim")["verdict"]
    accuracy_claims = [c for c in claims.index if "accurate" in c or "improve" in c]
    assert len(accuracy_claims) == 3 and (claims[accuracy_claims] == "fails").all()
    # complexity claims do not depend on training
    assert (claims[[c for c in claims.index if c not in accuracy_claims]] == "holds").all()


def test_networks_at_chance_leave_accuracy_claims_inconclusive():
    target = np.arange(120) % 12
    constant = classification_scores(np.zeros(120, int), target)
    assert constant.per_seed()[0] == pytest.approx(100 / 12)
    runs = pd.DataFrame(
        {"kind": ["convlstm", "a", "b", "c", "d"], "items": [{"predicted": [0] * 120, "target": target.tolist()}] * 5}
    )
    scores = zhang_claims.item_scores(runs, Source("synthetic", "", "", facts=FACTS), TINY)
    table = fake_table(dict.fromkeys(["convlstm", "a", "b", "c", "d"], 100 / 12), Path(".")).assign(paper=np.nan)
    evidence = Evidence(table, scores, {k: v.per_seed() for k, v in scores.items()}, facts=FACTS)
    claims = claims_frame(zhang_claims.check_claims(evidence))
    accuracy = claims[claims["kind"] == "empirical"]
    assert (accuracy["verdict"] == "inconclusive").all() and accuracy["detail"].str.contains("not above chance").all()


def test_a_folder_that_is_no_data_set_is_refused_with_the_expected_layouts(tmp_path):
    (tmp_path / "videos").mkdir()
    params = check_parameters(profile="ci", data=str(tmp_path / "videos"), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match="jester-v1-labels.csv.*train_list.txt"):
        zhang_data.load_data(params, TINY)


def test_a_real_layout_folder_runs_through_the_same_path(tmp_path):
    root = write_synthetic_jester(
        tmp_path / "jester",
        videos_per_class={"train": 2, "validation": 1},
        num_frames=TINY.video_frames,
        size=TINY.video_size,
        seed=3,
    )
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    (source,) = zhang_data.load_data(params, TINY)
    assert source.facts["column"] == "Validating accuracy (Jester)" and source.description == "Jester (jester)"
    context = RowContext(key="a", checkpoint=tmp_path / "a.pt", progress=False)
    result = train_variant({"kind": "a"}, source, TINY, context, params)
    assert 0 <= result["accuracy"] <= 100 and len(result["history"]["epoch"]) == 1


def test_a_frame_folder_with_missing_images_is_named(tmp_path):
    root = write_synthetic_jester(
        tmp_path / "jester",
        videos_per_class={"train": 2, "validation": 1},
        num_frames=TINY.video_frames,
        size=TINY.video_size,
        seed=3,
    )
    folder = sorted((root / "20bn-jester-v1").iterdir())[0]
    (sorted(folder.iterdir())[3]).unlink()
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(DataFormatError, match=folder.name):
        (source,) = zhang_data.load_data(params, TINY)
        for split in source.payload:
            for i in range(len(split)):
                split[i]
