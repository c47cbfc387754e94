"""The CNN codes of Borg and Camilleri's two streams, per sampled frame of every video, cached on disk.

Sec. 4.1-4.2: each frame sampled at 5 Hz gives one code a stream, from a frozen ImageNet CNN at
224 x 224: the frame itself (RGB), or motion around it at the native frame rate:

* ``flow``: 10 consecutive Farneback fields from the sampled frame on, each an HSV image (angle as
  hue, magnitude as value), stacked to 30 channels (:func:`motion_rnn.data.motion_images.flow_hsv_stack`);
* ``mhi``: the motion history image of the 5-frame window from the sampled frame on
  (:func:`motion_rnn.data.motion_images.motion_history_image`), one channel;
* ``diff``: "a stack of 5 multi-frame difference images" (Sec. 4.2), each the summed absolute
  differences over a 5-frame window (:func:`motion_rnn.data.motion_images.multi_frame_difference`), so 9
  native frames from the sampled frame on, 5 channels.

The CNN's first convolution is replicated over the stacked channels (for one-channel images after
averaging over colour; :func:`motion_rnn.models.borg2019.cnn_codes.adapt_first_conv`). Frames are
resized to the profile's side *before* the motion is computed, as the paper computes its flow on
224 x 224 frames. The codes of a data set are computed once and cached (float16, with a JSON of
what made them), so every table and every seed reads the same codes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from motion_rnn.data.motion_images import flow_hsv_stack, motion_history_image, multi_frame_difference
from motion_rnn.data.signing_wild import SigningWildVideos
from motion_rnn.fingerprint import digest
from motion_rnn.models.borg2019.cnn_codes import CNNCodes, cnn_codes, codes_for_frames

__all__ = ["CODE_LAYERS", "STREAMS", "STREAM_NAMES", "StreamCodes", "extract", "stream_inputs"]

STREAMS = ("rgb", "flow", "mhi", "diff")
STREAM_NAMES = {"rgb": "RGB", "flow": "optical flow", "mhi": "MHI", "diff": "multi-frame diff."}
"""Each stream's name in the paper's Table 2."""
CODE_LAYERS = ("fc1", "conv")
"""Table 1: pooled codes (VGG-16's ``fc1``) or the last feature map (``block5_conv3`` after pooling)."""
FORMAT_VERSION = 1  # of the cached codes; bump to recompute every cache


@dataclass
class StreamCodes:
    """The codes of one stream: ``codes[video_id]`` is ``(N, D)`` float16 for ``frames[video_id]``."""

    stream: str
    layer: str
    codes: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]
    provenance: dict

    @property
    def size(self) -> int:
        return int(next(iter(self.codes.values())).shape[1])

    def segment_codes(self, segments: pd.DataFrame) -> np.ndarray:
        """``(S, length, D)`` float32: each segment's codes, frame by frame."""
        out = []
        for video, frames in zip(segments["video_id"], segments["frames"]):
            index = {int(f): i for i, f in enumerate(self.frames[video])}
            out.append(self.codes[video][[index[int(f)] for f in frames]])
        return np.stack(out).astype(np.float32)


def _resize(frames: torch.Tensor, side: int) -> np.ndarray:
    """``(..., C, H, W)`` uint8 -> ``(..., C, side, side)`` uint8 numpy, aspect ratio not kept (the authors' code)."""
    array = frames.numpy()
    lead, (c, h, w) = array.shape[:-3], array.shape[-3:]
    if (h, w) == (side, side):
        return array
    flat = array.reshape(-1, c, h, w).transpose(0, 2, 3, 1)
    interpolation = cv2.INTER_AREA if side < min(h, w) else cv2.INTER_LINEAR
    out = np.stack([cv2.resize(np.ascontiguousarray(f), (side, side), interpolation=interpolation) for f in flat])
    if out.ndim == 3:
        out = out[..., None]
    return out.transpose(0, 3, 1, 2).reshape(*lead, c, side, side)


def _window(stream: str, fields: int, window: int) -> int:
    """Native frames after the sampled one that a stream's input needs."""
    return {"rgb": 0, "flow": fields, "mhi": window - 1, "diff": 2 * (window - 1)}[stream]


def stream_inputs(
    videos: SigningWildVideos, video_id: str, frame_numbers, stream: str, *, side: int, fields: int, window: int
) -> torch.Tensor:
    """The network inputs of ``stream`` for the sampled ``frame_numbers`` of a video: ``(N, C, side, side)`` uint8.

    C is 3 (RGB), ``3 * fields`` (flow), 1 (MHI) or ``window`` (frame differences).
    """
    if stream == "rgb":
        return torch.from_numpy(_resize(videos.frames(video_id, frame_numbers), side))
    clips = _resize(videos.frames_around(video_id, frame_numbers, after=_window(stream, fields, window)), side)
    out = []
    for clip in clips:  # (L, 3, side, side)
        if stream == "flow":
            image = flow_hsv_stack(clip, fields=fields)[0]  # (3 fields, side, side)
        elif stream == "mhi":
            image = motion_history_image(clip, window=window)[-1]  # (1, side, side)
        else:
            image = multi_frame_difference(clip, window=window)[:, 0]  # (window, side, side)
        out.append(image)
    return torch.from_numpy(np.stack(out))


def make_extractor(
    stream: str, layer: str, *, backbone: str, weights, fields: int, window: int, conv_grid: int | None = None
) -> CNNCodes:
    """The frozen CNN of a stream, its first convolution fitted to the stream's channels."""
    channels = {"rgb": (3, 3), "flow": (3 * fields, 3), "mhi": (1, 1), "diff": (window, 1)}[stream]
    grid = conv_grid if (layer == "conv" and backbone != "vgg16") else None
    return cnn_codes(
        backbone, layer, weights=weights, in_channels=channels[0], channels_per_image=channels[1], conv_grid=grid
    )


def extract(
    videos: SigningWildVideos,
    stream: str,
    layer: str,
    *,
    backbone: str,
    weights,
    side: int,
    fields: int,
    window: int,
    conv_grid: int | None = None,
    cache_dir: Path,
    data_fingerprint: str,
    progress: bool = True,
    batch_size: int = 32,
) -> StreamCodes:
    """The codes of ``stream`` for every frame of a kept segment, read from ``cache_dir`` when made before.

    The cache is keyed by the data's fingerprint and everything that changes a code (backbone, its
    weights, layer, side, flow fields, window); it is written whole, to a temporary name first, so
    an interrupted extraction leaves no half-written cache.
    """
    if stream not in STREAMS:
        raise ValueError(f"stream {stream!r} is not one of {STREAMS}")
    extractor = make_extractor(
        stream, layer, backbone=backbone, weights=weights, fields=fields, window=window, conv_grid=conv_grid
    )
    provenance = {
        "format_version": FORMAT_VERSION,
        "data": data_fingerprint,
        "stream": stream,
        "layer": layer,
        "backbone": backbone,
        "weights": extractor.weights_source,
        "pretrained": extractor.pretrained,
        "side": int(side),
        "fields": int(fields) if stream == "flow" else None,
        "window": int(window) if stream in ("mhi", "diff") else None,
    }
    if extractor.layer == "conv" and conv_grid is not None and backbone != "vgg16":
        provenance["conv_grid"] = int(conv_grid)  # only where it applies, so other caches keep their key
    path = Path(cache_dir) / f"codes-{stream}-{layer}-{digest(provenance)}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            names = json.loads(str(stored["videos"]))
            return StreamCodes(
                stream,
                layer,
                {v: stored[f"codes_{i}"] for i, v in enumerate(names)},
                {v: stored[f"frames_{i}"] for i, v in enumerate(names)},
                json.loads(str(stored["provenance"])),
            )
    needed = videos.segments.groupby("video_id", sort=False)["frames"].apply(
        lambda runs: np.array(sorted({int(f) for run in runs for f in run}))
    )
    codes, frames = {}, {}
    bar: Callable = tqdm if progress else (lambda x, **_: x)
    for video_id, numbers in bar(needed.items(), total=len(needed), desc=f"{stream} codes", leave=False):
        inputs = stream_inputs(videos, video_id, numbers, stream, side=side, fields=fields, window=window)
        codes[video_id] = (
            codes_for_frames(extractor, inputs, size=side, batch_size=batch_size).numpy().astype(np.float16)
        )
        frames[video_id] = numbers
    names = list(codes)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(
        partial,
        videos=json.dumps(names),
        provenance=json.dumps(provenance),
        **{f"codes_{i}": codes[v] for i, v in enumerate(names)},
        **{f"frames_{i}": frames[v] for i, v in enumerate(names)},
    )
    partial.replace(path)
    return StreamCodes(stream, layer, codes, frames, provenance)
