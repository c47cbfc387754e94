"""The data of Borg and Camilleri's tables: 20-frame segments of videos in the Signing-in-the-Wild
layout (synthetic, or a real folder), their folds, and the features each table reads.

Every table reads one :class:`SegmentData`: the labelled segments (Sec. 5.1: 20 frames at 5 Hz, one
consistent label), each video's fold (5 folds, whole videos; 2 for the ablations), and, computed once
a data set and cached on disk, the CNN codes of each stream (:mod:`.features`) and the hand-crafted
polar motion profiles of the baseline (:mod:`motion_rnn.data.polar_motion`).

Seeds: the data, the folds and the frozen CNNs are the same for every seed (the paper's codes come
from one pre-trained VGG-16); a seed changes the head's initialisation, its dropout masks and the
order of its batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pandas as pd
from tqdm import tqdm

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.data.polar_motion import polar_motion_sequence
from motion_rnn.data.signing_wild import CLASS_NAMES, SigningWildVideos, folds
from motion_rnn.data.signing_wild import footage as registry_footage
from motion_rnn.data.signing_wild.synthetic import write_synthetic_signing_wild
from motion_rnn.experiments.borg2019 import features
from motion_rnn.experiments.borg2019.settings import Settings
from motion_rnn.fingerprint import data_fingerprint, digest, folder_manifest
from motion_rnn.models.borg2019.cnn_codes import BACKBONES
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters

DATA_SEED = 0  # the synthetic videos and the folds
FORMAT_VERSION = 1  # of the cached baseline features; bump to recompute every cache
FOOTAGE_CHOICES = ("registry", "none")  # the notebook's `footage` parameter
LAYOUT = (
    "annotations.txt (or annotations/*.txt) with '<video_id> <frame_number> <label>' rows and videos/<video_id>.<ext>"
)


@dataclass
class SegmentData:
    """The segments of one data set with their folds, and the features of each, made on demand and cached."""

    videos: SigningWildVideos
    segments: pd.DataFrame
    """One line a segment: ``video_id``, ``frames``, ``label``, ``fold`` (of ``folds``), ``fold2`` (of 2)."""
    settings: Settings
    backbone: str
    backbone_weights: str | None
    fingerprint: str
    cache_dir: Path
    progress: bool = True
    _codes: dict = field(default_factory=dict)
    _polar: np.ndarray | None = None

    @property
    def labels(self) -> np.ndarray:
        return self.segments["label"].to_numpy()

    def codes(self, stream: str, layer: str = "fc1") -> np.ndarray:
        """``(S, 20, D)`` float32: the CNN codes of every segment in ``stream`` (:data:`.features.STREAMS`)."""
        if (stream, layer) not in self._codes:
            made = features.extract(
                self.videos,
                stream,
                layer,
                backbone=self.backbone,
                weights="default" if self.backbone_weights is None else self.backbone_weights,
                side=self.settings.frame_side,
                fields=self.settings.flow_fields,
                window=self.settings.motion_window,
                conv_grid=self.settings.conv_grid,
                cache_dir=self.cache_dir,
                data_fingerprint=self.fingerprint,
                progress=self.progress,
            )
            self._codes[(stream, layer)] = made.segment_codes(self.segments)
        return self._codes[(stream, layer)]

    def polar(self) -> np.ndarray:
        """``(S, 20, F)`` float32: the polar motion profile of every sampled frame of every segment.

        Each video's sampled frames (resized to the profile's side) run in order through one
        background model, so a frame's foreground is measured against the frames before it.
        """
        if self._polar is None:
            key = {"data": self.fingerprint, "side": self.settings.frame_side, "format": FORMAT_VERSION}
            path = self.cache_dir / f"polar-{digest(key)}.npz"
            if not path.exists():
                per_video = {}
                table = self.videos.annotations
                bar = tqdm if self.progress else (lambda x, **_: x)
                for video_id in bar(self.segments["video_id"].unique(), desc="polar motion profiles", leave=False):
                    numbers = table.loc[table["video_id"] == video_id, "frame"].to_numpy()
                    frames = self.videos.frames(video_id, numbers).numpy()
                    side = self.settings.frame_side
                    frames = np.stack(
                        [cv2.resize(f.transpose(1, 2, 0), (side, side), interpolation=cv2.INTER_LINEAR) for f in frames]
                    ).transpose(0, 3, 1, 2)
                    per_video[video_id] = (numbers, polar_motion_sequence(frames))
                rows = []
                for video_id, frames in zip(self.segments["video_id"], self.segments["frames"]):
                    numbers, sequence = per_video[video_id]
                    index = {int(f): i for i, f in enumerate(numbers)}
                    rows.append(sequence[[index[int(f)] for f in frames]])
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".partial.npz")
                np.savez(partial, polar=np.stack(rows).astype(np.float32))
                partial.replace(path)
            with np.load(path) as stored:
                self._polar = stored["polar"]
        return self._polar

    def real_clips(self) -> list[dict]:
        """The registry packages' clips among the videos: each one's class, fold and segments (their
        positions in :attr:`segments`, which are those of every row's out-of-fold ``items``)."""
        table = self.segments.reset_index(drop=True)
        out = []
        for video_id, part in table[table["footage"]].groupby("video_id", sort=False):
            out.append(
                {
                    "clip": str(video_id),
                    "class_name": str(part["class_name"].iloc[0]),
                    "fold": int(part["fold"].iloc[0]),
                    "segments": [int(i) for i in part.index],
                }
            )
        return out

    def source(self, label: str, description: str) -> Source:
        counts = self.segments["class_name"].value_counts()
        return Source(
            label,
            description,
            self.fingerprint,
            facts={
                "class_names": list(CLASS_NAMES),
                "segments": {c: int(counts.get(c, 0)) for c in CLASS_NAMES},
                "videos": int(self.segments["video_id"].nunique()),
                "folds": int(self.settings.folds),
                "backbone": self.backbone,
                "backbone_weights": self.backbone_weights or "the registry package's ImageNet weights",
                "real_clips": self.real_clips(),
            },
            payload=self,
        )


def synthetic_root(profile: str) -> Path:
    return data_cache_dir() / "synthetic_signing_wild" / profile


def check_backbone(backbone: str, backbone_weights: str | None) -> None:
    """The notebook's ``backbone`` and ``backbone_weights`` parameters, checked at once."""
    check_choice("backbone", backbone, BACKBONES)
    if backbone == "vgg16" and backbone_weights is None:
        raise ParameterError(
            "backbone='vgg16' needs backbone_weights: a local file of VGG-16's ImageNet weights (Keras's "
            "vgg16_weights_tf_dim_ordering_tf_kernels.h5 or torchvision's vgg16-397923af.pth); no package ships them"
        )
    if backbone_weights is not None and not Path(backbone_weights).expanduser().is_file():
        raise ParameterError(f"backbone_weights={backbone_weights!r}: no such file")


def check_footage(footage: str) -> None:
    """The notebook's ``footage`` parameter: ``"registry"`` (the real clips added) or ``"none"``."""
    check_choice("footage", footage, FOOTAGE_CHOICES)


def load_data(
    params: RunParameters,
    settings: Settings,
    backbone: str = "mobilenet_v2",
    backbone_weights: str | None = None,
    footage: str = "registry",
) -> list[Source]:
    """The segments of the synthetic set (written once), with the registry packages' real clips unless
    ``footage="none"``, or of a real folder in the Signing-in-the-Wild layout."""
    check_backbone(backbone, backbone_weights)
    check_footage(footage)
    clips = None
    if params.data_path is None:
        generator = {
            "num_videos": settings.videos,
            "seconds": settings.video_seconds,
            "size": settings.video_size,
            "seed": DATA_SEED,
        }
        root = write_synthetic_signing_wild(synthetic_root(params.profile), **generator)
        data_key = {"synthetic_signing_wild": generator}
        what = f"synthetic signing in the wild ({settings.videos} untrimmed videos of {settings.video_seconds:g} s)"
        if footage == "registry":
            clips = registry_footage.clips()
            data_key["footage"] = registry_footage.clip_key(clips, settings.footage_seconds)
            root = registry_footage.write_with_footage(
                synthetic_root(params.profile).with_name(f"{params.profile}-with-footage"),
                root,
                clips,
                seconds=settings.footage_seconds,
            )
            seconds = "" if settings.footage_seconds is None else f" (at most {settings.footage_seconds:g} s each)"
            what += f" and {len(clips)} real clips from registry packages{seconds}"
    else:
        if footage != "registry":
            raise ParameterError(
                f"footage={footage!r} applies to the synthetic videos only, not to data={str(params.data_path)!r}"
            )
        root = params.data_path
        if not (root / "annotations.txt").is_file() and not (root / "annotations").is_dir():
            raise ParameterError(f"data={str(root)!r}: no annotations found; expected {LAYOUT}")
        data_key = {"folder": folder_manifest(root)}
        what = f"Signing-in-the-Wild layout at {root}"
    videos = SigningWildVideos(root, length=settings.segment_length)
    table = videos.segments.copy()
    if table["video_id"].nunique() < settings.folds:
        raise ParameterError(
            f"{root}: {table['video_id'].nunique()} videos with labelled segments cannot fill {settings.folds} folds"
        )
    table["fold"] = table["video_id"].map(folds(table["video_id"], k=settings.folds, seed=DATA_SEED))
    table["fold2"] = table["video_id"].map(folds(table["video_id"], k=settings.ablation_folds, seed=DATA_SEED))
    table["footage"] = table["video_id"].isin(set(clips["clip_id"])) if clips is not None else False
    fingerprint = data_fingerprint({"data": data_key, "backbone": backbone, "weights": backbone_weights})
    data = SegmentData(
        videos,
        table,
        settings,
        backbone,
        backbone_weights,
        fingerprint,
        data_cache_dir() / "borg2019_features" / digest(data_key),
        progress=True,
    )
    counts = table["class_name"].value_counts()
    described = ", ".join(f"{counts.get(c, 0)} {c}" for c in CLASS_NAMES)
    weights = "ImageNet weights from " + (backbone_weights or "its registry package")
    description = (
        f"{what}: {len(table)} segments of {settings.segment_length} frames ({described}) in "
        f"{table['video_id'].nunique()} videos, {settings.folds} folds by video; codes of {backbone} "
        f"({weights}) at {settings.frame_side} px"
    )
    label = params.data_label
    return [data.source(label, description)]
