"""Synthetic gestures in IsoGD's released layout, RGB and depth, read back by the IsoGD reader.

Zhang et al. (2018) report accuracy on each of IsoGD's modalities separately (Table 2: RGB, depth,
optical flow). IsoGD itself cannot be downloaded here, so this module writes the gestures of
:mod:`motion_rnn.data.jester.synthetic` (the same twelve classes, drawn by
:func:`~motion_rnn.data.jester.synthetic.render_gesture`) in the form IsoGD is released in::

    root/train/001/M_00001.avi      RGB video
    root/train/001/K_00001.avi      depth video of the same scene (grey, stored as 3 channels)
    ...                             200 videos a folder (001: 1-200, 002: 201-400, ...)
    root/valid/001/M_00001.avi
    root/train_rgb_list.txt         the authors' lists: "train/001/M_00001.avi 32 7"
    root/train_depth_list.txt       "train/001/K_00001.avi 32 7"
    root/valid_rgb_list.txt, root/valid_depth_list.txt
    root/classes.txt                the class names, one a line, in label order

Video numbers start at 1 in each subset (IsoGD's ``valid/001/M_00001.avi`` is not the training
set's). The lists are the authors' ``path frame_count label`` format (labels 0-based), which
:class:`~motion_rnn.data.isogd.IsoGDDataset` reads; the official lists (RGB, depth, label 1..249
on one line) are not written. :func:`motion_rnn.data.isogd.flow.write_flow_frames` turns a list
into optical-flow frame folders, the third modality.

Depth (:func:`render_depth`) is rendered from the RGB video's scene (``info`` of
``render_gesture``): a far wall with a smooth tilt and each hand's silhouette (the same ellipses
the RGB hand is drawn with, same mirror flag), flat, at a distance inversely proportional to its
drawn radius (a larger hand is nearer, as the RGB video's brightness rule has it), composited with
a z-buffer, then Kinect-like: Gaussian depth noise growing with the square of the distance,
quantisation in disparity (steps growing with the square of the distance), missing depth (value
0) at some pixels along the silhouette edges and in the projector's shadow right of each hand.
Grey encodes *nearer as brighter*: ``grey = 1 + 254 (far - z) / (far - near)`` over a fixed range
of distances (:attr:`DepthStyle.depth_range`, the same for every video), 0 meaning no depth.
That encoding is our choice: neither the paper nor the notes in ``shared/`` state how IsoGD's
``K_*.avi`` map distance to grey (ChaLearn 2014's Montalbano videos store ``grey = depth /
maxDepth x 255``, farther brighter, see :mod:`motion_rnn.data.montalbano.synthetic`; IsoGD is
another data set and may differ).

What it tests
    Everything :mod:`motion_rnn.data.jester.synthetic` tests (direction and order of motion,
    speed, position and appearance invariance), now per modality: the IsoGD reader on videos in
    IsoGD's layout and codec family (``.avi``), networks trained on RGB, on depth or on flow of
    the same gestures, and the comparison of Table 2's columns on data whose scenes agree across
    modalities. In depth the hand stands out from the wall whatever its colour and the
    background's, and push/pull change its grey level; in RGB they change its size and
    brightness.

What it cannot test
    Real Kinect v1 depth (its structured-light artefacts beyond the shadow and edge holes, the
    person's body and arms, the room), real people and signers, IsoGD's 249 classes (sign
    language, diving signals, ...), its 21 performers and user-independent split, its length
    distribution (gestures of 9 to 405 frames; ours all have ``num_frames``), and the
    registration offset between IsoGD's RGB and depth cameras (ours coincide exactly). The
    person, clutter and crossing objects of the RGB styles are painted on the background and do
    not appear in depth; where two hands overlap the RGB video draws the active hand on top while
    depth shows the nearer one.

Usage::

    root = write_synthetic_isogd("_build/data/synthetic_isogd", videos_per_class={"train": 16,
                                 "valid": 4}, num_frames=16, size=36, seed=0)
    ds = IsoGDDataset(root, root / "train_depth_list.txt", num_frames=16, size=32, train=True,
                      mean=ISOGD_DEPTH_MEAN)

Generation is deterministic given the seed: each video has its own random streams (derived from
seed, subset, class and index; the RGB stream equals
:func:`motion_rnn.data.jester.synthetic._video_rng`'s for ``train``, and depth noise has a stream
of its own, so the RGB frames equal ``render_gesture``'s for that stream). It goes through
:func:`motion_rnn.data.cache.write_once`: atomic, a manifest of the parameters written last, a
second call with the same parameters returns at once, and a folder it did not write is refused.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, read_manifest, write_once
from motion_rnn.data.jester.synthetic import (
    PLAIN_STYLE,
    SYNTHETIC_CLASSES,
    GestureStyle,
    checked_request,
    draw_hand,
    hand_ellipses,
    render_gesture,
)

__all__ = [
    "CLASSES_FILE",
    "DEFAULT_DEPTH_STYLE",
    "SPLITS",
    "VIDEO_CODEC",
    "VIDEOS_PER_FOLDER",
    "DepthStyle",
    "list_path",
    "refuse_other_generator",
    "render_depth",
    "video_rngs",
    "write_synthetic_isogd",
    "write_video",
]

SPLITS: tuple[str, ...] = ("train", "valid", "test")
_SPLIT_KEYS = {"train": 0, "valid": 1, "test": 2}  # 0, 1, 2 as Jester's train, validation, test
CLASSES_FILE = "classes.txt"
VIDEOS_PER_FOLDER = 200  # IsoGD: train/001 holds M_00001..M_00200, train/002 M_00201.., ...
VIDEO_CODEC = {"codec": "mjpeg", "pix_fmt": "yuvj444p", "qscale": 1}
"""How the ``.avi`` files are encoded (PyAV/FFmpeg): Motion JPEG, every frame a JPEG (so the frame
count is exact and frames decode independently), full-range YUV without chroma subsampling
(colour edges of 32-pixel frames survive), at the finest quantiser (1)."""
_FORMAT_VERSION = 1


def list_path(root: str | os.PathLike, split: str, modality: str = "rgb") -> Path:
    """``root/<split>_<modality>_list.txt``, the authors' list name (modality ``rgb`` or ``depth``)."""
    return Path(root) / f"{split}_{modality}_list.txt"


# ---------------------------------------------------------------------------------------------
# Depth
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DepthStyle:
    """The depth camera and the room; distances in metres."""

    focal: float = 1.1  # focal length / frame height (Kinect v1 colour camera, 62 degrees wide at 4:3)
    hand_size: float = 0.17  # the hand's drawn "radius" in metres (wrist to fingertip / 1.1)
    wall_distance: tuple[float, float] = (3.0, 3.8)
    wall_tilt: float = 0.4  # at most this much nearer/farther at one side of the frame than the other
    depth_range: tuple[float, float] = (0.5, 4.5)  # (near, far) mapped to grey 255..1; 0 = no depth
    noise: float = 0.003  # std of the Gaussian depth noise at 1 m, growing with distance squared
    disparity_step: float = 0.00285  # depth quantisation at 1 m (Kinect v1), growing with distance squared
    edge_holes: float = 0.25  # share of the pixels along silhouette edges without depth
    baseline: float = 0.075  # projector-camera distance: sets the shadow's width (0: no shadow)


DEFAULT_DEPTH_STYLE = DepthStyle()


def _encode(z: np.ndarray, near: float, far: float) -> np.ndarray:
    """Distances (metres) -> grey 1..255, nearer brighter (0 stays for missing depth)."""
    grey = 1.0 + 254.0 * (far - z) / (far - near)
    return np.clip(np.rint(grey), 1, 255).astype(np.uint8)


def render_depth(
    info: Mapping,
    *,
    size: int,
    width: int | None = None,
    rng: np.random.Generator,
    style: DepthStyle = DEFAULT_DEPTH_STYLE,
) -> np.ndarray:
    """The depth video ``(T, H, W)`` uint8 of the scene ``info`` describes (from ``render_gesture``).

    ``size`` and ``width`` must be those the RGB video was drawn with (the hands' pixel
    coordinates in ``info`` refer to that frame). Each hand is the silhouette of the ellipses
    the RGB hand is drawn with (:func:`~motion_rnn.data.jester.synthetic.hand_ellipses`, same
    ``info["mirrors"]`` flag; a pixel belongs to it where the anti-aliased coverage is at least
    half), flat at the distance ``focal * hand_size / (radius / size)``, so a hand twice as large
    is half as far. A z-buffer keeps the nearest surface (hands drawn in the RGB video's order,
    ties go to the active hand). The wall is a plane 3-4 m away, tilted. Then: Gaussian noise of
    std ``noise * z^2``, quantisation to disparity steps (``disparity_step * z^2``), no depth (0)
    at a random ``edge_holes`` share of the pixels on either side of each depth edge between hand
    and background and in each hand's shadow (a band right of it, as wide as the projector's
    parallax between hand and wall). Grey: ``1 + 254 (far - z) / (far - near)``, nearer brighter.

    Randomness (wall, noise, holes) comes from ``rng`` only; the hands come from ``info``.
    """
    if "hands" not in info or "mirrors" not in info:
        raise ValueError("info must be render_gesture's (with 'hands' and 'mirrors')")
    pix = np.asarray(info["hands"], dtype=np.float64)  # (T, K, 4): x, y, angle, radius in pixels
    mirrors = [bool(m) for m in info["mirrors"]]
    if pix.ndim != 3 or pix.shape[2] != 4 or len(mirrors) != pix.shape[1]:
        raise ValueError(f"info['hands'] must be (T, K, 4) with K mirror flags; got {pix.shape}, {mirrors}")
    t, n_hands = pix.shape[0], pix.shape[1]
    h = int(size)
    w = h if width is None else int(width)
    near, far = style.depth_range
    if not 0 < near < far:
        raise ValueError(f"depth_range must be 0 < near < far, got {style.depth_range}")

    # The wall: a tilted plane.
    z0 = rng.uniform(*style.wall_distance)
    psi = rng.uniform(0.0, 2.0 * math.pi)
    tilt = rng.uniform(0.0, style.wall_tilt)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    wall = z0 + tilt * ((xx / w - 0.5) * math.cos(psi) + (yy / h - 0.5) * math.sin(psi))

    # Hands: distance inversely proportional to the drawn radius.
    radius = np.maximum(pix[..., 3] / h, 1e-6)  # (T, K), fraction of the frame height
    hand_z = style.focal * style.hand_size / radius  # (T, K) metres
    ellipses = [hand_ellipses(pix[:, j], mirrors[j]) for j in range(n_hands)]
    z = np.repeat(wall[None], t, axis=0)  # (T, H, W)
    holes = np.zeros((t, h, w), bool)
    focal_px = style.focal * h
    for k in range(t):
        zk = z[k]
        owner = np.full((h, w), -1, np.int8)
        for j in reversed(range(n_hands)):  # the RGB video's order: the active hand last
            cover = np.zeros((h, w), np.uint8)
            draw_hand(cover, ellipses[j][k], (255,), (255,))
            sil = cover >= 128
            front = sil & (hand_z[k, j] <= zk)
            zk[front] = hand_z[k, j]
            owner[front] = j
        for j in range(n_hands):
            # Projector shadow: the wall right of the hand, hidden from the projector.
            shift = style.baseline * focal_px * (1.0 / hand_z[k, j] - 1.0 / z0)
            s = int(round(shift))
            if s >= 1 and s < w:
                mine = owner == j
                shadow = np.zeros_like(mine)
                shadow[:, s:] = mine[:, :-s]
                holes[k] |= shadow & (zk > hand_z[k, j] + 0.05)
        # Depth edges: pixels whose 4-neighbour belongs to another surface.
        edge = np.zeros((h, w), bool)
        diff_x = owner[:, 1:] != owner[:, :-1]
        diff_y = owner[1:, :] != owner[:-1, :]
        edge[:, 1:] |= diff_x
        edge[:, :-1] |= diff_x
        edge[1:, :] |= diff_y
        edge[:-1, :] |= diff_y
        holes[k] |= edge & (rng.random((h, w)) < style.edge_holes)

    # Sensor: noise growing with distance squared, quantised disparity, holes.
    z = z + rng.standard_normal(z.shape) * (style.noise * z**2)
    z = np.maximum(z, 0.05)
    k_disp = 1.0 / style.disparity_step  # disparity units: 1 step = disparity_step * z^2 metres
    z = k_disp / np.maximum(np.rint(k_disp / z), 1.0)
    grey = _encode(z, near, far)
    grey[holes] = 0
    return grey


# ---------------------------------------------------------------------------------------------
# Video files
# ---------------------------------------------------------------------------------------------
def write_video(path: str | os.PathLike, frames: np.ndarray, *, fps: int = 10) -> Path:
    """Write ``(T, H, W, 3)`` uint8 RGB (or ``(T, H, W)`` grey, stored as 3 equal channels) as
    :data:`VIDEO_CODEC` Motion JPEG; :func:`~motion_rnn.data.isogd.read_video_frames` reads it back."""
    path = Path(path)
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.ndim not in (3, 4) or (frames.ndim == 4 and frames.shape[3] != 3):
        raise ValueError(f"frames must be uint8 (T, H, W, 3) or (T, H, W), got {frames.dtype} {frames.shape}")
    if frames.ndim == 3:
        frames = np.repeat(frames[..., None], 3, axis=3)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(VIDEO_CODEC["codec"], rate=int(fps))
        stream.width, stream.height = int(frames.shape[2]), int(frames.shape[1])
        stream.pix_fmt = VIDEO_CODEC["pix_fmt"]
        stream.codec_context.qmin = stream.codec_context.qmax = int(VIDEO_CODEC["qscale"])
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ---------------------------------------------------------------------------------------------
# Writing the IsoGD layout
# ---------------------------------------------------------------------------------------------
def video_rngs(seed: int, split: str, label: int, index: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The two random streams of one video: (RGB scene, depth sensor).

    ``label`` is the class's index in :data:`SYNTHETIC_CLASSES` (not in a subset), ``index`` the
    video's number within its class and subset (0-based). The RGB stream is
    ``SeedSequence([seed, split, label, index])``, as Jester's generator derives it.
    """
    key = [int(seed), _SPLIT_KEYS[split], int(label), int(index)]
    return (
        np.random.default_rng(np.random.SeedSequence(key)),
        np.random.default_rng(np.random.SeedSequence(key + [1])),
    )


def _relative(split: str, prefix: str, number: int) -> str:
    return f"{split}/{(number - 1) // VIDEOS_PER_FOLDER + 1:03d}/{prefix}_{number:05d}.avi"


def refuse_other_generator(root: Path, generator: str, writer: str) -> None:
    """Raise :class:`FileExistsError` when ``root`` holds the output of another generator.

    :func:`~motion_rnn.data.cache.write_once` regenerates any folder whose manifest has other
    parameters, which would replace, say, a Jester set or a flow folder given by mistake; our
    writers regenerate only their own earlier output.
    """
    manifest = read_manifest(root)
    if manifest is None:
        return
    other = (manifest.get("parameters") or {}).get("generator") if isinstance(manifest, dict) else None
    if other != generator:
        raise FileExistsError(
            f"{root} holds the output of {other or 'another writer'} ({MANIFEST_FILE}), not of {writer}; "
            "choose a new or empty folder"
        )


def _has_files(root: Path, manifest: dict) -> bool:
    splits = manifest["parameters"]["splits"]
    lists = [list_path(root, s, m) for s in splits for m in ("rgb", "depth")]
    return (
        (root / CLASSES_FILE).is_file() and all(p.is_file() for p in lists) and all((root / s).is_dir() for s in splits)
    )


def write_synthetic_isogd(
    root: str | os.PathLike,
    *,
    videos_per_class: int | Mapping[str, int],
    num_frames: int = 32,
    size: int = 64,
    width: int | None = None,
    seed: int = 0,
    splits: Sequence[str] = ("train", "valid"),
    classes: Sequence[str] | None = None,
    style: GestureStyle = PLAIN_STYLE,
    depth_style: DepthStyle = DEFAULT_DEPTH_STYLE,
    fps: int = 10,
) -> Path:
    """Write synthetic RGB and depth gesture videos to ``root`` in IsoGD's layout; return ``root``.

    ``videos_per_class`` is per subset (an int for all, or ``{"train": 60, "valid": 24}``);
    ``splits`` are distinct names from :data:`SPLITS`. ``classes`` selects a subset of
    :data:`SYNTHETIC_CLASSES` (kept in that order); labels are 0-based in that order and
    ``classes.txt`` lists the names in label order. Frames are ``size`` high and ``width``
    (default ``size``) wide; videos are :data:`VIDEO_CODEC` ``.avi`` at ``fps``. Within a subset
    the classes are interleaved (a random order, as Jester's generator does) and numbered from 1.

    Written through :func:`~motion_rnn.data.cache.write_once`: the manifest of the parameters
    last; a second call with the same parameters returns at once, one with other parameters
    regenerates the folder (as every generator of the book does), and a non-empty folder
    without a manifest, or one written by another generator, is refused
    (:class:`FileExistsError`).
    """
    root = Path(root)
    splits, names, per = checked_request(splits, classes, videos_per_class, split_names=SPLITS)
    h = int(size)
    w = h if width is None else int(width)
    if int(num_frames) < 2 or h < 8 or w < h:
        raise ValueError(f"need num_frames >= 2, size >= 8 and width >= size; got {num_frames}, {h}, {w}")
    params = {
        "generator": "motion_rnn.data.isogd.synthetic",
        "format_version": _FORMAT_VERSION,
        "classes": list(names),
        "videos_per_class": per,
        "num_frames": int(num_frames),
        "size": h,
        "width": w,
        "seed": int(seed),
        "splits": list(splits),
        "fps": int(fps),
        "video_codec": dict(VIDEO_CODEC),
        "style": json.loads(json.dumps(asdict(style))),  # tuples as lists, as read back
        "depth_style": json.loads(json.dumps(asdict(depth_style))),
    }
    refuse_other_generator(root, params["generator"], "write_synthetic_isogd")
    return write_once(
        root,
        params,
        generate=lambda tmp: _generate(tmp, params, style, depth_style),
        is_complete=_has_files,
        writer="write_synthetic_isogd",
        indent=2,
    )


def _generate(out: Path, params: dict, style: GestureStyle, depth_style: DepthStyle) -> dict:
    """Write the videos and lists into ``out``; return the manifest's other entries."""
    names = params["classes"]
    seed, t, h, w, fps = params["seed"], params["num_frames"], params["size"], params["width"], params["fps"]
    (out / CLASSES_FILE).write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    order_rng = np.random.default_rng(np.random.SeedSequence([int(seed), 99]))
    counts = {}
    for split in params["splits"]:
        jobs = [(c, j) for c in names for j in range(params["videos_per_class"][split])]
        jobs = [jobs[i] for i in order_rng.permutation(len(jobs))]  # interleave the classes
        rgb_rows, depth_rows = [], []
        for number, (name, j) in enumerate(jobs, 1):
            rgb_rng, depth_rng = video_rngs(seed, split, SYNTHETIC_CLASSES.index(name), j)
            frames, info = render_gesture(name, num_frames=t, size=h, width=w, rng=rgb_rng, style=style)
            depth = render_depth(info, size=h, width=w, rng=depth_rng, style=depth_style)
            label = names.index(name)
            for prefix, video, rows in (("M", frames, rgb_rows), ("K", depth, depth_rows)):
                rel = _relative(split, prefix, number)
                write_video(out / rel, video, fps=fps)
                rows.append(f"{rel} {t} {label}\n")
        list_path(out, split, "rgb").write_text("".join(rgb_rows), encoding="utf-8")
        list_path(out, split, "depth").write_text("".join(depth_rows), encoding="utf-8")
        counts[split] = len(jobs)
    return {"videos": counts}
