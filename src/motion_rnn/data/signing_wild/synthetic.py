"""Synthetic "signing in the wild" videos in the layout of :mod:`motion_rnn.data.signing_wild.reader`.

Serves Borg & Camilleri 2019, "Sign language detection 'in the wild' with recurrent neural
networks". Its claims (Sec. 5.2: a motion stream alone "can still yield a high detection rate",
fusing appearance and motion helps, Table 2; the RNN over 20 frames "leverage[s] the dynamic
information contained in signing", Table 5) are about telling signing from speaking and from
other hand activity in untrimmed video. These files are built so that a model can only do that
by reading *how the hands move over time*, and run through the same reader as the real data.

What is drawn
    An upper-body performer facing the camera (head with hair, eyes and a mouth that opens,
    torso, two arms, hands with one of six handshapes: fist, flat, spread, pointing, bent, ring)
    in front of a smooth textured background with clutter, sometimes behind a table, in
    ``size x size`` RGB (default 64) at 25 frames a second. A video (``seconds`` long) is a run
    of *shots* of 4-20 s (titles 2-5 s); a cut changes the background, the performer, their
    place and size and the camera (Sec. 3: "untrimmed ... multiple activities, background
    scenes, scene cuts, and other actions done by the same or different actors"). Within a shot
    of over 8 s the performer may switch between signing, speaking, clapping and exercise
    without a cut ("the same person alternating between signing and speaking").
    The camera pans (up to 3 px a second) and shakes (a smoothed random walk of up to 1.5 px).
    Each video draws two or three performers and three backgrounds from pools shared by all
    videos, so the same people, clothes and rooms appear in every class.

The activities (label of the annotation in brackets)
    * *sign* (``S``): a sequence of signs, each a fast movement (3-6 frames) of one or both
      hands to a location near the face, chin, neck, shoulder, chest or in neutral space, with
      the handshape changing during the movement, then a hold (3-9 frames), sometimes with a
      small repeated tap. One-handed signs, two-handed symmetric signs, and signs made on a
      still base hand. Discrete, structured and fast (Sec. 3: signing's "distinct phonological,
      morphological and categorical (discrete) structures"). Signers mouth now and then (Sec. 3:
      "signers make use of mouthings").
    * *speak* (``P``): the mouth opens and closes at 3-6 syllables a second in bursts of words,
      the hands drift slowly and smoothly around a resting place with the odd beat, keep a
      relaxed handshape and now and then rest on the chin; the style (place, range, smoothness)
      is the performer's own (Sec. 3: gesticulation is "spontaneous, idiosyncratic and analogue").
    * *other* (``n``): clapping (hands meet 2-3.5 times a second, sometimes laughing), playing a
      guitar-like instrument (one hand strums, the other moves between discrete places along
      the neck and changes shape: a structured hand motion that is not signing), writing at a
      table (small fast hand motion, head down), exercise (arms raised sideways or circled,
      large motion of varied speed), and title screens or credits with no person (Sec. 3: "opening/closing
      credits, title screens").

    The 5 Hz rows within 0.2 s of a cut or an activity switch are left ``?`` (Sec. 3: "ambiguous
    cases are left unlabelled").

Designed so that
    *one frame does not tell*: performers, clothes, rooms, tables and camera are drawn from the
    same pools in every class; hands are always in view; a signer's open mouth or a speaker's
    hand at the chin occur too. Only a guitar or a title screen marks an "other" frame.
    *Motion energy does not tell*: clapping, exercise and the instrument move as much as or more
    than signing, writing and speaking less, and the camera adds motion to all; signing is not
    the most moving class. What separates signing is the *kind* of motion: fast, two-handed
    changes of place and shape near the face and body, with holds.

What it tests
    Whether a model reads the dynamics of the hands (Table 5's RNN over hand-crafted or CNN
    features, Table 2's motion streams), invariance to performer, room, zoom, cuts and camera
    motion, the 20-frame segments (runs cut at shot and activity changes are dropped, as in the
    real data) and whole-video folds; and the reader, on the real layout and 5 Hz rows.
    Twelve 60-second videos at 64x64 take about 10 s to write (2 cores) and 55 MB.

What it cannot test
    Real people, sign languages, faces and mouths, YouTube compression, real gesticulation,
    lighting and clutter; pretrained VGG-16 features (ImageNet pictures, not 64-pixel
    cartoons); the data set's size (1120 videos of 6.6 min) and its label noise (one
    annotator). Numbers on these files are not comparable with the paper's.

Usage::

    root = write_synthetic_signing_wild("_build/data/synthetic_signing_wild", num_videos=12, seconds=60)
    data = SigningWildVideos(root)

Generation is deterministic given the seed (each video and each shot has its own random
stream); a manifest of the parameters (and every shot's activity and frames) is written last,
and a second call with the same parameters returns at once.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import av
import cv2
import numpy as np

from motion_rnn.data.cache import write_once
from motion_rnn.data.signing_wild.reader import ANNOTATIONS_FILE, VIDEOS_FOLDER

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_LABELS",
    "FPS",
    "STEP",
    "example_sheet",
    "render_shot",
    "write_synthetic_signing_wild",
]

FPS = 25
STEP = FPS // 5  # annotation rows every 5 frames: 5 Hz at 25 fps
ACTIVITIES: tuple[str, ...] = ("sign", "speak", "clap", "instrument", "write", "exercise", "title")
ACTIVITY_LABELS: dict[str, str] = {
    "sign": "S",
    "speak": "P",
    "clap": "n",
    "instrument": "n",
    "write": "n",
    "exercise": "n",
    "title": "n",
}
"""The annotation letter of each activity."""
_WEIGHTS = np.array([0.36, 0.30, 0.07, 0.07, 0.07, 0.07, 0.06])  # about a third a class
_FORMAT_VERSION = 1
_CODEC = "ffv1"
_PIX_FMT = "bgr0"
_POOL = 10  # performers and backgrounds shared by all videos
_SWITCHABLE = ("sign", "speak", "clap", "exercise")  # no prop to appear or vanish
_UNSURE = 5  # frames either side of a cut or switch whose rows are '?'

_SHIFT = 4
_ONE = 1 << _SHIFT


def _pt(p) -> tuple[int, int]:
    return int(round(float(p[0]) * _ONE)), int(round(float(p[1]) * _ONE))


def _col(rgb) -> tuple[float, float, float]:
    return tuple(float(v) for v in np.clip(rgb, 0, 255))


def _disc(img, c, r, colour) -> None:
    cv2.circle(img, _pt(c), max(1, int(round(r * _ONE))), colour, -1, cv2.LINE_AA, _SHIFT)


def _line(img, a, b, colour, width) -> None:
    cv2.line(img, _pt(a), _pt(b), colour, max(1, int(round(width))), cv2.LINE_AA, _SHIFT)


def _ellipse(img, c, ax, ay, deg, colour, start=0.0, end=360.0, thickness=-1) -> None:
    axes = (max(1, int(round(ax * _ONE))), max(1, int(round(ay * _ONE))))
    cv2.ellipse(img, _pt(c), axes, float(deg), start, end, colour, thickness, cv2.LINE_AA, _SHIFT)


# ---------------------------------------------------------------------------------------------
# Pools: performers' looks and rooms, shared by all videos of a seed
# ---------------------------------------------------------------------------------------------
def _muted(rng) -> np.ndarray:
    return 0.55 * rng.uniform(0, 255, 3) + 0.45 * rng.uniform(30, 220)


def _look(rng) -> dict:
    light, dark = np.array([236.0, 198.0, 168.0]), np.array([105.0, 66.0, 42.0])
    skin = np.clip(light + rng.uniform() * (dark - light) + rng.normal(0.0, 8.0, 3), 0, 255)
    return {
        "skin": _col(skin),
        "shirt": _col(_muted(rng) * rng.uniform(0.6, 1.2)),
        "hair": _col(rng.uniform(10, 90) * np.array([1.0, 0.8, 0.6]) + rng.uniform(0, 60)),
        "long_sleeves": bool(rng.uniform() < 0.5),
        # the performer's own gesticulation and signing tempo
        "speed": float(rng.uniform(0.8, 1.25)),
        "gesture_range": float(rng.uniform(1.5, 4.0)),
        "gesture_smooth": float(rng.uniform(5.0, 10.0)),
        "rest": (float(rng.uniform(5.0, 9.0)), float(rng.uniform(12.0, 18.0))),
    }


def _background(rng, n: int) -> np.ndarray:
    g = int(rng.integers(3, 7))
    tex = cv2.resize(rng.random((g, g, 3)).astype(np.float32), (n, n), interpolation=cv2.INTER_CUBIC)
    base = rng.uniform(60, 200) * (1.0 + rng.normal(0.0, 0.15, 3))
    img = np.clip(base + (tex - 0.5) * rng.uniform(20, 90), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(2, 6))):
        col = _col(_muted(rng))
        cx, cy = rng.uniform(0, n), rng.uniform(0, n)
        sx, sy = rng.uniform(0.03, 0.14) * n, rng.uniform(0.03, 0.14) * n
        if rng.uniform() < 0.5:
            cv2.rectangle(img, (int(cx - sx), int(cy - sy)), (int(cx + sx), int(cy + sy)), col, -1, cv2.LINE_AA)
        else:
            _ellipse(img, (cx, cy), sx, sy, rng.uniform(0, 180), col)
    return img


def _pools(seed: int, canvas: int) -> tuple[list[dict], list[np.ndarray]]:
    rng = np.random.default_rng([seed, 7919])
    looks = [_look(rng) for _ in range(_POOL)]
    rooms = [_background(rng, canvas) for _ in range(_POOL)]
    return looks, rooms


# ---------------------------------------------------------------------------------------------
# Motion of the hands (units u: 1/64 of the frame at zoom 1; origin between the shoulders)
# ---------------------------------------------------------------------------------------------
_SIGN_PLACES = np.array(
    [
        [0.0, -19.0],  # forehead
        [4.0, -14.0],  # cheek / eye
        [0.0, -11.0],  # mouth
        [0.0, -8.0],  # chin
        [0.0, -3.0],  # neck
        [8.0, 1.0],  # shoulder
        [3.0, 6.0],  # chest
        [0.0, 13.0],  # stomach
        [6.0, 10.0],  # neutral space
        [10.0, 7.0],  # neutral space, out
        [12.0, -4.0],  # high, out
    ]
)
_NUM_SHAPES = 6  # fist, flat, spread, point, bent, ring
_RELAXED = 1  # flat


class _Track:
    """Per-frame pose of a shot: hands (T, 2, 2) in u, handshape (T, 2) int, hand angle (T, 2)
    radians (0 points up), mouth opening (T,) 0..1, body offset (T, 2) in u (bob, head down)."""

    def __init__(self, t: int) -> None:
        self.hands = np.zeros((t, 2, 2))
        self.hands[:, 0] = (-8.0, 20.0)
        self.hands[:, 1] = (8.0, 20.0)
        self.shape = np.full((t, 2), _RELAXED, dtype=int)
        self.angle = np.zeros((t, 2))
        self.mouth = np.zeros(t)
        self.body = np.zeros((t, 2))
        self.head_down = np.zeros(t)


def _ease(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, n + 1)[1:])


def _smooth_noise(rng, t: int, sigma: float) -> np.ndarray:
    """A smooth random signal (t,) of unit maximum magnitude."""
    pad = int(3 * sigma) + 1
    white = rng.normal(0.0, 1.0, t + 2 * pad)
    k = np.exp(-0.5 * (np.arange(-pad, pad + 1) / sigma) ** 2)
    out = np.convolve(white, k / k.sum(), mode="valid")[:t]
    return out / max(np.abs(out).max(), 1e-6)


def _syllables(rng, t: int, rate: float) -> np.ndarray:
    """Mouth opening of speech: syllables at ``rate`` a second in words, with pauses."""
    out = np.zeros(t)
    k = int(rng.integers(0, 6))
    while k < t:
        word = int(rng.uniform(0.3, 1.5) * FPS)
        ph = np.arange(word) * 2 * math.pi * rate * rng.uniform(0.85, 1.15) / FPS
        amp = rng.uniform(0.5, 1.0)
        out[k : k + word] = (amp * np.maximum(0.0, np.sin(ph)) ** 0.7)[: t - k]
        k += word + int(rng.uniform(0.1, 0.5) * FPS)
    return out


def _motion_sign(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    speed = look["speed"]
    pos = tr.hands[0].copy()
    shape = np.array([_RELAXED, _RELAXED])
    ang = np.zeros(2)
    k = 0
    while k < t:
        if rng.uniform() < 0.08:  # a short pause, hands in neutral space
            target = np.array([[-6.0, 12.0], [6.0, 12.0]]) + rng.normal(0, 1.0, (2, 2))
            new_shape, new_ang = np.array([_RELAXED, _RELAXED]), np.zeros(2)
            move, hold, tap = int(rng.integers(4, 7)), int(rng.integers(6, 14)), 0.0
        else:
            dom = int(rng.integers(0, 2)) if rng.uniform() < 0.2 else 1
            side = 1.0 if dom == 1 else -1.0
            place = _SIGN_PLACES[int(rng.integers(len(_SIGN_PLACES)))] * np.array([side, 1.0])
            kind = rng.choice(3, p=[0.4, 0.35, 0.25])  # one-handed, symmetric, on a base hand
            target = pos.copy()
            target[dom] = place + rng.normal(0, 1.0, 2)
            new_shape, new_ang = shape.copy(), ang.copy()
            new_shape[dom] = int(rng.integers(_NUM_SHAPES))
            new_ang[dom] = rng.choice([0.0, 0.6, -0.6, 1.3, -1.3, 2.5])
            other = 1 - dom
            if kind == 1:
                target[other] = target[dom] * np.array([-1.0, 1.0])
                if abs(target[other, 0]) < 3.0:
                    target[other, 0] = -side * 4.0
                    target[dom, 0] = side * 4.0
                new_shape[other], new_ang[other] = new_shape[dom], -new_ang[dom]
            elif kind == 2:
                target[other] = np.array([-side * 2.0, 9.0]) + rng.normal(0, 0.8, 2)
                target[dom] = target[other] + np.array([side * 2.0, -3.0]) + rng.normal(0, 1.0, 2)
                new_shape[other], new_ang[other] = int(rng.choice([1, 0])), side * 1.4
            else:
                target[other] = pos[other] if rng.uniform() < 0.6 else np.array([-side * 7.0, 18.0])
            move = max(2, int(round(rng.uniform(3, 6) / speed)))
            hold = max(2, int(round(rng.uniform(3, 9) / speed)))
            tap = rng.uniform(1.0, 2.0) if rng.uniform() < 0.35 else 0.0
            if rng.uniform() < 0.4:  # mouthing
                n = min(t - k, move + hold)
                tr.mouth[k : k + n] = np.maximum(
                    tr.mouth[k : k + n], rng.uniform(0.3, 0.8) * np.sin(np.linspace(0, math.pi, n))
                )
        e = _ease(move)[:, None, None]
        seg = pos[None] + e * (target - pos)[None]
        n = min(move, t - k)
        tr.hands[k : k + n] = seg[:n]
        half = move // 2
        tr.shape[k : k + min(half, n)] = shape
        tr.shape[k + min(half, n) : k + n] = new_shape
        tr.angle[k : k + n] = ang[None] + e[:n, :, 0] * (new_ang - ang)[None]
        k += n
        n = min(hold, t - k)
        if n > 0:
            tr.hands[k : k + n] = target[None]
            if tap:
                wob = tap * np.abs(np.sin(np.arange(n) * 2 * math.pi * 5.0 / FPS))
                tr.hands[k : k + n, dom, 1] -= wob
            tr.shape[k : k + n] = new_shape
            tr.angle[k : k + n] = new_ang
        k += n
        pos, shape, ang = target, new_shape, new_ang


def _motion_speak(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    tr.mouth[:] = _syllables(rng, t, rng.uniform(3.0, 6.0))
    rx, ry = look["rest"]
    amp, sm = look["gesture_range"], look["gesture_smooth"]
    for h, side in ((0, -1.0), (1, 1.0)):
        a = amp * (1.0 if h == 1 else rng.uniform(0.3, 1.0))
        tr.hands[:, h, 0] = side * rx + a * _smooth_noise(rng, t, sm * rng.uniform(0.8, 1.3))
        tr.hands[:, h, 1] = ry + a * _smooth_noise(rng, t, sm * rng.uniform(0.8, 1.3))
        tr.angle[:, h] = side * (0.4 + 0.4 * _smooth_noise(rng, t, 2 * sm))
    tr.shape[:] = _RELAXED
    k = int(rng.integers(10, 40))
    while k < t:  # beats of the dominant hand
        n = min(8, t - k)
        tr.hands[k : k + n, 1, 1] += 2.5 * np.sin(np.linspace(0, math.pi, n))
        k += int(rng.uniform(0.8, 2.0) * FPS)
    if rng.uniform() < 0.3 and t > 60:  # a hand at the chin for a while
        k, n = int(rng.integers(0, t - 40)), int(rng.integers(20, 40))
        e = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / 8.0)[:, None]
        tr.hands[k : k + n, 1] = (1 - e) * tr.hands[k : k + n, 1] + e * np.array([1.5, -7.0])
        tr.shape[k : k + n, 1] = int(rng.choice([0, 3]))
    if rng.uniform() < 0.3:  # now and then a change of shape
        k = int(rng.integers(0, t))
        tr.shape[k:, int(rng.integers(2))] = int(rng.choice([0, 2]))
    tr.body[:, 1] = 0.5 * _smooth_noise(rng, t, 6.0)  # nodding


def _motion_clap(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    f = rng.uniform(2.0, 3.5)
    ph = np.arange(t) * 2 * math.pi * f / FPS + rng.uniform(0, 2 * math.pi)
    gap = 0.8 + 5.0 * (0.5 + 0.5 * np.cos(ph))
    y = rng.uniform(4.0, 12.0) + 1.0 * _smooth_noise(rng, t, 8.0)
    tr.hands[:, 0, 0], tr.hands[:, 1, 0] = -gap, gap
    tr.hands[:, 0, 1] = tr.hands[:, 1, 1] = y
    tr.shape[:] = 1
    tr.angle[:, 0], tr.angle[:, 1] = 0.2, -0.2
    if rng.uniform() < 0.5:  # laughing
        tr.mouth[:] = np.clip(_syllables(rng, t, rng.uniform(4.0, 7.0)) * 0.8, 0, 1) * (_smooth_noise(rng, t, 10) > 0)


def _motion_instrument(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    f = rng.uniform(2.0, 4.0)
    ph = np.arange(t) * 2 * math.pi * f / FPS
    tr.hands[:, 1] = np.column_stack([5.0 + 0.5 * np.sin(ph / 2), 15.0 + 3.5 * np.sin(ph)])
    tr.shape[:, 1] = 0
    tr.angle[:, 1] = -0.8
    k, pos = 0, 0.6
    while k < t:  # the fretting hand: discrete places along the neck, shape changes (chords)
        new = rng.uniform(0.45, 0.95)
        move, hold = int(rng.integers(3, 6)), int(rng.integers(8, 22))
        e = _ease(move)
        p = np.concatenate([pos + e * (new - pos), np.full(hold, new)])[: t - k]
        tr.hands[k : k + len(p), 0] = np.column_stack([0.0 - 17.0 * p, 14.0 - 9.0 * p]) + np.array([0.0, -1.5])
        tr.shape[k : k + len(p), 0] = int(rng.choice([2, 4, 5]))
        k += len(p)
        pos = new
    tr.angle[:, 0] = -1.0


def _motion_write(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    f = rng.uniform(3.0, 5.0)
    ph = np.arange(t) * 2 * math.pi * f / FPS
    line = (np.arange(t) / FPS * rng.uniform(1.5, 3.0)) % 8.0  # along a line, then back
    tr.hands[:, 1, 0] = 1.0 + line + 0.6 * np.sin(ph * 0.5)
    tr.hands[:, 1, 1] = 19.0 + 1.0 * np.sin(ph) + 0.3 * np.floor(np.arange(t) / FPS / 3.0) % 3
    tr.shape[:, 1] = 5
    tr.angle[:, 1] = -0.5
    tr.hands[:, 0] = (-8.0, 20.0)
    tr.shape[:, 0] = 1
    tr.angle[:, 0] = 1.4
    tr.head_down[:] = 2.0


def _motion_exercise(rng, tr: _Track, look: dict) -> None:
    t = len(tr.mouth)
    period = rng.uniform(0.9, 2.2) * FPS
    ph = np.arange(t) * 2 * math.pi / period + rng.uniform(0, 2 * math.pi)
    reach = 19.0
    if rng.uniform() < 0.5:  # arms raised sideways and lowered
        lo, hi = rng.uniform(0.2, 0.6), rng.uniform(1.6, 2.8)
        a = lo + (hi - lo) * (0.5 - 0.5 * np.cos(ph))
        for h, side in ((0, -1.0), (1, 1.0)):
            tr.hands[:, h] = np.column_stack([side * (10.0 + reach * np.sin(a)), 2.0 + reach * np.cos(a)])
    else:  # arm circles in front of the body
        r = rng.uniform(4.0, 8.0)
        for h, side in ((0, -1.0), (1, 1.0)):
            tr.hands[:, h] = np.column_stack([side * (9.0 + r * np.cos(ph)), 6.0 + r * np.sin(ph)])
    tr.shape[:] = 0
    tr.body[:, 1] = 0.8 * np.sin(2 * ph)


_MOTIONS = {
    "sign": _motion_sign,
    "speak": _motion_speak,
    "clap": _motion_clap,
    "instrument": _motion_instrument,
    "write": _motion_write,
    "exercise": _motion_exercise,
}


# ---------------------------------------------------------------------------------------------
# Drawing a performer
# ---------------------------------------------------------------------------------------------
def _elbow(s: np.ndarray, h: np.ndarray, side: float, length: float) -> np.ndarray:
    """The elbow of an arm from shoulder ``s`` to hand ``h`` (two segments of ``length``), bent outwards."""
    d = h - s
    dist = float(np.hypot(*d))
    dist_c = min(max(dist, 1e-3), 2 * length - 1e-3)
    u = d / max(dist, 1e-6)
    a = dist_c / 2.0
    hgt = math.sqrt(max(length * length - a * a, 0.0))
    perp = np.array([-u[1], u[0]])
    if side * perp[0] + 0.5 * perp[1] < 0:
        perp = -perp
    return s + a * u + hgt * perp


def _hand(img, c, shape: int, angle: float, u: float, skin) -> None:
    direc = np.array([math.sin(angle), -math.cos(angle)])
    if shape == 0:  # fist
        _disc(img, c, 2.4 * u, skin)
    elif shape == 1:  # flat
        _ellipse(img, c + 1.2 * u * direc, 1.6 * u, 3.6 * u, math.degrees(angle), skin)
    elif shape == 2:  # spread
        _disc(img, c, 2.0 * u, skin)
        for k in range(5):
            a = angle + (k - 2) * 0.38
            _line(img, c, c + 4.2 * u * np.array([math.sin(a), -math.cos(a)]), skin, 0.9 * u)
    elif shape == 3:  # point
        _disc(img, c, 2.1 * u, skin)
        _line(img, c, c + 4.6 * u * direc, skin, 1.1 * u)
    elif shape == 4:  # bent (C)
        _ellipse(img, c, 2.6 * u, 2.6 * u, math.degrees(angle) - 90, skin, 40, 320, max(1, int(round(1.2 * u))))
    else:  # ring (O)
        cv2.circle(
            img, _pt(c), max(1, int(round(2.3 * u * _ONE))), skin, max(1, int(round(1.2 * u))), cv2.LINE_AA, _SHIFT
        )


def _draw_person(img, anchor, u: float, look: dict, tr: _Track, k: int, props: dict) -> None:
    skin, shirt, hair = look["skin"], look["shirt"], look["hair"]
    ax, ay = anchor + tr.body[k] * u
    a = np.array([ax, ay])
    sh = [a + np.array([-10.0, 2.0]) * u, a + np.array([10.0, 2.0]) * u]
    torso = np.array([a + np.array(p) * u for p in ((-11, 0), (11, 0), (10, 40), (-10, 40))])
    cv2.fillPoly(img, [np.rint(torso * _ONE).astype(np.int32)], shirt, cv2.LINE_AA, _SHIFT)
    _line(img, a, a + np.array([0.0, -8.0]) * u, skin, 4.0 * u)  # neck
    head = a + np.array([0.0, -14.0 + tr.head_down[k]]) * u
    _disc(img, head, 7.0 * u, skin)
    _ellipse(img, head, 7.2 * u, 7.2 * u, 0, hair, 180, 360)
    dark = (30.0, 25.0, 25.0)
    for s in (-1.0, 1.0):
        _disc(img, head + np.array([s * 2.6, 0.2 + tr.head_down[k] * 0.3]) * u, 0.8 * u, dark)
    _ellipse(img, head + np.array([0.0, 3.6]) * u, 2.3 * u, 0.4 * u + 2.0 * u * tr.mouth[k], 0, (90.0, 20.0, 30.0))
    if props.get("table"):
        y0 = ay + 18.0 * u
        cv2.rectangle(img, (0, int(y0)), (img.shape[1], img.shape[0]), props["table"], -1)
        if props.get("paper"):
            p0 = a + np.array([-1.0, 17.0]) * u
            cv2.rectangle(img, _pt(p0), _pt(p0 + np.array([12.0, 6.0]) * u), (235, 235, 225), -1, cv2.LINE_AA, _SHIFT)
    if props.get("guitar"):
        _line(img, a + np.array([0.0, 13.0]) * u, a + np.array([-18.0, 4.0]) * u, props["guitar"][1], 2.2 * u)
        _ellipse(img, a + np.array([4.0, 17.0]) * u, 7.5 * u, 5.0 * u, -20, props["guitar"][0])
        _disc(img, a + np.array([3.0, 16.0]) * u, 1.5 * u, (20.0, 15.0, 10.0))
    for h, side in ((0, -1.0), (1, 1.0)):
        hand = a + tr.hands[k, h] * u
        e = _elbow(sh[h], hand, side, 11.0 * u)
        _line(img, sh[h], e, shirt, 3.6 * u)
        _line(img, e, hand, shirt if look["long_sleeves"] else skin, 3.0 * u)
        _hand(img, hand, int(tr.shape[k, h]), float(tr.angle[k, h]), u, skin)


def _title_frames(rng, t: int, canvas: int) -> np.ndarray:
    """A title screen or credits: a flat colour with lines of 'text', still, fading in or scrolling up."""
    bg = _muted(rng)
    ink = _col(255 - bg if rng.uniform() < 0.7 else _muted(rng))
    page_h = canvas * 3
    page = np.empty((page_h, canvas, 3), np.uint8)
    page[:] = _col(bg)
    y = int(rng.integers(4, 12))
    while y < page_h - 6:
        x, h = int(rng.integers(3, 12)), int(rng.integers(2, 5))
        while x < canvas - 8:
            w = int(rng.integers(3, 14))
            cv2.rectangle(page, (x, y), (min(x + w, canvas - 4), y + h), ink, -1)
            x += w + int(rng.integers(2, 4))
        y += h + int(rng.integers(3, 9))
    mode = rng.choice(["still", "scroll", "fade"])
    out = np.empty((t, canvas, canvas, 3), np.uint8)
    speed = rng.uniform(0.3, 1.0)
    for k in range(t):
        off = int((k * speed) % (page_h - canvas)) if mode == "scroll" else 0
        frame = page[off : off + canvas]
        if mode == "fade":
            frame = (np.asarray(bg) + min(1.0, k / 25.0) * (frame.astype(float) - bg)).clip(0, 255).astype(np.uint8)
        out[k] = frame
    return out


def render_shot(
    activities: list[tuple[str, int]],
    *,
    look: dict,
    room: np.ndarray,
    size: int = 64,
    seed=0,
) -> np.ndarray:
    """Frames ``(sum of lengths, size, size, 3)`` uint8 RGB of one shot: the activities
    ``[(name, frames), ...]`` one after another by one performer (``look``) in one room
    (a ``(size + 2 * size // 8)``-square background), with the shot's own camera motion.
    A ``"title"`` shot has no person and no camera motion."""
    rng = np.random.default_rng(seed)
    margin = size // 8
    canvas = size + 2 * margin
    t = sum(n for _, n in activities)
    if activities[0][0] == "title":
        big = _title_frames(rng, t, canvas)
        return big[:, margin : margin + size, margin : margin + size].copy()
    zoom = rng.uniform(0.85, 1.2)
    u = size / 64.0 * zoom
    anchor = np.array([canvas / 2 + rng.uniform(-0.12, 0.12) * size, margin + (0.40 + rng.uniform(0, 0.08)) * size])
    props: dict = {}
    names = [a for a, _ in activities]
    if "write" in names or rng.uniform() < 0.25:
        props["table"] = _col(_muted(rng) * 0.7)
        props["paper"] = "write" in names
    if "instrument" in names:
        props["guitar"] = (_col(np.array([150.0, 90.0, 40.0]) * rng.uniform(0.7, 1.2)), _col((70.0, 45.0, 25.0)))
    tracks = []
    for name, n in activities:
        tr = _Track(n)
        _MOTIONS[name](rng, tr, look)
        tracks.append(tr)
    tr = _Track(t)
    k = 0
    for part in tracks:  # one track; a switch eases the hands over 4 frames
        n = len(part.mouth)
        for field in ("hands", "shape", "angle", "mouth", "body", "head_down"):
            getattr(tr, field)[k : k + n] = getattr(part, field)
        if k:
            m = min(4, n)
            w = _ease(m)[:, None, None]
            tr.hands[k : k + m] = tr.hands[k - 1][None] * (1 - w) + tr.hands[k : k + m] * w
        k += n
    # camera: pan (px a frame) and shake (smoothed random walk)
    pan = rng.uniform(-0.12, 0.12, 2) if rng.uniform() < 0.5 else np.zeros(2)
    amp = rng.uniform(0.0, 1.5)
    steps = rng.normal(0.0, 1.0, (t + 12, 2)).cumsum(0)
    kern = np.exp(-0.5 * (np.arange(-6, 7) / 3.0) ** 2)
    shake = np.stack([np.convolve(steps[:, i], kern / kern.sum(), mode="valid")[:t] for i in range(2)], 1)
    shake -= shake.mean(0)
    shake *= amp / max(np.abs(shake).max(), 1e-6)
    path = pan[None] * (np.arange(t) - t / 2)[:, None] + shake
    path = np.clip(path, -margin + 0.5, margin - 0.5)
    out = np.empty((t, size, size, 3), np.uint8)
    for k in range(t):
        img = room.copy()
        _draw_person(img, anchor, u, look, tr, k, props)
        dx, dy = path[k]
        m = np.float32([[1, 0, -(margin + dx)], [0, 1, -(margin + dy)]])
        out[k] = cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return out


# ---------------------------------------------------------------------------------------------
# A video: shots, cuts, labels
# ---------------------------------------------------------------------------------------------
def _plan_video(rng, total: int) -> list[dict]:
    """Shots ``{"activities": [(name, frames)], "look": i, "room": i}`` filling ``total`` frames."""
    shots, k = [], 0
    while k < total:
        first = str(rng.choice(ACTIVITIES, p=_WEIGHTS))
        n = int(rng.uniform(2.0, 5.0) * FPS) if first == "title" else int(rng.uniform(4.0, 20.0) * FPS)
        n = min(n, total - k)
        if total - k - n < 2 * FPS:  # no sliver of a shot at the end
            n = total - k
        acts = [(first, n)]
        if first in _SWITCHABLE and n > 8 * FPS and rng.uniform() < 0.35:  # a switch within the shot
            second = str(rng.choice([a for a in _SWITCHABLE if a != first]))
            cut = int(n * rng.uniform(0.35, 0.65))
            acts = [(first, cut), (second, n - cut)]
        shots.append({"activities": acts, "start": k})
        k += n
    return shots


def _video_id(rng) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(chars[i] for i in rng.integers(0, len(chars), 11))


def _labels(shots: list[dict], total: int) -> list[tuple[int, str]]:
    """The 5 Hz rows ``(frame, letter)``: the activity's letter, ``?`` within ``_UNSURE`` frames of a change."""
    letter = np.empty(total, dtype=object)
    bounds = []
    for shot in shots:
        k = shot["start"]
        for name, n in shot["activities"]:
            letter[k : k + n] = ACTIVITY_LABELS[name]
            if k:
                bounds.append(k)
            k += n
    rows = []
    for f in range(0, total, STEP):
        near = any(abs(f - b) <= _UNSURE for b in bounds)
        rows.append((f, "?" if near else str(letter[f])))
    return rows


def _render_video(seed: int, index: int, seconds: float, size: int, looks, rooms) -> tuple[str, np.ndarray, list, list]:
    rng = np.random.default_rng([seed, index])
    vid = _video_id(rng)
    total = int(round(seconds * FPS))
    cast = rng.choice(len(looks), size=int(rng.integers(2, 4)), replace=False)
    sets = rng.choice(len(rooms), size=3, replace=False)
    shots = _plan_video(rng, total)
    frames = np.empty((total, size, size, 3), np.uint8)
    for j, shot in enumerate(shots):
        li, ri = int(rng.choice(cast)), int(rng.choice(sets))
        shot["look"], shot["room"] = li, ri
        n = sum(m for _, m in shot["activities"])
        frames[shot["start"] : shot["start"] + n] = render_shot(
            shot["activities"], look=looks[li], room=rooms[ri], size=size, seed=[seed, index, j]
        )
    return vid, frames, shots, _labels(shots, total)


def _encode_avi(path: Path, frames: np.ndarray) -> None:
    """Frames (T, H, W, 3) uint8 RGB -> a lossless FFV1 AVI at 25 fps (one encoder thread)."""
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


def _has_files(root: Path, manifest: dict) -> bool:
    if not (root / ANNOTATIONS_FILE).is_file():
        return False
    return all((root / VIDEOS_FOLDER / f"{v}.avi").is_file() for v in manifest.get("videos", {}))


def write_synthetic_signing_wild(
    root: str | os.PathLike,
    *,
    num_videos: int = 12,
    seconds: float = 60.0,
    size: int = 64,
    seed: int = 0,
) -> Path:
    """Write ``num_videos`` synthetic videos of ``seconds`` to ``root`` and return ``root``.

    ``root/videos/<video_id>.avi`` (lossless FFV1, 25 fps, ``size x size`` RGB; ids of 11
    letters and digits like YouTube's) and ``root/annotations.txt`` (``<video_id> <frame> <label>``,
    a row every 5 frames from frame 0, so 5 Hz with the original frame numbers). Video ``i`` is
    drawn from the random stream ``[seed, i]``, the same whatever else is written.

    Writes ``synthetic_manifest.json`` last (the parameters, and per video its shots: start
    frame, activities with their lengths, performer and room); when ``root`` already holds a
    complete set with the same parameters, returns at once. A ``root`` holding anything but an
    earlier output of this function is refused.
    """
    if int(num_videos) < 1:
        raise ValueError(f"num_videos must be >= 1, got {num_videos}")
    if float(seconds) < 4.0:
        raise ValueError(f"seconds must be >= 4 (one 20-frame segment at 5 Hz), got {seconds}")
    if int(size) < 32 or int(size) % 8:
        raise ValueError(f"size must be a multiple of 8 and >= 32, got {size}")
    params = {
        "generator": "motion_rnn.data.signing_wild.synthetic",
        "format_version": _FORMAT_VERSION,
        "num_videos": int(num_videos),
        "seconds": float(seconds),
        "size": int(size),
        "seed": int(seed),
        "fps": FPS,
        "codec": f"{_CODEC}/{_PIX_FMT}",
    }
    return write_once(
        root,
        params,
        generate=lambda tmp: _generate(tmp, params),
        is_complete=_has_files,
        writer="write_synthetic_signing_wild",
    )


def _generate(out: Path, params: dict) -> dict:
    seed, size = params["seed"], params["size"]
    looks, rooms = _pools(seed, size + 2 * (size // 8))
    (out / VIDEOS_FOLDER).mkdir()
    lines, videos = [], {}
    for i in range(params["num_videos"]):
        vid, frames, shots, rows = _render_video(seed, i, params["seconds"], size, looks, rooms)
        _encode_avi(out / VIDEOS_FOLDER / f"{vid}.avi", frames)
        lines += [f"{vid} {f} {letter}\n" for f, letter in rows]
        videos[vid] = {
            "frames": int(len(frames)),
            "shots": [
                {
                    "start": s["start"],
                    "activities": [[a, int(n)] for a, n in s["activities"]],
                    "performer": s["look"],
                    "room": s["room"],
                }
                for s in shots
            ],
        }
    (out / ANNOTATIONS_FILE).write_text("".join(lines), encoding="utf-8")
    return {"videos": videos}


def example_sheet(*, size: int = 64, seed: int = 0, frames_shown: int = 6, seconds: float = 2.0) -> np.ndarray:
    """One row an activity (:data:`ACTIVITIES` order: sign, speak, then the five of "other"),
    ``frames_shown`` frames 0.2 s apart (the 5 Hz sampling), the same performer and room in
    every row but the title's: ``(rows*(size+2), cols*(size+2), 3)`` uint8, for the book's data page."""
    looks, rooms = _pools(seed, size + 2 * (size // 8))
    n = max(int(seconds * FPS), frames_shown * STEP)
    rows = []
    for i, name in enumerate(ACTIVITIES):
        frames = render_shot([(name, n)], look=looks[0], room=rooms[0], size=size, seed=[seed, 999, i])
        pick = np.arange(frames_shown) * STEP
        rows.append(np.concatenate([np.pad(frames[k], ((1, 1), (1, 1), (0, 0))) for k in pick], axis=1))
    return np.concatenate(rows, axis=0)
