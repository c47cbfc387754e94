"""The data of Le Roux's tables: NTU RGB+D skeletons (synthetic or real) and the smartwatch stand-in,
and each row's preprocessing of them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from motion_rnn.choices import ParameterError, check_choice
from motion_rnn.data import pose
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ntu import NTUSkeletonDataset, list_skeleton_files
from motion_rnn.data.ntu.synthetic import SYNTHETIC_NTU_ACTIONS, write_synthetic_ntu
from motion_rnn.data.sequences import SequenceDataset, materialize, subsample_frames
from motion_rnn.experiments.leroux2017.settings import Settings
from motion_rnn.fingerprint import data_fingerprint, folder_manifest
from motion_rnn.paths import data_cache_dir
from motion_rnn.sources import Source

if TYPE_CHECKING:  # types only: the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters

STANDINS = ("smartwatch",)
"""Real stand-ins the notebooks of Tables 4-7 can run beside the skeletons (``standin=None``: none)."""
NTU_CLASSES = 60
NTU_LAYOUT = (
    "a folder holding the NTU RGB+D skeleton files, named SsssCcccPpppRrrrAaaa.skeleton "
    "(the data set's nturgb+d_skeletons folder, searched recursively)"
)


@dataclass
class RawSplits:
    """Sequences of one data set before the table's preprocessing: (T, 25, 3) skeletons (gaps filled)
    or (T, D) sensor windows, with labels, for the train, validation and test parts."""

    train: SequenceDataset
    validation: SequenceDataset
    test: SequenceDataset
    num_classes: int
    kind: str  # "skeleton" or "sensor"
    label: str  # the results' ``data`` value
    description: str
    class_names: tuple[str, ...] = ()
    prepared: dict = field(default_factory=dict, repr=False)
    """Each preprocessing's parts (:func:`prepare`), made once for all the rows that share it."""

    def source(self, fingerprint: str) -> Source:
        return Source(
            self.label,
            self.description,
            fingerprint,
            facts={
                "num_classes": self.num_classes,
                "kind": self.kind,
                "class_names": list(self.class_names),
                # how many sequences each part holds: the trials of a test against chance
                "samples": {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)},
            },
            payload=self,
        )


def synthetic_root(params: RunParameters) -> Path:
    return data_cache_dir() / "synthetic_ntu" / f"{params.profile}-seed{params.seed}"


def _read_skeletons(root: Path, label: str, description: str, num_classes: int, class_names) -> RawSplits:
    # Sec. 3.1.1: Kinect failures filled with a cubic spline per joint coordinate, once per file.
    parts = {
        split: materialize(NTUSkeletonDataset(root, split=split, protocol="cross_subject", transform=pose.fill_missing))
        for split in ("train", "validation", "test")
    }
    empty = [s for s, d in parts.items() if len(d) == 0]
    if empty:
        raise ParameterError(
            f"data at {root}: the cross-subject {', '.join(empty)} part(s) hold no sequence; "
            f"expected {NTU_LAYOUT} with training, validation (performers 25, 27, 28, 31, "
            "34, 35, 38) and test performers"
        )
    return RawSplits(
        parts["train"],
        parts["validation"],
        parts["test"],
        num_classes,
        "skeleton",
        label,
        description,
        tuple(class_names),
    )


def load_data(params: RunParameters, settings: Settings, standin: str | None = None) -> list[Source]:
    """The skeletons the ``data`` parameter names (synthetic NTU files, written once, or a real
    folder), and the real stand-in ``standin`` beside them (Tables 4-7)."""
    return [load_skeletons(params, settings)] + ([load_standin(standin, settings)] if standin else [])


def load_skeletons(params: RunParameters, settings: Settings) -> Source:
    """The skeletons the ``data`` parameter names: synthetic NTU files (written once) or a real folder."""
    if params.data_path is None:
        generator = {"performances_per_class": settings.performances_per_class, "seed": params.seed}
        root = write_synthetic_ntu(synthetic_root(params), **generator)
        raw = _read_skeletons(
            root,
            params.data_label,
            f"synthetic NTU RGB+D skeletons ({len(SYNTHETIC_NTU_ACTIONS)} classes, "
            f"{settings.performances_per_class} performances a class, three cameras each)",
            len(SYNTHETIC_NTU_ACTIONS),
            SYNTHETIC_NTU_ACTIONS,
        )
        return raw.source(data_fingerprint({"synthetic_ntu": generator}))
    root = params.data_path
    try:
        list_skeleton_files(root)
    except (DataFormatError, FileNotFoundError) as error:
        raise ParameterError(
            f"data={str(root)!r} is not an NTU RGB+D folder: expected {NTU_LAYOUT}; or use data='synthetic' ({error})"
        ) from None
    from motion_rnn.data.ntu import ACTION_NAMES

    raw = _read_skeletons(root, params.data_label, f"NTU RGB+D skeletons ({root.name})", NTU_CLASSES, ACTION_NAMES)
    return raw.source(data_fingerprint(folder_manifest(root, suffixes=(".skeleton",))))


def load_standin(name: str, settings: Settings) -> Source:
    """The smartwatch exercises, windows split by person (persons 1-5 train, 6-7 validate, 8-10 test).

    Our choices: each channel is standardised with the training windows' mean and standard
    deviation; with ``standin_windows_per_class`` a class keeps that many windows of each part,
    evenly spaced over its recordings.
    """
    check_choice("standin", name, STANDINS)
    from motion_rnn.data.smartwatch_exercises import CLASS_NAMES, load_smartwatch_exercises

    windows = load_smartwatch_exercises(
        window_s=settings.standin_window_s, stride_s=settings.standin_stride_s, rate_hz=settings.standin_rate_hz
    )
    split = windows.split()
    parts = {}
    for part in ("train", "validation", "test"):
        index = np.asarray(getattr(split, part))
        if settings.standin_windows_per_class is not None:
            keep = []
            for label in range(len(CLASS_NAMES)):
                own = index[windows.labels[index] == label]
                take = np.linspace(0, len(own) - 1, min(len(own), settings.standin_windows_per_class)).round()
                keep.extend(own[take.astype(int)].tolist())
            index = np.asarray(sorted(keep))
        parts[part] = windows.subset(index)
    mean = parts["train"].sequences.mean(axis=(0, 1))
    std = parts["train"].sequences.std(axis=(0, 1)) + 1e-6
    data = {p: SequenceDataset((s.sequences - mean) / std, s.labels) for p, s in parts.items()}
    steps = parts["train"].sequences.shape[1]
    raw = RawSplits(
        data["train"],
        data["validation"],
        data["test"],
        len(CLASS_NAMES),
        "sensor",
        name,
        f"smartwatch exercises (real; {len(CLASS_NAMES)} classes, windows of {steps} steps at "
        f"{settings.standin_rate_hz:g} Hz, split by person: {len(data['train'])} train, "
        f"{len(data['validation'])} validation, {len(data['test'])} test windows)",
        CLASS_NAMES,
    )
    return raw.source(
        data_fingerprint(
            {
                "smartwatch": {
                    k: getattr(settings, k)
                    for k in ("standin_rate_hz", "standin_window_s", "standin_stride_s", "standin_windows_per_class")
                }
            }
        )
    )


def prepare_sequence(
    seq: np.ndarray,
    *,
    joints: int,
    align: bool,
    inputs: str,
    max_frames: int | None,
    reference_bone_lengths: np.ndarray | None = None,
) -> np.ndarray:
    """One skeleton (T, 25, 3), gaps filled, -> what the network reads: (T', J, 3).

    Table 9: the 13 joints of Sec. 4.2.2 or all 25; pose alignment (Sec. 4.2.2) or the baseline's
    translation of the first frame's torso to the origin (Sec. 3.1.1); then, ours, at most
    ``max_frames`` evenly spaced frames; then skeleton motion :math:`M_t = P_{t+1} - P_t` if asked
    (Sec. 3.3.2).
    """
    out = pose.preprocess(
        seq, num_joints=joints, align=align, fill=False, reference_bone_lengths=reference_bone_lengths
    )
    if max_frames is not None:
        out = subsample_frames(out, max_frames + (1 if inputs == "motion" else 0))
    if inputs == "motion":
        out = pose.skeleton_motion(out)
    return np.asarray(out, dtype=np.float32)


@dataclass
class Prepared:
    train: SequenceDataset
    validation: SequenceDataset
    test: SequenceDataset
    input_shape: tuple[int, ...]  # one step: (J, 3) or (D,)


def prepared_for(raw: RawSplits, config: dict, settings: Settings) -> Prepared:
    """:func:`prepare`, made once per preprocessing and kept for the other rows that share it."""
    key = (config["joints"], config["align"], config["inputs"])
    if key not in raw.prepared:
        raw.prepared[key] = prepare(raw, config, settings)
    return raw.prepared[key]


def prepare(raw: RawSplits, config: dict, settings: Settings) -> Prepared:
    """The three parts as the row's network reads them."""
    if raw.kind == "sensor":
        if config["transformer"] or config["joints"] != 25 or config["align"] or config["inputs"] != "positions":
            raise ValueError(
                "skeleton settings (transformer, joints, align, motion) need skeletons, not sensor windows"
            )
        cut = (lambda s: subsample_frames(s, settings.max_frames)) if settings.max_frames else None
        parts = [SequenceDataset(d.sequences, d.labels, transform=cut) for d in (raw.train, raw.validation, raw.test)]
        return Prepared(*parts, input_shape=tuple(raw.train.sequences[0].shape[1:]))
    reference = None
    if config["align"]:
        # Sec. 4.2.2: "compute the length of body bones on the training set"
        reference = pose.bone_length_statistics(
            pose.select_joints(s) if config["joints"] == 13 else s for s in raw.train.sequences
        )
    transform = functools.partial(
        prepare_sequence,
        joints=config["joints"],
        align=config["align"],
        inputs=config["inputs"],
        max_frames=settings.max_frames,
        reference_bone_lengths=reference,
    )
    parts = [
        SequenceDataset([transform(s) for s in d.sequences], d.labels) for d in (raw.train, raw.validation, raw.test)
    ]
    return Prepared(*parts, input_shape=(config["joints"], 3))
