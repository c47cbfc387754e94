"""Borg & Camilleri 2019: the recurrent classifier head, Table 3's trainable parameter counts to the digit,
Keras 2's GRU and LSTM against the equations by hand, and Table 4's ablation switches."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from motion_rnn.models.borg2019 import (
    TABLE3_TRAINABLE_PARAMETERS,
    KerasGRU,
    KerasLSTM,
    SignDetectionHead,
    hard_sigmoid,
    keras_trainable_parameters,
    torch_parameter_count,
)

TABLE3 = [
    ("lstm", 1, 4_474_627),
    ("lstm", 2, 4_999_939),
    ("lstm", 3, 5_525_251),
    ("gru", 1, 3_360_259),
    ("gru", 2, 3_754_243),
    ("gru", 3, 4_148_227),
]


@pytest.mark.parametrize(("cell", "layers", "count"), TABLE3)
def test_table3_trainable_parameters_to_the_digit(cell, layers, count):
    model = SignDetectionHead(4096, 3, cell=cell, num_layers=layers, hidden_size=256)
    assert torch_parameter_count(model) == count
    assert keras_trainable_parameters(cell, input_size=4096, hidden_size=256, num_layers=layers) == count
    assert TABLE3_TRAINABLE_PARAMETERS[(cell, layers)] == count


def test_table3_by_hand():
    gru_1 = 3 * (256 * (4096 + 256) + 256)  # kernel, recurrent kernel, one bias a gate
    gru_2 = 3 * (256 * (256 + 256) + 256)
    top = 2 * 256 + (256 * 64 + 64) + (64 * 3 + 3)  # batch norm gamma, beta; Dense(64); Dense(3)
    assert gru_1 + gru_2 + top == 3_754_243
    lstm_1, lstm_2 = 4 * (256 * 4352 + 256), 4 * (256 * 512 + 256)
    assert lstm_1 + lstm_2 + lstm_2 + top == 5_525_251


def test_batch_norm_running_statistics_are_not_counted():
    model = SignDetectionHead(4096, cell="gru", num_layers=2)
    buffers = sum(b.numel() for b in model.buffers())
    assert buffers == 2 * 256 + 1  # running mean, variance, and the batch counter
    assert torch_parameter_count(model, trainable_only=False) == 3_754_243


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_cudnn_gru_has_a_second_bias_a_gate(layers):
    model = SignDetectionHead(4096, cell="gru_cudnn", num_layers=layers)
    count = torch_parameter_count(model)
    assert count == keras_trainable_parameters("gru_cudnn", num_layers=layers)
    assert count - TABLE3_TRAINABLE_PARAMETERS[("gru", layers)] == layers * 3 * 256


@pytest.mark.parametrize(
    ("switches", "delta"),
    [
        (dict(batch_norm=False), -2 * 256),
        (dict(dropout=0.0), 0),  # a Dropout layer has no parameters
        (dict(rnn_dropout=0.0), 0),
        (dict(fc1=False), -(256 * 64 + 64) - (64 * 3) + (256 * 3)),  # Dense(3) then reads 256 units
    ],
)
def test_ablation_switches_change_the_count_as_expected(switches, delta):
    model = SignDetectionHead(4096, **switches)
    assert torch_parameter_count(model) == 3_754_243 + delta
    assert keras_trainable_parameters("gru", **{k: v for k, v in switches.items() if k in ("batch_norm", "fc1")}) == (
        3_754_243 + delta
    )


def test_ablation_switches_change_the_layers():
    names = lambda m: [type(x).__name__ for x in m.classifier]  # noqa: E731
    assert names(SignDetectionHead(8, hidden_size=6)) == ["BatchNorm1d", "Linear", "ReLU", "Dropout", "Linear"]
    assert names(SignDetectionHead(8, hidden_size=6, dropout=0, batch_norm=False)) == ["Linear", "ReLU", "Linear"]
    assert names(SignDetectionHead(8, hidden_size=6, fc1=False)) == ["BatchNorm1d", "Dropout", "Linear"]
    bn = SignDetectionHead(8, hidden_size=6).classifier[0]
    assert bn.eps == 1e-3 and bn.momentum == pytest.approx(0.01)  # Keras: momentum 0.99, epsilon 1e-3
    assert SignDetectionHead(8, hidden_size=6, rnn_dropout=0.25).rnn.dropout == 0.25
    with pytest.raises(ValueError, match="cell="):
        SignDetectionHead(8, cell="rnn")


def _keras_gru_by_hand(gru: KerasGRU, x: torch.Tensor, activation) -> torch.Tensor:
    """Keras 2 GRUCell (reset_after=False), one step at a time, gate by gate, in float64."""
    n = gru.hidden_size
    for layer in range(gru.num_layers):
        W, U, b = (p.detach().double() for p in (gru.kernels[layer], gru.recurrent_kernels[layer], gru.biases[layer]))
        Wz, Wr, Wh = W[:, :n], W[:, n : 2 * n], W[:, 2 * n :]
        Uz, Ur, Uh = U[:, :n], U[:, n : 2 * n], U[:, 2 * n :]
        bz, br, bh = b[:n], b[n : 2 * n], b[2 * n :]
        h = torch.zeros(x.shape[0], n, dtype=torch.float64)
        outputs = []
        for t in range(x.shape[1]):
            xt = x[:, t]
            z = activation(xt @ Wz + bz + h @ Uz)
            r = activation(xt @ Wr + br + h @ Ur)
            hh = torch.tanh(xt @ Wh + bh + (r * h) @ Uh)  # reset before the recurrent matrix
            h = z * h + (1 - z) * hh
            outputs.append(h)
        x = torch.stack(outputs, dim=1)
    return x


def _keras_lstm_by_hand(lstm: KerasLSTM, x: torch.Tensor) -> torch.Tensor:
    n = lstm.hidden_size
    W, U, b = (p.detach().double() for p in (lstm.kernels[0], lstm.recurrent_kernels[0], lstm.biases[0]))
    h = c = torch.zeros(x.shape[0], n, dtype=torch.float64)
    for t in range(x.shape[1]):
        a = x[:, t] @ W + h @ U + b
        i, f, o = hard_sigmoid(a[:, :n]), hard_sigmoid(a[:, n : 2 * n]), hard_sigmoid(a[:, 3 * n :])
        c = f * c + i * torch.tanh(a[:, 2 * n : 3 * n])
        h = o * torch.tanh(c)
    return h


@pytest.mark.parametrize("activation", ["hard_sigmoid", "sigmoid"])
def test_keras_gru_matches_the_equations(activation):
    torch.manual_seed(0)
    gru = KerasGRU(5, 4, num_layers=2, recurrent_activation=activation)
    with torch.no_grad():
        for bias in gru.biases:
            bias.normal_()  # Keras starts at zero; non-zero biases check where each one acts
    x = torch.randn(3, 6, 5)
    out, last = gru(x)
    assert out.shape == (3, 6, 4) and last.shape == (2, 3, 4)
    gate = hard_sigmoid if activation == "hard_sigmoid" else torch.sigmoid
    expected = _keras_gru_by_hand(gru, x.double(), gate)
    torch.testing.assert_close(out.double(), expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(last[-1], out[:, -1])


def test_keras_lstm_matches_the_equations_and_forget_bias_is_one():
    torch.manual_seed(1)
    lstm = KerasLSTM(5, 4)
    assert lstm.biases[0].tolist() == [0.0] * 4 + [1.0] * 4 + [0.0] * 8  # i, f, c, o: unit_forget_bias
    x = torch.randn(3, 6, 5)
    _, last = lstm(x)
    torch.testing.assert_close(last[0].double(), _keras_lstm_by_hand(lstm, x.double()), atol=1e-5, rtol=1e-5)


def test_hard_sigmoid_is_keras_not_torch():
    x = torch.tensor([-3.0, -2.5, 0.0, 1.0, 2.5, 3.0])
    assert hard_sigmoid(x).tolist() == pytest.approx([0.0, 0.0, 0.5, 0.7, 1.0, 1.0])
    assert not torch.allclose(hard_sigmoid(x), nn.functional.hardsigmoid(x))


def test_keras_initialisation():
    torch.manual_seed(0)
    gru = KerasGRU(40, 8)
    u = gru.recurrent_kernels[0].detach()  # (h, 3h), orthogonal rows
    torch.testing.assert_close(u @ u.T, torch.eye(8), atol=1e-5, rtol=0)
    limit = (6 / (40 + 24)) ** 0.5
    assert gru.kernels[0].abs().max() <= limit and not gru.biases[0].any()


def test_input_dropout_mask_is_shared_over_time():
    torch.manual_seed(0)
    gru = KerasGRU(200, 3, dropout=0.5)
    gru.train()
    xw = gru._project(torch.ones(2, 5, 200), 0)  # all-ones inputs: each step sees the same masked sum
    torch.testing.assert_close(xw, xw[:, :1].expand_as(xw))
    assert not torch.allclose(xw[0], xw[1])  # one mask a sequence
    gru.eval()
    torch.testing.assert_close(gru._project(torch.ones(2, 5, 200), 0), torch.ones(2, 5, 200) @ gru.kernels[0])


@pytest.mark.parametrize("cell", ["gru", "lstm", "gru_cudnn"])
def test_shapes_and_gradients_reach_every_parameter(cell):
    torch.manual_seed(0)
    model = SignDetectionHead(32, 3, cell=cell, num_layers=2, hidden_size=8, fc_size=6)
    logits = model(torch.randn(4, 20, 32))
    assert logits.shape == (4, 3)
    nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 0])).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(torch.ones(2, 20, 32)), model(torch.ones(2, 20, 32)))
    with pytest.raises(ValueError, match=r"\(B, T, 32\)"):
        model(torch.randn(4, 20, 31))
