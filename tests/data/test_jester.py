"""The Jester reader on small hand-made copies of the released layout (motion_rnn.data.jester)."""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from motion_rnn.data.clips import sample_frame_indices
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.jester import JesterDataset, read_jester_labels, read_jester_split

LABELS = ("Swiping Left", "Swiping Right", "No gesture")
H, W = 20, 30  # wider than high, like Jester's 176x100


def _grey(k: int) -> int:
    return 10 + 20 * k  # frame k (0-based) is a uniform grey that identifies it


def write_video(folder: Path, n: int, h: int = H, w: int = W) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        cv2.imwrite(str(folder / f"{k + 1:05d}.jpg"), np.full((h, w, 3), _grey(k), np.uint8))


def make_root(tmp_path: Path, *, frames_dir: str = "20bn-jester-v1", csv_dir: str = "") -> Path:
    root = tmp_path / "jester"
    lists = root / csv_dir
    lists.mkdir(parents=True)
    (lists / "jester-v1-labels.csv").write_text("\n".join(LABELS) + "\n")
    (lists / "jester-v1-train.csv").write_text("1;Swiping Left\n2;No gesture\n3;Swiping Right\n")
    (lists / "jester-v1-validation.csv").write_text("4;Swiping Right\n")
    (lists / "jester-v1-test.csv").write_text("5\n")
    for vid, n in {"1": 12, "2": 5, "3": 9, "4": 8, "5": 6}.items():
        write_video(root / frames_dir / vid, n)
    return root


def frame_numbers(clip: torch.Tensor) -> list[int]:
    """Recover which frames a clip holds from their grey level (mean 0, no resize)."""
    return [round((float(v) - 10) / 20) for v in clip[:, 0].mean(dim=(1, 2))]


# --- reading ------------------------------------------------------------------------------------
def test_labels_and_split_tables(tmp_path):
    root = make_root(tmp_path)
    assert read_jester_labels(root) == list(LABELS)
    train = read_jester_split(root, "train")
    assert list(train.columns) == ["video_id", "label_name", "label"]
    assert train["video_id"].tolist() == ["1", "2", "3"]
    assert train["label"].tolist() == [0, 2, 1]  # the line of the name in jester-v1-labels.csv
    test = read_jester_split(root, "test")
    assert test["label"].tolist() == [-1] and test["label_name"].tolist() == [None]


def test_dataset_items_and_evaluation_sampling(tmp_path):
    ds = JesterDataset(make_root(tmp_path), "train", num_frames=8, size=H, train=False, mean=(0, 0, 0))
    assert len(ds) == 3 and ds.num_classes == 3 and ds.classes == list(LABELS)
    item = ds[0]
    assert set(item) == {"clip", "label", "video_id"}
    assert item["clip"].shape == (8, 3, H, H) and item["clip"].dtype == torch.float32
    assert (item["label"], item["video_id"]) == (0, "1")
    assert frame_numbers(item["clip"]) == sample_frame_indices(12, 8, train=False)
    assert frame_numbers(ds[1]["clip"]) == [0, 0, 1, 2, 2, 3, 4, 4]  # 5 frames stretched to 8


def test_jester_mean_is_subtracted_by_default(tmp_path):
    clip = JesterDataset(make_root(tmp_path), "validation", num_frames=2, size=8, train=False)[0]["clip"]
    first = float(sample_frame_indices(8, 2, train=False)[0])
    assert clip[0, 0].mean().item() == pytest.approx(_grey(int(first)) - 114, abs=1.5)
    assert clip[0, 2].mean().item() == pytest.approx(_grey(int(first)) - 104, abs=1.5)


def test_training_jitter_is_seeded_and_changes_with_the_epoch(tmp_path):
    root = make_root(tmp_path)
    a = JesterDataset(root, "train", num_frames=3, size=8, train=True, seed=5, mean=(0, 0, 0))
    b = JesterDataset(root, "train", num_frames=3, size=8, train=True, seed=5, mean=(0, 0, 0))
    assert torch.equal(a[0]["clip"], b[0]["clip"])
    draws = set()
    for epoch in range(8):
        a.set_epoch(epoch)
        draws.add(tuple(frame_numbers(a[0]["clip"])))
    assert len(draws) > 1
    for d in draws:  # always one frame in each third of the 12-frame video
        assert 0 <= d[0] < 4 <= d[1] < 8 <= d[2] < 12


def test_dataloader_batches_clips(tmp_path):
    ds = JesterDataset(make_root(tmp_path), "train", num_frames=4, size=16, train=True)
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=3)))
    assert batch["clip"].shape == (3, 4, 3, 16, 16)  # (B, T, C, H, W)
    assert batch["label"].tolist() == [0, 2, 1] and batch["video_id"] == ["1", "2", "3"]


def test_unlabelled_test_split(tmp_path):
    item = JesterDataset(make_root(tmp_path), "test", num_frames=4, size=8, train=False)[0]
    assert item["label"] == -1 and item["video_id"] == "5"


def test_frames_folder_and_list_folder_are_configurable(tmp_path):
    root = make_root(tmp_path, frames_dir="frames", csv_dir="annotations")
    ds = JesterDataset(
        root, "validation", num_frames=4, size=8, train=False, frames_dir="frames", csv_dir="annotations"
    )
    assert ds[0]["video_id"] == "4"


def test_unknown_split_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="validation"):
        read_jester_split(make_root(tmp_path), "val")


# --- bad input: each error names the file (and line) and what was expected ----------------------
def test_missing_root_describes_the_layout(tmp_path):
    with pytest.raises(DataFormatError) as e:
        JesterDataset(tmp_path / "nowhere", "train", train=True)
    msg = str(e.value)
    assert "nowhere" in msg and "20bn-jester-v1" in msg and "jester-v1-labels.csv" in msg
    assert isinstance(e.value, ValueError)


def test_missing_list(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-train.csv").unlink()
    with pytest.raises(DataFormatError, match=r"jester-v1-train\.csv.*no such file.*csv_dir"):
        read_jester_split(root, "train")


def test_row_with_wrong_number_of_fields(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-train.csv").write_text("1;Swiping Left\n2;No gesture;extra\n")
    with pytest.raises(DataFormatError) as e:
        read_jester_split(root, "train")
    msg = str(e.value)
    assert "jester-v1-train.csv, line 2" in msg and "3 fields" in msg and "<video_id>;<class name>" in msg
    assert e.value.line == 2


def test_test_list_with_labels_is_rejected(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-test.csv").write_text("5;Swiping Left\n")
    with pytest.raises(DataFormatError, match=r"jester-v1-test\.csv, line 1.*1 field a line: <video_id>"):
        read_jester_split(root, "test")


def test_label_not_in_labels_file(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-validation.csv").write_text("4;Swiping Right\n\n4b;Swiping Sideways\n")
    with pytest.raises(DataFormatError) as e:
        read_jester_split(root, "validation")
    msg = str(e.value)
    assert "'Swiping Sideways'" in msg and "jester-v1-validation.csv, line 3" in msg
    assert "jester-v1-labels.csv" in msg and "'Swiping Left'" in msg


def test_repeated_video_and_repeated_class(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-train.csv").write_text("1;Swiping Left\n1;No gesture\n")
    with pytest.raises(DataFormatError, match=r"line 2: found video '1' again \(first on line 1\)"):
        read_jester_split(root, "train")
    (root / "jester-v1-labels.csv").write_text("A\nB\nA\n")
    with pytest.raises(DataFormatError, match=r"jester-v1-labels\.csv, line 3.*'A' again"):
        read_jester_labels(root)


def test_labels_file_swapped_with_a_list(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-labels.csv").write_text("1;Swiping Left\n")
    with pytest.raises(DataFormatError, match=r"jester-v1-labels\.csv, line 1.*one class name a line"):
        read_jester_labels(root)


def test_listed_video_without_folder(tmp_path):
    root = make_root(tmp_path)
    (root / "jester-v1-validation.csv").write_text("4;Swiping Right\n99;No gesture\n")
    with pytest.raises(DataFormatError) as e:
        JesterDataset(root, "validation", train=False)
    msg = str(e.value)
    assert "20bn-jester-v1" in msg and "(99)" in msg and "1 of the 2 videos" in msg


def test_missing_frames_folder(tmp_path):
    with pytest.raises(DataFormatError, match=r"frames.*frames_dir="):
        JesterDataset(make_root(tmp_path), "train", train=False, frames_dir="frames")


def test_gap_in_frame_numbers_names_folder_and_frames(tmp_path):
    root = make_root(tmp_path)
    for k in (3, 4, 5, 9):
        (root / "20bn-jester-v1" / "1" / f"{k:05d}.jpg").unlink()
    ds = JesterDataset(root, "train", num_frames=4, size=8, train=False)
    with pytest.raises(DataFormatError) as e:
        ds[0]
    msg = str(e.value)
    assert str(root / "20bn-jester-v1" / "1") in msg and "missing: 3-5, 9" in msg and "without gaps" in msg


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_unreadable_image_names_the_file(tmp_path, damage):
    root = make_root(tmp_path)
    bad = root / "20bn-jester-v1" / "2" / "00001.jpg"
    data = bad.read_bytes()
    bad.write_bytes(b"not an image" if damage == "garbage" else data[: len(data) // 2])
    ds = JesterDataset(root, "train", num_frames=4, size=8, train=False)
    with pytest.raises(DataFormatError) as e:
        ds[1]
    assert str(bad) in str(e.value) and "cannot be decoded" in str(e.value)


def test_frames_of_different_sizes(tmp_path):
    root = make_root(tmp_path)
    cv2.imwrite(str(root / "20bn-jester-v1" / "2" / "00003.jpg"), np.zeros((H + 2, W, 3), np.uint8))
    ds = JesterDataset(root, "train", num_frames=5, size=8, train=False)
    with pytest.raises(DataFormatError, match=r"00003\.jpg.*30x22 image.*30x20"):
        ds[1]
