"""Frame-wise classification scores of Pigou et al., "Beyond temporal pooling", Table 1.

Table 1 reports, beside the Jaccard index (:mod:`motion_rnn.metrics.jaccard`), a precision and a
recall "for each gesture class and ... the mean score across classes", and an error rate "based on
majority voted frame-wise predictions from *isolated* gesture fragments" (its footnote). The paper
gives no formula; the definitions below follow the authors' evaluation code (``lpigou/ijcv16``,
``predict.py``), which scores the argmax label of every frame of the test sequences:

* accuracy: the fraction of frames whose label is right, "no gesture" (label 0) frames included;
* precision and recall: per gesture class 1..20 (label 0 is left out of the average), then the
  unweighted mean over the 20 classes (macro average);
* error rate: each ground-truth gesture is a fragment; its frames vote (the most frequent predicted
  label wins, "no gesture" included, ties to the smaller label as ``scipy.stats.mode``), and the
  fragment is wrong when the vote differs from its gesture.

Labels everywhere: 0 = no gesture, 1..20 gestures (21 classes). Predictions may be given as labels
``(T,)`` or as frame-wise scores ``(T, K)``, of which the argmax is taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn import metrics as skm

NUM_CLASSES = 21  # Sec. 4.2 / the authors' code: 20 gestures + "no gesture"
GESTURES = tuple(range(1, NUM_CLASSES))  # the classes the means of Table 1 run over


def _labels(frames: Sequence[int] | np.ndarray, name: str) -> np.ndarray:
    """``(T,)`` labels from labels ``(T,)`` or scores ``(T, K)`` (argmax over K)."""
    array = np.asarray(frames)
    if array.ndim == 2:
        return array.argmax(axis=-1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be labels (T,) or scores (T, K); got shape {array.shape}")
    return array.astype(np.int64, copy=False)


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    true, pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"y_true and y_pred cover different frames: {true.shape} vs {pred.shape}")
    return true, pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of frames labelled right, "no gesture" frames included."""
    true, pred = _pair(y_true, y_pred)
    return float(skm.accuracy_score(true, pred))


def per_class_precision_recall(
    y_true, y_pred, *, classes: Iterable[int] = GESTURES, zero_division: float = 0.0
) -> pd.DataFrame:
    """Precision and recall of each class, one row a class.

    Columns: ``class``, ``precision`` = TP / frames predicted as the class, ``recall`` = TP / frames
    of the class, ``support`` (frames of the class) and ``predicted`` (frames predicted as it).
    A ratio with a zero denominator (a class never predicted, or absent from ``y_true``) is
    ``zero_division``: 0 by default (a class the model never outputs counts as a miss), or
    ``np.nan`` to leave it out of :func:`macro_precision_recall`'s means.
    """
    true, pred = _pair(y_true, y_pred)
    classes = list(classes)
    precision, recall, _, support = skm.precision_recall_fscore_support(
        true, pred, labels=classes, average=None, zero_division=zero_division
    )
    predicted = np.array([np.count_nonzero(pred == c) for c in classes])
    return pd.DataFrame(
        {"class": classes, "precision": precision, "recall": recall, "support": support, "predicted": predicted}
    )


def macro_precision_recall(
    y_true, y_pred, *, classes: Iterable[int] = GESTURES, zero_division: float = 0.0
) -> tuple[float, float]:
    """Table 1's "Precision" and "Recall": the unweighted means over the gesture classes 1..20.

    ``zero_division`` as in :func:`per_class_precision_recall`: with the default 0 a class that is
    never predicted pulls the mean precision down; with ``np.nan`` it is left out of the mean.
    (The authors' code divides 0 by 0 there, which makes the mean undefined.)
    """
    table = per_class_precision_recall(y_true, y_pred, classes=classes, zero_division=zero_division)
    return float(np.nanmean(table["precision"])), float(np.nanmean(table["recall"]))


def confusion_matrix(y_true, y_pred, *, num_classes: int = NUM_CLASSES, normalize: str | None = None) -> np.ndarray:
    """``(num_classes, num_classes)`` counts: row = true label, column = predicted label.

    ``normalize`` as scikit-learn's: ``"true"`` (rows sum to 1), ``"pred"``, ``"all"`` or ``None``.
    """
    true, pred = _pair(y_true, y_pred)
    return skm.confusion_matrix(true, pred, labels=np.arange(num_classes), normalize=normalize)


def majority_vote(frame_predictions: Sequence[int] | np.ndarray) -> int:
    """The most frequent label of a fragment's frames; a tie goes to the smaller label."""
    labels = _labels(frame_predictions, "frame_predictions")
    if labels.size == 0:
        raise ValueError("a fragment without frames has no majority vote")
    return int(np.bincount(labels).argmax())  # argmax returns the first (smallest) of equal counts


def majority_vote_error_rate(frame_predictions, fragments) -> float:
    """Table 1's "Error Rate*": the share of gesture fragments whose majority vote is wrong.

    ``frame_predictions``: the frame-wise predictions of one sequence, labels ``(T,)`` or scores
    ``(T, K)``, or a list of those, one per sequence. ``fragments``: the gestures of that sequence
    as rows ``(gesture, start, end)`` in the challenge's convention (1-based, end excluded, frames
    ``[start - 1, end - 1)``; e.g. :func:`motion_rnn.metrics.jaccard.read_labels_csv`), or a list
    of such lists, one per sequence. Predictions of clips cut around single gestures fit too: one
    "sequence" a clip, with the fragment ``[(gesture, 1, len(clip) + 1)]``.

    Departure, in place: the authors' loop splits fragments at "no gesture" frames of the ground
    truth only, so two gestures with no silent frame between would be one fragment of the later
    gesture; here every ground-truth row is its own fragment. On the Montalbano validation and test
    ground truth the two agree except at the one pair of overlapping gestures (test sample 797).
    """
    single = isinstance(frame_predictions, np.ndarray) or (
        len(frame_predictions) > 0 and np.ndim(frame_predictions[0]) == 0
    )
    sequences = [frame_predictions] if single else list(frame_predictions)
    per_sequence = [fragments] if single else list(fragments)
    if len(sequences) != len(per_sequence):
        raise ValueError(f"{len(sequences)} prediction sequences but {len(per_sequence)} fragment lists")
    errors = total = 0
    for predictions, rows in zip(sequences, per_sequence):
        labels = _labels(predictions, "frame_predictions")
        for gesture, start, end in rows:
            if not 1 <= start < end <= labels.size + 1:
                raise ValueError(
                    f"fragment ({gesture}, {start}, {end}) does not lie within the "
                    f"{labels.size} predicted frames (1-based, end excluded)"
                )
            errors += majority_vote(labels[start - 1 : end - 1]) != gesture
            total += 1
    if total == 0:
        raise ValueError("no fragment to vote on")
    return errors / total
