"""The first stage of Lakhal et al.'s pipeline (Sec. 3.1, 3.3, eq. 5): a frozen 3D CNN turns every
clip of a video into one feature vector, averaged over ten crops, for the RGB frames and for the
optical flow.

* Clips of ``clip_length`` frames every ``clip_stride`` frames (the paper: 16 and 8), all of them
  (the K_v clips of Sec. 3.1); the recurrent network later samples T of them (sigma(t)).
* Each clip is cut into ten crops (corners, centre and their mirrors, :func:`motion_rnn.data.video.ten_crop`),
  and the extractor's fc6 features of the ten are averaged (eq. 5).
* Flow: OpenCV's Farneback flow between consecutive frames, stored as 3-channel images (x, y,
  magnitude; :func:`motion_rnn.data.motion.flow_to_image`) and read by a second C3D, as the paper's
  flow stream reads flow with its own 3D CNN (Sec. 3.2).

The paper's extractor is C3D pre-trained on Sports-1M. Where no such weights are given, each
stream's C3D (with batch normalisation, ours) is pre-trained here on a *separate* synthetic source set (same generator, another
seed, other videos) and then frozen, so the recurrent networks see a pre-trained, frozen extractor
as in the paper. The features of every video are cached on disk with what made them (the
extractor's digest, the settings), so the rows of all four tables share one extraction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset

from motion_rnn.data.motion import farneback_flow, flow_to_image
from motion_rnn.data.video import clip_starts, read_video, ten_crop
from motion_rnn.fingerprint import digest
from motion_rnn.models.lakhal2018.c3d import C3D, load_c3d_weights
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, fit

STREAMS = ("rgb", "flow")
EXTRACTORS = ("c3d", "mobilenet_v2")
"""``c3d``: the paper's 3D CNN (Sec. 4.1); ``mobilenet_v2``: TSN-style 2D features (the paper's final
model uses TSN's), from MobileNetV2's ImageNet weights shipped in a registry package."""


@dataclass
class VideoFeatures:
    """One part (train or test) of a data set after the extractor: per video, its clips' features."""

    rgb: list[np.ndarray]  # per video (K_v, d_f) float32
    flow: list[np.ndarray]  # per video (K_v', d_f) float32 (flow has one frame fewer)
    labels: np.ndarray  # (N,) int64
    groups: np.ndarray  # (N,) int64: performers / scene group (UCF-101's gXX), for splits by group
    videos: list[str]

    def stream(self, name: str) -> list[np.ndarray]:
        return {"rgb": self.rgb, "flow": self.flow}[name]

    def __len__(self) -> int:
        return len(self.labels)


def resize_frames(frames: torch.Tensor, side: int) -> torch.Tensor:
    """(T, C, H, W) uint8 -> (T, C, side', side'') uint8 with the shorter side ``side``."""
    import torchvision.transforms.functional as TF  # after motion_rnn, see motion_rnn._torchvision_compat

    _, _, h, w = frames.shape
    if min(h, w) == side:
        return frames
    scale = side / min(h, w)
    size = [max(side, round(h * scale)), max(side, round(w * scale))]
    return TF.resize(frames, size, antialias=True)


def as_input(clips: torch.Tensor) -> torch.Tensor:
    """uint8 clips -> float in [-1, 1], the extractor's input (ours: C3D's mean file is not available)."""
    return clips.to(torch.float32) / 127.5 - 1.0


def stream_frames(frames: torch.Tensor, stream: str) -> torch.Tensor:
    """A video's (T, 3, H, W) uint8 frames as the stream reads them: RGB, or flow as images (T-1 of them)."""
    if stream == "rgb":
        return frames
    if stream == "flow":
        return torch.as_tensor(flow_to_image(farneback_flow(frames)))
    raise ValueError(f"stream={stream!r}; choose one of {STREAMS}")


# ---------------------------------------------------------------------------------------------
# Pre-training on the source set (only when no weights are given)
# ---------------------------------------------------------------------------------------------
class _ClipSet(Dataset):
    """Random clips (one random crop each) of decoded videos, labelled with their video's class."""

    def __init__(self, videos: Sequence[torch.Tensor], labels: Sequence[int], length: int, stride: int, size: int):
        self.items = [(v, s) for v, video in enumerate(videos) for s in clip_starts(len(video), length, stride)]
        self.videos, self.labels, self.length, self.size = videos, labels, length, size

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        v, start = self.items[index]
        clip = self.videos[v][start : start + self.length]  # (L, C, H, W)
        _, _, h, w = clip.shape
        top = int(torch.randint(0, h - self.size + 1, ()))
        left = int(torch.randint(0, w - self.size + 1, ()))
        clip = clip[:, :, top : top + self.size, left : left + self.size]
        return {"clip": as_input(clip), "label": torch.tensor(self.labels[v])}


def pretrain_extractor(
    videos: Sequence[torch.Tensor],
    labels: Sequence[int],
    num_classes: int,
    *,
    width: float,
    length: int,
    stride: int,
    size: int,
    epochs: int,
    batch_size: int,
    lr: float,
    seed: int,
) -> C3D:
    """Train a C3D to classify the source set's clips, then freeze it (eval mode, no gradients).

    Ours: with batch normalisation after each convolution (:class:`C3D`'s ``batch_norm``), without
    which a C3D trained from scratch on a few hundred videos stays at chance and its fc6 features
    are nearly all zero; the Sports-1M C3D has none and is loaded without it.
    """
    generator = seed_everything(seed)
    model = C3D(num_classes=num_classes, width=width, batch_norm=True)
    loader = DataLoader(
        _ClipSet(videos, labels, length, stride, size), batch_size=batch_size, shuffle=True, generator=generator
    )
    fit(model, loader, config=FitConfig(epochs=epochs, lr=lr, optimizer="adam"), progress=False)
    return freeze(model)


class SnippetCNN(torch.nn.Module):
    """TSN-style features of a clip from an ImageNet 2D CNN: its middle frame (TSN samples one frame
    a snippet), resized to ``side``, through MobileNetV2 (1,280-d, global average pooled).

    Takes clips as :func:`as_input` gives them, ``(B, L, 3, H, W)`` in [-1, 1], like :class:`C3D`.
    For the flow stream it reads the flow images as RGB, as TSN's cross-modality initialisation
    starts its flow network from ImageNet weights (ours: no flow training here).
    """

    def __init__(self, side: int) -> None:
        super().__init__()
        from motion_rnn.models.lakhal2018.imagenet_2d import mobilenet_v2_imagenet

        self.net = mobilenet_v2_imagenet()
        self.side = side

    def features(self, clips: torch.Tensor) -> torch.Tensor:
        import torch.nn.functional as nnf

        from motion_rnn.models.lakhal2018.imagenet_2d import frame_features

        frames = (clips[:, clips.shape[1] // 2] + 1.0) / 2.0  # (B, 3, H, W) in [0, 1]
        if frames.shape[-1] != self.side:
            frames = nnf.interpolate(frames, size=(self.side, self.side), mode="bilinear", align_corners=False)
        return frame_features(self.net, frames)


def freeze(model: torch.nn.Module) -> torch.nn.Module:
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def model_digest(model: torch.nn.Module) -> str:
    """A short digest of a model's weights: what the feature cache is keyed by."""
    h = [f"{k}:{tuple(v.shape)}:{float(v.double().sum()):.10g}" for k, v in model.state_dict().items()]
    return digest(h)


def load_extractor(path: str | Path, *, width: float = 1.0) -> C3D:
    """A C3D from a local weights file (the Sports-1M port's layout); never downloads."""
    model = C3D(width=width)
    load_c3d_weights(model, path)
    return freeze(model)


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------
@torch.no_grad()
def clip_features(model: C3D, frames: torch.Tensor, *, length: int, stride: int, size: int, crops: int) -> np.ndarray:
    """One video's (T, C, H, W) uint8 frames -> (K_v, d_f): every clip's fc6, averaged over crops (eq. 5).

    ``crops=10``: the paper's ten crops; ``crops=1``: the centre crop only; other values take the
    first ``crops`` of the ten (corners first), so that small profiles can use fewer.
    """
    starts = clip_starts(len(frames), length, stride)
    clips = torch.stack([frames[s : s + length] for s in starts])  # (K, L, C, H, W)
    if crops == 1:
        views = ten_crop(clips.flatten(0, 1), size)[4:5]  # the centre
    else:
        views = ten_crop(clips.flatten(0, 1), size)[:crops]  # (n, K*L, C, s, s)
    n = views.shape[0]
    views = views.reshape(n, len(starts), length, *views.shape[2:]).flatten(0, 1)  # (n*K, L, C, s, s)
    feats = torch.cat([model.features(as_input(b)) for b in views.split(64)])  # (n*K, d_f)
    return feats.reshape(n, len(starts), -1).mean(0).numpy().astype(np.float32)  # eq. 5


def extract(
    table: pd.DataFrame,
    extractors: dict[str, C3D],
    *,
    side: int,
    length: int,
    stride: int,
    size: int,
    crops: int,
    progress: Callable | None = None,
) -> VideoFeatures:
    """Features of every video of a split table (:func:`motion_rnn.data.ucf101.read_split`)."""
    per_stream: dict[str, list[np.ndarray]] = {s: [] for s in STREAMS}
    rows = table.itertuples()
    for row in progress(rows, total=len(table)) if progress else rows:
        frames = resize_frames(read_video(row.path), side)
        for stream in STREAMS:
            per_stream[stream].append(
                clip_features(
                    extractors[stream],
                    stream_frames(frames, stream),
                    length=length,
                    stride=stride,
                    size=size,
                    crops=crops,
                )
            )
    groups = table["group"].fillna(-1).astype(np.int64).to_numpy() if "group" in table else np.full(len(table), -1)
    return VideoFeatures(
        per_stream["rgb"], per_stream["flow"], table["label"].to_numpy(np.int64), groups, table["video"].tolist()
    )


def save_features(path: Path, parts: dict[str, VideoFeatures], provenance: dict) -> None:
    """Write ``parts`` (e.g. train, test) to one ``.npz`` beside a JSON of what made them, atomically."""
    arrays: dict[str, np.ndarray] = {}
    for part, f in parts.items():
        for stream in STREAMS:
            for i, x in enumerate(f.stream(stream)):
                arrays[f"{part}/{stream}/{i}"] = x
        arrays[f"{part}/labels"] = f.labels
        arrays[f"{part}/groups"] = f.groups
        arrays[f"{part}/videos"] = np.asarray(f.videos)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps(provenance, indent=1, sort_keys=True) + "\n")


def load_features(path: Path) -> dict[str, VideoFeatures]:
    with np.load(path) as data:
        parts = sorted({k.split("/")[0] for k in data.files})
        out = {}
        for part in parts:
            n = len(data[f"{part}/labels"])
            streams = {s: [data[f"{part}/{s}/{i}"] for i in range(n)] for s in STREAMS}
            out[part] = VideoFeatures(
                streams["rgb"],
                streams["flow"],
                data[f"{part}/labels"],
                data[f"{part}/groups"],
                [str(v) for v in data[f"{part}/videos"]],
            )
    return out
