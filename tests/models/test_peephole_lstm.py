"""Peephole LSTM, leaky-ReLU standard cell and the bidirectional sum (Pigou et al. 2016, Sec. 3.2, eqs. 2-4)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from motion_rnn.models.pigou2016.peephole_lstm import (
    BidirectionalSum,
    LeakyReLURNN,
    PeepholeLSTM,
    time_peephole_lstm,
)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _numpy_peephole_lstm(x, w_ih, w_hh, b, peep, h0, c0):
    """The cell of Gers et al. 2003 step by step, one weight matrix a gate (float64 numpy)."""
    hidden = w_hh.shape[1]
    w_xi, w_xf, w_xc, w_xo = np.split(w_ih, 4)
    w_hi, w_hf, w_hc, w_ho = np.split(w_hh, 4)
    b_i, b_f, b_c, b_o = np.split(b, 4)
    w_ci, w_cf, w_co = peep
    h, c, out = h0, c0, []
    for t in range(x.shape[1]):
        v = x[:, t]
        i = _sigmoid(v @ w_xi.T + h @ w_hi.T + w_ci * c + b_i)
        f = _sigmoid(v @ w_xf.T + h @ w_hf.T + w_cf * c + b_f)
        g = np.tanh(v @ w_xc.T + h @ w_hc.T + b_c)
        c = f * c + i * g
        o = _sigmoid(v @ w_xo.T + h @ w_ho.T + w_co * c + b_o)  # peeps at the new c_t
        h = o * np.tanh(c)
        assert h.shape[-1] == hidden
        out.append(h)
    return np.stack(out, axis=1)


def _random_lstm(input_size=5, hidden_size=4, peepholes=True):
    torch.manual_seed(0)
    layer = PeepholeLSTM(input_size=input_size, hidden_size=hidden_size, peepholes=peepholes).double()
    with torch.no_grad():
        layer.bias.normal_()
        if layer.peephole is not None:
            layer.peephole.normal_()  # large enough to matter
    return layer


# -- the peephole LSTM against references ------------------------------------------------------


def test_peephole_lstm_matches_step_by_step_numpy():
    layer = _random_lstm()
    x = torch.randn(3, 7, 5, dtype=torch.float64)
    h0, c0 = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    out = layer(x, (h0, c0))
    assert out.shape == (3, 7, 4)
    expected = _numpy_peephole_lstm(
        x.numpy(),
        layer.weight_ih.detach().numpy(),
        layer.weight_hh.detach().numpy(),
        layer.bias.detach().numpy(),
        layer.peephole.detach().numpy(),
        h0.numpy(),
        c0.numpy(),
    )
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)


def _indexed_peephole_lstm(layer, x):
    """The loop written with indexing (``projected[:, t]``, ``gates[:, a:b]``), as the equations read."""
    units, batch = layer.hidden_size, x.shape[0]
    h, c = x.new_zeros(batch, units), x.new_zeros(batch, units)
    projected = torch.nn.functional.linear(x, layer.weight_ih, layer.bias)
    outputs = []
    for t in range(x.shape[1]):
        gates = torch.addmm(projected[:, t], h, layer.weight_hh.t())
        input_forget = torch.addcmul(gates[:, : 2 * units].view(batch, 2, units), c.unsqueeze(1), layer.peephole[:2])
        i, f = torch.sigmoid(input_forget).unbind(1)
        c = torch.addcmul(f * c, i, torch.tanh(gates[:, 2 * units : 3 * units]))
        h = torch.sigmoid(torch.addcmul(gates[:, 3 * units :], c, layer.peephole[2])) * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs, dim=1)


def test_the_fast_loop_gives_the_indexed_loops_outputs_and_gradients_to_the_bit():
    """``unbind``/``split`` only change how autograd gathers the gradients, never a number."""
    torch.manual_seed(0)
    layer = PeepholeLSTM(input_size=48, hidden_size=32)
    with torch.no_grad():
        layer.peephole.normal_()
    x = torch.randn(6, 20, 48, requires_grad=True)
    results = []
    for forward in (layer, lambda v: _indexed_peephole_lstm(layer, v)):
        layer.zero_grad(set_to_none=True)
        x.grad = None
        out = forward(x)
        (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
        results.append([out.detach(), x.grad, *(p.grad for p in layer.parameters())])
    for fast, indexed in zip(*results):
        assert torch.equal(fast, indexed)


def test_peepholes_change_the_output():
    layer = _random_lstm()
    x = torch.randn(2, 6, 5, dtype=torch.float64)
    with_peepholes = layer(x)
    with torch.no_grad():
        layer.peephole.zero_()
    assert (with_peepholes - layer(x)).abs().max() > 1e-3


@pytest.mark.parametrize("peepholes", [True, False])
def test_equals_torch_lstm_without_peepholes_outputs_and_gradients(peepholes):
    torch.manual_seed(0)
    reference = nn.LSTM(5, 4, batch_first=True).double()
    layer = PeepholeLSTM.from_lstm(reference, peepholes=peepholes)
    assert layer.weight_ih.dtype == torch.float64 and layer.peepholes == peepholes
    x = torch.randn(3, 9, 5, dtype=torch.float64, requires_grad=True)
    expected, _ = reference(x)
    out = layer(x)
    torch.testing.assert_close(out, expected)
    weights = torch.randn_like(out)
    (grad_x_ours,) = torch.autograd.grad((out * weights).sum(), x)
    (expected * weights).sum().backward()
    torch.testing.assert_close(grad_x_ours, x.grad)
    # Gradients of the weights, through the same graph once more.
    (layer(x.detach()) * weights).sum().backward()
    torch.testing.assert_close(layer.weight_ih.grad, reference.weight_ih_l0.grad)
    torch.testing.assert_close(layer.weight_hh.grad, reference.weight_hh_l0.grad)
    torch.testing.assert_close(layer.bias.grad, reference.bias_ih_l0.grad)


def test_from_lstm_refuses_what_it_cannot_copy():
    with pytest.raises(ValueError, match="single-layer"):
        PeepholeLSTM.from_lstm(nn.LSTM(3, 2, bidirectional=True))
    with pytest.raises(ValueError, match="single-layer"):
        PeepholeLSTM.from_lstm(nn.LSTM(3, 2, num_layers=2))


def test_initial_state_defaults_to_zeros():
    layer = _random_lstm()
    x = torch.randn(2, 4, 5, dtype=torch.float64)
    zeros = torch.zeros(2, 4, dtype=torch.float64)
    torch.testing.assert_close(layer(x), layer(x, (zeros, zeros)))


def test_lstm_initialisation():
    torch.manual_seed(0)
    paper = PeepholeLSTM(input_size=32, hidden_size=8)
    for weight in (paper.weight_ih, paper.weight_hh):
        for block in weight.detach().chunk(4):  # one orthogonal matrix a gate
            torch.testing.assert_close(block @ block.T, torch.eye(8), atol=1e-5, rtol=0)
    assert torch.all(paper.bias == 0)
    assert paper.peephole.shape == (3, 8) and 0 < float(paper.peephole.detach().abs().max()) < 0.1
    code = PeepholeLSTM(input_size=256, hidden_size=64, init="code")
    assert 0.009 < float(code.weight_ih.detach().std()) < 0.011
    with pytest.raises(ValueError, match="'paper', 'code'"):
        PeepholeLSTM(input_size=3, hidden_size=2, init="xavier")
    assert PeepholeLSTM(input_size=3, hidden_size=2, peepholes=False).peephole is None


@pytest.mark.parametrize("shape", [(2, 5), (2, 4, 6), (2, 0, 5), (1, 2, 4, 5)])
def test_lstm_refuses_wrong_shapes(shape):
    layer = PeepholeLSTM(input_size=5, hidden_size=3)
    with pytest.raises(ValueError, match=r"\(B, T, 5\)"):
        layer(torch.randn(*shape))


# -- the standard cell -------------------------------------------------------------------------


def test_standard_cell_matches_step_by_step_numpy():
    torch.manual_seed(0)
    layer = LeakyReLURNN(input_size=5, hidden_size=4).double()
    x = torch.randn(2, 6, 5, dtype=torch.float64)
    w_x, w_h, b = (p.detach().numpy() for p in (layer.weight_ih, layer.weight_hh, layer.bias))
    h, expected = np.zeros((2, 4)), []
    for t in range(6):
        pre = x[:, t].numpy() @ w_x.T + h @ w_h.T + b
        h = np.maximum(0.3 * pre, pre)  # a(x) = max(0.3 x, x)
        expected.append(h)
    out = layer(x)
    assert out.shape == (2, 6, 4) and (out < 0).any()
    np.testing.assert_allclose(out.detach().numpy(), np.stack(expected, axis=1), rtol=1e-10, atol=1e-12)


def test_standard_cell_with_slope_0_equals_torch_relu_rnn():
    torch.manual_seed(0)
    reference = nn.RNN(5, 4, nonlinearity="relu", batch_first=True)
    layer = LeakyReLURNN(input_size=5, hidden_size=4, negative_slope=0.0)
    with torch.no_grad():
        layer.weight_ih.copy_(reference.weight_ih_l0)
        layer.weight_hh.copy_(reference.weight_hh_l0)
        layer.bias.copy_(reference.bias_ih_l0 + reference.bias_hh_l0)
    x = torch.randn(3, 8, 5)
    torch.testing.assert_close(layer(x), reference(x)[0])


def test_standard_cell_initialisation():
    torch.manual_seed(0)
    layer = LeakyReLURNN(input_size=16, hidden_size=16)
    for weight in (layer.weight_ih, layer.weight_hh):
        w = weight.detach()
        torch.testing.assert_close(w @ w.T, 2.0 * torch.eye(16), atol=1e-5, rtol=0)  # orthogonal, gain sqrt(2)
    assert torch.all(layer.bias == 0.1)


# -- the bidirectional sum ---------------------------------------------------------------------


def test_bidirectional_sum_of_torch_lstms_equals_summed_bidirectional_lstm():
    torch.manual_seed(0)
    both = nn.LSTM(5, 4, batch_first=True, bidirectional=True)
    forward_layer, backward_layer = nn.LSTM(5, 4, batch_first=True), nn.LSTM(5, 4, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(forward_layer, f"{name}_l0").copy_(getattr(both, f"{name}_l0"))
            getattr(backward_layer, f"{name}_l0").copy_(getattr(both, f"{name}_l0_reverse"))
    x = torch.randn(2, 7, 5)
    concatenated, _ = both(x)  # (B, T, 2H): [h^(f), h^(b)]
    summed = BidirectionalSum(forward_layer, backward_layer)(x)
    torch.testing.assert_close(summed, concatenated[..., :4] + concatenated[..., 4:])


def test_bidirectional_sum_reads_the_sequence_both_ways():
    torch.manual_seed(0)
    layer = BidirectionalSum.of(lambda: PeepholeLSTM(input_size=5, hidden_size=4))
    assert layer.forward_layer is not layer.backward_layer
    x = torch.randn(2, 6, 5)
    out = layer(x)
    assert out.shape == (2, 6, 4)
    expected = layer.forward_layer(x) + layer.backward_layer(x.flip(1)).flip(1)
    torch.testing.assert_close(out, expected)
    # Every output frame hears the first and the last frame: h^(f) carries the past, h^(b) the future.
    changed = x.clone()
    changed[:, -1] += 1.0
    assert ((layer(changed) - out).abs().amax(dim=(0, 2)) > 0).all()
    changed = x.clone()
    changed[:, 0] += 1.0
    assert ((layer(changed) - out).abs().amax(dim=(0, 2)) > 0).all()
    # Each direction alone hears one side: a change to the first frame reaches every h^(f), only h_1^(b).
    forward_only = (layer.forward_layer(changed) - layer.forward_layer(x)).abs().amax(dim=(0, 2)) > 0
    assert forward_only.all()
    backward_only = (
        layer.backward_layer(changed.flip(1)).flip(1) - layer.backward_layer(x.flip(1)).flip(1)
    ).abs().amax(dim=(0, 2)) > 0
    assert backward_only.tolist() == [True, False, False, False, False, False]


def test_bidirectional_sum_of_standard_cells_and_shape_check():
    layer = BidirectionalSum.of(lambda: LeakyReLURNN(input_size=3, hidden_size=6))
    assert layer(torch.randn(2, 4, 3)).shape == (2, 4, 6)
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        layer(torch.randn(4, 3))


# -- timing ------------------------------------------------------------------------------------


def test_timing_function_reports_both_layers():
    timing = time_peephole_lstm(batch=2, steps=4, input_size=8, hidden_size=4, repeats=1)
    assert set(timing) == {"peephole_lstm_s", "torch_lstm_s", "ratio"}
    assert timing["peephole_lstm_s"] > 0 and timing["torch_lstm_s"] > 0
    assert timing["ratio"] == pytest.approx(timing["peephole_lstm_s"] / timing["torch_lstm_s"])


def test_benchmark_script_writes_its_measurement(tmp_path):
    import subprocess
    import sys

    import pandas as pd

    from motion_rnn.paths import project_root

    out = tmp_path / "timing.csv"
    subprocess.run(
        [
            sys.executable,
            str(project_root() / "benchmarks" / "bench_peephole_lstm.py"),
            "--batch",
            "2",
            "--steps",
            "4",
            "--input-size",
            "8",
            "--hidden-size",
            "4",
            "--repeats",
            "1",
            "--threads",
            "1",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    row = pd.read_csv(out).iloc[0]
    assert (row["batch"], row["steps"], row["hidden_size"]) == (2, 4, 4)
    assert row["ratio"] == pytest.approx(row["peephole_lstm_ms"] / row["torch_lstm_ms"], rel=1e-4)
