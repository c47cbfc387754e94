"""Figure 3: the most active feature map four layers deep, at rest and while moving."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from motion_rnn.models.pigou2016.cnn2d import FrameCNN
from motion_rnn.models.pigou2016.temporal import SpatioTemporalCNN, max_pool_2d, max_pool_3d


@torch.no_grad()
def layer4_maps(model: torch.nn.Module, clip: Tensor) -> Tensor:
    """The maps after the fourth convolutional layer (second stage, before its pooling).

    clip ``(T, C, H, W)`` -> ``(T, M, H/2, W/2)``. For a :class:`FrameCNN` these are spatial
    features of each frame; for a :class:`SpatioTemporalCNN` spatiotemporal ones (each layer also
    convolves over time, eq. 6).
    """
    features = model.features
    x = clip[None]
    if isinstance(features, FrameCNN):
        first_stage, second_stage = features.stages[0], features.stages[1]
        maps = second_stage[:4](first_stage(x.flatten(0, 1)))  # conv, act, conv, act of stage 2
        return maps
    if isinstance(features, SpatioTemporalCNN):
        (a, b), (c, d) = features.stages[0], features.stages[1]
        pooled = max_pool_3d(b(a(x))) if features.pool == "3d" else max_pool_2d(b(a(x)))
        return d(c(pooled))[0]
    raise TypeError(f"no convolutional feature extractor in {type(model).__name__}")


def motion_energy(clip: Tensor, *, smooth: int = 9) -> np.ndarray:
    """How much each frame moves: mean absolute colour change from the previous frame, ``(T,)``,
    averaged over ``smooth`` frames (the temporal convolutions of four layers see 9 frames)."""
    rgb = clip[:, :3].float()
    diff = torch.zeros(rgb.shape[0])
    diff[1:] = (rgb[1:] - rgb[:-1]).abs().mean(dim=(1, 2, 3))
    kernel = np.ones(smooth) / smooth
    return np.convolve(diff.numpy(), kernel, mode="same")


def rest_and_motion_frames(clip: Tensor, labels: np.ndarray) -> dict:
    """Frames where the performer rests (no gesture, least motion) and moves (a gesture, most motion).

    Returns the two frames Figure 3 shows (``rest_frame``, ``move_frame``) and the sets the claim
    averages over (``rest_frames``: no-gesture frames in the lowest quarter of motion energy;
    ``move_frames``: gesture frames in the highest quarter).
    """
    energy = motion_energy(clip)
    labels = np.asarray(labels)
    rest_pool = np.flatnonzero(labels == 0)[1:] if np.any(labels == 0) else np.arange(1, len(labels))
    move_pool = np.flatnonzero(labels != 0) if np.any(labels != 0) else np.arange(len(labels))
    rest = rest_pool[energy[rest_pool] <= np.quantile(energy[rest_pool], 0.25)]
    move = move_pool[energy[move_pool] >= np.quantile(energy[move_pool], 0.75)]
    return {
        "rest_frame": int(rest_pool[np.argmin(energy[rest_pool])]),
        "move_frame": int(move_pool[np.argmax(energy[move_pool])]),
        "rest_frames": rest.tolist(),
        "move_frames": move.tolist(),
        "energy": energy,
    }


def figure3_maps(model: torch.nn.Module, clip: Tensor, frames: dict) -> dict:
    """The most active layer-4 map of ``model`` over ``clip`` (largest mean activation), at the rest
    and move frames, and its mean activation over the rest and move sets."""
    maps = layer4_maps(model.eval().cpu(), clip)  # (T, M, h, w)
    channel = int(maps.mean(dim=(0, 2, 3)).argmax())
    chosen = maps[:, channel]  # (T, h, w)
    rest_mean = float(chosen[frames["rest_frames"]].mean())
    move_mean = float(chosen[frames["move_frames"]].mean())
    return {
        "channel": channel,
        "rest_map": chosen[frames["rest_frame"]].numpy().round(5).tolist(),
        "move_map": chosen[frames["move_frame"]].numpy().round(5).tolist(),
        "rest_activation": round(rest_mean, 6),
        "move_activation": round(move_mean, 6),
        "rest_over_move": round(rest_mean / move_mean, 6) if move_mean else float("nan"),
    }
