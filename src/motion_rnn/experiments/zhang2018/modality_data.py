"""The data of Zhang et al.'s Table 2: IsoGD's RGB, depth and optical flow, synthetic or real.

The synthetic default is the book's gesture set written in IsoGD's released layout (an RGB video
``M_xxxxx.avi`` and a depth video ``K_xxxxx.avi`` a gesture, :mod:`motion_rnn.data.isogd.synthetic`);
a real IsoGD folder holds the authors' lists ``{train,valid}_{rgb,depth}_list.txt`` (lines
``path frame_count label``). Optical flow is computed from the RGB videos with OpenCV's Farneback
method and cached as frame folders (:mod:`motion_rnn.data.isogd.flow`). Every modality goes through
the same reader, :class:`motion_rnn.data.isogd.IsoGDDataset`.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from motion_rnn.choices import ParameterError
from motion_rnn.data.isogd.flow import FLOW_MEAN, write_flow_frames
from motion_rnn.data.isogd.reader import ISOGD_DEPTH_MEAN, ISOGD_RGB_MEAN, IsoGDDataset
from motion_rnn.data.isogd.synthetic import write_synthetic_isogd
from motion_rnn.data.jester.synthetic import DEFAULT_STYLE, PLAIN_STYLE, SYNTHETIC_CLASSES
from motion_rnn.experiments.zhang2018.settings import ISOGD_CLASSES
from motion_rnn.experiments.zhang2018.table2_settings import MODALITIES, Table2Settings, parse_modalities
from motion_rnn.fingerprint import data_fingerprint, digest, folder_manifest
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters

SPLITS = ("train", "valid")
MEANS = {"rgb": ISOGD_RGB_MEAN, "depth": ISOGD_DEPTH_MEAN, "flow": FLOW_MEAN}
"""The value subtracted from each modality's pixels (the authors' code subtracts means only)."""
STYLES = {"scene": DEFAULT_STYLE, "plain": PLAIN_STYLE}


def modality_list(root: Path, split: str, modality: str) -> Path:
    """The authors'-format list of one split and modality (``train_rgb_list.txt``, ...)."""
    return root / f"{split}_{modality}_list.txt"


def load_data(params: RunParameters, settings: Table2Settings, modalities: str | None = None) -> list[Source]:
    """One data set with every chosen modality: payload ``{modality: (train, validation)}``.

    Facts: ``num_classes``, ``validation_samples``, ``modalities`` (the chosen ones, in the paper's
    column order), ``columns`` (modality -> the paper's column) and ``class_names`` (synthetic data only).
    """
    chosen = parse_modalities(modalities)
    if params.data_path is None:
        root, lists_root, description, num_classes, fingerprint = _synthetic(params, settings)
    else:
        root = lists_root = params.data_path
        missing = [modality_list(root, s, m).name for s in SPLITS for m in ("rgb", "depth")]
        missing = [name for name in missing if not (root / name).is_file()]
        needed = {f"{s}_{m}_list.txt" for s in SPLITS for m in chosen if m != "flow"} | {
            f"{s}_rgb_list.txt" for s in SPLITS
        }
        if needed & set(missing):
            raise ParameterError(
                f"data={str(root)!r} is not an IsoGD folder for Table 2: missing {', '.join(sorted(needed & set(missing)))}; "
                "it needs the authors' lists {train,valid}_{rgb,depth}_list.txt (lines 'path frame_count label', "
                "paths relative to the folder), or use data='synthetic'"
            )
        description, num_classes = f"IsoGD ({root.name})", ISOGD_CLASSES
        fingerprint = data_fingerprint(folder_manifest(root))
    clip = dict(num_frames=settings.num_frames, size=settings.size, seed=params.seed)
    payload = {}
    for modality in chosen:
        if modality == "flow":
            flow_root = _flow_root(root, fingerprint)
            lists = {s: write_flow_frames(root, modality_list(lists_root, s, "rgb"), flow_root) for s in SPLITS}
            data_root = flow_root
        else:
            lists, data_root = {s: modality_list(lists_root, s, modality) for s in SPLITS}, root
        payload[modality] = tuple(
            IsoGDDataset(data_root, lists[s], train=s == "train", mean=MEANS[modality], **clip) for s in SPLITS
        )
    return [
        Source(
            params.data_label,
            description,
            fingerprint,
            facts={
                "num_classes": int(num_classes),
                "validation_samples": len(payload[chosen[0]][1]),
                "modalities": list(chosen),
                "columns": {m: MODALITIES[m] for m in chosen},
                "class_names": list(SYNTHETIC_CLASSES) if params.data_path is None else [],
            },
            payload=payload,
        )
    ]


def _synthetic(params: RunParameters, settings: Table2Settings):
    if settings.style not in STYLES:
        raise ParameterError(f"style={settings.style!r} is not one of {', '.join(map(repr, STYLES))}")
    generator = dict(
        videos_per_class={"train": settings.train_videos_per_class, "valid": settings.val_videos_per_class},
        num_frames=settings.video_frames,
        size=settings.video_size,
        seed=params.seed,
        style={"name": settings.style, **asdict(STYLES[settings.style])},
    )
    root = data_cache_dir() / "synthetic_isogd" / f"{params.profile}-seed{params.seed}-{digest(generator, 8)}"
    write_synthetic_isogd(
        root,
        videos_per_class=generator["videos_per_class"],
        num_frames=settings.video_frames,
        size=settings.video_size,
        seed=params.seed,
        style=STYLES[settings.style],
    )
    description = (
        f"synthetic gestures in IsoGD's layout, RGB and depth videos ({len(SYNTHETIC_CLASSES)} classes, "
        + ("on a plain background, " if settings.style == "plain" else "")
        + f"{settings.train_videos_per_class}/{settings.val_videos_per_class} videos a class for train/validation)"
    )
    return root, root, description, len(SYNTHETIC_CLASSES), data_fingerprint({"synthetic_isogd": generator})


def _flow_root(root: Path, fingerprint: str) -> Path:
    """Where a data set's flow frames are cached: beside synthetic videos, in the data cache for a real folder."""
    if root.is_relative_to(data_cache_dir()):
        return root.with_name(f"{root.name}-flow")
    return data_cache_dir() / "isogd_flow" / fingerprint
