"""Temporal pooling and factorised temporal convolutions (Pigou et al. 2016, Sec. 3.1, 3.3, eqs. 5-6)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from motion_rnn.models.pigou2016.temporal import (
    SpatioTemporalCNN,
    SpatioTemporalConv,
    TemporalConv,
    TemporalPooling,
    centre_index,
    max_pool_2d,
    max_pool_3d,
)

# -- temporal pooling --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["max", "mean"])
def test_temporal_pooling_pools_over_time_and_forgets_order(mode):
    features = torch.randn(3, 16, 10)
    pooled = TemporalPooling(mode)(features)
    assert pooled.shape == (3, 10)
    expected = features.amax(dim=1) if mode == "max" else features.mean(dim=1)
    torch.testing.assert_close(pooled, expected)
    # "the order of the temporal events is lost": reversed or shuffled windows pool alike.
    torch.testing.assert_close(TemporalPooling(mode)(features.flip(1)), pooled)
    torch.testing.assert_close(TemporalPooling(mode)(features[:, torch.randperm(16)]), pooled)


def test_temporal_pooling_refuses_wrong_input():
    with pytest.raises(ValueError, match="'max', 'mean'"):
        TemporalPooling("sum")
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        TemporalPooling("max")(torch.randn(3, 10))
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        TemporalPooling("mean")(torch.randn(3, 0, 10))


def test_centre_index():
    assert [centre_index(n) for n in (1, 2, 3, 16, 32, 64)] == [0, 1, 1, 8, 16, 32]
    with pytest.raises(ValueError):
        centre_index(0)


# -- eq. 6: the temporal convolution -----------------------------------------------------------


def _eq6(maps: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """Eq. 6 written out: v_tij^k = a(b^k + sum_m sum_d W^{km}[d] s_{t+d-1, ij}^m), zero outside the window."""
    batch, steps, channels, height, width = maps.shape
    padded = torch.cat(
        [maps.new_zeros(batch, 1, channels, height, width), maps, maps.new_zeros(batch, 1, channels, height, width)],
        dim=1,
    )
    out = []
    for t in range(steps):
        window = padded[:, t : t + 3]  # s_{t-1}, s_t, s_{t+1}
        total = torch.einsum("kmd,bdmhw->bkhw", weight[..., 0], window) + bias.view(1, -1, 1, 1)
        out.append(F.leaky_relu(total, 0.3))
    return torch.stack(out, dim=1)


def test_temporal_conv_is_eq_6():
    torch.manual_seed(0)
    layer = TemporalConv(3, 5).double()
    maps = torch.randn(2, 7, 3, 4, 5, dtype=torch.float64)
    out = layer(maps)
    assert out.shape == (2, 7, 5, 4, 5)
    torch.testing.assert_close(out, _eq6(maps, layer.conv.weight, layer.conv.bias))


def test_temporal_conv_equals_a_3x1x1_conv3d():
    torch.manual_seed(0)
    layer = TemporalConv(3, 4)
    conv3d = nn.Conv3d(3, 4, kernel_size=(3, 1, 1), padding=(1, 0, 0))
    with torch.no_grad():
        conv3d.weight.copy_(layer.conv.weight.unsqueeze(-1))
        conv3d.bias.copy_(layer.conv.bias)
    maps = torch.randn(2, 6, 3, 5, 5)
    expected = F.leaky_relu(conv3d(maps.transpose(1, 2)), 0.3).transpose(1, 2)
    torch.testing.assert_close(layer(maps), expected)


def test_temporal_conv_acts_at_each_position_on_its_own():
    # "we convolve across the time dimension for every position (i, j)": no spatial mixing.
    torch.manual_seed(0)
    layer = TemporalConv(2, 2)
    maps = torch.randn(1, 5, 2, 6, 6)
    changed = maps.clone()
    changed[:, :, :, 2, 3] += 1.0
    moved = (layer(maps) - layer(changed)).abs().amax(dim=(0, 1, 2)) > 0
    assert moved.nonzero().tolist() == [[2, 3]]


def test_temporal_conv_reaches_one_frame_either_side():
    torch.manual_seed(0)
    layer = TemporalConv(2, 2)
    maps = torch.randn(1, 7, 2, 3, 3)
    changed = maps.clone()
    changed[:, 3] += 1.0
    moved = (layer(maps) - layer(changed)).abs().amax(dim=(0, 2, 3, 4)) > 0
    assert moved.tolist() == [False, False, True, True, True, False, False]


def test_temporal_conv_initialisation_and_kernel():
    layer = TemporalConv(4, 4)
    assert layer.conv.weight.shape == (4, 4, 3, 1)
    assert torch.all(layer.conv.bias == 0.1)
    with pytest.raises(ValueError, match="odd"):
        TemporalConv(4, 4, kernel_size=2)


# -- eqs. 5-6: the spatiotemporal layer --------------------------------------------------------


def test_spatial_step_has_no_bias_and_no_nonlinearity():
    torch.manual_seed(0)
    layer = SpatioTemporalConv(3, 4)
    assert layer.spatial.bias is None and layer.spatial.kernel_size == (3, 3)
    # A blank clip: s = 0 (eq. 5 has no bias), so v = a(b) = 0.1 everywhere (eq. 6).
    out = layer(torch.zeros(2, 5, 3, 8, 8))
    assert out.shape == (2, 5, 4, 8, 8)
    torch.testing.assert_close(out, torch.full_like(out, 0.1))
    # And eq. 6 reads eq. 5's output directly, negative values included.
    clips = torch.randn(2, 5, 3, 8, 8)
    spatial = layer.spatial(clips.flatten(0, 1)).unflatten(0, (2, 5))
    assert (spatial < 0).any()
    torch.testing.assert_close(layer(clips), layer.temporal(spatial))


def test_temporal_convolutions_respond_to_motion():
    # A still clip gives the same features at every inner frame; a frame of a moving square
    # gives other features than the same frame held still, because its neighbours differ.
    torch.manual_seed(0)
    layer = SpatioTemporalConv(1, 4)
    frame = torch.zeros(1, 12, 12)
    frame[:, 4:7, 4:7] = 1
    moving = torch.stack([torch.roll(frame, t, dims=2) for t in range(6)]).unsqueeze(0)  # (1, 6, 1, 12, 12)
    still = moving[:, 2:3].expand(1, 6, 1, 12, 12)
    still_out, moving_out = layer(still), layer(moving)
    torch.testing.assert_close(still_out[:, 1:-1], still_out[:, 1:2].expand_as(still_out[:, 1:-1]))
    assert (moving_out[:, 2] - still_out[:, 2]).abs().max() > 1e-3


# -- 3-D max-pooling ---------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [2, 6, 7])
def test_max_pool_3d_equals_torch_maxpool3d(steps):
    maps = torch.randn(2, steps, 3, 8, 6)
    expected = nn.MaxPool3d(2)(maps.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(max_pool_3d(maps), expected)
    assert max_pool_3d(maps).shape == (2, steps // 2, 3, 4, 3)


def test_max_pool_2d_keeps_time():
    maps = torch.randn(2, 5, 3, 8, 8)
    assert max_pool_2d(maps).shape == (2, 5, 3, 4, 4)
    with pytest.raises(ValueError, match="at least 2 frames"):
        max_pool_3d(torch.randn(2, 1, 3, 8, 8))


# -- the spatiotemporal CNN --------------------------------------------------------------------


def test_paper_temp_conv_trunk_shapes():
    with torch.device("meta"):
        pooled = SpatioTemporalCNN(pool="3d")
        kept = SpatioTemporalCNN(pool="2d")
        assert pooled(torch.empty(2, 32, 4, 64, 64)).shape == (2, 2, 2048)  # Fig. 1d: 32 frames -> 2 steps
        assert kept(torch.empty(2, 64, 4, 64, 64)).shape == (2, 64, 2048)  # Fig. 1e: time kept
    assert pooled.time_stride == 16 and kept.time_stride == 1


def test_paper_temp_conv_trunk_layers():
    with torch.device("meta"):
        trunk = SpatioTemporalCNN()
    layers = [m for m in trunk.modules() if isinstance(m, SpatioTemporalConv)]
    assert [layer.spatial.out_channels for layer in layers] == [16, 16, 32, 32, 64, 64, 128, 128]
    expected = sum(
        9 * n_in * n_out + 3 * n_out * n_out + n_out
        for n_in, n_out in zip([4, 16, 16, 32, 32, 64, 64, 128], [16, 16, 32, 32, 64, 64, 128, 128])
    )
    assert sum(p.numel() for p in trunk.parameters()) == expected


@pytest.mark.parametrize(("pool", "steps", "out_steps"), [("3d", 16, 1), ("3d", 33, 2), ("2d", 5, 5), ("2d", 1, 1)])
def test_tiny_trunk_shapes(pool, steps, out_steps):
    torch.manual_seed(0)
    trunk = SpatioTemporalCNN(width=1 / 8, frame_size=16, pool=pool)
    assert trunk(torch.randn(2, steps, 4, 16, 16)).shape == (2, out_steps, 16)


@pytest.mark.parametrize("shape", [(2, 8, 4, 16, 16), (2, 16, 3, 16, 16), (2, 16, 4, 32, 32), (16, 4, 16, 16)])
def test_tiny_trunk_refuses_wrong_shapes(shape):
    trunk = SpatioTemporalCNN(width=1 / 8, frame_size=16, pool="3d")
    with pytest.raises(ValueError):
        trunk(torch.randn(*shape))


def test_trunk_refuses_bad_options():
    with pytest.raises(ValueError, match="'3d', '2d'"):
        SpatioTemporalCNN(pool="1d")
    with pytest.raises(ValueError, match="at least 16"):
        SpatioTemporalCNN(frame_size=12)


def test_time_kept_trunk_sees_eight_frames_either_side():
    # Fig. 1e: eight kernel-3 temporal convolutions, spatial pooling only: frame t's features
    # depend on frames t - 8 .. t + 8 and no others.
    torch.manual_seed(0)
    trunk = SpatioTemporalCNN(width=1 / 8, frame_size=16, pool="2d").eval()
    clips = torch.randn(1, 20, 4, 16, 16)
    changed = clips.clone()
    changed[:, 0] += torch.randn(4, 16, 16)
    moved = (trunk(clips) - trunk(changed)).abs().amax(dim=(0, 2)) > 0
    assert moved.nonzero().flatten().tolist() == list(range(9))
