"""The data of Zhang et al.'s Table 1: synthetic gestures in Jester's layout, or a real Jester or IsoGD folder."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from motion_rnn.choices import ParameterError
from motion_rnn.data.isogd import IsoGDDataset
from motion_rnn.data.jester import JesterDataset
from motion_rnn.data.jester.synthetic import DEFAULT_STYLE, PLAIN_STYLE, SYNTHETIC_CLASSES, write_synthetic_jester
from motion_rnn.experiments.zhang2018.settings import ISOGD_CLASSES, ISOGD_FRAMES, Settings
from motion_rnn.fingerprint import data_fingerprint, digest, folder_manifest
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters


def load_data(params: RunParameters, settings: Settings) -> list[Source]:
    """The train and validation sets the ``data`` parameter names (synthetic data are generated once).

    The source's payload is ``(train, validation)``; its facts: ``num_classes``, ``validation_samples``
    and ``column`` (the paper's column our accuracy sits beside: Jester or IsoGD).
    """
    clip = dict(num_frames=settings.num_frames, size=settings.size, seed=params.seed)
    if params.data_path is None:
        generator = dict(
            videos_per_class={"train": settings.train_videos_per_class, "validation": settings.val_videos_per_class},
            num_frames=settings.video_frames,
            size=settings.video_size,
            seed=params.seed,
        )
        styles = {"scene": DEFAULT_STYLE, "plain": PLAIN_STYLE}
        if settings.style not in styles:
            raise ParameterError(f"style={settings.style!r} is not one of {', '.join(map(repr, styles))}")
        style = styles[settings.style]
        folder = f"{params.profile}-seed{params.seed}"
        if settings.style != "scene":  # the scene style's sets keep the folder and fingerprint they had
            generator["style"] = {"name": settings.style, **asdict(style)}
            folder += f"-{digest(generator, 8)}"
        root = data_cache_dir() / "synthetic_jester" / folder
        write_synthetic_jester(root, **{k: v for k, v in generator.items() if k != "style"}, style=style)
        train, val = (
            JesterDataset(root, "train", train=True, **clip),
            JesterDataset(root, "validation", train=False, **clip),
        )
        description = (
            f"synthetic gestures in Jester's layout ({len(SYNTHETIC_CLASSES)} classes, "
            + ("on a plain background, " if settings.style == "plain" else "")
            + f"{settings.train_videos_per_class}/{settings.val_videos_per_class} videos a class for "
            "train/validation)"
        )
        return [
            _source(
                params.data_label,
                description,
                data_fingerprint({"synthetic_jester": generator}),
                train,
                val,
                len(SYNTHETIC_CLASSES),
                "Validating accuracy (Jester)",
            )
        ]
    root = params.data_path
    manifest = data_fingerprint(folder_manifest(root))
    if (root / "jester-v1-labels.csv").exists():
        train = JesterDataset(root, "train", train=True, **clip)
        return [
            _source(
                params.data_label,
                f"Jester ({root.name})",
                manifest,
                train,
                JesterDataset(root, "validation", train=False, **clip),
                train.num_classes,
                "Validating accuracy (Jester)",
            )
        ]
    lists = {name: root / f"{name}_list.txt" for name in ("train", "valid")}
    if all(p.exists() for p in lists.values()):
        # IsoGD clips are 32 frames in the paper (Sec. 3.2); smaller profiles keep their own length.
        clip["num_frames"] = ISOGD_FRAMES if params.profile == "full" else settings.num_frames
        train = IsoGDDataset(root, lists["train"], train=True, **clip)
        val = IsoGDDataset(root, lists["valid"], train=False, **clip)
        return [
            _source(
                params.data_label,
                f"IsoGD ({root.name})",
                manifest,
                train,
                val,
                ISOGD_CLASSES,
                "Validating accuracy (IsoGD)",
            )
        ]
    raise ParameterError(
        f"data={str(root)!r}: neither a Jester folder (jester-v1-labels.csv, jester-v1-train.csv, "
        f"jester-v1-validation.csv and 20bn-jester-v1/) nor an IsoGD folder (train_list.txt and valid_list.txt "
        f"with lines 'path frame_count label'); point data at one of these, or use data='synthetic'"
    )


def _source(label, description, fingerprint, train, validation, num_classes, column) -> Source:
    return Source(
        label,
        description,
        fingerprint,
        facts={"num_classes": int(num_classes), "validation_samples": len(validation), "column": column},
        payload=(train, validation),
    )
