"""Per-fragment augmentation of Pigou et al. (2016), Sec. 4.2, for every model of Tables 1 and 2.

The paper: "[-5, 5] pixel translations in vertical direction and [-10, 10] horizontal, [-2, 2]
rotation degrees, [-2, 2] shearing degrees, [1/1.1, 1.1] image scaling factors and [1/1.2, 1.2]
temporal scaling factors. From each of these intervals, we sample a random value for each video
fragment and apply the transformations online". The authors' loader (``lpigou/ijcv16``,
``load.py``) adds a random horizontal flip (probability 1/2) and shows how the temporal scale is
applied: a fragment of ``length`` frames is cut from ``round(length * s)`` consecutive frames of
the sequence, resampled to ``length`` indices.

One draw a fragment (:meth:`FragmentAugment.sample`), the same transformation for all its frames
(:meth:`FragmentAugment.spatial`). The spatial part is :func:`torchvision.transforms.v2.functional.
affine` (what ``v2.RandomAffine`` applies) with parameters drawn as ``RandomAffine`` draws them,
from the fragment's own ``torch.Generator`` so that a fragment is a function of the seed.

Departures from the authors' loader, which follows neither the paper nor itself exactly:
* one isotropic scale (the paper's "image scaling factors"); the code draws separate vertical and
  horizontal factors;
* shifts uniform in the paper's intervals; the code draws ``uniform(0, uniform(-10, 10))``,
  smaller on average, and adds the vertical range to the horizontal shift and vice versa;
* pixels leaving the frame are filled with ``fill`` (0); the code repeats the edge pixels.
Both use nearest-neighbour interpolation (the code's ``order=0``) by default.

The shifts are the paper's pixels of its 64 x 64 frames (Sec. 4.1); frames of another size (the
small profiles' 16 x 16) are shifted by the same fraction of the frame, so that a smaller frame is
not moved by a larger share of itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import InterpolationMode

__all__ = ["PAPER_FRAME_SIZE", "FragmentAugment", "FragmentParams", "fragment_indices"]

PAPER_FRAME_SIZE = 64
"""Sec. 4.1: frames rescaled to 64 x 64 pixels; the paper's pixel shifts are for this size."""


@dataclass(frozen=True)
class FragmentParams:
    """The transformation of one fragment."""

    temporal_scale: float  # sequence frames spanned / fragment frames
    scale: float  # image scaling factor
    angle: float  # rotation, degrees (counter-clockwise positive, as torchvision)
    shear: float  # horizontal shear, degrees
    shift: tuple[float, float]  # (x, y) translation in pixels of a 64 x 64 frame
    flip: bool  # mirror left-right first


@dataclass(frozen=True)
class FragmentAugment:
    """The paper's augmentation ranges (Sec. 4.2); pixel shifts are for 64x64 frames."""

    scale: tuple[float, float] = (1 / 1.1, 1.1)  # Sec. 4.2
    temporal_scale: tuple[float, float] = (1 / 1.2, 1.2)  # Sec. 4.2
    rotation: tuple[float, float] = (-2.0, 2.0)  # degrees, Sec. 4.2
    shear: tuple[float, float] = (-2.0, 2.0)  # degrees, Sec. 4.2
    shift_x: tuple[float, float] = (-10.0, 10.0)  # pixels, Sec. 4.2 ("horizontal")
    shift_y: tuple[float, float] = (-5.0, 5.0)  # pixels, Sec. 4.2 ("vertical")
    flip_prob: float = 0.5  # authors' load.py (not in the paper)
    interpolation: Literal["nearest", "bilinear"] = "nearest"  # authors' load.py: order=0
    fill: float = 0.0

    def __post_init__(self) -> None:
        for name in ("scale", "temporal_scale"):
            lo, hi = getattr(self, name)
            if not (0 < lo <= hi and math.isfinite(hi)):
                raise ValueError(f"{name} must satisfy 0 < low <= high, got {(lo, hi)}")
        for name in ("rotation", "shear", "shift_x", "shift_y"):
            lo, hi = getattr(self, name)
            if not lo <= hi:
                raise ValueError(f"{name} must satisfy low <= high, got {(lo, hi)}")
        if not 0.0 <= self.flip_prob <= 1.0:
            raise ValueError(f"flip_prob must lie in [0, 1], got {self.flip_prob}")
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"interpolation must be 'nearest' or 'bilinear', got {self.interpolation!r}")

    def sample(self, generator: torch.Generator | None = None) -> FragmentParams:
        """Draw one fragment's parameters, each uniform in its interval."""
        u = torch.rand(7, generator=generator, dtype=torch.float64).tolist()

        def pick(lo_hi: tuple[float, float], r: float) -> float:
            lo, hi = lo_hi
            return lo + (hi - lo) * r

        return FragmentParams(
            temporal_scale=pick(self.temporal_scale, u[0]),
            scale=pick(self.scale, u[1]),
            angle=pick(self.rotation, u[2]),
            shear=pick(self.shear, u[3]),
            shift=(pick(self.shift_x, u[4]), pick(self.shift_y, u[5])),
            flip=u[6] < self.flip_prob,
        )

    def spatial(self, clip: torch.Tensor, params: FragmentParams) -> torch.Tensor:
        """Apply the spatial part to all frames alike: ``(T, C, H, W)`` -> ``(T, C, H, W)``.

        The shift is scaled by ``W / 64`` horizontally and ``H / 64`` vertically (see the module's
        docstring); at the paper's 64 x 64 it is applied as drawn.
        """
        if clip.ndim != 4:
            raise ValueError(f"clip must be (T, C, H, W), got shape {tuple(clip.shape)}")
        if params.flip:
            clip = TF.horizontal_flip(clip)
        identity = params.scale == 1.0 and params.angle == 0.0 and params.shear == 0.0 and params.shift == (0.0, 0.0)
        if identity:
            return clip
        mode = InterpolationMode.NEAREST if self.interpolation == "nearest" else InterpolationMode.BILINEAR
        return TF.affine(
            clip,
            angle=params.angle,
            translate=[
                params.shift[0] * clip.shape[-1] / PAPER_FRAME_SIZE,
                params.shift[1] * clip.shape[-2] / PAPER_FRAME_SIZE,
            ],
            scale=params.scale,
            shear=[params.shear, 0.0],
            interpolation=mode,
            fill=[self.fill] * clip.shape[1],
        )


def fragment_indices(
    num_frames: int,
    length: int,
    *,
    temporal_scale: float = 1.0,
    generator: torch.Generator | None = None,
    start: int | None = None,
) -> tuple[np.ndarray, int]:
    """Frame indices of a fragment of ``length`` frames and the sequence frame it starts at.

    The fragment spans ``span = round(length * temporal_scale)`` consecutive sequence frames from
    ``start`` (drawn uniformly in ``0 .. num_frames - span`` when not given), resampled to
    ``length`` indices as the authors' ``utils.resample_arr``: ``start + span // length // 2 +
    floor(k * span / length)``. A scale above 1 speeds the motion up, below 1 slows it down.
    Indices past the sequence's end (a sequence shorter than ``span``) repeat its last frame.
    Returns ``(indices (length,) int64, start)``.
    """
    n, length = int(num_frames), int(length)
    if n < 1 or length < 1:
        raise ValueError(f"num_frames and length must be >= 1, got {num_frames} and {length}")
    span = max(1, int(round(length * float(temporal_scale))))
    if start is None:
        room = max(n - span, 0)
        start = int(torch.randint(room + 1, (1,), generator=generator)) if room else 0
    k = np.arange(length, dtype=np.int64)
    idx = start + span // length // 2 + np.floor(k * (span / length)).astype(np.int64)
    return np.clip(idx, 0, n - 1), int(start)
