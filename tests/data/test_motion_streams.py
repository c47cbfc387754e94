"""Borg & Camilleri 2019's motion streams (Sec. 4.2): stacked HSV flow images, motion history images and
multi-frame differences, on a crafted moving square; and the timing of all three."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from motion_rnn.data.motion_images import (
    TABLE2_FORWARD_MS,
    camera_pan,
    flow_hsv_stack,
    flow_to_hsv_image,
    motion_history_image,
    multi_frame_difference,
    time_encodings,
)


def _square(dx: int, dy: int, *, frames: int, size: int = 64, side: int = 14, blur: bool = True) -> np.ndarray:
    """``(T, 3, H, W)`` uint8: a bright square on black, starting at (20, 20), moving (dx, dy) a frame."""
    out = []
    for t in range(frames):
        image = np.zeros((size, size), np.uint8)
        y0, x0 = 20 + t * dy, 20 + t * dx
        image[y0 : y0 + side, x0 : x0 + side] = 220
        if blur:
            image = cv2.GaussianBlur(image, (5, 5), 1.0)
        out.append(np.repeat(image[None], 3, axis=0))
    return np.stack(out)


def _hue(rgb_chw: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb_chw.transpose(1, 2, 0)), cv2.COLOR_RGB2HSV)[..., 0]


def test_flow_to_hsv_image_mapping():
    flow = np.zeros((2, 1, 5), np.float32)
    flow[:, 0] = np.array([[2, 0, -2, 0, 0], [0, 2, 0, -2, 0]], np.float32)  # right, down, left, up, still
    image = flow_to_hsv_image(flow, bound=2.0)
    assert image.shape == (3, 1, 5) and image.dtype == np.uint8
    assert image[:, 0, 0].tolist() == [255, 0, 0]  # rightwards: hue 0, red
    assert image[:, 0, 2].tolist() == [0, 255, 255]  # leftwards: hue 90 (180 degrees), cyan
    assert image[:, 0, 4].tolist() == [0, 0, 0]  # still: value 0
    assert [int(h) for h in _hue(image)[0, :4]] == [0, 45, 90, 135]  # right, down, left, up
    half = flow_to_hsv_image(flow / 2, bound=2.0)  # a fixed bound keeps the speed...
    assert half.max() == 128
    assert flow_to_hsv_image(flow / 2).max() == 255  # ... min-max per field does not
    assert flow_to_hsv_image(np.zeros((2, 4, 4), np.float32)).max() == 0
    np.testing.assert_array_equal(flow_to_hsv_image(np.stack([flow, flow])), np.stack([image, image]))
    with pytest.raises(ValueError, match=r"\(\.\.\., 2, H, W\)"):
        flow_to_hsv_image(np.zeros((3, 4, 4)))


@pytest.mark.parametrize(("dx", "dy", "hue"), [(2, 0, 0), (0, 2, 45), (-2, 0, 90), (0, -2, 135)])
def test_flow_stack_hue_encodes_the_direction(dx, dy, hue):
    frames = _square(dx, dy, frames=12)
    stack = flow_hsv_stack(frames, fields=10, bound=4.0)
    assert stack.shape == (2, 30, 64, 64) and stack.dtype == np.uint8
    np.testing.assert_array_equal(stack[1, :27], stack[0, 3:])  # stack n + 1 is stack n shifted a field
    for k in range(10):  # each field: the square's pixels in its earlier frame carry the direction's hue
        inside = frames[k, 0] > 150
        hues = _hue(stack[0, 3 * k : 3 * k + 3])[inside].astype(int)
        error = np.minimum(np.abs(hues - hue), 180 - np.abs(hues - hue))  # hue is circular, 0..180
        assert np.median(error) <= 8, (k, np.median(hues))


def test_flow_stack_needs_enough_frames():
    with pytest.raises(ValueError, match="at least 11 frames"):
        flow_hsv_stack(_square(1, 0, frames=10))
    assert flow_hsv_stack(torch.from_numpy(_square(1, 0, frames=3)), fields=2).shape == (1, 6, 64, 64)


def test_motion_history_update_rule_and_threshold():
    frames = np.zeros((5, 1, 3), np.uint8)  # (T, H, W) grey: three pixels
    frames[1:, 0, 0] = 100  # pixel 0 changes between frames 0 and 1 only: the oldest motion
    frames[4, 0, 1] = 100  # pixel 1 changes between frames 3 and 4: the newest
    frames[2:, 0, 2] = 32  # pixel 2 changes by exactly the threshold: not motion
    mhi = motion_history_image(frames, window=5, threshold=32)
    assert mhi.shape == (1, 1, 1, 3) and mhi.dtype == np.uint8
    assert mhi[0, 0, 0].tolist() == [64, 255, 0]  # tau = 4 steps: 1 * 255 / 4 and 4 * 255 / 4
    frames[3, 0, 0] = 0  # pixel 0 moves again at differences 3 and 4: the newest motion wins
    assert motion_history_image(frames)[0, 0, 0, 0] == 255


def test_motion_history_gradient_points_along_the_motion():
    frames = _square(3, 0, frames=6, blur=False)  # rightwards
    mhi = motion_history_image(frames)
    assert mhi.shape == (2, 1, 64, 64)
    values = mhi[0, 0]
    xs = {v: np.nonzero(values == v)[1].mean() for v in (64, 128, 191, 255)}  # oldest .. newest motion
    assert xs[64] < xs[128] < xs[191] < xs[255]
    gx = cv2.Sobel(values.astype(np.float32), cv2.CV_32F, 1, 0)  # history rises towards the motion
    gy = cv2.Sobel(values.astype(np.float32), cv2.CV_32F, 0, 1)
    assert gx[values > 0].sum() > 0 and abs(gy[values > 0].sum()) < 0.05 * gx[values > 0].sum()
    assert values[:18].max() == 0 and values[:, :18].max() == 0  # nothing moved there


def test_multi_frame_difference_is_nonzero_only_where_it_moved():
    frames = _square(2, 1, frames=5, blur=False)
    diff = multi_frame_difference(frames)
    assert diff.shape == (1, 1, 64, 64) and diff.dtype == np.uint8
    grey = frames[:, 0].astype(int)
    expected = np.clip(np.abs(np.diff(grey, axis=0)).sum(axis=0), 0, 255)  # summed, saturating
    np.testing.assert_array_equal(diff[0, 0], expected)
    covered = (grey > 0).any(axis=0)
    assert diff[0, 0][~covered].max() == 0 and diff[0, 0][covered].max() == 255
    still = (grey > 0).all(axis=0)  # under the square in every frame: no change
    assert diff[0, 0][still].max() == 0
    assert multi_frame_difference(frames, window=2).shape == (4, 1, 64, 64)
    with pytest.raises(ValueError, match="at least 5 frames"):
        multi_frame_difference(frames[:4])
    with pytest.raises(ValueError, match="uint8"):
        multi_frame_difference(frames.astype(np.float32))


def test_camera_pan_and_time_encodings():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (50, 60, 3), dtype=np.uint8)
    frames = camera_pan(image, frames=12, size=32, step=2)
    assert frames.shape == (12, 3, 32, 32) and frames.dtype == np.uint8
    np.testing.assert_array_equal(frames[1][:, :-2, :-2], frames[0][:, 2:, 2:])  # moved 2 px diagonally
    times = time_encodings(frames, inputs=2, repeats=1)
    assert set(times) == set(TABLE2_FORWARD_MS) and all(t > 0 for t in times.values())
    with pytest.raises(ValueError, match="at least 13 frames"):
        time_encodings(frames, inputs=3)
