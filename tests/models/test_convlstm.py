"""The ConvLSTM cell and variants (a)-(d) of Zhang et al. 2018 (eqs. 1-23)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from motion_rnn.models.zhang2018 import (
    CELL_KINDS,
    ConvLSTM,
    ConvLSTMCell,
    PooledGateConvLSTMCell,
    hard_sigmoid,
    make_cell,
)

B, C_IN, C_HID, H, W = 2, 3, 4, 5, 6


def _cell(kind: str, **options) -> nn.Module:
    torch.manual_seed(0)
    return make_cell(kind, in_channels=C_IN, hidden_channels=C_HID, **options)


def _inputs(seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, C_IN, H, W, generator=g)
    h = torch.randn(B, C_HID, H, W, generator=g)
    c = torch.randn(B, C_HID, H, W, generator=g)
    return x, h, c


# -- shapes that must pass --------------------------------------------------------------------


@pytest.mark.parametrize("kind", CELL_KINDS)
@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_cell_step_keeps_the_map_size(kind, kernel_size):
    cell = _cell(kind, kernel_size=kernel_size)
    x, h, c = _inputs()
    out, (h1, c1) = cell(x, (h, c))
    assert out.shape == h1.shape == c1.shape == (B, C_HID, H, W)
    assert out is h1
    out0, _ = cell(x, None)  # zero state
    assert out0.shape == (B, C_HID, H, W)
    assert torch.equal(out0, cell(x, (torch.zeros_like(h), torch.zeros_like(c)))[0])
    assert cell.kind == kind


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_layer_runs_the_cell_over_time(kind):
    torch.manual_seed(0)
    layer = ConvLSTM(kind, in_channels=C_IN, hidden_channels=C_HID)
    clips = torch.randn(B, 4, C_IN, H, W)
    out, (h, c) = layer.forward_with_state(clips)
    assert out.shape == (B, 4, C_HID, H, W)
    assert torch.equal(out[:, -1], h) and c.shape == h.shape
    assert torch.equal(layer(clips), out)
    # running the cell by hand gives the same sequence
    state = None
    for t in range(4):
        h_t, state = layer.cell(clips[:, t], state)
        torch.testing.assert_close(h_t, out[:, t])
    # a given initial state is used
    assert not torch.allclose(layer(clips, (h, c)), out)


def test_kinds_map_to_one_family():
    assert isinstance(_cell("convlstm"), ConvLSTMCell)
    for kind in "abcd":
        assert isinstance(_cell(kind), PooledGateConvLSTMCell)


# -- shapes and arguments that must fail -----------------------------------------------------


def test_unknown_kind_names_the_allowed_ones():
    with pytest.raises(ValueError, match="'convlstm', 'a', 'b', 'c', 'd'"):
        make_cell("e", in_channels=2, hidden_channels=2)
    with pytest.raises(ValueError, match="unknown cell kind"):
        ConvLSTM("ConvLSTM", in_channels=2, hidden_channels=2)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(kernel_size=2), "odd"),
        (dict(kernel_size=0), "positive"),
        (dict(hidden_channels=0), "positive"),
        (dict(gate_activation="relu"), "gate_activation"),
        (dict(attention_norm="max"), "attention_norm"),  # only variant (b) has input attention
    ],
)
def test_bad_arguments(options, message):
    arguments = dict(in_channels=3, hidden_channels=4) | options
    with pytest.raises(ValueError, match=message):
        make_cell("a", **arguments)


def test_attention_norm_must_be_known():
    with pytest.raises(ValueError, match="attention_norm"):
        make_cell("b", in_channels=3, hidden_channels=4, attention_norm="sum")


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_wrong_shapes_fail(kind):
    cell = _cell(kind)
    x, h, c = _inputs()
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        cell(torch.randn(B, C_IN + 1, H, W))  # wrong channels
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        cell(torch.randn(B, 1, C_IN, H, W))  # a clip is not a frame
    with pytest.raises(ValueError, match="state"):
        cell(x, (h[:, :, :-1], c[:, :, :-1]))  # state of another map size
    with pytest.raises(ValueError, match="state"):
        cell(x, (h[:1], c[:1]))  # state of another batch
    layer = ConvLSTM(kind, in_channels=C_IN, hidden_channels=C_HID)
    with pytest.raises(ValueError, match=r"\(B, T, C, H, W\)"):
        layer(x)  # a frame is not a clip
    with pytest.raises(ValueError, match="T >= 1"):
        layer(torch.randn(B, 0, C_IN, H, W))


# -- equivalences ----------------------------------------------------------------------------


def _lstm_reference(steps: int = 4, in_size: int = 3, hidden: int = 5):
    torch.manual_seed(3)
    lstm = nn.LSTMCell(in_size, hidden)
    xs = torch.randn(steps, B, in_size)
    h = torch.zeros(B, hidden)
    c = torch.zeros(B, hidden)
    outputs = []
    for x in xs:
        h, c = lstm(x, (h, c))
        outputs.append(h)
    return lstm, xs, torch.stack(outputs)


def test_convlstm_on_1x1_maps_with_1x1_kernels_is_an_lstm():
    """Eqs. 1-6 with K = 1 on 1 x 1 maps are the fully connected LSTM (gate order i, f, G, o)."""
    lstm, xs, expected = _lstm_reference()
    cell = make_cell("convlstm", in_channels=3, hidden_channels=5, kernel_size=1)
    with torch.no_grad():
        cell.conv.weight.copy_(torch.cat([lstm.weight_ih, lstm.weight_hh], dim=1)[:, :, None, None])
        cell.conv.bias.copy_(lstm.bias_ih + lstm.bias_hh)
    layer_input = xs.transpose(0, 1)[:, :, :, None, None]  # (B, T, C, 1, 1)
    layer = ConvLSTM("convlstm", in_channels=3, hidden_channels=5, kernel_size=1)
    layer.cell = cell
    torch.testing.assert_close(layer(layer_input)[..., 0, 0], expected.transpose(0, 1))


def test_variant_a_with_unit_depthwise_kernels_on_1x1_maps_is_an_lstm():
    """Variant (a) is an LSTM whose input-to-state transition alone is convolutional."""
    lstm, xs, expected = _lstm_reference()
    cell = make_cell("a", in_channels=3, hidden_channels=5, kernel_size=1)
    w = torch.cat([lstm.weight_ih, lstm.weight_hh], dim=1)  # rows i, f, g, o
    b = lstm.bias_ih + lstm.bias_hh
    w_i, w_f, w_g, w_o = w.chunk(4)
    b_i, b_f, b_g, b_o = b.chunk(4)
    with torch.no_grad():
        cell.pooled_gates.linear.weight.copy_(torch.cat([w_i, w_f, w_o]))
        cell.pooled_gates.linear.bias.copy_(torch.cat([b_i, b_f, b_o]))
        cell.candidate.depthwise.weight.fill_(1.0)
        cell.candidate.pointwise.weight.copy_(w_g[:, :, None, None])
        cell.candidate.pointwise.bias.copy_(b_g)
    state, outputs = None, []
    for x in xs:
        h, state = cell(x[:, :, None, None], state)
        outputs.append(h[..., 0, 0])
    torch.testing.assert_close(torch.stack(outputs), expected)


@pytest.mark.parametrize("kind", ["a", "b", "c", "d"])
def test_pooled_gates_are_a_linear_map_of_the_spatial_means(kind):
    """Eqs. 8-12 on any map size: one value per channel, from the means of X_t and H_{t-1}."""
    cell = _cell(kind)
    x, h, _ = _inputs()
    i, f, o, g = cell.gates_and_candidate(x, h)
    linear = cell.pooled_gates.linear
    z = torch.sigmoid(linear(torch.cat([x.mean(dim=(2, 3)), h.mean(dim=(2, 3))], dim=1)))
    expected = dict(zip(cell.pooled_gates.names, z.chunk(len(cell.pooled_gates.names), dim=1)))
    for name, gate in (("i", i), ("f", f), ("o", o)):
        if name in expected:
            assert gate.shape == (B, C_HID, 1, 1)
            torch.testing.assert_close(gate[:, :, 0, 0], expected[name])
    assert g.shape == (B, C_HID, H, W) and g.abs().max() < 1


def test_hard_sigmoid_is_the_keras_one():
    z = torch.linspace(-4, 4, 81)
    torch.testing.assert_close(hard_sigmoid(z), torch.clamp(0.2 * z + 0.5, 0, 1))
    assert hard_sigmoid(torch.tensor(2.5)) == 1 and hard_sigmoid(torch.tensor(-2.5)) == 0
    for kind in ("convlstm", "a"):
        cell = _cell(kind, gate_activation="hard_sigmoid")
        x, h, _ = _inputs()
        i, f, o, _ = cell.gates_and_candidate(x, h)
        assert all(((gate >= 0) & (gate <= 1)).all() for gate in (i, f, o))
        assert not torch.allclose(i, _cell(kind).gates_and_candidate(x, h)[0])


@pytest.mark.parametrize("kind, attended", [("c", 0), ("d", 2)])
def test_channel_attention_gates_lie_in_0_1_with_max_1_per_channel(kind, attended):
    """Eqs. 21-23: exp(Z) / max exp(Z), channel by channel."""
    cell = _cell(kind)
    x, h, _ = _inputs()
    gates = cell.gates_and_candidate(x * 3, h * 3)
    gate = gates[attended]
    assert gate.shape == (B, C_HID, H, W)
    assert (gate > 0).all() and (gate <= 1).all()
    torch.testing.assert_close(gate.amax(dim=(2, 3)), torch.ones(B, C_HID))
    z = cell.attention.score(torch.tanh(cell.attention.features(torch.cat([x * 3, h * 3], dim=1))))
    torch.testing.assert_close(gate, torch.exp(z) / torch.exp(z).amax(dim=(2, 3), keepdim=True))
    other = gates[2 - attended]  # the pooled i or o
    assert other.shape == (B, C_HID, 1, 1)


def test_variant_b_attention_is_a_softmax_over_all_positions():
    """Eqs. 17-19: one map per sample, summing to 1 over H x W, multiplying every channel."""
    cell = _cell("b")
    x, h, _ = _inputs()
    a = cell.attention_map(x, h)
    assert a.shape == (B, 1, H, W) and (a > 0).all()
    torch.testing.assert_close(a.sum(dim=(2, 3)), torch.ones(B, 1))
    torch.testing.assert_close(cell.attend(x, h), a * x)
    # the gates and the candidate see the attended input
    torch.testing.assert_close(
        cell.gates_and_candidate(a * x, h)[0], cell.pooled_gates(torch.cat([a * x, h], dim=1))["i"]
    )


def test_variant_b_max_normalisation_option():
    cell = _cell("b", attention_norm="max")
    x, h, _ = _inputs()
    a = cell.attention_map(x, h)
    torch.testing.assert_close(a.amax(dim=(2, 3)), torch.ones(B, 1))
    with pytest.raises(ValueError, match="only variant"):
        _cell("a").attention_map(x, h)


# -- training behaviour ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_gradients_reach_every_parameter_and_the_input(kind):
    torch.manual_seed(0)
    layer = ConvLSTM(kind, in_channels=C_IN, hidden_channels=C_HID)
    clips = torch.randn(B, 3, C_IN, H, W, requires_grad=True)
    (layer(clips) ** 2).sum().backward()
    for name, parameter in layer.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name
        assert parameter.grad.abs().sum() > 0, name
    assert clips.grad.abs().sum(dim=(0, 2, 3, 4)).gt(0).all()  # every step gets a gradient


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_same_seed_same_cell_and_output(kind):
    x, h, c = _inputs()
    first, second = _cell(kind), _cell(kind)
    for p, q in zip(first.parameters(), second.parameters()):
        assert torch.equal(p, q)
    assert torch.equal(first(x, (h, c))[0], second(x, (h, c))[0])
