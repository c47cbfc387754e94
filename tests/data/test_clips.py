"""Frame sampling and clip preparation (motion_rnn.data.clips)."""

import pytest
import torch

from motion_rnn.data.clips import (
    ClipTransform,
    make_generator,
    sample_frame_indices,
    square_crop_box,
)


# --- sample_frame_indices: "segments" ---------------------------------------------------------
def test_segments_eval_takes_segment_centres():
    # 32 frames in 16 segments of 2: centres at 1, 3, 5, ...
    assert sample_frame_indices(32, 16, train=False) == list(range(1, 32, 2))
    # 37 frames: segment k is [37k/16, 37(k+1)/16); centre floor((k + 1/2) 37 / 16)
    assert sample_frame_indices(37, 16, train=False)[:4] == [1, 3, 5, 8]


@pytest.mark.parametrize("n", [16, 17, 37, 100])
def test_segments_train_draws_one_frame_in_each_segment(n):
    t = 16
    for seed in range(20):
        idx = sample_frame_indices(n, t, train=True, generator=make_generator(seed))
        for k, i in enumerate(idx):
            assert k * n // t <= i < (k + 1) * n / t  # frame i covers [i, i + 1)


def test_segments_short_video_repeats_frames_evenly():
    assert sample_frame_indices(4, 8, train=False) == [0, 0, 1, 1, 2, 2, 3, 3]
    idx = sample_frame_indices(5, 16, train=True, generator=make_generator(0))
    assert idx == sorted(idx) and set(idx) == {0, 1, 2, 3, 4}


def test_train_sampling_is_deterministic_given_the_generator_and_varies_with_it():
    a = sample_frame_indices(100, 16, train=True, generator=make_generator(3, 0, 7))
    b = sample_frame_indices(100, 16, train=True, generator=make_generator(3, 0, 7))
    c = sample_frame_indices(100, 16, train=True, generator=make_generator(3, 1, 7))
    assert a == b and a != c


# --- sample_frame_indices: the authors' code ----------------------------------------------------
def test_zhang2018_code_eval_takes_segment_starts():
    assert sample_frame_indices(37, 16, train=False, scheme="zhang2018_code") == [int(k * 37 / 16) for k in range(16)]


def test_zhang2018_code_short_video_holds_the_last_frame():
    assert sample_frame_indices(10, 16, train=False, scheme="zhang2018_code") == list(range(10)) + [9] * 6


def test_zhang2018_code_train_jitter():
    # n < 2T: no jitter at all
    assert sample_frame_indices(20, 16, train=True, generator=make_generator(0), scheme="zhang2018_code") == [
        int(k * 20 / 16) for k in range(16)
    ]
    # n = 64, T = 16: scale 4, jitter uniform in [-1, 1) around 4k, clipped into the video
    for seed in range(10):
        idx = sample_frame_indices(64, 16, train=True, generator=make_generator(seed), scheme="zhang2018_code")
        assert all(4 * k - 1 <= i <= 4 * k for k, i in enumerate(idx))
        assert min(idx) >= 0 and max(idx) <= 63


@pytest.mark.parametrize(
    "args, kwargs",
    [((0, 16), {}), ((10, 0), {}), ((10, 4), {"scheme": "tsn"})],
)
def test_bad_sampling_arguments_raise(args, kwargs):
    with pytest.raises(ValueError):
        sample_frame_indices(*args, train=False, **kwargs)


# --- crop ---------------------------------------------------------------------------------------
def test_square_crop_box():
    assert square_crop_box(100, 176, train=False) == (0, 38, 100)
    assert square_crop_box(176, 100, train=False) == (38, 0, 100)
    offsets = {square_crop_box(100, 176, train=True, generator=make_generator(s))[1] for s in range(50)}
    assert min(offsets) >= 0 and max(offsets) <= 76 and len(offsets) > 10


# --- ClipTransform ------------------------------------------------------------------------------
def _columns(t=4, h=10, w=20):
    """(T, 3, h, w) uint8 whose value is the column index (x 10): shows where a crop lands."""
    x = (torch.arange(w) * 10).to(torch.uint8)
    return x.view(1, 1, 1, w).expand(t, 3, h, w).clone()


def test_transform_shape_dtype_and_mean_subtraction():
    frames = torch.full((5, 3, 30, 40), 100, dtype=torch.uint8)
    clip = ClipTransform(size=16, mean=(10.0, 20.0, 30.0))(frames)
    assert clip.shape == (5, 3, 16, 16) and clip.dtype == torch.float32
    assert torch.allclose(clip[:, 0], torch.tensor(90.0))
    assert torch.allclose(clip[:, 2], torch.tensor(70.0))
    scaled = ClipTransform(size=16, mean=(0.0, 0.0, 0.0), scale=1 / 255)(frames)
    assert torch.allclose(scaled, torch.tensor(100 / 255))


def test_eval_crop_is_centred():
    clip = ClipTransform(size=10)(_columns())  # 10x20 -> columns 5..14, no resize
    assert clip[0, 0, 0].tolist() == [float(10 * c) for c in range(5, 15)]


def test_train_crop_offset_is_shared_by_all_frames_and_deterministic():
    frames = _columns(t=6)
    tf = ClipTransform(size=10, train=True)
    clip = tf(frames, make_generator(1))
    assert all(torch.equal(clip[0], clip[k]) for k in range(6))
    assert torch.equal(clip, tf(frames, make_generator(1)))
    lefts = {int(tf(frames, make_generator(s))[0, 0, 0, 0]) // 10 for s in range(40)}
    assert lefts <= set(range(11)) and len(lefts) > 3


def test_transform_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"\(T, C, H, W\)"):
        ClipTransform()(torch.zeros(3, 8, 8, dtype=torch.uint8))
    with pytest.raises(ValueError, match="channels"):
        ClipTransform()(torch.zeros(2, 1, 8, 8, dtype=torch.uint8))
