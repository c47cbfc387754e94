"""Pigou et al. Tables 1 and 2: the reference tables, the claims, inference and the data path."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from motion_rnn.data.montalbano.synthetic import synthetic_split_ids, write_synthetic_montalbano
from motion_rnn.experiments.pigou2016 import claims as pigou_claims
from motion_rnn.experiments.pigou2016 import data as pigou_data
from motion_rnn.experiments.pigou2016 import features, scoring, tables
from motion_rnn.experiments.pigou2016.settings import CLOSE_JACCARD, PRESETS, ROW_NAMES, TABLE2_INPUTS
from motion_rnn.experiments.pigou2016.training import train_architecture
from motion_rnn.models.pigou2016.networks import MODEL_NAMES, build_montalbano_model
from motion_rnn.parameters import ParameterError, check_parameters
from motion_rnn.reference import paper_table, paper_table_wide
from motion_rnn.report import paper_vs_ours
from motion_rnn.sweep import RowContext
from motion_rnn.verdicts import Evidence, claims_frame, compare

TINY = replace(
    PRESETS["ci"],
    epochs=1,
    train_sequences=1,
    validation_sequences=1,
    test_sequences=1,
    sequence_frames=64,
    video_size=(48, 64),
)


def test_table1_as_the_paper_prints_it():
    wide = paper_table_wide("pigou2016", "table1")
    assert list(wide.index) == [
        "Single-Frame CNN (Figure 1a)",
        "Temp Max-Pooling (Figure 1b)",
        "Temp Mean-Pooling (Figure 1b)",
        "Temp Conv (Figure 1d)",
        "RNN, Standard Cells (Figure 1c)",
        "RNN, LSTM Cells (Figure 1c)",
        "Temp Conv + LSTM (Figure 1e)",
    ]
    assert list(wide.columns) == ["Jaccard Index", "Precision", "Recall", "Error Rate*"]
    assert list(wide["Jaccard Index"]) == [0.465, 0.748, 0.775, 0.842, 0.885, 0.888, 0.906]
    assert list(wide["Precision"]) == [67.86, 85.03, 85.93, 89.36, 92.77, 93.75, 94.49]
    assert list(wide["Recall"]) == [57.57, 82.92, 85.80, 90.15, 93.56, 93.28, 94.57]
    assert list(wide["Error Rate*"]) == [20.68, 8.66, 8.55, 4.67, 3.58, 3.55, 2.77]
    assert list(wide.index) == list(ROW_NAMES.values())


def test_table2_as_the_paper_prints_it():
    wide = paper_table_wide("pigou2016", "table2")
    assert list(wide.columns) == ["Crop", "Depth", "Pose", "Jaccard Index"]
    assert list(wide["Jaccard Index"]) == [0.827, 0.834, 0.836, 0.870, 0.842, 0.876, 0.906]
    flags = wide[["Crop", "Depth", "Pose"]].astype(int).values.tolist()
    assert flags == [[1, 0, 1], [1, 1, 1], [1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0]]
    ours = [row for _, _, row in TABLE2_INPUTS]
    assert ours[:3] == list(wide.index[-3:])  # the paper's own rows, then our extra one


FACTS = {"test_gestures": 40, "test_sequences": 4}


def printed(table):
    """Evidence of ``table``'s ``ours`` numbers as printed (no intervals)."""
    return Evidence(table.assign(paper=pd.to_numeric(table["ours"], errors="coerce")), values="paper", facts=FACTS)


def check1(table, facts=FACTS):
    return claims_frame(pigou_claims.check_claims(printed(table)))


def table1_from(
    jaccard: dict[str, float],
    errors: dict[str, float],
    switches: dict[str, float],
    tmp_path,
    figure3: dict | None = None,
):
    params = check_parameters(profile="ci", data="synthetic", seed=0, results_dir=tmp_path)
    runs = pd.DataFrame(
        [
            {
                "name": n,
                "jaccard": jaccard[n],
                "precision": 50.0,
                "recall": 50.0,
                "error_rate": errors[n],
                "jaccard_false_positives": jaccard[n],
                "frame_accuracy": 50.0,
                "switches_per_100_frames": switches[n],
                "parameters": 1,
                "figure3": (figure3 or {}).get(n),
            }
            for n in MODEL_NAMES
        ]
    )
    ours = tables.table1_cells(runs, None, None)
    return paper_vs_ours(paper_table("pigou2016", "table1"), ours, table="table1", params=params)


def test_table1_claims_follow_our_numbers(tmp_path):
    paper = paper_table_wide("pigou2016", "table1")
    as_paper = table1_from(
        dict(zip(MODEL_NAMES, paper["Jaccard Index"])),
        dict(zip(MODEL_NAMES, paper["Error Rate*"])),
        dict(zip(MODEL_NAMES, [9, 8, 8, 6, 2, 2, 2])),
        tmp_path,
        figure3={"rnn_lstm_cells": {"rest_over_move": 0.9}, "temp_conv_lstm": {"rest_over_move": 0.2}},
    )
    claims = check1(as_paper)
    assert len(claims) == 9 and (claims["verdict"] == "holds").all(), claims
    # every Jaccard claim shows the false-positive convention beside the challenge's
    assert claims["detail"].str.contains("false positives counted: holds").sum() == 6

    # The order reversed: every ordering claim fails; the cells are still "close" (equal numbers).
    reversed_ = table1_from(
        dict(zip(MODEL_NAMES, [0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.3])),
        dict(zip(MODEL_NAMES, [1, 2, 3, 4, 5, 6, 7])),
        dict(zip(MODEL_NAMES, [1, 1, 1, 1, 1, 1, 5])),
        tmp_path,
        figure3={"rnn_lstm_cells": {"rest_over_move": 0.2}, "temp_conv_lstm": {"rest_over_move": 0.9}},
    )
    verdicts = check1(reversed_).set_index("claim")["verdict"]
    assert (verdicts == "holds").sum() == 1 and verdicts[
        [c for c in verdicts.index if "equally capable" in c]
    ].item() == "holds"
    assert (verdicts == "fails").sum() == 8


def test_close_means_within_the_stated_margin(tmp_path):
    base = dict(zip(MODEL_NAMES, [0.4, 0.5, 0.6, 0.7, 0.8, 0.8, 0.9]))
    flat = dict.fromkeys(MODEL_NAMES, 1.0)
    for lstm, close in ((0.8 + CLOSE_JACCARD - 1e-6, True), (0.8 + CLOSE_JACCARD + 1e-3, False)):
        claims = check1(table1_from({**base, "rnn_lstm_cells": lstm}, flat, flat, tmp_path))
        verdict = claims.set_index("claim")["verdict"][[c for c in claims["claim"] if "equally capable" in c]].item()
        assert verdict == ("holds" if close else "fails")
    # without Figure 3's data its claim is not decided
    assert claims["verdict"].iloc[-1] == "inconclusive" and claims["detail"].iloc[-1].startswith("not reported")


def test_table2_claims_follow_our_numbers(tmp_path):
    params = check_parameters(profile="ci", data="synthetic", seed=0, results_dir=tmp_path)

    def table(jaccards):
        runs = pd.DataFrame(
            [
                {
                    "name": row,
                    "crop": crop,
                    "depth": depth,
                    "jaccard": j,
                    "precision": 1.0,
                    "recall": 1.0,
                    "error_rate": 1.0,
                    "jaccard_false_positives": j,
                }
                for (crop, depth, row), j in zip(TABLE2_INPUTS, jaccards)
            ]
        )
        return paper_vs_ours(
            paper_table("pigou2016", "table2"), tables.table2_cells(runs, None, None), table="table2", params=params
        )

    good = table([0.842, 0.876, 0.906, 0.85])
    good_claims = claims_frame(pigou_claims.check_table2_claims(printed(good)))
    assert (good_claims["verdict"] == "holds").all()
    assert good_claims["kind"].tolist() == ["empirical", "empirical", "ours", "ours"]
    flags = good[good["column"] == "Crop"].set_index("row")
    assert (
        flags.loc["Temp Conv + LSTM, crop, depth", "paper"] == 1
        and flags.loc["Temp Conv + LSTM, no crop, depth", "ours"] == 0
    )
    assert (
        flags.loc["Chang (2014) (MRF, KNN, PCA, HoG)", "ours"] != flags.loc["Chang (2014) (MRF, KNN, PCA, HoG)", "ours"]
    )
    # The order reversed: depth and the crop hurt; the uncropped RGB input keeps more than 80% of the full one.
    bad = claims_frame(pigou_claims.check_table2_claims(printed(table([0.5, 0.4, 0.3, 0.6]))))
    assert bad["verdict"].tolist() == ["fails", "fails", "fails", "holds"]


def test_networks_that_predict_nothing_are_at_chance_and_their_claims_inconclusive():
    truth = [[0, 10], [3, 20], [0, 10], [5, 20], [0, 10]]  # run lengths: two gestures in 70 frames
    others = [[[0, 5], [7, 30], [0, 35]], [[0, 12], [2, 25], [0, 13]], [[0, 40], [9, 20], [0, 10]]]

    def row(name, predicted):
        sequences = [{"predicted": p, "truth": t} for p, t in zip(predicted, [truth] + others)]
        return pd.Series({"name": name, "sequences": sequences})

    silent = pigou_claims.sequence_scores(row("silent", [[[0, 70]], [[0, 70]], [[0, 50]], [[0, 70]]]))
    right = pigou_claims.sequence_scores(row("right", [truth] + others))
    table = pd.DataFrame({"row": ["silent", "right"], "column": "Jaccard Index", "ours": [0.0, 1.0], "paper": np.nan})
    scores = {("silent", "Jaccard Index"): silent["Jaccard Index"], ("right", "Jaccard Index"): right["Jaccard Index"]}
    evidence = Evidence(table, scores, {k: v.per_seed() for k, v in scores.items()})
    assert evidence.chance_p(("silent", "Jaccard Index")) >= 0.01
    assert evidence.chance_p(("right", "Jaccard Index")) < 0.01
    assert silent["Jaccard Index"].per_seed()[0] == 0.0 and right["Jaccard Index"].per_seed()[0] == 1.0
    # the right network beats the silent one, but a claim about a network at chance is not decided
    claim = compare(evidence, "right beats silent", ("right", "Jaccard Index"), ("silent", "Jaccard Index"))
    assert claim.verdict == "inconclusive" and "not above chance: silent" in claim.detail


def test_metrics_of_perfect_and_empty_predictions():
    truth = np.array([0] * 10 + [3] * 20 + [0] * 5 + [7] * 15 + [0] * 10)
    perfect = scoring.sequence_metrics([truth], [truth])
    assert perfect["jaccard"] == 1 and perfect["error_rate"] == 0 and perfect["recall"] == pytest.approx(10.0)
    assert (
        perfect["switches_per_100_frames"]
        == perfect["true_switches_per_100_frames"]
        == pytest.approx(400 / 60, abs=1e-4)
    )
    silent = scoring.sequence_metrics([np.zeros_like(truth)], [truth])
    assert silent["jaccard"] == 0 and silent["error_rate"] == 100 and silent["switches_per_100_frames"] == 0


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_sequence_prediction_matches_the_model_on_each_window(name):
    torch.manual_seed(0)
    model = build_montalbano_model(name, frame_size=16, width=1 / 16).eval()
    clip = torch.rand(80, 4, 16, 16)
    probs = scoring.predict_sequence(model, clip)
    assert probs.shape == (80, 21) and np.allclose(probs.sum(-1), 1, atol=1e-5)
    with torch.no_grad():
        if model.framewise:  # frame 40 lies in the middle 32 frames of the window starting at 16... kept from the first
            first = torch.softmax(model(clip[None, :64])[0], -1).numpy()
            last = torch.softmax(model(clip[None, 16:80])[0], -1).numpy()
            assert np.allclose(probs[:48], first[:48], atol=1e-5) and np.allclose(probs[48:], last[32:], atol=1e-5)
        else:
            length = model.num_frames
            for t in (0, 37, 79):
                index = np.clip(np.arange(t - length // 2, t - length // 2 + length), 0, 79)
                expected = torch.softmax(model(clip[None, torch.from_numpy(index)])[0], -1).numpy()
                assert np.allclose(probs[t], expected, atol=1e-5)


def test_figure3_maps_are_four_layers_deep():
    clip = torch.rand(20, 4, 16, 16)
    for name, channels in (("rnn_lstm_cells", 2), ("temp_conv_lstm", 2)):
        model = build_montalbano_model(name, frame_size=16, width=1 / 8)
        assert tuple(features.layer4_maps(model, clip).shape) == (20, channels * 2, 8, 8)
    labels = np.array([0] * 10 + [5] * 10)
    frames = features.rest_and_motion_frames(clip, labels)
    assert labels[frames["rest_frame"]] == 0 and labels[frames["move_frame"]] == 5
    maps = features.figure3_maps(model, clip, frames)
    assert np.asarray(maps["rest_map"]).shape == (8, 8) and maps["rest_over_move"] > 0


def test_a_folder_without_archives_is_refused_with_the_expected_layout(tmp_path):
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "notes.txt").write_text("no archives here")
    params = check_parameters(profile="ci", data=str(tmp_path / "videos"), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match=r"SampleNNNN\.zip.*_skeleton\.csv.*data='synthetic'"):
        pigou_data.load_data(params, TINY)


def test_a_folder_lacking_a_split_names_the_split(tmp_path):
    root = write_synthetic_montalbano(
        tmp_path / "montalbano", ids=[1, 601], frames_per_sequence=64, seed=1, size=TINY.video_size, num_performers=1
    )
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match="test split.*Sample0701"):
        pigou_data.load_data(params, TINY)


def test_a_real_layout_folder_runs_through_the_same_path(tmp_path):
    ids = synthetic_split_ids(train=1, validation=1, test=1)
    root = write_synthetic_montalbano(
        tmp_path / "montalbano",
        ids=sum(ids.values(), []),
        frames_per_sequence=64,
        seed=3,
        size=TINY.video_size,
        num_performers=1,
    )
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    (source,) = pigou_data.load_data(params, TINY)
    splits = source.payload
    assert source.description.startswith("Montalbano (montalbano:") and [len(p) for p in splits.paths.values()] == [
        1,
        1,
        1,
    ]
    assert source.facts["test_gestures"] > 0
    context = RowContext(key="k", checkpoint=tmp_path / "k.pt", progress=False)
    row = {"model": "temp_conv_lstm", "crop": "skeleton", "depth": True, "figures": True}
    result = train_architecture(row, source, TINY, context, params)
    assert 0 <= result["jaccard"] <= 1 and 0 <= result["error_rate"] <= 100 and result["epochs_run"] == 1
    assert np.asarray(result["figure2"]["probabilities"]).shape == (64, 21)
    assert np.asarray(result["figure3"]["move_map"]).shape == (8, 8)
    row = {"model": "temp_mean_pooling", "crop": "centre", "depth": False, "figures": False}
    no_depth = train_architecture(row, source, TINY, context, params)
    # each split is decoded once per crop and depth, then shared by every row that reads it
    assert set(splits.decoded) == {
        (split, crop, depth)
        for split in ("train", "validation", "test")
        for crop, depth in (("skeleton", True), ("centre", False))
    }
    assert "figure2" not in no_depth and no_depth["parameters"] > 0


def test_augmentation_benchmark_trains_with_and_without_augmentation(tmp_path):
    import importlib.util

    from motion_rnn.paths import project_root

    path = project_root() / "benchmarks" / "bench_pigou_augmentation.py"
    spec = importlib.util.spec_from_file_location("bench_pigou_augmentation", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = write_synthetic_montalbano(
        tmp_path / "montalbano", ids=[1], frames_per_sequence=64, seed=0, size=TINY.video_size, num_performers=1
    )
    splits = pigou_data.Splits({"train": [root / "Sample0001.zip"]}, "one sequence", size=TINY.frame_size)
    losses = [bench.training_loss(splits, TINY, augment=augment, updates=20, seed=0) for augment in (True, False)]
    assert all(np.isfinite(loss) and loss > 0 for loss in losses)
    assert losses[0] != losses[1]  # the same start, other fragments: augmentation changes what is learnt


def test_a_sequence_without_gestures_is_scored_as_each_jaccard_convention_says():
    from motion_rnn.experiments.pigou2016.scoring import from_run_lengths, run_lengths, sequence_jaccards

    silent_truth = np.zeros(50, int)
    # the challenge's scorer has no score for it (its mean over the ground truth's classes is empty) ...
    assert sequence_jaccards(np.zeros(50, int), silent_truth) == (None, None)
    # ... the false-positive convention scores a predicted gesture there as a zero-overlap term
    false_alarm = np.r_[np.zeros(20, int), np.full(10, 7), np.zeros(20, int)]
    assert sequence_jaccards(false_alarm, silent_truth) == (None, 0.0)
    truth = np.r_[np.zeros(10, int), np.full(20, 3), np.zeros(20, int)]
    assert sequence_jaccards(truth, truth) == (1.0, 1.0)
    challenge, with_fp = sequence_jaccards(np.where(truth == 0, 7, truth), truth)
    assert challenge == 1.0 and with_fp == 0.5  # class 7 predicted but absent: one zero term
    assert from_run_lengths(run_lengths(false_alarm)).tolist() == false_alarm.tolist()
    assert run_lengths(false_alarm) == [[0, 20], [7, 10], [0, 20]]
