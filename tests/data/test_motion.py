"""Optical flow for the flow stream: Farneback flow of a moving square, and flow stored as images."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from motion_rnn.data.motion import FLOW_BOUND, farneback_flow, flow_to_image


def _moving_square(dx: int, dy: int, *, frames: int = 3, size: int = 64, side: int = 16) -> np.ndarray:
    """``(T, 3, H, W)`` uint8: a bright, slightly blurred square moving (dx, dy) pixels a frame."""
    out = []
    for t in range(frames):
        image = np.zeros((size, size), np.uint8)
        y0, x0 = 20 + t * dy, 20 + t * dx
        image[y0 : y0 + side, x0 : x0 + side] = 220
        image = cv2.GaussianBlur(image, (5, 5), 1.0)
        out.append(np.repeat(image[None], 3, axis=0))
    return np.stack(out)


@pytest.mark.parametrize(("dx", "dy"), [(2, 1), (-3, 0), (0, -2), (1, 3)])
def test_mean_flow_of_a_moving_square(dx, dy):
    frames = _moving_square(dx, dy)
    flow = farneback_flow(frames)
    assert flow.shape == (2, 2, 64, 64) and flow.dtype == np.float32
    inside = frames[:-1, 0] > 100  # the square's pixels in the earlier frame of each pair
    for axis, true in ((0, dx), (1, dy)):  # channel 0 x (right), channel 1 y (down)
        mean = flow[:, axis][inside].mean()
        assert abs(mean - true) < 0.5, (axis, mean, true)
        if true:
            assert np.sign(mean) == np.sign(true)
    for corner in (flow[..., :4, :4], flow[..., -4:, -4:]):  # far from the square: no motion
        assert np.abs(corner).max() < 0.05


def test_frame_layouts_agree():
    frames = _moving_square(2, 1)
    rgb = farneback_flow(frames)
    np.testing.assert_array_equal(farneback_flow(torch.from_numpy(frames)), rgb)
    np.testing.assert_array_equal(farneback_flow(frames[:, 0]), rgb)  # (T, H, W) grey
    np.testing.assert_array_equal(farneback_flow(frames[:, :1]), rgb)  # (T, 1, H, W)
    with pytest.raises(ValueError, match="uint8"):
        farneback_flow(frames.astype(np.float32))
    with pytest.raises(ValueError, match="at least 2 frames"):
        farneback_flow(frames[:1])


def test_flow_to_image_mapping():
    flow = np.zeros((1, 2, 1, 5), np.float32)
    flow[0, 0] = [0.0, 20.0, -20.0, 35.0, 3.0]  # x
    flow[0, 1] = [0.0, 0.0, 0.0, 0.0, 4.0]  # y
    image = flow_to_image(flow)
    assert image.shape == (1, 3, 1, 5) and image.dtype == np.uint8
    assert image[0, 0, 0].tolist() == [128, 255, 0, 255, 147]  # (x + 20) * 255 / 40, clipped
    assert image[0, 1, 0].tolist() == [128, 128, 128, 128, 153]
    assert image[0, 2, 0].tolist() == [0, 255, 255, 255, 64]  # |flow| * 255 / 20, clipped: |(3, 4)| = 5
    assert FLOW_BOUND == 20
    np.testing.assert_array_equal(flow_to_image(torch.from_numpy(flow[0])), image[0])  # (2, H, W) too
    assert flow_to_image(flow, bound=5)[0, 2, 0, 4] == 255
    with pytest.raises(ValueError, match=r"\(\.\.\., 2, H, W\)"):
        flow_to_image(np.zeros((3, 4, 4)))


def test_flow_images_of_a_moving_square():
    image = flow_to_image(farneback_flow(_moving_square(2, 1)))  # (T - 1, 3, H, W): a clip of 3 channels
    assert image.shape == (2, 3, 64, 64)
    inside = _moving_square(2, 1)[:-1, 0] > 100
    assert image[:, 0][inside].mean() > 128 + 5  # rightwards: above the zero level
    assert image[:, 1][inside].mean() > 128 + 2  # downwards
    assert image[:, 0][:, :4, :4].tolist() == [[[128] * 4] * 4] * 2  # still corner: zero flow
