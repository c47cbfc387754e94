"""ChaLearn LAP IsoGD in the list format Zhang et al. (2018) fine-tune and test with.

The authors decoded every IsoGD video into a folder of images and index each subset with lines
``path frame_count label`` (``dataset_splits/IsoGD/{train,valid,test}_rgb_list.txt`` in their
repository)::

    /ssd/dataset/IsoGD_Image/train_image/RGB/M_00001/ 55 25

``path`` is a frame folder holding ``000001.jpg ... <frame_count>.jpg`` (1-based, six digits),
``label`` is in 0..248 (the official lists' 1..249 minus one). Besides frame folders this reader
accepts a video file as ``path`` (``.avi``, ``.mp4``, ...; the form IsoGD is released in),
decoded with PyAV. Relative paths are taken from ``root``; the authors' absolute paths can be
moved under ``root`` with ``strip_prefix=``.

The official lists (``train/001/M_00001.avi train/001/K_00001.avi 26``: RGB video, depth video,
label 1..249) are a different format; :func:`read_isogd_list` recognises them and says so.
Fields are separated by white space, so paths cannot contain spaces (as in the authors' reader).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
import pandas as pd
import torch

from motion_rnn.data.clips import ClipTransform, SamplingScheme, make_generator, sample_frame_indices
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.frames import list_frame_folder, read_frames

NUM_CLASSES = 249  # labels 0..248
ISOGD_RGB_MEAN = (112.0, 112.0, 112.0)  # RGB means subtracted in the authors' code (inputs.py)
ISOGD_DEPTH_MEAN = (127.0, 127.0, 127.0)  # depth frames, stored as 3-channel images
NUM_FRAMES = 32  # Sec. 4.2: "the temporal length is set to 32"
SIZE = 112
VIDEO_SUFFIXES = frozenset({".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg"})
_FORM = "'path frame_count label' (e.g. 'train/RGB/M_00001/ 55 25'), label in 0..248"


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def read_isogd_list(path: str | os.PathLike) -> pd.DataFrame:
    """A list of ``path frame_count label`` lines as a table with those three columns and ``line``.

    ``path`` is kept as written (str), ``frame_count`` and ``label`` are ints, ``line`` is the
    entry's 1-based line in the file (for messages). Blank lines are
    skipped. Raises :class:`DataFormatError` naming the file and line for a malformed line, a
    non-positive frame count, a label outside 0..248, and for an official IsoGD list.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError.build(
            path,
            found="no such file",
            expected=f"a list of lines {_FORM}",
            fix="check the list's path (the authors' lists are dataset_splits/IsoGD/*_rgb_list.txt)",
        )
    paths: list[str] = []
    counts: list[int] = []
    labels: list[int] = []
    lines: list[int] = []
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) == 3 and _int(fields[1]) is None and Path(fields[1]).suffix.lower() in VIDEO_SUFFIXES:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"{line.strip()!r}, an official IsoGD list line (RGB video, depth video, label 1..249)",
                    expected=f"the authors' format {_FORM}",
                    fix="write one line a video as '<video or frame folder> <frame count> "
                    "<label - 1>' (see write_isogd_list)",
                )
            count = _int(fields[1]) if len(fields) == 3 else None
            label = _int(fields[2]) if len(fields) == 3 else None
            if count is None or label is None:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"{line.strip()!r} ({len(fields)} field{'s' if len(fields) != 1 else ''})",
                    expected=f"three fields {_FORM}",
                    fix="correct the line; paths cannot contain spaces",
                )
            if count < 1:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"frame count {count}",
                    expected="a frame count of at least 1",
                    fix="count the video's frames again",
                )
            if not 0 <= label < NUM_CLASSES:
                hint = " (labels start at 0 here: the official 1..249 minus one)" if label == NUM_CLASSES else ""
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"label {label}",
                    expected=f"a label in 0..{NUM_CLASSES - 1}{hint}",
                    fix="correct the label",
                )
            paths.append(fields[0])
            counts.append(count)
            labels.append(label)
            lines.append(lineno)
    if not paths:
        raise DataFormatError.build(path, found="no entries", expected=f"lines {_FORM}", fix="fill the list")
    return pd.DataFrame(
        {
            "path": pd.Series(paths, dtype=object),
            "frame_count": pd.Series(counts, dtype=np.int64),
            "label": pd.Series(labels, dtype=np.int64),
            "line": pd.Series(lines, dtype=np.int64),
        }
    )


def write_isogd_list(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table with columns ``path, frame_count, label`` as a list :func:`read_isogd_list` reads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for p, n, y in table[["path", "frame_count", "label"]].itertuples(index=False):
            if any(c.isspace() for c in str(p)):
                raise ValueError(f"path {p!r} contains white space, which the list format cannot hold")
            f.write(f"{p} {int(n)} {int(y)}\n")
    return path


def read_video_frames(path: str | os.PathLike) -> torch.Tensor:
    """Every frame of a video file as ``(N, C, H, W)`` uint8 RGB, decoded with PyAV."""
    path = Path(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataFormatError.build(
                    path,
                    found="a file without a video stream",
                    expected="a video file",
                    fix="check the path; depth and RGB videos are separate files in IsoGD",
                )
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    except DataFormatError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise DataFormatError.build(
            path,
            found=f"a video that cannot be decoded ({exc})",
            expected="a readable video file",
            fix="replace the file from the IsoGD archive",
        ) from exc
    if not frames:
        raise DataFormatError.build(path, found="no frames", expected="a video with frames", fix="replace the file")
    return torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).contiguous()


class IsoGDDataset(torch.utils.data.Dataset):
    """Clips of the videos an IsoGD list names, sampled and prepared as in Zhang et al. (2018).

    Each item is a dict with keys:

    * ``"clip"``: ``(T, C, H, W)`` float32, ``T = num_frames``, ``C = 3`` (RGB, or depth stored
      as three channels), ``H = W = size``; pixel values in 0..255 minus ``mean`` (times ``scale``).
    * ``"label"``: int in 0..248.
    * ``"video_id"``: str, the name of the frame folder or video file without suffix (``M_00001``).

    ``train`` and ``seed`` act as in :class:`motion_rnn.data.jester.JesterDataset`. With
    ``check_frame_count`` (default) an entry whose frame count disagrees with the frames found
    raises :class:`DataFormatError`; otherwise the frames found are used.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        list_file: str | os.PathLike,
        *,
        num_frames: int = NUM_FRAMES,
        size: int = SIZE,
        train: bool,
        seed: int = 0,
        mean: Sequence[float] = ISOGD_RGB_MEAN,
        scale: float = 1.0,
        scheme: SamplingScheme = "segments",
        strip_prefix: str | None = None,
        check_frame_count: bool = True,
    ) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise DataFormatError.build(
                self.root,
                found="no such folder",
                expected="the folder the list's relative paths start from",
                fix="pass the folder holding the IsoGD frame folders or videos",
            )
        self.list_file = Path(list_file)
        self.table = read_isogd_list(self.list_file)
        self.strip_prefix = strip_prefix
        self._paths = [self._resolve(p) for p in self.table["path"]]
        missing = [(i, p) for i, p in enumerate(self._paths) if not p.exists()]
        if missing:
            shown = ", ".join(str(p) for _, p in missing[:5]) + (", ..." if len(missing) > 5 else "")
            absolute = any(Path(s).is_absolute() for s in self.table["path"]) and strip_prefix is None
            raise DataFormatError.build(
                self.list_file,
                found=f"{len(missing)} of {len(self._paths)} listed paths missing ({shown})",
                expected=f"every listed frame folder or video to exist (relative paths under {self.root})",
                fix="extract the missing videos"
                + (
                    "; the list holds absolute paths from another machine: pass strip_prefix= "
                    "with their common start (e.g. '/ssd/dataset/IsoGD_Image/') to read them "
                    "under root"
                    if absolute
                    else ""
                ),
            )
        self._counts = self.table["frame_count"].tolist()
        self._labels = self.table["label"].tolist()
        self._lines = self.table["line"].tolist()
        self._ids = [p.stem if p.suffix.lower() in VIDEO_SUFFIXES else p.name for p in self._paths]
        self.num_frames = int(num_frames)
        self.train = bool(train)
        self.seed = int(seed)
        self.scheme = scheme
        self.check_frame_count = bool(check_frame_count)
        self.epoch = 0
        self.transform = ClipTransform(size=size, mean=tuple(mean), train=self.train, scale=scale)

    def _resolve(self, text: str) -> Path:
        if self.strip_prefix is not None and text.startswith(self.strip_prefix):
            text = text[len(self.strip_prefix) :].lstrip("/")
        p = Path(text)
        return p if p.is_absolute() else self.root / p

    @property
    def num_classes(self) -> int:
        return NUM_CLASSES

    def set_epoch(self, epoch: int) -> None:
        """Select the random stream of an epoch (frames and crops are a function of it)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self._paths)

    def _check_count(self, index: int, found: int, where: Path) -> None:
        listed = self._counts[index]
        if self.check_frame_count and found != listed:
            raise DataFormatError.build(
                self.list_file,
                line=self._lines[index],
                found=f"frame count {listed} for {where}, which has {found} frames",
                expected="the listed count to match the frames found",
                fix="correct the count in the list, re-extract the frames, or pass "
                "check_frame_count=False to use the frames found",
            )

    def __getitem__(self, index: int) -> dict:
        where = self._paths[index]
        g = make_generator(self.seed, self.epoch, index)
        if where.is_dir():
            paths = list_frame_folder(where)
            self._check_count(index, len(paths), where)
            idx = sample_frame_indices(len(paths), self.num_frames, train=self.train, generator=g, scheme=self.scheme)
            frames = read_frames([paths[i] for i in idx])  # (T, C, H, W) uint8
        else:
            video = read_video_frames(where)  # (N, C, H, W) uint8
            self._check_count(index, video.shape[0], where)
            idx = sample_frame_indices(
                video.shape[0], self.num_frames, train=self.train, generator=g, scheme=self.scheme
            )
            frames = video[idx]
        clip = self.transform(frames, g)  # (T, C, size, size) float32
        return {"clip": clip, "label": int(self._labels[index]), "video_id": self._ids[index]}
