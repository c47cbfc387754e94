"""The UCF-101 reader on tiny real .avi files in the published layout (motion_rnn.data.ucf101)."""

import re
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
import torch

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ucf101 import (
    CATEGORIES,
    COLUMNS,
    PAPER_CLASS_NAMES,
    UCF101Videos,
    read_class_index,
    read_split,
    ucf101_categories,
)

CLASS_IND = "1 ApplyEyeMakeup\r\n2 HandstandPushups\r\n3 PizzaTossing\r\n"
TRAIN = [  # (line as in trainlist01.txt, on disk)
    "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1",
    "HandstandPushups/v_HandStandPushups_g09_c02.avi 2",  # the real data's case quirk
    "PizzaTossing/v_PizzaTossing_g25_c04.avi 3",
]
TEST = ["ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi", "PizzaTossing/v_PizzaTossing_g07_c03.avi"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One tiny real video (12 frames of 32x32, MPEG-4 in AVI), copied wherever a test needs one."""
    path = tmp_path_factory.mktemp("template") / "v.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for k in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 20 * k, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_ucf(
    root: Path, template: Path, *, train=TRAIN, test=TEST, class_ind=CLASS_IND, lists: Path | None = None
) -> Path:
    """UCF-101's layout: class folders of videos under root, the lists in root/ucfTrainTestlist/."""
    for line in [*train, *test]:
        video = root / line.split()[0]
        video.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(template, video)
    lists = lists or root / "ucfTrainTestlist"
    lists.mkdir(parents=True, exist_ok=True)
    (lists / "classInd.txt").write_text(class_ind, newline="")
    (lists / "trainlist01.txt").write_text("".join(f"{line}\r\n" for line in train), newline="")
    (lists / "testlist01.txt").write_text("".join(f"{line}\r\n" for line in test), newline="")
    return root


@pytest.fixture
def root(tmp_path, template) -> Path:
    return make_ucf(tmp_path / "UCF-101", template)


# --- reading ------------------------------------------------------------------------------------
def test_class_index(root):
    classes = read_class_index(root / "ucfTrainTestlist" / "classInd.txt")
    assert classes == {"ApplyEyeMakeup": 0, "HandstandPushups": 1, "PizzaTossing": 2}


def test_train_split(root):
    table = read_split(root, split=1, subset="train")
    assert tuple(table.columns) == COLUMNS
    assert table["video"].tolist() == [line.split()[0] for line in TRAIN]
    assert table["label"].tolist() == [0, 1, 2]
    assert table["class_name"].tolist() == ["ApplyEyeMakeup", "HandstandPushups", "PizzaTossing"]
    assert table["group"].tolist() == [8, 9, 25]
    assert str(table["label"].dtype) == "int64" and str(table["group"].dtype) == "int64"
    for video, path in zip(table["video"], table["path"]):
        assert Path(path).is_absolute() and Path(path) == (root / video).absolute() and Path(path).is_file()


def test_test_split_takes_labels_from_folders(root):
    table = read_split(root, 1, "test")
    assert table["label"].tolist() == [0, 2]
    assert table["group"].tolist() == [1, 7]


def test_lists_given_explicitly_or_beside_root(tmp_path, template):
    root = make_ucf(tmp_path / "a" / "UCF-101", template, lists=tmp_path / "elsewhere")
    assert len(read_split(root, lists=tmp_path / "elsewhere")) == 3
    root = make_ucf(tmp_path / "b" / "UCF-101", template, lists=tmp_path / "b" / "ucfTrainTestlist")
    assert len(read_split(root)) == 3  # UCF-101/ and ucfTrainTestlist/ side by side


def test_a_label_in_the_test_list_is_accepted_when_right(tmp_path, template):
    root = make_ucf(tmp_path / "UCF-101", template, test=["PizzaTossing/v_PizzaTossing_g07_c03.avi 3"])
    assert read_split(root, subset="test")["label"].tolist() == [2]


def test_dataset_yields_decoded_videos(root):
    data = UCF101Videos(root, split=1, subset="train")
    assert len(data) == 3 and data.classes == ["ApplyEyeMakeup", "HandstandPushups", "PizzaTossing"]
    assert data.num_classes == 3
    item = data[1]
    assert item["video"].shape == (12, 3, 32, 32) and item["video"].dtype == torch.uint8
    assert item["label"] == 1 and item["class_name"] == "HandstandPushups"
    assert item["video_id"] == "v_HandStandPushups_g09_c02" and item["group"] == 9


# --- errors -------------------------------------------------------------------------------------
def test_missing_class_index(root):
    (root / "ucfTrainTestlist" / "classInd.txt").unlink()
    with pytest.raises(DataFormatError, match=r"classInd\.txt: found no such file.*UCFTrainTestlist\.zip"):
        read_split(root)


@pytest.mark.parametrize("subset,name", [("train", "trainlist01.txt"), ("test", "testlist01.txt")])
def test_missing_split_list(root, subset, name):
    (root / "ucfTrainTestlist" / name).unlink()
    with pytest.raises(DataFormatError, match=re.escape(name) + r": found no such file.*UCFTrainTestlist\.zip"):
        read_split(root, subset=subset)


def test_missing_list_folder(tmp_path, template):
    root = make_ucf(tmp_path / "UCF-101", template)
    shutil.rmtree(root / "ucfTrainTestlist")
    with pytest.raises(DataFormatError, match=r"ucfTrainTestlist: found no such folder.*UCFTrainTestlist\.zip"):
        read_split(root)
    with pytest.raises(DataFormatError, match=r"nowhere: found no such folder"):
        read_split(root, lists=tmp_path / "nowhere")


@pytest.mark.parametrize("split", [0, 4])
def test_split_outside_one_to_three(root, split):
    with pytest.raises(DataFormatError, match=f"found split {split}; expected split 1, 2 or 3"):
        read_split(root, split=split)


def test_unknown_subset(root):
    with pytest.raises(ValueError, match="subset must be one of"):
        read_split(root, subset="val")


@pytest.mark.parametrize(
    "class_ind,where",
    [
        ("1 ApplyEyeMakeup\n2HandstandPushups\n", "line 2: found '2HandstandPushups'"),
        ("1 ApplyEyeMakeup\nHandstandPushups 2\n", "line 2: found 'HandstandPushups 2'"),
        ("1 ApplyEyeMakeup\n3 HandstandPushups\n", "line 2: found label 3; expected label 2"),
        ("1 ApplyEyeMakeup\n2 ApplyEyeMakeup\n", "line 2: found class 'ApplyEyeMakeup' a second time"),
    ],
)
def test_malformed_class_index(tmp_path, class_ind, where):
    path = tmp_path / "classInd.txt"
    path.write_text(class_ind)
    with pytest.raises(DataFormatError, match=r"classInd\.txt, " + re.escape(where)):
        read_class_index(path)


@pytest.mark.parametrize(
    "line,found",
    [
        ("ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi", "found 'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi'"),
        ("ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi one", "found 'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi one'"),
        ("v_ApplyEyeMakeup_g08_c01.avi 1", "found video 'v_ApplyEyeMakeup_g08_c01.avi'"),
        ("ApplyEyeMakeup/ApplyEyeMakeup_08_01.avi 1", "found file name 'ApplyEyeMakeup_08_01.avi'"),
    ],
)
def test_malformed_train_line(tmp_path, template, line, found):
    root = make_ucf(tmp_path / "UCF-101", template)
    (root / "ucfTrainTestlist" / "trainlist01.txt").write_text(f"{TRAIN[0]}\r\n{line}\r\n")
    with pytest.raises(DataFormatError, match=r"trainlist01\.txt, line 2: " + re.escape(found)):
        read_split(root)


def test_class_not_in_class_index(tmp_path, template):
    line = "YoYo/v_YoYo_g08_c01.avi 1"
    root = make_ucf(tmp_path / "UCF-101", template, train=[TRAIN[0], line])
    with pytest.raises(DataFormatError, match=r"trainlist01\.txt, line 2: found class 'YoYo', which .* does not list"):
        read_split(root)


def test_label_disagrees_with_folder(tmp_path, template):
    root = make_ucf(tmp_path / "UCF-101", template, train=["ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 3"])
    with pytest.raises(
        DataFormatError, match=r"line 1: found label 3 for a video of 'ApplyEyeMakeup'; expected label 1"
    ):
        read_split(root)


def test_label_in_test_list_disagrees_with_folder(tmp_path, template):
    root = make_ucf(tmp_path / "UCF-101", template, test=["PizzaTossing/v_PizzaTossing_g07_c03.avi 1"])
    with pytest.raises(DataFormatError, match=r"testlist01\.txt, line 1: found label 1 for a video of 'PizzaTossing'"):
        read_split(root, subset="test")


def test_file_name_class_differs_from_folder(tmp_path, template):
    root = make_ucf(tmp_path / "UCF-101", template, train=["ApplyEyeMakeup/v_PizzaTossing_g08_c01.avi 1"])
    with pytest.raises(DataFormatError, match=r"line 1: found file 'v_PizzaTossing_g08_c01\.avi' .* in folder"):
        read_split(root)


def test_listed_video_absent(root):
    (root / "HandstandPushups" / "v_HandStandPushups_g09_c02.avi").unlink()
    with pytest.raises(
        DataFormatError,
        match=r"trainlist01\.txt, line 2: found 1 of 3 listed videos absent .*v_HandStandPushups_g09_c02\.avi \(line 2\)",
    ):
        read_split(root)
    assert len(read_split(root, check_files=False)) == 3


def test_empty_list(root):
    (root / "ucfTrainTestlist" / "testlist01.txt").write_text("\r\n")
    with pytest.raises(DataFormatError, match=r"testlist01\.txt: found no videos"):
        read_split(root, subset="test")


# --- the five types -----------------------------------------------------------------------------
def test_categories_cover_101_classes_in_five_types():
    categories = ucf101_categories()
    assert len(categories) == 101
    assert set(categories.values()) == set(CATEGORIES) and len(CATEGORIES) == 5
    counts = {c: list(categories.values()).count(c) for c in CATEGORIES}
    assert counts == {  # Soomro et al. 2012, Fig. 2
        "Human-Object Interaction": 20,
        "Body-Motion Only": 16,
        "Human-Human Interaction": 5,
        "Playing Musical Instruments": 10,
        "Sports": 50,
    }
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", name) for name in categories)  # CamelCase, as classInd.txt
    assert list(categories) == sorted(categories, key=str.lower)  # classInd.txt's order


def test_the_papers_table_3_classes_exist():
    categories = ucf101_categories()
    assert set(PAPER_CLASS_NAMES.values()) == {"PizzaTossing", "Mixing", "PlayingDhol", "SalsaSpin", "IceDancing"}
    for name in PAPER_CLASS_NAMES.values():
        assert name in categories, name
    assert categories["PlayingDhol"] == "Playing Musical Instruments"
    assert categories["SalsaSpin"] == "Human-Human Interaction"
    assert categories["Mixing"] == "Human-Object Interaction"
    assert categories["HandstandPushups"] == "Body-Motion Only"
    assert categories["IceDancing"] == "Sports"
