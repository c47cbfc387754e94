"""Synthetic hand-gesture videos, written in the 20BN-Jester layout and read back by its reader.

Each video shows a stylised hand (palm, four fingers, thumb; one of a range of skin tones) in
front of a textured, cluttered background, often with a person (face, torso) behind it, under
uneven lighting with flicker and sensor noise, saved as JPEG frames. The twelve classes
(:data:`SYNTHETIC_CLASSES`) are defined by motion alone:

* swiping left / right / up / down: the hand travels across the frame;
* turning the hand clockwise / counterclockwise: it rotates in place;
* zooming in / out with two hands: two hands move apart / together;
* pushing the hand away / pulling it in: it shrinks and darkens / grows and brightens
  (moving away from or towards the camera);
* shaking the hand: it rocks back and forth a few times;
* no gesture: the hand rests, still or drifting slowly.

What it tests
    *Direction and order of motion.* Paired classes (left/right, up/down, clockwise/
    counterclockwise, in/out, push/pull) pass through the same poses, positions, sizes and
    brightnesses and differ only in the direction in which they are traversed: the process is
    symmetric under time reversal (a swipe left played backwards is a swipe right drawn with the
    same probability), so the middle frame, or a frame drawn at random from the clip, carries no
    information about which of the pair it came from. Orientation is drawn uniformly over the
    full circle, so no angle belongs to a rotation class.
    *Speed invariance.* The gesture's stroke takes a random sub-interval of the clip (by default
    35-85 % of it) with a random easing profile; before and after it the hand drifts, at most
    half as fast as the stroke on average.
    *Position and appearance invariance.* Position, hand size, skin tone, second (idle) hand,
    person, background texture and clutter, lighting, moving distractor objects and noise are
    drawn independently of the class.

What it cannot test
    Real hands and fingers (articulation, finger-level gestures such as Jester's "Sliding Two
    Fingers" or "Thumb Up"), real cameras (motion blur, compression of real video, auto
    exposure), real people and scenes, the 27 Jester classes and their confusions, "Doing other
    things", or the data set's size. Frames are drawn, not filmed: a model that does well here
    has learnt to read coarse motion of a skin-coloured blob, nothing more.

The first and last frames are not uninformative
    A frame at a *known* place in the clip can be: the stroke is complete and the frame bounded,
    so a swipe left starts right of where it ends, a zoom in starts with the hands close
    together, a push starts with a large hand. With the true pose of the first frame alone a
    classifier tells swipe left from right about 9 times in 10 and zoom in from out always
    (turns, whose angles are uniform on the circle, not at all). The slow drift before and after
    the stroke (``GestureStyle.idle_offset``) blurs this only a little, and more drift would blur
    the label (the drift would rival the stroke). A model can thus learn where a gesture starts,
    which is a property of real swipes too; it cannot learn the class from the middle frame or
    from a frame whose place in the clip it does not know.

Usage::

    root = write_synthetic_jester("_build/data/synthetic_jester", videos_per_class=16,
                                  num_frames=16, size=32, seed=0)
    ds = JesterDataset(root, "train", num_frames=16, size=32, train=True)

Generation is deterministic given the seed (each video has its own random stream, derived from
seed, split, class and index); a manifest of the parameters is written last, and a second call
with the same parameters returns at once.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, write_once  # noqa: F401 (MANIFEST_FILE re-exported)
from motion_rnn.data.jester.reader import FRAMES_DIR, LABELS_FILE, SPLIT_FILES

SYNTHETIC_CLASSES: tuple[str, ...] = (
    "Swiping Left",
    "Swiping Right",
    "Swiping Up",
    "Swiping Down",
    "Turning Hand Clockwise",
    "Turning Hand Counterclockwise",
    "Zooming In With Two Hands",
    "Zooming Out With Two Hands",
    "Pushing Hand Away",
    "Pulling Hand In",
    "Shaking Hand",
    "No gesture",
)
# Classes that differ only in the direction (or order) of the same motion.
PAIRED_CLASSES: tuple[tuple[str, str], ...] = (
    ("Swiping Left", "Swiping Right"),
    ("Swiping Up", "Swiping Down"),
    ("Turning Hand Clockwise", "Turning Hand Counterclockwise"),
    ("Zooming In With Two Hands", "Zooming Out With Two Hands"),
    ("Pushing Hand Away", "Pulling Hand In"),
)
TEST_ANSWERS_FILE = "synthetic-test-labels.csv"  # not in the real release: its test set is unlabelled
_SPLIT_KEYS = {"train": 0, "validation": 1, "test": 2}
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class GestureStyle:
    """Ranges the generator draws from; sizes and positions are fractions of the frame height."""

    stroke_fraction: tuple[float, float] = (0.35, 0.85)  # share of the clip the stroke takes
    easing: tuple[float, float] = (1.0, 2.5)  # 1: constant speed; larger: slow-fast-slow
    hand_radius: tuple[float, float] = (0.12, 0.26)  # hand "radius": wrist to fingertip / 1.1
    swipe_length: tuple[float, float] = (0.28, 0.45)  # distance a swipe travels
    turn_degrees: tuple[float, float] = (70.0, 140.0)  # angle a turn sweeps
    scale_ratio: tuple[float, float] = (1.5, 1.9)  # size ratio of push/pull
    zoom_gap: tuple[float, float] = (0.16, 0.28)  # change of the distance between the hands
    shake_degrees: tuple[float, float] = (18.0, 35.0)  # amplitude of a shake
    shake_cycles: tuple[float, float] = (1.5, 2.5)
    idle_offset: float = 0.5  # slow drift before/after the stroke, relative to its extent
    tremor: float = 0.004  # per-frame jitter of the hand position
    second_hand_prob: float = 0.5  # an idle second hand (classes with one active hand)
    person_prob: float = 0.8  # a face and torso behind the hand
    distractor_prob: float = 0.5  # an object crossing the background
    clutter: tuple[int, int] = (2, 7)  # static shapes on the background
    lighting_gain: tuple[float, float] = (0.65, 1.25)
    lighting_gradient: float = 0.6
    flicker: float = 0.015
    noise_std: tuple[float, float] = (2.0, 7.0)  # Gaussian sensor noise, 0..255 units


DEFAULT_STYLE = GestureStyle()

PLAIN_STYLE = GestureStyle(
    stroke_fraction=(0.6, 0.9),
    hand_radius=(0.15, 0.30),
    swipe_length=(0.4, 0.55),
    second_hand_prob=0.0,
    person_prob=0.0,
    distractor_prob=0.0,
    clutter=(0, 0),
    lighting_gradient=0.1,
    flicker=0.005,
    noise_std=(1.0, 2.0),
)
"""The gestures alone: larger hands and longer strokes on a plain background, without a person,
an idle second hand, clutter or crossing objects, and with little lighting change or noise. The
paired classes still differ only in the direction of the motion (the time-reversal symmetry
above holds for every style), so what a network must learn is the same; only the distractors
that cost a small network many epochs are gone."""


# ---------------------------------------------------------------------------------------------
# Motion: every class is a trajectory of hand states (x, y, angle, radius), frames in [0, 1]
# ---------------------------------------------------------------------------------------------
@dataclass
class _Timeline:
    p: np.ndarray  # (T,) stroke progress 0 -> 1 (eased)
    pre: np.ndarray  # (T,) share of the pre-stroke drift still to go, falling to 0 at the stroke
    post: np.ndarray  # (T,) share of the post-stroke drift done, rising from 0 after the stroke
    u: np.ndarray  # (T,) linear stroke time 0 -> 1


def _timeline(rng: np.random.Generator, t: int, style: GestureStyle, min_fraction: float = 0.0) -> _Timeline:
    # The stroke occupies [a, a + d] of the clip; a ~ U[0, 1 - d] makes the process symmetric
    # under time reversal ((a, b) -> (1 - b, 1 - a) has the same law).
    d = rng.uniform(max(style.stroke_fraction[0], min_fraction), style.stroke_fraction[1])
    a = rng.uniform(0.0, 1.0 - d)
    b = a + d
    tau = np.linspace(0.0, 1.0, t) if t > 1 else np.array([0.5])
    u = np.clip((tau - a) / d, 0.0, 1.0)
    e = rng.uniform(*style.easing)
    p = u**e / (u**e + (1.0 - u) ** e)  # symmetric easing: p(1 - u) = 1 - p(u)
    # Drift before and after the stroke covers at most (phase length / stroke length) of the
    # drift's full reach, so it is never faster on average than idle_offset x the stroke.
    pre = (1.0 - np.clip(tau / a, 0.0, 1.0)) * min(1.0, a / d) if a > 1e-9 else np.zeros(t)
    post = np.clip((tau - b) / (1.0 - b), 0.0, 1.0) * min(1.0, (1.0 - b) / d) if b < 1.0 - 1e-9 else np.zeros(t)
    return _Timeline(p=p, pre=pre, post=post, u=u)


def _disk(rng: np.random.Generator) -> np.ndarray:
    r, phi = math.sqrt(rng.uniform()), rng.uniform(0.0, 2.0 * math.pi)
    return np.array([r * math.cos(phi), r * math.sin(phi)])


def _centre(rng: np.random.Generator, extent: float, lo: float = 0.15, hi: float = 0.85) -> float:
    """A coordinate whose +-extent/2 neighbourhood stays in [lo, hi]."""
    room = max(hi - lo - extent, 0.0)
    return lo + extent / 2 + rng.uniform(0.0, room) if room > 0 else (lo + hi) / 2


def _hand_track(rng: np.random.Generator, name: str, tl: _Timeline, style: GestureStyle, t: int):
    """States (T, 4) = (x, y, angle, radius) of the active hand(s) for class ``name``."""
    # Position: a path between two points, plus slow drift before/after, plus tremor.
    ref = rng.uniform(*style.swipe_length)  # extent that sets the drift's size in every class
    direction = {
        "Swiping Left": (-1.0, 0.0),
        "Swiping Right": (1.0, 0.0),
        "Swiping Up": (0.0, -1.0),
        "Swiping Down": (0.0, 1.0),
    }.get(name)
    ext = np.array([rng.uniform(*style.swipe_length), rng.uniform(*style.swipe_length)])
    if direction is not None:
        ext[0 if direction[0] else 1] = ref
    centre = np.array([_centre(rng, ext[0]), _centre(rng, ext[1])])
    delta = np.zeros(2) if direction is None else np.array(direction) * ref
    start, end = centre - delta / 2, centre + delta / 2
    still = name == "No gesture" and rng.uniform() < 0.5
    drift = 0.0 if still else style.idle_offset * ref
    o_pre, o_post = drift * _disk(rng), drift * _disk(rng)
    xy = (
        start[None]
        + tl.p[:, None] * (end - start)[None]
        + tl.pre[:, None] * o_pre[None]
        + tl.post[:, None] * o_post[None]
        + rng.normal(0.0, style.tremor, (t, 2))
    )
    # Angle: uniform over the circle; turns sweep it, shakes rock it.
    a0 = rng.uniform(0.0, 2.0 * math.pi)
    angle = a0 + np.radians(rng.normal(0.0, 2.0, t))
    if name in ("Turning Hand Clockwise", "Turning Hand Counterclockwise"):
        sign = 1.0 if name == "Turning Hand Clockwise" else -1.0  # y points down: +angle is clockwise
        angle = angle + sign * np.radians(rng.uniform(*style.turn_degrees)) * tl.p
    elif name == "Shaking Hand":
        amp = np.radians(rng.uniform(*style.shake_degrees))
        cycles = rng.uniform(*style.shake_cycles)
        phase = rng.choice([-1.0, 1.0])
        wave = np.sin(2.0 * math.pi * cycles * tl.u) * np.sin(math.pi * tl.u)  # fades in and out
        angle = angle + phase * amp * wave
        xy[:, 0] += phase * 0.25 * amp * ref * wave
    # Radius: log-scale path (push/pull) or a slow breathing of the same size in other classes.
    ratio = rng.uniform(*style.scale_ratio)
    r_lo, r_hi = style.hand_radius
    if name in ("Pushing Hand Away", "Pulling Hand In"):
        small = rng.uniform(r_lo, r_hi / ratio)
        r0, r1 = (small * ratio, small) if name == "Pushing Hand Away" else (small, small * ratio)
    else:
        r0 = r1 = rng.uniform(r_lo * math.sqrt(ratio), r_hi / math.sqrt(ratio))
    s_drift = 0.0 if still else style.idle_offset * math.log(ratio)
    log_r = (
        math.log(r0)
        + tl.p * (math.log(r1) - math.log(r0))
        + tl.pre * s_drift * rng.uniform(-1, 1)
        + tl.post * s_drift * rng.uniform(-1, 1)
    )
    radius = np.exp(log_r)
    return np.column_stack([xy, angle, radius])


def _zoom_tracks(rng: np.random.Generator, name: str, tl: _Timeline, style: GestureStyle, t: int):
    """Two hands (T, 2, 4) moving apart ("In") or together ("Out") about a midpoint."""
    gap_small = rng.uniform(0.16, 0.32)
    gap_big = gap_small + rng.uniform(*style.zoom_gap)
    g0, g1 = (gap_small, gap_big) if "In" in name.split() else (gap_big, gap_small)
    phi = np.radians(rng.uniform(-35.0, 35.0))
    axis = np.array([math.cos(phi), math.sin(phi)])
    span = gap_big * np.abs(axis) + 0.08
    mid = np.array([_centre(rng, span[0]), _centre(rng, span[1])])
    drift = style.idle_offset * (gap_big - gap_small)
    o_pre, o_post = drift * _disk(rng), drift * _disk(rng)
    mid_t = mid[None] + tl.pre[:, None] * o_pre[None] + tl.post[:, None] * o_post[None]
    gap = g0 + tl.p * (g1 - g0) + (tl.pre * rng.uniform(-1, 1) + tl.post * rng.uniform(-1, 1)) * drift * 0.5
    r = rng.uniform(style.hand_radius[0], 0.75 * style.hand_radius[1]) * np.exp(rng.normal(0, 0.02, t))
    a1 = rng.uniform(0.0, 2.0 * math.pi)
    a2 = math.pi + 2.0 * phi - a1  # mirror image of the first hand across the axis' normal
    out = np.empty((t, 2, 4))
    for k, (sign, a) in enumerate(((-1.0, a1), (1.0, a2))):
        out[:, k, :2] = mid_t + sign * 0.5 * gap[:, None] * axis[None] + rng.normal(0, style.tremor, (t, 2))
        out[:, k, 2] = a + np.radians(rng.normal(0.0, 2.0, t))
        out[:, k, 3] = r
    return out


def _idle_hand(rng: np.random.Generator, style: GestureStyle, t: int) -> np.ndarray:
    """A resting second hand (T, 4): still, or drifting slowly."""
    ext = rng.uniform(*style.swipe_length)
    start = np.array([_centre(rng, 0.2), _centre(rng, 0.2)])
    end = start + style.idle_offset * ext * _disk(rng) * rng.uniform(0, 1)
    w = np.linspace(0.0, 1.0, t)[:, None]
    xy = start + w * (end - start) + rng.normal(0, style.tremor, (t, 2))
    angle = np.full(t, rng.uniform(0.0, 2.0 * math.pi)) + np.radians(rng.normal(0.0, 2.0, t))
    radius = np.full(t, rng.uniform(*style.hand_radius) * 0.9)
    return np.column_stack([xy, angle, radius])


# ---------------------------------------------------------------------------------------------
# Drawing (OpenCV, anti-aliased, sub-pixel coordinates)
# ---------------------------------------------------------------------------------------------
_SHIFT = 4
_ONE = 1 << _SHIFT


def _ellipse(mask: np.ndarray, cx: float, cy: float, ax: float, ay: float, deg: float, value=255) -> None:
    cv2.ellipse(
        mask,
        (int(round(cx * _ONE)), int(round(cy * _ONE))),
        (max(1, int(round(ax * _ONE))), max(1, int(round(ay * _ONE)))),
        float(deg),
        0.0,
        360.0,
        value,
        thickness=-1,
        lineType=cv2.LINE_AA,
        shift=_SHIFT,
    )


# A hand as ellipses in its own frame: (along u, along v, semi-axis along u, semi-axis along v,
# extra angle in degrees), in units of the hand radius; u points from wrist to fingertips, v
# towards the thumb (mirrored for the other hand).
_HAND_PARTS = np.array(
    [
        (0.00, 0.00, 0.50, 0.44, 0.0),  # palm
        (0.62, -0.30, 0.36, 0.09, -9.0),  # fingers, fanning slightly
        (0.62, -0.10, 0.36, 0.09, -3.0),
        (0.62, 0.10, 0.36, 0.09, 3.0),
        (0.62, 0.30, 0.36, 0.09, 9.0),
        (0.12, 0.42, 0.30, 0.11, 55.0),  # thumb
        (-0.10, -0.10, 0.28, 0.22, 0.0),  # lighter patch on the palm (drawn separately)
    ]
)


def _hand_ellipses(track: np.ndarray, mirror: bool) -> list:
    """Per frame, the hand's ellipses as cv2 fixed-point ``((cx, cy), (ax, ay), deg)`` tuples.

    ``track`` is (T, 4) = (x, y, angle, radius) in pixels/radians; computed for the whole clip
    at once so that the drawing loop only calls OpenCV.
    """
    x, y, a, r = (track[:, i : i + 1] for i in range(4))  # (T, 1) each
    m = -1.0 if mirror else 1.0
    ux, uy = np.cos(a), np.sin(a)
    vx, vy = -m * uy, m * ux
    du, dv, pa, pb, pd = (_HAND_PARTS[None, :, i] for i in range(5))  # (1, P) each
    cx = np.rint((x + r * (du * ux + dv * vx)) * _ONE).astype(int)
    cy = np.rint((y + r * (du * uy + dv * vy)) * _ONE).astype(int)
    ax = np.maximum(np.rint(r * pa * _ONE).astype(int), 1)
    ay = np.maximum(np.rint(r * pb * _ONE).astype(int), 1)
    deg = np.degrees(a) + m * pd
    cx, cy, ax, ay, deg = (v.tolist() for v in (cx, cy, ax, ay, deg))
    parts = range(len(_HAND_PARTS))
    return [[((cx[k][p], cy[k][p]), (ax[k][p], ay[k][p]), deg[k][p]) for p in parts] for k in range(len(cx))]


def _draw_hand(frame: np.ndarray, parts: list, colour: tuple, patch: tuple) -> None:
    """Draw one hand (its ellipses from :func:`_hand_ellipses`) onto the uint8 ``frame`` in place.

    OpenCV blends the anti-aliased edges with what lies beneath.
    """
    for centre, axes, deg in parts[:-1]:
        cv2.ellipse(frame, centre, axes, deg, 0.0, 360.0, colour, -1, cv2.LINE_AA, _SHIFT)
    centre, axes, deg = parts[-1]
    cv2.ellipse(frame, centre, axes, deg, 0.0, 360.0, patch, -1, cv2.LINE_AA, _SHIFT)


# Public names of the hand drawing helpers, for renderers of the same scene in another modality
# (the depth videos of motion_rnn.data.isogd.synthetic draw each hand's silhouette with them).
hand_ellipses = _hand_ellipses
draw_hand = _draw_hand


def _skin(rng: np.random.Generator) -> np.ndarray:
    light, dark = np.array([236.0, 198.0, 168.0]), np.array([105.0, 66.0, 42.0])
    return np.clip(light + rng.uniform() * (dark - light) + rng.normal(0.0, 8.0, 3), 0, 255)


def _not_skin(rng: np.random.Generator) -> np.ndarray:
    hue = rng.uniform(70, 300)  # greens, blues, purples
    hsv = np.uint8([[[hue / 2, rng.uniform(90, 255), rng.uniform(60, 240)]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float64)


def _background(rng: np.random.Generator, h: int, w: int, skin: np.ndarray, style: GestureStyle) -> np.ndarray:
    """(H, W, 3) uint8: smooth texture, clutter, maybe a person."""
    g = int(rng.integers(3, 7))
    tex = cv2.resize(rng.random((g, g, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    grey = rng.uniform(50, 210)
    base = grey * (1.0 + rng.normal(0.0, 0.12, 3))  # a muted tint
    img = np.clip(base + (tex - 0.5) * rng.uniform(30, 100), 0, 255).astype(np.uint8)

    def muted() -> tuple[float, ...]:
        return tuple(float(v) for v in 0.55 * rng.uniform(0, 255, 3) + 0.45 * rng.uniform(30, 220))

    for _ in range(int(rng.integers(style.clutter[0], style.clutter[1] + 1))):
        col = muted()
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = rng.uniform(0.04, 0.2) * h, rng.uniform(0.04, 0.2) * h
        if rng.uniform() < 0.5:
            cv2.rectangle(img, (int(cx - sx), int(cy - sy)), (int(cx + sx), int(cy + sy)), col, -1, cv2.LINE_AA)
        else:
            _ellipse(img, cx, cy, sx, sy, rng.uniform(0, 180), col)
    if rng.uniform() < style.person_prob:
        px, fr = rng.uniform(0.25, 0.75) * w, rng.uniform(0.1, 0.15) * h
        fy = rng.uniform(0.12, 0.32) * h
        _ellipse(img, px, fy + 3.0 * fr, 2.1 * fr, 1.9 * fr, 0.0, muted())  # torso
        hair = tuple(float(v) for v in rng.uniform(10, 90) * np.array([1.0, 0.8, 0.6]))
        _ellipse(img, px, fy - 0.15 * fr, 1.08 * fr, 1.1 * fr, 0.0, hair)
        face = tuple(float(v) for v in np.clip(skin * rng.uniform(0.85, 1.05), 0, 255))
        _ellipse(img, px, fy + 0.12 * fr, 0.85 * fr, 1.05 * fr, 0.0, face)
    return img


def render_gesture(
    label: int | str,
    *,
    num_frames: int = 16,
    size: int = 32,
    width: int | None = None,
    rng: np.random.Generator,
    style: GestureStyle = DEFAULT_STYLE,
) -> tuple[np.ndarray, dict]:
    """Draw one video of class ``label`` (index into or name in :data:`SYNTHETIC_CLASSES`).

    Returns ``frames`` (T, H, W, 3) uint8 RGB with ``H = size``, ``W = width or size``, and
    ``info``: ``{"label": int, "name": str, "hands": (T, K, 4) float array of (x, y, angle,
    radius) in pixels/radians, one row a hand (the active hand(s) first), "brightness": (T, K),
    "mirrors": list of K bools}``; ``mirrors[j]`` tells whether hand ``j`` (in the order of
    ``"hands"``) is drawn mirrored (thumb on the other side), so that another renderer of the same
    scene (:func:`hand_ellipses`) can draw the very same hand shapes.
    The gesture lies in the central ``size x size`` square; wider frames add background at the
    sides, as in Jester's 176x100 frames.
    """
    name = SYNTHETIC_CLASSES[label] if isinstance(label, (int, np.integer)) else str(label)
    if name not in SYNTHETIC_CLASSES:
        raise ValueError(f"unknown class {label!r}; the classes are {SYNTHETIC_CLASSES}")
    t, h = int(num_frames), int(size)
    w = h if width is None else int(width)
    if t < 2 or h < 8 or w < h:
        raise ValueError(f"need num_frames >= 2, size >= 8 and width >= size; got {t}, {h}, {w}")
    # Motion (in fractions of the frame height, then pixels).
    min_fraction = 0.55 if name == "Shaking Hand" else 0.0
    tl = _timeline(rng, t, style, min_fraction)
    if name.startswith("Zooming"):
        tracks = _zoom_tracks(rng, name, tl, style, t)
        mirrors = [False, True]
    else:
        tracks = _hand_track(rng, name, tl, style, t)[:, None, :]
        mirrors = [bool(rng.uniform() < 0.5)]
        if rng.uniform() < style.second_hand_prob:
            tracks = np.concatenate([tracks, _idle_hand(rng, style, t)[:, None, :]], axis=1)
            mirrors.append(not mirrors[0])
    r_lo, r_hi = style.hand_radius
    brightness = 0.8 + 0.4 * np.clip((tracks[..., 3] - r_lo) / (r_hi - r_lo), 0.0, 1.0)  # nearer: brighter
    pix = tracks.copy()
    pix[..., 0] = tracks[..., 0] * h + (w - h) / 2
    pix[..., 1] = tracks[..., 1] * h
    pix[..., 3] = tracks[..., 3] * h
    # Appearance.
    skin = _skin(rng)
    bg = _background(rng, h, w, skin, style)
    frames = np.empty((t, h, w, 3), np.uint8)
    distractor = None
    if rng.uniform() < style.distractor_prob:
        p0 = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        p1 = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        distractor = (
            p0,
            p1,
            rng.uniform(0.05, 0.1) * h,
            rng.uniform(0.05, 0.1) * h,
            rng.uniform(0, 180),
            tuple(float(v) for v in _not_skin(rng)),
        )
    ellipses = [_hand_ellipses(pix[:, j], mirrors[j]) for j in range(pix.shape[1])]
    colours = np.clip(skin[None, None, :] * brightness[..., None], 0, 255)  # (T, K, 3)
    patches = colours + 0.35 * (np.minimum(colours * 1.25, 255.0) - colours)  # lit part of the palm
    for k in range(t):
        f = frames[k]
        f[:] = bg
        if distractor is not None:
            p0, p1, ax, ay, deg, col = distractor
            c = p0 + (k / (t - 1)) * (p1 - p0)
            _ellipse(f, c[0], c[1], ax, ay, deg + 40.0 * k / t, col)
        for j in reversed(range(pix.shape[1])):  # active hand drawn last (in front)
            _draw_hand(f, ellipses[j][k], tuple(colours[k, j].tolist()), tuple(patches[k, j].tolist()))
    # Lighting (smooth gradient, flicker) and sensor noise, for the whole clip at once.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    psi = rng.uniform(0, 2 * math.pi)
    grad = (xx / w - 0.5) * math.cos(psi) + (yy / h - 0.5) * math.sin(psi)
    grad *= rng.uniform(0, style.lighting_gradient)
    light = rng.uniform(*style.lighting_gain) * (1.0 + grad)
    flicker = 1.0 + rng.normal(0.0, style.flicker, t).astype(np.float32)
    frames = frames.astype(np.float32) * (light[None, :, :, None] * flicker[:, None, None, None])
    frames += rng.standard_normal(frames.shape, dtype=np.float32) * np.float32(rng.uniform(*style.noise_std))
    out = np.clip(frames, 0, 255).astype(np.uint8)
    info = {
        "label": SYNTHETIC_CLASSES.index(name),
        "name": name,
        "hands": pix,
        "brightness": brightness,
        "mirrors": list(mirrors),
    }
    return out, info


# ---------------------------------------------------------------------------------------------
# Writing the Jester layout
# ---------------------------------------------------------------------------------------------
def _video_rng(seed: int, split: str, label: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), _SPLIT_KEYS[split], label, index]))


def _write_frames(folder: Path, frames: np.ndarray, quality: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    for k, rgb in enumerate(frames, 1):
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
        if not ok:
            raise OSError(f"JPEG encoding failed for {folder / f'{k:05d}.jpg'}")
        (folder / f"{k:05d}.jpg").write_bytes(buf.tobytes())


def _has_files(root: Path, manifest: dict) -> bool:
    files = [LABELS_FILE] + [SPLIT_FILES[s] for s in manifest["parameters"]["splits"]]
    return (root / FRAMES_DIR).is_dir() and all((root / f).is_file() for f in files)


def checked_request(
    splits: Sequence[str],
    classes: Sequence[str] | None,
    videos_per_class: int | Mapping[str, int],
    *,
    split_names: Sequence[str],
) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, int]]:
    """What a writer of these gestures was asked for, checked: ``(splits, classes, videos a class a split)``.

    ``splits`` must be distinct names from ``split_names`` (the data set's own), ``classes`` names
    from :data:`SYNTHETIC_CLASSES` (None: all; returned in that order), ``videos_per_class`` an int
    for every split or one a split, each at least 1. Shared by the Jester and IsoGD writers.
    """
    splits = tuple(splits)
    bad = [s for s in splits if s not in split_names]
    if bad or not splits or len(set(splits)) != len(splits):
        raise ValueError(f"splits must be distinct names from {tuple(split_names)}, got {splits}")
    names = tuple(SYNTHETIC_CLASSES) if classes is None else tuple(classes)
    unknown = [c for c in names if c not in SYNTHETIC_CLASSES]
    if unknown or not names:
        raise ValueError(f"unknown classes {unknown}; choose from {SYNTHETIC_CLASSES}")
    names = tuple(c for c in SYNTHETIC_CLASSES if c in names)
    per = {s: int(videos_per_class[s] if isinstance(videos_per_class, Mapping) else videos_per_class) for s in splits}
    if any(v < 1 for v in per.values()):
        raise ValueError(f"videos_per_class must be >= 1 for every split, got {per}")
    return splits, names, per


def write_synthetic_jester(
    root: str | os.PathLike,
    *,
    videos_per_class: int | Mapping[str, int],
    num_frames: int = 16,
    size: int = 32,
    seed: int = 0,
    splits: Sequence[str] = ("train", "validation"),
    classes: Sequence[str] | None = None,
    width: int | None = None,
    jpeg_quality: int = 90,
    style: GestureStyle = DEFAULT_STYLE,
) -> Path:
    """Write synthetic gesture videos to ``root`` in the Jester layout and return ``root``.

    ``videos_per_class`` is per split (an int for all, or ``{"train": 40, "validation": 10}``).
    ``classes`` selects a subset of :data:`SYNTHETIC_CLASSES` (in that order; the labels file then
    lists only those). Frames are ``size`` high and ``width`` (default ``size``) wide. The
    ``"test"`` split's list holds ids only, as in the real release; its labels go to
    ``synthetic-test-labels.csv``.

    Writes ``synthetic_manifest.json`` (the parameters) last; when ``root`` already holds a
    complete set with an identical manifest, returns at once. A ``root`` holding anything else
    than an earlier output of this function is refused rather than overwritten.
    """
    root = Path(root)
    splits, names, per = checked_request(splits, classes, videos_per_class, split_names=tuple(_SPLIT_KEYS))
    params = {
        "generator": "motion_rnn.data.synthetic.gestures",  # the module's former path, kept: the cache key
        "format_version": _FORMAT_VERSION,
        "classes": list(names),
        "videos_per_class": per,
        "num_frames": int(num_frames),
        "size": int(size),
        "width": int(size if width is None else width),
        "seed": int(seed),
        "splits": list(splits),
        "jpeg_quality": int(jpeg_quality),
        "style": json.loads(json.dumps(asdict(style))),  # tuples as lists, as read back
    }
    return write_once(
        root,
        params,
        generate=lambda tmp: _generate(tmp, params, style),
        is_complete=_has_files,
        writer="write_synthetic_jester",
        indent=2,
    )


def _generate(out: Path, params: dict, style: GestureStyle) -> dict:
    """Write the videos and lists into ``out``; return the manifest's other entries."""
    names = params["classes"]
    seed, t, h, w = params["seed"], params["num_frames"], params["size"], params["width"]
    (out / FRAMES_DIR).mkdir(parents=True)
    (out / LABELS_FILE).write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    order_rng = np.random.default_rng(np.random.SeedSequence([int(seed), 99]))
    next_id = 1
    counts = {}
    for split in params["splits"]:
        jobs = [(c, j) for c in names for j in range(params["videos_per_class"][split])]
        jobs = [jobs[i] for i in order_rng.permutation(len(jobs))]  # interleave the classes
        rows = []
        for name, j in jobs:
            label = SYNTHETIC_CLASSES.index(name)
            frames, _ = render_gesture(
                label, num_frames=t, size=h, width=w, rng=_video_rng(seed, split, label, j), style=style
            )
            vid = str(next_id)
            next_id += 1
            _write_frames(out / FRAMES_DIR / vid, frames, params["jpeg_quality"])
            rows.append((vid, name))
        if split == "test":
            (out / SPLIT_FILES[split]).write_text("".join(f"{v}\n" for v, _ in rows), encoding="utf-8")
            (out / TEST_ANSWERS_FILE).write_text("".join(f"{v};{n}\n" for v, n in rows), encoding="utf-8")
        else:
            (out / SPLIT_FILES[split]).write_text("".join(f"{v};{n}\n" for v, n in rows), encoding="utf-8")
        counts[split] = len(rows)
    return {"videos": counts}


def example_sheet(
    *,
    num_frames: int = 16,
    size: int = 64,
    seed: int = 0,
    frames_shown: int = 8,
    style: GestureStyle = DEFAULT_STYLE,
) -> np.ndarray:
    """One video a class, ``frames_shown`` evenly spaced frames a row: (rows*H, cols*W, 3) uint8."""
    rows = []
    for label in range(len(SYNTHETIC_CLASSES)):
        frames, _ = render_gesture(
            label, num_frames=num_frames, size=size, rng=_video_rng(seed, "train", label, 0), style=style
        )
        pick = np.linspace(0, num_frames - 1, frames_shown).round().astype(int)
        rows.append(np.concatenate([np.pad(frames[i], ((1, 1), (1, 1), (0, 0))) for i in pick], axis=1))
    return np.concatenate(rows, axis=0)
