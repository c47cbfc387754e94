"""The single-frame CNN and its dense head (Pigou et al. 2016, Sec. 3.1, Fig. 1a)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from motion_rnn.models.pigou2016.cnn2d import (
    HIDDEN_BIAS,
    LEAKINESS,
    DenseHead,
    FrameCNN,
    conv_channels,
    init_classifier_,
    pooled_size,
)


def _tiny_cnn(**options) -> FrameCNN:
    torch.manual_seed(0)
    return FrameCNN(**({"width": 1 / 8, "frame_size": 16} | options))


# -- shapes that must pass ---------------------------------------------------------------------


def test_paper_cnn_turns_a_64x64_rgbd_frame_into_2048_values():
    with torch.device("meta"):
        cnn = FrameCNN()
        features = cnn(torch.empty(2, 3, 4, 64, 64))
    assert cnn.channels == (16, 32, 64, 128)
    assert cnn.out_features == 128 * 4 * 4 == 2048
    assert features.shape == (2, 3, 2048)


def test_paper_cnn_has_the_papers_layers():
    cnn = FrameCNN()
    convs = [m for m in cnn.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [16, 16, 32, 32, 64, 64, 128, 128]
    assert all(c.kernel_size == (3, 3) and c.padding == (1, 1) for c in convs)
    pools = [m for m in cnn.modules() if isinstance(m, nn.MaxPool2d)]
    assert len(pools) == 4 and all(p.kernel_size == 2 and p.stride == 2 for p in pools)
    activations = [m for m in cnn.modules() if isinstance(m, nn.LeakyReLU)]
    assert len(activations) == 8 and all(a.negative_slope == LEAKINESS == 0.3 for a in activations)


@pytest.mark.parametrize(("width", "frame_size", "features"), [(1 / 8, 16, 16), (1 / 8, 32, 64), (0.25, 20, 32)])
def test_width_and_frame_size_give_tiny_networks(width, frame_size, features):
    cnn = _tiny_cnn(width=width, frame_size=frame_size, in_channels=3)
    out = cnn(torch.randn(2, 5, 3, frame_size, frame_size))
    assert out.shape == (2, 5, features) and cnn.out_features == features


def test_conv_channels_and_pooled_size():
    assert conv_channels(1.0) == (16, 32, 64, 128)
    assert conv_channels(1 / 8) == (2, 4, 8, 16)
    assert conv_channels(1e-3) == (1, 1, 1, 1)
    assert pooled_size(64) == 4 and pooled_size(20) == 1 and pooled_size(15) == 0


# -- shapes that must fail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [(2, 4, 16, 16), (2, 3, 3, 16, 16), (2, 3, 4, 16, 15), (2, 3, 4, 32, 32), (0, 3, 4, 16, 16), (2, 0, 4, 16, 16)],
)
def test_wrong_clip_shapes_are_refused(shape):
    with pytest.raises(ValueError, match=r"\(B, T, 4, 16, 16\)"):
        _tiny_cnn()(torch.randn(*shape))


def test_frames_smaller_than_16_are_refused():
    with pytest.raises(ValueError, match="at least 16"):
        FrameCNN(frame_size=8)


# -- behaviour ---------------------------------------------------------------------------------


def test_each_frame_is_processed_on_its_own():
    # eq. 1: v_t = CNN(x_t); changing one frame changes that frame's features only.
    cnn = _tiny_cnn().eval()
    clips = torch.randn(2, 6, 4, 16, 16)
    changed = clips.clone()
    changed[:, 2] += torch.randn(2, 4, 16, 16)
    before, after = cnn(clips), cnn(changed)
    differs = (before - after).abs().amax(dim=(0, 2)) > 1e-6
    assert differs.tolist() == [False, False, True, False, False, False]
    alone = cnn(clips[:, 2:3])[:, 0]
    torch.testing.assert_close(alone, before[:, 2])


def test_initialisation_is_orthogonal_with_bias_0_1():
    cnn = _tiny_cnn(width=1.0, frame_size=16)
    for conv in (m for m in cnn.modules() if isinstance(m, nn.Conv2d)):
        w = conv.weight.flatten(1)  # (out, in * 9); out <= in * 9 here
        torch.testing.assert_close(w @ w.T, 2.0 * torch.eye(w.shape[0]), atol=1e-4, rtol=0)
        assert torch.all(conv.bias == HIDDEN_BIAS)


def test_leaky_relu_lets_a_fraction_of_negative_values_through():
    cnn = _tiny_cnn().eval()
    first = cnn.stages[0][:2]  # C(n) and its activation
    x = torch.randn(1, 4, 16, 16)
    pre = first[0](x)
    assert (pre < 0).any()
    torch.testing.assert_close(first(x), torch.where(pre > 0, pre, 0.3 * pre))


# -- the dense head ----------------------------------------------------------------------------


def test_dense_head_shapes_and_layers():
    head = DenseHead(in_features=16, num_classes=21, dense_units=32).eval()
    assert head(torch.randn(3, 16)).shape == (3, 21)
    assert head(torch.randn(3, 7, 16)).shape == (3, 7, 21)
    kinds = [type(m) for m in head.layers]
    # Dropout on the input of every fully connected layer (Sec. 4.2): D - D - S.
    assert kinds == [nn.Dropout, nn.Linear, nn.LeakyReLU, nn.Dropout, nn.Linear, nn.LeakyReLU, nn.Dropout, nn.Linear]
    assert all(m.p == 0.5 for m in head.layers if isinstance(m, nn.Dropout))
    with pytest.raises(ValueError, match="16 values"):
        head(torch.randn(3, 15))


def test_dense_head_paper_size():
    with torch.device("meta"):
        head = DenseHead(in_features=2048, num_classes=21)
    assert sum(p.numel() for p in head.parameters()) == 2 * (2048 * 2048 + 2048) + 2048 * 21 + 21


def test_dropout_only_in_training():
    torch.manual_seed(0)
    head = DenseHead(in_features=16, num_classes=5, dense_units=32)
    x = torch.randn(4, 16)
    head.eval()
    torch.testing.assert_close(head(x), head(x))
    head.train()
    assert not torch.allclose(head(x), head(x))


def test_classifier_initialisation_paper_and_code():
    torch.manual_seed(0)
    layer = nn.Linear(64, 21)
    init_classifier_(layer, init="paper")
    torch.testing.assert_close(layer.weight @ layer.weight.T, torch.eye(21), atol=1e-5, rtol=0)
    assert torch.all(layer.bias == 0)
    init_classifier_(layer, init="code")  # Glorot uniform
    assert layer.weight.abs().max() <= math.sqrt(6 / (64 + 21))
    assert not torch.allclose(layer.weight @ layer.weight.T, torch.eye(21), atol=1e-2)
    with pytest.raises(ValueError, match="'paper', 'code'"):
        init_classifier_(layer, init="glorot")


def test_dense_head_normal_hidden_init():
    torch.manual_seed(0)
    head = DenseHead(in_features=256, num_classes=5, dense_units=256, hidden_init="normal")
    dense = [m for m in head.layers if isinstance(m, nn.Linear)][:2]
    for layer in dense:
        assert 0.008 < float(layer.weight.detach().std()) < 0.012
        assert torch.all(layer.bias == HIDDEN_BIAS)
    with pytest.raises(ValueError, match="hidden_init"):
        DenseHead(in_features=4, num_classes=2, hidden_init="uniform")
