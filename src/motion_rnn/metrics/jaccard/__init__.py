r"""The ChaLearn LAP 2014 track 3 Jaccard index (Pigou et al., "Beyond temporal pooling", Sec. 4.3).

Serves Tables 1 and 2 of the paper (its "Jaccard Index" column) and every number of earlier work it
compares with: all of them are the challenge's score on the Montalbano gesture data.

The paper's words (eqs. 7-8): the binary ground truth of gesture category :math:`n` in sequence
:math:`s` is the frame vector :math:`A_{s,n}`, the binary prediction :math:`B_{s,n}`, and

.. math::

    J_{s,n} = \frac{|A_{s,n} \cap B_{s,n}|}{|A_{s,n} \cup B_{s,n}|}                       \qquad (7)

    J_\mathrm{avg} = \frac{1}{NS} \sum_{s=1}^{S} \sum_{n=1}^{N} J_{s,n},
    \quad N = 20 \text{ categories}, S \text{ sequences}                                   \qquad (8)

What the challenge's published scorer computes (``gesture_overlap_csv`` and ``evalGesture`` in
``ChalearnLAPEvaluation.py``), which is what the paper's numbers and the challenge's results are,
and what this module reproduces:

1. **End frame excluded.** A row ``gestureID,startFrame,endFrame`` (frames 1-based) sets the
   0-based frames ``[startFrame - 1, endFrame - 1)`` of class ``gestureID``: 1-based frames
   ``startFrame .. endFrame - 1``. The annotated end frame itself is *not* part of the gesture.
2. **Repeated instances merged.** All rows of one class in one sequence are OR-ed into one binary
   vector, so :math:`A_{s,n}` and :math:`B_{s,n}` are per class, not per instance.
3. **Mean over the classes in the ground truth**, not over all :math:`N = 20` as eq. 8 is written
   (for a class in neither, eq. 7 is 0/0). With :math:`G_s` the gesture classes in the ground
   truth of sequence :math:`s` and :math:`P_s` those predicted,

   .. math::

       J_s = \frac{\sum_{n \in G_s} J_{s,n}}{|G_s| + |F_s|}, \qquad
       J_\mathrm{avg} = \frac{1}{S} \sum_{s=1}^{S} J_s .

4. **False positives: two conventions.** The scorer's comments say that each class predicted but
   absent from the ground truth, :math:`P_s \setminus G_s`, adds a zero-overlap term to the mean.
   Its code computes :math:`F_s = G_s \setminus (G_s \cup P_s)`, always empty, so such classes
   are never counted; this is the version the challenge published and that later work (the
   authors' own ``utils.py`` for this paper included) copied.

   * ``false_positives=False`` (the default, the CLI's default): :math:`F_s = \emptyset`,
     exactly the published scorer; this is the convention of the paper's numbers.
   * ``false_positives=True`` (CLI ``--false-positives``): :math:`F_s = P_s \setminus G_s`, the
     scorer as its comments describe it. Never higher than the default; equal to it when no
     absent class is predicted.

Sequences with no prediction file score as an empty prediction (:math:`J_s = 0` under both
conventions), as in the copy of the scorer the authors used for this paper (``lpigou/ijcv16``,
``utils.py``, which checks that the file exists); the challenge's own copy stops with an error
there instead (``missing="error"`` does the same).

Input checks are stricter than the scorer's, which silently clips intervals that leave the
sequence, writes class 0 into class 20's vector and stops on unknown classes: here every such row
raises :class:`~motion_rnn.data.errors.DataFormatError` naming the file and the row. One case is
an option, because the authors' real predictions contain it: a prediction row whose start lies
after its end. The scorer lets it cover no frame while still counting its class as predicted;
:func:`score_directory` and the command line do the same by default, so that they reproduce the
published scores; ``allow_reversed=False`` (CLI ``--reject-reversed``) refuses such rows.

Check against a published number: the authors' 2014 challenge submission (run ``step1alltest``
of ``lpigou/chalearn2014``) scores 0.788804 here on the 240 test sequences, the score the
challenge's final results list for it; 0.751397 with ``false_positives=True``.

Command line::

    python -m motion_rnn.metrics.jaccard GT_DIR PRED_DIR [--false-positives] [--per-sample]
                                         [--reject-reversed] [--missing {empty,error}]

prints the mean Jaccard index over the sequences of ``GT_DIR`` with six decimals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.montalbano.chalearn_csv import (  # noqa: F401 (the readers re-exported)
    NUM_GESTURES,
    Interval,
    SequenceInfo,
    _check_intervals,
    frames_to_intervals,
    intervals_to_frames,
    read_data_csv,
    read_labels_csv,
    read_prediction_csv,
)

_SAMPLE_RE = re.compile(r"^(?P<sample>.+)_labels\.csv$")


# --------------------------------------------------------------------------------------------
# Eqs. 7-8
# --------------------------------------------------------------------------------------------


def class_masks(intervals: Iterable[Sequence[int]], num_frames: int, *, num_classes: int = NUM_GESTURES) -> np.ndarray:
    """The binary vectors of eq. 7, one per class: ``(num_classes, num_frames)`` bool.

    Row ``n - 1`` is :math:`A_{s,n}` (or :math:`B_{s,n}`): the OR of all intervals of class ``n``,
    each setting 0-based frames ``[start - 1, end - 1)``. A row with ``start >= end`` sets nothing
    (wherever its start lies), as in the challenge's scorer.
    """
    masks = np.zeros((num_classes, num_frames), dtype=bool)
    for gesture, start, end in _check_intervals(intervals, num_frames, num_classes):
        masks[gesture - 1, start - 1 : end - 1] = True  # end frame excluded, as the scorer does
    return masks


def _sequence_jaccard(
    gt_masks: np.ndarray,
    pred_masks: np.ndarray,
    gt_classes: Iterable[int],
    pred_classes: Iterable[int],
    false_positives: bool,
) -> float:
    """J_s: the mean of eq. 7 over G_s, plus |P_s \\ G_s| zero terms when ``false_positives``."""
    gt_set, pred_set = {int(c) for c in gt_classes}, {int(c) for c in pred_classes}
    if not gt_set:
        if false_positives and pred_set:
            return 0.0  # 0 / (0 + |F_s|)
        raise ValueError(
            "the ground truth holds no gesture: the mean over its classes (eq. 8) is "
            "empty (the challenge's scorer divides by zero here)"
        )
    overlaps = []
    for n in sorted(gt_set):
        a, b = gt_masks[n - 1], pred_masks[n - 1]
        union = np.count_nonzero(a | b)  # |A ∪ B|
        if union == 0:
            raise ValueError(f"ground-truth gesture {n} covers no frame: eq. 7 is 0/0")
        overlaps.append(np.count_nonzero(a & b) / union)  # eq. 7: |A ∩ B| / |A ∪ B|
    absent = len(pred_set - gt_set) if false_positives else 0  # F_s
    return sum(overlaps) / (len(overlaps) + absent)


def jaccard_index(
    gt_intervals: Iterable[Sequence[int]],
    pred_intervals: Iterable[Sequence[int]],
    num_frames: int,
    *,
    false_positives: bool = False,
    num_classes: int = NUM_GESTURES,
) -> float:
    """The challenge's Jaccard index :math:`J_s` of one sequence, from interval rows.

    Rows are ``(gesture, start, end)``, 1-based, end excluded (see the module docstring). The
    mean runs over the classes of the ground truth; ``false_positives=True`` adds a zero term for
    each predicted class the ground truth lacks. Raises ``ValueError`` when the ground truth holds
    no gesture (the mean would be empty).
    """
    gt = _check_intervals(gt_intervals, num_frames, num_classes)
    pred = _check_intervals(pred_intervals, num_frames, num_classes)
    return _sequence_jaccard(
        class_masks(gt, num_frames, num_classes=num_classes),
        class_masks(pred, num_frames, num_classes=num_classes),
        [r.gesture for r in gt],
        [r.gesture for r in pred],
        false_positives,
    )


def frame_jaccard(
    gt_frames: Sequence[int] | np.ndarray,
    pred_frames: Sequence[int] | np.ndarray,
    *,
    false_positives: bool = False,
    num_classes: int = NUM_GESTURES,
) -> float:
    """The same :math:`J_s` from frame-label arrays ``(T,)`` (0 = no gesture, 1..20 gestures).

    :math:`A_{s,n}` is ``gt_frames == n``, :math:`B_{s,n}` is ``pred_frames == n`` (take the argmax
    of ``(T, K)`` scores first). Equals :func:`jaccard_index` on the intervals of the same frames;
    this is how the authors scored frame-wise predictions during training (``lpigou/ijcv16``,
    ``utils.jaccard_index``).
    """
    gt, pred = np.asarray(gt_frames), np.asarray(pred_frames)
    if gt.ndim != 1 or gt.shape != pred.shape:
        raise ValueError(f"gt_frames and pred_frames must both have shape (T,); got {gt.shape} and {pred.shape}")
    for name, labels in (("gt_frames", gt), ("pred_frames", pred)):
        if labels.size and (labels.min() < 0 or labels.max() > num_classes):
            raise ValueError(f"{name} holds labels outside 0..{num_classes}")
    classes = np.arange(1, num_classes + 1)[:, None]
    return _sequence_jaccard(
        gt[None, :] == classes,
        pred[None, :] == classes,
        np.unique(gt[gt != 0]),
        np.unique(pred[pred != 0]),
        false_positives,
    )


# --------------------------------------------------------------------------------------------
# Scoring a folder of predictions
# --------------------------------------------------------------------------------------------


def score_directory(
    gt_dir: str | Path,
    pred_dir: str | Path,
    *,
    false_positives: bool = False,
    allow_reversed: bool = True,
    missing: str = "empty",
) -> pd.DataFrame:
    """Score every sequence of ``gt_dir`` against ``pred_dir``, as the challenge's ``evalGesture``.

    ``gt_dir`` holds ``SampleNNNN_labels.csv`` and ``SampleNNNN_data.csv``; ``pred_dir`` holds
    ``SampleNNNN_prediction.csv``. Prediction files of samples absent from ``gt_dir`` are ignored.
    A sample without a prediction file scores as an empty prediction (``missing="empty"``, 0) or
    raises ``FileNotFoundError`` (``missing="error"``, the challenge's own scorer).

    Returns one row a sequence, sorted by sample: ``sample`` (``"Sample0471"``), ``num_frames``,
    ``jaccard`` (:math:`J_s` in the chosen convention), ``num_gestures`` (:math:`|G_s|`),
    ``num_false_positives`` (:math:`|P_s \\setminus G_s|`, counted whatever the convention) and
    ``prediction_found``. The score of the folder is ``frame["jaccard"].mean()`` (eq. 8).
    """
    if missing not in ("empty", "error"):
        raise ValueError(f"missing={missing!r} must be 'empty' or 'error'")
    gt_dir, pred_dir = Path(gt_dir), Path(pred_dir)
    if not gt_dir.is_dir():
        raise FileNotFoundError(f"ground-truth folder {gt_dir} does not exist")
    if not pred_dir.is_dir():
        raise FileNotFoundError(f"prediction folder {pred_dir} does not exist")
    samples = sorted(m["sample"] for p in gt_dir.iterdir() if (m := _SAMPLE_RE.match(p.name)))
    if not samples:
        raise FileNotFoundError(f"{gt_dir} holds no SampleNNNN_labels.csv")
    records = []
    for sample in samples:
        data_path = gt_dir / f"{sample}_data.csv"
        if not data_path.is_file():
            raise FileNotFoundError(f"{data_path} is missing: the frame count of {sample} comes from it")
        num_frames = read_data_csv(data_path).num_frames
        gt = read_labels_csv(gt_dir / f"{sample}_labels.csv", num_frames)
        pred_path = pred_dir / f"{sample}_prediction.csv"
        found = pred_path.is_file()
        if not found and missing == "error":
            raise FileNotFoundError(f"{pred_path} is missing (missing='empty' scores it as an empty prediction)")
        pred = read_prediction_csv(pred_path, num_frames, allow_reversed=allow_reversed) if found else []
        try:
            score = jaccard_index(gt, pred, num_frames, false_positives=false_positives)
        except ValueError as err:
            raise DataFormatError(f"{gt_dir / (sample + '_labels.csv')}: {err}") from None
        gt_classes, pred_classes = {r.gesture for r in gt}, {r.gesture for r in pred}
        records.append(
            {
                "sample": sample,
                "num_frames": num_frames,
                "jaccard": score,
                "num_gestures": len(gt_classes),
                "num_false_positives": len(pred_classes - gt_classes),
                "prediction_found": found,
            }
        )
    return pd.DataFrame.from_records(records)
