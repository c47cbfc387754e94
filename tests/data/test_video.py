"""Decoding videos and cutting them into Lakhal et al.'s clips and crops (motion_rnn.data.video)."""

from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
import torch

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.video import LabelledVideos, clip_count, clip_starts, read_video, sample_clips, ten_crop


def _grey(k: int) -> int:
    return (10 + 20 * k) % 240


def write_avi(path: Path, n: int, h: int = 32, w: int = 32, codec: str = "mpeg4") -> Path:
    """A tiny real .avi: frame k is a uniform grey _grey(k)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        container.start_encoding()  # writes the header even when no frame follows
        for k in range(n):
            frame = av.VideoFrame.from_ndarray(np.full((h, w, 3), _grey(k), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# --- read_video ---------------------------------------------------------------------------------
@pytest.mark.parametrize("codec", ["mpeg4", "mjpeg"])
def test_reads_every_frame_as_uint8_rgb(tmp_path, codec):
    path = write_avi(tmp_path / "v.avi", 11, h=24, w=32, codec=codec)
    video = read_video(path)
    assert video.shape == (11, 3, 24, 32) and video.dtype == torch.uint8
    means = video.float().mean(dim=(1, 2, 3))
    assert torch.allclose(means, torch.tensor([float(_grey(k)) for k in range(11)]), atol=4)


def test_missing_video(tmp_path):
    with pytest.raises(DataFormatError, match=r"nope\.avi: found no such file"):
        read_video(tmp_path / "nope.avi")


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00 this is not a video" * 20])
def test_corrupt_video(tmp_path, content):
    path = tmp_path / "broken.avi"
    path.write_bytes(content)
    with pytest.raises(DataFormatError, match=r"broken\.avi: found a video that cannot be decoded"):
        read_video(path)


def test_video_without_frames(tmp_path):
    path = write_avi(tmp_path / "empty.avi", 0)
    assert path.stat().st_size > 0
    with pytest.raises(DataFormatError, match=r"empty\.avi: found a video stream with no frames"):
        read_video(path)


def test_file_without_a_video_stream(tmp_path):
    path = tmp_path / "sound.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(DataFormatError, match="without a video stream"):
        read_video(path)


# --- K_v and the clips' starts (Sec. 3.1) --------------------------------------------------------
def test_clip_count_is_the_papers_k_v():
    assert clip_count(40) == 4  # floor(40 / 8) - 1
    assert clip_count(16) == 1
    assert clip_count(23) == 1
    assert clip_count(24) == 2
    for n in range(16, 400):
        assert clip_count(n) == n // 8 - 1, n  # the paper's formula, for |S| = 16 = 2r


def test_clip_count_with_other_lengths_counts_clips_that_fit():
    assert clip_count(10, clip_length=4, stride=3) == 3  # starts 0, 3, 6; 9..12 would overrun
    assert clip_count(5, clip_length=5, stride=1) == 1


def test_video_too_short_for_one_clip():
    with pytest.raises(ValueError, match="15 frames is too short.*needs at least 16 frames"):
        clip_count(15)
    with pytest.raises(ValueError, match="needs at least 16 frames"):
        clip_starts(3)


def test_clip_starts():
    assert clip_starts(40) == [0, 8, 16, 24]  # the last clip is frames 24..39
    for n in (16, 31, 32, 57, 100):
        starts = clip_starts(n)
        assert len(starts) == clip_count(n) and starts[-1] + 16 <= n < starts[-1] + 16 + 8
    assert clip_starts(10, clip_length=4, stride=3) == [0, 3, 6]


# --- sigma(t) -----------------------------------------------------------------------------------
def _sigma(t: int, k_v: int, steps: int) -> int:
    """The paper's 1-based formula, written out."""
    return 1 + int(np.floor((t - 1) * (k_v - 1) / (steps - 1)))


def test_sample_clips_hand_computed():
    assert [i + 1 for i in sample_clips(10, 5)] == [1, 3, 5, 7, 10]  # (t-1) * 9/4 = 0, 2.25, 4.5, 6.75, 9
    assert sample_clips(4, 4) == [0, 1, 2, 3]
    assert sample_clips(25, 2) == [0, 24]
    assert sample_clips(7, 3) == [0, 3, 6]


def test_sample_clips_matches_the_formula_and_keeps_first_and_last():
    for k_v in range(1, 40):
        for steps in range(2, 30):
            idx = sample_clips(k_v, steps)
            assert [i + 1 for i in idx] == [_sigma(t, k_v, steps) for t in range(1, steps + 1)]
            assert idx[0] == 0 and idx[-1] == k_v - 1 and idx == sorted(idx)


def test_sample_clips_edge_cases():
    assert sample_clips(10, 1) == [0]  # T = 1: the first clip
    assert sample_clips(1, 1) == [0]
    assert sample_clips(3, 5) == [0, 0, 1, 1, 2]  # T > K_v: clips repeat, as the formula gives
    assert sample_clips(1, 4) == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="k_v"):
        sample_clips(0, 3)
    with pytest.raises(ValueError, match="t "):
        sample_clips(3, 0)


# --- ten crops (Sec. 3.3) -----------------------------------------------------------------------
def test_ten_crop_order_and_mirrors():
    t, h, w, s = 3, 6, 8, 4
    frames = torch.arange(t * 3 * h * w, dtype=torch.int64).reshape(t, 3, h, w)  # every pixel distinct
    crops = ten_crop(frames, s)
    assert crops.shape == (10, t, 3, s, s)
    corners = [(0, 0), (0, w - s), (h - s, 0), (h - s, w - s), ((h - s + 1) // 2, (w - s + 1) // 2)]
    for k, (top, left) in enumerate(corners):  # 0-4: top-left, top-right, bottom-left, bottom-right, centre
        assert torch.equal(crops[k], frames[..., top : top + s, left : left + s]), k
    mirrored = frames.flip(-1)
    for k, (top, left) in enumerate(corners):  # 5-9: the same crops of the mirrored frames
        assert torch.equal(crops[5 + k], mirrored[..., top : top + s, left : left + s]), k
    # so a crop of the mirrored frames is the mirror of the crop on the other side
    for k, other in [(5, 1), (6, 0), (7, 3), (8, 2), (9, 4)]:
        assert torch.equal(crops[k], crops[other].flip(-1)), k


def test_ten_crop_rectangular_size_and_uint8():
    frames = torch.randint(0, 256, (2, 3, 12, 16), dtype=torch.uint8)
    crops = ten_crop(frames, (8, 10))
    assert crops.shape == (10, 2, 3, 8, 10) and crops.dtype == torch.uint8


def test_ten_crop_rejects_bad_input():
    with pytest.raises(ValueError, match="does not fit"):
        ten_crop(torch.zeros(2, 3, 8, 8), 9)
    with pytest.raises(ValueError, match=r"\(T, C, H, W\)"):
        ten_crop(torch.zeros(3, 8, 8), 4)


def test_the_pipeline_on_a_decoded_video(tmp_path):
    video = read_video(write_avi(tmp_path / "v.avi", 24))
    starts = clip_starts(video.shape[0])  # K_v = 24 // 8 - 1 = 2
    keep = sample_clips(len(starts), 3)
    clips = torch.stack([ten_crop(video[starts[k] : starts[k] + 16], 16) for k in keep])
    assert starts == [0, 8] and keep == [0, 0, 1]
    assert clips.shape == (3, 10, 16, 3, 16, 16)


# --- LabelledVideos -----------------------------------------------------------------------------
def test_labelled_videos(tmp_path):
    a = write_avi(tmp_path / "a.avi", 8)
    b = write_avi(tmp_path / "b.avi", 9)
    table = pd.DataFrame({"path": [str(a), str(b)], "label": [1, 0], "group": [3, 4]})
    data = LabelledVideos(table, transform=lambda v: v[:2])
    assert len(data) == 2
    item = data[1]
    assert item["video"].shape == (2, 3, 32, 32) and item["label"] == 0 and item["video_id"] == "b"
    assert item["group"] == 4 and isinstance(item["group"], int) and item["class_name"] == ""
