"""The 20BN-Jester v1 data set in its released layout (Zhang et al. 2018 train on it from scratch).

Layout (one folder of JPEG frames a video, 1-based five-digit names; ``;``-separated lists)::

    <root>/
      20bn-jester-v1/<video_id>/00001.jpg, 00002.jpg, ...
      jester-v1-labels.csv        one class name a line (27 lines)
      jester-v1-train.csv         <video_id>;<class name>
      jester-v1-validation.csv    <video_id>;<class name>
      jester-v1-test.csv          <video_id>            (no labels are published)

A label's index is its line in ``jester-v1-labels.csv`` (0-based). The frame folder's name is
configurable (``frames_dir=``) and the lists may sit in another folder (``csv_dir=``).

The frames are read with the frame-folder helpers of :mod:`motion_rnn.data.frames`
(:func:`~motion_rnn.data.frames.list_frame_folder`, :func:`~motion_rnn.data.frames.read_frames`),
which serve every data set whose videos are stored as numbered images (IsoGD as the authors
prepared it, too).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from motion_rnn.data.clips import (
    ClipTransform,
    SamplingScheme,
    make_generator,
    sample_frame_indices,
)
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.frames import list_frame_folder, read_frames

FRAMES_DIR = "20bn-jester-v1"
LABELS_FILE = "jester-v1-labels.csv"
SPLIT_FILES = {
    "train": "jester-v1-train.csv",
    "validation": "jester-v1-validation.csv",
    "test": "jester-v1-test.csv",
}
JESTER_MEAN = (114.0, 109.0, 104.0)  # RGB means subtracted in the authors' code (inputs.py)
NUM_FRAMES = 16  # Sec. 4.2: "each clip contains 16 frames"
SIZE = 112  # Sec. 4.2: "a spatial size of 112x112"

_LAYOUT = (
    f"a folder holding {FRAMES_DIR}/<video_id>/00001.jpg, 00002.jpg, ... and the lists "
    f"{LABELS_FILE}, {SPLIT_FILES['train']}, {SPLIT_FILES['validation']}, {SPLIT_FILES['test']}"
)


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------
def _check_root(root: str | os.PathLike) -> Path:
    root = Path(root)
    if not root.is_dir():
        raise DataFormatError.build(
            root,
            found="no such folder" if not root.exists() else "a file, not a folder",
            expected=_LAYOUT,
            fix="pass the folder where the Jester archive was extracted (or write synthetic data "
            "there with motion_rnn.data.jester.synthetic.write_synthetic_jester)",
        )
    return root


def _list_file(root: Path, csv_dir: str | os.PathLike | None, name: str) -> Path:
    folder = root if csv_dir is None else Path(root, csv_dir)
    path = folder / name
    if not path.is_file():
        raise DataFormatError.build(
            path,
            found="no such file",
            expected=_LAYOUT,
            fix=f"put {name} in {folder} (or point csv_dir= to the folder that holds the lists)",
        )
    return path


def _lines(path: Path) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, line ends and a UTF-8 byte-order mark removed."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [(i, s) for i, line in enumerate(f, 1) if (s := line.rstrip("\r\n")).strip()]


def read_jester_labels(root: str | os.PathLike, *, csv_dir: str | os.PathLike | None = None) -> list[str]:
    """Class names in ``jester-v1-labels.csv`` order; a label's index is its position here."""
    path = _list_file(_check_root(root), csv_dir, LABELS_FILE)
    names: list[str] = []
    seen: dict[str, int] = {}
    for lineno, text in _lines(path):
        if ";" in text:
            raise DataFormatError.build(
                path,
                line=lineno,
                found=f"{text!r}, which holds a ';'",
                expected="one class name a line, without separators",
                fix=f"check that {LABELS_FILE} and a split list were not swapped",
            )
        name = text.strip()
        if name in seen:
            raise DataFormatError.build(
                path,
                line=lineno,
                found=f"class {name!r} again (first on line {seen[name]})",
                expected="each class name once",
                fix="remove the repeated line",
            )
        seen[name] = lineno
        names.append(name)
    if not names:
        raise DataFormatError.build(
            path, found="no class names", expected="one class name a line", fix="restore the file"
        )
    return names


def read_jester_split(root: str | os.PathLike, split: str, *, csv_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """One split's list as a table with columns ``video_id`` (str), ``label_name``, ``label``.

    ``label`` is the index of ``label_name`` in :func:`read_jester_labels`; the unlabelled
    ``"test"`` split has ``label_name = None`` and ``label = -1``.
    """
    if split not in SPLIT_FILES:
        raise ValueError(f"split must be one of {tuple(SPLIT_FILES)}, got {split!r}")
    root = _check_root(root)
    names = read_jester_labels(root, csv_dir=csv_dir)
    index = {name: i for i, name in enumerate(names)}
    path = _list_file(root, csv_dir, SPLIT_FILES[split])
    labelled = split != "test"
    n_fields = 2 if labelled else 1
    form = "<video_id>;<class name>" if labelled else "<video_id>"
    ids: list[str] = []
    label_names: list[str | None] = []
    labels: list[int] = []
    seen: dict[str, int] = {}
    for lineno, text in _lines(path):
        fields = [f.strip() for f in text.split(";")]
        if len(fields) != n_fields or not fields[0]:
            raise DataFormatError.build(
                path,
                line=lineno,
                found=f"{text!r} ({len(fields)} field{'s' if len(fields) != 1 else ''})",
                expected=f"{n_fields} field{'s' if n_fields != 1 else ''} a line: {form}",
                fix="correct the line or restore the list from the archive",
            )
        vid = fields[0]
        if vid in seen:
            raise DataFormatError.build(
                path,
                line=lineno,
                found=f"video {vid!r} again (first on line {seen[vid]})",
                expected="each video once",
                fix="remove the repeated line",
            )
        seen[vid] = lineno
        ids.append(vid)
        if labelled:
            name = fields[1]
            if name not in index:
                known = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"label {name!r}, which is not in {LABELS_FILE}",
                    expected=f"one of its {len(names)} class names ({known})",
                    fix=f"correct the label or add it to {LABELS_FILE}",
                )
            label_names.append(name)
            labels.append(index[name])
        else:
            label_names.append(None)
            labels.append(-1)
    return pd.DataFrame(
        {
            "video_id": pd.Series(ids, dtype=object),
            "label_name": pd.Series(label_names, dtype=object),
            "label": pd.Series(labels, dtype=np.int64),
        }
    )


# ---------------------------------------------------------------------------------------------
# Dataset
# ---------------------------------------------------------------------------------------------
class JesterDataset(torch.utils.data.Dataset):
    """Clips of one Jester split, sampled and prepared as in Zhang et al. (2018).

    Each item is a dict with keys:

    * ``"clip"``: ``(T, C, H, W)`` float32, ``T = num_frames``, ``C = 3`` (RGB),
      ``H = W = size``; pixel values in 0..255 minus ``mean`` (times ``scale``).
    * ``"label"``: int, the class index (line of ``jester-v1-labels.csv``); -1 for ``"test"``.
    * ``"video_id"``: str, the video's folder name.

    ``train=True`` draws random frames within segments and a random crop offset; ``False`` takes
    segment centres and the centred crop. Randomness comes from ``(seed, epoch, index)``: call
    :meth:`set_epoch` at the start of each epoch to vary the jitter between epochs.

    Raises :class:`DataFormatError` at construction for a missing root, list or frames folder, a
    malformed list line or an unknown label, and for listed videos without a folder; at item
    access for gaps in a video's frame numbering and for unreadable images.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        split: str,
        *,
        num_frames: int = NUM_FRAMES,
        size: int = SIZE,
        train: bool,
        seed: int = 0,
        frames_dir: str | os.PathLike = FRAMES_DIR,
        csv_dir: str | os.PathLike | None = None,
        mean: Sequence[float] = JESTER_MEAN,
        scale: float = 1.0,
        scheme: SamplingScheme = "segments",
    ) -> None:
        self.root = _check_root(root)
        self.split = split
        self.table = read_jester_split(self.root, split, csv_dir=csv_dir)
        self.classes = read_jester_labels(self.root, csv_dir=csv_dir)
        self.frames_root = self.root / frames_dir
        if not self.frames_root.is_dir():
            raise DataFormatError.build(
                self.frames_root,
                found="no such folder",
                expected=_LAYOUT,
                fix="extract the frames archive there, or name its folder with frames_dir=",
            )
        with os.scandir(self.frames_root) as entries:
            present = {e.name for e in entries if e.is_dir()}
        missing = [v for v in self.table["video_id"] if v not in present]
        if missing:
            shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
            raise DataFormatError.build(
                self.frames_root,
                found=f"no folder for {len(missing)} of the {len(self.table)} videos listed in "
                f"{SPLIT_FILES[split]} ({shown})",
                expected="one frame folder a listed video",
                fix="extract the missing videos, or remove them from the list",
            )
        self.num_frames = int(num_frames)
        self.train = bool(train)
        self.seed = int(seed)
        self.scheme = scheme
        self.epoch = 0
        self.transform = ClipTransform(size=size, mean=tuple(mean), train=self.train, scale=scale)
        self._ids = self.table["video_id"].tolist()
        self._labels = self.table["label"].tolist()

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def set_epoch(self, epoch: int) -> None:
        """Select the random stream of an epoch (frames and crops are a function of it)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> dict:
        vid = self._ids[index]
        paths = list_frame_folder(self.frames_root / vid)
        g = make_generator(self.seed, self.epoch, index)
        idx = sample_frame_indices(len(paths), self.num_frames, train=self.train, generator=g, scheme=self.scheme)
        frames = read_frames([paths[i] for i in idx])  # (T, C, H, W) uint8
        clip = self.transform(frames, g)  # (T, C, size, size) float32
        return {"clip": clip, "label": int(self._labels[index]), "video_id": vid}
