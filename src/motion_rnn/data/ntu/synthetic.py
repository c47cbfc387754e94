"""Synthetic NTU RGB+D skeletons, written as ``.skeleton`` files and read back by the NTU reader.

Serves Le Roux (2017), *Learning action recognition from 3D poses*: every NTU table of the thesis
(Tables 4-9, 11, 12) can run on these files through :mod:`motion_rnn.data.ntu` and
:mod:`motion_rnn.data.pose`, the same path the real data set takes.

A performer (a 25-joint Kinect v2 skeleton in the NTU joint order, with bone lengths of their
own) performs an action (a motion program over 40-120 frames at 30 frames a second); three
cameras record the same performance, each through its own viewpoint, sensor noise and tracking
failures; each recording is one file ``SsssCcccPpppRrrrAaaa.skeleton``.

The twelve classes (:data:`SYNTHETIC_NTU_ACTIONS`; action ``A`` is class ``A - 1``)
    * order pairs (:data:`ORDER_PAIRS`): *raise then lower* / *lower then raise* the right arm,
      and *right hand up then left hand up* / *left hand up then right hand up*. The two classes
      of a pair are time reversals of each other, with durations drawn so that the reversed
      motion of one has the law of the other: the set of poses of a sample, and the share of
      time spent in each, carry no information about its class. Only the order does.
    * timing pairs (:data:`TIMING_PAIRS`): *clap slowly* / *clap quickly* (a period drawn from
      24-36 or 8-13 frames, rounded to whole cycles) and *wave the right hand* (three or more
      strokes of about 6-10 frames) / *sweep the right hand once* (one slow stroke). Both
      classes of a pair visit the same poses with the same law (whole cycles of a cosine);
      they differ in speed and number of strokes only.
    * an arm pair (:data:`ARM_PAIRS`): *punch with the left fist* / *with the right fist*:
      the same motion by the other arm (a rotation of the view cannot turn one into the other,
      a mirror image would).
    * *bow* (the trunk bends) and *squat* (knees bend, the pelvis drops, arms reach forward).

What it tests
    *Temporal order and speed*: the pairs above defeat any model that pools poses over time
    without regard to their order. *Speed invariance*: the length of a performance is drawn
    from 40-120 frames and the share of each phase varies, so the same action runs about three
    times faster in one sample than in another. *Body size*: each performer has an overall
    scale (0.80-1.15) and bone proportions of their own (each group of bones +-7 %), fixed across their
    performances; the cross-subject split puts unseen bodies in the test set. *View
    invariance*: cameras 1, 2 and 3 stand at 0, -45 and +45 degrees around the performer at
    the height and distance of their setup, and the performer faces camera 2 in replication 1
    and camera 3 in replication 2, as in NTU RGB+D (Shahroudy et al. 2016, Sec. 3): camera 1
    sees every performance at 45 degrees, cameras 2 and 3 see it from the front or the side.
    *Missing joints*: a recording loses a limb (or the whole body) for a few frames now and
    then: zeros with tracking state 0 (the body absent from the frame when it is the whole
    body), and marks a hand as inferred (state 1) with more noise, as Kinect failures show.
    *Several bodies*: a quarter of the performances have a bystander, standing still a metre or
    two away with a little sway, often listed first in the frame: taking the first body is
    wrong, taking the body that moves most (:func:`motion_rnn.data.ntu.main_body`) is right.
    *Sensor noise*: white and slowly varying noise on every joint, more on the hands.

    A pose at a *known* time does tell the order pairs apart: the first frame of *raise then
    lower* has the arm down, that of *lower then raise* has it up. What the pairs defeat is a
    model that ignores when each pose occurs (pooling, a bag of frames), not one that looks at
    the first frame.

What it cannot test
    Real human motion and its variety (one smooth template a class, with random amplitudes and
    timing; no style, hesitation, or the many ways people do "the same" action), real Kinect
    failures (occlusion by the body or by objects, mislabelled left and right limbs, jittering
    hands, body swaps between frames), NTU's 60 classes and their fine distinctions (drink water
    vs brush teeth: objects and hands matter there), interactions between two people, actions
    in which the person walks about, sits or lies down, cameras that tilt, and the data set's
    size. A model that does well here has learnt to read the order and speed of coarse limb
    motion of a single moving body across views, nothing more.

Usage::

    root = write_synthetic_ntu("_build/data/synthetic_ntu", performances_per_class=40, seed=0)
    train = NTUSkeletonDataset(root, split="train", protocol="cross_subject")

Generation is deterministic given the seed: each performance and each camera draw from their
own random stream (derived from the seed, the class and the performance's index). A manifest
of the parameters is written last; a second call with the same parameters returns at once.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, write_once
from motion_rnn.data.ntu.reader import MISSING_SKELETONS, NUM_JOINTS, NTUSample, write_skeleton

__all__ = [
    "ARM_PAIRS",
    "CAMERA_ANGLES",
    "FRAME_RATE",
    "MANIFEST_FILE",
    "ORDER_PAIRS",
    "SYNTHETIC_NTU_ACTIONS",
    "SYNTHETIC_PERFORMERS",
    "TIMING_PAIRS",
    "Body",
    "SkeletonStyle",
    "camera_pose",
    "iter_synthetic_ntu",
    "make_body",
    "perform_action",
    "write_synthetic_ntu",
]

SYNTHETIC_NTU_ACTIONS: tuple[str, ...] = (
    "raise then lower right arm",        # A001
    "lower then raise right arm",        # A002
    "right hand up then left hand up",   # A003
    "left hand up then right hand up",   # A004
    "clap slowly",                       # A005
    "clap quickly",                      # A006
    "wave right hand",                   # A007
    "sweep right hand once",             # A008
    "punch with left fist",              # A009
    "punch with right fist",             # A010
    "bow",                               # A011
    "squat",                             # A012
)  # fmt: skip
"""Class names; the file of class ``k`` is named ``...A{k+1:03d}``, so its NTU label is k."""

ORDER_PAIRS: tuple[tuple[int, int], ...] = ((0, 1), (2, 3))
"""Classes (0-based) with the same poses in the same proportions, in the opposite order."""
TIMING_PAIRS: tuple[tuple[int, int], ...] = ((4, 5), (6, 7))
"""Classes with the same poses in the same proportions, at different speeds."""
ARM_PAIRS: tuple[tuple[int, int], ...] = ((8, 9),)
"""The same motion by the left and by the right arm."""

SYNTHETIC_PERFORMERS: tuple[int, ...] = (1, 3, 25, 2, 6, 4, 27, 7, 5, 10, 8, 9)
"""Performer ids: six cross-subject training performers (1, 2, 4, 5, 8, 9), two of the thesis's
validation performers (25, 27) and four test performers (3, 6, 7, 10), so the thesis's split
gives 6:2:4 performers (validation half the size of test, as in its Sec. 3.1.1). Performance k
of every class is by performer ``k % 12`` of this order, which interleaves the three parts: the
first three performers already cover train, test and validation."""

CAMERA_ANGLES: dict[int, float] = {1: 0.0, 2: -45.0, 3: 45.0}
"""Horizontal angle (degrees, about the vertical axis) of each camera around the performer.
NTU RGB+D: three cameras at the same height, at -45, 0 and +45 degrees; the performer faces the
left camera once and the right camera once, and camera 1 sees the 45-degree views (Shahroudy et
al. 2016, Secs. 3 and 4.1). Which side camera is at -45 is our choice."""
_FACED_CAMERA = {1: 2, 2: 3}  # replication -> the camera the performer faces

FRAME_RATE = 30  # frames a second, as the Kinect v2
_FORMAT_VERSION = 1
_KINECT_BODY_ID = 72057594037927936  # 2**56: real bodyIDs are this plus a small number

_HANDS = (7, 11, 21, 22, 23, 24)  # HandLeft, HandRight, HandTipLeft, ThumbLeft, HandTipRight, ThumbRight
_LIMBS: dict[str, tuple[int, ...]] = {
    "left arm": (4, 5, 6, 7, 21, 22),
    "right arm": (8, 9, 10, 11, 23, 24),
    "left leg": (12, 13, 14, 15),
    "right leg": (16, 17, 18, 19),
    "hands": (7, 11, 21, 22, 23, 24),
    "body": tuple(range(NUM_JOINTS)),
}
_LIMB_WEIGHTS = (0.25, 0.25, 0.15, 0.15, 0.1, 0.1)


@dataclass(frozen=True)
class SkeletonStyle:
    """Ranges the generator draws from; lengths in metres, angles in degrees, times in frames."""

    frames: tuple[int, int] = (40, 120)  # length of a performance (both ends included)
    body_scale: tuple[float, float] = (0.80, 1.15)  # a performer's overall size
    bone_jitter: float = 0.07  # a performer's bone proportions, +- this fraction
    amplitude_jitter: float = 0.06  # a performance's hand targets, +- this (units of arm reach)
    facing_jitter: float = 10.0  # the performer's facing, +- degrees about the faced camera
    position_jitter: float = 0.25  # the performer's place, +- metres on the floor
    camera_distance: tuple[float, float] = (2.4, 3.5)  # per setup
    camera_height: tuple[float, float] = (0.7, 1.3)  # per setup
    sway: float = 0.01  # slow drift of the pelvis, metres (standard deviation)
    noise: float = 0.003  # white sensor noise on every coordinate, metres
    smooth_noise: float = 0.005  # AR(1) noise (coefficient 0.85) on every coordinate, metres
    hand_noise: float = 0.01  # extra white noise on hands, hand tips and thumbs, metres
    dropout_prob: float = 0.35  # a recording has tracking failures (zeros, state 0)
    dropout_frames: tuple[int, int] = (2, 8)  # length of one failure
    inferred_prob: float = 0.3  # a recording has a stretch where one hand is only inferred
    inferred_noise: float = 0.02  # extra noise on an inferred hand, metres
    bystander_prob: float = 0.25  # a performance has a second, nearly still body


DEFAULT_STYLE = SkeletonStyle()


# ---------------------------------------------------------------------------------------------
# The body: bone lengths of one performer
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Body:
    """Bone lengths (metres) of one performer; the defaults are those of a 1.75 m adult,
    close to what a Kinect v2 measures (its joints sit inside the body)."""

    spine_mid: float = 0.26  # SpineBase -> SpineMid
    spine_shoulder: float = 0.21  # SpineMid -> SpineShoulder
    neck: float = 0.07  # SpineShoulder -> Neck
    head: float = 0.13  # Neck -> Head
    shoulder_half: float = 0.17  # SpineShoulder -> Shoulder, sideways
    upper_arm: float = 0.26  # Shoulder -> Elbow
    forearm: float = 0.25  # Elbow -> Wrist
    hand: float = 0.07  # Wrist -> Hand
    hand_tip: float = 0.05  # Hand -> HandTip
    thumb: float = 0.06  # Wrist -> Thumb
    hip_half: float = 0.08  # SpineBase -> Hip, sideways
    thigh: float = 0.40  # Hip -> Knee
    shank: float = 0.39  # Knee -> Ankle
    ankle_height: float = 0.08  # Ankle above the floor
    foot: float = 0.12  # Ankle -> Foot

    @property
    def reach(self) -> float:
        """Shoulder to wrist with the arm straight."""
        return self.upper_arm + self.forearm

    @property
    def pelvis_height(self) -> float:
        """SpineBase above the floor when standing (legs at 99 % of their length)."""
        return 0.04 + 0.99 * (self.thigh + self.shank) + self.ankle_height


_BONE_GROUPS = {  # bones that share one proportion factor
    "trunk": ("spine_mid", "spine_shoulder", "neck", "head"),
    "shoulders": ("shoulder_half",),
    "upper arm": ("upper_arm",),
    "forearm": ("forearm", "hand", "hand_tip", "thumb"),
    "hips": ("hip_half",),
    "thigh": ("thigh",),
    "shank": ("shank", "ankle_height", "foot"),
}


def make_body(rng: np.random.Generator, style: SkeletonStyle = DEFAULT_STYLE) -> Body:
    """A performer: one overall scale and one proportion factor per group of bones."""
    scale = rng.uniform(*style.body_scale)
    base = asdict(Body())
    lengths = {}
    for names in _BONE_GROUPS.values():
        factor = scale * rng.uniform(1 - style.bone_jitter, 1 + style.bone_jitter)
        lengths.update({name: base[name] * factor for name in names})
    return Body(**lengths)


# ---------------------------------------------------------------------------------------------
# Geometry helpers. Body frame: x to the performer's left, y up, z forward (right-handed),
# origin on the floor below the performer's pelvis at rest.
# ---------------------------------------------------------------------------------------------
def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _rot_x(angle: np.ndarray) -> np.ndarray:
    """(T,) -> (T, 3, 3): rotation about x by ``angle`` (positive bends y towards +z)."""
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros((*np.shape(angle), 3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1], out[..., 1, 2] = c, -s
    out[..., 2, 1], out[..., 2, 2] = s, c
    return out


def _rot_y(angle: float) -> np.ndarray:
    """Rotation about the vertical axis: z = (0, 0, 1) goes to (sin a, 0, cos a)."""
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _blend(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Hand targets from a to b: direction by spherical interpolation, length linearly.

    a, b: (3,) or (T, 3); w: (T,) in [0, 1] -> (T, 3). The hand travels along an arc around
    the shoulder (as a raised arm does) rather than through the shoulder.
    """
    a, b = np.broadcast_to(a, (len(w), 3)), np.broadcast_to(b, (len(w), 3))
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    ua, ub = a / na[:, None], b / nb[:, None]
    omega = np.arccos(np.clip((ua * ub).sum(-1), -1.0, 1.0))
    sin = np.sin(omega)
    small = sin < 1e-6
    wa = np.where(small, 1.0 - w, np.sin((1.0 - w) * omega) / np.where(small, 1.0, sin))
    wb = np.where(small, w, np.sin(w * omega) / np.where(small, 1.0, sin))
    direction = _unit(wa[:, None] * ua + wb[:, None] * ub)
    return direction * ((1.0 - w) * na + w * nb)[:, None]


def _two_link(root: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray):
    """Two-bone inverse kinematics: (T, 3) root and target -> (T, 3) middle joint and end.

    The middle joint (elbow, knee) lies in the plane of root, target and ``pole`` (a direction
    it points to); a target out of reach is pulled in along its direction.
    """
    d = target - root
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    u = d / np.maximum(dist, 1e-12)
    dist = np.clip(dist, abs(l1 - l2) + 1e-3, 0.999 * (l1 + l2))
    a = (l1**2 - l2**2 + dist**2) / (2.0 * dist)
    h = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    v = pole - (pole * u).sum(-1, keepdims=True) * u
    v = _unit(v)
    return root + a * u + h * v, root + dist * u


# ---------------------------------------------------------------------------------------------
# Timing: piecewise curves of holds and smooth moves
# ---------------------------------------------------------------------------------------------
def _curve(num_frames: int, durations: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """(T,) curve through ``values`` at the boundaries of segments of relative ``durations``.

    Segment i goes from values[i] to values[i + 1] with a cosine ease (a hold where they are
    equal); the durations are rescaled to span frames 0 .. T-1.
    """
    edges = np.concatenate([[0.0], np.cumsum(durations)])
    edges = edges / edges[-1] * (num_frames - 1)
    t = np.arange(num_frames, dtype=float)
    seg = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(durations) - 1)
    span = np.maximum(edges[seg + 1] - edges[seg], 1e-9)
    u = np.clip((t - edges[seg]) / span, 0.0, 1.0)
    v0, v1 = np.asarray(values, float)[seg], np.asarray(values, float)[seg + 1]
    return v0 + (v1 - v0) * (1.0 - np.cos(math.pi * u)) / 2.0


def _local_time(num_frames: int, durations: Sequence[float], segment: int) -> np.ndarray:
    """(T,) time within segment ``segment`` in [0, 1] (0 before it, 1 after it)."""
    edges = np.concatenate([[0.0], np.cumsum(durations)])
    edges = edges / edges[-1] * (num_frames - 1)
    t = np.arange(num_frames, dtype=float)
    return np.clip((t - edges[segment]) / max(edges[segment + 1] - edges[segment], 1e-9), 0.0, 1.0)


def _span(durations: Sequence[float], num_frames: int, segment: int) -> float:
    """Length in frames of segment ``segment`` once the durations span frames 0 .. T-1."""
    return durations[segment] / float(np.sum(durations)) * (num_frames - 1)


# ---------------------------------------------------------------------------------------------
# Motion programs: per-frame hand targets, trunk pitch and squat depth for each class
# ---------------------------------------------------------------------------------------------
@dataclass
class _Program:
    """Per-frame controls (T frames) of one performance, in the body frame.

    Hand targets are wrist positions relative to the shoulder in units of arm reach, written
    for the left arm (x outward); the right arm's x is mirrored.
    """

    left: np.ndarray  # (T, 3)
    right: np.ndarray  # (T, 3)
    left_pole: np.ndarray  # (T, 3) where the elbow points
    right_pole: np.ndarray
    pitch: np.ndarray  # (T,) trunk bend, radians
    squat: np.ndarray  # (T,) pelvis drop, metres


def _jitter(rng: np.random.Generator, v, style: SkeletonStyle) -> np.ndarray:
    v = np.asarray(v, float) + rng.uniform(-style.amplitude_jitter, style.amplitude_jitter, 3)
    n = np.linalg.norm(v)
    return v * min(1.0, 0.97 / n)


def _w(rng: np.random.Generator, mean: float) -> float:
    """A phase's relative duration: ``mean`` times U(0.6, 1.4)."""
    return mean * rng.uniform(0.6, 1.4)


def _program(action: int, rng: np.random.Generator, body: Body, t: int, style: SkeletonStyle) -> _Program:
    J = lambda v: _jitter(rng, v, style)  # noqa: E731  (a performance's own amplitudes)
    rest_l, rest_r = J((0.10, -0.96, 0.08)), J((0.10, -0.96, 0.08))
    rest_pole = np.array([0.3, 0.0, -1.0])  # elbows back
    up = J((0.10, 0.95, 0.18))
    zeros = np.zeros(t)
    left = np.broadcast_to(rest_l, (t, 3)).copy()
    right = np.broadcast_to(rest_r, (t, 3)).copy()
    left_pole = np.broadcast_to(rest_pole, (t, 3)).copy()
    right_pole = left_pole.copy()
    pitch, squat = zeros.copy(), zeros.copy()
    name = SYNTHETIC_NTU_ACTIONS[action]

    if name in ("raise then lower right arm", "lower then raise right arm"):
        # Same law of time down (D) and up (U) in both classes; the class decides which one is
        # split between the two ends: [D f, rise, U, fall, D (1 - f)] or its time reversal.
        low, high, rise, fall, f = _w(rng, 1.0), _w(rng, 1.0), _w(rng, 0.6), _w(rng, 0.6), rng.uniform()
        if name.startswith("raise"):
            a = _curve(t, [low * f, rise, high, fall, low * (1 - f)], [0, 0, 1, 1, 0, 0])
        else:
            a = _curve(t, [high * f, fall, low, rise, high * (1 - f)], [1, 1, 0, 0, 1, 1])
        right = _blend(rest_r, up, a)
    elif name in ("right hand up then left hand up", "left hand up then right hand up"):
        h = [_w(rng, 0.5) for _ in range(3)]
        first = [_w(rng, 0.5), _w(rng, 0.7), _w(rng, 0.5)]  # rise, hold, fall
        second = [_w(rng, 0.5), _w(rng, 0.7), _w(rng, 0.5)]
        durations = [h[0], *first, h[1], *second, h[2]]
        a1 = _curve(t, durations, [0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
        a2 = _curve(t, durations, [0, 0, 0, 0, 0, 0, 1, 1, 0, 0])
        up2 = J((0.10, 0.95, 0.18))
        ar, al = (a1, a2) if name.startswith("right") else (a2, a1)
        right, left = _blend(rest_r, up, ar), _blend(rest_l, up2, al)
    elif name in ("clap slowly", "clap quickly"):
        # Raise both hands, clap n whole cycles (the same law of poses for any n), lower them.
        durations = [_w(rng, 0.3), _w(rng, 0.5), _w(rng, 2.0), _w(rng, 0.5), _w(rng, 0.3)]
        active = _span(durations, t, 2)
        period = rng.uniform(24, 36) if name == "clap slowly" else rng.uniform(8, 13)
        cycles = max(1, int(round(active / period)))
        c = (1.0 - np.cos(2.0 * math.pi * cycles * _local_time(t, durations, 2))) / 2.0
        a = _curve(t, durations, [0, 0, 1, 1, 0, 0])
        apart = J((0.25, -0.15, 0.70))
        gap = rng.uniform(0.015, 0.03)  # half the distance between the wrists when they meet
        meet = np.array([(gap - body.shoulder_half) / body.reach, apart[1], apart[2]])
        raised = _blend(apart, meet, c)
        left, right = _blend(rest_l, raised, a), _blend(rest_r, raised, a)
        clap_pole = np.array([0.6, -1.0, 0.0])  # elbows down and out
        left_pole = _blend(rest_pole, clap_pole, a)
        right_pole = left_pole.copy()
    elif name in ("wave right hand", "sweep right hand once"):
        # Raise the hand beside the head, move it between two sides in m strokes (m = 1: a
        # single sweep), lower it. Which side it starts from is random.
        durations = [_w(rng, 0.3), _w(rng, 0.5), _w(rng, 2.0), _w(rng, 0.5), _w(rng, 0.3)]
        active = _span(durations, t, 2)
        strokes = 1 if name.startswith("sweep") else max(3, int(round(active / rng.uniform(6, 10))))
        inner, outer = J((0.02, 0.35, 0.35)), J((0.55, 0.35, 0.25))
        s0, s1 = (inner, outer) if rng.uniform() < 0.5 else (outer, inner)
        w = (1.0 - np.cos(math.pi * strokes * _local_time(t, durations, 2))) / 2.0
        a = _curve(t, durations, [0, 0, 1, 1, 0, 0])
        right = _blend(rest_r, _blend(s0, s1, w), a)
        right_pole = _blend(rest_pole, np.array([0.6, -1.0, 0.0]), a)
    elif name in ("punch with left fist", "punch with right fist"):
        # Both fists to a guard, one arm strikes once or twice, back to rest.
        punches = int(rng.integers(1, 3))
        strikes = []
        for _ in range(punches):
            strikes += [_w(rng, 0.25), _w(rng, 0.15), _w(rng, 0.3), _w(rng, 0.3)]  # out, hold, back, guard
        durations = [_w(rng, 0.3), _w(rng, 0.5), _w(rng, 0.3), *strikes, _w(rng, 0.5), _w(rng, 0.3)]
        guard_values = [0, 0] + [1] * (2 + len(strikes)) + [0, 0]
        g = _curve(t, durations, guard_values)
        strike_values = [0, 0, 0, 0] + [1, 1, 0, 0] * punches + [0, 0]
        p = _curve(t, durations, strike_values)
        guard_l, guard_r = J((-0.20, 0.05, 0.45)), J((-0.20, 0.05, 0.45))
        extended = J((-0.18, 0.05, 0.95))
        guard_pole = np.array([0.3, -1.0, 0.0])
        left = _blend(rest_l, guard_l, g)
        right = _blend(rest_r, guard_r, g)
        if name == "punch with left fist":
            left = _blend(left, extended, p)
        else:
            right = _blend(right, extended, p)
        left_pole = _blend(rest_pole, guard_pole, g)
        right_pole = left_pole.copy()
    elif name == "bow":
        durations = [_w(rng, 0.4), _w(rng, 0.6), _w(rng, 0.5), _w(rng, 0.6), _w(rng, 0.4)]
        pitch = rng.uniform(0.5, 0.9) * _curve(t, durations, [0, 0, 1, 1, 0, 0])
    elif name == "squat":
        durations = [_w(rng, 0.4), _w(rng, 0.7), _w(rng, 0.5), _w(rng, 0.7), _w(rng, 0.4)]
        d = _curve(t, durations, [0, 0, 1, 1, 0, 0])
        squat = rng.uniform(0.25, 0.40) * (body.thigh + body.shank) * d
        pitch = rng.uniform(0.2, 0.4) * d
        forward = J((0.05, -0.05, 0.95))
        left, right = _blend(rest_l, forward, d), _blend(rest_r, forward, d)
    else:  # pragma: no cover - the names above cover SYNTHETIC_NTU_ACTIONS
        raise ValueError(f"no motion program for {name!r}")
    return _Program(left, right, left_pole, right_pole, pitch, squat)


def _standing(rng: np.random.Generator, t: int, style: SkeletonStyle) -> _Program:
    """A bystander: arms at rest, drifting a little."""
    rest_l = _jitter(rng, (0.12, -0.95, 0.1), style)
    rest_r = _jitter(rng, (0.12, -0.95, 0.1), style)
    drift = _smooth_noise(rng, (t, 2, 3), 0.03, 0.97)
    pole = np.broadcast_to(np.array([0.3, 0.0, -1.0]), (t, 3))
    return _Program(
        rest_l + drift[:, 0],
        rest_r + drift[:, 1],
        pole.copy(),
        pole.copy(),
        _smooth_noise(rng, (t,), 0.02, 0.97),
        np.zeros(t),
    )


def _smooth_noise(rng: np.random.Generator, shape: tuple, std: float, rho: float) -> np.ndarray:
    """Stationary AR(1) noise along axis 0 with standard deviation ``std``."""
    out = np.empty(shape)
    out[0] = rng.normal(0.0, std, shape[1:])
    innovation = rng.normal(0.0, std * math.sqrt(1.0 - rho**2), shape)
    for k in range(1, shape[0]):
        out[k] = rho * out[k - 1] + innovation[k]
    return out


# ---------------------------------------------------------------------------------------------
# Forward kinematics: controls -> 25 joints in the NTU order
# ---------------------------------------------------------------------------------------------
def _pose(body: Body, prog: _Program, sway: np.ndarray) -> np.ndarray:
    """(T, 25, 3) joints in the body frame. ``sway``: (T, 3) offset of the pelvis."""
    t = len(prog.pitch)
    joints = np.zeros((t, NUM_JOINTS, 3))
    root = np.zeros((t, 3))
    root[:, 1] = body.pelvis_height - prog.squat
    root[:, 2] = -0.12 * np.sin(prog.pitch)  # hips move back as the trunk bends forward
    root += sway
    trunk = _rot_x(prog.pitch)  # (T, 3, 3)

    def on_trunk(offset) -> np.ndarray:  # a point fixed to the trunk, relative to SpineBase
        return root + trunk @ np.asarray(offset, float)

    joints[:, 0] = root  # SpineBase
    joints[:, 1] = on_trunk((0, body.spine_mid, 0))  # SpineMid
    y_ss = body.spine_mid + body.spine_shoulder
    joints[:, 20] = on_trunk((0, y_ss, 0))  # SpineShoulder
    joints[:, 2] = on_trunk((0, y_ss + body.neck, 0.01))  # Neck
    joints[:, 3] = on_trunk((0, y_ss + body.neck + body.head, 0.03))  # Head
    for side, (sh, el, wr, ha, tip, th), target, pole in (
        (1.0, (4, 5, 6, 7, 21, 22), prog.left, prog.left_pole),
        (-1.0, (8, 9, 10, 11, 23, 24), prog.right, prog.right_pole),
    ):
        mirror = np.array([side, 1.0, 1.0])
        shoulder = on_trunk((side * body.shoulder_half, y_ss - 0.03, 0.0))
        wrist_target = shoulder + np.einsum("tij,tj->ti", trunk, body.reach * target * mirror)
        elbow_pole = np.einsum("tij,tj->ti", trunk, pole * mirror)
        elbow, wrist = _two_link(shoulder, wrist_target, body.upper_arm, body.forearm, elbow_pole)
        along = _unit(wrist - elbow)
        across = _unit(np.cross(along, elbow_pole)) * side  # towards the thumb
        joints[:, sh], joints[:, el], joints[:, wr] = shoulder, elbow, wrist
        joints[:, ha] = wrist + body.hand * along
        joints[:, tip] = joints[:, ha] + body.hand_tip * along
        joints[:, th] = wrist + body.thumb * _unit(0.6 * along + 0.8 * across)
    for side, (hip_j, knee_j, ankle_j, foot_j) in ((1.0, (12, 13, 14, 15)), (-1.0, (16, 17, 18, 19))):
        hip = root + np.array([side * body.hip_half, -0.04, 0.0])
        ankle_target = np.broadcast_to(np.array([side * (body.hip_half + 0.02), body.ankle_height, 0.0]), (t, 3))
        knee, ankle = _two_link(hip, ankle_target, body.thigh, body.shank, np.array([0.0, 0.0, 1.0]))
        joints[:, hip_j], joints[:, knee_j], joints[:, ankle_j] = hip, knee, ankle
        joints[:, foot_j] = ankle + np.array([0.0, -0.6 * body.ankle_height, body.foot])
    return joints


def perform_action(
    action: int,
    rng: np.random.Generator,
    *,
    body: Body | None = None,
    num_frames: int | None = None,
    style: SkeletonStyle = DEFAULT_STYLE,
) -> np.ndarray:
    """One noise-free performance of class ``action`` in the body frame: (T, 25, 3) metres.

    Body frame: x to the performer's left, y up, z forward, origin on the floor below the
    pelvis. ``num_frames`` defaults to a draw from ``style.frames``.
    """
    if not 0 <= action < len(SYNTHETIC_NTU_ACTIONS):
        raise ValueError(f"action={action}; expected 0..{len(SYNTHETIC_NTU_ACTIONS) - 1}")
    body = body or Body()
    t = int(num_frames if num_frames is not None else rng.integers(style.frames[0], style.frames[1] + 1))
    prog = _program(action, rng, body, t, style)
    sway = _smooth_noise(rng, (t, 3), style.sway, 0.97) * np.array([1.0, 0.0, 1.0])
    return _pose(body, prog, sway)


# ---------------------------------------------------------------------------------------------
# Cameras
# ---------------------------------------------------------------------------------------------
def camera_pose(setup: int, camera: int, *, seed: int = 0, style: SkeletonStyle = DEFAULT_STYLE):
    """Rotation R (3, 3) and position p (3,) of a camera: ``q = R (P - p)`` maps world points
    to the Kinect's camera space (x to the camera's left, y up, z along its view, metres).

    The camera stands at its angle (:data:`CAMERA_ANGLES`) on a circle around the world's
    origin, at the distance and height of its setup (drawn once per setup), looking level at
    the vertical axis through the origin.
    """
    if camera not in CAMERA_ANGLES:
        raise ValueError(f"camera={camera}; expected one of {sorted(CAMERA_ANGLES)}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7919, int(setup)]))
    distance, height = rng.uniform(*style.camera_distance), rng.uniform(*style.camera_height)
    gamma = math.radians(CAMERA_ANGLES[camera])
    towards = np.array([math.sin(gamma), 0.0, math.cos(gamma)])  # origin -> camera, level
    z = -towards
    y = np.array([0.0, 1.0, 0.0])
    x = np.cross(y, z)
    return np.stack([x, y, z]), towards * distance + y * height


# ---------------------------------------------------------------------------------------------
# Recording: cameras, noise, tracking failures, bystanders
# ---------------------------------------------------------------------------------------------
def _slots(classes: Sequence[int], per_class: int, performers: Sequence[int]):
    """(action, index, setup, performer, replication) for every performance, with names unique
    and clear of the dataset authors' list of missing skeletons (which readers skip)."""
    n = len(performers)
    used: set[tuple[int, int, int, int]] = set()
    for action in classes:
        for k in range(per_class):
            performer = performers[k % n]
            replication = 1 + (k + k // n) % 2  # alternate sides, swapped on the next round
            setup = 1 + k // (2 * n)
            while (setup, performer, replication, action) in used or any(
                f"S{setup:03d}C{c:03d}P{performer:03d}R{replication:03d}A{action + 1:03d}" in MISSING_SKELETONS
                for c in CAMERA_ANGLES
            ):
                setup += 1
            used.add((setup, performer, replication, action))
            yield action, k, setup, performer, replication


def _record(
    world: np.ndarray,
    present: np.ndarray,
    main: int,
    rotation: np.ndarray,
    position: np.ndarray,
    rng: np.random.Generator,
    style: SkeletonStyle,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """One camera's view of the bodies (B, T, 25, 3): noise, failures, rounding to 0.1 micrometre.

    Returns joints (B, T, 25, 3), present (B, T), tracking states (B, T, 25) and counts.
    """
    b, t = world.shape[:2]
    joints = np.einsum("ij,btkj->btki", rotation, world - position)
    joints += rng.normal(0.0, style.noise, joints.shape)
    joints += np.moveaxis(_smooth_noise(rng, (t, b, NUM_JOINTS, 3), style.smooth_noise, 0.85), 0, 1)
    joints[:, :, list(_HANDS)] += rng.normal(0.0, style.hand_noise, (b, t, len(_HANDS), 3))
    states = np.full((b, t, NUM_JOINTS), 2, dtype=np.int64)
    present = present.copy()
    inferred = 0
    if rng.uniform() < style.inferred_prob:  # a hand only inferred for a while, and noisier
        length = min(int(rng.integers(5, 21)), t)
        start = int(rng.integers(0, t - length + 1))
        hand = [6, 7, 21, 22] if rng.uniform() < 0.5 else [10, 11, 23, 24]  # wrist, hand, tip, thumb
        view = joints[main, start : start + length]  # (length, 25, 3), a view
        view[:, hand] += rng.normal(0.0, style.inferred_noise, (length, len(hand), 3))
        states[main, start : start + length, hand] = 1
        inferred = length * len(hand)
    if rng.uniform() < style.dropout_prob:  # tracking failures on the performer
        for _ in range(1 + int(rng.poisson(0.5))):
            length = min(int(rng.integers(style.dropout_frames[0], style.dropout_frames[1] + 1)), t)
            start = int(rng.integers(0, t - length + 1))
            span = slice(start, start + length)
            limb = list(_LIMBS)[int(rng.choice(len(_LIMBS), p=_LIMB_WEIGHTS))]
            if limb == "body":
                present[main, span] = False  # the Kinect lost the person: no body in the frame
            else:
                states[main, span, list(_LIMBS[limb])] = 0
    lost = (states == 0) | ~present[:, :, None]
    joints[lost] = 0.0
    states[~present] = 0
    dropped = int(lost[main].sum())
    return np.round(joints, 7), present, states, {"lost_joints": dropped, "inferred_joints": inferred}


def iter_synthetic_ntu(
    *,
    performances_per_class: int,
    seed: int = 0,
    num_classes: int | None = None,
    actions: Sequence[int] | None = None,
    cameras: Sequence[int] = (1, 2, 3),
    performers: Sequence[int] = SYNTHETIC_PERFORMERS,
    style: SkeletonStyle = DEFAULT_STYLE,
) -> Iterator[tuple[NTUSample, dict]]:
    """Every recording, as an :class:`~motion_rnn.data.ntu.NTUSample` and a dict of facts.

    ``performances_per_class`` performances of each class; each is recorded by every camera in
    ``cameras`` (so ``len(cameras)`` samples a performance). Classes: the first
    ``num_classes`` of :data:`SYNTHETIC_NTU_ACTIONS` (default all), or the 0-based ``actions``.
    Performance k of a class is by ``performers[k % len(performers)]``, facing camera 2
    (replication 1) or 3 (replication 2) in turn.

    The facts: ``name``, ``label``, ``action``, ``performer``, ``frames``, ``bodies``,
    ``main_body`` (index of the performer among the sample's bodies in the order they first
    appear), ``lost_joints`` and ``inferred_joints`` (joint-frames of the performer with
    tracking state 0 or 1).
    """
    classes = _classes(num_classes, actions)
    cameras = tuple(int(c) for c in cameras)
    if not cameras or any(c not in CAMERA_ANGLES for c in cameras) or len(set(cameras)) != len(cameras):
        raise ValueError(f"cameras={cameras}; expected distinct values from {sorted(CAMERA_ANGLES)}")
    if performances_per_class < 1:
        raise ValueError(f"performances_per_class must be >= 1, got {performances_per_class}")
    performers = tuple(int(p) for p in performers)
    if not performers or len(set(performers)) != len(performers) or not all(1 <= p <= 999 for p in performers):
        raise ValueError(f"performers={performers}; expected distinct ids in 1..999")
    bodies = {
        p: make_body(np.random.default_rng(np.random.SeedSequence([int(seed), 104729, p])), style) for p in performers
    }
    for action, k, setup, performer, replication in _slots(classes, performances_per_class, performers):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), action, k]))
        body = bodies[performer]
        motion = perform_action(action, rng, body=body, style=style)  # (T, 25, 3) body frame
        t = len(motion)
        faced = math.radians(CAMERA_ANGLES[_FACED_CAMERA[replication]])
        yaw = faced + math.radians(rng.uniform(-style.facing_jitter, style.facing_jitter))
        place = np.array([rng.uniform(-1, 1), 0.0, rng.uniform(-1, 1)]) * style.position_jitter
        world = [motion @ _rot_y(yaw).T + place]
        present = [np.ones(t, bool)]
        if rng.uniform() < style.bystander_prob:
            other = make_body(rng, style)
            stand = _pose(other, _standing(rng, t, style), _smooth_noise(rng, (t, 3), 0.005, 0.97))
            angle = rng.uniform(0, 2 * math.pi)
            spot = place + np.array([math.cos(angle), 0.0, math.sin(angle)]) * rng.uniform(1.0, 1.8)
            world.append(stand @ _rot_y(rng.uniform(0, 2 * math.pi)).T + spot)
            seen = np.zeros(t, bool)
            if rng.uniform() < 0.5:
                seen[:] = True
            else:  # walks into view or out of it: present for a contiguous 50-90 % of the frames
                length = int(round(t * rng.uniform(0.5, 0.9)))
                start = 0 if rng.uniform() < 0.5 else t - length
                seen[start : start + length] = True
            present.append(seen)
        main = 0  # the performer's index in world (the bystander may be listed first)
        if len(world) == 2 and rng.uniform() < 0.6:  # listed first in the frames where both are seen
            world.reverse()
            present.reverse()
            main = 1
        world_a, present_a = np.stack(world), np.stack(present)
        for camera in cameras:
            cam_rng = np.random.default_rng(np.random.SeedSequence([int(seed), action, k, 1000 + camera]))
            rotation, position = camera_pose(setup, camera, seed=seed, style=style)
            joints, seen, states, counts = _record(world_a, present_a, main, rotation, position, cam_rng, style)
            first_id = _KINECT_BODY_ID + int(cam_rng.integers(1000, 10_000_000))
            ids = [first_id + i for i in range(len(world))]  # distinct: the reader tells bodies by id
            name = f"S{setup:03d}C{camera:03d}P{performer:03d}R{replication:03d}A{action + 1:03d}"
            sample = NTUSample.from_joints(name, joints, body_ids=ids, present=seen, tracking_states=states)
            first_seen = [int(np.flatnonzero(s)[0]) if s.any() else t for s in seen]
            order = sorted(range(len(world)), key=lambda i: (first_seen[i], i))  # the reader's body order
            yield (
                sample,
                {
                    "name": name,
                    "label": action,
                    "action": SYNTHETIC_NTU_ACTIONS[action],
                    "performer": performer,
                    "frames": t,
                    "bodies": len(world),
                    "main_body": order.index(main),
                    **counts,
                },
            )


def _classes(num_classes: int | None, actions: Sequence[int] | None) -> tuple[int, ...]:
    total = len(SYNTHETIC_NTU_ACTIONS)
    if actions is not None and num_classes is not None:
        raise ValueError("give num_classes or actions, not both")
    if actions is None:
        k = total if num_classes is None else int(num_classes)
        if not 1 <= k <= total:
            raise ValueError(f"num_classes={num_classes}; expected 1..{total}")
        return tuple(range(k))
    chosen = tuple(sorted({int(a) for a in actions}))
    if not chosen or chosen[0] < 0 or chosen[-1] >= total:
        raise ValueError(f"actions={actions}; expected 0-based class indices in 0..{total - 1}")
    return chosen


# ---------------------------------------------------------------------------------------------
# Writing a folder of .skeleton files
# ---------------------------------------------------------------------------------------------
def _has_files(root: Path, manifest: dict) -> bool:
    return all((root / f"{name}.skeleton").is_file() for name in manifest.get("files", {}))


def write_synthetic_ntu(
    root: str | os.PathLike,
    *,
    performances_per_class: int,
    seed: int = 0,
    num_classes: int | None = None,
    actions: Sequence[int] | None = None,
    cameras: Sequence[int] = (1, 2, 3),
    performers: Sequence[int] = SYNTHETIC_PERFORMERS,
    style: SkeletonStyle = DEFAULT_STYLE,
) -> Path:
    """Write synthetic NTU RGB+D ``.skeleton`` files to ``root`` and return ``root``.

    One file a performance and camera (see :func:`iter_synthetic_ntu` for the arguments), named
    ``SsssCcccPpppRrrrAaaa.skeleton`` and read by :func:`motion_rnn.data.ntu.read_skeleton` and
    :class:`motion_rnn.data.ntu.NTUSkeletonDataset`.

    ``synthetic_manifest.json`` (the parameters, and the facts of every file) is written last;
    when ``root`` already holds a complete set with identical parameters, returns at once. A
    ``root`` holding anything but an earlier output of this function is refused rather than
    overwritten.
    """
    root = Path(root)
    params = {
        "generator": "motion_rnn.data.synthetic.skeletons",  # the module's former path, kept: the cache key
        "format_version": _FORMAT_VERSION,
        "performances_per_class": int(performances_per_class),
        "seed": int(seed),
        "actions": [SYNTHETIC_NTU_ACTIONS[a] for a in _classes(num_classes, actions)],
        "cameras": [int(c) for c in cameras],
        "performers": [int(p) for p in performers],
        "style": json.loads(json.dumps(asdict(style))),  # tuples as lists, as read back
    }

    def generate(tmp: Path) -> dict:
        files = {}
        for sample, facts in iter_synthetic_ntu(
            performances_per_class=performances_per_class,
            seed=seed,
            num_classes=num_classes,
            actions=actions,
            cameras=cameras,
            performers=performers,
            style=style,
        ):
            write_skeleton(tmp / f"{sample.name}.skeleton", sample)
            files[facts.pop("name")] = facts
        return {"files": files}

    return write_once(root, params, generate=generate, is_complete=_has_files, writer="write_synthetic_ntu", indent=1)
