"""The CSV files of the ChaLearn LAP 2014 track 3 challenge (the Montalbano gesture data).

Pigou et al., "Beyond temporal pooling", Sec. 4.1 and 4.3: every sequence comes with a
``SampleNNNN_data.csv`` (one row ``numFrames,fps,maxDepth``) and a ``SampleNNNN_labels.csv``
(one row a gesture, ``gestureID,startFrame,endFrame``); predictions are written as
``SampleNNNN_prediction.csv`` in the labels' format. Gesture ids are 1..20 and frames 1-based,
and the challenge's scorer *excludes* the end frame: a row sets the 0-based frames
``[startFrame - 1, endFrame - 1)``. :func:`read_data_csv`, :func:`read_labels_csv` and
:func:`read_prediction_csv` read the files into :class:`SequenceInfo` and :class:`Interval`
rows, raising :class:`~motion_rnn.data.errors.DataFormatError` naming the file and the row;
:func:`intervals_to_frames` and :func:`frames_to_intervals` convert between such rows and one
label a frame (0 = no gesture). The reader of the released archives
(:mod:`motion_rnn.data.montalbano.reader`), the synthetic stand-in
(:mod:`motion_rnn.data.montalbano.synthetic`) and the Jaccard index
(:mod:`motion_rnn.metrics.jaccard`, which also re-exports these names) all use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from motion_rnn.data.errors import DataFormatError

NUM_GESTURES = 20  # Sec. 4.1: 20 Italian gestures; label 0 is "no gesture" (21 outputs)


class Interval(NamedTuple):
    """One row of a challenge CSV: a gesture over 1-based frames ``start .. end - 1``."""

    gesture: int  # 1..20
    start: int  # first frame, 1-based
    end: int  # 1-based and EXCLUDED: the frame after the last one the scorer counts


class SequenceInfo(NamedTuple):
    """A ``SampleNNNN_data.csv``: ``numFrames,fps,maxDepth``."""

    num_frames: int
    fps: int
    max_depth: int  # depth video gray levels map to gray / 255 * max_depth


# --------------------------------------------------------------------------------------------
# Frame-label vectors <-> interval lists
# --------------------------------------------------------------------------------------------


def _check_intervals(intervals: Iterable[Sequence[int]], num_frames: int, num_classes: int) -> list[Interval]:
    """Validate rows for the library functions (readers give file/row messages of their own)."""
    try:
        rows = [Interval(*(int(v) for v in row)) for row in intervals]
    except TypeError:
        raise ValueError("interval rows must be (gesture, start, end)") from None
    for row in rows:
        if not 1 <= row.gesture <= num_classes:
            raise ValueError(f"{row}: gesture id must be in 1..{num_classes}")
        if min(row.start, row.end) < 1 or (row.start <= row.end and row.end > num_frames + 1):
            raise ValueError(
                f"{row}: frames must lie in 1..{num_frames + 1} (a sequence of {num_frames} frames, end excluded)"
            )
    return rows


def intervals_to_frames(
    intervals: Iterable[Sequence[int]], num_frames: int, *, overlap: str = "later", num_classes: int = NUM_GESTURES
) -> np.ndarray:
    """One label a frame, ``(num_frames,)`` int64: 0 = no gesture, ``g`` on ``[start - 1, end - 1)``.

    Where intervals of two different classes overlap (the ground truth of test sample 797 has
    one such frame; predictions have many), ``overlap="later"`` lets the later row win, as the
    authors' frame labels do (``lpigou/ijcv16``, ``preproc/labels_raw.py``); ``"raise"`` refuses.
    """
    if overlap not in ("later", "raise"):
        raise ValueError(f"overlap={overlap!r} must be 'later' or 'raise'")
    frames = np.zeros(num_frames, dtype=np.int64)
    for row in _check_intervals(intervals, num_frames, num_classes):
        span = frames[row.start - 1 : row.end - 1]
        if overlap == "raise" and np.any((span != 0) & (span != row.gesture)):
            raise ValueError(f"{row} overlaps a frame already labelled with another gesture")
        span[:] = row.gesture
    return frames


def frames_to_intervals(frames: Sequence[int] | np.ndarray, *, inclusive_end: bool = False) -> list[Interval]:
    """Runs of one non-zero label, as rows ``(gesture, start, end)`` in the challenge's convention.

    A run over 0-based frames ``[a, b)`` becomes ``(g, a + 1, b + 1)``, which the scorer reads back
    as exactly ``[a, b)``: ``intervals_to_frames(frames_to_intervals(f), len(f))`` equals ``f``.

    ``inclusive_end=True`` writes ``(g, a + 1, b)`` instead, as the authors' prediction writer did
    (``lpigou/ijcv16``, ``predict.py``): the end column then holds the run's last frame, which the
    scorer excludes, so every predicted gesture loses its last frame. (That writer also drops a
    run still open at the last frame; this function never does.)
    """
    labels = np.asarray(frames)
    if labels.ndim != 1:
        raise ValueError(f"frames must be one label a frame, shape (T,); got shape {labels.shape}")
    if labels.size == 0:
        return []
    # A run starts where the label changes; keep the runs whose label is a gesture.
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    ends = np.r_[starts[1:], labels.size]
    shift = 0 if inclusive_end else 1
    return [Interval(int(labels[a]), int(a) + 1, int(b) + shift) for a, b in zip(starts, ends) if labels[a] != 0]


# --------------------------------------------------------------------------------------------
# Readers of the challenge's CSV files
# --------------------------------------------------------------------------------------------


def _integer_rows(path: Path, what: str, width: int) -> list[tuple[int, tuple[int, ...]]]:
    """``(row number, integers)`` of each non-blank line; the row number counts every line from 1."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataFormatError(f"{path}: not a text file ({err})") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue  # blank lines carry nothing (the scorer would stop on one)
        fields = line.split(",")
        if len(fields) != width:
            raise DataFormatError(
                f"{path}, row {number}: malformed row {line!r}: expected {width} "
                f"comma-separated integers {what}, found {len(fields)} fields"
            )
        try:
            rows.append((number, tuple(int(field) for field in fields)))
        except ValueError:
            raise DataFormatError(
                f"{path}, row {number}: non-integer value in {line!r}: expected {width} integers {what}"
            ) from None
    return rows


def _read_intervals(
    path: str | Path, num_frames: int | None, num_classes: int, allow_reversed: bool, empty_allowed: bool
) -> list[Interval]:
    path = Path(path)
    out = []
    for number, values in _integer_rows(path, "gestureID,startFrame,endFrame", 3):
        row = Interval(*values)
        where = f"{path}, row {number}"
        if not 1 <= row.gesture <= num_classes:
            raise DataFormatError(
                f"{where}: unknown class id {row.gesture}: expected a gesture id "
                f"in 1..{num_classes} (0, no gesture, is never written)"
            )
        if row.start > row.end and not allow_reversed:
            raise DataFormatError(
                f"{where}: start frame {row.start} > end frame {row.end}: expected "
                "startFrame <= endFrame (allow_reversed=True / --allow-reversed "
                "lets such a row cover no frame, as the challenge's scorer does)"
            )
        if row.start == row.end and not empty_allowed:
            raise DataFormatError(
                f"{where}: start frame {row.start} == end frame {row.end}: a gesture "
                "must cover at least one frame (the end frame is excluded)"
            )
        if row.start < 1 or row.end < 1:
            raise DataFormatError(f"{where}: interval {row.start}..{row.end} outside the sequence: frames are 1-based")
        if num_frames is not None and row.start <= row.end and row.end > num_frames + 1:
            raise DataFormatError(
                f"{where}: interval {row.start}..{row.end} outside the sequence of "
                f"{num_frames} frames: expected frames in 1..{num_frames + 1} "
                "(the end frame is excluded)"
            )
        out.append(row)
    return out


def read_labels_csv(
    path: str | Path, num_frames: int | None = None, *, num_classes: int = NUM_GESTURES
) -> list[Interval]:
    """A ground-truth ``SampleNNNN_labels.csv``: rows ``gestureID,startFrame,endFrame``.

    Every row must name a gesture 1..20 and cover at least one frame (``start < end``); with
    ``num_frames`` (from :func:`read_data_csv`) its frames must lie in ``1 .. num_frames + 1``.
    An empty file is an empty list. Raises :class:`DataFormatError` naming the file and row.
    """
    return _read_intervals(path, num_frames, num_classes, allow_reversed=False, empty_allowed=False)


def read_prediction_csv(
    path: str | Path, num_frames: int | None = None, *, num_classes: int = NUM_GESTURES, allow_reversed: bool = False
) -> list[Interval]:
    """A ``SampleNNNN_prediction.csv``, same row format as the labels.

    Rows with ``start == end`` cover no frame and are kept (the authors' writer produces them for
    one-frame runs); rows with ``start > end`` raise unless ``allow_reversed``: then they cover no
    frame wherever they lie but their class counts as predicted, as in the challenge's scorer (two
    rows of the authors' test predictions, samples 801 and 847, start after the sequence's end).
    """
    return _read_intervals(path, num_frames, num_classes, allow_reversed=allow_reversed, empty_allowed=True)


def read_data_csv(path: str | Path) -> SequenceInfo:
    """A ``SampleNNNN_data.csv``: one row ``numFrames,fps,maxDepth``."""
    path = Path(path)
    rows = _integer_rows(path, "numFrames,fps,maxDepth", 3)
    if len(rows) != 1:
        raise DataFormatError(f"{path}: expected exactly one row numFrames,fps,maxDepth, found {len(rows)}")
    number, (num_frames, fps, max_depth) = rows[0]
    if num_frames < 1:
        raise DataFormatError(f"{path}, row {number}: numFrames = {num_frames}: expected a positive frame count")
    return SequenceInfo(num_frames, fps, max_depth)
