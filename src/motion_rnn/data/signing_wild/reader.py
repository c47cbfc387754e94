"""The Signing-in-the-Wild data set of Borg & Camilleri 2019, its segments and its folds.

Borg and Camilleri 2019, "Sign language detection 'in the wild' with recurrent neural networks"
(ICASSP), Sec. 3: 1120 untrimmed YouTube videos, the first 6.6 minutes of each, "2000 frames per
video when sampled at 5Hz", labelled frame by frame as signing, speaking or other, "ambiguous
cases are left unlabelled". The published annotations are text rows, one a sampled frame::

    <video_id> <frame_number> <label>

space-separated; ``label`` is ``S`` (signing), ``P`` (speaking), ``n`` (other) or ``?``
(unlabelled); ``frame_number`` indexes the *original* video's frames, so at 25 fps consecutive
rows of a video are 5 frames apart. Blank lines are skipped.

Layout read here (the data set publishes annotations and YouTube ids, not a folder; this is the
folder we ask for)::

    <root>/annotations.txt            all rows; or, instead, several files
    <root>/annotations/*.txt          (read in name order; a video's rows all in one file)
    <root>/videos/<video_id>.<ext>    ext one of .mp4, .avi, .mkv, .webm (:data:`VIDEO_EXTENSIONS`)

Checks on the annotations (each a :class:`DataFormatError` naming the file and line):

* a row is three fields, an integer frame number >= 0 and one of the four labels;
* a video's rows are contiguous in one file, with strictly increasing frame numbers (a repeated
  or decreasing number is an overlapping annotation);
* *no gaps*: the step between consecutive rows of a video is constant, the step of its first two
  rows (5 at 25 fps, 6 at 30 fps). A longer step is a missing 5 Hz sample, any other an irregular
  one. A video whose rows were sampled by time at a non-integer rate (29.97 fps gives steps of 5
  and 6) is refused too: resample its rows to one step, or the segments below would not be 4 s.

Segments (:func:`segments`), Sec. 5.1: "video segments of 20 frames", keeping "only those video
segments that have a consistent groundtruth label across all the 20 frames". A video's rows are
cut into consecutive non-overlapping runs of 20 rows (4 s at 5 Hz) from its first row; a run is
kept when its 20 labels agree and are not ``?``. A short last run is padded by repeating its last
frame, as the authors' code (mark-borg/sign-language-detection) does, when its labels agree
(``pad_last``; the paper does not say).

Folds (:func:`folds`), Sec. 5.1: "5 folds ..., taking care that all labelled frames of each
video appear in the same fold only". Whole videos are assigned to folds, balanced by their
number of segments. We depart here from the authors' code, which shuffles and splits
*segments*, so segments of one video (one performer, one background) fall on both sides of a
split and the validation numbers leak.

Classes are indexed signing 0, speaking 1, other 2 (:data:`CLASS_NAMES`), the order of the
paper's Fig. 1 and confusion matrix (Fig. 4).

Frames (:class:`SigningWildVideos`): the appearance stream uses the sampled frames, the motion
streams a window of native-rate frames around each (Sec. 4.2: optical flow over 10 consecutive
fields, motion history and frame differences over a "5-frame temporal window, with the frames
sampled at the original video frame rate"). Frame numbers are taken as 0-based indices of the
decoded frames (``frame_base`` shifts them should a copy of the data prove 1-based).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import av
import numpy as np
import pandas as pd
import torch

from motion_rnn.data.errors import DataFormatError

__all__ = [
    "ANNOTATION_COLUMNS",
    "ANNOTATIONS_FILE",
    "ANNOTATIONS_FOLDER",
    "CLASS_NAMES",
    "LABELS",
    "NUM_FOLDS",
    "SAMPLE_RATE",
    "SEGMENT_COLUMNS",
    "SEGMENT_LENGTH",
    "UNLABELLED",
    "VIDEOS_FOLDER",
    "VIDEO_EXTENSIONS",
    "SigningWildVideos",
    "annotation_files",
    "decode_frames",
    "folds",
    "read_annotations",
    "segments",
]

CLASS_NAMES: tuple[str, ...] = ("signing", "speaking", "other")
"""Class names by label index (0 signing, 1 speaking, 2 other)."""
LABELS: dict[str, int] = {"S": 0, "P": 1, "n": 2}
"""The annotation letters of the three classes and their label index."""
UNLABELLED = "?"
SAMPLE_RATE = 5  # Hz, Sec. 3: "2000 frames per video when sampled at 5Hz"
SEGMENT_LENGTH = 20  # Sec. 5.1: "video segments of 20 frames"
NUM_FOLDS = 5  # Sec. 5.1
ANNOTATIONS_FILE = "annotations.txt"
ANNOTATIONS_FOLDER = "annotations"
VIDEOS_FOLDER = "videos"
VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".avi", ".mkv", ".webm")
ANNOTATION_COLUMNS: tuple[str, ...] = ("video_id", "frame", "label", "file", "line")
SEGMENT_COLUMNS: tuple[str, ...] = ("video_id", "frames", "label", "class_name", "padded", "file", "line")

_ROW = "'<video_id> <frame_number> <label>', e.g. 'abc123 1045 S' (label S, P, n or ?)"
_FIX_ROW = "correct the line, or take the annotation file again from the data set's repository"


def read_annotations(path: str | os.PathLike) -> pd.DataFrame:
    """The rows of one annotation file, in file order.

    Columns: ``video_id`` (str), ``frame`` (int64, the original video's frame number), ``label``
    (str, one of ``S P n ?``), ``file`` (str, ``path``) and ``line`` (int, 1-based), the last two
    so that later checks can name the line.

    Raises :class:`DataFormatError` naming the file and line for a missing or empty file, a row
    that is not three fields with a non-negative integer frame, an unknown label, a video whose
    rows are split by another video's, a frame number not above the previous one of its video
    (overlap, duplicate) and a step between rows other than the video's first step (gap).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError.build(
            path, found="no such file", expected=f"an annotation file, rows {_ROW}", fix="check the path"
        )
    ids: list[str] = []
    frames: list[int] = []
    labels: list[str] = []
    lines: list[int] = []
    # per video: (first line, last frame, step or None); the video of the previous row
    state: dict[str, list] = {}
    previous: str | None = None
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3 or not fields[1].isdigit():
                raise DataFormatError.build(path, line=lineno, found=repr(line.strip()), expected=_ROW, fix=_FIX_ROW)
            video, frame, label = fields[0], int(fields[1]), fields[2]
            if label not in LABELS and label != UNLABELLED:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"label {label!r}",
                    expected="S (signing), P (speaking), n (other) or ? (unlabelled)",
                    fix=_FIX_ROW,
                )
            if video in state:
                first, last, step = state[video]
                if previous != video:
                    raise DataFormatError.build(
                        path,
                        line=lineno,
                        found=f"rows of video {video!r} again after other videos (its rows began at line {first})",
                        expected="the rows of a video together, in frame order",
                        fix="sort the file by video, then frame number, and remove duplicated rows",
                    )
                if frame <= last:
                    raise DataFormatError.build(
                        path,
                        line=lineno,
                        found=f"frame {frame} of video {video!r} after frame {last}"
                        + (" (a duplicate)" if frame == last else " (overlapping annotations)"),
                        expected="frame numbers that increase within a video",
                        fix="remove the duplicated or overlapping rows, keeping one label a frame",
                    )
                gap = frame - last
                if step is None:
                    state[video][2] = gap
                elif gap != step:
                    what = (
                        f"{gap // step - 1} missing sample(s)"
                        if gap % step == 0
                        else "an irregular step (the rows are not sampled at one rate)"
                    )
                    raise DataFormatError.build(
                        path,
                        line=lineno,
                        found=f"frame {frame} of video {video!r} {gap} frames after frame {last}: {what}",
                        expected=f"a step of {step} frames, the video's step since line {first}, between consecutive rows",
                        fix="add the missing rows (label '?' if unknown), or resample the video's rows to one step",
                    )
                state[video][1] = frame
            else:
                state[video] = [lineno, frame, None]
            previous = video
            ids.append(video)
            frames.append(frame)
            labels.append(label)
            lines.append(lineno)
    if not ids:
        raise DataFormatError.build(path, found="no rows", expected=f"rows {_ROW}", fix="check the file")
    return pd.DataFrame(
        {
            "video_id": pd.Series(ids, dtype=object),
            "frame": pd.Series(frames, dtype=np.int64),
            "label": pd.Series(labels, dtype=object),
            "file": pd.Series([str(path)] * len(ids), dtype=object),
            "line": pd.Series(lines, dtype=np.int64),
        }
    )


def annotation_files(root: str | os.PathLike) -> list[Path]:
    """``<root>/annotations.txt``, or the ``*.txt`` of ``<root>/annotations/`` in name order.

    Raises :class:`DataFormatError` when neither exists, or both do (which one is meant?).
    """
    root = Path(root)
    single, folder = root / ANNOTATIONS_FILE, root / ANNOTATIONS_FOLDER
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if single.is_file() and files:
        raise DataFormatError.build(
            root,
            found=f"both {ANNOTATIONS_FILE} and {len(files)} file(s) in {ANNOTATIONS_FOLDER}/",
            expected="the annotations in one of the two places",
            fix=f"keep {ANNOTATIONS_FILE} or the folder {ANNOTATIONS_FOLDER}/, not both",
        )
    if single.is_file():
        return [single]
    if files:
        return files
    raise DataFormatError.build(
        root,
        found=f"neither {ANNOTATIONS_FILE} nor *.txt files in {ANNOTATIONS_FOLDER}/",
        expected=f"annotation rows {_ROW}",
        fix=f"put the data set's annotations at {single} (or split into {folder}/*.txt)",
    )


def _read_all(files: Sequence[Path]) -> pd.DataFrame:
    tables = [read_annotations(f) for f in files]
    table = pd.concat(tables, ignore_index=True)
    seen: dict[str, tuple[str, int]] = {}
    for t in tables:  # a video in two files
        for video, line in t.drop_duplicates("video_id")[["video_id", "line"]].itertuples(index=False):
            if video in seen:
                raise DataFormatError.build(
                    t["file"].iloc[0],
                    line=int(line),
                    found=f"video {video!r}, whose rows began in {seen[video][0]}, line {seen[video][1]}",
                    expected="the rows of a video in one annotation file",
                    fix="merge the video's rows into one file",
                )
            seen[video] = (t["file"].iloc[0], int(line))
    return table


def segments(annotations: pd.DataFrame, length: int = SEGMENT_LENGTH, *, pad_last: bool = True) -> pd.DataFrame:
    """The labelled segments of ``length`` sampled frames (Sec. 5.1), video by video in table order.

    Each video's rows are cut into consecutive runs of ``length`` rows from its first row; a run
    is kept when all its labels agree and are not ``?``. The last, shorter run of a video is kept,
    padded to ``length`` by repeating its last frame, when ``pad_last`` and its labels agree (the
    authors' code pads; the paper does not say).

    Columns: ``video_id``; ``frames`` (tuple of ``length`` ints, original frame numbers, the last
    repeated ``padded`` times); ``label`` (0 signing, 1 speaking, 2 other); ``class_name``;
    ``padded`` (int); ``file`` and ``line`` of the segment's first row.
    """
    length = int(length)
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    rows: dict[str, list] = {c: [] for c in SEGMENT_COLUMNS}
    for video, table in annotations.groupby("video_id", sort=False):
        frames = table["frame"].to_numpy()
        labels = table["label"].to_numpy()
        files, lines = table["file"].to_numpy(), table["line"].to_numpy()
        for start in range(0, len(frames), length):
            run = labels[start : start + length]
            letter = run[0]
            if letter == UNLABELLED or not (run == letter).all():
                continue
            chunk = [int(v) for v in frames[start : start + length]]
            padded = length - len(chunk)
            if padded and not pad_last:
                continue
            chunk += [chunk[-1]] * padded
            rows["video_id"].append(video)
            rows["frames"].append(tuple(chunk))
            rows["label"].append(LABELS[letter])
            rows["class_name"].append(CLASS_NAMES[LABELS[letter]])
            rows["padded"].append(padded)
            rows["file"].append(files[start])
            rows["line"].append(int(lines[start]))
    return pd.DataFrame(
        {
            "video_id": pd.Series(rows["video_id"], dtype=object),
            "frames": pd.Series(rows["frames"], dtype=object),
            "label": pd.Series(rows["label"], dtype=np.int64),
            "class_name": pd.Series(rows["class_name"], dtype=object),
            "padded": pd.Series(rows["padded"], dtype=np.int64),
            "file": pd.Series(rows["file"], dtype=object),
            "line": pd.Series(rows["line"], dtype=np.int64),
        }
    )


def folds(video_ids: Iterable[str], k: int = NUM_FOLDS, seed: int = 0) -> dict[str, int]:
    """``{video_id: fold}``, folds 0..k-1, whole videos to a fold, balanced by segment count.

    ``video_ids`` lists one id a segment (e.g. ``segments(...)["video_id"]``), so a video counts
    as many times as it has segments. The videos, sorted by id, are shuffled with ``seed``
    (NumPy's PCG64) and taken in that order, each to the fold with the fewest segments so far
    (the lowest index on ties): deterministic, independent of the order of ``video_ids``, and no
    fold is more than the largest video's count above another. Sec. 5.1 keeps a video in one fold; the authors' code
    split segments, which leaks performers and scenes between folds.

    Raises ``ValueError`` for fewer distinct videos than folds.
    """
    counts = pd.Series(list(video_ids), dtype=object).value_counts(sort=False)
    k = int(k)
    if k < 1 or len(counts) < k:
        raise ValueError(f"{len(counts)} videos cannot fill {k} folds (each fold needs at least one video)")
    names = sorted(counts.index)
    order = np.random.default_rng(int(seed)).permutation(len(names))
    shuffled = [names[i] for i in order]
    sizes = [0] * k
    assign: dict[str, int] = {}
    for video in shuffled:
        fold = min(range(k), key=lambda i: (sizes[i], i))
        assign[video] = fold
        sizes[fold] += int(counts[video])
    return {v: assign[v] for v in names}


def _decode(path: Path, wanted: Sequence[int]) -> tuple[dict[int, np.ndarray], int]:
    """The wanted frames found (0-based) and the number of frames decoded; stops after the last wanted."""
    if not path.is_file():
        raise DataFormatError.build(
            path, found="no such file", expected="a video file", fix="check the path, or download the video again"
        )
    out: dict[int, np.ndarray] = {}
    count = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataFormatError.build(
                    path, found="a file without a video stream", expected="a video file", fix="download the video again"
                )
            remaining = set(wanted)
            for frame in container.decode(video=0):
                if count in remaining:
                    out[count] = frame.to_ndarray(format="rgb24")
                    remaining.discard(count)
                count += 1
                if not remaining:
                    break
    except DataFormatError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise DataFormatError.build(
            path,
            found=f"a video that cannot be decoded ({exc})",
            expected="a readable video file",
            fix="download the video again (a partial download is the usual cause)",
        ) from exc
    if count == 0:
        raise DataFormatError.build(
            path, found="a video stream with no frames", expected="a video with frames", fix="download the video again"
        )
    return out, count


def _too_short(path: Path, count: int, index: int) -> DataFormatError:
    return DataFormatError.build(
        path,
        found=f"a video of {count} frames",
        expected=f"frame {index} (0-based), which the annotations name",
        fix="check that the video is the one annotated (the first 6.6 minutes of its YouTube id), or download it again",
    )


def decode_frames(path: str | os.PathLike, indices: Iterable[int]) -> dict[int, np.ndarray]:
    """The frames of a video at 0-based ``indices``, ``{index: (H, W, 3) uint8 RGB}``, decoded with PyAV.

    Decodes in order and stops after the last index wanted, keeping only the wanted frames: a
    6.6-minute video does not fit in memory whole, unlike the short clips
    :func:`motion_rnn.data.video.read_video` decodes. Errors as ``read_video``'s (a missing file,
    one that cannot be decoded, one without a video stream or frames), and a video with fewer
    frames than an index needs, each a :class:`DataFormatError` naming the file.
    """
    path = Path(path)
    wanted = sorted({int(i) for i in indices})
    if wanted and wanted[0] < 0:
        raise ValueError(f"frame indices must be >= 0, got {wanted[0]}")
    out, count = _decode(path, wanted)
    if len(out) < len(wanted):
        raise _too_short(path, count, wanted[-1])
    return out


class SigningWildVideos(torch.utils.data.Dataset):
    """The annotated videos under ``root`` (layout in the module docstring) and their segments.

    ``annotations`` is every row of the annotation files (:func:`read_annotations`), ``videos``
    ``{video_id: path}`` of every annotated video, ``segments`` the table of :func:`segments`
    with ``length`` and ``pad_last``. Items are segments: ``{"frames": (length, C, H, W) uint8
    RGB, "label": int, "video_id": str, "frame_numbers": tuple}`` (or what ``transform`` makes
    of the frames).

    Raises :class:`DataFormatError` for the annotation errors of :func:`read_annotations`, a
    video in two annotation files, a missing ``videos/`` folder, two files of one video id
    (``x.mp4`` and ``x.avi``), and annotated videos absent from ``videos/`` (naming the
    annotation file and the first line of the first missing video).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        length: int = SEGMENT_LENGTH,
        pad_last: bool = True,
        frame_base: int = 0,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        self.root = Path(root)
        self.files = annotation_files(self.root)
        self.annotations = _read_all(self.files)
        self.frame_base = int(frame_base)
        self.transform = transform
        folder = self.root / VIDEOS_FOLDER
        if not folder.is_dir():
            raise DataFormatError.build(
                folder,
                found="no such folder",
                expected=f"the videos, named <video_id><ext> with ext one of {', '.join(VIDEO_EXTENSIONS)}",
                fix=f"download the annotated videos into {folder}",
            )
        found: dict[str, Path] = {}
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() not in VIDEO_EXTENSIONS or not p.is_file():
                continue
            if p.stem in found:
                raise DataFormatError.build(
                    p,
                    found=f"a second file of video {p.stem!r} (beside {found[p.stem].name})",
                    expected="one file a video id",
                    fix="remove one of the two",
                )
            found[p.stem] = p
        first = self.annotations.drop_duplicates("video_id")
        missing = first[~first["video_id"].isin(list(found))]
        if len(missing):
            row = missing.iloc[0]
            shown = ", ".join(missing["video_id"].head(5))
            raise DataFormatError.build(
                row["file"],
                line=int(row["line"]),
                found=f"{len(missing)} of {len(first)} annotated videos absent from {folder}: {shown}"
                + (", ..." if len(missing) > 5 else ""),
                expected=f"each annotated video at {folder}/<video_id><ext> ({', '.join(VIDEO_EXTENSIONS)})",
                fix="download the missing videos, or remove their rows",
            )
        self.videos: dict[str, Path] = {v: found[v] for v in first["video_id"]}
        self.segments = segments(self.annotations, length, pad_last=pad_last)

    def __len__(self) -> int:
        return len(self.segments)

    def __getitem__(self, index: int) -> dict:
        row = self.segments.iloc[index]
        frames = self.frames(row["video_id"], row["frames"])
        if self.transform is not None:
            frames = self.transform(frames)
        return {
            "frames": frames,
            "label": int(row["label"]),
            "video_id": str(row["video_id"]),
            "frame_numbers": tuple(row["frames"]),
        }

    def _index(self, frame_number: int) -> int:
        return int(frame_number) - self.frame_base

    def frames(self, video_id: str, frame_numbers: Sequence[int]) -> torch.Tensor:
        """The frames ``frame_numbers`` (the annotations' numbers) of a video: ``(T, C, H, W)`` uint8 RGB."""
        got = decode_frames(self.videos[video_id], [self._index(f) for f in frame_numbers])
        stack = np.stack([got[self._index(f)] for f in frame_numbers])
        return torch.from_numpy(stack).permute(0, 3, 1, 2).contiguous()

    def frames_around(
        self, video_id: str, frame_numbers: Sequence[int], *, before: int = 0, after: int = 4
    ) -> torch.Tensor:
        """For each sampled frame, the native-rate frames ``f - before .. f + after``:
        ``(T, before + 1 + after, C, H, W)`` uint8 RGB.

        The motion streams' input (Sec. 4.2): ``before=0, after=4`` gives the 5-frame window of
        the motion history and frame differences, ``after=10`` the 11 frames of 10 flow fields.
        The sampled frames must exist; a window running past the video's first or last frame
        repeats that frame (the paper does not say), so every window has its length.
        """
        before, after = int(before), int(after)
        if before < 0 or after < 0:
            raise ValueError(f"before and after must be >= 0, got {before}, {after}")
        path = self.videos[video_id]
        centres = [self._index(f) for f in frame_numbers]
        if min(centres) < 0:
            raise ValueError(f"frame {min(centres) + self.frame_base} is before the video's first frame")
        wanted = sorted({max(0, c + o) for c in centres for o in range(-before, after + 1)})
        got, count = _decode(path, wanted)
        missing = [c for c in centres if c not in got]
        if missing:
            raise _too_short(path, count, max(missing))
        end = max(got)  # a missing window index lies past the video's last frame, which is ``end``
        windows = [[got[min(max(0, c + o), end)] for o in range(-before, after + 1)] for c in centres]
        stack = np.stack([np.stack(w) for w in windows])  # (T, L, H, W, 3)
        return torch.from_numpy(stack).permute(0, 1, 4, 2, 3).contiguous()
