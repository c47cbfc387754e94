"""Synthetic Montalbano sequences, written in the ChaLearn LAP 2014 track 3 format and read back by
:mod:`motion_rnn.data.montalbano` (Pigou et al. 2016, Tables 1 and 2).

Each sequence is one ``SampleNNNN.zip`` holding ``_color.mp4``, ``_depth.mp4`` (gray = depth /
maxDepth x 255), ``_user.mp4`` (the performer's mask), ``_skeleton.csv`` (20 Kinect v1 joints x 9
values a frame), ``_data.csv`` and ``_labels.csv``, exactly as the real archives, so the reader the
real data needs runs in every build.

What is drawn
    A performer (a 3-D stick-and-blob body: legs, torso, neck, head with hair, arms with elbows
    and hands) standing in front of a room (textured wall, floor, furniture), projected by a
    pinhole camera of the Kinect's field of view. Arms follow wrist targets through two-bone
    inverse kinematics, so elbows and hands move as a body's would. Depth is rendered from the
    same 3-D body and room (each body part at its joints' depth, the floor receding, a Kinect-like
    shadow beside the silhouette, depth noise growing with distance), and the skeleton CSV holds the
    same joints (plus tracker jitter, and short bursts of untracked all-zero rows).

    Sequences are long and unsegmented (as Sec. 4.1 describes the real ones): gestures of 20 to 50
    frames at varied speed, with rest, ordinary hand motion and out-of-vocabulary movements
    (scratching the head, hands on hips, crossed arms, aborted gesture strokes) between them, not
    always returning to a rest pose. Performers (:data:`DEFAULT_STYLE`, ``num_performers`` of them)
    differ in height, build, clothing, skin and hair colour, sleeves, distance and handedness;
    backgrounds, lighting (level, gradient, slow drift, flicker) and sensor noise vary by sequence.

The twenty classes (:data:`SYNTHETIC_GESTURES`, ids 1..20)
    Each is a path of the dominant hand (or of both hands), defined relative to the body and
    mirrored for left-handed performers, so a horizontally flipped gesture is the same gesture
    (the paper's flip augmentation keeps labels). Eighteen classes come in nine *order pairs*
    (:data:`ORDER_PAIRS`): the second of a pair is the first played backwards, through the same
    poses in the opposite order (swipe out / in, raise / lower, circle outward / inward, push /
    pull, mouth-shoulder-belly / belly-shoulder-mouth, diagonal up / down, hands apart /
    together, both hands up / down, two-hand circles outward / inward); with a time-symmetric
    speed profile, the poses of a gesture's labelled frames have the same law in both classes.
    Two classes oscillate (wave; clap, which visits the poses of "hands apart/together").

What it tests
    *Order and direction of motion* (the paper's claim that temporal pooling "is not sufficient
    for gesture recognition, where temporal information is more discriminative"): a single frame,
    or an unordered pool of frames, cannot tell the classes of an order pair apart; a model must
    see the order. *Frame-wise labelling of unsegmented sequences*: boundaries, rest, ordinary
    motion and out-of-vocabulary movements that share poses and path beginnings with gestures
    (aborted strokes), gestures that follow one another directly. *Invariance* to speed, performer,
    clothing, position, background, lighting and noise. *Depth*: push and pull move the hand mostly
    towards and away from the camera, so depth helps there. *The reader*: the real file format,
    codecs, the skeleton crop and the split.

What it cannot test
    Real people, hands and fingers (the real gestures are Italian signs that differ in hand shape;
    here a hand is a blob), real Kinect data (its skeleton errors, depth holes, colour-depth
    misalignment, compression), the real twenty gestures and their confusions, the data set's size
    (about 14,000 gestures), or numbers comparable with the paper's: a model that does well here
    has learnt to read the order of coarse arm motion. The twenty classes are all defined by arm
    paths, and eighteen of them by order alone, which makes order matter more than it may in the
    real data; a single-frame model is expected to do far worse here than the paper's 0.465.

Usage::

    root = write_synthetic_montalbano("_build/data/montalbano", num_sequences=12,
                                      frames_per_sequence=400, seed=0)
    ids = synthetic_split_ids(train=8, validation=2, test=2)  # ids that land in each split
    root = write_synthetic_montalbano("_build/data/montalbano", ids=sum(ids.values(), []), ...)

Generation is deterministic given the seed (each sequence and each performer has its own random
stream), and identical parameters with a complete manifest return at once.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, write_once  # noqa: F401 (MANIFEST_FILE re-exported)
from motion_rnn.data.montalbano.chalearn_csv import Interval, frames_to_intervals
from motion_rnn.data.montalbano.reader import (
    AUTHORS_SPLIT,
    CHALLENGE_SPLIT,
    JOINTS,
    MEMBERS,
    sample_name,
)

__all__ = [
    "DEFAULT_STYLE",
    "ORDER_PAIRS",
    "SYNTHETIC_GESTURES",
    "MontalbanoStyle",
    "Performer",
    "SyntheticSequence",
    "Timeline",
    "gesture_path",
    "make_performer",
    "render_sequence",
    "sequence_timeline",
    "synthetic_split_ids",
    "write_synthetic_montalbano",
]

SYNTHETIC_GESTURES: tuple[str, ...] = (
    "swipe out",
    "swipe in",  # 1, 2: dominant hand between chest and side
    "raise hand",
    "lower hand",  # 3, 4: dominant hand between hip and above the head
    "circle outward",
    "circle inward",  # 5, 6: one turn, outward (inward) at the top
    "push",
    "pull",  # 7, 8: dominant hand away from (towards) the body, towards the camera
    "mouth-shoulder-belly",
    "belly-shoulder-mouth",  # 9, 10: three places in one order or the other
    "diagonal up",
    "diagonal down",  # 11, 12: from the opposite hip to high outside, or back
    "hands apart",
    "hands together",  # 13, 14: both hands, mirrored
    "both hands up",
    "both hands down",  # 15, 16
    "two-hand circles outward",
    "two-hand circles inward",  # 17, 18
    "wave",
    "clap",  # 19, 20: oscillations
)
ORDER_PAIRS: tuple[tuple[int, int], ...] = tuple((k, k + 1) for k in range(1, 18, 2))
_FORMAT_VERSION = 1

# Body geometry as fractions of stature (standing, facing the camera; anthropometric tables).
_H_HIP, _H_SPINE, _H_NECK, _H_HEAD, _H_SHOULDER = 0.53, 0.63, 0.82, 0.93, 0.81
_H_HIP_JOINT, _H_KNEE, _H_ANKLE = 0.50, 0.285, 0.04
_UPPER_ARM, _FOREARM, _HAND = 0.186, 0.146, 0.108


# ---------------------------------------------------------------------------------------------
# Style and performers
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MontalbanoStyle:
    """Ranges the generator draws from (lengths in metres, durations in frames)."""

    gesture_frames: tuple[int, int] = (20, 50)  # Sec. 4.2: "generally about 20 to 50 frames long"
    easing: tuple[float, float] = (1.0, 2.5)  # speed profile: 1 constant, larger slow-fast-slow
    keypoint_jitter: float = 0.05  # per gesture, in arm reaches
    amplitude: tuple[float, float] = (0.85, 1.15)  # per gesture, size of the path about its centre
    approach_frames: tuple[int, int] = (4, 12)  # unlabelled move into a gesture's first pose
    rest_frames: tuple[int, int] = (4, 25)  # holding the rest pose
    rest_after_prob: float = 0.45  # return to rest after an event (else go on directly)
    oov_prob: float = 0.3  # an event is an out-of-vocabulary movement or ordinary motion
    tremor: float = 0.006  # wrist jitter, in arm reaches
    stature: tuple[float, float] = (1.55, 1.95)
    build: tuple[float, float] = (0.9, 1.2)  # shoulder and hip width factor
    distance: tuple[float, float] = (1.9, 2.7)  # performer to camera
    lateral: tuple[float, float] = (-0.25, 0.25)
    yaw_degrees: float = 10.0
    left_handed_prob: float = 0.25
    camera_height: tuple[float, float] = (0.9, 1.2)
    focal: float = 0.83  # focal length / frame width (Kinect v1 colour camera, 62 degrees wide)
    wall_distance: tuple[float, float] = (3.0, 3.8)
    max_depth: tuple[int, int] = (3900, 4095)  # _data.csv maxDepth (real files: 2505..4095)
    lighting_gain: tuple[float, float] = (0.65, 1.25)
    lighting_gradient: float = 0.5
    lighting_drift: float = 0.08  # slow change of the light level over a sequence
    flicker: float = 0.01
    noise_std: tuple[float, float] = (1.5, 5.0)  # colour sensor noise, 0..255 units
    depth_noise: float = 3.0  # mm at 1 m, growing with the square of the distance
    skeleton_jitter: float = 0.008  # tracker noise of the CSV joints, metres
    dropout_prob: float = 0.5  # a sequence has bursts of untracked (all-zero) skeleton rows
    fps: int = 20  # Sec. 4.1: "sampled at 20Hz"


DEFAULT_STYLE = MontalbanoStyle()


@dataclass(frozen=True)
class Performer:
    """One person: body sizes (metres), colours (RGB) and handedness."""

    stature: float
    build: float
    left_handed: bool
    long_sleeves: bool
    shirt: tuple[int, int, int]
    trousers: tuple[int, int, int]
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    shoes: tuple[int, int, int]

    @property
    def reach(self) -> float:
        """Upper arm + forearm: the unit of the gesture paths."""
        return (_UPPER_ARM + _FOREARM) * self.stature


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    rgb = cv2.cvtColor(np.uint8([[[h * 179, s * 255, v * 255]]]), cv2.COLOR_HSV2RGB)[0, 0]
    return tuple(int(c) for c in rgb)


def make_performer(seed: int, index: int, style: MontalbanoStyle = DEFAULT_STYLE) -> Performer:
    """Performer ``index`` of a data set generated with ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 7, int(index)]))
    skin_v = rng.uniform(0.35, 0.95)
    return Performer(
        stature=float(rng.uniform(*style.stature)),
        build=float(rng.uniform(*style.build)),
        left_handed=bool(rng.uniform() < style.left_handed_prob),
        long_sleeves=bool(rng.uniform() < 0.5),
        shirt=_hsv(rng.uniform(), rng.uniform(0.2, 0.9), rng.uniform(0.25, 0.95)),
        trousers=_hsv(rng.uniform(), rng.uniform(0.0, 0.6), rng.uniform(0.1, 0.6)),
        skin=_hsv(rng.uniform(0.02, 0.08), rng.uniform(0.3, 0.6), skin_v),
        hair=_hsv(rng.uniform(0.02, 0.1), rng.uniform(0.2, 0.7), rng.uniform(0.05, 0.6)),
        shoes=_hsv(rng.uniform(), rng.uniform(0.0, 0.5), rng.uniform(0.05, 0.4)),
    )


# ---------------------------------------------------------------------------------------------
# Gesture paths: wrist targets in "handed" body coordinates, units of the arm's reach
# ---------------------------------------------------------------------------------------------
# A point (x_out, y, z) is relative to the shoulder centre: x_out away from the body's midline on
# the hand's own side, y up, z towards the camera. Right-handed performers gesture with the right
# hand (drawn on the image's left); left-handed ones mirror every path.
_REST = np.array([0.42, -0.95, 0.08])
_KEY = {
    "chest": (0.10, -0.40, 0.45),
    "side": (0.95, -0.30, 0.35),
    "low": (0.45, -0.80, 0.30),
    "high": (0.45, 0.55, 0.30),
    "near": (0.30, -0.25, 0.25),
    "far": (0.30, -0.20, 0.92),
    "mouth": (0.02, 0.28, 0.28),
    "opposite_shoulder": (-0.25, -0.05, 0.25),
    "belly": (0.05, -0.70, 0.30),
    "opposite_hip": (-0.05, -0.80, 0.30),
    "high_out": (0.85, 0.35, 0.30),
    "together": (0.08, -0.35, 0.45),
    "apart": (0.85, -0.25, 0.35),
}
# Base classes (the first of each order pair) as polylines or circles; "both" moves both hands.
_POLYLINES = {
    1: ("one", ("chest", "side")),
    3: ("one", ("low", "high")),
    7: ("one", ("near", "far")),
    9: ("one", ("mouth", "opposite_shoulder", "belly")),
    11: ("one", ("opposite_hip", "high_out")),
    13: ("both", ("together", "apart")),
    15: ("both", ("low", "high")),
}
_CIRCLES = {5: ("one", (0.55, -0.15, 0.45), 0.22), 17: ("both", (0.45, -0.25, 0.45), 0.20)}


def _draw_gesture_instance(gesture: int, rng: np.random.Generator, style: MontalbanoStyle) -> dict:
    """Random parameters of one performance of ``gesture`` (shared by its order pair)."""
    base = gesture if gesture in _POLYLINES or gesture in _CIRCLES or gesture >= 19 else gesture - 1
    jit = style.keypoint_jitter
    inst: dict = {
        "base": base,
        "amplitude": float(rng.uniform(*style.amplitude)),
        "easing": float(rng.uniform(*style.easing)),
    }
    if base in _POLYLINES:
        hands, names = _POLYLINES[base]
        inst["points"] = np.array([_KEY[k] for k in names]) + rng.normal(0.0, jit, (len(names), 3))
    elif base in _CIRCLES:
        hands, centre, radius = _CIRCLES[base]
        inst["centre"] = np.array(centre) + rng.normal(0.0, jit, 3)
        inst["radius"] = radius * float(rng.uniform(0.85, 1.15))
        inst["phase"] = float(rng.uniform(0.0, 2 * math.pi))
        inst["turns"] = float(rng.uniform(0.9, 1.15))
    elif base == 19:  # wave: dominant hand side to side, high
        hands = "one"
        inst["centre"] = np.array([0.75, 0.35, 0.25]) + rng.normal(0.0, jit, 3)
        inst["swing"] = float(rng.uniform(0.14, 0.22))
        inst["cycles"] = float(rng.uniform(1.5, 3.0))
        inst["phase"] = float(rng.choice([0.0, math.pi]))
    else:  # 20, clap: both hands in and out in front of the chest (the poses of 13/14)
        hands = "both"
        inst["centre"] = np.array([0.45, -0.32, 0.42]) + rng.normal(0.0, jit, 3)
        inst["swing"] = float(rng.uniform(0.3, 0.38))
        inst["cycles"] = float(rng.uniform(1.5, 3.0))
        inst["phase"] = float(rng.choice([0.0, math.pi]))
    inst["hands"] = hands
    return inst


def _eased(u: np.ndarray, e: float) -> np.ndarray:
    """Symmetric speed profile: ``p(1 - u) = 1 - p(u)``, so a path and its reverse share poses."""
    return u**e / (u**e + (1.0 - u) ** e)


def _polyline(points: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Points at arc-length fractions ``p`` (T,) of a polyline (K, 3): (T, 3)."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    cum = np.r_[0.0, np.cumsum(seg)] / max(seg.sum(), 1e-9)
    return np.stack([np.interp(p, cum, points[:, k]) for k in range(3)], axis=1)


def gesture_path(gesture: int, inst: dict, u: np.ndarray) -> np.ndarray:
    """Wrist targets ``(T, 2, 3)`` (dominant hand, other hand; handed coordinates, reaches) of one
    performance ``inst`` of ``gesture`` at stroke times ``u`` in [0, 1].

    The second class of an order pair is the first at ``1 - u``: the same poses, reversed. The
    other hand is ``nan`` where the gesture does not move it (it rests).
    """
    u = np.asarray(u, dtype=np.float64)
    base = inst["base"]
    if gesture != base:  # second of an order pair: the base played backwards
        u = 1.0 - u
    p = _eased(u, inst["easing"])
    a = inst["amplitude"]
    if base in _POLYLINES:
        pts = inst["points"]
        mid = pts.mean(axis=0)
        path = _polyline(mid + a * (pts - mid), p)
    elif base in _CIRCLES:
        # Outward at the top: the angle decreases (x_out = cos, y = sin).
        theta = inst["phase"] - 2 * math.pi * inst["turns"] * p
        r = a * inst["radius"]
        path = inst["centre"] + r * np.stack([np.cos(theta), np.sin(theta), np.zeros_like(theta)], axis=1)
    else:  # oscillations along x_out, fading in and out: wave (19) about its centre, clap (20)
        # between the hands' meeting point near the midline and a swing outwards
        s = np.sin(2 * math.pi * inst["cycles"] * u + inst["phase"]) * np.sin(math.pi * u) ** 0.5
        path = np.repeat(inst["centre"][None], len(u), axis=0)
        if base == 19:
            path[:, 0] += a * inst["swing"] * s
        else:
            path[:, 0] = 0.08 + a * inst["swing"] * (1.0 + s) / 2.0
    out = np.full((len(u), 2, 3), np.nan)
    out[:, 0] = path
    if inst["hands"] == "both":
        out[:, 1] = path  # mirrored by the handed coordinates
    return out


# ---------------------------------------------------------------------------------------------
# A sequence's timeline: wrist targets a frame and labels
# ---------------------------------------------------------------------------------------------
def _between(rng: np.random.Generator, lo_hi: tuple[int, int]) -> int:
    """An integer uniform in ``lo .. hi`` (both included)."""
    return int(rng.integers(lo_hi[0], lo_hi[1] + 1))


def _smooth(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """``k`` frames moving from ``a`` to ``b`` (both (2, 3)), ease in and out: (k, 2, 3)."""
    w = (1.0 - np.cos(np.pi * (np.arange(1, k + 1) / k))) / 2.0
    return a[None] + w[:, None, None] * (b - a)[None]


def _oov(kind: str, rng: np.random.Generator, style: MontalbanoStyle, rest: np.ndarray) -> np.ndarray:
    """Wrist targets (K, 2, 3) of an unlabelled movement (starting where it starts)."""
    k = _between(rng, (style.gesture_frames[0], style.gesture_frames[1] + 15))
    t = np.linspace(0.0, 1.0, k)
    out = np.repeat(rest[None], k, axis=0).copy()
    hand = int(rng.integers(2))
    if kind == "scratch":  # a hand at the side of the head, small rubbing
        pos = np.array([0.18, 0.42, 0.02]) + rng.normal(0, 0.03, 3)
        out[:, hand] = pos + np.outer(np.sin(2 * math.pi * rng.uniform(2, 4) * t), [0.0, 0.03, 0.0])
    elif kind == "hips":  # both hands on the hips
        out[:, :] = np.array([0.40, -0.80, 0.0]) + rng.normal(0, 0.02, 3)
    elif kind == "cross":  # arms crossed in front of the chest
        out[:, :] = np.array([-0.28, -0.42, 0.32]) + rng.normal(0, 0.02, 3)
    elif kind == "wander":  # ordinary hand motion through random places
        pts = np.stack(
            [rest[hand]]
            + [np.array([rng.uniform(-0.1, 0.9), rng.uniform(-0.9, 0.4), rng.uniform(0.1, 0.6)]) for _ in range(2)]
        )
        out[:, hand] = _polyline(pts, _eased(t, 1.5))
    else:  # "aborted": the beginning of a vocabulary gesture, then back
        g = int(rng.integers(1, 21))
        inst = _draw_gesture_instance(g, rng, style)
        q = rng.uniform(0.2, 0.45)
        half = k // 2
        uu = np.r_[np.linspace(0.0, q, half), np.linspace(q, 0.0, k - half)]
        path = gesture_path(g, inst, uu)
        out[:, 0] = path[:, 0]
        if inst["hands"] == "both":
            out[:, 1] = path[:, 1]
    return out


@dataclass
class Timeline:
    """What a sequence does, before any drawing (``T`` frames)."""

    wrists: np.ndarray  # (T, 2, 3) handed targets: dominant hand, other hand
    labels: np.ndarray  # (T,) int64
    events: list[tuple[str, int, int, int]]  # (kind, gesture or 0, first frame, end frame excluded)


def _gesture_order(seed: int, sample: int) -> list[int]:
    """Classes in the order a sequence performs them: low-discrepancy start in one global
    permutation, so consecutive sequences cover the classes evenly, shuffled within tens."""
    perm = np.random.default_rng(np.random.SeedSequence([int(seed), 11])).permutation(20) + 1
    offset = int(round(sample * 0.6180339887 * 20)) % 20
    rolled = np.roll(perm, -offset)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 13, int(sample)]))
    return [int(g) for part in (rolled[:10], rolled[10:]) for g in rng.permutation(part)]


def sequence_timeline(
    sample: int, *, num_frames: int, seed: int = 0, style: MontalbanoStyle = DEFAULT_STYLE
) -> Timeline:
    """What sequence ``sample`` does, without drawing it: handed wrist targets ``(T, 2, 3)``
    (dominant hand, other hand; arm reaches), frame labels ``(T,)`` and the events
    ``(kind, gesture, first frame, end frame excluded)``; :func:`render_sequence` draws these."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 5, int(sample)]))
    return _timeline(int(num_frames), _gesture_order(seed, sample), rng, style)


def _timeline(num_frames: int, order: list[int], rng: np.random.Generator, style: MontalbanoStyle) -> Timeline:
    rest = np.stack([_REST, _REST]) + rng.normal(0.0, 0.02, (2, 3))
    chunks: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    events: list[tuple[str, int, int, int]] = []
    t = 0
    state = rest.copy()

    def add(block: np.ndarray, label: int = 0) -> None:
        nonlocal t, state
        if len(block) == 0:
            return
        chunks.append(block)
        labels.append(np.full(len(block), label, dtype=np.int64))
        t += len(block)
        state = block[-1].copy()

    def hold(k: int) -> None:
        add(np.repeat(state[None], k, axis=0))

    hold(_between(rng, style.rest_frames))
    queue = list(order)
    first = True
    while True:
        is_gesture = first or rng.uniform() >= style.oov_prob
        if is_gesture:
            g = queue.pop(0)
            queue.append(g)
            inst = _draw_gesture_instance(g, rng, style)
            d = _between(rng, style.gesture_frames)  # the stroke's duration: its speed
            k = _between(rng, style.approach_frames)
            if first:  # every sequence holds at least one gesture
                d = max(min(d, num_frames - t - k), style.gesture_frames[0])
            if t + k + d > num_frames:
                break
            stroke = gesture_path(g, inst, np.linspace(0.0, 1.0, d))  # (d, 2, 3), nan: a resting hand
            stroke = np.where(np.isnan(stroke), rest[None], stroke)
            add(_smooth(state, stroke[0], k))
            events.append(("gesture", g, t, t + d))
            add(stroke, g)
        else:
            kind = str(rng.choice(["scratch", "hips", "cross", "wander", "aborted"]))
            block = _oov(kind, rng, style, rest)
            k = _between(rng, style.approach_frames)
            if t + k + len(block) > num_frames:
                break
            add(_smooth(state, block[0], k))
            events.append((kind, 0, t, t + len(block)))
            add(block)
        first = False
        if rng.uniform() < style.rest_after_prob:
            k = _between(rng, style.approach_frames)
            if t + k > num_frames:
                break
            add(_smooth(state, rest, k))
            hold(min(_between(rng, style.rest_frames), num_frames - t))
    if t < num_frames:  # the remainder: back to rest and hold
        k = min(_between(rng, style.approach_frames), num_frames - t)
        add(_smooth(state, rest, k))
        hold(num_frames - t)
    wrists = np.concatenate(chunks)[:num_frames]
    wrists = wrists + rng.normal(0.0, style.tremor, wrists.shape)
    return Timeline(wrists=wrists, labels=np.concatenate(labels)[:num_frames], events=events)


# ---------------------------------------------------------------------------------------------
# Body: joints in 3-D
# ---------------------------------------------------------------------------------------------
_J = {name: i for i, name in enumerate(JOINTS)}
_PARENT = {
    "Spine": "HipCenter",
    "ShoulderCenter": "Spine",
    "Head": "ShoulderCenter",
    "ShoulderLeft": "ShoulderCenter",
    "ElbowLeft": "ShoulderLeft",
    "WristLeft": "ElbowLeft",
    "HandLeft": "WristLeft",
    "ShoulderRight": "ShoulderCenter",
    "ElbowRight": "ShoulderRight",
    "WristRight": "ElbowRight",
    "HandRight": "WristRight",
    "HipLeft": "HipCenter",
    "KneeLeft": "HipLeft",
    "AnkleLeft": "KneeLeft",
    "FootLeft": "AnkleLeft",
    "HipRight": "HipCenter",
    "KneeRight": "HipRight",
    "AnkleRight": "KneeRight",
    "FootRight": "AnkleRight",
}


def _two_bone(shoulder: np.ndarray, target: np.ndarray, l1: float, l2: float, pole: np.ndarray):
    """Elbow and wrist (T, 3) reaching for ``target`` with the elbow bent towards ``pole``."""
    v = target - shoulder
    d = np.linalg.norm(v, axis=1, keepdims=True)
    n = v / np.maximum(d, 1e-9)
    d = np.clip(d, 0.25 * (l1 + l2), 0.995 * (l1 + l2))
    a = (l1**2 - l2**2 + d**2) / (2 * d)
    r = np.sqrt(np.maximum(l1**2 - a**2, 0.0))
    q = pole[None] - np.sum(pole[None] * n, axis=1, keepdims=True) * n
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-9)
    elbow = shoulder + a * n + r * q
    return elbow, shoulder + d * n


def _body(perf: Performer, wrists: np.ndarray, sway: np.ndarray) -> np.ndarray:
    """Joints (T, 20, 3) in body coordinates (x to the image's right, y up from the floor, z towards
    the camera), from the handed wrist targets (T, 2, 3)."""
    t = len(wrists)
    s, b = perf.stature, perf.build
    sh, hp = 0.115 * s * b, 0.055 * s * b
    j = np.zeros((t, len(JOINTS), 3))
    for name, y, x, z in (
        ("HipCenter", _H_HIP, 0, 0),
        ("Spine", _H_SPINE, 0, 0.0),
        ("ShoulderCenter", _H_NECK, 0, 0),
        ("Head", _H_HEAD, 0, 0.01),
        ("ShoulderLeft", _H_SHOULDER, sh, 0),
        ("ShoulderRight", _H_SHOULDER, -sh, 0),
        ("HipLeft", _H_HIP_JOINT, hp, 0),
        ("HipRight", _H_HIP_JOINT, -hp, 0),
        ("KneeLeft", _H_KNEE, hp, 0.02),
        ("KneeRight", _H_KNEE, -hp, 0.02),
        ("AnkleLeft", _H_ANKLE, 1.05 * hp, 0),
        ("AnkleRight", _H_ANKLE, -1.05 * hp, 0),
        ("FootLeft", 0.0, 1.1 * hp, 0.08),
        ("FootRight", 0.0, -1.1 * hp, 0.08),
    ):
        j[:, _J[name]] = (x, y * s, z)  # x and z in metres, y a fraction of stature
    j[:, :, 0] += sway[:, None, 0]  # the whole body shifts a little
    upper = sway[:, None, 1]  # the upper body sways sideways about the hips
    for name in ("Spine", "ShoulderCenter", "Head", "ShoulderLeft", "ShoulderRight"):
        j[:, _J[name], 0] += upper[:, 0] * (j[:, _J[name], 1] - _H_HIP * s) / (0.4 * s)
    reach = perf.reach
    centre = j[:, _J["ShoulderCenter"]]
    # Hands: index 0 is the dominant hand; the right hand's outward direction is -x.
    dominant_side = 1.0 if perf.left_handed else -1.0
    for hand, side_sign in ((0, dominant_side), (1, -dominant_side)):
        side = "Left" if side_sign > 0 else "Right"
        target = centre + reach * wrists[:, hand] * np.array([side_sign, 1.0, 1.0])
        shoulder = j[:, _J[f"Shoulder{side}"]]
        pole = np.array([0.45 * side_sign, -1.0, -0.35])
        elbow, wrist = _two_bone(shoulder, target, _UPPER_ARM * s, _FOREARM * s, pole)
        fore = (wrist - elbow) / np.maximum(np.linalg.norm(wrist - elbow, axis=1, keepdims=True), 1e-9)
        j[:, _J[f"Elbow{side}"]] = elbow
        j[:, _J[f"Wrist{side}"]] = wrist
        j[:, _J[f"Hand{side}"]] = wrist + 0.45 * _HAND * s * fore
    return j


def _quaternions(world: np.ndarray) -> np.ndarray:
    """Bone orientations (T, 20, 4) as (w, x, y, z): the rotation taking +y to the direction from
    each joint's parent to the joint; the hip centre (the root) gets the identity."""
    q = np.zeros(world.shape[:2] + (4,))
    q[:, _J["HipCenter"], 0] = 1.0
    for name, parent in _PARENT.items():
        v = world[:, _J[name]] - world[:, _J[parent]]
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
        # q = (1 + y.v, y x v) normalised, y = (0, 1, 0): y x v = (v_z, 0, -v_x)
        w = 1.0 + v[:, 1]
        quat = np.stack([w, v[:, 2], np.zeros_like(w), -v[:, 0]], axis=1)
        norm = np.linalg.norm(quat, axis=1, keepdims=True)
        flipped = norm[:, 0] < 1e-6  # v = -y: half a turn about x
        quat = quat / np.maximum(norm, 1e-12)
        quat[flipped] = (0.0, 1.0, 0.0, 0.0)
        q[:, _J[name]] = quat
    return q


# ---------------------------------------------------------------------------------------------
# Rendering: one part-id map a frame, then colour, depth and mask from it
# ---------------------------------------------------------------------------------------------
_PARTS = (
    "background",
    "trousers",
    "shoes",
    "shirt",
    "skin",
    "hair",
    "sleeve_r",
    "fore_r",
    "hand_r",
    "sleeve_l",
    "fore_l",
    "hand_l",
)
_P = {name: i for i, name in enumerate(_PARTS)}
_SHIFT = 3
_ONE = 1 << _SHIFT


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0] * _ONE)), int(round(p[1] * _ONE))


def _line(img: np.ndarray, a: np.ndarray, b: np.ndarray, width: float, value: int) -> None:
    cv2.line(img, _pt(a), _pt(b), value, thickness=max(1, int(round(width))), lineType=cv2.LINE_8, shift=_SHIFT)


def _disc(img: np.ndarray, c: np.ndarray, ax: float, ay: float, value: int, angle: float = 0.0) -> None:
    cv2.ellipse(
        img,
        _pt(c),
        (max(1, int(round(ax * _ONE))), max(1, int(round(ay * _ONE)))),
        angle,
        0.0,
        360.0,
        value,
        thickness=-1,
        lineType=cv2.LINE_8,
        shift=_SHIFT,
    )


@dataclass
class _Scene:
    size: tuple[int, int]
    focal: float
    cam_height: float
    background: np.ndarray  # (H, W, 3) uint8
    bg_depth: np.ndarray  # (H, W) float32 mm
    light: np.ndarray  # (H, W) float32 gain map
    max_depth: int
    noise_std: float


def _scene(rng: np.random.Generator, size: tuple[int, int], style: MontalbanoStyle) -> _Scene:
    h, w = size
    f = style.focal * w
    cam_h = float(rng.uniform(*style.camera_height))
    wall = float(rng.uniform(*style.wall_distance))
    cy = (h - 1) / 2
    # Depth: the wall, and the floor (a plane cam_h below the camera) in front of it.
    rows = np.arange(h, dtype=np.float64)
    below = rows - cy
    floor = np.where(below > 0, f * cam_h / np.maximum(below, 1e-6), np.inf)
    bg_depth = np.repeat(np.minimum(floor, wall)[:, None], w, axis=1) * 1000.0
    horizon = int(np.clip(np.ceil(cy + f * cam_h / wall), 0, h))
    # Colour: textured wall, floor, a few objects (posters, cabinets) on the wall.
    wall_rgb = np.array(_hsv(rng.uniform(), rng.uniform(0.0, 0.5), rng.uniform(0.35, 0.95)), np.float32)
    floor_rgb = np.array(_hsv(rng.uniform(), rng.uniform(0.0, 0.6), rng.uniform(0.2, 0.7)), np.float32)
    tex = cv2.resize(
        rng.normal(0, 1, (max(2, h // 10), max(2, w // 10))).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    bg = np.empty((h, w, 3), np.float32)
    bg[:horizon] = wall_rgb
    bg[horizon:] = floor_rgb
    bg *= (1.0 + 0.08 * tex)[..., None]
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = rng.uniform(-0.1, 1.0) * w, rng.uniform(0.0, 0.8) * horizon
        x1 = int(x0 + rng.uniform(0.08, 0.35) * w)
        y1 = int(min(y0 + rng.uniform(0.1, 0.5) * h, horizon + 0.15 * h))
        rows, cols = slice(max(int(y0), 0), max(y1, 0)), slice(max(int(x0), 0), max(x1, 0))
        bg[rows, cols] = _hsv(rng.uniform(), rng.uniform(0, 0.9), rng.uniform(0.1, 1.0))
        if rng.uniform() < 0.5:  # furniture: nearer than the wall
            np.minimum(bg_depth[rows, cols], 1000.0 * (wall - rng.uniform(0.2, 0.7)), out=bg_depth[rows, cols])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    psi = rng.uniform(0, 2 * math.pi)
    grad = (xx / w - 0.5) * math.cos(psi) + (yy / h - 0.5) * math.sin(psi)
    grad *= rng.uniform(0, style.lighting_gradient)
    light = (rng.uniform(*style.lighting_gain) * (1.0 + grad)).astype(np.float32)
    return _Scene(
        size=size,
        focal=f,
        cam_height=cam_h,
        background=np.clip(bg, 0, 255).astype(np.uint8),
        bg_depth=bg_depth.astype(np.float32),
        light=light,
        max_depth=int(rng.integers(style.max_depth[0], style.max_depth[1] + 1)),
        noise_std=float(rng.uniform(*style.noise_std)),
    )


def _project(world: np.ndarray, scene: _Scene) -> np.ndarray:
    """World (..., 3) in metres (x right, y up from the camera, z away) -> pixels (..., 2) (x, y)."""
    h, w = scene.size
    u = (w - 1) / 2 + scene.focal * world[..., 0] / world[..., 2]
    v = (h - 1) / 2 - scene.focal * world[..., 1] / world[..., 2]
    return np.stack([u, v], axis=-1)


def _render_ids(px: np.ndarray, world: np.ndarray, perf: Performer, scene: _Scene) -> tuple[np.ndarray, np.ndarray]:
    """Part ids (T, H, W) uint8 (0 = background) and each part's depth a frame (T, parts) in mm.

    Parts are drawn far to near (legs, torso, head, then the farther arm first); each is at the
    depth of its joints (a segment at the mean of its two ends).
    """
    t = len(px)
    h, w = scene.size
    ids = np.zeros((t, h, w), np.uint8)
    size = perf.stature / 1.75  # widths below are for a person of 1.75 m
    z = world[..., 2]  # (T, 20) metres
    scale = scene.focal / z  # (T, 20) pixels a metre at each joint
    depth = np.zeros((t, len(_PARTS)), np.float32)
    for k in range(t):
        img, p, m, zk = ids[k], px[k], scale[k], 1000.0 * z[k]

        def seg(a: str, b: str, width_m: float, part: str) -> None:
            # called at once, within this iteration: the loop variables are the current frame's
            _line(img, p[_J[a]], p[_J[b]], width_m * size * 0.5 * (m[_J[a]] + m[_J[b]]), _P[part])  # noqa: B023

        for side in ("Left", "Right"):
            seg(f"Hip{side}", f"Knee{side}", 0.13, "trousers")
            seg(f"Knee{side}", f"Ankle{side}", 0.10, "trousers")
            seg(f"Ankle{side}", f"Foot{side}", 0.07, "shoes")
        # Torso: a quadrilateral from the shoulders' outer edges to the hips'.
        ms, mh = m[_J["ShoulderCenter"]], m[_J["HipCenter"]]
        out = np.array([0.06 * size, 0.0])
        up = np.array([0.0, -0.035 * size])
        quad = np.array(
            [
                p[_J["ShoulderRight"]] + (up - out) * ms,
                p[_J["ShoulderLeft"]] + (up + out) * ms,
                p[_J["HipLeft"]] + 1.6 * out * mh,
                p[_J["HipRight"]] - 1.6 * out * mh,
            ]
        )
        cv2.fillConvexPoly(img, np.round(quad * _ONE).astype(np.int32), _P["shirt"], lineType=cv2.LINE_8, shift=_SHIFT)
        seg("ShoulderCenter", "Head", 0.06, "skin")
        head, mhd = p[_J["Head"]], m[_J["Head"]] * size
        _disc(img, head, 0.075 * mhd, 0.10 * mhd, _P["skin"])
        _disc(img, head - [0, 0.035 * mhd], 0.078 * mhd, 0.07 * mhd, _P["hair"])
        for side in sorted(("Left", "Right"), key=lambda side: -zk[_J[f"Hand{side}"]]):
            tag = side[0].lower()
            seg(f"Shoulder{side}", f"Elbow{side}", 0.085, f"sleeve_{tag}")
            seg(f"Elbow{side}", f"Wrist{side}", 0.07, f"fore_{tag}")
            wrist, hand = p[_J[f"Wrist{side}"]], p[_J[f"Hand{side}"]]
            angle = math.degrees(math.atan2(hand[1] - wrist[1], hand[0] - wrist[0]))
            mhn = m[_J[f"Hand{side}"]] * size
            _disc(img, hand, 0.06 * mhn, 0.045 * mhn, _P[f"hand_{tag}"], angle)
            depth[k, _P[f"sleeve_{tag}"]] = (zk[_J[f"Shoulder{side}"]] + zk[_J[f"Elbow{side}"]]) / 2
            depth[k, _P[f"fore_{tag}"]] = (zk[_J[f"Elbow{side}"]] + zk[_J[f"Wrist{side}"]]) / 2
            depth[k, _P[f"hand_{tag}"]] = zk[_J[f"Hand{side}"]]
        depth[k, _P["trousers"]] = (zk[_J["KneeLeft"]] + zk[_J["KneeRight"]]) / 2
        depth[k, _P["shoes"]] = (zk[_J["FootLeft"]] + zk[_J["FootRight"]]) / 2
        depth[k, _P["shirt"]] = zk[_J["Spine"]]
        depth[k, _P["skin"]] = zk[_J["Head"]]
        depth[k, _P["hair"]] = zk[_J["Head"]] + 20.0
    return ids, depth


def _packed(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 -> (...) uint32, one RGBA word a pixel (one gather instead of three)."""
    rgba = np.zeros(rgb.shape[:-1] + (4,), np.uint8)
    rgba[..., :3] = rgb
    return rgba.view(np.uint32)[..., 0]


def _palette(perf: Performer) -> np.ndarray:
    """The colour of each part (parts, 3) uint8 RGB."""
    sleeve = perf.shirt
    fore = perf.shirt if perf.long_sleeves else perf.skin
    pal = np.zeros((len(_PARTS), 3), np.uint8)
    for name, colour in (
        ("trousers", perf.trousers),
        ("shoes", perf.shoes),
        ("shirt", perf.shirt),
        ("skin", perf.skin),
        ("hair", perf.hair),
        ("sleeve_r", sleeve),
        ("fore_r", fore),
        ("hand_r", perf.skin),
        ("sleeve_l", sleeve),
        ("fore_l", fore),
        ("hand_l", perf.skin),
    ):
        pal[_P[name]] = colour
    return pal


# ---------------------------------------------------------------------------------------------
# One sequence
# ---------------------------------------------------------------------------------------------
def _wave(
    rng: np.random.Generator, t: np.ndarray, amplitude: tuple[float, float], period: tuple[float, float]
) -> np.ndarray:
    """A slow sine over frames ``t`` with random amplitude, period (frames) and phase."""
    return rng.uniform(*amplitude) * np.sin(2 * math.pi * t / rng.uniform(*period) + rng.uniform(0, 2 * math.pi))


@dataclass
class SyntheticSequence:
    """What :func:`render_sequence` draws, before video encoding (``T`` frames of ``H x W``)."""

    sample_id: int
    frames: np.ndarray  # (T, H, W, 3) uint8 RGB
    depth_gray: np.ndarray  # (T, H, W) uint8, the depth video's content: depth / max_depth * 255
    user: np.ndarray  # (T, H, W) bool
    skeleton: np.ndarray  # (T, 20, 9) as written to _skeleton.csv (zero rows where untracked)
    true_pixels: np.ndarray  # (T, 20, 2) noise-free pixel coordinates (x, y) of the joints
    true_world: np.ndarray  # (T, 20, 3) noise-free world coordinates, metres
    labels: np.ndarray  # (T,) int64, 0 = no gesture
    intervals: list[Interval]  # _labels.csv rows
    events: list[tuple[str, int, int, int]]  # (kind, gesture, first frame, end frame excluded)
    wrists: np.ndarray  # (T, 2, 3) handed wrist targets (dominant, other), reaches
    max_depth: int
    fps: int
    performer: int
    left_handed: bool

    @property
    def depth(self) -> np.ndarray:
        """Depth in mm as the reader restores it from lossless gray levels: (T, H, W) float32."""
        return self.depth_gray.astype(np.float32) * np.float32(self.max_depth / 255.0)


def render_sequence(
    sample: int,
    *,
    num_frames: int,
    seed: int = 0,
    size: tuple[int, int] = (120, 160),
    num_performers: int = 6,
    style: MontalbanoStyle = DEFAULT_STYLE,
) -> SyntheticSequence:
    """Draw sequence ``sample`` of a data set generated with ``seed`` (deterministic)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 3, int(sample)]))
    h, w = size
    who = int(rng.integers(num_performers))
    perf = make_performer(seed, who, style)
    scene = _scene(rng, size, style)
    tl = sequence_timeline(sample, num_frames=num_frames, seed=seed, style=style)
    t = num_frames
    # Placement: distance, lateral offset, yaw, slow sway.
    dist = float(rng.uniform(*style.distance))
    lateral = float(rng.uniform(*style.lateral))
    yaw = math.radians(rng.uniform(-style.yaw_degrees, style.yaw_degrees))
    tt = np.arange(t)
    sway = np.stack(
        [
            _wave(rng, tt, (0.01, 0.04), (80, 240)),  # the whole body, metres
            _wave(rng, tt, (0.005, 0.02), (60, 160)),
        ],
        axis=1,
    )  # the upper body about the hips
    body = _body(perf, tl.wrists, sway)  # (T, 20, 3) body coordinates
    # Body -> world (x to the image's right, y up from the camera's height, z away from it):
    # turn by the yaw about the vertical, place at (lateral, dist).
    cos_y, sin_y = math.cos(yaw), math.sin(yaw)
    x = cos_y * body[..., 0] + sin_y * body[..., 2]
    towards = -sin_y * body[..., 0] + cos_y * body[..., 2]
    world = np.stack([x + lateral, body[..., 1] - scene.cam_height, dist - towards], axis=-1)  # (T, 20, 3)
    px = _project(world, scene)  # (T, 20, 2)

    ids, part_depth = _render_ids(px, world, perf, scene)  # (T, H, W) uint8, (T, parts) mm
    # Colour: palette over the background, optics blur, lighting with drift and flicker, sensor
    # noise (drawn from a bank of noise frames, which is much cheaper than fresh noise a frame).
    # Depth: each part at its joints' depth, noise growing with distance, a shadow to the right
    # of the silhouette (the Kinect's projector sits beside its camera) where it reads 0.
    pal32 = _packed(_palette(perf))  # (parts,) uint32 RGBA
    bg32 = _packed(scene.background)  # (H, W) uint32
    drift = 1.0 + _wave(rng, tt, (style.lighting_drift, style.lighting_drift), (150, 600))
    gain = (drift * (1.0 + rng.normal(0.0, style.flicker, t))).astype(np.float32)
    bank = rng.standard_normal((16, h, w, 3), dtype=np.float32) * np.float32(scene.noise_std)
    depth_bank = rng.standard_normal((16, h, w), dtype=np.float32) * np.float32(style.depth_noise)
    pick, depth_pick = rng.integers(0, 16, t), rng.integers(0, 16, t)
    shift = max(1, w // 80)
    frames = np.empty((t, h, w, 3), np.uint8)
    gray = np.empty((t, h, w), np.uint8)
    for k in range(t):
        person = ids[k] > 0
        rgba = np.take(pal32, ids[k])
        np.copyto(rgba, bg32, where=~person)
        blurred = cv2.GaussianBlur(rgba.view(np.uint8).reshape(h, w, 4), (3, 3), 0.6)
        f = blurred[..., :3].astype(np.float32)
        f *= scene.light[..., None] * gain[k]
        f += bank[pick[k]]
        frames[k] = np.clip(f, 0, 255)
        d = np.take(part_depth[k], ids[k])
        np.copyto(d, scene.bg_depth, where=~person)
        d += depth_bank[depth_pick[k]] * np.square(d / 1000.0)
        shadow = np.zeros_like(person)
        shadow[:, shift:] = person[:, :-shift]
        d[shadow & ~person] = 0.0
        gray[k] = np.clip(np.rint(d * (255.0 / scene.max_depth)), 0, 255)

    # Skeleton as the tracker reports it: jittered joints, integer pixels, untracked bursts.
    noisy = world + rng.normal(0.0, style.skeleton_jitter, world.shape)
    skel = np.zeros((t, len(JOINTS), 9))
    skel[..., 0:3] = noisy
    skel[..., 3:7] = _quaternions(noisy)
    # the values the CSV holds, 6 decimals, so that reading the file back gives this array exactly
    skel[..., 0:7] = np.char.mod("%.6f", skel[..., 0:7]).astype(np.float64)
    skel[..., 7:9] = np.rint(_project(noisy, scene))
    if rng.uniform() < style.dropout_prob:
        for _ in range(int(rng.integers(1, 3))):
            a = int(rng.integers(0, max(1, t - 8)))
            skel[a : a + int(rng.integers(2, 9))] = 0.0

    labels = tl.labels
    return SyntheticSequence(
        sample_id=int(sample),
        frames=frames,
        depth_gray=gray,
        user=ids > 0,
        skeleton=skel,
        true_pixels=px,
        true_world=world,
        labels=labels,
        intervals=frames_to_intervals(labels),
        events=tl.events,
        wrists=tl.wrists,
        max_depth=scene.max_depth,
        fps=style.fps,
        performer=who,
        left_handed=perf.left_handed,
    )


# ---------------------------------------------------------------------------------------------
# Writing the archives
# ---------------------------------------------------------------------------------------------
def _encode(frames: np.ndarray, *, fmt: str, fps: int, codec: str, crf: int) -> bytes:
    """Frames (T, H, W[, 3]) uint8 -> MP4 bytes (yuv420p), in memory, one encoder thread."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        if codec == "libx264":
            # constant quality; the fastest preset (slower ones take several times longer on
            # the sensor noise for files a third to a quarter the size, no closer to the input)
            stream.options = {"crf": str(crf), "preset": "ultrafast"}
        else:  # MPEG-4 part 2 has no constant-quality mode here: a generous bit rate instead
            stream.bit_rate = int(4 * frames.shape[1] * frames.shape[2] * fps)
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format=fmt)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def _skeleton_csv(skel: np.ndarray) -> str:
    rows = []
    for frame in skel:
        if not frame.any():
            rows.append(",".join(["0"] * frame.size))
            continue
        vals = []
        for joint in frame:
            vals.extend(f"{v:.6f}" for v in joint[:7])
            vals.extend(str(int(v)) for v in joint[7:9])
        rows.append(",".join(vals))
    return "\n".join(rows) + "\n"


def _zip_member(zf: zipfile.ZipFile, name: str, data: bytes, compress: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=(2014, 1, 1, 0, 0, 0))  # fixed: archives are reproducible
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _write_archive(path: Path, seq: SyntheticSequence, *, codec: str, crf: int) -> None:
    name = sample_name(seq.sample_id)
    t = len(seq.labels)
    members = {
        "color": _encode(seq.frames, fmt="rgb24", fps=seq.fps, codec=codec, crf=crf),
        "depth": _encode(seq.depth_gray, fmt="gray", fps=seq.fps, codec=codec, crf=crf),
        "user": _encode(seq.user.astype(np.uint8) * 255, fmt="gray", fps=seq.fps, codec=codec, crf=crf),
        "skeleton": _skeleton_csv(seq.skeleton).encode(),
        "data": f"{t},{seq.fps},{seq.max_depth}\n".encode(),
        "labels": "".join(f"{g},{a},{b}\n" for g, a, b in seq.intervals).encode(),
    }
    with zipfile.ZipFile(path, "w") as zf:
        for role, data in members.items():
            _zip_member(zf, f"{name}{MEMBERS[role]}", data, compress=role not in ("color", "depth", "user"))


def _available_codec(codec: str) -> str:
    try:
        av.codec.Codec(codec, "w")
        return codec
    except Exception:  # noqa: BLE001 - PyAV raises different errors for unknown encoders
        if codec == "libx264":
            return "mpeg4"  # in every FFmpeg build
        raise


def _has_files(root: Path, manifest: dict) -> bool:
    return all((root / f"{sample_name(i)}.zip").is_file() for i in manifest["parameters"]["ids"])


def synthetic_split_ids(*, train: int, validation: int, test: int, scheme: str = "authors") -> dict[str, list[int]]:
    """Sample ids that :func:`~motion_rnn.data.montalbano.montalbano_split` puts in each split:
    the first ``train`` ids of the training range (417 skipped in the authors' scheme), and so on."""
    table = {"authors": AUTHORS_SPLIT, "challenge": CHALLENGE_SPLIT}.get(scheme)
    if table is None:
        raise ValueError(f"scheme must be 'authors' or 'challenge', got {scheme!r}")
    out = {}
    for split, n in (("train", train), ("validation", validation), ("test", test)):
        ids = table[split]
        if not 0 <= n <= len(ids):
            raise ValueError(f"{split}: at most {len(ids)} sequences fit its id range, asked for {n}")
        out[split] = list(ids[:n])
    return out


def write_synthetic_montalbano(
    root: str | os.PathLike,
    *,
    num_sequences: int | None = None,
    frames_per_sequence: int = 400,
    seed: int = 0,
    size: tuple[int, int] = (120, 160),
    first_id: int = 1,
    ids: Sequence[int] | None = None,
    num_performers: int = 6,
    codec: str = "libx264",
    crf: int = 18,
    style: MontalbanoStyle = DEFAULT_STYLE,
) -> Path:
    """Write synthetic sequences to ``root`` as ``SampleNNNN.zip`` archives and return ``root``.

    Ids are ``first_id .. first_id + num_sequences - 1``, or ``ids`` (e.g. from
    :func:`synthetic_split_ids`). Frames are ``size = (H, W)`` (even numbers; the real data are
    480 x 640). Videos are H.264 (``codec="libx264"``, constant quality ``crf``) or MPEG-4 part 2
    (``"mpeg4"``, used when the installed PyAV lacks libx264), yuv420p, 20 frames a second.

    Writes ``synthetic_manifest.json`` (parameters and, per sequence, performer and gestures) last;
    when ``root`` already holds a complete set with identical parameters, returns at once. A
    ``root`` holding anything but an earlier output of this function is refused.
    """
    root = Path(root)
    if ids is None:
        if num_sequences is None or num_sequences < 1:
            raise ValueError("give num_sequences >= 1 (with first_id) or ids")
        ids = list(range(int(first_id), int(first_id) + int(num_sequences)))
    ids = [int(i) for i in ids]
    if len(set(ids)) != len(ids) or not ids or min(ids) < 1 or max(ids) > 9999:
        raise ValueError(f"ids must be distinct numbers in 1..9999, got {ids[:10]}...")
    h, w = (int(v) for v in size)
    if h % 2 or w % 2 or h < 32 or w < 32:
        raise ValueError(f"size must be (H, W), even and at least 32 (the videos are yuv420p), got {size}")
    if frames_per_sequence < 64:
        raise ValueError(f"frames_per_sequence must be >= 64 (one fragment), got {frames_per_sequence}")
    params = {
        "generator": "motion_rnn.data.synthetic.montalbano",  # the module's former path, kept: the cache key
        "format_version": _FORMAT_VERSION,
        "ids": ids,
        "frames_per_sequence": int(frames_per_sequence),
        "seed": int(seed),
        "size": [h, w],
        "num_performers": int(num_performers),
        "codec": _available_codec(codec),
        "crf": int(crf),
        "style": json.loads(json.dumps(asdict(style))),
    }

    def generate(tmp: Path) -> dict:
        sequences = []
        for i in ids:
            seq = render_sequence(
                i,
                num_frames=params["frames_per_sequence"],
                seed=seed,
                size=(h, w),
                num_performers=num_performers,
                style=style,
            )
            _write_archive(tmp / f"{sample_name(i)}.zip", seq, codec=params["codec"], crf=params["crf"])
            sequences.append(
                {
                    "id": i,
                    "performer": seq.performer,
                    "left_handed": seq.left_handed,
                    "gestures": [int(g) for g, _, _ in seq.intervals],
                    "gesture_frames": int(np.count_nonzero(seq.labels)),
                }
            )
        return {"gesture_names": list(SYNTHETIC_GESTURES), "sequences": sequences}

    return write_once(
        root, params, generate=generate, is_complete=_has_files, writer="write_synthetic_montalbano", indent=1
    )
