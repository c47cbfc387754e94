"""HMDB-51 as its publishers lay it out, and the official three 70/30 splits.

Kuehne et al. 2011, "HMDB: A large video database for human motion recognition"; Lakhal et al.
2018 report accuracy on split 1 (Sec. 4). ``hmdb51_org.rar`` holds one archive a class, which
extract to one folder a class::

    <root>/brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi

The splits come apart, in ``test_train_splits.rar``, which extracts to
``testTrainMulti_7030_splits/``: for every class and split ``N`` (1..3) a file
``<class>_test_split<N>.txt`` of lines ``<video>.avi <mark>``, where mark 1 = train, 2 = test and
0 = unused (each split takes 70 training and 30 test clips of a class and leaves the rest out).

HMDB-51 has no class index file: labels here are the class folders' positions in alphabetical
order (``brush_hair`` = 0, ..., ``wave`` = 50 with all 51 present), the order torchvision's
HMDB51 reader and most published code use.

A file name carries the clip's source and meta tags (``<source>_<class>_<body part>_<camera
motion>_<people>_<viewpoint>_<quality>_<n>``; e.g. ``u`` upper body, ``nm`` no camera motion,
``np1`` one person, ``ba`` seen from the back, ``goo`` good quality). The ``group`` column is the
source (``April_09``): the splits keep the clips of one source video on one side. Where a name
does not follow the pattern the group is ``None``.

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

NUM_CLASSES = 51
SPLITS: tuple[int, ...] = (1, 2, 3)
SUBSETS: tuple[str, ...] = ("train", "test")
MARKS: dict[int, str] = {1: "train", 2: "test", 0: "unused"}
LIST_FOLDER = "testTrainMulti_7030_splits"  # what test_train_splits.rar extracts to
ARCHIVE = "test_train_splits.rar"
CATEGORIES: tuple[str, ...] = (
    "General facial actions",
    "Facial actions with object manipulation",
    "General body movements",
    "Body movements with object interaction",
    "Body movements for human interaction",
)
"""The five action types of Kuehne et al. 2011, Sec. 2.1 (Lakhal et al. 2018, Sec. 4)."""

COLUMNS: tuple[str, ...] = ("video", "path", "label", "class_name", "group")
_META = re.compile(r"^(?P<source>.+?)_[fhul]_(?:cm|nm)_np\d+_(?:fr|ba|le|ri)_(?:bad|goo|med)_\d+$")
_FIX_LINE = "correct the line, or extract the split file again from " + ARCHIVE


def find_list_folder(root: str | os.PathLike, lists: str | os.PathLike | None = None) -> Path:
    """The folder holding the ``<class>_test_split<N>.txt`` files.

    ``lists`` if given; otherwise ``<root>/testTrainMulti_7030_splits/`` or, where the archive was
    extracted beside the class folders, ``<root>/../testTrainMulti_7030_splits/``.
    """
    root = Path(root)
    if lists is not None:
        folder = Path(lists)
        if not folder.is_dir():
            raise DataFormatError.build(
                folder,
                found="no such folder",
                expected="the folder of the official split files <class>_test_split<N>.txt",
                fix=f"pass the folder {ARCHIVE} extracts to ({LIST_FOLDER}/)",
            )
        return folder
    candidates = [root / LIST_FOLDER, root.parent / LIST_FOLDER]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise DataFormatError.build(
        candidates[0],
        found="no such folder (nor ../" + LIST_FOLDER + ")",
        expected="the official split files <class>_test_split<N>.txt",
        fix=f"extract the official split archive {ARCHIVE} into {root} or beside it, or pass lists=<folder>",
    )


def list_classes(root: str | os.PathLike, lists: str | os.PathLike | None = None) -> list[str]:
    """The class folders under ``root``, alphabetically (their position is the label).

    Hidden folders and the split folder are not classes.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataFormatError.build(
            root,
            found="no such folder",
            expected="the HMDB-51 folder holding one folder a class (brush_hair/, cartwheel/, ...)",
            fix="extract hmdb51_org.rar and the per-class archives inside it, and pass the folder they make",
        )
    skip = {LIST_FOLDER} if lists is None else {LIST_FOLDER, Path(lists).name}
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in skip)
    if not classes:
        raise DataFormatError.build(
            root,
            found="no class folders",
            expected="one folder a class (brush_hair/, cartwheel/, ...)",
            fix="extract the per-class archives inside hmdb51_org.rar (each makes one class folder)",
        )
    return classes


def read_split_file(path: str | os.PathLike) -> list[tuple[str, int, int]]:
    """``(video, mark, line)`` for every line ``<video>.avi <mark>`` of a split file.

    Raises :class:`DataFormatError` for a missing file, a malformed line and a mark other than
    0 (unused), 1 (train) or 2 (test).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError.build(
            path,
            found="no such file",
            expected="a split file of lines '<video>.avi <mark>'",
            fix=f"extract the official split archive {ARCHIVE}",
        )
    entries: list[tuple[str, int, int]] = []
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.strip().rsplit(None, 1)
            if len(fields) != 2 or not fields[1].lstrip("-").isdigit():
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=repr(line.strip()),
                    expected="'<video>.avi <mark>' with mark 1 (train), 2 (test) or 0 (unused)",
                    fix=_FIX_LINE,
                )
            mark = int(fields[1])
            if mark not in MARKS:
                raise DataFormatError.build(
                    path,
                    line=lineno,
                    found=f"mark {mark}",
                    expected="mark 1 (train), 2 (test) or 0 (unused)",
                    fix=_FIX_LINE,
                )
            entries.append((fields[0], mark, lineno))
    return entries


def _group(stem: str, class_name: str) -> str | None:
    match = _META.match(stem)
    if match is None:
        return None
    source = match["source"]
    suffix = "_" + class_name
    return source[: -len(suffix)] if source.endswith(suffix) and len(source) > len(suffix) else source


def read_split(
    root: str | os.PathLike,
    split: int = 1,
    subset: str = "train",
    lists: str | os.PathLike | None = None,
    *,
    check_files: bool = True,
) -> pd.DataFrame:
    """The videos of one official split and subset, class by class (alphabetically), each class's
    in its split file's order.

    Columns, as :func:`motion_rnn.data.ucf101.read_split`:

    * ``video``: str, ``<class>/<file>.avi``, relative to ``root``.
    * ``path``: str, the absolute path of the file.
    * ``label``: int, the class's position among the class folders in alphabetical order.
    * ``class_name``: str, the folder's name (``brush_hair``).
    * ``group``: str or ``None``, the clip's source video parsed from its name (see the module).

    Every class folder needs its split file and every split file its class folder. With
    ``check_files`` (default) every video of the subset must exist (videos of the other subset
    and unused ones are not looked for).

    Raises :class:`DataFormatError` naming the file (and line) for a split outside 1..3, a class
    folder without its split file, a split file without its class folder, a malformed line, an
    unknown mark and listed videos absent from their folder.
    """
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    root = Path(root)
    if split not in SPLITS:
        raise DataFormatError.build(
            Path(lists) if lists is not None else root / LIST_FOLDER,
            found=f"split {split!r}",
            expected="split 1, 2 or 3 (HMDB-51 has three official train/test splits)",
            fix="pass split=1, 2 or 3 (Lakhal et al. report split 1)",
        )
    classes = list_classes(root, lists)
    folder = find_list_folder(root, lists)
    suffix = f"_test_split{split}.txt"
    listed = {p.name[: -len(suffix)]: p for p in folder.glob(f"*{suffix}")}
    orphans = sorted(set(listed) - set(classes))
    if orphans:
        raise DataFormatError.build(
            listed[orphans[0]],
            found=f"a split file for class {orphans[0]!r}, which has no folder under {root}"
            + (f" ({len(orphans)} such classes: {', '.join(orphans[:5])}{', ...' if len(orphans) > 5 else ''})"),
            expected="a class folder for every split file",
            fix="extract that class's archive from hmdb51_org.rar into root",
        )
    wanted = 1 if subset == "train" else 2
    videos: list[str] = []
    labels: list[int] = []
    groups: list[str | None] = []
    missing: list[tuple[Path, int, Path]] = []  # (split file, line, video)
    for label, class_name in enumerate(classes):
        if class_name not in listed:
            raise DataFormatError.build(
                folder / f"{class_name}{suffix}",
                found="no such file",
                expected=f"the split-{split} file of class folder {class_name!r}",
                fix=f"extract the official split archive {ARCHIVE} (one file a class and split) into {folder}, "
                f"or remove {root / class_name} if it is not a class",
            )
        for video, mark, lineno in read_split_file(listed[class_name]):
            if mark != wanted:
                continue
            relative = f"{class_name}/{video}"
            if check_files and not (root / relative).is_file():
                missing.append((listed[class_name], lineno, root / relative))
            videos.append(relative)
            labels.append(label)
            groups.append(_group(Path(video).stem, class_name))
    if missing:
        shown = ", ".join(str(p.relative_to(root)) for _, _, p in missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise DataFormatError.build(
            missing[0][0],
            line=missing[0][1],
            found=f"{len(missing)} of {len(videos)} listed {subset} videos absent under {root}: {shown}",
            expected="every listed video at <root>/<class>/<video>.avi",
            fix="extract every class's archive from hmdb51_org.rar completely into root",
        )
    if not videos:
        raise DataFormatError.build(
            folder,
            found=f"no {subset} videos (mark {wanted}) in the split-{split} files",
            expected=f"videos marked {wanted} ({subset})",
            fix=f"extract {ARCHIVE} again",
        )
    absolute = root.absolute()
    return pd.DataFrame(
        {
            "video": pd.Series(videos, dtype=object),
            "path": pd.Series([str(absolute / v) for v in videos], dtype=object),
            "label": pd.Series(labels, dtype=np.int64),
            "class_name": pd.Series([v.split("/")[0] for v in videos], dtype=object),
            "group": pd.Series(groups, dtype=object),
        }
    )


def hmdb51_categories() -> dict[str, str]:
    """``{class_name: type}`` for the 51 classes, alphabetically, with the five types of
    :data:`CATEGORIES` (Kuehne et al. 2011, Sec. 2.1: 4 general facial actions, 3 facial actions
    with object manipulation, 19 general body movements, 18 body movements with object interaction,
    7 body movements for human interaction). Class names as the class folders spell them."""
    text = resources.files("motion_rnn.data").joinpath("resources/hmdb51_categories.csv").read_text("utf-8")
    lines = [line.split(",") for line in text.splitlines()[1:] if line.strip()]
    return {name: category for name, category in lines}


class HMDB51Videos(LabelledVideos):
    """The videos of one HMDB-51 split and subset (:func:`read_split`), decoded on access.

    Items are those of :class:`~motion_rnn.data.video.LabelledVideos`: ``"video"`` ``(N, C, H, W)``
    uint8 RGB (HMDB-51 clips are 240 pixels high, 30 fps), ``"label"``, ``"class_name"``,
    ``"video_id"`` and ``"group"`` (str or ``None``). ``classes`` lists the class names in label order.
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
        self.classes: list[str] = list_classes(root, lists)

    @property
    def num_classes(self) -> int:
        return len(self.classes)
