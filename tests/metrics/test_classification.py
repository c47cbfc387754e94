"""Table 1's frame-wise scores: accuracy, macro precision and recall, confusion, majority-vote error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from motion_rnn.metrics.classification import (
    accuracy,
    confusion_matrix,
    macro_precision_recall,
    majority_vote,
    majority_vote_error_rate,
    per_class_precision_recall,
)
from motion_rnn.metrics.jaccard import intervals_to_frames, read_data_csv, read_labels_csv

GT_TEST = Path(__file__).resolve().parents[1] / "data" / "chalearn2014" / "gt" / "test"

Y_TRUE = np.array([0, 1, 1, 2, 2, 0])
Y_PRED = np.array([0, 1, 2, 2, 2, 1])


def test_accuracy_counts_no_gesture_frames():
    assert accuracy(Y_TRUE, Y_PRED) == 4 / 6
    scores = np.eye(21)[Y_PRED] * 0.9  # (T, K) scores: the argmax is taken
    assert accuracy(Y_TRUE, scores) == 4 / 6


def test_precision_and_recall_by_hand():
    # class 1: 1 hit of 2 predicted, 1 of 2 true; class 2: 2 hits of 3 predicted, 2 of 2 true
    table = per_class_precision_recall(Y_TRUE, Y_PRED, classes=(1, 2))
    assert table["precision"].tolist() == [0.5, 2 / 3] and table["recall"].tolist() == [0.5, 1.0]
    assert table["support"].tolist() == [2, 2] and table["predicted"].tolist() == [2, 3]
    precision, recall = macro_precision_recall(Y_TRUE, Y_PRED, classes=(1, 2))
    assert precision == pytest.approx((0.5 + 2 / 3) / 2) and recall == 0.75


def test_classes_without_frames():
    # over the 20 gestures, classes 3..20 have neither frames nor predictions: 0 by default ...
    precision, recall = macro_precision_recall(Y_TRUE, Y_PRED)
    assert precision == pytest.approx((0.5 + 2 / 3) / 20) and recall == pytest.approx(1.5 / 20)
    # ... or left out of the mean with zero_division=nan
    assert macro_precision_recall(Y_TRUE, Y_PRED, zero_division=np.nan) == pytest.approx(((0.5 + 2 / 3) / 2, 0.75))
    # "no gesture" (label 0) is never one of the averaged classes
    assert 0 not in per_class_precision_recall(Y_TRUE, Y_PRED)["class"].tolist()


def test_precision_recall_match_the_counting_definition():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 21, 3000)
    y_pred = np.where(rng.random(3000) < 0.7, y_true, rng.integers(0, 21, 3000))
    hits = np.array([np.sum((y_pred == c) & (y_true == c)) for c in range(1, 21)])
    expected_precision = np.mean(hits / np.array([np.sum(y_pred == c) for c in range(1, 21)]))
    expected_recall = np.mean(hits / np.array([np.sum(y_true == c) for c in range(1, 21)]))
    assert macro_precision_recall(y_true, y_pred) == pytest.approx((expected_precision, expected_recall))


def test_confusion_matrix():
    matrix = confusion_matrix(Y_TRUE, Y_PRED)
    assert matrix.shape == (21, 21) and matrix.sum() == 6 and np.trace(matrix) == 4
    assert matrix[1, 2] == 1 and matrix[0, 1] == 1  # row = true label, column = predicted
    np.testing.assert_allclose(confusion_matrix(Y_TRUE, Y_PRED, normalize="true")[:3].sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="different frames"):
        confusion_matrix(Y_TRUE, Y_PRED[:-1])


def test_majority_vote_ties_go_to_the_smaller_label():
    assert majority_vote([3, 3, 0, 5, 5]) == 3
    assert majority_vote([0, 0, 7]) == 0  # "no gesture" can win the vote
    with pytest.raises(ValueError, match="without frames"):
        majority_vote([])


def test_majority_vote_error_rate_by_hand():
    predictions = np.array([0, 0, 1, 1, 1, 0, 2, 2, 0, 0, 3, 0, 0])
    fragments = [(1, 3, 6), (2, 7, 10), (3, 10, 14)]  # frames [2, 5), [6, 9), [9, 13), 0-based
    # votes: [1 1 1] -> 1 right; [2 2 0] -> 2 right; [0 3 0 0] -> 0 wrong
    assert majority_vote_error_rate(predictions, fragments) == 1 / 3
    assert majority_vote_error_rate(list(predictions), fragments) == 1 / 3
    assert majority_vote_error_rate(np.eye(21)[predictions], fragments) == 1 / 3  # scores (T, K)
    # several sequences at once: 1 error in 3 + 1 error in 1
    assert majority_vote_error_rate([predictions, np.array([4, 4, 0])], [fragments, [(5, 1, 4)]]) == 2 / 4
    # clips cut around single gestures: one "sequence" a clip
    clips = [np.array([6, 6, 0]), np.array([9, 8, 8])]
    assert majority_vote_error_rate(clips, [[(6, 1, 4)], [(9, 1, 4)]]) == 1 / 2


def test_majority_vote_error_rate_checks_fragments():
    with pytest.raises(ValueError, match="does not lie within"):
        majority_vote_error_rate(np.zeros(5, int), [(1, 3, 8)])
    with pytest.raises(ValueError, match="does not lie within"):
        majority_vote_error_rate(np.zeros(5, int), [(1, 3, 3)])
    with pytest.raises(ValueError, match="fragment lists"):
        majority_vote_error_rate([np.zeros(5, int)], [[(1, 1, 3)], [(1, 1, 3)]])
    with pytest.raises(ValueError, match="no fragment"):
        majority_vote_error_rate(np.zeros(5, int), [])


def test_real_ground_truth_as_prediction_is_perfect():
    labels, frames = [], []
    for path in sorted(GT_TEST.glob("*_labels.csv"))[:40]:
        num_frames = read_data_csv(str(path).replace("_labels", "_data")).num_frames
        rows = read_labels_csv(path, num_frames)
        labels.append(rows)
        frames.append(intervals_to_frames(rows, num_frames))
    y = np.concatenate(frames)
    assert accuracy(y, y) == 1.0 and macro_precision_recall(y, y) == (1.0, 1.0)
    assert majority_vote_error_rate(frames, labels) == 0.0
