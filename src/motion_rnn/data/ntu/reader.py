"""NTU RGB+D skeletons: a reader and writer of the dataset's own ``.skeleton`` text files.

NTU RGB+D (Shahroudy et al., CVPR 2016) holds 56,880 samples of 60 actions recorded by three
Kinect v2 sensors. Le Roux (2017), *Learning action recognition from 3D poses*, trains every
recurrent network of its sections 3 and 4 on these skeletons (Tables 3-9, 11); this module turns
the files into arrays, and :mod:`motion_rnn.data.pose` does the thesis's preprocessing.

File format (the dataset authors' reader, ``Matlab/read_skeleton_file.m``)::

    103                                  number of frames
    1                                    frame 1: number of bodies (may be 0)
    72057594037931101 0 1 1 1 1 0 0.02764709 0.05745083 2
                                         body info: bodyID clipedEdges handLeftConfidence
                                         handLeftState handRightConfidence handRightState
                                         isRestricted leanX leanY trackingState
    25                                   number of joints (always 25 with Kinect v2)
    0.2181153 0.1725972 3.785547 277.419 ... 2
                                         25 joint lines of 12 values: x y z depthX depthY
                                         colorX colorY orientationW orientationX orientationY
                                         orientationZ trackingState
    ...                                  then the next body, then the next frame

``x y z`` are camera-space coordinates in metres. A sample is named ``SsssCcccPpppRrrrAaaa``:
setup, camera, performer (subject), replication and action, each a 1-based number written with
three digits; the class label is ``action - 1``.

Conventions of this module (ours, not the dataset's):

* A body is identified by its ``bodyID`` across frames, not by its place in a frame's list
  (the list order changes when people enter or leave). Bodies are numbered in the order they
  first appear. A body absent from a frame has zeros there, and ``positions`` is -1 there.
* A frame with zero bodies is kept: it counts in ``num_frames`` and every body is absent in it
  (all zeros), so frame indices stay those of the file (and of its video).
* The ``bodyID`` (up to 2**64) does not fit a float64 exactly, so it lives in ``body_ids`` and
  ``body_info`` holds the 9 other values of the body line.

Command line: ``python -m motion_rnn.data.ntu FILE...`` prints one JSON line a file
(:mod:`motion_rnn.data.ntu.__main__`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from motion_rnn.data.errors import DataFormatError

__all__ = [
    "ACTION_NAMES",
    "BODY_INFO_FIELDS",
    "CROSS_SUBJECT_TRAIN_PERFORMERS",
    "CROSS_VIEW_TRAIN_CAMERAS",
    "JOINT_RECORD_FIELDS",
    "MISSING_SKELETONS",
    "NUM_JOINTS",
    "THESIS_VALIDATION_PERFORMERS",
    "NTUSample",
    "NTUSkeletonDataset",
    "SampleName",
    "Split",
    "cross_subject_split",
    "cross_view_split",
    "list_skeleton_files",
    "main_body",
    "main_body_index",
    "parse_sample_name",
    "read_skeleton",
    "summary",
    "write_skeleton",
]

NUM_JOINTS = 25  # Kinect v2 skeleton; joint names and order in motion_rnn.data.pose.JOINT_NAMES

JOINT_RECORD_FIELDS = (
    "x", "y", "z",                      # camera space, metres
    "depthX", "depthY",                 # depth-image pixel coordinates
    "colorX", "colorY",                 # colour-image pixel coordinates
    "orientationW", "orientationX", "orientationY", "orientationZ",  # joint quaternion
    "trackingState",                    # 0 not tracked, 1 inferred, 2 tracked
)  # fmt: skip

BODY_INFO_FIELDS = (
    "clipedEdges",  # (sic) the dataset's spelling
    "handLeftConfidence",
    "handLeftState",
    "handRightConfidence",
    "handRightState",
    "isRestricted",
    "leanX",
    "leanY",
    "trackingState",
)  # fmt: skip  (the body line is bodyID followed by these 9 values)

_TRACKING_STATES = (0.0, 1.0, 2.0)
_FLOAT32_MAX = float(np.finfo(np.float32).max)  # joints are returned as float32

_RESOURCES = Path(__file__).resolve().parents[1] / "resources"


# --------------------------------------------------------------------------------------------
# Sample names
# --------------------------------------------------------------------------------------------

_NAME_PATTERN = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})")
_NAME_HELP = (
    "expected an NTU RGB+D sample name of the pattern SsssCcccPpppRrrrAaaa "
    "(setup, camera, performer, replication, action; three digits each, from 001), "
    "e.g. S001C002P003R002A013"
)


@dataclass(frozen=True)
class SampleName:
    """The five fields of an NTU RGB+D sample name ``SsssCcccPpppRrrrAaaa`` (all 1-based)."""

    setup: int
    camera: int
    performer: int
    replication: int
    action: int

    @property
    def label(self) -> int:
        """Class index ``action - 1`` (0..59 for NTU RGB+D 60)."""
        return self.action - 1

    @property
    def name(self) -> str:
        return f"S{self.setup:03d}C{self.camera:03d}P{self.performer:03d}R{self.replication:03d}A{self.action:03d}"

    @property
    def action_name(self) -> str | None:
        """The class name from the dataset's README, or None beyond the 60 classes."""
        return ACTION_NAMES[self.label] if self.label < len(ACTION_NAMES) else None


def parse_sample_name(name: str | Path) -> SampleName:
    """Parse ``SsssCcccPpppRrrrAaaa`` from a name, a file name or a path.

    A trailing ``.skeleton`` (or any other suffix) and leading folders are ignored.

    Raises:
        DataFormatError: the name does not follow the pattern; the message names it.
    """
    stem = Path(name).name.split(".", 1)[0]
    match = _NAME_PATTERN.fullmatch(stem)
    if match is None:
        raise DataFormatError(f"{name}: not an NTU RGB+D sample name; {_NAME_HELP}", path=name)
    fields = [int(g) for g in match.groups()]
    if min(fields) < 1:
        raise DataFormatError(f"{name}: a field of the sample name is 000; {_NAME_HELP}", path=name)
    return SampleName(*fields)


def _load_missing_skeletons() -> frozenset[str]:
    # 3 lines of prose, then one sample name a line
    lines = (_RESOURCES / "ntu_missing_skeletons.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if _NAME_PATTERN.fullmatch(line.strip()))


def _load_action_names() -> tuple[str, ...]:
    with open(_RESOURCES / "ntu60_actions.csv", newline="", encoding="utf-8") as handle:
        rows = sorted((int(row["action_id"]), row["name"]) for row in csv.DictReader(handle))
    assert [i for i, _ in rows] == list(range(1, len(rows) + 1)), "action ids must be 1..N"
    return tuple(name for _, name in rows)


MISSING_SKELETONS: frozenset[str] = _load_missing_skeletons()
"""The dataset authors' 302 samples with missing or incomplete skeletons, to be left out."""

ACTION_NAMES: tuple[str, ...] = _load_action_names()
"""The 60 class names; ``ACTION_NAMES[label]`` with ``label = action - 1``."""


# --------------------------------------------------------------------------------------------
# The sample
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class NTUSample:
    """One ``.skeleton`` file, body by body.

    Shapes (``B`` bodies, ``T`` frames, 25 joints):

    * ``joint_records`` (B, T, 25, 12) float64: the 12 values of each joint line, in the order
      of :data:`JOINT_RECORD_FIELDS`; zeros where the body is absent. This is what
      :func:`write_skeleton` writes.
    * ``body_info`` (B, T, 9) float64: the body line after ``bodyID``, :data:`BODY_INFO_FIELDS`.
    * ``body_ids`` (B,): each body's ``bodyID``, bodies in order of first appearance.
    * ``positions`` (B, T) int16: the body's place in the frame's list of bodies, -1 if absent.
    * ``joints`` (B, T, 25, 3) float32: ``x y z`` in metres (derived, not an argument).

    A frame with zero bodies is kept, with every body absent (zeros) in it.
    """

    name: str
    joint_records: np.ndarray
    body_info: np.ndarray
    body_ids: list[int]
    positions: np.ndarray
    path: Path | None = None
    joints: np.ndarray = field(init=False, repr=False)
    info: SampleName = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.info = parse_sample_name(self.name)
        self.joint_records = np.asarray(self.joint_records, dtype=np.float64)
        self.body_info = np.asarray(self.body_info, dtype=np.float64)
        self.positions = np.asarray(self.positions, dtype=np.int16)
        self.body_ids = [int(b) for b in self.body_ids]
        b, t = len(self.body_ids), self.positions.shape[-1] if self.positions.ndim == 2 else -1
        expected = {
            "joint_records": (self.joint_records.shape, (b, t, NUM_JOINTS, 12)),
            "body_info": (self.body_info.shape, (b, t, 9)),
            "positions": (self.positions.shape, (b, t)),
        }
        for what, (got, want) in expected.items():
            if got != want:
                raise ValueError(f"{self.name}: {what} has shape {got}, expected {want}")
        self.joints = self.joint_records[..., :3].astype(np.float32)

    # ---- sizes and masks ------------------------------------------------------------------
    @property
    def num_frames(self) -> int:
        return self.positions.shape[1]

    @property
    def num_bodies(self) -> int:
        return len(self.body_ids)

    @property
    def present(self) -> np.ndarray:
        """(B, T) bool: the body is listed in the frame."""
        return self.positions >= 0

    @property
    def tracking_states(self) -> np.ndarray:
        """(B, T, 25) int8: joint tracking state, 0 not tracked, 1 inferred, 2 tracked."""
        return self.joint_records[..., 11].astype(np.int8)

    @property
    def body_tracking_states(self) -> np.ndarray:
        """(B, T) int8: the body line's trackingState."""
        return self.body_info[..., 8].astype(np.int8)

    @property
    def label(self) -> int:
        return self.info.label

    # ---- construction from arrays (synthetic data) -------------------------------------------
    @classmethod
    def from_joints(
        cls,
        name: str,
        joints: np.ndarray,
        *,
        body_ids: Sequence[int] | None = None,
        present: np.ndarray | None = None,
        tracking_states: np.ndarray | None = None,
    ) -> NTUSample:
        """Build a sample from coordinates alone, e.g. to write synthetic data in NTU format.

        Args:
            name: sample name ``SsssCcccPpppRrrrAaaa``.
            joints: (T, 25, 3) for one body or (B, T, 25, 3), metres.
            body_ids: one ``bodyID`` a body; default 1..B.
            present: (B, T) bool, the body is listed in the frame; default all True. Joints of
                absent bodies are set to zero.
            tracking_states: (B, T, 25) joint tracking states 0/1/2; default 2 (tracked).

        Depth and colour pixel coordinates, orientations and the body line's other values are
        zero; the body line's trackingState is 2 where the body is present.
        """
        joints = np.asarray(joints, dtype=np.float64)
        if joints.ndim == 3:
            joints = joints[None]
        if joints.ndim != 4 or joints.shape[2:] != (NUM_JOINTS, 3):
            raise ValueError(f"joints must be (T, 25, 3) or (B, T, 25, 3), got {joints.shape}")
        num_bodies, num_frames = joints.shape[:2]
        if present is None:
            present = np.ones((num_bodies, num_frames), bool)
        present = np.asarray(present, bool)
        if present.shape != (num_bodies, num_frames):
            raise ValueError(f"present must be {(num_bodies, num_frames)}, got {present.shape}")
        states = np.full((num_bodies, num_frames, NUM_JOINTS), 2.0)
        if tracking_states is not None:
            states[:] = tracking_states
        records = np.zeros((num_bodies, num_frames, NUM_JOINTS, 12))
        records[..., :3] = joints
        records[..., 11] = states
        records[~present] = 0.0
        info = np.zeros((num_bodies, num_frames, 9))
        info[..., 8] = np.where(present, 2.0, 0.0)
        positions = np.where(present, np.cumsum(present, axis=0) - 1, -1)
        ids = list(range(1, num_bodies + 1)) if body_ids is None else list(body_ids)
        if len(ids) != num_bodies:
            raise ValueError(f"{len(ids)} body_ids for {num_bodies} bodies")
        return cls(name, records, info, ids, positions)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class _Lines:
    """Non-blank lines of a file with their 1-based line numbers, for precise error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.index = 0

    def error(self, lineno: int, message: str) -> DataFormatError:
        where = f"{self.path}, line {lineno}"
        return DataFormatError(f"{where}: {message}", path=self.path, line=lineno)

    def next_or_none(self) -> tuple[int, list[str]] | None:
        """The next non-blank line's number and tokens, or None at the end of the file."""
        while self.index < len(self.lines):
            self.index += 1
            tokens = self.lines[self.index - 1].split()
            if tokens:
                return self.index, tokens
        return None

    def next(self, expected: str) -> tuple[int, list[str]]:
        found = self.next_or_none()
        if found is not None:
            return found
        raise self.error(len(self.lines) + 1, f"unexpected end of file (truncated?); expected {expected}")

    def count(self, expected: str) -> tuple[int, int]:
        lineno, tokens = self.next(expected)
        if len(tokens) != 1 or not tokens[0].isdigit():
            raise self.error(lineno, f"expected {expected}, found {' '.join(tokens)!r}")
        return lineno, int(tokens[0])

    def numbers(self, lineno: int, tokens: list[str], what: str) -> list[float]:
        values = []
        for i, token in enumerate(tokens):
            try:
                value = float(token)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or "_" in token:
                raise self.error(lineno, f"value {i + 1} of {what} is {token!r}; expected a finite number")
            values.append(value)
        return values


def read_skeleton(path: str | Path) -> NTUSample:
    """Read one NTU RGB+D ``.skeleton`` file.

    The file must be named ``SsssCcccPpppRrrrAaaa.skeleton``. Bodies are matched across frames
    by ``bodyID`` (numbered in order of first appearance; should a frame list one ``bodyID``
    twice, the second is a body of its own). A frame with zero bodies is kept, with every body
    absent from it (zeros). Blank lines are skipped.

    Raises:
        DataFormatError: naming the file, the line and what was expected there, for a
            truncated file, a wrong number of values on a line, a value that is not a finite
            number, a joint count other than 25, a tracking state other than 0/1/2, x y z
            beyond the float32 range, text after the last frame, or a file name that is not an
            NTU sample name.
    """
    path = Path(path)
    info = parse_sample_name(path)
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError as error:
        raise DataFormatError(
            f"{path}: byte {error.start} is not ASCII; expected the .skeleton text format",
            path=path,
        ) from None
    lines = _Lines(path, text)

    _, num_frames = lines.count("the number of frames (one non-negative integer)")
    keys: dict[tuple[int, int], int] = {}  # (bodyID, occurrence in frame) -> body number
    entries: list[tuple[int, int, int]] = []  # (body number, frame, position)
    infos: list[list[float]] = []
    records: list[list[float]] = []
    for frame in range(num_frames):
        where = f"frame {frame + 1} of {num_frames}"
        _, num_bodies = lines.count(f"the number of bodies in {where} (one non-negative integer)")
        seen: dict[int, int] = {}
        for position in range(num_bodies):
            body = f"body {position + 1} of {num_bodies} in {where}"
            lineno, tokens = lines.next(f"the body line of {body}")
            if len(tokens) != 10:
                raise lines.error(
                    lineno,
                    f"expected 10 values (bodyID {' '.join(BODY_INFO_FIELDS)}) for {body}, found {len(tokens)}",
                )
            if not tokens[0].isdigit():
                raise lines.error(lineno, f"bodyID of {body} is {tokens[0]!r}; expected a non-negative integer")
            body_id = int(tokens[0])
            infos.append(lines.numbers(lineno, tokens[1:], f"the body line of {body}"))
            occurrence = seen.get(body_id, 0)
            seen[body_id] = occurrence + 1
            number = keys.setdefault((body_id, occurrence), len(keys))
            entries.append((number, frame, position))

            lineno, num_joints = lines.count(f"the number of joints of {body} (25)")
            if num_joints != NUM_JOINTS:
                raise lines.error(lineno, f"{body} has {num_joints} joints; expected {NUM_JOINTS} (Kinect v2)")
            for joint in range(NUM_JOINTS):
                what = f"joint {joint + 1} of {body}"
                lineno, tokens = lines.next(f"{what} (12 values)")
                if len(tokens) != 12:
                    raise lines.error(
                        lineno,
                        f"expected 12 values ({' '.join(JOINT_RECORD_FIELDS)}) for {what}, found {len(tokens)}",
                    )
                values = lines.numbers(lineno, tokens, what)
                if values[11] not in _TRACKING_STATES:
                    raise lines.error(lineno, f"trackingState of {what} is {tokens[11]!r}; expected 0, 1 or 2")
                if max(map(abs, values[:3])) > _FLOAT32_MAX:
                    raise lines.error(lineno, f"x y z of {what} exceed the float32 range; expected metres")
                records.append(values)
    extra = lines.next_or_none()
    if extra is not None:
        raise lines.error(
            extra[0],
            f"expected the end of the file after {num_frames} frames, found {' '.join(extra[1])!r}",
        )

    num_bodies = len(keys)
    joint_records = np.zeros((num_bodies, num_frames, NUM_JOINTS, 12))
    body_info = np.zeros((num_bodies, num_frames, 9))
    positions = np.full((num_bodies, num_frames), -1, dtype=np.int16)
    if entries:
        number, frame, position = (np.array(column) for column in zip(*entries))
        joint_records[number, frame] = np.asarray(records).reshape(-1, NUM_JOINTS, 12)
        body_info[number, frame] = np.asarray(infos)
        positions[number, frame] = position
    body_ids = [body_id for body_id, _ in sorted(keys, key=keys.__getitem__)]
    return NTUSample(info.name, joint_records, body_info, body_ids, positions, path=path)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    """Shortest text that reads back as the same float64; whole numbers without a point."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def write_skeleton(path: str | Path, sample: NTUSample) -> Path:
    """Write ``sample`` in the ``.skeleton`` text format; :func:`read_skeleton` reads it back.

    Writes ``joint_records``, ``body_info``, ``body_ids`` and, frame by frame, the bodies in the
    order of ``positions``. Numbers are written as the shortest text that reads back as the
    same float64 (whole numbers without a decimal point), which reproduces the real files'
    text. Writing to a name that is not an NTU sample name is allowed; reading it is not.

    Raises:
        ValueError: non-finite values, or ``positions`` in a frame that are not 0..k-1.
    """
    path = Path(path)
    if not (np.isfinite(sample.joint_records).all() and np.isfinite(sample.body_info).all()):
        raise ValueError(f"{sample.name}: cannot write non-finite values")
    out: list[str] = [str(sample.num_frames)]
    for frame in range(sample.num_frames):
        column = sample.positions[:, frame]
        bodies = np.flatnonzero(column >= 0)
        bodies = bodies[np.argsort(column[bodies], kind="stable")]
        if not np.array_equal(column[bodies], np.arange(len(bodies))):
            raise ValueError(
                f"{sample.name}: positions in frame {frame + 1} are {column[bodies].tolist()}, "
                f"expected 0..{len(bodies) - 1}"
            )
        out.append(str(len(bodies)))
        for body in bodies:
            body_line = sample.body_info[body, frame].tolist()
            out.append(" ".join([str(sample.body_ids[body]), *map(_format_number, body_line)]))
            out.append(str(NUM_JOINTS))
            for record in sample.joint_records[body, frame].tolist():
                out.append(" ".join(map(_format_number, record)))
    path.write_text("\n".join(out) + "\n", encoding="ascii")
    return path


# --------------------------------------------------------------------------------------------
# The main body
# --------------------------------------------------------------------------------------------


def main_body_index(sample: NTUSample) -> int:
    """The body with the largest summed variance of x, y and z over time.

    The dataset authors' suggestion for samples with several bodies (people walking by, or a
    spurious body from furniture). The score of body b is

    .. math:: \\sum_{j=1}^{25} \\sum_{c \\in \\{x, y, z\\}} \\operatorname{Var}_t\\, P^b_{t, j, c}

    over the frames where body b is present (0 for a body seen in one frame). Ties go to the
    body that appears first.

    Raises:
        DataFormatError: no body in any frame.
    """
    if sample.num_bodies == 0:
        raise DataFormatError(
            f"{sample.path or sample.name}: no body in any of its {sample.num_frames} frames; "
            "expected at least one (the dataset authors list such samples in MISSING_SKELETONS)",
            path=sample.path,
        )
    scores = [
        float(sample.joint_records[b, sample.present[b], :, :3].var(axis=0).sum()) for b in range(sample.num_bodies)
    ]
    return int(np.argmax(scores))


def main_body(sample: NTUSample) -> np.ndarray:
    """(T, 25, 3) float32 joints of :func:`main_body_index`'s body; zeros where it is absent."""
    return sample.joints[main_body_index(sample)]


# --------------------------------------------------------------------------------------------
# Evaluation protocols
# --------------------------------------------------------------------------------------------

CROSS_SUBJECT_TRAIN_PERFORMERS = frozenset(
    {1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38}
)  # Shahroudy et al. 2016, Sec. 4.1; all other performers are test
THESIS_VALIDATION_PERFORMERS = frozenset({25, 27, 28, 31, 34, 35, 38})  # thesis Sec. 3.1.1
CROSS_VIEW_TRAIN_CAMERAS = frozenset({2, 3})  # camera 1 is test


@dataclass(frozen=True)
class Split:
    """Three disjoint lists of the items given to a split function, in their given order."""

    train: list
    validation: list
    test: list


def _check_performers(performers: Iterable[int], allowed: frozenset[int] | None) -> frozenset[int]:
    performers = frozenset(int(p) for p in performers)
    if allowed is not None and not performers <= allowed:
        raise ValueError(
            f"validation performers {sorted(performers - allowed)} are not training performers {sorted(allowed)}"
        )
    return performers


def cross_subject_split(
    names: Iterable[str | Path],
    *,
    validation_performers: Iterable[int] = THESIS_VALIDATION_PERFORMERS,
) -> Split:
    """Cross-subject protocol with the thesis's validation performers.

    Performers 1, 2, 4, 5, 8, 9, 13-19, 25, 27, 28, 31, 34, 35 and 38 train, all others test
    (Shahroudy et al. 2016). The thesis (Sec. 3.1.1) holds performers 25, 27, 28, 31, 34, 35
    and 38 out of training as a validation set of unseen subjects, "half the size of the test
    set". Pass ``validation_performers=()`` for the standard two-way split.

    Args:
        names: sample names, file names or paths; returned as given.
    """
    held_out = _check_performers(validation_performers, CROSS_SUBJECT_TRAIN_PERFORMERS)
    split = Split([], [], [])
    for item in names:
        performer = parse_sample_name(item).performer
        if performer not in CROSS_SUBJECT_TRAIN_PERFORMERS:
            split.test.append(item)
        elif performer in held_out:
            split.validation.append(item)
        else:
            split.train.append(item)
    return split


def cross_view_split(names: Iterable[str | Path], *, validation_performers: Iterable[int] = ()) -> Split:
    """Cross-view protocol: cameras 2 and 3 train, camera 1 tests (Shahroudy et al. 2016).

    The thesis defines no cross-view validation set; by default it is empty. Training-camera
    samples of ``validation_performers`` go to validation if given.
    """
    held_out = _check_performers(validation_performers, None)
    split = Split([], [], [])
    for item in names:
        parsed = parse_sample_name(item)
        if parsed.camera not in CROSS_VIEW_TRAIN_CAMERAS:
            split.test.append(item)
        elif parsed.performer in held_out:
            split.validation.append(item)
        else:
            split.train.append(item)
    return split


# --------------------------------------------------------------------------------------------
# A folder of samples
# --------------------------------------------------------------------------------------------


def list_skeleton_files(root: str | Path, *, skip_missing: bool = True) -> list[Path]:
    """Sorted ``.skeleton`` files under ``root`` (searched recursively).

    Args:
        skip_missing: leave out the dataset authors' samples with missing skeletons
            (:data:`MISSING_SKELETONS`).

    Raises:
        FileNotFoundError: ``root`` is not a folder.
        DataFormatError: no ``.skeleton`` file under ``root``, or one not named as NTU names.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder (expected NTU RGB+D .skeleton files)")
    files = sorted(root.rglob("*.skeleton"))
    if not files:
        raise DataFormatError(
            f"{root}: no .skeleton files; expected NTU RGB+D skeleton files named "
            "SsssCcccPpppRrrrAaaa.skeleton (the dataset's nturgb+d_skeletons folder)",
            path=root,
        )
    for file in files:
        parse_sample_name(file)
    if skip_missing:
        files = [f for f in files if f.stem not in MISSING_SKELETONS]
    return files


Protocol = Literal["cross_subject", "cross_view"]
SplitName = Literal["train", "validation", "test", "all"]
_PROTOCOLS: dict[str, Callable[..., Split]] = {
    "cross_subject": cross_subject_split,
    "cross_view": cross_view_split,
}
_SPLITS = ("train", "validation", "test", "all")


class NTUSkeletonDataset(torch.utils.data.Dataset):
    """The main body of each sample of a folder of NTU RGB+D ``.skeleton`` files.

    Each item is a dict:

    * ``"joints"``: float32 tensor (T, J, 3), the main body (:func:`main_body`, zeros where it
      is absent) after ``transform``; J = 25 unless ``transform`` changes it.
    * ``"label"``: int, ``action - 1``.
    * ``"name"``: str, the sample name.

    Sequences differ in length T, so batching them needs a padding collate function.

    Args:
        root: folder holding the ``.skeleton`` files (searched recursively).
        split: ``"train"``, ``"validation"``, ``"test"`` or ``"all"``.
        protocol: ``"cross_subject"`` (thesis validation performers held out of training) or
            ``"cross_view"`` (no validation set unless ``validation_performers`` is given).
        transform: applied to the (T, 25, 3) float32 numpy array, e.g.
            ``functools.partial(motion_rnn.data.pose.preprocess, align=True)``.
        validation_performers: overrides the protocol's validation performers.
        skip_missing: leave out :data:`MISSING_SKELETONS` (the dataset authors' advice).
        preload: read every file once now instead of at each access.
    """

    def __init__(
        self,
        root: str | Path,
        *,
        split: SplitName,
        protocol: Protocol = "cross_subject",
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        validation_performers: Iterable[int] | None = None,
        skip_missing: bool = True,
        preload: bool = False,
    ) -> None:
        if protocol not in _PROTOCOLS:
            raise ValueError(f"protocol={protocol!r}; expected one of {sorted(_PROTOCOLS)}")
        if split not in _SPLITS:
            raise ValueError(f"split={split!r}; expected one of {list(_SPLITS)}")
        files = list_skeleton_files(root, skip_missing=skip_missing)
        if split != "all":
            kwargs = {} if validation_performers is None else {"validation_performers": validation_performers}
            files = getattr(_PROTOCOLS[protocol](files, **kwargs), split)
        self.files: list[Path] = files
        self.names: list[str] = [f.stem for f in files]
        self.labels: list[int] = [parse_sample_name(f).label for f in files]
        self.transform = transform
        self._cache: list[np.ndarray] | None = None
        if preload:
            self._cache = [main_body(read_skeleton(f)) for f in files]

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> dict:
        joints = self._cache[index] if self._cache is not None else main_body(read_skeleton(self.files[index]))
        if self.transform is not None:
            joints = self.transform(joints)
        return {
            "joints": torch.as_tensor(np.ascontiguousarray(joints, dtype=np.float32)),
            "label": self.labels[index],
            "name": self.names[index],
        }


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def summary(sample: NTUSample) -> dict:
    """The fields the command line prints for one file."""
    parsed = sample.info
    return {
        "file": str(sample.path) if sample.path is not None else None,
        "frames": sample.num_frames,
        "bodies": sample.num_bodies,
        "body_ids": sample.body_ids,
        "setup": parsed.setup,
        "camera": parsed.camera,
        "performer": parsed.performer,
        "replication": parsed.replication,
        "action": parsed.action,
        "label": parsed.label,
        "action_name": parsed.action_name,
    }
