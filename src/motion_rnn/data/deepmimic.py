"""Real motion capture as 13-joint NTU skeletons: DeepMimic's humanoid clips.

Le Roux (2017), Table 10, classifies poses estimated in real videos with a network trained on
Kinect skeletons. Synthetic skeletons (:mod:`motion_rnn.data.ntu.synthetic`) have none of the
thesis's ten actions, so the transfer set adds real human motion: the motion-capture clips of
DeepMimic (Peng et al. 2018), retargeted by its authors to a 15-link humanoid and shipped with
the ``pybullet`` wheel (``pybullet_data/data/motions/humanoid3d_*.txt``, the humanoid in
``pybullet_data/humanoid/humanoid.urdf``). The clips used are copied into
``resources/deepmimic/`` with their origin and licence (``provenance.json``), so nothing is
downloaded.

The format (``humanoid_pose_interpolator.py`` of pybullet's DeepMimic environment): a JSON object
``{"Loop": ..., "Frames": [[...], ...]}``, each frame 44 numbers: its duration in seconds, the
root (pelvis) position, the root orientation as a quaternion ``w, x, y, z``, then for chest,
neck, right hip, right knee, right ankle, right shoulder, right elbow, left hip, left knee, left
ankle, left shoulder, left elbow a local rotation: a quaternion ``w, x, y, z`` for the spherical
joints, one angle in radians about the joint's axis (z) for knees and elbows.
:data:`FRAME_LAYOUT` lists it.

Forward kinematics puts each joint at its parent's position plus the parent's world rotation
applied to the joint's offset in the URDF, scaled by 0.25 (pybullet's DeepMimic environment
loads the humanoid with ``globalScaling=0.25``: a pelvis 0.88 m above the ground and a head
1.5 m). The world is y-up, and the humanoid faces +x with its right side at +z.

Mapping to NTU's 13 joints (:data:`~motion_rnn.data.pose.SUBSET_13`): shoulders, elbows, wrists,
hips, knees and ankles are the URDF's joints of those names; the head is the centre of the
neck link's collision sphere (0.7 units above the neck joint), where the Kinect's Head joint
sits. NTU's camera axes (y up, z away from the camera, x to the image left) come from a camera
3 m in front of the humanoid's rest pose, looking at it (:data:`DEEPMIMIC_TO_NTU_AXES`); pose
alignment (:func:`motion_rnn.data.pose.align_poses`) removes the view anyway.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.interpolate import interp1d
from scipy.spatial.transform import Rotation, Slerp

from motion_rnn.data.errors import DataFormatError

__all__ = [
    "DEEPMIMIC_DIR",
    "DEEPMIMIC_TO_NTU_AXES",
    "FRAME_LAYOUT",
    "HumanoidSkeleton",
    "Motion",
    "forward_kinematics",
    "read_humanoid",
    "read_motion",
    "resample",
    "to_ntu13",
]

DEEPMIMIC_DIR = Path(__file__).resolve().parent / "resources" / "deepmimic"
"""The shipped clips, ``humanoid.urdf`` and ``provenance.json``."""

SCALE = 0.25
"""pybullet's DeepMimic environment loads the URDF with ``globalScaling=0.25``."""

FRAME_LAYOUT: tuple[tuple[str, int], ...] = (
    ("duration", 1),
    ("root_position", 3),
    ("root", 4),
    ("chest", 4),
    ("neck", 4),
    ("right_hip", 4),
    ("right_knee", 1),
    ("right_ankle", 4),
    ("right_shoulder", 4),
    ("right_elbow", 1),
    ("left_hip", 4),
    ("left_knee", 1),
    ("left_ankle", 4),
    ("left_shoulder", 4),
    ("left_elbow", 1),
)
"""The 44 numbers of a frame: (name, count); quaternions are ``w, x, y, z``."""

FRAME_SIZE = sum(n for _, n in FRAME_LAYOUT)

HEAD_OFFSET = (0.0, 0.7, 0.0)
"""The centre of the neck link's collision sphere in the neck's frame (URDF units)."""

NTU13_FROM_DEEPMIMIC: tuple[tuple[str, str], ...] = (
    ("Head", "head"),
    ("ShoulderLeft", "left_shoulder"),
    ("ElbowLeft", "left_elbow"),
    ("WristLeft", "left_wrist"),
    ("ShoulderRight", "right_shoulder"),
    ("ElbowRight", "right_elbow"),
    ("WristRight", "right_wrist"),
    ("HipLeft", "left_hip"),
    ("KneeLeft", "left_knee"),
    ("AnkleLeft", "left_ankle"),
    ("HipRight", "right_hip"),
    ("KneeRight", "right_knee"),
    ("AnkleRight", "right_ankle"),
)
"""For each joint of :data:`~motion_rnn.data.pose.SUBSET_13`, in its order: the humanoid's point
(a URDF joint, or ``head``). Both name sides from the person's point of view."""

DEEPMIMIC_TO_NTU_AXES = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])
"""NTU camera axes from DeepMimic's world axes, :math:`P_{NTU} = A P + (0, 0, 3)`: the humanoid's
right (+z) is NTU's +x (a person facing a Kinect has the right shoulder at the larger x, see
:data:`motion_rnn.data.estimated_poses.MEDIAPIPE_TO_NTU_AXES`), up stays up, and its front (+x)
faces the camera (-z). A rotation (determinant +1), so handedness is kept."""

CAMERA_DISTANCE = 3.0
"""Metres from the camera to the humanoid's starting position (NTU's actors stand 2-4 m away)."""


@dataclass(frozen=True)
class HumanoidSkeleton:
    """The humanoid's kinematic tree: for each joint its parent, offset (URDF units) and type."""

    parents: dict[str, str | None]
    offsets: dict[str, np.ndarray]
    kinds: dict[str, str]
    axes: dict[str, np.ndarray]


@dataclass(frozen=True)
class Motion:
    """One clip: ``durations`` (T,) seconds a frame, ``root_position`` (T, 3) metres, and
    ``rotations``: joint name -> (T, 4) quaternions ``w, x, y, z`` or (T,) angles."""

    name: str
    durations: np.ndarray
    root_position: np.ndarray
    rotations: dict[str, np.ndarray]
    loop: str

    @property
    def num_frames(self) -> int:
        return len(self.durations)


def _vector(text: str | None, where: str) -> np.ndarray:
    try:
        values = np.array([float(v) for v in (text or "").split()])
    except ValueError as error:
        raise DataFormatError(f"{where}: {text!r} is not three numbers") from error
    if values.shape != (3,):
        raise DataFormatError(f"{where}: {text!r} is not three numbers")
    return values


def read_humanoid(path: str | Path = DEEPMIMIC_DIR / "humanoid.urdf") -> HumanoidSkeleton:
    """The joints of DeepMimic's ``humanoid.urdf``: parent, offset, type (``fixed``, ``spherical``,
    ``revolute``) and axis, by child link name (the URDF names each joint after its child link)."""
    path = Path(path)
    try:
        # pybullet's copy ends with a NUL byte after </robot>, which XML parsers refuse.
        root = ET.fromstring(path.read_bytes().rstrip(b"\x00"))
    except (ET.ParseError, OSError) as error:
        raise DataFormatError(f"{path}: not a readable URDF file ({error})") from error
    parents, offsets, kinds, axes = {}, {}, {}, {}
    for joint in root.iter("joint"):
        parent, child, origin = joint.find("parent"), joint.find("child"), joint.find("origin")
        if parent is None or child is None:
            raise DataFormatError(f"{path}: joint {joint.get('name')!r} has no parent or child link")
        name = child.get("link")
        parents[name] = parent.get("link")
        where = f"{path}: joint {joint.get('name')!r}"
        offsets[name] = _vector(origin.get("xyz") if origin is not None else "0 0 0", where)
        kinds[name] = joint.get("type")
        axis = joint.find("axis")
        axes[name] = _vector(axis.get("xyz"), where) if axis is not None else np.array([0.0, 0.0, 1.0])
    parents = {name: (None if parents[name] not in parents else parents[name]) for name in parents}
    needed = {point for _, point in NTU13_FROM_DEEPMIMIC if point != "head"} | {"neck", "chest", "root"}
    missing = sorted(needed - set(parents))
    if missing:
        raise DataFormatError(f"{path}: the humanoid has no joint(s) {', '.join(missing)}")
    return HumanoidSkeleton(parents, offsets, kinds, axes)


def read_motion(path: str | Path) -> Motion:
    """A DeepMimic motion file -> :class:`Motion` (quaternions normalised)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        frames = np.asarray(data["Frames"], dtype=float)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataFormatError(
            f"{path}: not a DeepMimic motion file (a JSON object with 'Frames', a list of "
            f"{FRAME_SIZE}-number frames): {error}"
        ) from error
    if frames.ndim != 2 or frames.shape[1] != FRAME_SIZE or len(frames) < 2:
        raise DataFormatError(
            f"{path}: frames have shape {frames.shape}; expected at least 2 frames of {FRAME_SIZE} numbers"
        )
    if not np.isfinite(frames).all() or (frames[:-1, 0] <= 0).any():
        raise DataFormatError(f"{path}: frames hold non-finite numbers or non-positive durations")
    parts, start = {}, 0
    for name, count in FRAME_LAYOUT:
        parts[name] = frames[:, start : start + count]
        start += count
    rotations = {}
    for name, count in FRAME_LAYOUT[2:]:
        if count == 4:
            q = parts[name]
            rotations[name] = q / np.linalg.norm(q, axis=1, keepdims=True)
        else:
            rotations[name] = parts[name][:, 0]
    return Motion(
        name=path.stem.removeprefix("humanoid3d_"),
        durations=parts["duration"][:, 0],
        root_position=parts["root_position"],
        rotations=rotations,
        loop=str(data.get("Loop", "none")),
    )


def _rotation(motion: Motion, joint: str, axis: np.ndarray) -> Rotation:
    value = motion.rotations[joint]
    if value.ndim == 2:
        return Rotation.from_quat(value[:, [1, 2, 3, 0]])  # scipy takes x, y, z, w
    return Rotation.from_rotvec(value[:, None] * axis[None])


def forward_kinematics(motion: Motion, skeleton: HumanoidSkeleton | None = None) -> dict[str, np.ndarray]:
    """World positions (T, 3), in metres, of every joint of the humanoid and of ``head``."""
    skeleton = skeleton or read_humanoid()
    positions: dict[str, np.ndarray] = {}
    orientations: dict[str, Rotation] = {}

    def place(name: str) -> None:
        if name in positions:
            return
        parent = skeleton.parents[name]
        if parent is None:  # the root link sits at the motion's root
            positions[name] = motion.root_position + 0.0
            orientations[name] = _rotation(motion, "root", skeleton.axes[name])
            return
        place(parent)
        positions[name] = positions[parent] + orientations[parent].apply(SCALE * skeleton.offsets[name])
        own = (
            _rotation(motion, name, skeleton.axes[name])
            if skeleton.kinds[name] != "fixed" and name in motion.rotations
            else Rotation.identity(motion.num_frames)
        )
        orientations[name] = orientations[parent] * own

    for name in skeleton.parents:
        place(name)
    positions["head"] = positions["neck"] + orientations["neck"].apply(SCALE * np.asarray(HEAD_OFFSET))
    return positions


def to_ntu13(positions: dict[str, np.ndarray]) -> np.ndarray:
    """Forward kinematics' points -> (T, 13, 3) in the order of SUBSET_13, in NTU's camera axes."""
    world = np.stack([positions[point] for _, point in NTU13_FROM_DEEPMIMIC], axis=1)  # (T, 13, 3)
    start = positions["root"][0] * np.array([1.0, 0.0, 1.0])  # stand the camera before the start
    return (world - start) @ DEEPMIMIC_TO_NTU_AXES.T + np.array([0.0, 0.0, CAMERA_DISTANCE])


def resample(motion: Motion, fps: float = 30.0) -> Motion:
    """The clip at ``fps`` frames a second (NTU's 30), quaternions by spherical interpolation."""
    times = np.concatenate([[0.0], np.cumsum(motion.durations[:-1])])
    count = int(np.floor(times[-1] * fps + 1e-6)) + 1
    new = np.minimum(np.arange(count) / fps, times[-1])  # rounding must not step past the end
    rotations = {}
    for name, value in motion.rotations.items():
        if value.ndim == 2:
            slerp = Slerp(times, Rotation.from_quat(value[:, [1, 2, 3, 0]]))
            rotations[name] = slerp(new).as_quat()[:, [3, 0, 1, 2]]
        else:
            rotations[name] = interp1d(times, value)(new)
    return Motion(
        name=motion.name,
        durations=np.full(len(new), 1.0 / fps),
        root_position=interp1d(times, motion.root_position, axis=0)(new),
        rotations=rotations,
        loop=motion.loop,
    )
