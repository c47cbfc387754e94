"""Decoding action videos and cutting them as Lakhal et al. (2018) do, kept apart from one another.

Lakhal et al. 2018, "Residual stacked RNNs for action recognition", Sec. 3.1 and 4: a video ``V``
of ``l_v`` frames is cut into clips ``S_i`` of ``|S| = 16`` frames, one every ``r = 8`` frames,

.. math:: K_v = \\lfloor l_v / r \\rfloor - 1

of them; a 3D CNN turns each clip into a feature ``a_i``, and ``T`` of the ``K_v`` features are kept,

.. math:: \\sigma(t) = 1 + \\lfloor (t - 1) \\frac{K_v - 1}{T - 1} \\rfloor, \\quad t = 1, \\dots, T.

Sec. 3.3: each clip is seen through 10 crops, "four corners and the center of each frame, along
with their mirrors", and the 10 features are averaged (eq. 5).

A feature extractor calls the steps in order::

    video = read_video(path)                          # (N, C, H, W) uint8, N = l_v
    starts = clip_starts(video.shape[0])              # K_v starts, 0-based
    keep = sample_clips(len(starts), t)               # T indices into starts, 0-based
    clip = video[starts[k] : starts[k] + 16]          # (16, C, H, W)
    crops = ten_crop(clip, 112)                       # (10, 16, C, 112, 112)

:class:`LabelledVideos` is the dataset the UCF-101 and HMDB-51 readers build on: a table of
videos with labels, decoded on access.

Indices here are 0-based (Python's); the paper's are 1-based, so ``sample_clips`` returns
``sigma(t) - 1``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pandas as pd
import torch
import torchvision.transforms.functional as TF

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.data.errors import DataFormatError

CLIP_LENGTH = 16  # |S_i|, Sec. 4: "Input clips were of temporal length |S_i| = 16"
CLIP_STRIDE = 8  # r, Sec. 4: "with a stride of r = 8 between them"
NUM_CROPS = 10  # K_c, Sec. 3.3: four corners and the centre, and their mirrors


def read_video(path: str | os.PathLike) -> torch.Tensor:
    """Every frame of a video file as ``(N, C, H, W)`` uint8 RGB (``C = 3``), decoded with PyAV.

    Raises :class:`DataFormatError` naming the file for a missing file, one PyAV cannot open or
    decode, one without a video stream and one with no frames: a reader that hands on a broken
    video would only fail later, inside a feature extractor, far from the file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError.build(
            path,
            found="no such file",
            expected="a video file",
            fix="check the path, or extract the video from the data set's archive again",
        )
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataFormatError.build(
                    path,
                    found="a file without a video stream",
                    expected="a video file",
                    fix="check the path; replace the file from the data set's archive",
                )
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]  # each (H, W, 3)
    except DataFormatError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise DataFormatError.build(
            path,
            found=f"a video that cannot be decoded ({exc})",
            expected="a readable video file",
            fix="replace the file from the data set's archive (a partial download or extraction is the usual cause)",
        ) from exc
    if not frames:
        raise DataFormatError.build(
            path,
            found="a video stream with no frames",
            expected="a video with at least one frame",
            fix="replace the file from the data set's archive",
        )
    return torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).contiguous()  # (N, C, H, W)


def clip_count(num_frames: int, clip_length: int = CLIP_LENGTH, stride: int = CLIP_STRIDE) -> int:
    """``K_v``, the number of clips of ``clip_length`` frames, one every ``stride`` frames (Sec. 3.1).

    The paper's ``K_v = floor(l_v / r) - 1`` counts the clips of ``|S| = 2r`` frames (its 16 and 8)
    that fit in the video. For any length and stride we count the same thing,
    ``floor((l_v - |S|) / r) + 1``, which is the paper's formula when ``|S| = 2r``; with other values
    the paper's formula would count clips that run past the last frame (or miss some).

    Raises ``ValueError`` for a video shorter than one clip, saying how many frames one needs.
    """
    n, s, r = int(num_frames), int(clip_length), int(stride)
    if s < 1 or r < 1:
        raise ValueError(f"clip_length and stride must be >= 1, got clip_length={clip_length}, stride={stride}")
    if n < s:
        raise ValueError(
            f"a video of {n} frames is too short for one clip: a clip of {s} frames needs at least {s} frames "
            f"(pad or loop the video, or use shorter clips)"
        )
    return (n - s) // r + 1


def clip_starts(num_frames: int, clip_length: int = CLIP_LENGTH, stride: int = CLIP_STRIDE) -> list[int]:
    """0-based first frame of each of the ``K_v`` clips: ``0, r, 2r, ..., (K_v - 1) r``.

    Clip ``i`` covers frames ``[i r, i r + |S|)``; the last one ends at or before the video's end.
    """
    return [i * int(stride) for i in range(clip_count(num_frames, clip_length, stride))]


def sample_clips(k_v: int, t: int) -> list[int]:
    """The ``T`` clips kept of ``K_v``: ``sigma(t) - 1`` for ``t = 1..T`` (Sec. 3.1), 0-based.

    .. math:: \\sigma(t) = 1 + \\lfloor (t - 1) \\frac{K_v - 1}{T - 1} \\rfloor

    The first and the last clip are always kept and the others spread evenly between them
    (``K_v = 10, T = 5`` gives 1-based ``1, 3, 5, 7, 10``, so 0-based ``0, 2, 4, 6, 9``).

    Cases the formula leaves open or the paper does not discuss:

    * ``T = 1``: the fraction is ``0/0``; the only step, ``t = 1``, has ``t - 1 = 0``, and we take
      ``sigma(1) = 1``, the first clip (index ``0``).
    * ``T > K_v``: the formula repeats clips (``K_v = 3, T = 5`` gives 0-based ``0, 0, 1, 1, 2``);
      we return the repeats as it gives them, so the sequence still has ``T`` steps.

    Integer arithmetic, so no rounding error moves a ``floor``.
    """
    k, steps = int(k_v), int(t)
    if k < 1:
        raise ValueError(f"k_v (the number of clips) must be >= 1, got {k_v}")
    if steps < 1:
        raise ValueError(f"t (the number of clips to keep) must be >= 1, got {t}")
    if steps == 1:
        return [0]
    return [(i * (k - 1)) // (steps - 1) for i in range(steps)]  # i = t - 1


def ten_crop(frames: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """The 10 crops of Sec. 3.3 of every frame: ``(T, C, H, W)`` -> ``(10, T, C, h, w)``.

    ``size`` is ``h = w = size`` or ``(h, w)``. The crops are taken at the same place in every
    frame, so each is a clip. Order (torchvision's ``ten_crop``):

    ====  ===========================================================================
    0-4   top-left, top-right, bottom-left, bottom-right, centre
    5-9   the same five crops of the horizontally mirrored frames
    ====  ===========================================================================

    Crop ``5 + k`` is a crop of the mirrored frame, so it is the mirror of the crop on the *other*
    side: 5 = mirror of 1 (top-right), 6 = mirror of 0 (top-left), 7 = mirror of 3, 8 = mirror of
    2, 9 = mirror of 4 (centre). The set is the paper's "corners and centre with their mirrors";
    eq. 5 averages over the crops, so their order does not change a feature.
    """
    if frames.ndim != 4:
        raise ValueError(f"frames must be (T, C, H, W), got shape {tuple(frames.shape)}")
    h, w = (int(size), int(size)) if isinstance(size, int) else (int(size[0]), int(size[1]))
    height, width = frames.shape[-2:]
    if not (0 < h <= height and 0 < w <= width):
        raise ValueError(f"crop size {(h, w)} does not fit in frames of {(height, width)} (H, W)")
    crops = TF.ten_crop(frames, [h, w])  # 10 x (T, C, h, w)
    return torch.stack(crops)  # (10, T, C, h, w)


class LabelledVideos(torch.utils.data.Dataset):
    """Videos listed in a table with columns ``path`` and ``label`` (and optionally ``video``,
    ``class_name``, ``group``), decoded with :func:`read_video` when an item is read.

    Each item is a dict with keys:

    * ``"video"``: ``(N, C, H, W)`` uint8 RGB, all ``N`` frames (or whatever ``transform`` makes of it).
    * ``"label"``: int, 0-based.
    * ``"class_name"``: str (``""`` where the table has no such column).
    * ``"video_id"``: str, the file name without suffix.
    * ``"group"``: the table's ``group`` value (``None`` where it has none).

    Decoding happens on access and nothing is cached: a UCF-101 video is about 40 MB of frames.
    """

    def __init__(self, table: pd.DataFrame, *, transform: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
        self.table = table.reset_index(drop=True)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.table)

    def __getitem__(self, index: int) -> dict:
        row = self.table.iloc[index]
        video = read_video(row["path"])  # (N, C, H, W) uint8
        if self.transform is not None:
            video = self.transform(video)
        group = row["group"] if "group" in self.table.columns else None
        return {
            "video": video,
            "label": int(row["label"]),
            "class_name": str(row["class_name"]) if "class_name" in self.table.columns else "",
            "video_id": Path(row["path"]).stem,
            "group": None if group is None or pd.isna(group) else (group.item() if hasattr(group, "item") else group),
        }
