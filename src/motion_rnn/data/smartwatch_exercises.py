"""Real human motion, split by person: smartwatch recordings of seven shoulder exercises.

A real stand-in for NTU RGB+D in the recurrent-network ablations of Le Roux (2017), *Learning
action recognition from 3D poses* (Tables 4-7, 11, 12), for when the NTU files are not at hand:
real people performing real movements, and a test set of people no model has seen (the thesis's
cross-subject protocol, Sec. 3.1.1). It answers questions about recurrent units, depth, width,
regularisation and how a network pools over time; it cannot answer questions about skeletons
(joint subsets, pose alignment, the skeleton transformer: Tables 8 and 9).

The data
    D. M. Burns, N. Leung, M. Hardisty, C. Whyne, P. Henry and S. McLachlin, "Shoulder
    physiotherapy exercise recognition: machine learning the inertial signals from a
    smartwatch", *Physiological Measurement* 39(7), 2018 (arXiv:1802.01489). Healthy adults
    wore a smartwatch on the active arm and performed sets of 20 repetitions of seven exercises
    of a rotator-cuff physiotherapy protocol; the watch's 6-axis inertial sensor was sampled at
    50 Hz. The part that the ``seglearn`` package ships (``seglearn.datasets.load_watch``, BSD
    licence; read offline from the installed wheel) holds 140 recordings: 10 people x 7
    exercises x 2 arms (each person did each exercise once with the left and once with the
    right arm), 947-2618 samples (19-52 s) each, channels ``ax ay az`` (accelerometer; about
    1 at rest, i.e. in g) and ``wx wy wz`` (gyroscope), units as stored. Classes, as the data
    set abbreviates them: PEN (pendulum), ABD (abduction), FEL (forward elevation), IR and ER
    (internal and external rotation), TRAP and ROW (a trapezius exercise and a row).

How it differs from NTU RGB+D
    One sensor on one wrist, not 25 joints in 3D: D = 6 channels of acceleration and angular
    rate in the watch's own frame, which turns with the forearm (no camera, so no viewpoint;
    instead the watch's orientation, and left arms mirror right arms). 7 classes, not 60; 10
    people, not 40; 140 recordings, not 56,880. Each recording repeats one exercise 20 times,
    so a few seconds already show the class and order within a window matters less than in
    NTU's one-shot actions. No tracking failures, no second person.

Windows (our choice, not the paper's or the thesis's)
    To make many sequences of NTU-like length, each recording is low-pass resampled from 50 Hz
    to ``rate_hz`` (``scipy.signal.resample_poly``) and cut into windows of ``window_s``
    seconds every ``stride_s`` seconds (default 4 s at 25 Hz = 100 steps every 2 s; NTU's
    sequences are a few seconds at 30 frames a second). A window inherits its recording's
    class, person and arm. ``window_s=None`` keeps whole recordings (variable lengths).

The split by person (fixed; :data:`PERSON_SPLIT`)
    Persons 1-5 train, 6 and 7 validate, 8-10 test. As in the thesis's Sec. 3.1.1, the
    validation people are held out of training, so validation, like test, measures people the
    model has not seen. Windows of one recording never straddle two parts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from motion_rnn.data.ntu import Split
from motion_rnn.data.sequences import SequenceDataset

__all__ = [
    "CHANNEL_NAMES",
    "CLASS_DESCRIPTIONS",
    "CLASS_NAMES",
    "PERSON_SPLIT",
    "REQUIREMENT",
    "SAMPLE_RATE_HZ",
    "MotionSet",
    "load_smartwatch_exercises",
    "person_split",
]

REQUIREMENT = "seglearn==1.2.5"
"""The package (and version) that ships the recordings."""

SAMPLE_RATE_HZ = 50.0  # the watch's sampling rate (seglearn's load_watch docstring)
CLASS_NAMES: tuple[str, ...] = ("PEN", "ABD", "FEL", "IR", "ER", "TRAP", "ROW")
"""The seven exercises in the order of the stored labels 0..6 (checked at load time)."""
CLASS_DESCRIPTIONS: dict[str, str] = {
    "PEN": "pendulum",
    "ABD": "abduction",
    "FEL": "forward elevation",
    "IR": "internal rotation",
    "ER": "external rotation",
    "TRAP": "trapezius exercise",
    "ROW": "row",
}
CHANNEL_NAMES: tuple[str, ...] = ("ax", "ay", "az", "wx", "wy", "wz")
PERSON_SPLIT: dict[str, tuple[int, ...]] = {
    "train": (1, 2, 3, 4, 5),
    "validation": (6, 7),
    "test": (8, 9, 10),
}
"""Persons (the data set's subject numbers) of each part; see the module's docstring."""


@dataclass(frozen=True)
class MotionSet:
    """Sequences with their labels and the people who made them.

    * ``sequences``: (N, T, D) float32 windows, or a list of N arrays (T_i, D) for whole
      recordings (``window_s=None``);
    * ``labels``: (N,) int64, indices into ``class_names``;
    * ``persons``: (N,) int64, the person (1..10);
    * ``sides``: (N,) int64, the arm that wore the watch, 1 right, 0 left;
    * ``recordings``: (N,) int64, the recording (0..139) a window was cut from;
    * ``starts``: (N,) int64, the window's first step in the resampled recording.
    """

    sequences: np.ndarray | list[np.ndarray]
    labels: np.ndarray
    persons: np.ndarray
    sides: np.ndarray
    recordings: np.ndarray
    starts: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES
    channel_names: tuple[str, ...] = CHANNEL_NAMES
    rate_hz: float = SAMPLE_RATE_HZ

    def __len__(self) -> int:
        return len(self.labels)

    def split(self) -> Split:
        """Indices of the train, validation and test windows (:data:`PERSON_SPLIT`)."""
        return person_split(self.persons)

    def subset(self, indices) -> MotionSet:
        """The items at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        if isinstance(self.sequences, list):
            sequences = [self.sequences[i] for i in indices]
        else:
            sequences = self.sequences[indices]
        return replace(
            self,
            sequences=sequences,
            labels=self.labels[indices],
            persons=self.persons[indices],
            sides=self.sides[indices],
            recordings=self.recordings[indices],
            starts=self.starts[indices],
        )

    def dataset(self, part: str | None = None, *, transform=None) -> SequenceDataset:
        """A :class:`~motion_rnn.data.sequences.SequenceDataset` of one part (or all) whose items
        carry ``"group"`` = the person; batch it with :func:`~motion_rnn.data.sequences.pad_collate`."""
        data = self if part is None else self.subset(getattr(self.split(), _part(part)))
        names = [f"P{p:02d}R{r:03d}S{s:05d}" for p, r, s in zip(data.persons, data.recordings, data.starts)]
        return SequenceDataset(data.sequences, data.labels, transform=transform, names=names, groups=data.persons)


def _part(part: str) -> str:
    if part not in PERSON_SPLIT:
        raise ValueError(f"part={part!r}; expected one of {list(PERSON_SPLIT)}")
    return part


def person_split(persons) -> Split:
    """Index lists of the train, validation and test items by :data:`PERSON_SPLIT`.

    Raises:
        ValueError: a person in none of the parts.
    """
    persons = np.asarray(persons, dtype=np.int64)
    known = {p: part for part, members in PERSON_SPLIT.items() for p in members}
    unknown = sorted(set(persons.tolist()) - set(known))
    if unknown:
        raise ValueError(f"persons {unknown} are in no part of PERSON_SPLIT {PERSON_SPLIT}")
    split = Split([], [], [])
    for i, p in enumerate(persons.tolist()):
        getattr(split, known[p]).append(i)
    return split


def _load_watch() -> dict:
    try:
        from seglearn.datasets import load_watch
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the smartwatch recordings ship with the seglearn package: pip install '{REQUIREMENT}'"
        ) from error
    data = load_watch()
    stored = tuple(str(c) for c in data["y_labels"])
    if stored != CLASS_NAMES or tuple(str(c) for c in data["X_labels"]) != CHANNEL_NAMES:
        raise ValueError(
            f"seglearn's watch data has classes {stored} and channels {tuple(data['X_labels'])}; "
            f"expected {CLASS_NAMES} and {CHANNEL_NAMES} (seglearn {REQUIREMENT.split('==')[1]})"
        )
    return data


def load_smartwatch_exercises(
    *,
    window_s: float | None = 4.0,
    stride_s: float | None = 2.0,
    rate_hz: float = 25.0,
) -> MotionSet:
    """Load the 140 recordings, resampled to ``rate_hz`` and cut into windows.

    Args:
        window_s: window length in seconds (``round(window_s * rate_hz)`` steps); ``None``
            keeps each recording whole.
        stride_s: seconds between the starts of consecutive windows (default: ``window_s``
            when only ``window_s`` is given).
        rate_hz: the sampling rate after resampling, at most 50 Hz.

    Returns:
        a :class:`MotionSet` of (N, T, 6) float32 windows (T = the window's steps), in the
        order of the recordings, then of time.
    """
    if not 0 < rate_hz <= SAMPLE_RATE_HZ:
        raise ValueError(f"rate_hz={rate_hz}; expected a rate in (0, {SAMPLE_RATE_HZ}]")
    ratio = Fraction(rate_hz / SAMPLE_RATE_HZ).limit_denominator(100)
    if not math.isclose(float(ratio) * SAMPLE_RATE_HZ, rate_hz, rel_tol=1e-9):
        raise ValueError(f"rate_hz={rate_hz} is not 50 Hz times a ratio of small integers")
    data = _load_watch()
    recordings = [
        np.asarray(x, dtype=np.float64)
        if ratio == 1
        else resample_poly(np.asarray(x, dtype=np.float64), ratio.numerator, ratio.denominator, axis=0)
        for x in data["X"]
    ]  # low-pass filtered (a Kaiser window FIR) before decimation
    labels = np.asarray(data["y"], dtype=np.int64)
    persons = np.asarray(data["subject"], dtype=np.int64)
    sides = np.asarray(data["side"], dtype=np.int64)
    if window_s is None:
        n = len(recordings)
        return MotionSet(
            [r.astype(np.float32) for r in recordings],
            labels,
            persons,
            sides,
            np.arange(n, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            rate_hz=float(rate_hz),
        )
    window = int(round(window_s * rate_hz))
    stride = window if stride_s is None else int(round(stride_s * rate_hz))
    if window < 2 or stride < 1:
        raise ValueError(f"window_s={window_s}, stride_s={stride_s} give {window} and {stride} steps")
    windows, rows = [], []
    for r, x in enumerate(recordings):
        for start in range(0, len(x) - window + 1, stride):
            windows.append(x[start : start + window])
            rows.append((labels[r], persons[r], sides[r], r, start))
    if not windows:
        raise ValueError(f"no recording is {window} steps long at {rate_hz} Hz")
    columns = np.asarray(rows, dtype=np.int64).T
    return MotionSet(np.stack(windows).astype(np.float32), *columns, rate_hz=float(rate_hz))
