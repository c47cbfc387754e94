"""The Montalbano gesture data (ChaLearn LAP 2014, track 3) in the challenge's own format.

Pigou et al., "Beyond temporal pooling: recurrence and temporal convolutions for gesture
recognition in video", train and test every model of Table 1 (single-frame CNN, temporal pooling,
temporal convolutions, bidirectional RNNs) and their Table 2 rows (with and without crop and
depth) on this data set; this module reads it and cuts it into the fragments the models see.

File format (one archive a sequence, as released; members at the archive's root, as the
challenge's reader ``ChalearnLAPSample.py`` and the authors' ``preproc/rgbd.py`` open them)::

    Sample0001.zip
      Sample0001_color.mp4      RGB video, 640x480, 20 frames/s
      Sample0001_depth.mp4      depth as gray levels: depth = gray / 255 * maxDepth
      Sample0001_user.mp4       user segmentation mask (the user light, the rest dark)
      Sample0001_skeleton.csv   one row a frame: 20 joints x 9 values (below)
      Sample0001_data.csv       one row: numFrames,fps,maxDepth
      Sample0001_labels.csv     one row a gesture: gestureID,startFrame,endFrame (1-based ids
                                1..20, 1-based frames, end frame excluded by the challenge's scorer)

A skeleton row holds, for each joint in the Kinect v1 order of :data:`JOINTS`, the world
coordinates ``x y z`` (metres), the orientation quaternion (4 values) and the pixel coordinates
``x y`` in the colour frame (integers); a frame in which the Kinect tracked nobody is all zeros.
The CSVs inside an archive are read with :mod:`motion_rnn.data.montalbano.chalearn_csv`'s readers
(``read_data_csv``, ``read_labels_csv``), and the labels become one label a frame with its
``intervals_to_frames`` (0 = no gesture, 1..20 = gestures, 21 outputs).

What the paper and the authors' code (``lpigou/ijcv16``) do with it, and where this module does it:

* Sec. 4.1, "we crop part of the images containing the user and rescale them to 64 by 64 pixels
  using the skeleton information": :func:`person_crop_box` and :func:`crop_person`, the rule of the
  authors' ``preproc/rgbd.py`` (height ``h = mean(hip-centre y - head y)``, centre ``(mean head y
  + 0.7 h, mean head x)``, side ``2 h``, bilinear resize). Table 2's "no crop" rows use the
  centred square instead (``preproc/rgbnoprep.py``: the middle 480x480 of the 640x480 frame, area
  resize): :func:`centre_crop`.
* Sec. 4.2, "a data sample has 4 channels (RGB-D), 64 frames each, with a resolution of 64 by 64
  pixels": :meth:`MontalbanoSample.rgbd` stacks R, G, B and the depth video's gray level;
  :class:`MontalbanoFragments` scales by 1/255 and cuts random 64-frame fragments (recurrent
  models) or windows labelled by their centre frame (non-recurrent models), with the
  augmentation of :mod:`motion_rnn.data.montalbano.augment`.
* The split (the authors' ``split.py``): training on samples 1..600 without 417 ("it had corrupt
  data"), validation on 601..700, test on 701..940; the challenge's own split (1..470, 471..700,
  701..940) is the other ``scheme`` of :func:`montalbano_split`.

Every malformed input raises :class:`~motion_rnn.data.errors.DataFormatError` naming the archive
member (``.../Sample0001.zip/Sample0001_skeleton.csv``), the row where there is one, what was
found and what was expected.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

import av
import cv2
import numpy as np
import torch
from av.video.reformatter import VideoReformatter

from motion_rnn.data.clips import make_generator
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.montalbano.augment import FragmentAugment, fragment_indices
from motion_rnn.data.montalbano.chalearn_csv import (
    NUM_GESTURES,
    Interval,
    SequenceInfo,
    intervals_to_frames,
    read_data_csv,
    read_labels_csv,
)

__all__ = [
    "AUTHORS_SPLIT",
    "CHALLENGE_SPLIT",
    "CROP_SIZE",
    "FRAGMENT_LENGTH",
    "GESTURE_NAMES",
    "JOINTS",
    "JOINT_VALUES",
    "MEMBERS",
    "NUM_CLASSES",
    "VIDEO_MODALITIES",
    "CropBox",
    "MontalbanoFragments",
    "MontalbanoSample",
    "centre_box",
    "centre_crop",
    "crop_person",
    "iter_samples",
    "list_samples",
    "load_rgbd",
    "montalbano_split",
    "parse_skeleton_csv",
    "person_crop_box",
    "read_sample",
    "sample_id",
    "sample_name",
    "skeleton_pixels",
    "skeleton_world",
]

# The 20 gestures by id (the challenge's reader, ``GestureSample.getGestureName``).
GESTURE_NAMES: tuple[str, ...] = (
    "vattene",
    "vieniqui",
    "perfetto",
    "furbo",
    "cheduepalle",
    "chevuoi",
    "daccordo",
    "seipazzo",
    "combinato",
    "freganiente",
    "ok",
    "cosatifarei",
    "basta",
    "prendere",
    "noncenepiu",
    "fame",
    "tantotempo",
    "buonissimo",
    "messidaccordo",
    "sonostufo",
)
NUM_CLASSES = NUM_GESTURES + 1  # Sec. 4.2: 20 gestures and "no gesture" (label 0)
CROP_SIZE = 64  # Sec. 4.1: "rescale them to 64 by 64 pixels"
FRAGMENT_LENGTH = 64  # Sec. 4.2: "random fragments of 64 frames"

# Kinect v1 joint order of the skeleton CSV (the challenge's reader, ``Skeleton.__init__``).
JOINTS: tuple[str, ...] = (
    "HipCenter",
    "Spine",
    "ShoulderCenter",
    "Head",
    "ShoulderLeft",
    "ElbowLeft",
    "WristLeft",
    "HandLeft",
    "ShoulderRight",
    "ElbowRight",
    "WristRight",
    "HandRight",
    "HipLeft",
    "KneeLeft",
    "AnkleLeft",
    "FootLeft",
    "HipRight",
    "KneeRight",
    "AnkleRight",
    "FootRight",
)
JOINT_VALUES: tuple[str, ...] = (
    "world_x",
    "world_y",
    "world_z",  # metres
    "orientation_w",
    "orientation_x",
    "orientation_y",
    "orientation_z",
    "pixel_x",
    "pixel_y",  # column and row in the colour frame
)
_NUM_FIELDS = len(JOINTS) * len(JOINT_VALUES)  # 180 values a row
_HEAD, _HIP_CENTRE = JOINTS.index("Head"), JOINTS.index("HipCenter")

# Archive members by role; the file names are "<sample>" + suffix.
MEMBERS: dict[str, str] = {
    "color": "_color.mp4",
    "depth": "_depth.mp4",
    "user": "_user.mp4",
    "skeleton": "_skeleton.csv",
    "data": "_data.csv",
    "labels": "_labels.csv",
}
VIDEO_MODALITIES: tuple[str, ...] = ("color", "depth", "user")

# Splits by sample id (1-based, as in the file names).
AUTHORS_SPLIT: dict[str, tuple[int, ...]] = {  # lpigou/ijcv16, split.py
    "train": tuple(i for i in range(1, 601) if i != 417),  # 417 skipped: "it had corrupt data"
    "validation": tuple(range(601, 701)),
    "test": tuple(range(701, 941)),
}
CHALLENGE_SPLIT: dict[str, tuple[int, ...]] = {  # the challenge's releases
    "train": tuple(range(1, 471)),
    "validation": tuple(range(471, 701)),
    "test": tuple(range(701, 941)),
}
_SCHEMES = {"authors": AUTHORS_SPLIT, "challenge": CHALLENGE_SPLIT}
_NAME_RE = re.compile(r"^Sample(\d{4})(?:\.zip)?$")

CropMode = Literal["skeleton", "centre"]


# ---------------------------------------------------------------------------------------------
# Names and splits
# ---------------------------------------------------------------------------------------------
def sample_name(sample: int) -> str:
    """``7`` -> ``"Sample0007"``."""
    return f"Sample{int(sample):04d}"


def sample_id(path: str | os.PathLike) -> int:
    """The id of ``.../Sample0007.zip`` (or of a folder ``Sample0007``): ``7``."""
    m = _NAME_RE.match(Path(path).name)
    if m is None:
        raise ValueError(f"{path}: expected a name SampleNNNN.zip (or a folder SampleNNNN)")
    return int(m.group(1))


def montalbano_split(
    sample_ids: Sequence[int], *, scheme: Literal["authors", "challenge"] = "authors"
) -> dict[str, list[int]]:
    """Sort sample ids into ``"train"``, ``"validation"`` and ``"test"`` (each sorted).

    ``scheme="authors"`` (the paper's numbers): train 1..600 without 417, validation 601..700,
    test 701..940; sample 417 belongs to no split. ``"challenge"``: 1..470, 471..700, 701..940.
    Ids outside 1..940 raise ``ValueError``.
    """
    if scheme not in _SCHEMES:
        raise ValueError(f"scheme must be one of {tuple(_SCHEMES)}, got {scheme!r}")
    ids = sorted({int(i) for i in sample_ids})
    outside = [i for i in ids if not 1 <= i <= 940]
    if outside:
        raise ValueError(f"sample ids {outside[:10]} lie outside the data set's 1..940")
    table = {split: set(members) for split, members in _SCHEMES[scheme].items()}
    return {split: [i for i in ids if i in members] for split, members in table.items()}


def list_samples(root: str | os.PathLike, *, recursive: bool = True) -> list[Path]:
    """The ``SampleNNNN.zip`` archives under ``root``, sorted by sample id.

    ``recursive`` also looks in subfolders (the releases come as several folders). An extracted
    folder ``SampleNNNN/`` is listed where no archive of that id exists. Raises
    :class:`DataFormatError` for a missing ``root``, for none found and for an id found twice.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataFormatError.build(
            root,
            found="no such folder" if not root.exists() else "a file, not a folder",
            expected="a folder holding SampleNNNN.zip archives",
            fix="pass the folder where the Montalbano archives were downloaded (or write synthetic "
            "data there with motion_rnn.data.montalbano.synthetic.write_synthetic_montalbano)",
        )
    pattern = "**/Sample*" if recursive else "Sample*"
    found: dict[int, Path] = {}
    folders: dict[int, Path] = {}
    for p in sorted(root.glob(pattern)):
        m = _NAME_RE.match(p.name)
        if m is None:
            continue
        i = int(m.group(1))
        if p.is_file() and p.suffix == ".zip":
            if i in found:
                raise DataFormatError.build(
                    p,
                    found=f"a second archive of sample {i} (the first is {found[i]})",
                    expected="one archive a sample",
                    fix="remove one of the two copies",
                )
            found[i] = p
        elif p.is_dir() and (p / f"{p.name}{MEMBERS['color']}").is_file():
            folders.setdefault(i, p)
    for i, p in folders.items():
        found.setdefault(i, p)
    if not found:
        raise DataFormatError.build(
            root,
            found="no SampleNNNN.zip",
            expected="the Montalbano archives Sample0001.zip, ...",
            fix="download and place the archives there (the folder is searched recursively)",
        )
    return [found[i] for i in sorted(found)]


# ---------------------------------------------------------------------------------------------
# Archives: a zip or an extracted folder, members by their file names
# ---------------------------------------------------------------------------------------------
class _Archive:
    """The members of one sample, from ``SampleNNNN.zip`` or an extracted folder ``SampleNNNN/``.

    Members are found by file name (``Sample0001_color.mp4``) at any depth of the archive, so a
    zip whose members sit in a folder reads the same as one with them at its root.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = sample_name(sample_id(path))
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            self._members = {p.name: p for p in path.rglob(f"{self.name}_*") if p.is_file()}
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise DataFormatError.build(
                    path,
                    found=f"a file that is not a zip archive ({exc})",
                    expected="a zip archive holding the sample's videos and CSV files",
                    fix="download the archive again; this copy is damaged",
                ) from None
            self._members = {}
            for info in self._zip.infolist():
                if not info.is_dir():
                    self._members.setdefault(info.filename.rsplit("/", 1)[-1], info.filename)
        else:
            raise DataFormatError.build(
                path,
                found="no such file",
                expected="a SampleNNNN.zip archive",
                fix="check the path (list_samples(root) lists the archives of a folder)",
            )

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc) -> None:
        if self._zip is not None:
            self._zip.close()

    def member(self, role: str) -> str:
        return f"{self.name}{MEMBERS[role]}"

    def has(self, role: str) -> bool:
        return self.member(role) in self._members

    def where(self, role: str) -> str:
        """How messages name a member: ``.../Sample0001.zip/Sample0001_labels.csv``."""
        return f"{self.path}/{self.member(role)}"

    def read(self, role: str) -> bytes:
        entry = self._members[self.member(role)]
        if self._zip is None:
            return Path(entry).read_bytes()
        try:
            return self._zip.read(entry)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:  # CRC error, truncated archive
            raise DataFormatError.build(
                self.where(role),
                found=f"a member that cannot be extracted ({exc})",
                expected="an intact archive member",
                fix="download the archive again",
            ) from None

    def require(self, roles: Sequence[str]) -> None:
        missing = [self.member(r) for r in roles if not self.has(r)]
        if missing:
            present = ", ".join(sorted(self._members)) or "nothing"
            raise DataFormatError.build(
                self.path,
                found=f"no {', '.join(missing)} (the archive holds {present})",
                expected="the members " + ", ".join(self.member(r) for r in roles),
                fix="download the archive again; for a sample whose labels come as a separate "
                "file pass labels_path= (or require_labels=False)",
            )


def _with_csv(archive: _Archive, role: str, reader: Callable[[Path], object]) -> object:
    """Run one of :mod:`motion_rnn.data.montalbano.chalearn_csv`'s CSV readers on an archive member.

    The member goes to a temporary file; an error message names the member inside the archive
    instead of that file, and keeps the reader's row number.
    """
    tmp = Path(tempfile.mkdtemp(prefix="montalbano-"))
    try:
        path = tmp / archive.member(role)
        path.write_bytes(archive.read(role))
        try:
            return reader(path)
        except DataFormatError as err:
            message = str(err).replace(str(path), archive.where(role))
            row = re.search(r"\brow (\d+)", message)
            raise DataFormatError(message, path=archive.path, line=int(row.group(1)) if row else None) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Skeleton
# ---------------------------------------------------------------------------------------------
def parse_skeleton_csv(text: str, *, where: str = "<skeleton>") -> np.ndarray:
    """The rows of a ``_skeleton.csv`` as ``(T, 20, 9)`` float64 (joints of :data:`JOINTS`,
    values of :data:`JOINT_VALUES`); blank lines are skipped.

    Raises :class:`DataFormatError` naming ``where`` and the line for a row without 180 values or
    with a value that is not a finite number.
    """
    rows: list[list[float]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != _NUM_FIELDS:
            raise DataFormatError.build(
                where,
                line=number,
                found=f"a row of {len(fields)} comma-separated values",
                expected=f"{_NUM_FIELDS} values (20 joints x 9: world x y z, orientation w x y z, pixel x y)",
                fix="download the archive again; this skeleton file is damaged",
            )
        try:
            values = [float(v) for v in fields]
        except ValueError:
            bad = next(v for v in fields if not _is_float(v))
            raise DataFormatError.build(
                where,
                line=number,
                found=f"the value {bad.strip()!r}",
                expected=f"{_NUM_FIELDS} numbers",
                fix="download the archive again; this skeleton file is damaged",
            ) from None
        if not all(math.isfinite(v) for v in values):
            raise DataFormatError.build(
                where,
                line=number,
                found="a value that is not finite (nan or inf)",
                expected=f"{_NUM_FIELDS} finite numbers",
                fix="download the archive again",
            )
        rows.append(values)
    if not rows:
        return np.zeros((0, len(JOINTS), len(JOINT_VALUES)))
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(JOINTS), len(JOINT_VALUES))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def skeleton_pixels(skeleton: np.ndarray) -> np.ndarray:
    """``(T, 20, 9)`` -> pixel coordinates ``(T, 20, 2)`` as ``(x, y)`` = (column, row)."""
    return skeleton[..., 7:9]


def skeleton_world(skeleton: np.ndarray) -> np.ndarray:
    """``(T, 20, 9)`` -> world coordinates ``(T, 20, 3)`` in metres."""
    return skeleton[..., 0:3]


# ---------------------------------------------------------------------------------------------
# Crops (Sec. 4.1)
# ---------------------------------------------------------------------------------------------
class CropBox(NamedTuple):
    """A square of the frame: rows ``top .. top + side - 1``, columns ``left .. left + side - 1``."""

    top: int
    left: int
    side: int


def person_crop_box(skeleton: np.ndarray, *, frame_size: tuple[int, int]) -> CropBox | None:
    """The authors' square around the user, one for the whole sequence (Sec. 4.1; ``rgbd.py``).

    With head and hip-centre pixel coordinates over the frames where each is tracked (non-zero):
    height ``h = mean(hip y) - mean(head y)``, centre ``(mean head y + 0.7 h, mean head x)``,
    side ``2 h``. The centre is moved so that the square stays inside the ``(H, W)`` frame where
    it fits. Returns ``None`` when no frame tracks both joints or ``h <= 0``.

    Departures: the authors average ``hip y - head y`` over the frames that track each joint
    separately, which is what this does; their clamp compares the row with 640 and the column
    with 480 (the frame's width and height, swapped), here each is kept within its own dimension.
    """
    height, width = frame_size
    px = skeleton_pixels(np.asarray(skeleton, dtype=np.float64))  # (T, 20, 2)
    head, hip = px[:, _HEAD], px[:, _HIP_CENTRE]  # (T, 2) as (x, y)
    head, hip = head[np.any(head != 0, axis=1)], hip[np.any(hip != 0, axis=1)]
    if len(head) == 0 or len(hip) == 0:
        return None
    h = float(hip[:, 1].mean() - head[:, 1].mean())
    if not h > 0:
        return None
    cy, cx = head[:, 1].mean() + 0.7 * h, head[:, 0].mean()
    if 2 * h <= height:
        cy = min(max(cy, h), height - h)
    if 2 * h <= width:
        cx = min(max(cx, h), width - h)
    side = max(1, int(round(2 * h)))
    return CropBox(int(round(cy - h)), int(round(cx - h)), side)


def _cut(frame: np.ndarray, box: CropBox) -> np.ndarray:
    """The box of one ``(H, W[, C])`` frame, zeros where the box leaves the frame."""
    top, left, side = box
    h, w = frame.shape[:2]
    if top >= 0 and left >= 0 and top + side <= h and left + side <= w:
        return frame[top : top + side, left : left + side]
    out = np.zeros((side, side) + frame.shape[2:], dtype=frame.dtype)
    y0, x0, y1, x1 = max(top, 0), max(left, 0), min(top + side, h), min(left + side, w)
    if y1 > y0 and x1 > x0:
        out[y0 - top : y1 - top, x0 - left : x1 - left] = frame[y0:y1, x0:x1]
    return out


def _crop_resize(frame: np.ndarray, box: CropBox, size: int, interpolation: int) -> np.ndarray:
    return cv2.resize(_cut(frame, box), (size, size), interpolation=interpolation)


def crop_person(
    frames: np.ndarray,
    *,
    skeleton: np.ndarray | None = None,
    box: CropBox | None = None,
    size: int = CROP_SIZE,
) -> np.ndarray:
    """Crop ``(T, H, W[, C])`` frames to the person's square and resize to ``(T, size, size[, C])``.

    The square is ``box``, or :func:`person_crop_box` of ``skeleton``. Bilinear resize, as the
    authors' ``cv2.resize(..., INTER_LINEAR)`` (no anti-aliasing: the real 640x480 frames are
    shrunk about fivefold without low-pass filtering, as they were for the paper).
    """
    frames = np.asarray(frames)
    if box is None:
        if skeleton is None:
            raise ValueError("crop_person needs skeleton= or box=")
        box = person_crop_box(skeleton, frame_size=frames.shape[1:3])
        if box is None:
            raise ValueError("the skeleton tracks no frame with both head and hip centre")
    return np.stack([_crop_resize(f, box, size, cv2.INTER_LINEAR) for f in frames])


def centre_box(frame_size: tuple[int, int]) -> CropBox:
    """The centred square of side ``min(H, W)`` (Table 2's "no crop": ``rgbnoprep.py``)."""
    h, w = frame_size
    side = min(h, w)
    return CropBox((h - side) // 2, (w - side) // 2, side)


def centre_crop(frames: np.ndarray, *, size: int = CROP_SIZE) -> np.ndarray:
    """``(T, H, W[, C])`` -> the centred square resized to ``(T, size, size[, C])`` (area resize,
    as ``rgbnoprep.py``)."""
    frames = np.asarray(frames)
    box = centre_box(frames.shape[1:3])
    return np.stack([_crop_resize(f, box, size, cv2.INTER_AREA) for f in frames])


# ---------------------------------------------------------------------------------------------
# Videos
# ---------------------------------------------------------------------------------------------
def _decode(
    archive: _Archive,
    role: str,
    *,
    gray: bool,
    transform_for: Callable[[tuple[int, int]], Callable[[np.ndarray], np.ndarray] | None],
) -> tuple[list[np.ndarray], tuple[int, int]]:
    """All frames of a video member, decoded in memory (no temporary file).

    Each frame is RGB ``(H, W, 3)`` or gray ``(H, W)`` uint8, passed through
    ``transform_for((H, W))`` (a crop, or ``None``) as it is decoded. Returns the frames and the
    frame size ``(H, W)`` of the video.
    """
    data = archive.read(role)
    frames: list[np.ndarray] = []
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise DataFormatError.build(
                    archive.where(role),
                    found="a file without a video stream",
                    expected="an MP4 video",
                    fix="download the archive again",
                )
            stream = container.streams.video[0]
            size = (stream.codec_context.height, stream.codec_context.width)
            transform = transform_for(size)
            # One reformatter for all frames (frame.to_ndarray(format=...) sets up a new colour
            # converter a frame, several times slower).
            reformatter = VideoReformatter()
            fmt = "gray" if gray else "rgb24"
            for frame in container.decode(stream):
                image = reformatter.reformat(frame, format=fmt).to_ndarray()
                frames.append(image if transform is None else transform(image))
    except av.error.FFmpegError as exc:
        raise DataFormatError.build(
            archive.where(role),
            found=f"a video that cannot be decoded ({exc})",
            expected="an MP4 video",
            fix="download the archive again; the member is damaged",
        ) from None
    return frames, size


def _check_length(archive: _Archive, role: str, found: int, info: SequenceInfo, what: str) -> None:
    if found < info.num_frames:
        raise DataFormatError.build(
            archive.where(role),
            found=f"{found} {what}",
            expected=f"{info.num_frames} (numFrames in {archive.member('data')})",
            fix="download the archive again; the member is truncated",
        )
    if found > info.num_frames:
        warnings.warn(
            f"{archive.where(role)}: {found} {what} where {archive.member('data')} says "
            f"{info.num_frames}; keeping the first {info.num_frames}",
            stacklevel=3,
        )


# ---------------------------------------------------------------------------------------------
# A sample
# ---------------------------------------------------------------------------------------------
@dataclass
class MontalbanoSample:
    """One sequence of the data set, as :func:`read_sample` returns it.

    Arrays with a time axis have ``T = num_frames`` rows; with a crop, ``H = W = size``.
    """

    sample_id: int
    path: Path
    num_frames: int  # _data.csv: numFrames
    fps: int  # _data.csv: fps (20 in the real data)
    max_depth: int  # _data.csv: maxDepth; depth = gray / 255 * max_depth
    skeleton: np.ndarray  # (T, 20, 9) float64, JOINTS x JOINT_VALUES; all zeros where untracked
    intervals: list[Interval] | None  # _labels.csv rows (gesture, start, end), or None
    labels: np.ndarray | None  # (T,) int64, 0 = no gesture, 1..20 gestures (end frame excluded)
    frames: np.ndarray | None = None  # (T, H, W, 3) uint8 RGB, if "color" was read
    depth: np.ndarray | None = None  # (T, H, W) float32, gray / 255 * max_depth, if "depth" was read
    user: np.ndarray | None = None  # (T, H, W) bool, the user mask, if "user" was read
    crop: CropBox | None = None  # the square the videos were cut to (None: full frames)
    frame_size: tuple[int, int] | None = None  # (H, W) of the videos before any crop

    @property
    def name(self) -> str:
        return sample_name(self.sample_id)

    def depth_gray(self) -> np.ndarray:
        """The depth video's gray levels ``(T, H, W)`` uint8: ``round(depth / max_depth * 255)``."""
        if self.depth is None:
            raise ValueError(f"{self.name}: depth was not read (modalities=...)")
        return np.clip(np.rint(self.depth * (255.0 / self.max_depth)), 0, 255).astype(np.uint8)

    def rgbd(self, *, depth: bool = True) -> np.ndarray:
        """The network's input channels ``(T, C, H, W)`` uint8: R, G, B and, with ``depth``, the
        depth video's gray level (Sec. 4.2, "4 channels (RGB-D)"; divide by 255 for the paper's
        scaling).

        Departure: the authors' arrays hold the colour channels in OpenCV's B, G, R order; here
        they are R, G, B (a network trained from scratch does not care which).
        """
        if self.frames is None:
            raise ValueError(f"{self.name}: colour was not read (modalities=...)")
        channels = [self.frames.transpose(0, 3, 1, 2)]  # (T, 3, H, W)
        if depth:
            channels.append(self.depth_gray()[:, None])  # (T, 1, H, W)
        return np.ascontiguousarray(np.concatenate(channels, axis=1))


def read_sample(
    path: str | os.PathLike,
    *,
    modalities: Sequence[str] = VIDEO_MODALITIES,
    crop: CropMode | None = None,
    size: int = CROP_SIZE,
    require_labels: bool = True,
    labels_path: str | os.PathLike | None = None,
) -> MontalbanoSample:
    """Read one ``SampleNNNN.zip`` (or its extracted folder).

    ``modalities``: the videos to decode, any of ``"color"``, ``"depth"``, ``"user"`` (``()``
    reads the CSV files only). ``crop``: ``None`` keeps full frames; ``"skeleton"`` cuts every
    frame to :func:`person_crop_box` and resizes to ``size`` x ``size`` (Sec. 4.1);
    ``"centre"`` takes the centred square (Table 2, "no crop"). Frames are cut while decoding,
    so a full-resolution sequence is never held in memory when cropping.

    Labels come from the archive's ``_labels.csv``, or from ``labels_path`` (a ground-truth file
    published apart from the archive). With ``require_labels=False`` a sample without labels
    reads with ``intervals = labels = None``.

    Raises :class:`DataFormatError` for: a missing member; a malformed ``_data.csv`` or
    ``_labels.csv`` row, a gesture id outside 1..20 or an interval outside the sequence (the
    row named); a malformed skeleton row (the line named); a skeleton or video with fewer frames
    than ``_data.csv`` says; videos of different frame sizes; a video that cannot be decoded.
    Members longer than ``_data.csv`` says are cut to its ``numFrames`` with a warning.
    """
    path = Path(path)
    unknown = [m for m in modalities if m not in VIDEO_MODALITIES]
    if unknown:
        raise ValueError(f"unknown modalities {unknown}; choose from {VIDEO_MODALITIES}")
    if crop not in (None, "skeleton", "centre"):
        raise ValueError(f"crop must be None, 'skeleton' or 'centre', got {crop!r}")
    with _Archive(path) as archive:
        needed = ["color", "depth", "user", "skeleton", "data"]
        if require_labels and labels_path is None:
            needed.append("labels")
        archive.require(needed)
        info: SequenceInfo = _with_csv(archive, "data", read_data_csv)  # type: ignore[assignment]
        n = info.num_frames
        if info.max_depth < 1:
            raise DataFormatError.build(
                archive.where("data"),
                found=f"maxDepth = {info.max_depth}",
                expected="a positive maximum depth (depth = gray / 255 * maxDepth)",
                fix="download the archive again",
            )

        # Labels: one per frame, end frame excluded (chalearn_csv converters).
        intervals: list[Interval] | None = None
        if labels_path is not None:
            intervals = read_labels_csv(labels_path, n)
        elif archive.has("labels"):
            intervals = _with_csv(archive, "labels", lambda p: read_labels_csv(p, n))  # type: ignore[assignment]
        labels = None if intervals is None else intervals_to_frames(intervals, n)

        # Skeleton: (T, 20, 9).
        text = archive.read("skeleton").decode("utf-8-sig", errors="replace")
        skeleton = parse_skeleton_csv(text, where=archive.where("skeleton"))
        _check_length(archive, "skeleton", len(skeleton), info, "skeleton rows")
        skeleton = skeleton[:n]

        sample = MontalbanoSample(
            sample_id=sample_id(path),
            path=path,
            num_frames=n,
            fps=info.fps,
            max_depth=info.max_depth,
            skeleton=skeleton,
            intervals=intervals,
            labels=labels,
        )
        boxes: list[CropBox] = []

        def transform_for(frame_size: tuple[int, int]) -> Callable[[np.ndarray], np.ndarray] | None:
            if crop is None:
                return None
            if not boxes:  # one square for the whole sample, from the first video's frame size
                boxes.append(_crop_box(archive, crop, skeleton, frame_size))
            interpolation = cv2.INTER_LINEAR if crop == "skeleton" else cv2.INTER_AREA
            return lambda image: _crop_resize(image, boxes[0], size, interpolation)

        for role in VIDEO_MODALITIES:
            if role not in modalities:
                continue
            frames, frame_size = _decode(archive, role, gray=role != "color", transform_for=transform_for)
            if sample.frame_size is not None and frame_size != sample.frame_size:
                raise DataFormatError.build(
                    archive.where(role),
                    found=f"frames of {frame_size[1]}x{frame_size[0]} pixels",
                    expected=f"the {sample.frame_size[1]}x{sample.frame_size[0]} frames of the other videos",
                    fix="download the archive again",
                )
            sample.frame_size = frame_size
            _check_length(archive, role, len(frames), info, "frames")
            stack = np.stack(frames[:n])
            if role == "color":
                sample.frames = stack  # (T, H, W, 3) uint8
            elif role == "depth":
                sample.depth = stack.astype(np.float32) * np.float32(info.max_depth / 255.0)  # (T, H, W) mm
            else:
                sample.user = stack > 127  # (T, H, W) bool
        sample.crop = boxes[0] if boxes else None
    return sample


def _crop_box(archive: _Archive, crop: CropMode, skeleton: np.ndarray, frame_size: tuple[int, int]) -> CropBox:
    if crop == "centre":
        return centre_box(frame_size)
    box = person_crop_box(skeleton, frame_size=frame_size)
    if box is None:
        raise DataFormatError.build(
            archive.where("skeleton"),
            found="no frame in which both Head and HipCenter are tracked, the head above the hip",
            expected="pixel coordinates of the head and the hip centre, from which the person's "
            "square is cut (Sec. 4.1)",
            fix="read this sample with crop='centre' (Table 2's uncropped input) or leave it out",
        )
    return box


# ---------------------------------------------------------------------------------------------
# Network input: preprocessed sequences and fragments (Sec. 4.2)
# ---------------------------------------------------------------------------------------------
def load_rgbd(
    path: str | os.PathLike,
    *,
    crop: CropMode = "skeleton",
    size: int = CROP_SIZE,
    depth: bool = True,
    cache_dir: str | os.PathLike | None = None,
    labels_dir: str | os.PathLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A whole sequence as network input: ``(T, C, size, size)`` uint8 and labels ``(T,)`` int64.

    ``C = 4`` (R, G, B, depth) or 3 without ``depth``. The authors preprocess each archive once to
    such an array (``preproc/rgbd.py``); with ``cache_dir`` this does the same, keeping one
    ``.npy`` a sample and refreshing it when the archive is newer (labels are read afresh each
    time: they are cheap). ``labels_dir``: a folder of ``SampleNNNN_labels.csv`` files to take the
    labels from instead of the archive.
    """
    path = Path(path)
    name = sample_name(sample_id(path))
    labels_path = None if labels_dir is None else Path(labels_dir) / f"{name}{MEMBERS['labels']}"
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"{name}_{crop}{size}_{'rgbd' if depth else 'rgb'}.npy"
        if cached.is_file() and cached.stat().st_mtime >= path.stat().st_mtime:
            labels = read_sample(path, modalities=(), labels_path=labels_path).labels
            return np.load(cached, mmap_mode="r"), labels  # (T, C, size, size), read on demand
    sample = read_sample(
        path, modalities=("color", "depth") if depth else ("color",), crop=crop, size=size, labels_path=labels_path
    )
    clip = sample.rgbd(depth=depth)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.stem}.tmp-{os.getpid()}.npy")
        np.save(tmp, clip)
        os.replace(tmp, cached)
    return clip, sample.labels


class MontalbanoFragments(torch.utils.data.Dataset):
    """Fragments of Montalbano sequences for training and evaluating the paper's models.

    Each item is a dict with keys:

    * ``"clip"``: ``(T, C, size, size)`` float32 in ``[0, 1]`` (pixel / 255, Sec. 4.2), ``T =
      length``, ``C = 4`` (R, G, B, depth) or 3 with ``depth=False``.
    * ``"labels"``: ``(T,)`` int64, the label of every frame (0 = no gesture, 1..20).
    * ``"label"``: int, the label of the centre frame ``T // 2`` (the target of the
      non-recurrent models, Sec. 4.2: "the labels associated with the centermost frame").
    * ``"sample"``: int, the sample id; ``"start"``: int, the sequence frame (0-based) under the
      fragment's first frame (negative where a centred window starts before the sequence).

    ``train=True`` (Sec. 4.2): each item is a random fragment from a random sequence, drawn
    from ``(seed, epoch, index)`` (call :meth:`set_epoch` at each epoch), augmented by
    ``augment`` (the paper's :class:`~motion_rnn.data.montalbano.augment.FragmentAugment` by default; its
    temporal scale chooses how many sequence frames the ``length`` frames span). An epoch has
    ``fragments_per_epoch`` items (default: the number of frames over ``length``).

    ``train=False``: fixed windows, no augmentation. ``window="start"`` (recurrent models):
    windows starting at frames ``0, stride, 2 stride, ...`` (the last one moved back to end with
    the sequence; default stride ``length``). ``window="centre"`` (non-recurrent models; Sec.
    4.2: "a sliding window with single-frame steps"): one window centred on every ``stride``-th
    frame (default 1), the sequence's first and last frames repeated beyond its ends.

    Sequences are read once, at construction (:func:`load_rgbd`; ``crop``, ``size``, ``depth``,
    ``cache_dir`` and ``labels_dir`` are passed on), and held in memory as uint8. ``sequences``:
    the :func:`load_rgbd` output of every path, already decoded (several data sets cut from the
    same decoded sequences share them instead of decoding again).
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike],
        *,
        train: bool,
        length: int = FRAGMENT_LENGTH,
        window: Literal["start", "centre"] = "start",
        stride: int | None = None,
        augment: FragmentAugment | None | Literal["paper"] = "paper",
        fragments_per_epoch: int | None = None,
        seed: int = 0,
        crop: CropMode = "skeleton",
        size: int = CROP_SIZE,
        depth: bool = True,
        cache_dir: str | os.PathLike | None = None,
        labels_dir: str | os.PathLike | None = None,
        sequences: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> None:
        if window not in ("start", "centre"):
            raise ValueError(f"window must be 'start' or 'centre', got {window!r}")
        if length < 1:
            raise ValueError(f"length must be >= 1, got {length}")
        if not paths:
            raise ValueError("MontalbanoFragments needs at least one sample")
        self.paths = [Path(p) for p in paths]
        self.train, self.length, self.window, self.seed = bool(train), int(length), window, int(seed)
        self.augment = (FragmentAugment() if augment == "paper" else augment) if self.train else None
        self.epoch = 0
        # Preprocessed sequences: (T_i, C, size, size) uint8 and (T_i,) labels.
        self.sample_ids = [sample_id(p) for p in self.paths]
        if sequences is not None and len(sequences) != len(self.paths):
            raise ValueError(f"{len(sequences)} decoded sequences given for {len(self.paths)} samples")
        loaded = (
            sequences
            if sequences is not None
            else [
                load_rgbd(p, crop=crop, size=size, depth=depth, cache_dir=cache_dir, labels_dir=labels_dir)
                for p in self.paths
            ]
        )
        self.clips = [c for c, _ in loaded]
        self.labels = [y for _, y in loaded]
        total = sum(len(y) for y in self.labels)
        self.fragments_per_epoch = int(fragments_per_epoch or max(1, total // self.length))
        default_stride = self.length if window == "start" else 1
        self.stride = int(stride or default_stride)
        self._windows = [] if self.train else self._eval_windows()

    def _eval_windows(self) -> list[tuple[int, int]]:
        out = []
        for i, y in enumerate(self.labels):
            n = len(y)
            if self.window == "start":
                starts = list(range(0, max(n - self.length, 0) + 1, self.stride))
                if starts[-1] + self.length < n:
                    starts.append(n - self.length)  # the last window ends with the sequence
            else:
                starts = [c - self.length // 2 for c in range(0, n, self.stride)]
            out.extend((i, s) for s in starts)
        return out

    def set_epoch(self, epoch: int) -> None:
        """Select the random stream of an epoch (fragments and augmentation depend on it)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.fragments_per_epoch if self.train else len(self._windows)

    def full_sequence(self, index: int) -> dict:
        """Sequence ``index`` whole: ``"clip"`` ``(T_i, C, size, size)`` float32, ``"labels"``."""
        return {
            "clip": torch.from_numpy(self.clips[index]).float().div_(255.0),
            "labels": torch.from_numpy(self.labels[index]),
            "sample": self.sample_ids[index],
        }

    def __getitem__(self, index: int) -> dict:
        if self.train:
            g = make_generator(self.seed, self.epoch, index)
            i = int(torch.randint(len(self.clips), (1,), generator=g))  # uniform over sequences
            params = self.augment.sample(g) if self.augment is not None else None
            ts = params.temporal_scale if params is not None else 1.0
            idx, start = fragment_indices(len(self.labels[i]), self.length, temporal_scale=ts, generator=g)
        else:
            i, start = self._windows[index]
            params = None
            idx = np.clip(np.arange(start, start + self.length), 0, len(self.labels[i]) - 1)
        clip = torch.from_numpy(self.clips[i][idx]).float().div_(255.0)  # (T, C, S, S)
        if params is not None:
            clip = self.augment.spatial(clip, params)
        labels = torch.from_numpy(self.labels[i][idx])  # (T,)
        return {
            "clip": clip,
            "labels": labels,
            "label": int(labels[self.length // 2]),
            "sample": self.sample_ids[i],
            "start": int(start),
        }

    @classmethod
    def from_root(
        cls, root: str | os.PathLike, split: str, *, scheme: Literal["authors", "challenge"] = "authors", **kwargs
    ) -> MontalbanoFragments:
        """The fragments of one split (``"train"``, ``"validation"``, ``"test"``) of the archives
        under ``root`` (:func:`montalbano_split`)."""
        paths = {sample_id(p): p for p in list_samples(root)}
        parts = montalbano_split(list(paths), scheme=scheme)
        if split not in parts:
            raise ValueError(f"split must be one of {tuple(parts)}, got {split!r}")
        if not parts[split]:
            raise DataFormatError.build(
                root,
                found=f"no sample of the {split!r} split ({scheme} scheme) among ids {min(paths)}..{max(paths)}",
                expected=f"samples with ids in the {split} range",
                fix="download that part of the data set (or generate synthetic samples with those ids)",
            )
        return cls([paths[i] for i in parts[split]], **kwargs)


def iter_samples(root: str | os.PathLike, **kwargs) -> Iterator[MontalbanoSample]:
    """:func:`read_sample` of every archive under ``root`` in id order (``kwargs`` passed on)."""
    for p in list_samples(root):
        yield read_sample(p, **kwargs)
