"""Choosing frames and preparing clips, kept apart from decoding them.

Zhang et al. (2018), Sec. 4.2: "The uniform sampling with the temporal jitter strategy is
utilized to preprocess the inputs"; Jester clips have 16 frames, IsoGD clips 32, each 112x112.
The authors' code adds what the paper leaves out: a square crop of side ``min(h, w)`` (one random
offset shared by all frames of a clip in training, centred at test), a resize to 112x112 and the
subtraction of a per-channel mean, with no division by a standard deviation.

A reader calls the two steps in order::

    idx = sample_frame_indices(n, num_frames, train=train, generator=g)   # which frames
    frames = <decode frames idx>                                          # (T, C, H, W) uint8
    clip = ClipTransform(size=112, mean=mean, train=train)(frames, g)     # (T, C, 112, 112) float32

Both steps draw their randomness from one ``torch.Generator`` so that a clip is a function of
the seed; :func:`make_generator` derives that generator from (seed, epoch, index).

Two sampling schemes (``scheme=``):

* ``"segments"`` (default): the video's ``n`` frames are split into ``num_frames`` equal segments;
  training takes a random frame in each segment, evaluation the centre frame of each. With
  ``n < num_frames`` the segments are shorter than a frame and frames repeat evenly (a slowed-down
  video), so the clip always spans the whole gesture.
* ``"zhang2018_code"``: what the authors' ``inputs.py`` computes, kept for a faithful rerun. The
  ``k``-th index is ``floor(k n / T)`` plus, in training and only when ``n >= 2T``, a jitter
  uniform in ``[-s/4, s/4)`` with ``s = floor(n / T)``; evaluation takes the *first* frame of each
  segment, not the centre; a video shorter than the clip is played once and its last frame
  repeated to fill the clip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torchvision.transforms.v2.functional as TF

SamplingScheme = Literal["segments", "zhang2018_code"]
SAMPLING_SCHEMES: tuple[str, ...] = ("segments", "zhang2018_code")


def make_generator(seed: int, *keys: int) -> torch.Generator:
    """A ``torch.Generator`` seeded from ``(seed, *keys)``, e.g. ``(seed, epoch, index)``.

    Distinct key tuples give independent streams (numpy's ``SeedSequence`` mixes them), so a
    sample's randomness does not depend on which worker draws it or in which order.
    """
    state = np.random.SeedSequence([int(seed), *(int(k) for k in keys)]).generate_state(2)
    g = torch.Generator()
    g.manual_seed(int(state[0]) << 32 | int(state[1]))
    return g


def _uniform(n: int, generator: torch.Generator | None) -> np.ndarray:
    return torch.rand(n, generator=generator, dtype=torch.float64).numpy()


def sample_frame_indices(
    num_video_frames: int,
    num_frames: int,
    *,
    train: bool,
    generator: torch.Generator | None = None,
    scheme: SamplingScheme = "segments",
) -> list[int]:
    """0-based indices of the ``num_frames`` frames to keep from a video of ``num_video_frames``.

    Non-decreasing; every index lies in ``[0, num_video_frames)``. See the module docstring for the
    two schemes. Evaluation (``train=False``) draws nothing from ``generator``.
    """
    n, t = int(num_video_frames), int(num_frames)
    if n < 1:
        raise ValueError(f"num_video_frames must be >= 1, got {num_video_frames}")
    if t < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    k = np.arange(t, dtype=np.float64)
    if scheme == "segments":
        # segment k covers [k n / T, (k + 1) n / T); take a point u in it (u random or 1/2)
        u = _uniform(t, generator) if train else np.full(t, 0.5)
        idx = np.floor((k + u) * n / t)
    elif scheme == "zhang2018_code":
        div = n / t
        scale = math.floor(div)
        if scale == 0:  # shorter than the clip: play once, then hold the last frame
            idx = np.minimum(k, n - 1)
        else:
            idx = div * k
            if train and scale > 1:
                idx = idx + scale / 2 * (_uniform(t, generator) - 0.5)
        idx = np.floor(idx)
    else:
        raise ValueError(f"scheme must be one of {SAMPLING_SCHEMES}, got {scheme!r}")
    return np.clip(idx, 0, n - 1).astype(np.int64).tolist()


def square_crop_box(
    height: int, width: int, *, train: bool, generator: torch.Generator | None = None
) -> tuple[int, int, int]:
    """``(top, left, side)`` of the square crop of side ``min(height, width)``.

    Training: one uniform draw ``r`` places the square at ``int((dim - side) r)`` along the long
    side (the authors' code); evaluation: centred.
    """
    side = min(height, width)
    if train:
        r = float(_uniform(1, generator)[0])
        return int((height - side) * r), int((width - side) * r), side
    return (height - side) // 2, (width - side) // 2, side


@dataclass(frozen=True)
class ClipTransform:
    """Square crop, resize, float, mean subtraction: ``(T, C, H, W)`` uint8 -> float32.

    Output: ``(T, C, size, size)`` float32, ``(pixel - mean) * scale`` with pixels in 0..255 and
    ``mean`` per channel (RGB). ``scale=1`` keeps the authors' units (mean subtraction only).
    """

    size: int = 112  # Sec. 4.2: "a spatial size of 112x112"
    mean: Sequence[float] = (0.0, 0.0, 0.0)  # per channel, 0..255 units
    train: bool = False
    scale: float = 1.0

    def __call__(self, frames: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        if not isinstance(frames, torch.Tensor) or frames.ndim != 4:
            raise ValueError(
                f"frames must be a (T, C, H, W) tensor, got {getattr(frames, 'shape', type(frames).__name__)}"
            )
        if frames.shape[1] != len(self.mean):
            raise ValueError(f"frames have {frames.shape[1]} channels but mean has {len(self.mean)} values")
        _, _, h, w = frames.shape
        top, left, side = square_crop_box(h, w, train=self.train, generator=generator)
        x = TF.crop(frames, top, left, side, side)  # (T, C, side, side)
        if side != self.size:
            x = TF.resize(x, [self.size, self.size], antialias=True)  # (T, C, size, size)
        x = x.to(torch.float32)
        mean = torch.tensor(list(self.mean), dtype=torch.float32).view(1, -1, 1, 1)
        x = x - mean
        if self.scale != 1.0:
            x = x * self.scale
        return x
