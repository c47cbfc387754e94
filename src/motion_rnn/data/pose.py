"""Skeleton preprocessing of Le Roux (2017), *Learning action recognition from 3D poses*.

Every function takes skeleton sequences ``(T, J, 3)``, or batches ``(..., T, J, 3)`` where
noted, as numpy arrays with J = 25 (the Kinect v2 skeleton of NTU RGB+D, :data:`JOINT_NAMES`)
or J = 13 (:data:`SUBSET_13`, the joints that the video pose estimator LCR-net also gives).

What the thesis does, and where:

* Sec. 3.1.1, gap filling: "when there is a skeleton sequence containing Kinect failures, we
  exploit a cubic spline curve on each joints coordinates to roughly fill out the missing
  data" -> :func:`fill_missing`.
* Sec. 3.1.1, the baseline's only normalisation (after Zhang et al. 2017): "the skeleton
  sequence coordinates are translated such that the torso joint of the initial skeleton lies
  at the origin" -> :func:`translate_to_first_torso`.
* Sec. 3.3.2, skeleton motion :math:`M_t = P_{t+1} - P_t` -> :func:`skeleton_motion`.
* Sec. 4.2.2, the common representation of Kinect and video skeletons: dropping 12 joints
  (:data:`SUBSET_13`), then "pose alignment" = per-frame translation, one rotation from the
  first frame's shoulders and hips, one scale from bone-length statistics -> :func:`align_poses`.
  Table 9 crosses 13/25 joints with and without alignment -> :func:`preprocess`.

Where the thesis leaves a detail open, the choice made here is marked "Our choice".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.interpolate import CubicSpline

__all__ = [
    "BONES_13",
    "BONES_25",
    "JOINT_NAMES",
    "NTU13",
    "NTU25",
    "SUBSET_13",
    "SUBSET_13_NAMES",
    "TORSO",
    "JointLayout",
    "align_poses",
    "bone_length_statistics",
    "bone_lengths",
    "fill_missing",
    "layout_for",
    "missing_joints",
    "preprocess",
    "rotation_from_pose",
    "scale_factor",
    "select_joints",
    "skeleton_motion",
    "torso_position",
    "translate_per_frame",
    "translate_to_first_torso",
]

# --------------------------------------------------------------------------------------------
# Joints
# --------------------------------------------------------------------------------------------

JOINT_NAMES: tuple[str, ...] = (
    "SpineBase", "SpineMid", "Neck", "Head",                                   # 0-3
    "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",                      # 4-7
    "ShoulderRight", "ElbowRight", "WristRight", "HandRight",                   # 8-11
    "HipLeft", "KneeLeft", "AnkleLeft", "FootLeft",                            # 12-15
    "HipRight", "KneeRight", "AnkleRight", "FootRight",                        # 16-19
    "SpineShoulder", "HandTipLeft", "ThumbLeft", "HandTipRight", "ThumbRight",  # 20-24
)  # fmt: skip
"""The 25 Kinect v2 joints in the order of the ``.skeleton`` files (0-based)."""

TORSO = 1
"""The torso joint of the 25-joint skeleton: SpineMid, the middle of the spine (the origin
Shahroudy et al. use for NTU RGB+D)."""

SUBSET_13: tuple[int, ...] = (3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18)
"""Sec. 4.2.2: "skeletons estimated from videos with LCR-net only contain 13 joints of the NTU
RGB+D skeletons. To bridge this gap, we drop 12 joints of the NTU RGB+D skeletons (fingers,
toes, ...)". The 13 kept are LCR-net's: head, shoulders, elbows, wrists, hips, knees, ankles.
The 12 dropped: SpineBase, SpineMid, Neck, SpineShoulder, HandLeft/Right, HandTipLeft/Right,
ThumbLeft/Right, FootLeft/Right. Kept in the NTU order."""

SUBSET_13_NAMES: tuple[str, ...] = tuple(JOINT_NAMES[j] for j in SUBSET_13)

BONES_25: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 20), (20, 2), (2, 3),                         # spine and head
    (20, 4), (4, 5), (5, 6), (6, 7), (7, 21), (6, 22),        # left arm
    (20, 8), (8, 9), (9, 10), (10, 11), (11, 23), (10, 24),   # right arm
    (0, 12), (12, 13), (13, 14), (14, 15),                    # left leg
    (0, 16), (16, 17), (17, 18), (18, 19),                    # right leg
)  # fmt: skip
"""The 24 bones (parent, child) of the Kinect v2 skeleton."""

BONES_13: tuple[tuple[int, int], ...] = (
    (1, 2), (2, 3), (4, 5), (5, 6),        # upper and lower arms (indices into SUBSET_13)
    (7, 8), (8, 9), (10, 11), (11, 12),    # thighs and shanks
    (1, 4), (7, 10), (1, 7), (4, 10),      # the torso: shoulders, hips, both sides
)  # fmt: skip
"""12 bones among the 13 joints (no spine or neck joint is left, so the head has none)."""


@dataclass(frozen=True)
class JointLayout:
    """Where the joints that the preprocessing needs sit in a skeleton of ``len(names)`` joints.

    ``torso`` is a joint index, or None for the mean of the two shoulders and two hips.
    """

    names: tuple[str, ...]
    shoulder_left: int
    shoulder_right: int
    hip_left: int
    hip_right: int
    torso: int | None
    bones: tuple[tuple[int, int], ...]

    @property
    def num_joints(self) -> int:
        return len(self.names)


NTU25 = JointLayout(JOINT_NAMES, 4, 8, 12, 16, TORSO, BONES_25)
NTU13 = JointLayout(
    SUBSET_13_NAMES,
    SUBSET_13.index(4), SUBSET_13.index(8), SUBSET_13.index(12), SUBSET_13.index(16),
    None,  # Our choice: no spine joint is left; the torso is the centre of shoulders and hips
    BONES_13,
)  # fmt: skip


def layout_for(num_joints: int) -> JointLayout:
    """:data:`NTU25` or :data:`NTU13` by the number of joints."""
    layouts = {25: NTU25, 13: NTU13}
    if num_joints not in layouts:
        raise ValueError(f"skeletons of {num_joints} joints; expected 25 (NTU) or 13 (SUBSET_13)")
    return layouts[num_joints]


def _check(seq: np.ndarray, *, batched: bool = True) -> np.ndarray:
    seq = np.asarray(seq)
    if seq.ndim < 3 or seq.shape[-1] != 3 or (not batched and seq.ndim != 3):
        want = "(..., T, J, 3)" if batched else "(T, J, 3)"
        raise ValueError(f"expected a skeleton sequence {want}, got shape {seq.shape}")
    if not np.issubdtype(seq.dtype, np.floating):
        seq = seq.astype(np.float64)
    return seq


def select_joints(seq: np.ndarray, joints: Iterable[int] = SUBSET_13) -> np.ndarray:
    """(..., T, 25, 3) -> (..., T, len(joints), 3); by default the 13 joints of Sec. 4.2.2."""
    seq = _check(seq)
    return seq[..., list(joints), :]


def torso_position(seq: np.ndarray) -> np.ndarray:
    """(..., T, J, 3) -> (..., T, 3): the torso joint (SpineMid) for 25 joints; for 13 joints,
    which have no spine joint, the mean of the two shoulders and the two hips."""
    seq = _check(seq)
    layout = layout_for(seq.shape[-2])
    if layout.torso is not None:
        return seq[..., layout.torso, :]
    four = [layout.shoulder_left, layout.shoulder_right, layout.hip_left, layout.hip_right]
    return seq[..., four, :].mean(axis=-2)


# --------------------------------------------------------------------------------------------
# Gap filling (Sec. 3.1.1)
# --------------------------------------------------------------------------------------------


def missing_joints(seq: np.ndarray) -> np.ndarray:
    """(..., T, J, 3) -> (..., T, J) bool: a joint the sensor lost.

    Lost means a NaN coordinate, or all three coordinates exactly 0: the Kinect writes zeros
    for a joint it did not see, and the NTU reader writes zeros where the body is absent.
    """
    seq = _check(seq)
    return np.isnan(seq).any(axis=-1) | (seq == 0).all(axis=-1)


def fill_missing(seq: np.ndarray, *, missing: np.ndarray | None = None) -> np.ndarray:
    """Fill lost joints with a cubic spline over time, per joint coordinate (Sec. 3.1.1).

    For joint j and coordinate c, with :math:`\\mathcal{V}_j` the frames where j was seen,

    .. math:: \\hat P_{t,j,c} = S_{j,c}(t), \\quad S_{j,c} \\text{ the cubic spline through }
              \\{(\\tau, P_{\\tau,j,c}) : \\tau \\in \\mathcal{V}_j\\},

    at the lost frames :math:`t \\notin \\mathcal{V}_j`; seen values are kept as they are.
    ``scipy.interpolate.CubicSpline`` with its default not-a-knot end conditions (two seen
    frames give a straight line).

    Edges (our choice; the thesis does not say): a spline is not extrapolated. Lost frames
    before the first (after the last) seen frame of a joint take that first (last) seen value.
    A joint seen in one frame only is held at that value; a joint never seen stays at zero.

    Args:
        seq: (..., T, J, 3).
        missing: (..., T, J) bool, the joints to fill; default :func:`missing_joints`. Pass
            e.g. ``tracking_states == 0`` to fill joints the sensor did not track.

    Returns:
        an array of the same shape and floating dtype as ``seq``.
    """
    seq = _check(seq)
    missing = missing_joints(seq) if missing is None else np.asarray(missing, dtype=bool)
    if missing.shape != seq.shape[:-1]:
        raise ValueError(f"missing has shape {missing.shape}, expected {seq.shape[:-1]}")
    out = seq.astype(np.float64)  # a copy
    flat, flat_missing = out.reshape(-1, *seq.shape[-3:]), missing.reshape(-1, *seq.shape[-3:-1])
    times = np.arange(seq.shape[-3])
    for sequence, lost in zip(flat, flat_missing):
        for joint in np.flatnonzero(lost.any(axis=0)):
            seen = ~lost[:, joint]
            if not seen.any():
                sequence[:, joint] = 0.0
                continue
            t_seen, values = times[seen], sequence[seen, joint]  # (n,), (n, 3)
            filled = np.empty((len(times), 3))
            first, last = t_seen[0], t_seen[-1]
            filled[:first] = values[0]
            filled[last + 1 :] = values[-1]
            if len(t_seen) >= 2:
                spline = CubicSpline(t_seen, values, axis=0)  # S_{j,c}, all three c at once
                filled[first : last + 1] = spline(times[first : last + 1])
            else:
                filled[first] = values[0]
            sequence[lost[:, joint], joint] = filled[lost[:, joint]]
    return out.astype(seq.dtype, copy=False)


# --------------------------------------------------------------------------------------------
# Translation, motion (Secs. 3.1.1, 3.3.2)
# --------------------------------------------------------------------------------------------


def translate_to_first_torso(seq: np.ndarray) -> np.ndarray:
    """The baseline's normalisation (Sec. 3.1.1): the torso of the first frame at the origin.

    .. math:: \\tilde P_t = P_t - \\mathbf{1}\\, p^{\\mathrm{torso}}_1

    (..., T, J, 3) -> (..., T, J, 3); every frame moves by the same vector.
    """
    seq = _check(seq)
    return seq - torso_position(seq)[..., :1, None, :]


def translate_per_frame(seq: np.ndarray) -> np.ndarray:
    """Sec. 4.2.2, translation: each frame relative to its own torso.

    .. math:: \\tilde P_t = P_t - \\mathbf{1}\\, p^{\\mathrm{torso}}_t

    The actor's displacement in the room is lost, as it is for poses estimated frame by frame
    from video.
    """
    seq = _check(seq)
    return seq - torso_position(seq)[..., :, None, :]


def skeleton_motion(seq: np.ndarray) -> np.ndarray:
    """Skeleton motion of Sec. 3.3.2 (after Li et al.): (..., T, J, 3) -> (..., T-1, J, 3).

    .. math:: M_t = P_{t+1} - P_t
    """
    seq = _check(seq)
    return np.diff(seq, axis=-3)


# --------------------------------------------------------------------------------------------
# Pose alignment (Sec. 4.2.2)
# --------------------------------------------------------------------------------------------


def rotation_from_pose(pose: np.ndarray, *, eps: float = 1e-9) -> np.ndarray:
    """The rotation of Sec. 4.2.2 from one pose's shoulders and hips; (..., J, 3) -> (..., 3, 3).

    "We define as x-axis the vector from the right shoulder to the left shoulder. [...] we
    constrain the y-axis to lie in the plane defined by the two shoulders and the middle of the
    hips." With :math:`m_s, m_h` the middles of the shoulders and of the hips:

    .. math::
        x = \\frac{p_{sl} - p_{sr}}{\\lVert p_{sl} - p_{sr} \\rVert}, \\quad
        y = \\frac{v - (v^\\top x)\\, x}{\\lVert v - (v^\\top x)\\, x \\rVert},\\ v = m_s - m_h,
        \\quad z = x \\times y, \\quad R = [x\\ y\\ z]^\\top

    so that :math:`R p` expresses p in the body's frame: x to the actor's left, y up the
    trunk, z forward (right-handed; our choice of signs, the thesis gives none).

    Raises:
        ValueError: the shoulders coincide, or the hips' middle lies on the shoulder line.
    """
    pose = np.asarray(pose, dtype=np.float64)
    layout = layout_for(pose.shape[-2])
    left, right = pose[..., layout.shoulder_left, :], pose[..., layout.shoulder_right, :]
    hips = (pose[..., layout.hip_left, :] + pose[..., layout.hip_right, :]) / 2
    x = left - right
    x_norm = np.linalg.norm(x, axis=-1, keepdims=True)
    if (x_norm < eps).any():
        raise ValueError("cannot align: the two shoulders coincide in the reference frame")
    x = x / x_norm
    v = (left + right) / 2 - hips
    y = v - (v * x).sum(-1, keepdims=True) * x
    y_norm = np.linalg.norm(y, axis=-1, keepdims=True)
    if (y_norm < eps).any():
        raise ValueError("cannot align: the middle of the hips lies on the shoulder line")
    y = y / y_norm
    z = np.cross(x, y)
    return np.stack([x, y, z], axis=-2)


def bone_lengths(seq: np.ndarray) -> np.ndarray:
    """(..., T, J, 3) -> (..., T, num_bones): :math:`\\lVert P_{t,c} - P_{t,p} \\rVert` for each
    bone (p, c) of the layout (:data:`BONES_25` or :data:`BONES_13`)."""
    seq = _check(seq)
    parents, children = np.array(layout_for(seq.shape[-2]).bones).T
    return np.linalg.norm(seq[..., children, :] - seq[..., parents, :], axis=-1)


def bone_length_statistics(sequences: Iterable[np.ndarray]) -> np.ndarray:
    """Mean length of each bone over all frames of ``sequences`` (e.g. the training set).

    Sec. 4.2.2: "compute the length of body bones on the training set of the NTU RGB+D
    dataset". Frames where either end of a bone is lost (:func:`missing_joints`) are left out.
    Returns (num_bones,).
    """
    total, count = None, None
    for seq in sequences:
        seq = _check(seq)
        lengths = bone_lengths(seq).reshape(-1, len(layout_for(seq.shape[-2]).bones))
        parents, children = np.array(layout_for(seq.shape[-2]).bones).T
        lost = missing_joints(seq).reshape(-1, seq.shape[-2])
        valid = ~(lost[:, parents] | lost[:, children])
        sums, counts = np.where(valid, lengths, 0.0).sum(0), valid.sum(0)
        total = sums if total is None else total + sums
        count = counts if count is None else count + counts
    if total is None:
        raise ValueError("no sequences to compute bone lengths from")
    if (count == 0).any():
        raise ValueError("a bone is never seen in the given sequences")
    return total / count


def scale_factor(seq: np.ndarray, reference_bone_lengths: np.ndarray | None = None) -> np.ndarray:
    """One scale a sequence (Sec. 4.2.2): (..., T, J, 3) -> (...,).

    The thesis computes "for each skeleton sequence a single rescaling parameter s" from bone
    statistics without giving the formula. Our choice: the ratio of total skeleton sizes,

    .. math:: s = \\frac{\\sum_b \\bar L_b}{\\sum_b \\bar l_b}, \\quad
              \\bar l_b = \\frac{1}{T} \\sum_t \\lVert P_{t,c(b)} - P_{t,p(b)} \\rVert,

    with :math:`\\bar L_b` the reference (:func:`bone_length_statistics` of the training set).
    Without a reference, :math:`\\bar L_b = 1`: the scaled skeleton has unit mean bone length.
    """
    lengths = bone_lengths(seq).mean(axis=-2)  # (..., num_bones), \bar l_b
    reference = (
        np.ones(lengths.shape[-1])
        if reference_bone_lengths is None
        else np.asarray(reference_bone_lengths, dtype=np.float64)
    )
    if reference.shape != lengths.shape[-1:]:
        raise ValueError(f"reference_bone_lengths has shape {reference.shape}, expected {lengths.shape[-1:]}")
    size = lengths.sum(axis=-1)
    if (size <= 0).any():
        raise ValueError("cannot scale a skeleton whose bones all have zero length")
    return reference.sum() / size


def align_poses(
    seq: np.ndarray,
    *,
    reference_bone_lengths: np.ndarray | None = None,
    reference_frame: int = 0,
) -> np.ndarray:
    """Pose alignment of Sec. 4.2.2: per-frame translation, one rotation, one scale.

    .. math:: A_t = s\\, R\\, (P_t - \\mathbf{1}\\, p^{\\mathrm{torso}}_t)

    * translation: each frame's torso at the origin (:func:`translate_per_frame`);
    * rotation R from the shoulders and hips of the first frame (:func:`rotation_from_pose`),
      the same R for every frame;
    * scaling s from bone lengths (:func:`scale_factor`), one s for the sequence.

    The result does not change when the input is rotated, translated or uniformly scaled as a
    whole (up to rounding); its torso is at the origin in every frame, and in the reference
    frame the right-to-left shoulder vector lies along +x and the hips-to-shoulders vector in
    the x-y plane.

    Args:
        seq: (..., T, J, 3) with J = 25 or 13; fill lost joints first (:func:`fill_missing`).
        reference_bone_lengths: (num_bones,) from :func:`bone_length_statistics`; default unit
            mean bone length.
        reference_frame: the frame that fixes R (the thesis's first frame).

    Returns:
        (..., T, J, 3) in the dtype of ``seq``.
    """
    seq = _check(seq)
    centred = translate_per_frame(seq.astype(np.float64))  # P_t - p^torso_t
    rotation = rotation_from_pose(centred[..., reference_frame, :, :])  # R (..., 3, 3)
    rotated = np.einsum("...ij,...tkj->...tki", rotation, centred)  # R (P_t - p_t)
    scale = scale_factor(seq.astype(np.float64), reference_bone_lengths)  # s (...,)
    return (scale[..., None, None, None] * rotated).astype(seq.dtype, copy=False)


# --------------------------------------------------------------------------------------------
# The Table 9 pipelines
# --------------------------------------------------------------------------------------------


def preprocess(
    seq: np.ndarray,
    *,
    num_joints: Literal[25, 13] = 25,
    align: bool = False,
    fill: bool = True,
    reference_bone_lengths: np.ndarray | None = None,
) -> np.ndarray:
    """One cell of Table 9: (T, 25, 3) -> (T, num_joints, 3) float32.

    1. :func:`fill_missing` (Sec. 3.1.1), if ``fill``;
    2. keep :data:`SUBSET_13` if ``num_joints == 13`` (Sec. 4.2.2, "dropping joints");
    3. :func:`align_poses` if ``align`` (Sec. 4.2.2), else the baseline's
       :func:`translate_to_first_torso` (Sec. 3.1.1).

    Our choice: joints are dropped before the translation, so the 13-joint torso is the
    centre of shoulders and hips on NTU data and on video poses alike.
    """
    seq = _check(seq, batched=False)
    if num_joints not in (25, 13):
        raise ValueError(f"num_joints={num_joints!r}; expected 25 or 13")
    if seq.shape[1] != 25:
        raise ValueError(f"expected a 25-joint NTU sequence (T, 25, 3), got {seq.shape}")
    out = fill_missing(seq) if fill else seq
    if num_joints == 13:
        out = select_joints(out)
    out = align_poses(out, reference_bone_lengths=reference_bone_lengths) if align else translate_to_first_torso(out)
    return np.asarray(out, dtype=np.float32)
