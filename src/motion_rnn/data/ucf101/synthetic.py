"""Synthetic action videos in the UCF-101 layout, read back by :mod:`motion_rnn.data.ucf101.reader`.

Serves Lakhal et al. 2018, "Residual stacked RNNs for action recognition": every claim of its
Sec. 4 (time steps T, Table 1; residual connections and depth, Fig. 3; mid vs late fusion of an
RGB and an optical-flow stream, sum vs product, Table 2; per-category accuracy and the drop on
fast classes, Table 3) can run on these files through the same reader as the real data set.

What is drawn
    One or more stick performers (head, torso, arms, legs; skin, shirt, trousers and hair colours
    of their own) in front of a smooth textured background with a floor and clutter, some holding
    a prop (dough, ball, instrument, drum, racket). Frames are ``size x size`` (default 64) RGB at
    25 frames a second; a video lasts 5/6 to 3/2 of ``num_frames`` (40-72 frames for the default
    48). As in UCF-101, the clips of a group (``gXX``) share the performer and the scene (their
    background, colours, size, place, lighting), and the train and test groups are disjoint
    (split 1: groups 1-7 test, 8-25 train). Within a group, clips differ in length, speed (x0.8
    to x1.25), position and size (a little), camera shake (a random walk of up to 2 pixels),
    flicker and sensor noise.

The twenty classes (:data:`SYNTHETIC_CLASSES`, four in each of UCF-101's five types, :data:`SYNTHETIC_CATEGORIES`)
    The classes borrow UCF-101 names and types so that per-type tables read like the paper's;
    each is defined by a designed cue, not by the real action. They come in ten pairs
    (:data:`SYNTHETIC_PAIRS`); the two classes of a pair draw the same random numbers, so a
    video of one and the video of the other drawn from the same seed differ only in the pair's
    cue (:func:`render_video`):

    * *fast* (``PizzaTossing`` / ``Mixing``; ``SalsaSpin`` / ``Haircut``): the same lift of the
      dough with flips, or the same full turn of one partner, over 4-7 frames once or twice, or
      over 14-22 frames once. Everything else (kneading, swaying) is shared. The slow class shows
      the lifted or turned pose for a few more frames, a weak cue a single frame can use. The paper's Table 3
      reports drops on Pizza Tossing and Salsa Spins, "probably because of the speed of the actions";
      16-frame clips at a stride of 8 see a fast event in one or two clips and smear it.
    * *order* (``BodyWeightSquats`` / ``Lunges``; ``PlayingDhol`` / ``PlayingDaf``): the same two
      sub-actions (squats and arm raises; beating a drum and lifting it) one after the other,
      in one order or the other, each over about half of the video. A clip, or an unordered pool
      of clips, cannot tell the pair apart; the order of clips over the whole video can.
    * *periodicity* (``JumpingJack`` / ``TaiChi``): the same arm opening and closing (and leg
      spread), in 2-7 quick cycles or in one slow cycle over the same stretch of the video.
      ``JumpingJack``'s arm motion is also the arm-raise sub-action of the order pair above.
    * *direction* (``SkyDiving`` / ``PoleVault``): a body lying flat crosses the frame downwards
      or upwards. The motion is a time reversal (start, end and easing drawn so that one
      reversed has the law of the other), so the frames, unordered, are the same; the optical
      flow has opposite sign. Only vertical direction is used: every class is mirror-invariant,
      so the horizontal flips of the paper's 10-crop augmentation keep labels.
    * *appearance* (``JugglingBalls`` / ``SoccerJuggling``; ``BandMarching`` / ``MilitaryParade``;
      ``PlayingGuitar`` / ``PlayingSitar``; ``TennisSwing`` / ``TableTennisShot``): the same
      motion with a prop, uniform or instrument of another colour and texture (of about the same
      brightness, so grey-level optical flow barely differs).

    Each pair has a look of its own (its props, one or two or three performers) and a motion of
    its own, so the RGB stream can find the pair from its look, and the flow stream from its
    motion; motion-only pairs (6) then need the flow (or the order of RGB clips), appearance-only
    pairs (4) need the colours: neither stream gets every class, their fusion can.

What it tests
    *Time steps* (Table 1): the order pairs need the first and the last part of a video, the
    fast pairs a clip that catches an event (events fall anywhere in 10-90 % of the video); a
    few time steps see too little, many time steps add nothing but parameters to fit. *Fusion*
    (Table 2): as above. *Per-type accuracy and fast classes* (Table 3): the types hold
    different mixes of cues (two fast pairs, in Human-Object and Human-Human Interaction).
    *Invariance* to performer, scene, size, place, speed, length, shake, lighting and noise; the
    group split tests generalisation to unseen performers and scenes, as UCF-101's does.
    *The reader*: the real layout, list files (Windows line ends), file names and AVI videos.

What it cannot test
    Real people, scenes, cameras and motion (blur, compression, cuts), 101 classes and their
    confusions, the data set's size (13,320 videos), pretrained features (C3D on Sports-1M, TSN):
    numbers here are not comparable with the paper's. A model that does well has learnt to read
    coarse colour and the timing, direction and order of coarse motion of a few blobs.

Usage::

    root = write_synthetic_ucf101("_build/data/synthetic_ucf101",
                                  videos_per_class={"train": 18, "test": 7}, seed=0)
    train = read_split(root, 1, "train")

Generation is deterministic given the seed (each group and each clip has its own random
stream); a manifest of the parameters is written last, and a second call with the same
parameters returns at once.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import av
import cv2
import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, write_once  # noqa: F401 (MANIFEST_FILE re-exported)
from motion_rnn.data.ucf101.reader import CATEGORIES, LIST_FOLDER

__all__ = [
    "CATEGORIES_FILE",
    "CLASS_CUES",
    "DEFAULT_GROUPS",
    "FPS",
    "SYNTHETIC_CATEGORIES",
    "SYNTHETIC_CLASSES",
    "SYNTHETIC_PAIRS",
    "render_video",
    "video_length",
    "write_synthetic_ucf101",
    "example_sheet",
]

FPS = 25
CATEGORIES_FILE = "categories.csv"
_EOL = "\r\n"  # the official lists have Windows line ends
_FORMAT_VERSION = 1
_CODEC = "ffv1"  # lossless, in AVI; PyAV and OpenCV (FFmpeg) decode it
_PIX_FMT = "bgr0"  # lossless RGB

# (name, category, kind, member): the pair kind and which member of the pair (0 or 1)
_TABLE: tuple[tuple[str, str, str, int], ...] = (
    ("PizzaTossing", "Human-Object Interaction", "toss", 0),
    ("Mixing", "Human-Object Interaction", "toss", 1),
    ("JugglingBalls", "Human-Object Interaction", "juggle", 0),
    ("SoccerJuggling", "Human-Object Interaction", "juggle", 1),
    ("JumpingJack", "Body-Motion Only", "jacks", 0),
    ("TaiChi", "Body-Motion Only", "jacks", 1),
    ("BodyWeightSquats", "Body-Motion Only", "workout", 0),
    ("Lunges", "Body-Motion Only", "workout", 1),
    ("SalsaSpin", "Human-Human Interaction", "spin", 0),
    ("Haircut", "Human-Human Interaction", "spin", 1),
    ("BandMarching", "Human-Human Interaction", "march", 0),
    ("MilitaryParade", "Human-Human Interaction", "march", 1),
    ("PlayingGuitar", "Playing Musical Instruments", "strum", 0),
    ("PlayingSitar", "Playing Musical Instruments", "strum", 1),
    ("PlayingDhol", "Playing Musical Instruments", "drum", 0),
    ("PlayingDaf", "Playing Musical Instruments", "drum", 1),
    ("SkyDiving", "Sports", "vertical", 0),
    ("PoleVault", "Sports", "vertical", 1),
    ("TennisSwing", "Sports", "swing", 0),
    ("TableTennisShot", "Sports", "swing", 1),
)
_CUE_OF_KIND = {
    "toss": "fast",
    "spin": "fast",
    "juggle": "appearance",
    "march": "appearance",
    "strum": "appearance",
    "swing": "appearance",
    "jacks": "periodicity",
    "workout": "order",
    "drum": "order",
    "vertical": "direction",
}
SYNTHETIC_CLASSES: tuple[str, ...] = tuple(row[0] for row in _TABLE)
"""The twenty class names (UCF-101 spellings), pairs adjacent, grouped by type."""
SYNTHETIC_CATEGORIES: dict[str, str] = {row[0]: row[1] for row in _TABLE}
"""``{class_name: category}``, the category being one of UCF-101's five types (its real type)."""
SYNTHETIC_PAIRS: tuple[tuple[str, str, str], ...] = tuple(
    (_TABLE[i][0], _TABLE[i + 1][0], _CUE_OF_KIND[_TABLE[i][2]]) for i in range(0, len(_TABLE), 2)
)
"""``(first, second, cue)``: the two classes of a pair differ only in ``cue`` (fast, order,
periodicity, direction or appearance). For ``fast`` and ``periodicity`` the first class is the
quick one; for ``direction`` the first moves down."""
CLASS_CUES: dict[str, str] = {row[0]: _CUE_OF_KIND[row[2]] for row in _TABLE}
DEFAULT_GROUPS: dict[str, list[int]] = {"train": list(range(8, 26)), "test": list(range(1, 8))}
"""UCF-101 split 1: groups 1-7 are tested, 8-25 trained on."""

_KIND = {row[0]: (row[2], row[3]) for row in _TABLE}
_INDEX = {row[0]: i for i, row in enumerate(_TABLE)}


# ---------------------------------------------------------------------------------------------
# Drawing (OpenCV, anti-aliased, sub-pixel coordinates)
# ---------------------------------------------------------------------------------------------
_SHIFT = 4
_ONE = 1 << _SHIFT


def _pt(x: float, y: float) -> tuple[int, int]:
    return int(math.floor(float(x) * _ONE + 0.5)), int(math.floor(float(y) * _ONE + 0.5))


def _line(img, a, b, colour, width: float) -> None:
    cv2.line(img, _pt(*a), _pt(*b), colour, max(1, int(round(width))), cv2.LINE_AA, _SHIFT)


def _disc(img, c, r: float, colour) -> None:
    cv2.circle(img, _pt(*c), max(1, int(round(r * _ONE))), colour, -1, cv2.LINE_AA, _SHIFT)


def _ellipse(img, c, ax: float, ay: float, deg: float, colour, start: float = 0.0, end: float = 360.0) -> None:
    axes = (max(1, int(round(ax * _ONE))), max(1, int(round(ay * _ONE))))
    cv2.ellipse(img, _pt(*c), axes, float(deg), start, end, colour, -1, cv2.LINE_AA, _SHIFT)


def _col(rgb) -> tuple[float, float, float]:
    return tuple(float(v) for v in np.clip(rgb, 0, 255))


class _Figure:
    """A stick performer's pose over time; coordinates in body heights ``hb`` (pixels) from the hip.

    ``x, y``: hip (pixels, standing); ``hb``: body height; ``rho``: rotation of the whole body in
    the image plane; ``psi``: turn about the vertical axis (0 faces the camera, pi shows the back);
    ``q``: squat 0..1 (the hip drops); ``hands``: (T, 2, 2) hand offsets from each shoulder;
    ``feet``: (T, 2, 2) feet offsets from the hip; ``look``: colours.
    """

    def __init__(self, t: int, x, y, hb, look: dict):
        self.x = np.broadcast_to(np.asarray(x, float), (t,)).copy()
        self.y = np.broadcast_to(np.asarray(y, float), (t,)).copy()
        self.hb = np.broadcast_to(np.asarray(hb, float), (t,)).copy()
        self.rho = np.zeros(t)
        self.psi = np.zeros(t)
        self.q = np.zeros(t)
        self.hands = np.tile(np.array([[-0.06, 0.28], [0.06, 0.28]]), (t, 1, 1))  # hanging down
        self.feet = np.tile(np.array([[-0.08, 0.45], [0.08, 0.45]]), (t, 1, 1))
        self.look = look

    def set_arms(self, angle: np.ndarray, length: float = 0.3) -> None:
        """Both arms raised sideways by ``angle`` (0 hanging, pi/2 horizontal, pi up), mirror-symmetric."""
        s, c = np.sin(angle) * length, np.cos(angle) * length
        self.hands[:, 0, 0], self.hands[:, 0, 1] = -s, c
        self.hands[:, 1, 0], self.hands[:, 1, 1] = s, c

    _JOINTS = (
        "hip",
        "neck",
        "head",
        "shoulder",
        "shoulder",
        "leg",
        "leg",
        "hand",
        "hand",
        "knee",
        "knee",
        "foot",
        "foot",
    )

    def prepare(self) -> None:
        """Joints of every frame in pixels (and as OpenCV fixed-point ints), before drawing."""
        t = len(self.x)
        q, cs = self.q, np.cos(self.psi)
        drop = 0.15 * q
        z, one = np.zeros(t), np.ones(t)
        sx = np.array([-1.0, 1.0])
        loc = np.empty((t, 13, 2))
        loc[:, 0] = np.column_stack([z, drop])
        loc[:, 1] = np.column_stack([z, -0.30 + drop])
        loc[:, 2] = np.column_stack([z, -0.42 + drop])
        loc[:, 3:5] = np.stack([np.outer(one, sx * 0.08), np.outer(-0.28 + drop, np.ones(2))], -1)
        loc[:, 5:7] = np.stack([np.outer(one, sx * 0.045), np.outer(drop, np.ones(2))], -1)
        loc[:, 7:9] = loc[:, 3:5] + self.hands
        loc[:, 11:13] = self.feet
        loc[:, 9:11] = (loc[:, 5:7] + self.feet) / 2.0
        loc[:, 9:11, 0] += np.outer(0.05 * (1.0 + 2.5 * q), sx)
        u, v = loc[..., 0] * cs[:, None], loc[..., 1]
        cr, sr, hb = np.cos(self.rho)[:, None], np.sin(self.rho)[:, None], self.hb[:, None]
        self.joints = np.stack([self.x[:, None] + hb * (cr * u - sr * v), self.y[:, None] + hb * (sr * u + cr * v)], -1)
        self.fixed = np.rint(self.joints * _ONE).astype(int).tolist()
        width = lambda w: np.maximum(1, np.rint(w)).astype(int).tolist()  # noqa: E731
        self.widths = {
            "thigh": width(0.065 * self.hb),
            "shin": width(0.06 * self.hb),
            "torso": width(0.16 * self.hb * (0.55 + 0.45 * np.abs(cs))),
            "arm": width(0.055 * self.hb),
            "hand": np.maximum(1, np.rint(0.035 * self.hb * _ONE)).astype(int).tolist(),
            "head": np.maximum(1, np.rint(0.085 * self.hb * _ONE)).astype(int).tolist(),
        }
        self.face = np.maximum(1, np.rint(0.085 * self.hb * _ONE * np.maximum(cs, 0.0))).astype(int).tolist()
        self.front = (cs > 0.05).tolist()
        self.rho_deg = np.degrees(self.rho).tolist()
        shade = 1.0 - 0.14 * (1.0 - cs)  # the back is darker: 1 facing the camera, 0.72 turned away
        shirt = np.asarray(self.look["shirt"], float)[None] * shade[:, None]
        self.colours = [(_col(c), _col(c * 0.92)) for c in shirt]

    def points(self, k: int) -> dict:
        """The joints of frame ``k`` in pixels (after :meth:`prepare`)."""
        j = self.joints[k]
        return {
            "hip": j[0:1],
            "neck": j[1:2],
            "head": j[2:3],
            "shoulder": j[3:5],
            "leg": j[5:7],
            "hand": j[7:9],
            "knee": j[9:11],
            "foot": j[11:13],
            "hb": float(self.hb[k]),
            "rho": float(self.rho[k]),
        }

    def draw(self, img: np.ndarray, k: int) -> dict:
        """Draw frame ``k`` onto ``img``; return its joints (:meth:`points`)."""
        f, w, look = self.fixed[k], self.widths, self.look
        aa, sh = cv2.LINE_AA, _SHIFT
        pants, skin, hair = look["pants"], look["skin"], look["hair"]
        shirt, sleeve = self.colours[k]
        for i in (0, 1):
            cv2.line(img, f[5 + i], f[9 + i], pants, w["thigh"][k], aa, sh)
            cv2.line(img, f[9 + i], f[11 + i], pants, w["shin"][k], aa, sh)
        cv2.line(img, f[0], f[1], shirt, w["torso"][k], aa, sh)
        for i in (0, 1):
            cv2.line(img, f[3 + i], f[7 + i], sleeve, w["arm"][k], aa, sh)
            cv2.circle(img, f[7 + i], w["hand"][k], skin, -1, aa, sh)
        r = w["head"][k]
        cv2.circle(img, f[2], r, hair, -1, aa, sh)
        if self.front[k]:  # the face, narrower as the performer turns away, below the hair
            deg = self.rho_deg[k]
            cv2.ellipse(img, f[2], (self.face[k], r), deg, 0.0, 360.0, skin, -1, aa, sh)
            cv2.ellipse(img, f[2], (r, r), deg, 180.0, 360.0, hair, -1, aa, sh)
        return self.points(k)


# ---------------------------------------------------------------------------------------------
# Scene: background, performers' colours, lighting
# ---------------------------------------------------------------------------------------------
def _muted(rng: np.random.Generator) -> np.ndarray:
    return 0.55 * rng.uniform(0, 255, 3) + 0.45 * rng.uniform(30, 220)


def _look(rng: np.random.Generator) -> dict:
    light, dark = np.array([236.0, 198.0, 168.0]), np.array([105.0, 66.0, 42.0])
    skin = np.clip(light + rng.uniform() * (dark - light) + rng.normal(0.0, 8.0, 3), 0, 255)
    return {
        "skin": _col(skin),
        "shirt": np.clip(_muted(rng) * rng.uniform(0.6, 1.2), 0, 255),
        "pants": _col(_muted(rng) * rng.uniform(0.4, 0.9)),
        "hair": _col(rng.uniform(10, 90) * np.array([1.0, 0.8, 0.6]) + rng.uniform(0, 60)),
    }


def _background(rng: np.random.Generator, n: int) -> np.ndarray:
    g = int(rng.integers(3, 7))
    tex = cv2.resize(rng.random((g, g, 3)).astype(np.float32), (n, n), interpolation=cv2.INTER_CUBIC)
    base = rng.uniform(60, 200) * (1.0 + rng.normal(0.0, 0.15, 3))
    img = np.clip(base + (tex - 0.5) * rng.uniform(20, 90), 0, 255).astype(np.uint8)
    floor = int(rng.uniform(0.62, 0.9) * n)
    img[floor:] = np.clip(img[floor:] * rng.uniform(0.55, 0.9) + rng.uniform(-20, 20, 3), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(1, 5))):
        col = _col(_muted(rng))
        cx, cy = rng.uniform(0, n), rng.uniform(0, 0.7 * n)
        sx, sy = rng.uniform(0.03, 0.14) * n, rng.uniform(0.03, 0.14) * n
        if rng.uniform() < 0.5:
            cv2.rectangle(img, (int(cx - sx), int(cy - sy)), (int(cx + sx), int(cy + sy)), col, -1, cv2.LINE_AA)
        else:
            _ellipse(img, (cx, cy), sx, sy, rng.uniform(0, 180), col)
    return img


def _shake(rng: np.random.Generator, t: int, amplitude: float) -> np.ndarray:
    """A hand-held camera's drift (T, 2) in pixels: a smoothed random walk of at most ``amplitude``."""
    steps = rng.normal(0.0, 1.0, (t + 12, 2)).cumsum(0)
    kernel = np.exp(-0.5 * (np.arange(-6, 7) / 3.0) ** 2)
    path = np.stack([np.convolve(steps[:, i], kernel / kernel.sum(), mode="valid") for i in range(2)], 1)
    path -= path.mean(0)
    return path * (amplitude / max(np.abs(path).max(), 1e-6))


def video_length(num_frames: int, rng: np.random.Generator) -> int:
    """A video's length: ``num_frames`` x U(5/6, 3/2), rounded (40-72 for 48)."""
    return int(round(num_frames * rng.uniform(5.0 / 6.0, 1.5)))


# ---------------------------------------------------------------------------------------------
# Motion of each pair kind. ``rng`` draws the same numbers for both members of a pair.
# ---------------------------------------------------------------------------------------------
def _events(rng: np.random.Generator, t: int, durations: Sequence[int], lo: float = 0.1, hi: float = 0.9) -> list:
    """Start frames of non-overlapping events of the given durations inside [lo, hi] of the video."""
    span0, span1 = int(lo * t), int(hi * t)
    free = span1 - span0 - sum(durations) - 2 * (len(durations) - 1)
    cuts = np.sort(rng.uniform(0, max(free, 0), len(durations)))
    starts, used = [], 0
    for i, d in enumerate(durations):
        starts.append(span0 + int(cuts[i]) + used)
        used += d + 2
    return starts


def _bump(t: int, start: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Progress u (0..1 over the event, 0 outside) and an on/off mask, for frames 0..t-1."""
    k = np.arange(t, dtype=float)
    u = (k - start + 0.5) / d
    on = (u > 0) & (u < 1)
    return np.where(on, u, 0.0), on


def _cosine_cycles(t: int, start: float, length: float, cycles: int) -> np.ndarray:
    """0 -> 1 -> 0 cycles (1 - cos) / 2 over [start, start + length), 0 elsewhere."""
    k = np.arange(t, dtype=float)
    u = np.clip((k - start) / max(length, 1e-6), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(2.0 * math.pi * cycles * u)


def _fast_slow(rng, t: int, member: int, speed: float) -> list[tuple[int, int]]:
    """Events (start, duration): fast (1-2 of 4-7 frames, member 0) or slow (1 of 14-22, member 1)."""
    n_fast = int(rng.integers(1, 3))
    fast = [int(rng.integers(4, 8)) for _ in range(n_fast)]
    slow = [int(np.clip(round(rng.uniform(14, 22) * speed), 12, 26))]
    durations = fast if member == 0 else slow
    starts = _events(rng, t, durations)
    return list(zip(starts, durations))


def _motion_toss(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Kneading a dough disc at the chest, lifted (with flips) quickly or slowly."""
    period = rng.uniform(18, 30) * speed
    phase = rng.uniform(0, 2 * math.pi)
    k = np.arange(t)
    knead = 0.03 * np.stack([np.cos(2 * math.pi * k / period + phase), np.sin(2 * math.pi * k / period + phase)], 1)
    height, flips = rng.uniform(0.3, 0.45), int(rng.integers(1, 3))
    lift, tilt = np.zeros(t), np.zeros(t)
    for start, d in _fast_slow(rng, t, member, speed):
        u, on = _bump(t, start, d)
        lift += np.where(on, np.sin(math.pi * u), 0.0)
        tilt += np.where(on, flips * math.pi * u, 0.0)
    hand_y = 0.13 - 0.12 * lift
    fig.hands[:, 0, 0], fig.hands[:, 1, 0] = 0.05 + knead[:, 0], -0.05 + knead[:, 0]
    fig.hands[:, 0, 1], fig.hands[:, 1, 1] = hand_y + knead[:, 1], hand_y + knead[:, 1]
    dough = _col(np.array([226.0, 196.0, 140.0]) * rng.uniform(0.92, 1.05))
    rim = _col(np.array(dough) * 0.8)
    centre_off = knead + np.column_stack([np.zeros(t), -0.17 - height * lift])

    def draw(img, k_, p):
        hb = p["hb"]
        c = (p["hip"][0] + p["neck"][0]) / 2 + centre_off[k_] * hb + np.array([0.0, 0.05 * hb])
        r = 0.17 * hb
        ay = r * max(abs(math.cos(tilt[k_])), 0.12) * 0.5 + 0.04 * hb
        _ellipse(img, c, r, ay, 0.0, rim)
        _ellipse(img, c, r * 0.85, ay * 0.8, 0.0, dough)

    draws.append(("main", draw))


def _motion_juggle(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """A ball thrown from hand to hand in arcs: red (JugglingBalls) or black and white (SoccerJuggling)."""
    period = rng.uniform(11, 17) * speed
    offset = rng.uniform(0, period)
    height = rng.uniform(0.35, 0.5)
    k = np.arange(t) + offset
    cyc = np.floor(k / period).astype(int)
    u = k / period - cyc
    side = np.where(cyc % 2 == 0, -1.0, 1.0)
    bx = side * (1.0 - 2.0 * u) * 0.14  # from one hand to the other
    by = -height * 4.0 * u * (1.0 - u)
    dip = 0.05 * np.sin(2 * math.pi * u)
    fig.hands[:, 0, 0], fig.hands[:, 1, 0] = 0.02, -0.02
    fig.hands[:, 0, 1] = 0.14 + dip * (side < 0)
    fig.hands[:, 1, 1] = 0.14 + dip * (side > 0)
    patch = rng.uniform(0, 2 * math.pi)  # the pattern's orientation: fixed, so it adds no motion of its own

    def draw(img, k_, p):
        hb = p["hb"]
        c = (p["shoulder"][0] + p["shoulder"][1]) / 2 + np.array([bx[k_], 0.12 + by[k_]]) * hb
        r = 0.065 * hb
        if member == 0:
            _disc(img, c, r, (205.0, 48.0, 45.0))
            _disc(img, c + np.array([-0.3, -0.3]) * r, 0.35 * r, (235.0, 110.0, 100.0))  # highlight
        else:
            _disc(img, c, r, (175.0, 175.0, 175.0))  # as bright on average as the red ball
            d = 0.45 * r * np.array([math.cos(patch), math.sin(patch)])
            _disc(img, c + d, 0.55 * r, (40.0, 40.0, 40.0))
            _disc(img, c - d, 0.4 * r, (40.0, 40.0, 40.0))

    draws.append(("main", draw))


def _jack_angles(rng, t: int, member: int, speed: float) -> tuple[np.ndarray, float, float]:
    """Arm angle over [start, start + span): fast cycles (member 0) or one slow cycle (member 1)."""
    span = rng.uniform(0.55, 0.8) * t
    start = rng.uniform(0.05, 0.95 - span / t) * t
    period = rng.uniform(8, 13) * speed
    cycles = max(2, int(round(span / period))) if member == 0 else 1
    top = rng.uniform(0.8, 0.95) * math.pi
    return 0.15 + (top - 0.15) * _cosine_cycles(t, start, span, cycles), start, span


def _motion_jacks(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Arms and legs open and close: several quick cycles (JumpingJack) or one slow (TaiChi)."""
    angle, _, _ = _jack_angles(rng, t, member, speed)
    fig.set_arms(angle)
    spread = (angle - 0.15) / math.pi
    fig.feet[:, 0, 0], fig.feet[:, 1, 0] = -0.08 - 0.12 * spread, 0.08 + 0.12 * spread


def _motion_workout(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Squats then arm raises (BodyWeightSquats) or arm raises then squats (Lunges)."""
    split = rng.uniform(0.4, 0.6)
    first, second = split * t, (1.0 - split) * t
    n_squat = max(1, int(round(first / (rng.uniform(12, 18) * speed))))
    n_arms = max(1, int(round(second / (rng.uniform(8, 13) * speed))))
    top = rng.uniform(0.8, 0.95) * math.pi
    if member == 0:
        squat, arms = _cosine_cycles(t, 0, first, n_squat), _cosine_cycles(t, first, second, n_arms)
    else:  # the same sub-actions, each as long, swapped: arm raises, then squats
        arms, squat = _cosine_cycles(t, 0, second, n_arms), _cosine_cycles(t, second, first, n_squat)
    fig.q[:] = squat
    fig.set_arms(0.15 + (top - 0.15) * arms)
    fig.feet[:, 0, 0] -= 0.04 * squat
    fig.feet[:, 1, 0] += 0.04 * squat


def _motion_spin(rng, figs: list[_Figure], t: int, member: int, speed: float, draws: list) -> None:
    """A couple swaying; one partner turns a full circle, quickly (SalsaSpin) or slowly (Haircut)."""
    who = int(rng.integers(0, 2))
    sway_p, sway_a = rng.uniform(20, 32) * speed, rng.uniform(0.02, 0.05)
    k = np.arange(t)
    sway = sway_a * np.sin(2 * math.pi * k / sway_p + rng.uniform(0, 2 * math.pi))
    psi, raise_ = np.zeros(t), np.zeros(t)
    direction = rng.choice([-1.0, 1.0])
    for start, d in _fast_slow(rng, t, member, speed):
        u, on = _bump(t, start, d)
        psi += np.where(on, direction * 2 * math.pi * u, 0.0)
        raise_ += np.where(on, np.sin(math.pi * np.clip(u * 1.3, 0, 1)), 0.0)
    for i, f in enumerate(figs):
        f.x = f.x + sway * f.hb
        inner = 1 if i == 0 else 0  # the hand towards the partner
        f.hands[:, inner, 0] = (0.16 if inner == 1 else -0.16) * (1.0 - 0.6 * raise_)
        f.hands[:, inner, 1] = 0.2 - 0.55 * raise_
    figs[who].psi = psi


def _motion_march(rng, figs: list[_Figure], t: int, member: int, speed: float, draws: list) -> None:
    """A column of three marching across; red uniforms with white belts (band) or olive (parade)."""
    direction = rng.choice([-1.0, 1.0])
    step_p = rng.uniform(10, 15) * speed
    travel = rng.uniform(0.18, 0.3)  # of the frame, over the video
    phase0 = rng.uniform(0, 2 * math.pi)
    k = np.arange(t)
    size = figs[0].hb[0] / 0.42
    for j, f in enumerate(figs):
        f.x = f.x + direction * (k / max(t - 1, 1) - 0.5) * travel * size
        ph = 2 * math.pi * k / step_p + phase0 + j * 0.3
        swing = np.sin(ph)
        f.feet[:, 0, 0], f.feet[:, 1, 0] = direction * 0.12 * swing, -direction * 0.12 * swing
        f.feet[:, 0, 1] = 0.45 - 0.05 * np.maximum(swing, 0)
        f.feet[:, 1, 1] = 0.45 - 0.05 * np.maximum(-swing, 0)
        f.hands[:, 0, 0], f.hands[:, 1, 0] = -direction * 0.1 * swing, direction * 0.1 * swing
        f.y = f.y + 0.015 * f.hb * np.abs(swing)
        if member == 0:
            f.look = dict(f.look, shirt=np.array([196.0, 40.0, 44.0]), pants=(70.0, 70.0, 112.0))
        else:
            f.look = dict(f.look, shirt=np.array([92.0, 112.0, 58.0]), pants=(84.0, 92.0, 56.0))

    def belt(img, k_, p):
        if member == 0:  # white cross-belt and a tall hat
            _line(img, p["shoulder"][0], p["hip"][0], (240.0, 240.0, 240.0), 0.04 * p["hb"])
            _line(img, p["head"][0], p["head"][0] + np.array([0.0, -0.16 * p["hb"]]), (30.0, 30.0, 60.0), 0.1 * p["hb"])
        else:  # a flat cap
            _ellipse(
                img,
                p["head"][0] + np.array([0.0, -0.07 * p["hb"]]),
                0.1 * p["hb"],
                0.04 * p["hb"],
                0.0,
                (70.0, 85.0, 45.0),
            )

    draws.append(("each", belt))


def _motion_strum(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Strumming an instrument held across the body: warm wood (guitar) or painted blue gourd (sitar)."""
    mirror = rng.choice([-1.0, 1.0])
    period = rng.uniform(7, 12) * speed
    k = np.arange(t)
    pauses = _cosine_cycles(t, rng.uniform(0, t), rng.uniform(0.3, 0.6) * t, 1)  # a slower stretch
    strum = np.sin(2 * math.pi * np.cumsum(1.0 / period * (1.0 - 0.6 * pauses)) + rng.uniform(0, 6.3))
    body = np.array([0.05 * mirror, 0.08])
    neck_end = np.array([-0.32 * mirror, -0.2])
    fret = 0.6 * neck_end + 0.4 * body
    strum_hand = body + np.array([0.03 * mirror, -0.03]) + np.column_stack([0.02 * strum, 0.07 * strum])
    a, b = (1, 0) if mirror > 0 else (0, 1)  # the strumming hand is on the body's side
    shoulder = np.array([[-0.08, -0.28], [0.08, -0.28]])
    fig.hands[:, a] = strum_hand - shoulder[a]
    fig.hands[:, b] = fret - shoulder[b] + np.column_stack([0.01 * np.sin(k / 3.0), np.zeros(t)])
    if member == 0:
        wood, dark, deco = (172.0, 108.0, 58.0), (40.0, 25.0, 15.0), None
    else:
        wood, dark, deco = (78.0, 122.0, 190.0), (25.0, 30.0, 60.0), (235.0, 205.0, 60.0)

    def draw(img, k_, p):
        hb = p["hb"]
        hip = p["hip"][0]
        c = hip + body * hb
        _line(img, c, hip + neck_end * hb, dark, 0.04 * hb)
        _ellipse(img, c, 0.13 * hb, 0.1 * hb, math.degrees(math.atan2(-0.28, -0.37 * mirror)), wood)
        _disc(img, c, 0.035 * hb, dark)
        if deco is not None:
            _disc(img, c + np.array([0.07 * mirror, 0.0]) * hb, 0.025 * hb, deco)
            _disc(img, c - np.array([0.07 * mirror, 0.0]) * hb, 0.025 * hb, deco)

    draws.append(("main", draw))
    draws.append(("hands", None))


def _motion_drum(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Beating a round drum, then lifting it overhead and down (PlayingDhol), or the reverse (PlayingDaf)."""
    split = rng.uniform(0.4, 0.6)
    first, second = split * t, (1.0 - split) * t
    beat_p = rng.uniform(6, 10) * speed
    n_lift = max(1, int(round(second / (rng.uniform(16, 24) * speed))))
    k = np.arange(t, dtype=float)
    if member == 0:
        beat_on, lift = (k < first), _cosine_cycles(t, first, second, n_lift)
    else:
        lift, beat_on = _cosine_cycles(t, 0, second, n_lift), (k >= second)
    beat = np.where(beat_on, np.sin(2 * math.pi * k / beat_p), 0.0)
    drum_y = 0.08 - 0.55 * lift  # drum centre below the shoulders
    fig.hands[:, 0, 0], fig.hands[:, 1, 0] = 0.05, -0.05
    fig.hands[:, 0, 1] = drum_y + 0.2 - 0.09 * np.maximum(beat, 0)
    fig.hands[:, 1, 1] = drum_y + 0.2 - 0.09 * np.maximum(-beat, 0)
    shell, skin = (150.0, 70.0, 40.0), (225.0, 210.0, 170.0)

    def draw(img, k_, p):
        hb = p["hb"]
        c = (p["shoulder"][0] + p["shoulder"][1]) / 2 + np.array([0.0, 0.28 + drum_y[k_]]) * hb
        _ellipse(img, c, 0.15 * hb, 0.09 * hb, 0.0, shell)
        _ellipse(img, c + np.array([0.0, -0.04 * hb]), 0.14 * hb, 0.05 * hb, 0.0, skin)

    draws.append(("main", draw))
    draws.append(("hands", None))


def _motion_vertical(rng, fig: _Figure, t: int, member: int, speed: float, draws: list, size: int) -> None:
    """A body lying flat crosses the frame downwards (SkyDiving) or upwards (PoleVault)."""
    d = rng.uniform(0.5, 0.85)
    a = rng.uniform(0.0, 1.0 - d)
    e = rng.uniform(1.0, 2.2)
    tau = np.linspace(0.0, 1.0, t)
    if member == 1:  # time reversal: start and end swap, the stroke interval mirrors
        a = 1.0 - a - d
    u = np.clip((tau - a) / d, 0.0, 1.0)
    p = u**e / (u**e + (1.0 - u) ** e)
    y0, y1 = rng.uniform(0.18, 0.3) * size, rng.uniform(0.7, 0.82) * size
    path = y0 + (y1 - y0) * p if member == 0 else y1 + (y0 - y1) * p
    fig.y = path + rng.normal(0, 0.2, t)
    fig.rho[:] = rng.choice([-1.0, 1.0]) * math.pi / 2 + np.radians(rng.uniform(-12, 12))
    flap = 0.1 * np.sin(2 * math.pi * tau * rng.uniform(2, 4))
    fig.set_arms(np.full(t, 2.0) + flap)
    fig.feet[:, 0, 0], fig.feet[:, 1, 0] = -0.14 - 0.3 * flap, 0.14 + 0.3 * flap


def _motion_swing(rng, fig: _Figure, t: int, member: int, speed: float, draws: list) -> None:
    """Racket swings across the body: green-strung racket (tennis) or red paddle (table tennis)."""
    mirror = rng.choice([-1.0, 1.0])
    n = int(rng.integers(2, 4))
    durations = [int(rng.integers(6, 10)) for _ in range(n)]
    starts = _events(rng, t, durations, 0.05, 0.95)
    k = np.arange(t, dtype=float)
    swing = np.zeros(t)  # 0: racket back low, 1: finished high across the body
    for s, d in zip(starts, durations):
        swing = np.where(k >= s, np.clip((k - s) / d, 0, 1), swing)
        back = s + d + 3
        ret = np.clip((k - back) / (2.0 * d), 0, 1)
        swing = np.where(k >= back, 1.0 - ret, swing)
    ang = -0.6 + 2.6 * swing  # arm angle: low behind to high across
    i = 1 if mirror > 0 else 0
    fig.hands[:, i, 0] = mirror * 0.3 * np.sin(ang + 0.6)
    fig.hands[:, i, 1] = 0.3 * np.cos(ang + 0.6)
    fig.hands[:, 1 - i, 0] = -mirror * 0.05
    fig.hands[:, 1 - i, 1] = 0.2

    def draw(img, k_, p):
        hb = p["hb"]
        h = p["hand"][i]
        direction = (h - p["shoulder"][i]) / max(np.linalg.norm(h - p["shoulder"][i]), 1e-6)
        head = h + direction * 0.16 * hb
        _line(img, h, h + direction * 0.08 * hb, (60.0, 50.0, 40.0), 0.03 * hb)
        deg = math.degrees(math.atan2(direction[1], direction[0]))
        if member == 0:
            _ellipse(img, head, 0.09 * hb, 0.065 * hb, deg, (95.0, 150.0, 40.0))
            _ellipse(img, head, 0.07 * hb, 0.045 * hb, deg, (200.0, 215.0, 120.0))
            _line(img, head - direction * 0.06 * hb, head + direction * 0.06 * hb, (95.0, 150.0, 40.0), 1)
        else:
            _ellipse(img, head, 0.09 * hb, 0.065 * hb, deg, (125.0, 62.0, 40.0))
            _ellipse(img, head, 0.07 * hb, 0.045 * hb, deg, (250.0, 125.0, 112.0))

    draws.append(("main", draw))
    draws.append(("hands", None))


# ---------------------------------------------------------------------------------------------
# A video
# ---------------------------------------------------------------------------------------------
def _seed_list(seed) -> list[int]:
    return [int(s) for s in (seed if isinstance(seed, (list, tuple)) else [seed])]


def render_video(
    class_name: str,
    *,
    seed: int | Sequence[int] = 0,
    group_seed: int | Sequence[int] | None = None,
    num_frames: int = 48,
    size: int = 64,
    length: int | None = None,
) -> tuple[np.ndarray, dict]:
    """Draw one video of ``class_name``: ``(frames, info)``.

    ``frames`` is (T, size, size, 3) uint8 RGB with T = :func:`video_length` (from ``num_frames``)
    unless ``length`` is given. ``group_seed`` fixes the performer and the scene (a UCF-101
    group: its clips share them), ``seed`` the clip (length, speed, motion, shake, noise); the
    group defaults to the clip's seed. The two classes of a pair (:data:`SYNTHETIC_PAIRS`) draw the
    same random numbers: with the same seeds they differ only in the pair's cue. ``info`` holds
    ``name``, ``label`` (index in :data:`SYNTHETIC_CLASSES`), ``category``, ``cue`` and ``speed``.
    """
    if class_name not in _KIND:
        raise ValueError(f"unknown class {class_name!r}; the classes are {SYNTHETIC_CLASSES}")
    kind, member = _KIND[class_name]
    size = int(size)
    if size < 16 or size % 2:
        raise ValueError(f"size must be even and >= 16, got {size}")
    clip = _seed_list(seed)
    group = clip if group_seed is None else _seed_list(group_seed)
    g_rng = np.random.default_rng(np.random.SeedSequence([*group, 7001]))  # performer and scene
    c_rng = np.random.default_rng(np.random.SeedSequence([*clip, 7002]))  # clip nuisance
    m_rng = np.random.default_rng(np.random.SeedSequence([*clip, 7003]))  # the action's motion
    t = video_length(num_frames, c_rng) if length is None else int(length)
    if t < 16:
        raise ValueError(f"videos need at least 16 frames, got {t}")
    speed = float(c_rng.uniform(0.8, 1.25))

    margin = max(2, size // 24)
    n = size + 2 * margin
    bg = _background(g_rng, n)
    looks = [_look(g_rng) for _ in range(3)]
    scale_g, x_g, ground_g = g_rng.uniform(0.9, 1.1), g_rng.uniform(-0.12, 0.12), g_rng.uniform(0.84, 0.93)
    light_gain, light_grad, psi_l = g_rng.uniform(0.7, 1.2), g_rng.uniform(0.0, 0.5), g_rng.uniform(0, 2 * math.pi)
    scale = scale_g * c_rng.uniform(0.94, 1.06)
    cx = n / 2 + (x_g + c_rng.uniform(-0.04, 0.04)) * size
    ground = margin + (ground_g + c_rng.uniform(-0.02, 0.02)) * size
    sway_a, sway_p, sway_ph = c_rng.uniform(0.0, 0.02), c_rng.uniform(30, 60), c_rng.uniform(0, 2 * math.pi)
    shake = _shake(c_rng, t, c_rng.uniform(0.0, 1.5))
    flicker = 1.0 + c_rng.normal(0.0, 0.012, t).astype(np.float32)
    noise_std = np.float32(c_rng.uniform(1.0, 4.0))
    gain = np.float32(light_gain * c_rng.uniform(0.95, 1.05))

    def figure(x_off: float, hb_frac: float, look: dict) -> _Figure:
        hb = hb_frac * scale * size
        return _Figure(t, cx + x_off * size, ground - 0.45 * hb, hb, look)

    draws: list = []
    if kind in ("spin", "march"):
        if kind == "spin":
            figs = [figure(-0.15, 0.62, looks[0]), figure(0.15, 0.6, looks[1])]
            _motion_spin(m_rng, figs, t, member, speed, draws)
        else:
            figs = [figure(dx, 0.42, looks[0]) for dx in (-0.3, 0.0, 0.3)]
            _motion_march(m_rng, figs, t, member, speed, draws)
    else:
        figs = [figure(0.0, 0.72 if kind != "vertical" else 0.5, looks[0])]
        motion = {
            "toss": _motion_toss,
            "juggle": _motion_juggle,
            "jacks": _motion_jacks,
            "workout": _motion_workout,
            "drum": _motion_drum,
            "strum": _motion_strum,
            "swing": _motion_swing,
        }.get(kind)
        if motion is None:
            _motion_vertical(m_rng, figs[0], t, member, speed, draws, size)
            figs[0].y = figs[0].y + margin
        else:
            motion(m_rng, figs[0], t, member, speed, draws)
    k = np.arange(t)
    for f in figs:
        f.x = f.x + sway_a * f.hb * np.sin(2 * math.pi * k / sway_p + sway_ph)

    canvas = np.empty((t, n, n, 3), np.uint8)
    hands_on_top = any(d[0] == "hands" for d in draws)
    for f in figs:
        f.look = dict(f.look, shirt=np.asarray(f.look["shirt"], float))
        f.prepare()
    for i in range(t):
        img = canvas[i]
        img[:] = bg
        for f in figs:
            p = f.draw(img, i)
            for key, fn in draws:
                if key == "each" or (key == "main" and f is figs[0]):
                    fn(img, i, p)
            if hands_on_top and f is figs[0]:  # hands in front of the instrument or racket
                for h in (7, 8):
                    cv2.circle(img, f.fixed[i][h], f.widths["hand"][i], f.look["skin"], -1, cv2.LINE_AA, _SHIFT)
    frames = np.empty((t, size, size, 3), np.float32)
    for i in range(t):  # the camera's view: a size x size window, moved by the shake (sub-pixel)
        m = np.array([[1.0, 0.0, -margin - shake[i, 0]], [0.0, 1.0, -margin - shake[i, 1]]])
        frames[i] = cv2.warpAffine(canvas[i], m, (size, size), flags=cv2.INTER_LINEAR)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    light = gain * (1.0 + light_grad * (xx * math.cos(psi_l) + yy * math.sin(psi_l)))
    frames *= (flicker[:, None, None] * light[None])[..., None]
    noise = c_rng.standard_normal(frames.shape, dtype=np.float32)
    noise *= noise_std
    frames += noise
    out = np.clip(frames, 0, 255, out=frames).astype(np.uint8)
    info = {
        "name": class_name,
        "label": _INDEX[class_name],
        "category": SYNTHETIC_CATEGORIES[class_name],
        "cue": CLASS_CUES[class_name],
        "speed": speed,
    }
    return out, info


# ---------------------------------------------------------------------------------------------
# Writing the UCF-101 layout
# ---------------------------------------------------------------------------------------------
def _encode_avi(path: Path, frames: np.ndarray) -> None:
    """Frames (T, H, W, 3) uint8 RGB -> a lossless FFV1 AVI (one encoder thread)."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="avi") as container:
        stream = container.add_stream(_CODEC, rate=FPS)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = _PIX_FMT
        stream.codec_context.thread_count = 1
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    path.write_bytes(buf.getvalue())


def _video_name(class_name: str, group: int, clip: int) -> str:
    return f"{class_name}/v_{class_name}_g{group:02d}_c{clip:02d}.avi"


def _plan(params: dict) -> dict[str, list[tuple[str, int, int]]]:
    """Per split, the videos ``(class_name, group, clip)`` in the lists' order (class, group, clip)."""
    plan = {}
    for split in ("train", "test"):
        groups = params["groups"][split]
        rows = []
        for name in params["classes"]:
            for j in range(params["videos_per_class"][split]):
                rows.append((name, groups[j % len(groups)], j // len(groups) + 1))
        plan[split] = sorted(rows, key=lambda r: (params["classes"].index(r[0]), r[1], r[2]))
    return plan


def _has_files(root: Path, manifest: dict) -> bool:
    lists = root / LIST_FOLDER
    needed = [lists / "classInd.txt", lists / "trainlist01.txt", lists / "testlist01.txt", root / CATEGORIES_FILE]
    if not all(p.is_file() for p in needed):
        return False
    return all((root / v).is_file() for v in manifest.get("videos", {}))


def _selected_classes(classes_per_category: int, categories: Sequence[str] | None) -> list[str]:
    cats = list(CATEGORIES) if categories is None else list(categories)
    unknown = [c for c in cats if c not in CATEGORIES]
    if unknown or not cats:
        raise ValueError(f"unknown categories {unknown}; choose from {CATEGORIES}")
    if not 1 <= classes_per_category <= 4:
        raise ValueError(f"classes_per_category must be 1..4 (four classes of each type), got {classes_per_category}")
    chosen = []
    for cat in CATEGORIES:
        if cat in cats:
            chosen += [name for name in SYNTHETIC_CLASSES if SYNTHETIC_CATEGORIES[name] == cat][:classes_per_category]
    return sorted(chosen)  # classInd.txt is in alphabetical order, as UCF-101's


def write_synthetic_ucf101(
    root: str | os.PathLike,
    *,
    classes_per_category: int = 4,
    videos_per_class: int | Mapping[str, int] | None = None,
    groups: Mapping[str, Sequence[int]] | None = None,
    num_frames: int = 48,
    size: int = 64,
    seed: int = 0,
    categories: Sequence[str] | None = None,
) -> Path:
    """Write synthetic videos to ``root`` in the UCF-101 layout (split 1) and return ``root``.

    ``root/<ClassName>/v_<ClassName>_gXX_cYY.avi`` (lossless FFV1 in AVI, 25 fps, ``size x size``
    RGB, 5/6 to 3/2 of ``num_frames`` frames), ``root/ucfTrainTestlist/classInd.txt``
    (``1 ClassName``, alphabetical), ``trainlist01.txt`` (``ClassName/v_..avi 1``, 1-based label),
    ``testlist01.txt`` (``ClassName/v_..avi``), Windows line ends as the official files, and
    ``root/categories.csv`` (``class_name,category``).

    The classes are the first ``classes_per_category`` (1-4; 2 or 4 keep whole pairs) of each
    type of :data:`SYNTHETIC_CATEGORIES` in ``categories`` (default all five).
    ``videos_per_class`` is per split (``{"train": 18, "test": 7}``, or one int for both);
    video ``j`` of a class in a split goes to group ``groups[split][j % len]``, clip
    ``j // len + 1``. ``groups`` defaults to split 1 of UCF-101 (:data:`DEFAULT_GROUPS`, test 1-7,
    train 8-25); train and test groups must be disjoint, numbers in 1..25.

    The video of class ``name``, group ``g``, clip ``c`` is :func:`render_video` with
    ``seed=[seed, i, g, c]`` and ``group_seed=[seed, i, g]``, ``i`` the class's index in
    :data:`SYNTHETIC_CLASSES`: the same whatever else is written.

    Writes ``synthetic_manifest.json`` (the parameters and each video's length) last; when
    ``root`` already holds a complete set with the same parameters, returns at once. A ``root``
    holding anything but an earlier output of this function is refused.
    """
    if videos_per_class is None:
        raise ValueError('give videos_per_class, e.g. {"train": 18, "test": 7}')
    per = {
        s: int(videos_per_class[s] if isinstance(videos_per_class, Mapping) else videos_per_class)
        for s in ("train", "test")
    }
    if any(v < 1 for v in per.values()):
        raise ValueError(f"videos_per_class must be >= 1 for train and test, got {per}")
    groups = DEFAULT_GROUPS if groups is None else groups
    grp = {s: [int(g) for g in groups[s]] for s in ("train", "test")}
    for s, gs in grp.items():
        if not gs or len(set(gs)) != len(gs) or min(gs) < 1 or max(gs) > 25:
            raise ValueError(f"groups[{s!r}] must be distinct numbers in 1..25, got {gs}")
        if -(-per[s] // len(gs)) > 99:
            raise ValueError(f"{per[s]} {s} videos a class need more than 99 clips a group")
    if set(grp["train"]) & set(grp["test"]):
        raise ValueError(f"train and test groups overlap: {sorted(set(grp['train']) & set(grp['test']))}")
    if int(num_frames) < 20:
        raise ValueError(f"num_frames must be >= 20 (videos last 5/6 to 3/2 of it), got {num_frames}")
    if int(size) < 16 or int(size) % 2:
        raise ValueError(f"size must be even and >= 16, got {size}")
    params = {
        "generator": "motion_rnn.data.ucf101.synthetic",
        "format_version": _FORMAT_VERSION,
        "classes": _selected_classes(int(classes_per_category), categories),
        "videos_per_class": per,
        "groups": grp,
        "num_frames": int(num_frames),
        "size": int(size),
        "seed": int(seed),
        "codec": f"{_CODEC}/{_PIX_FMT}",
    }
    return write_once(
        root,
        params,
        generate=lambda tmp: _generate(tmp, params),
        is_complete=_has_files,
        writer="write_synthetic_ucf101",
    )


def _generate(out: Path, params: dict) -> dict:
    classes, seed = params["classes"], params["seed"]
    lists = out / LIST_FOLDER
    lists.mkdir()
    label = {name: i + 1 for i, name in enumerate(classes)}
    (lists / "classInd.txt").write_bytes("".join(f"{label[c]} {c}{_EOL}" for c in classes).encode())
    with open(out / CATEGORIES_FILE, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["class_name", "category"])
        writer.writerows([c, SYNTHETIC_CATEGORIES[c]] for c in classes)
    for c in classes:
        (out / c).mkdir()
    plan = _plan(params)
    lengths = {}
    for split, rows in plan.items():
        lines = []
        for name, group, clip in rows:
            video = _video_name(name, group, clip)
            frames, _ = render_video(
                name,
                seed=[seed, _INDEX[name], group, clip],
                group_seed=[seed, _INDEX[name], group],
                num_frames=params["num_frames"],
                size=params["size"],
            )
            _encode_avi(out / video, frames)
            lengths[video] = int(len(frames))
            lines.append(f"{video} {label[name]}" if split == "train" else video)
        (lists / f"{split}list01.txt").write_bytes("".join(line + _EOL for line in lines).encode())
    return {
        "categories": {c: SYNTHETIC_CATEGORIES[c] for c in classes},
        "cues": {c: CLASS_CUES[c] for c in classes},
        "videos": lengths,
    }


def example_sheet(*, num_frames: int = 48, size: int = 64, seed: int = 0, frames_shown: int = 8) -> np.ndarray:
    """One video a class (rows in :data:`SYNTHETIC_CLASSES` order), ``frames_shown`` evenly spaced
    frames a row: (rows*(size+2), cols*(size+2), 3) uint8, for a figure of the book."""
    rows = []
    for name in SYNTHETIC_CLASSES:
        frames, _ = render_video(name, seed=[seed, _INDEX[name], 8, 1], num_frames=num_frames, size=size)
        pick = np.linspace(0, len(frames) - 1, frames_shown).round().astype(int)
        rows.append(np.concatenate([np.pad(frames[i], ((1, 1), (1, 1), (0, 0))) for i in pick], axis=1))
    return np.concatenate(rows, axis=0)
