"""UCF-101 as its publishers lay it out, and the official train/test splits.

Soomro, Zamir and Shah 2012, "UCF101: A dataset of 101 human actions classes from videos in the
wild" (CRCV-TR-12-01); Lakhal et al. 2018 report accuracy on split 1 (Sec. 4). ``UCF101.rar``
extracts to one folder a class, each video named after its class, group and clip::

    <root>/ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi

The group ``gXX`` (01..25) gathers the 4-7 clips cut from one longer video, so one person and
one background; the official splits keep each group on one side (groups 1-7 test, 8-25 train in
split 1), which is why the group is a column here. The splits come apart, in
``UCFTrainTestlist.zip``, which extracts to ``ucfTrainTestlist/``::

    classInd.txt       1 ApplyEyeMakeup               (label 1..101, class name)
    trainlist01.txt    ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1
    testlist01.txt     ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi    (no label: the folder's class)

and ``trainlist02/03``, ``testlist02/03`` for splits 2 and 3. The files have Windows line ends;
blank lines are skipped. Labels here are 0-based (classInd's number minus one).

One quirk of the real data: the folder ``HandstandPushups`` holds ``v_HandStandPushups_*.avi``, so
the class in a file name is compared with its folder's without regard to case.

Every problem is reported with :class:`DataFormatError`, naming the file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.video import LabelledVideos

NUM_CLASSES = 101
SPLITS: tuple[int, ...] = (1, 2, 3)
SUBSETS: tuple[str, ...] = ("train", "test")
LIST_FOLDER = "ucfTrainTestlist"  # what UCFTrainTestlist.zip extracts to
ARCHIVE = "UCFTrainTestlist.zip"
CATEGORIES: tuple[str, ...] = (
    "Human-Object Interaction",
    "Body-Motion Only",
    "Human-Human Interaction",
    "Playing Musical Instruments",
    "Sports",
)
"""The five action types of Soomro et al. 2012 (Lakhal et al. 2018, Sec. 4 and Table 3)."""

PAPER_CLASS_NAMES: dict[str, str] = {
    "Pizza Tossing": "PizzaTossing",
    "Mixing Batter": "Mixing",
    "Playing Dhol": "PlayingDhol",
    "Salsa Spins": "SalsaSpin",
    "Ice Dancing": "IceDancing",
}
"""The classes Lakhal et al. name in Table 3, as classInd.txt spells them (the data set's web page
calls the class ``Mixing`` "Mixing Batter")."""

COLUMNS: tuple[str, ...] = ("video", "path", "label", "class_name", "group")
_FILE_NAME = re.compile(r"^v_(?P<cls>.+)_g(?P<group>\d+)_c(?P<clip>\d+)\.[A-Za-z0-9]+$")
_FIX_LINE = "correct the line, or extract the list again from " + ARCHIVE


def find_list_folder(root: str | os.PathLike, lists: str | os.PathLike | None = None) -> Path:
    """The folder holding ``classInd.txt`` and the split lists.

    ``lists`` if given; otherwise ``<root>/ucfTrainTestlist/`` or, where the archive was extracted
    beside the videos (``UCF-101/`` and ``ucfTrainTestlist/`` side by side), ``<root>/../ucfTrainTestlist/``.
    """
    root = Path(root)
    if lists is not None:
        folder = Path(lists)
        if not folder.is_dir():
            raise DataFormatError.build(
                folder,
                found="no such folder",
                expected="the folder of the official split lists (classInd.txt, trainlist0N.txt, testlist0N.txt)",
                fix=f"pass the folder {ARCHIVE} extracts to ({LIST_FOLDER}/)",
            )
        return folder
    candidates = [root / LIST_FOLDER, root / "UCFTrainTestlist", root.parent / LIST_FOLDER]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise DataFormatError.build(
        candidates[0],
        found="no such folder (nor ../" + LIST_FOLDER + ")",
        expected="the official split lists classInd.txt, trainlist0N.txt and testlist0N.txt",
        fix=f"extract the official split archive {ARCHIVE} into {root} or beside it, or pass lists=<folder>",
    )


def _missing_list(path: Path, what: str) -> DataFormatError:
    return DataFormatError.build(
        path,
        found="no such file",
        expected=what,
        fix=f"extract the official split archive {ARCHIVE} (it holds classInd.txt, trainlist01-03.txt and "
        "testlist01-03.txt) into this folder",
    )


def read_class_index(path: str | os.PathLike) -> dict[str, int]:
    """``classInd.txt`` as ``{class_name: label}``, labels 0-based (the file's 1..101 minus one).

    The dict is in label order. Raises :class:`DataFormatError` for a missing file, a line that is
    not ``<number> <ClassName>``, numbers that do not run 1, 2, 3, ... and a class named twice.
    """
    path = Path(path)
    if not path.is_file():
        raise _missing_list(path, "the class index, lines '<label 1..101> <ClassName>' (e.g. '1 ApplyEyeMakeup')")
    classes: dict[str, int] = {}
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or not fields[0].isdigit():
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=repr(line.strip()),
                    expected="'<label> <ClassName>', e.g. '1 ApplyEyeMakeup'",
                    fix=_FIX_LINE,
                )
            number, name = int(fields[0]), fields[1]
            if number != len(classes) + 1:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"label {number}",
                    expected=f"label {len(classes) + 1} (labels run 1, 2, 3, ... in order)",
                    fix=_FIX_LINE,
                )
            if name in classes:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"class {name!r} a second time (first as label {classes[name] + 1})",
                    expected="each class once",
                    fix=_FIX_LINE,
                )
            classes[name] = number - 1
    if not classes:
        raise DataFormatError.build(
            path, found="no classes", expected="lines '<label> <ClassName>'", fix=f"extract {ARCHIVE} again"
        )
    return classes


def _check_split(split: int, subset: str, where: Path) -> None:
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    if split not in SPLITS:
        raise DataFormatError.build(
            where,
            found=f"split {split!r}",
            expected="split 1, 2 or 3 (UCF-101 has three official train/test splits)",
            fix="pass split=1, 2 or 3 (Lakhal et al. report split 1)",
        )


def read_split(
    root: str | os.PathLike,
    split: int = 1,
    subset: str = "train",
    lists: str | os.PathLike | None = None,
    *,
    check_files: bool = True,
) -> pd.DataFrame:
    """The videos of one official split and subset, one row a video in the list's order.

    Columns:

    * ``video``: str, the path as the list writes it (``ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi``).
    * ``path``: str, the absolute path of the file under ``root``.
    * ``label``: int, 0-based (classInd's number minus one).
    * ``class_name``: str, the folder's class (``ApplyEyeMakeup``).
    * ``group``: int, the ``gXX`` number (1..25): the source video, so the person and the scene.

    ``root`` holds the class folders; the lists are found by :func:`find_list_folder`. With
    ``check_files`` (default) every listed video must exist under ``root``.

    Raises :class:`DataFormatError` naming the file (and line) for a missing ``classInd.txt`` or
    list, a split outside 1..3, a malformed line or file name, a class not in ``classInd.txt``, a
    file name whose class is not its folder's, a label that disagrees with the folder's class and
    listed videos absent from ``root``.
    """
    root = Path(root)
    _check_split(split, subset, Path(lists) if lists is not None else root / LIST_FOLDER)
    if not root.is_dir():
        raise DataFormatError.build(
            root,
            found="no such folder",
            expected="the UCF-101 folder holding one folder a class (ApplyEyeMakeup/, ...)",
            fix="pass the folder UCF101.rar extracts to (UCF-101/)",
        )
    folder = find_list_folder(root, lists)
    class_index = folder / "classInd.txt"
    classes = read_class_index(class_index)
    list_path = folder / f"{subset}list0{split}.txt"
    if not list_path.is_file():
        form = "'<Class>/v_<Class>_gXX_cYY.avi <label>'" if subset == "train" else "'<Class>/v_<Class>_gXX_cYY.avi'"
        raise _missing_list(list_path, f"the {subset} list of split {split}, lines {form}")

    videos: list[str] = []
    labels: list[int] = []
    names: list[str] = []
    groups: list[int] = []
    lines: list[int] = []
    with open(list_path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            video, label = _parse_line(list_path, lineno, line, fields, subset)
            parts = video.split("/")
            if len(parts) != 2 or not all(parts):
                raise DataFormatError.build(
                    list_path,
                    line=lineno,
                    found=f"video {video!r}",
                    expected="'<ClassName>/v_<ClassName>_gXX_cYY.avi' (class folder, then file)",
                    fix=_FIX_LINE,
                )
            class_name, file_name = parts
            if class_name not in classes:
                raise DataFormatError.build(
                    list_path,
                    line=lineno,
                    found=f"class {class_name!r}, which {class_index} does not list",
                    expected=f"one of the {len(classes)} classes of classInd.txt",
                    fix=f"use classInd.txt and the lists from the same copy of {ARCHIVE}",
                )
            match = _FILE_NAME.match(file_name)
            if match is None:
                raise DataFormatError.build(
                    list_path,
                    line=lineno,
                    found=f"file name {file_name!r}",
                    expected="'v_<ClassName>_gXX_cYY.avi' (group XX, clip YY)",
                    fix=_FIX_LINE,
                )
            if match["cls"].lower() != class_name.lower():
                raise DataFormatError.build(
                    list_path,
                    line=lineno,
                    found=f"file {file_name!r} (class {match['cls']!r}) in folder {class_name!r}",
                    expected="the class in the file name to be its folder's",
                    fix="move the video to its class's folder or correct the line",
                )
            if label is not None and label != classes[class_name] + 1:
                raise DataFormatError.build(
                    list_path,
                    line=lineno,
                    found=f"label {label} for a video of {class_name!r}",
                    expected=f"label {classes[class_name] + 1}, {class_name!r}'s number in {class_index}",
                    fix=f"use classInd.txt and the lists from the same copy of {ARCHIVE}",
                )
            videos.append(video)
            labels.append(classes[class_name])
            names.append(class_name)
            groups.append(int(match["group"]))
            lines.append(lineno)
    if not videos:
        raise DataFormatError.build(
            list_path, found="no videos", expected="one line a video", fix=f"extract {ARCHIVE} again"
        )

    paths = [root.absolute() / v for v in videos]
    if check_files:
        missing = [(n, p) for n, p in zip(lines, paths) if not p.is_file()]
        if missing:
            shown = ", ".join(f"{p.relative_to(root.absolute())} (line {n})" for n, p in missing[:5])
            raise DataFormatError.build(
                list_path,
                line=missing[0][0],
                found=f"{len(missing)} of {len(paths)} listed videos absent under {root}: {shown}"
                + (", ..." if len(missing) > 5 else ""),
                expected="every listed video at <root>/<ClassName>/<file>",
                fix="extract UCF101.rar completely and pass the folder it makes (UCF-101/) as root",
            )
    return pd.DataFrame(
        {
            "video": pd.Series(videos, dtype=object),
            "path": pd.Series([str(p) for p in paths], dtype=object),
            "label": pd.Series(labels, dtype=np.int64),
            "class_name": pd.Series(names, dtype=object),
            "group": pd.Series(groups, dtype=np.int64),
        }
    )


def _parse_line(path: Path, lineno: int, line: str, fields: list[str], subset: str) -> tuple[str, int | None]:
    """``(video, label or None)`` of a list line: ``video label`` (train) or ``video`` (test; a label
    there is accepted and checked)."""
    if len(fields) == 2 and fields[1].isdigit():
        return fields[0], int(fields[1])
    if len(fields) == 1 and subset == "test":
        return fields[0], None
    expected = "'<ClassName>/v_<ClassName>_gXX_cYY.avi" + (" <label>'" if subset == "train" else "'")
    raise DataFormatError.build(path, line=lineno, found=repr(line.strip()), expected=expected, fix=_FIX_LINE)


def ucf101_categories() -> dict[str, str]:
    """``{class_name: type}`` for the 101 classes, in classInd order, with the five types of
    :data:`CATEGORIES` (Soomro et al. 2012, Fig. 2, where the colour of a class's frame gives its
    type: 20 Human-Object Interaction, 16 Body-Motion Only, 5 Human-Human Interaction, 10 Playing
    Musical Instruments, 50 Sports). Class names as classInd.txt spells them."""
    text = resources.files("motion_rnn.data").joinpath("resources/ucf101_categories.csv").read_text("utf-8")
    lines = [line.split(",") for line in text.splitlines()[1:] if line.strip()]
    return {name: category for name, category in lines}


class UCF101Videos(LabelledVideos):
    """The videos of one UCF-101 split and subset (:func:`read_split`), decoded on access.

    Items are those of :class:`~motion_rnn.data.video.LabelledVideos`: ``"video"`` ``(N, C, H, W)``
    uint8 RGB (UCF-101: ``H, W = 240, 320``, 25 fps), ``"label"`` 0..100, ``"class_name"``,
    ``"video_id"`` (``v_ApplyEyeMakeup_g08_c01``) and ``"group"`` (int). ``classes`` lists the class
    names in label order.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        split: int = 1,
        subset: str = "train",
        lists: str | os.PathLike | None = None,
        *,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
        check_files: bool = True,
    ) -> None:
        table = read_split(root, split, subset, lists, check_files=check_files)
        super().__init__(table, transform=transform)
        self.root = Path(root)
        self.split = split
        self.subset = subset
        self.classes: list[str] = list(read_class_index(find_list_folder(root, lists) / "classInd.txt"))

    @property
    def num_classes(self) -> int:
        return len(self.classes)
