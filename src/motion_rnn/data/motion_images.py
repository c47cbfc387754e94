"""The motion streams of Borg and Camilleri 2019 (Sec. 4.2, Table 2), as images a 2D CNN reads.

All on uint8 frames at the video's native frame rate (Sec. 4.2: "with the frames sampled at the
original video frame rate"), one network input a window position:

* :func:`flow_hsv_stack`: ten consecutive Farneback fields (:func:`motion_rnn.data.motion.farneback_flow`),
  each an HSV-coded RGB image (angle -> hue, magnitude -> value), stacked to 30 channels
  ``(T - 10, 30, H, W)``;
* :func:`motion_history_image`: the motion history image (Davis & Bradski [28]) of a 5-frame window,
  frame differences thresholded at 32, ``(T - 4, 1, H, W)``;
* :func:`multi_frame_difference`: the sum of the absolute differences over a 5-frame window, single
  channel, ``(T - 4, 1, H, W)``;
* :func:`time_encodings`: what each costs a network input, for Table 2's last column.

Layouts are the book's (:mod:`motion_rnn.data.clips`): frames ``(T, C, H, W)`` RGB or ``(T, H, W)`` grey.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from motion_rnn.data.motion import _grey, farneback_flow

__all__ = [
    "MHI_THRESHOLD",
    "MOTION_WINDOW",
    "STACKED_FIELDS",
    "TABLE2_FORWARD_MS",
    "camera_pan",
    "flow_hsv_stack",
    "flow_to_hsv_image",
    "motion_history_image",
    "multi_frame_difference",
    "time_encodings",
]

STACKED_FIELDS = 10
"""Borg & Camilleri 2019, Sec. 4.2: "Ten consecutive optical flow fields are stacked together"."""
MOTION_WINDOW = 5
"""Borg & Camilleri 2019, Sec. 4.2: "a 5-frame temporal window for MHI and multi-frame differencing"."""
MHI_THRESHOLD = 32
"""The frame-difference threshold of the authors' MHI (``extract_motion_history.py``: a difference above
32 grey levels is motion); the paper does not state it."""
TABLE2_FORWARD_MS: dict[str, float] = {"optical_flow": 57.8, "mhi": 17.1, "frame_difference": 9.7}
"""Borg & Camilleri 2019, Table 2, "Forward time (ms)" of each motion stream; the paper does not say on
what hardware, nor whether the time includes the CNN's forward pass."""


def _as_array(frames: np.ndarray | torch.Tensor) -> np.ndarray:
    return frames.numpy() if isinstance(frames, torch.Tensor) else np.asarray(frames)


def flow_to_hsv_image(flow: np.ndarray | torch.Tensor, bound: float | None = None) -> np.ndarray:
    """Flow ``(..., 2, H, W)`` in pixels -> uint8 RGB image ``(..., 3, H, W)``, coded in HSV as OpenCV's
    optical-flow tutorial and the authors' ``extract_flow_data.py`` do.

    Hue: the flow's angle, ``atan2(y, x)`` in image axes (x right, y down), in OpenCV's 8-bit hue scale
    0..180 (degrees / 2): rightwards red (hue 0), downwards hue 45, leftwards cyan (hue 90), upwards hue
    135. Saturation: full. Value: the magnitude; with ``bound=None`` scaled to 0..255 between the field's
    own minimum and maximum (``cv2.normalize(..., NORM_MINMAX)``, the authors' and the tutorial's choice;
    it keeps the direction of slow motion visible, but loses the absolute speed, and a still field's
    noise comes out at full brightness); with a ``bound`` in pixels, ``min(|flow| / bound, 1) * 255``, the
    same scale for every field. The HSV image is converted to RGB (the authors stored OpenCV's BGR).
    """
    f = _as_array(flow).astype(np.float32, copy=False)
    if f.ndim < 3 or f.shape[-3] != 2:
        raise ValueError(f"expected flow (..., 2, H, W), got {f.shape}")
    if bound is not None and bound <= 0:
        raise ValueError(f"bound must be positive or None, got {bound}")
    lead, (h, w) = f.shape[:-3], f.shape[-2:]
    fields = f.reshape(-1, 2, h, w)
    out = np.empty((len(fields), 3, h, w), np.uint8)
    hsv = np.empty((h, w, 3), np.uint8)
    hsv[..., 1] = 255
    for i, (u, v) in enumerate(fields):
        magnitude, angle = cv2.cartToPolar(u, v)  # angle in radians, 0..2 pi
        hsv[..., 0] = angle * (90.0 / np.pi)  # degrees / 2: OpenCV's 8-bit hue
        if bound is None:
            hsv[..., 2] = cv2.normalize(magnitude, None, 0, 255, cv2.NORM_MINMAX)
        else:
            hsv[..., 2] = np.round(np.minimum(magnitude / bound, 1.0) * 255)
        out[i] = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).transpose(2, 0, 1)
    return out.reshape(*lead, 3, h, w)


def flow_hsv_stack(
    frames: np.ndarray | torch.Tensor, fields: int = STACKED_FIELDS, *, bound: float | None = None
) -> np.ndarray:
    """Borg & Camilleri's optical-flow input (Sec. 4.2): ``fields`` consecutive Farneback fields, each an
    HSV-coded RGB image (:func:`flow_to_hsv_image`), stacked along the channels.

    ``(T, C, H, W)`` or ``(T, H, W)`` uint8 frames, T >= fields + 1 -> ``(T - fields, 3 fields, H, W)``
    uint8: stack n holds the fields of frames n -> n + 1, ..., n + fields - 1 -> n + fields, channels
    (R, G, B) of the first field, then of the second, and so on (10 fields: 30 channels, Sec. 4.2). Flow as
    :func:`farneback_flow` (grey frames, :data:`FARNEBACK_PARAMS`, the values of the authors' code); the
    fields are computed once and shared by the overlapping stacks. The authors' script recomputes every
    field at each sampled frame, and at its first field pairs the window's last frame with its first (an
    index wrap-around, ``img_buffer[k - 1]`` at k = 0); we take the ``fields`` consecutive pairs the paper
    describes.
    """
    if fields < 1:
        raise ValueError(f"fields must be at least 1, got {fields}")
    array = _as_array(frames)
    if len(array) < fields + 1:
        raise ValueError(f"{fields} flow fields need at least {fields + 1} frames, got {len(array)}")
    images = flow_to_hsv_image(farneback_flow(array), bound=bound)  # (T - 1, 3, H, W)
    h, w = images.shape[-2:]
    return np.stack([images[n : n + fields].reshape(3 * fields, h, w) for n in range(len(images) - fields + 1)])


def _window_differences(frames: np.ndarray | torch.Tensor, window: int) -> tuple[np.ndarray, int]:
    """Grey frames -> the absolute differences of consecutive frames ``(T - 1, H, W)`` uint8 and the
    number of windows."""
    if window < 2:
        raise ValueError(f"window must be at least 2 frames, got {window}")
    grey = _grey(_as_array(frames))
    if len(grey) < window:
        raise ValueError(f"a {window}-frame window needs at least {window} frames, got {len(grey)}")
    differences = np.stack([cv2.absdiff(a, b) for a, b in zip(grey[:-1], grey[1:])])
    return differences, len(grey) - window + 1


def motion_history_image(
    frames: np.ndarray | torch.Tensor, window: int = MOTION_WINDOW, threshold: int = MHI_THRESHOLD
) -> np.ndarray:
    """Motion history image of each ``window``-frame window (Sec. 4.2; Davis & Bradski [28]).

    ``(T, C, H, W)`` or ``(T, H, W)`` uint8 frames -> ``(T - window + 1, 1, H, W)`` uint8; image n covers
    frames n .. n + window - 1 (the authors centre the window on the sampled frame, n + window // 2). In
    each window, from zero: the k-th difference of consecutive grey frames (k = 1 .. window - 1) is motion
    where it exceeds ``threshold`` (``cv2.threshold``, THRESH_BINARY: strictly greater), and the history is
    updated by Bobick & Davis' rule mhi = where(motion, tau, max(mhi - 1, 0)) with tau = window - 1, the
    number of differences. That equals OpenCV's ``motempl.updateMotionHistory`` with timestamps 1 .. window
    - 1 as the authors' script calls it (opencv-contrib, absent from the headless build: so numpy here). The
    result is scaled by 255 / tau: motion in the last difference 255, in the first 64, none 0. The authors
    divide by ``window`` instead (most recent motion 204): the same image times 0.8.
    """
    if not 0 <= threshold <= 255:
        raise ValueError(f"threshold must be a grey level 0..255, got {threshold}")
    differences, count = _window_differences(frames, window)
    motion = np.stack([cv2.threshold(d, threshold, 1, cv2.THRESH_BINARY)[1] for d in differences]).astype(bool)
    tau = window - 1
    out = np.empty((count, 1, *differences.shape[1:]), np.uint8)
    for n in range(count):
        mhi = np.zeros(differences.shape[1:], np.int16)
        for k in range(tau):
            mhi = np.where(motion[n + k], tau, np.maximum(mhi - 1, 0))
        out[n, 0] = np.round(mhi * (255.0 / tau)).astype(np.uint8)
    return out


def multi_frame_difference(frames: np.ndarray | torch.Tensor, window: int = MOTION_WINDOW) -> np.ndarray:
    """Multi-frame difference of each ``window``-frame window (Sec. 4.2): the sum of the absolute
    differences of its consecutive grey frames, saturating at 255 (``cv2.add``, as the authors' script).

    ``(T, C, H, W)`` or ``(T, H, W)`` uint8 -> ``(T - window + 1, 1, H, W)`` uint8, image n covering frames
    n .. n + window - 1. Single channel, as the paper describes it ("the difference images being single
    channel"); the authors' script differences colour frames unless asked for grey.
    """
    differences, count = _window_differences(frames, window)
    out = np.empty((count, 1, *differences.shape[1:]), np.uint8)
    for n in range(count):
        total = differences[n]
        for d in differences[n + 1 : n + window - 1]:
            total = cv2.add(total, d)
        out[n, 0] = total
    return out


def camera_pan(image: np.ndarray, frames: int = 31, *, size: int = 224, step: int = 3) -> np.ndarray:
    """A still image seen by a panning camera: ``(H, W, 3)`` uint8 RGB -> ``(frames, 3, size, size)`` uint8.

    The image is scaled (INTER_AREA) so that its shorter side is ``size + step * (frames - 1)`` pixels, and a
    ``size`` x ``size`` window moves ``step`` pixels a frame diagonally across it. A stand-in for video
    frames where none is at hand (a global, uniform motion; no noise, no moving hands)."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
    side = size + step * (frames - 1)
    h, w = image.shape[:2]
    scale = side / min(h, w)
    big = cv2.resize(image, (max(side, round(w * scale)), max(side, round(h * scale))), interpolation=cv2.INTER_AREA)
    crops = [big[t * step : t * step + size, t * step : t * step + size] for t in range(frames)]
    return np.ascontiguousarray(np.stack(crops).transpose(0, 3, 1, 2))


def time_encodings(
    frames: np.ndarray | torch.Tensor,
    *,
    fields: int = STACKED_FIELDS,
    window: int = MOTION_WINDOW,
    inputs: int = 4,
    repeats: int = 3,
) -> dict[str, float]:
    """Milliseconds to compute one network input of each motion stream, measured side by side.

    One input as the authors' extraction scripts make it at each sampled (5 Hz) frame, from scratch:
    ``fields`` Farneback fields from ``fields + 1`` frames, HSV-coded and stacked (``optical_flow``); one MHI
    of a ``window``-frame window (``mhi``); one multi-frame difference (``frame_difference``). Each is timed
    on ``inputs`` windows taken from ``frames`` (uint8, ``(T, C, H, W)`` or ``(T, H, W)``, T >= fields +
    inputs), the fastest of ``repeats`` runs (:func:`motion_rnn.timing.best_time`), divided by ``inputs``.
    Grey conversion is included; decoding and resizing are not. Compare with :data:`TABLE2_FORWARD_MS`.
    """
    from motion_rnn.timing import best_time

    array = _as_array(frames)
    need = max(fields + 1, window) + inputs - 1
    if len(array) < need:
        raise ValueError(f"timing {inputs} inputs needs at least {need} frames, got {len(array)}")
    encoders = {
        "optical_flow": (lambda w: flow_hsv_stack(w, fields), fields + 1),
        "mhi": (lambda w: motion_history_image(w, window), window),
        "frame_difference": (lambda w: multi_frame_difference(w, window), window),
    }
    times = {}
    for name, (encode, length) in encoders.items():
        windows = [array[n : n + length] for n in range(inputs)]

        def run(encode=encode, windows=windows) -> None:
            for w in windows:
                encode(w)

        times[name] = best_time(run, repeats=repeats) * 1e3 / inputs
    return times
