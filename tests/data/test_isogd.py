"""The IsoGD list reader and dataset, on frame folders and video files (motion_rnn.data.isogd)."""

from pathlib import Path

import av
import cv2
import numpy as np
import pandas as pd
import pytest
import torch

from motion_rnn.data.clips import sample_frame_indices
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.isogd import IsoGDDataset, read_isogd_list, read_video_frames, write_isogd_list


def _grey(k: int) -> int:
    return 10 + 20 * k


def write_frames(folder: Path, n: int, h: int = 24, w: int = 32) -> None:
    """The authors' layout: 000001.jpg ... (six digits, 1-based); frame k is a uniform grey."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        cv2.imwrite(str(folder / f"{k + 1:06d}.jpg"), np.full((h, w, 3), _grey(k), np.uint8))


def write_video(path: Path, n: int, h: int = 24, w: int = 32) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for k in range(n):
            frame = av.VideoFrame.from_ndarray(np.full((h, w, 3), _grey(k), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def frame_numbers(clip: torch.Tensor) -> list[int]:
    return [round((float(v) - 10) / 20) for v in clip[:, 0].mean(dim=(1, 2))]


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "IsoGD_Image"
    write_frames(root / "train_image" / "RGB" / "M_00001", 11)
    write_frames(root / "train_image" / "RGB" / "M_00002", 6)
    write_video(root / "train" / "001" / "M_00003.avi", 9)
    return root


def write_list(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- the list -----------------------------------------------------------------------------------
def test_reads_the_authors_lines(tmp_path):
    lst = write_list(
        tmp_path / "train_rgb_list.txt",
        "/ssd/dataset/IsoGD_Image/train_image/RGB/M_00001/ 55 25\n\n"
        "/ssd/dataset/IsoGD_Image/train_image/RGB/M_00002/ 21 0\n"
        "train/001/M_00003.avi 9 248\n",
    )
    table = read_isogd_list(lst)
    assert list(table.columns) == ["path", "frame_count", "label", "line"]
    assert table["path"][0] == "/ssd/dataset/IsoGD_Image/train_image/RGB/M_00001/"
    assert table["frame_count"].tolist() == [55, 21, 9] and table["label"].tolist() == [25, 0, 248]
    assert table["line"].tolist() == [1, 3, 4]


def test_write_then_read_round_trip(tmp_path):
    table = pd.DataFrame({"path": ["a/M_1/", "b/M_2.avi"], "frame_count": [3, 40], "label": [7, 0]})
    back = read_isogd_list(write_isogd_list(table, tmp_path / "l.txt"))
    assert back[["path", "frame_count", "label"]].to_dict("list") == table.to_dict("list")


# --- the dataset ----------------------------------------------------------------------------------
def test_frame_folders_and_videos(root, tmp_path):
    lst = write_list(
        tmp_path / "l.txt",
        "train_image/RGB/M_00001/ 11 3\ntrain_image/RGB/M_00002 6 248\ntrain/001/M_00003.avi 9 0\n",
    )
    ds = IsoGDDataset(root, lst, num_frames=8, size=24, train=False, mean=(0, 0, 0))
    assert len(ds) == 3 and ds.num_classes == 249
    items = [ds[i] for i in range(3)]
    assert [it["video_id"] for it in items] == ["M_00001", "M_00002", "M_00003"]
    assert [it["label"] for it in items] == [3, 248, 0]
    for it in items:
        assert set(it) == {"clip", "label", "video_id"}
        assert it["clip"].shape == (8, 3, 24, 24) and it["clip"].dtype == torch.float32
    assert frame_numbers(items[0]["clip"]) == sample_frame_indices(11, 8, train=False)
    assert frame_numbers(items[2]["clip"]) == sample_frame_indices(9, 8, train=False)  # decoded video


def test_default_clip_is_32_frames_minus_the_rgb_mean(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "train_image/RGB/M_00002/ 6 1\n")
    clip = IsoGDDataset(root, lst, size=16, train=True)[0]["clip"]
    assert clip.shape == (32, 3, 16, 16)
    assert clip[0].mean().item() == pytest.approx(_grey(0) - 112, abs=1.5)


def test_strip_prefix_moves_the_authors_absolute_paths_under_root(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "/ssd/dataset/IsoGD_Image/train_image/RGB/M_00001/ 11 25\n")
    with pytest.raises(DataFormatError, match="strip_prefix="):
        IsoGDDataset(root, lst, train=False)
    ds = IsoGDDataset(root, lst, num_frames=4, size=8, train=False, strip_prefix="/ssd/dataset/IsoGD_Image/")
    assert ds[0]["video_id"] == "M_00001"


def test_check_frame_count_can_be_relaxed(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "train_image/RGB/M_00001/ 12 3\n")
    ds = IsoGDDataset(root, lst, num_frames=4, size=8, train=False, check_frame_count=False, mean=(0, 0, 0))
    assert frame_numbers(ds[0]["clip"]) == sample_frame_indices(11, 4, train=False)


# --- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, pattern",
    [
        (
            "a/M_1/ 55\n",
            r"line 1: found 'a/M_1/ 55' \(2 fields\); expected three fields 'path frame_count label'",
        ),
        ("a/M_1/ 55 25\na/M 2/ 55 25\n", r"line 2: .*\(4 fields\).*paths cannot contain spaces"),
        ("a/M_1/ many 25\n", r"line 1: .*expected three fields"),
        ("a/M_1/ 0 25\n", r"line 1: found frame count 0; expected a frame count of at least 1"),
        ("a/M_1/ 5 249\n", r"line 1: found label 249; expected a label in 0\.\.248 \(labels start at 0"),
        ("a/M_1/ 5 -1\n", r"line 1: found label -1; expected a label in 0\.\.248"),
        (
            "train/001/M_00001.avi train/001/K_00001.avi 26\n",
            r"line 1: .*official IsoGD list line.*expected the authors' format",
        ),
        ("\n\n", r"found no entries"),
    ],
)
def test_malformed_lists(tmp_path, text, pattern):
    lst = write_list(tmp_path / "my_list.txt", text)
    with pytest.raises(DataFormatError, match=pattern) as e:
        read_isogd_list(lst)
    assert str(e.value).startswith(str(lst))


def test_missing_list_file(tmp_path):
    with pytest.raises(DataFormatError, match=r"nolist\.txt: found no such file; expected a list of lines"):
        read_isogd_list(tmp_path / "nolist.txt")


def test_missing_listed_path(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "train_image/RGB/M_00001/ 11 3\ntrain_image/RGB/M_09999/ 30 1\n")
    with pytest.raises(DataFormatError) as e:
        IsoGDDataset(root, lst, train=False)
    msg = str(e.value)
    assert str(lst) in msg and "1 of 2 listed paths missing" in msg and "M_09999" in msg


def test_frame_count_disagreeing_with_the_folder(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "train_image/RGB/M_00002/ 6 1\ntrain_image/RGB/M_00001/ 12 3\n")
    ds = IsoGDDataset(root, lst, num_frames=4, size=8, train=False)
    with pytest.raises(DataFormatError) as e:
        ds[1]
    msg = str(e.value)
    assert f"{lst}, line 2" in msg and "frame count 12" in msg and "M_00001, which has 11 frames" in msg
    assert "check_frame_count=False" in msg


def test_frame_count_disagreeing_with_the_video(root, tmp_path):
    lst = write_list(tmp_path / "l.txt", "train/001/M_00003.avi 10 1\n")
    pattern = r"line 1: found frame count 10 for .*M_00003\.avi, which has 9 frames"
    with pytest.raises(DataFormatError, match=pattern):
        IsoGDDataset(root, lst, num_frames=4, size=8, train=False)[0]


def test_gap_in_a_frame_folder(root, tmp_path):
    (root / "train_image" / "RGB" / "M_00001" / "000004.jpg").unlink()
    lst = write_list(tmp_path / "l.txt", "train_image/RGB/M_00001/ 11 3\n")
    with pytest.raises(DataFormatError, match=r"M_00001: found frames 1\.\.11 with 1 missing: 4"):
        IsoGDDataset(root, lst, num_frames=4, size=8, train=False)[0]


def test_corrupt_video(root, tmp_path):
    video = root / "train" / "001" / "M_00003.avi"
    video.write_bytes(video.read_bytes()[:200])
    lst = write_list(tmp_path / "l.txt", "train/001/M_00003.avi 9 1\n")
    with pytest.raises(DataFormatError, match=r"M_00003\.avi: found a video that cannot be decoded"):
        IsoGDDataset(root, lst, num_frames=4, size=8, train=False)[0]


def test_read_video_frames_shape(root):
    video = read_video_frames(root / "train" / "001" / "M_00003.avi")
    assert video.shape == (9, 3, 24, 32) and video.dtype == torch.uint8
