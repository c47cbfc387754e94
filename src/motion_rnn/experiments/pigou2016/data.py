"""The data of Pigou et al.'s tables: Montalbano sequences (synthetic, or the real archives), decoded once.

Decoding an archive (H.264 colour and depth, the skeleton crop) is the slow part of reading the
data; every network of a table reads the same splits with the same crop, depth and frame size.
:class:`Splits` therefore decodes each split once per (crop, depth) and keeps the sequences in
memory; the fragments of every row are cut from those arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from motion_rnn.choices import ParameterError
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.montalbano import MontalbanoFragments, list_samples, load_rgbd, montalbano_split, sample_id
from motion_rnn.data.montalbano.synthetic import synthetic_split_ids, write_synthetic_montalbano
from motion_rnn.experiments.pigou2016.settings import Settings
from motion_rnn.fingerprint import data_fingerprint, folder_manifest
from motion_rnn.metrics.jaccard import frames_to_intervals
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters


@dataclass
class Splits:
    """The sequences of each split, decoded once per (crop, depth) and held in memory."""

    paths: dict[str, list[Path]]
    """``"train"``, ``"validation"``, ``"test"`` -> the archives, by id."""
    description: str
    size: int
    """Side of the network's input frames."""
    cache_dir: Path | None = None
    """Where real sequences are also kept on disk once decoded and cropped (none for synthetic ones)."""
    decoded: dict = field(default_factory=dict, repr=False)

    def sequences(
        self, split: str, *, crop: str = "skeleton", depth: bool = True
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The split's sequences as network input, ``(T, C, size, size)`` uint8 and labels ``(T,)``, decoded once."""
        key = (split, crop, depth)
        if key not in self.decoded:
            self.decoded[key] = [
                load_rgbd(p, crop=crop, size=self.size, depth=depth, cache_dir=self.cache_dir)
                for p in self.paths[split]
            ]
        return self.decoded[key]

    def fragments(
        self,
        split: str,
        *,
        train: bool,
        length: int,
        settings: Settings,
        seed: int,
        crop: str = "skeleton",
        depth: bool = True,
        window: str = "start",
        stride: int | None = None,
    ) -> MontalbanoFragments:
        return MontalbanoFragments(
            self.paths[split],
            train=train,
            length=length,
            window=window,
            stride=stride,
            augment="paper" if settings.augment else None,
            fragments_per_epoch=settings.fragments_per_epoch,
            seed=seed,
            crop=crop,
            size=settings.frame_size,
            depth=depth,
            sequences=self.sequences(split, crop=crop, depth=depth),
        )


def count_test_gestures(splits: Splits) -> int:
    """How many ground-truth gestures the test sequences hold (the trials of Error Rate*)."""
    return sum(len(frames_to_intervals(labels)) for _, labels in splits.sequences("test"))


def load_data(params: RunParameters, settings: Settings) -> list[Source]:
    """The sequences the ``data`` parameter names, split as the authors did (synthetic ones are written once).

    Synthetic: ``settings.train_sequences`` / ``validation_sequences`` / ``test_sequences``
    sequences with ids in the authors' ranges, written to ``data_cache_dir()/synthetic_montalbano/
    <profile>-seed<seed>`` in the challenge's format and read back by the same reader. A path: a
    folder holding the real ``SampleNNNN.zip`` archives (subfolders searched).
    """
    if params.data_path is None:
        root = data_cache_dir() / "synthetic_montalbano" / f"{params.profile}-seed{params.seed}"
        ids = synthetic_split_ids(
            train=settings.train_sequences, validation=settings.validation_sequences, test=settings.test_sequences
        )
        generator = dict(
            ids=sum(ids.values(), []),
            frames_per_sequence=settings.sequence_frames,
            seed=params.seed,
            size=settings.video_size,
            num_performers=settings.performers,
        )
        write_synthetic_montalbano(root, **generator)
        paths = {split: [root / f"Sample{i:04d}.zip" for i in members] for split, members in ids.items()}
        splits = Splits(
            paths,
            f"synthetic Montalbano sequences in the challenge's format ({len(ids['train'])} "
            f"train, {len(ids['validation'])} validation, {len(ids['test'])} test, "
            f"{settings.sequence_frames} frames of {settings.video_size[1]}x"
            f"{settings.video_size[0]} pixels each, {settings.performers} performers)",
            size=settings.frame_size,
        )
        fingerprint = data_fingerprint({"synthetic_montalbano": generator})
    else:
        splits = _real_splits(params.data_path, settings)
        fingerprint = data_fingerprint(folder_manifest(params.data_path, suffixes=(".zip",)))
    return [
        Source(
            params.data_label,
            splits.description,
            fingerprint,
            facts={"test_gestures": count_test_gestures(splits), "test_sequences": len(splits.paths["test"])},
            payload=splits,
        )
    ]


def _real_splits(root: Path, settings: Settings) -> Splits:
    try:
        archives = list_samples(root)
    except DataFormatError:
        raise ParameterError(
            f"data={str(root)!r}: no Montalbano archives there; expected a folder holding the ChaLearn LAP 2014 "
            f"track 3 archives SampleNNNN.zip (each with SampleNNNN_color.mp4, _depth.mp4, _user.mp4, "
            f"_skeleton.csv, _data.csv and _labels.csv; subfolders are searched), or use data='synthetic'"
        ) from None
    by_id = {sample_id(p): p for p in archives}
    split = montalbano_split([i for i in by_id if 1 <= i <= 940])
    empty = [name for name, members in split.items() if not members]
    if empty:
        raise ParameterError(
            f"data={str(root)!r}: no archive of the {', '.join(empty)} split; the authors' split is train "
            f"Sample0001..Sample0600 (without 0417), validation Sample0601..Sample0700, test Sample0701..Sample0940"
        )
    paths = {name: [by_id[i] for i in members] for name, members in split.items()}
    return Splits(
        paths,
        f"Montalbano ({root.name}: {len(paths['train'])} train, {len(paths['validation'])} "
        f"validation, {len(paths['test'])} test sequences)",
        size=settings.frame_size,
        cache_dir=data_cache_dir() / "montalbano_rgbd" / root.name,
    )
