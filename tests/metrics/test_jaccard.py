"""The ChaLearn LAP 2014 Jaccard index (Pigou et al., eqs. 7-8) on hand-computed cases and real files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motion_rnn.data.errors import DataFormatError
from motion_rnn.metrics.jaccard import (
    Interval,
    SequenceInfo,
    class_masks,
    frame_jaccard,
    frames_to_intervals,
    intervals_to_frames,
    jaccard_index,
    read_data_csv,
    read_labels_csv,
    read_prediction_csv,
    score_directory,
)
from motion_rnn.metrics.jaccard.__main__ import main

DATA = Path(__file__).resolve().parents[1] / "data" / "chalearn2014"
GT_TEST, GT_VALID = DATA / "gt" / "test", DATA / "gt" / "validation"
PRED = DATA / "predictions"

# ChaLearn LAP 2014 track 3, final results on the test set (Escalera et al., "ChaLearn Looking at
# People Challenge 2014: dataset and results", ECCV workshops 2014; the paper's reference for
# Table 2): team "Lpigou", the 2014 entry of the paper's authors, scored 0.788804.
PUBLISHED_TEST_SCORE_2014 = 0.788804


# --------------------------------------------------------------------------------------------
# Eqs. 7-8 by hand
# --------------------------------------------------------------------------------------------


def test_end_frame_is_excluded():
    # ground truth 3..5 (rows 3,6), prediction 4..7 (rows 4,8): |A ∩ B| = |{4,5}| = 2,
    # |A ∪ B| = |{3..7}| = 5. Counting the end frames would give 3 / 6 instead.
    assert jaccard_index([(1, 3, 6)], [(1, 4, 8)], 10) == 2 / 5
    masks = class_masks([(1, 3, 6)], 10)
    assert masks.shape == (20, 10)
    assert np.flatnonzero(masks[0]).tolist() == [2, 3, 4]  # 0-based [start - 1, end - 1)
    assert not masks[1:].any()


def test_end_frame_may_be_one_past_the_last_frame():
    # [start - 1, end - 1) with end = T + 1 reaches the last frame; end = T + 2 leaves the sequence
    assert np.flatnonzero(class_masks([(4, 8, 11)], 10)[3]).tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="1..11"):
        class_masks([(4, 8, 12)], 10)


def test_repeated_instances_of_a_class_are_merged():
    gt = [(2, 1, 5), (2, 11, 13), (3, 20, 25)]  # class 2: frames 1-4 and 11-12; class 3: 20-24
    pred = [(2, 1, 5), (3, 20, 23)]  # class 2: 1-4; class 3: 20-22
    # class 2 is one vector of 6 frames (not two instances scoring 1 and 0): 4 / 6; class 3: 3 / 5;
    # the mean runs over the two classes, class 2 counted once.
    assert jaccard_index(gt, pred, 30) == pytest.approx((4 / 6 + 3 / 5) / 2, abs=1e-15)
    # a prediction split in two pieces is the same vector as one piece
    assert jaccard_index(gt, [(2, 1, 3), (2, 3, 5), (3, 20, 23)], 30) == jaccard_index(gt, pred, 30)


def test_false_positive_convention_adds_one_zero_term_per_absent_class():
    gt = [(1, 1, 11)]
    pred = [(1, 1, 6), (5, 20, 30), (5, 1, 3), (7, 25, 28)]  # classes 5 and 7 are not in the ground truth
    assert jaccard_index(gt, pred, 30) == 0.5  # default: the published scorer ignores them
    assert jaccard_index(gt, pred, 30, false_positives=True) == 0.5 / 3  # (5/10) / (1 + 2)
    # a predicted class that IS in the ground truth is never a false positive, whatever its overlap
    assert jaccard_index([(1, 1, 5), (2, 10, 15)], [(1, 1, 5), (2, 20, 25)], 30, false_positives=True) == 0.5


def test_only_wrong_classes_predicted():
    assert jaccard_index([(1, 1, 11)], [(2, 1, 11)], 20) == 0.0
    assert jaccard_index([(1, 1, 11)], [(2, 1, 11)], 20, false_positives=True) == 0.0


def test_perfect_and_empty_predictions():
    gt = [(4, 2, 9), (11, 15, 30), (4, 40, 41)]
    assert jaccard_index(gt, gt, 50) == 1.0
    assert jaccard_index(gt, gt, 50, false_positives=True) == 1.0
    assert jaccard_index(gt, [], 50) == 0.0
    assert jaccard_index(gt, [], 50, false_positives=True) == 0.0


def test_ground_truth_without_gesture():
    with pytest.raises(ValueError, match="no gesture"):
        jaccard_index([], [(1, 1, 5)], 10)
    with pytest.raises(ValueError, match="no gesture"):
        jaccard_index([], [], 10, false_positives=True)
    assert jaccard_index([], [(1, 1, 5)], 10, false_positives=True) == 0.0  # 0 / (0 + 1)


def test_reversed_prediction_row_covers_nothing_but_counts_as_predicted():
    gt = [(1, 1, 11)]
    assert jaccard_index(gt, [(1, 1, 11), (6, 30, 12)], 20) == 1.0
    assert jaccard_index(gt, [(1, 1, 11), (6, 30, 12)], 20, false_positives=True) == 0.5


def test_bad_rows_in_library_calls():
    with pytest.raises(ValueError, match="gesture id"):
        jaccard_index([(21, 1, 5)], [], 10)
    with pytest.raises(ValueError, match="gesture id"):
        jaccard_index([(1, 1, 5)], [(0, 1, 5)], 10)
    with pytest.raises(ValueError, match="covers no frame"):
        jaccard_index([(1, 5, 5)], [], 10)


# --------------------------------------------------------------------------------------------
# Frame labels <-> intervals
# --------------------------------------------------------------------------------------------


def test_frames_to_intervals_by_hand():
    frames = np.array([0, 3, 3, 0, 0, 5, 5, 5, 2, 2])
    assert frames_to_intervals(frames) == [Interval(3, 2, 4), Interval(5, 6, 9), Interval(2, 9, 11)]
    # the authors' writer puts the run's last frame in the end column, so the scorer drops it
    assert frames_to_intervals(frames, inclusive_end=True) == [(3, 2, 3), (5, 6, 8), (2, 9, 10)]
    assert frames_to_intervals(np.zeros(5, dtype=int)) == []
    assert frames_to_intervals([]) == []


def test_intervals_to_frames_overlaps():
    rows = [(3, 2, 6), (12, 5, 8)]  # frame 5 (1-based) is in both, as in test sample 797
    assert intervals_to_frames(rows, 9).tolist() == [0, 3, 3, 3, 12, 12, 12, 0, 0]
    with pytest.raises(ValueError, match="overlaps"):
        intervals_to_frames(rows, 9, overlap="raise")
    assert intervals_to_frames([(3, 2, 6), (3, 4, 8)], 9, overlap="raise").tolist() == [0, 3, 3, 3, 3, 3, 3, 0, 0]


label_arrays = st.lists(st.integers(0, 20), min_size=1, max_size=60).map(np.array)


@settings(max_examples=60, deadline=None)
@given(label_arrays, st.data())
def test_frames_round_trip_and_frame_jaccard_agree(gt_frames, data):
    pred_frames = np.array(data.draw(st.lists(st.integers(0, 20), min_size=gt_frames.size, max_size=gt_frames.size)))
    for frames in (gt_frames, pred_frames):
        np.testing.assert_array_equal(intervals_to_frames(frames_to_intervals(frames), frames.size), frames)
    if not gt_frames.any():
        return
    for fp in (False, True):
        expected = jaccard_index(
            frames_to_intervals(gt_frames), frames_to_intervals(pred_frames), gt_frames.size, false_positives=fp
        )
        assert frame_jaccard(gt_frames, pred_frames, false_positives=fp) == pytest.approx(expected, abs=1e-15)


def test_frame_jaccard_checks_its_input():
    with pytest.raises(ValueError, match="shape"):
        frame_jaccard(np.zeros(5, int), np.zeros(6, int))
    with pytest.raises(ValueError, match="outside 0..20"):
        frame_jaccard(np.array([1, 21]), np.array([1, 1]))


# --------------------------------------------------------------------------------------------
# Readers: every malformed input names the file and the row
# --------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "Sample0001_labels.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_INTERVAL_FILES = [
    # (file text, row, words that must be in the message, num_frames)
    ("1,2\n", 1, "malformed row", None),
    ("1,2,3,4\n", 1, "malformed row", None),
    ("1,1,5\n2;6;9\n", 2, "malformed row", None),
    ("gestureID,startFrame,endFrame\n1,1,5\n", 1, "non-integer", None),
    ("1,1,5\n2,6.0,9\n", 2, "non-integer", None),
    ("1,1,5\n\n2,x,9\n", 3, "non-integer", None),  # blank lines still count
    ("1,10,5\n", 1, "start frame 10 > end frame 5", None),
    ("1,0,5\n", 1, "outside the sequence", None),
    ("1,5,12\n", 1, "outside the sequence of 10 frames", 10),
    ("0,1,5\n", 1, "unknown class id 0", None),
    ("1,1,5\n21,6,9\n", 2, "unknown class id 21", None),
    ("-3,1,5\n", 1, "unknown class id -3", None),
]


@pytest.mark.parametrize("reader", [read_labels_csv, read_prediction_csv])
@pytest.mark.parametrize(("text", "row", "words", "num_frames"), BAD_INTERVAL_FILES)
def test_bad_interval_files(tmp_path, reader, text, row, words, num_frames):
    path = _write(tmp_path, text)
    with pytest.raises(DataFormatError) as err:
        reader(path, num_frames)
    message = str(err.value)
    assert str(path) in message and f"row {row}:" in message and words in message
    assert isinstance(err.value, ValueError)


def test_zero_length_rows(tmp_path):
    # the authors' writer emits start == end for one-frame runs: fine in a prediction, not in labels
    path = _write(tmp_path, "1,4,4\n")
    with pytest.raises(DataFormatError, match=r"row 1: start frame 4 == end frame 4"):
        read_labels_csv(path)
    assert read_prediction_csv(path, 10) == [(1, 4, 4)]


def test_reversed_prediction_rows_are_an_option(tmp_path):
    path = _write(tmp_path, "6,346,387\n6,1217,1203\n", "Sample0801_prediction.csv")
    with pytest.raises(DataFormatError, match="allow_reversed"):
        read_prediction_csv(path, 1206)
    # as in the real file: it starts after the sequence's last frame and covers nothing
    assert read_prediction_csv(path, 1206, allow_reversed=True) == [(6, 346, 387), (6, 1217, 1203)]


def test_good_files_and_whitespace(tmp_path):
    path = _write(tmp_path, "\ufeff18,4,45\n 10 , 65,101\n\n16,103,141")  # BOM, spaces, no final newline
    assert read_labels_csv(path, 1120) == [(18, 4, 45), (10, 65, 101), (16, 103, 141)]
    assert read_labels_csv(_write(tmp_path, "", "empty_labels.csv")) == []
    assert read_data_csv(_write(tmp_path, "1120,20,2881\n", "d.csv")) == SequenceInfo(1120, 20, 2881)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1120,20\n", "row 1: malformed row"),
        ("1120,20,x\n", "row 1: non-integer"),
        ("1120,20,2881\n1120,20,2881\n", "expected exactly one row"),
        ("", "expected exactly one row"),
        ("0,20,2881\n", "row 1: numFrames = 0"),
    ],
)
def test_bad_data_files(tmp_path, text, words):
    path = _write(tmp_path, text, "Sample0001_data.csv")
    with pytest.raises(DataFormatError) as err:
        read_data_csv(path)
    assert str(path) in str(err.value) and words in str(err.value)


def test_real_files_read():
    info = read_data_csv(GT_VALID / "Sample0471_data.csv")
    assert info == SequenceInfo(1120, 20, 2881)
    labels = read_labels_csv(GT_VALID / "Sample0471_labels.csv", info.num_frames)
    assert labels[:3] == [(18, 4, 45), (10, 65, 101), (16, 103, 141)]
    assert sorted({row.gesture for row in labels}) == list(range(1, 21))


# --------------------------------------------------------------------------------------------
# Real ground truth and real predictions
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def test_scores():
    """The authors' 2014 entry on the 240 test sequences, under both conventions."""
    run = PRED / "step1alltest"
    return (
        score_directory(GT_TEST, run, allow_reversed=True),
        score_directory(GT_TEST, run, allow_reversed=True, false_positives=True),
    )


def test_reproduces_the_published_challenge_score(test_scores):
    default, _ = test_scores
    assert len(default) == 240 and default["prediction_found"].all()
    assert round(default["jaccard"].mean(), 6) == PUBLISHED_TEST_SCORE_2014


def test_false_positive_convention_on_real_predictions(test_scores):
    default, fp = test_scores
    assert (fp["sample"] == default["sample"]).all()
    assert (fp["jaccard"] <= default["jaccard"]).all()
    clean = default["num_false_positives"] == 0
    assert clean.any() and (~clean).any()
    # equal where no absent class is predicted; otherwise scaled by |G| / (|G| + |F|)
    np.testing.assert_array_equal(fp["jaccard"][clean], default["jaccard"][clean])
    scale = default["num_gestures"] / (default["num_gestures"] + default["num_false_positives"])
    np.testing.assert_allclose(fp["jaccard"], default["jaccard"] * scale, rtol=0, atol=1e-15)
    assert fp["jaccard"].mean() < default["jaccard"].mean()


def test_real_reversed_rows_are_scored_as_the_challenge_did_unless_rejected(capsys):
    assert score_directory(GT_TEST, PRED / "step1alltest")["jaccard"].mean() == pytest.approx(
        PUBLISHED_TEST_SCORE_2014, abs=5e-7
    )
    with pytest.raises(DataFormatError) as err:
        score_directory(GT_TEST, PRED / "step1alltest", allow_reversed=False)
    assert "Sample0801_prediction.csv, row 22: start frame 1217 > end frame 1203" in str(err.value)
    with pytest.raises(SystemExit) as exit_:
        main([str(GT_TEST), str(PRED / "step1alltest"), "--reject-reversed"])
    assert exit_.value.code == 2 and "Sample0801_prediction.csv, row 22" in capsys.readouterr().err


def test_ground_truth_against_itself_scores_one(tmp_path):
    for labels in GT_TEST.glob("*_labels.csv"):
        shutil.copy(labels, tmp_path / labels.name.replace("_labels", "_prediction"))
    for fp in (False, True):
        scores = score_directory(GT_TEST, tmp_path, false_positives=fp)
        assert len(scores) == 240 and (scores["jaccard"] == 1.0).all()


@pytest.mark.parametrize("run", ["step1all", "newstep3max0.95"])
def test_validation_runs(run):
    default = score_directory(GT_VALID, PRED / run)
    fp = score_directory(GT_VALID, PRED / run, false_positives=True)
    assert len(default) == 20 and default["sample"].iloc[0] == "Sample0471"
    assert default["jaccard"].between(0, 1).all() and (fp["jaccard"] <= default["jaccard"]).all()
    same = default["num_false_positives"] == 0
    np.testing.assert_array_equal(fp["jaccard"][same], default["jaccard"][same])
    assert (fp["jaccard"][~same] < default["jaccard"][~same]).all()


def test_missing_prediction_files(tmp_path):
    for path in (PRED / "step1all").glob("*.csv"):
        if path.name not in ("Sample0472_prediction.csv", "Sample0480_prediction.csv"):
            shutil.copy(path, tmp_path / path.name)
    full = score_directory(GT_VALID, PRED / "step1all").set_index("sample")
    partial = score_directory(GT_VALID, tmp_path).set_index("sample")
    missing = ["Sample0472", "Sample0480"]
    assert (partial.loc[missing, "jaccard"] == 0.0).all()
    assert not partial.loc[missing, "prediction_found"].any()
    kept = full.index.difference(missing)
    np.testing.assert_array_equal(partial.loc[kept, "jaccard"], full.loc[kept, "jaccard"])
    # the mean still runs over every ground-truth sequence (eq. 8: S = 20)
    assert partial["jaccard"].mean() == pytest.approx(full.loc[kept, "jaccard"].sum() / 20)
    with pytest.raises(FileNotFoundError, match="Sample0472_prediction.csv"):
        score_directory(GT_VALID, tmp_path, missing="error")


def test_score_directory_names_the_bad_file(tmp_path):
    gt = tmp_path / "gt"
    gt.mkdir()
    (gt / "Sample0001_data.csv").write_text("100,20,4000\n")
    (gt / "Sample0001_labels.csv").write_text("")
    with pytest.raises(DataFormatError, match=r"Sample0001_labels.csv: the ground truth holds no gesture"):
        score_directory(gt, tmp_path)
    (gt / "Sample0001_labels.csv").write_text("3,10,20\n3,90,102\n")
    with pytest.raises(DataFormatError, match=r"Sample0001_labels.csv, row 2: interval 90..102 outside"):
        score_directory(gt, tmp_path)
    with pytest.raises(FileNotFoundError, match="no SampleNNNN_labels.csv"):
        score_directory(tmp_path, tmp_path)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def test_cli_prints_the_mean_with_six_decimals(capsys):
    assert main([str(GT_TEST), str(PRED / "step1alltest")]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"\d\.\d{6}\n", out) and out == f"{PUBLISHED_TEST_SCORE_2014:.6f}\n"
    main([str(GT_VALID), str(PRED / "newstep3max0.95"), "--false-positives"])
    fp = capsys.readouterr().out
    expected = score_directory(GT_VALID, PRED / "newstep3max0.95", false_positives=True)["jaccard"].mean()
    assert fp == f"{expected:.6f}\n"


def test_cli_per_sample(capsys):
    main([str(GT_VALID), str(PRED / "step1all"), "--per-sample"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sample,num_frames,jaccard") and len(lines) == 1 + 20 + 1
    assert lines[1].startswith("Sample0471,1120,") and re.fullmatch(r"\d\.\d{6}", lines[-1])


def test_cli_reports_bad_input(capsys, tmp_path):
    (tmp_path / "Sample0701_prediction.csv").write_text("3,10,20\n3,x,40\n")
    with pytest.raises(SystemExit) as exit_:
        main([str(GT_TEST), str(tmp_path)])
    assert exit_.value.code == 2
    assert "Sample0701_prediction.csv, row 2" in capsys.readouterr().err


def test_cli_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "motion_rnn.metrics.jaccard", str(GT_VALID), str(PRED / "step1all")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(r"\d\.\d{6}\n", result.stdout)
    assert "RuntimeWarning" not in result.stderr
