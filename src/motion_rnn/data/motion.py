"""Dense optical flow for two-stream networks: the motion input of Lakhal et al. 2018's flow stream
(Sec. 3.2: "the optical flow, V^f, through a pre-trained flow model").

:func:`farneback_flow` computes the flow between consecutive frames with OpenCV's Farneback method
(Farneback 2003, "Two-frame motion estimation based on polynomial expansion"); the papers' TSN and I3D
flow uses TV-L1, which OpenCV keeps only in its contrib build, so Farneback is our substitute.
:func:`flow_to_image` stores a flow field as an 8-bit image, as TSN and I3D store theirs: each component
clipped to [-bound, bound] pixels and mapped linearly to 0..255 (TSN's ``bound`` is 20). A third channel,
the magnitude clipped to [0, bound] and mapped to 0..255, makes it a 3-channel image that a 3D CNN built
for RGB clips (C3D) reads like frames.

Layouts are the book's (:mod:`motion_rnn.data.clips`): frames ``(T, C, H, W)`` (or ``(T, H, W)``
grey), flow ``(T - 1, 2, H, W)`` with channel 0 the horizontal (x, to the right) and channel 1 the
vertical (y, downwards) displacement in pixels, from frame t to frame t + 1: frame t at (y, x) is
found near (y + v, x + u) in frame t + 1.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

__all__ = ["FARNEBACK_PARAMS", "FLOW_BOUND", "farneback_flow", "flow_to_image"]

FARNEBACK_PARAMS: dict[str, float | int] = dict(
    pyr_scale=0.5,  # each pyramid level half the size of the one below
    levels=3,  # pyramid levels above the image: displacements up to ~2^3 x the window's reach
    winsize=15,  # averaging window: larger is more robust to noise, blurrier motion edges
    iterations=3,  # iterations at each pyramid level
    poly_n=5,  # neighbourhood of the per-pixel polynomial expansion
    poly_sigma=1.2,  # Gaussian that weights it; OpenCV recommends 1.1 for poly_n 5, 1.5 for 7
    flags=0,  # no initial flow, box (not Gaussian) window
)
"""OpenCV's ``calcOpticalFlowFarneback`` parameters: the values of OpenCV's own optical-flow tutorial,
which are the ones in common use."""
FLOW_BOUND = 20.0
"""TSN's clipping bound for flow images, in pixels."""


def _grey(frames: np.ndarray) -> np.ndarray:
    """``(T, H, W)`` or ``(T, C, H, W)``, C in {1, 3} RGB, uint8 -> ``(T, H, W)`` uint8 grey."""
    if frames.dtype != np.uint8:
        raise ValueError(f"expected uint8 frames (0..255, as decoded), got {frames.dtype}")
    if frames.ndim == 3:
        return frames
    if frames.ndim == 4 and frames.shape[1] == 1:
        return frames[:, 0]
    if frames.ndim == 4 and frames.shape[1] == 3:
        return np.stack([cv2.cvtColor(np.ascontiguousarray(f.transpose(1, 2, 0)), cv2.COLOR_RGB2GRAY) for f in frames])
    raise ValueError(f"expected frames (T, H, W) or (T, C, H, W) with C in {{1, 3}}, got {frames.shape}")


def farneback_flow(frames: np.ndarray | torch.Tensor) -> np.ndarray:
    """Flow between each pair of consecutive frames: ``(T, C, H, W)`` or ``(T, H, W)`` uint8 -> ``(T - 1, 2, H, W)``
    float32 in pixels (channel 0 x, channel 1 y), on grey frames (RGB -> grey by OpenCV's BT.601 weights)
    with :data:`FARNEBACK_PARAMS`."""
    array = frames.numpy() if isinstance(frames, torch.Tensor) else np.asarray(frames)
    grey = _grey(array)
    if len(grey) < 2:
        raise ValueError(f"flow needs at least 2 frames, got {len(grey)}")
    # one (H, W, 2) field a pair of consecutive frames
    flows = [cv2.calcOpticalFlowFarneback(a, b, None, **FARNEBACK_PARAMS) for a, b in zip(grey[:-1], grey[1:])]
    return np.stack(flows).transpose(0, 3, 1, 2).astype(np.float32, copy=False)


def flow_to_image(flow: np.ndarray | torch.Tensor, bound: float = FLOW_BOUND) -> np.ndarray:
    """Flow ``(..., 2, H, W)`` in pixels -> uint8 image ``(..., 3, H, W)``: x, y and magnitude channels.

    x and y: clipped to [-bound, bound], mapped linearly to 0..255 (zero motion -> 127.5, rounded to 128);
    magnitude sqrt(x^2 + y^2) of the unclipped flow: clipped to [0, bound], mapped to 0..255.
    """
    if bound <= 0:
        raise ValueError(f"bound must be positive, got {bound}")
    f = flow.numpy() if isinstance(flow, torch.Tensor) else np.asarray(flow)
    if f.ndim < 3 or f.shape[-3] != 2:
        raise ValueError(f"expected flow (..., 2, H, W), got {f.shape}")
    f = f.astype(np.float32, copy=False)
    xy = (np.clip(f, -bound, bound) + bound) * (255.0 / (2 * bound))
    magnitude = np.clip(np.sqrt((f**2).sum(axis=-3, keepdims=True)), 0, bound) * (255.0 / bound)
    return np.round(np.concatenate([xy, magnitude], axis=-3)).astype(np.uint8)
