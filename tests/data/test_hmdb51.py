"""The HMDB-51 reader on tiny real .avi files in the published layout (motion_rnn.data.hmdb51)."""

import re
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
import torch

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.hmdb51 import (
    CATEGORIES,
    COLUMNS,
    HMDB51Videos,
    hmdb51_categories,
    list_classes,
    read_split,
    read_split_file,
)

SPLITS = "testTrainMulti_7030_splits"
VIDEOS = {  # class -> [(file, mark in split 1)]; marks 1 train, 2 test, 0 unused
    "wave": [("21_wave_u_nm_np1_fr_goo_5.avi", 1), ("Hitch_wave_h_cm_np1_le_bad_0.avi", 2)],
    "brush_hair": [
        ("April_09_brush_hair_u_nm_np1_ba_goo_0.avi", 1),
        ("Blonde_being_brushed_brush_hair_f_nm_np2_ri_med_1.avi", 1),
        ("brushing_my_waist_lenth_hair_brush_hair_u_nm_np1_ba_goo_2.avi", 2),
        ("unused_brush_hair_u_nm_np1_fr_goo_0.avi", 0),
    ],
    "cartwheel": [("(Cartwheel)_cartwheel_f_cm_np1_le_med_0.avi", 2), ("odd-name.avi", 1)],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One tiny real video (10 frames of 32x24, MPEG-4 in AVI), copied wherever a test needs one."""
    path = tmp_path_factory.mktemp("template") / "v.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for k in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), 20 * k, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_hmdb(root: Path, template: Path, videos=VIDEOS, lists: Path | None = None) -> Path:
    """HMDB-51's layout: class folders of videos, one split file a class (lines end in ' \\r\\n' as
    the published ones)."""
    lists = lists or root / SPLITS
    lists.mkdir(parents=True, exist_ok=True)
    for class_name, entries in videos.items():
        (root / class_name).mkdir(parents=True, exist_ok=True)
        for name, _ in entries:
            shutil.copy(template, root / class_name / name)
        text = "".join(f"{name} {mark} \r\n" for name, mark in entries)
        (lists / f"{class_name}_test_split1.txt").write_text(text, newline="")
    return root


@pytest.fixture
def root(tmp_path, template) -> Path:
    return make_hmdb(tmp_path / "hmdb51", template)


# --- reading ------------------------------------------------------------------------------------
def test_classes_are_the_folders_alphabetically(root):
    assert list_classes(root) == ["brush_hair", "cartwheel", "wave"]  # the split folder is not a class


def test_train_split(root):
    table = read_split(root, split=1, subset="train")
    assert tuple(table.columns) == COLUMNS
    assert table["video"].tolist() == [
        "brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi",
        "brush_hair/Blonde_being_brushed_brush_hair_f_nm_np2_ri_med_1.avi",
        "cartwheel/odd-name.avi",
        "wave/21_wave_u_nm_np1_fr_goo_5.avi",
    ]
    assert table["label"].tolist() == [0, 0, 1, 2]
    assert table["class_name"].tolist() == ["brush_hair", "brush_hair", "cartwheel", "wave"]
    assert table["group"].tolist() == ["April_09", "Blonde_being_brushed", None, "21"]
    assert str(table["label"].dtype) == "int64"
    for video, path in zip(table["video"], table["path"]):
        assert Path(path).is_absolute() and Path(path) == (root / video).absolute() and Path(path).is_file()


def test_test_split(root):
    table = read_split(root, 1, "test")
    assert table["video"].tolist() == [
        "brush_hair/brushing_my_waist_lenth_hair_brush_hair_u_nm_np1_ba_goo_2.avi",
        "cartwheel/(Cartwheel)_cartwheel_f_cm_np1_le_med_0.avi",
        "wave/Hitch_wave_h_cm_np1_le_bad_0.avi",
    ]
    assert table["label"].tolist() == [0, 1, 2]
    assert table["group"].tolist() == ["brushing_my_waist_lenth_hair", "(Cartwheel)", "Hitch"]


def test_unused_videos_are_not_looked_for(root):
    (root / "brush_hair" / "unused_brush_hair_u_nm_np1_fr_goo_0.avi").unlink()
    assert len(read_split(root)) == 4 and len(read_split(root, subset="test")) == 3


def test_split_folder_given_explicitly_or_beside_root(tmp_path, template):
    root = make_hmdb(tmp_path / "a" / "hmdb51", template, lists=tmp_path / "splits")
    assert len(read_split(root, lists=tmp_path / "splits")) == 4
    root = make_hmdb(tmp_path / "b" / "hmdb51", template, lists=tmp_path / "b" / SPLITS)
    assert len(read_split(root)) == 4


def test_split_file_lines(root):
    entries = read_split_file(root / SPLITS / "brush_hair_test_split1.txt")
    assert [(mark, line) for _, mark, line in entries] == [(1, 1), (1, 2), (2, 3), (0, 4)]


def test_dataset_yields_decoded_videos(root):
    data = HMDB51Videos(root, split=1, subset="test")
    assert len(data) == 3 and data.classes == ["brush_hair", "cartwheel", "wave"] and data.num_classes == 3
    item = data[2]
    assert item["video"].shape == (10, 3, 24, 32) and item["video"].dtype == torch.uint8
    assert item["label"] == 2 and item["class_name"] == "wave" and item["group"] == "Hitch"
    assert item["video_id"] == "Hitch_wave_h_cm_np1_le_bad_0"


# --- errors -------------------------------------------------------------------------------------
def test_class_folder_without_its_split_file(root):
    (root / SPLITS / "cartwheel_test_split1.txt").unlink()
    with pytest.raises(
        DataFormatError,
        match=r"cartwheel_test_split1\.txt: found no such file; expected the split-1 file of class folder "
        r"'cartwheel'.*test_train_splits\.rar",
    ):
        read_split(root)
    with pytest.raises(DataFormatError, match=r"brush_hair_test_split2\.txt: found no such file"):
        read_split(root, split=2)


def test_split_file_without_its_class_folder(root):
    (root / SPLITS / "kiss_test_split1.txt").write_text("kiss_me_kiss_h_nm_np2_fr_goo_0.avi 1 \r\n")
    with pytest.raises(
        DataFormatError, match=r"kiss_test_split1\.txt: found a split file for class 'kiss', which has no folder"
    ):
        read_split(root)


def test_unknown_mark(root):
    (root / SPLITS / "wave_test_split1.txt").write_text(
        "21_wave_u_nm_np1_fr_goo_5.avi 1 \r\nHitch_wave_h_cm_np1_le_bad_0.avi 3 \r\n"
    )
    with pytest.raises(
        DataFormatError, match=r"wave_test_split1\.txt, line 2: found mark 3; expected mark 1 \(train\)"
    ):
        read_split(root)


@pytest.mark.parametrize("line", ["21_wave_u_nm_np1_fr_goo_5.avi", "21_wave_u_nm_np1_fr_goo_5.avi train"])
def test_malformed_line(root, line):
    (root / SPLITS / "wave_test_split1.txt").write_text(f"{line}\r\n")
    with pytest.raises(DataFormatError, match=r"wave_test_split1\.txt, line 1: found '" + re.escape(line) + "'"):
        read_split(root)


def test_listed_video_absent(root):
    (root / "brush_hair" / "Blonde_being_brushed_brush_hair_f_nm_np2_ri_med_1.avi").unlink()
    with pytest.raises(
        DataFormatError,
        match=r"brush_hair_test_split1\.txt, line 2: found 1 of 4 listed train videos absent .*Blonde_being_brushed",
    ):
        read_split(root)
    assert len(read_split(root, check_files=False)) == 4


@pytest.mark.parametrize("split", [0, 4])
def test_split_outside_one_to_three(root, split):
    with pytest.raises(DataFormatError, match=f"found split {split}; expected split 1, 2 or 3"):
        read_split(root, split=split)


def test_missing_split_folder_and_root(tmp_path, template):
    root = make_hmdb(tmp_path / "hmdb51", template)
    shutil.rmtree(root / SPLITS)
    with pytest.raises(DataFormatError, match=r"testTrainMulti_7030_splits: found no such folder.*test_train_splits"):
        read_split(root)
    with pytest.raises(DataFormatError, match=r"nowhere: found no such folder"):
        read_split(tmp_path / "nowhere")


def test_unknown_subset(root):
    with pytest.raises(ValueError, match="subset must be one of"):
        read_split(root, subset="unused")


# --- the five types -----------------------------------------------------------------------------
def test_categories_cover_51_classes_in_five_types():
    categories = hmdb51_categories()
    assert len(categories) == 51 and list(categories) == sorted(categories)
    assert set(categories.values()) == set(CATEGORIES) and len(CATEGORIES) == 5
    counts = {c: list(categories.values()).count(c) for c in CATEGORIES}
    assert counts == {  # Kuehne et al. 2011, Sec. 2.1
        "General facial actions": 4,
        "Facial actions with object manipulation": 3,
        "General body movements": 19,
        "Body movements with object interaction": 18,
        "Body movements for human interaction": 7,
    }
    assert all(re.fullmatch(r"[a-z_]+", name) for name in categories)  # the class folders' names
    for name, category in [("smile", 0), ("smoke", 1), ("cartwheel", 2), ("brush_hair", 3), ("hug", 4)]:
        assert categories[name] == CATEGORIES[category]
