r"""The recurrent classifier head of Borg & Camilleri 2019, "Sign language detection in the wild with
recurrent neural networks" (Sec. 4.3, Fig. 2-3, Tables 3-4), as the authors' Keras 2 code builds it
(``create_neural_net_model.py`` in mark-borg/sign-language-detection):

    CNN codes x (B, 20, D)           Sec. 4.1: VGG-16 fc1, D = 4096 (block5_conv3: 25088), 20 steps (Sec. 5.1)
      -> GRU(256, return_sequences)  (B, 20, 256)  dropout 0.3 on its inputs, no recurrent dropout
      -> GRU(256)                    (B, 256)      the same; last step only
      -> BatchNormalization          (B, 256)      gamma, beta trainable; running mean/var not
      -> Dense(64, relu)             (B, 64)       the classifier's "fc1" (Table 4)
      -> Dropout(0.4)                (B, 64)       Table 4: 0.4 best
      -> Dense(3)                    (B, 3)        logits; the softmax is the loss's (signing, speaking, other)

What the paper and the code say, and what we choose:

* Keras 2's ``GRU`` (``reset_after=False``, the Keras 2.2 default) applies the reset gate *before* the
  recurrent matrix, h~ = tanh(W_h x + U_h (r * h) + b_h), and has *one* bias vector per gate; PyTorch's
  ``nn.GRU`` (cuDNN's form) applies it after, h~ = tanh(W_h x + b_ih + r * (U_h h + b_hh)), with two.
  :class:`KerasGRU` writes the Keras form out, so the head's trainable parameters come to Table 3's
  numbers to the digit (:func:`keras_trainable_parameters`). ``cell="gru_cudnn"`` uses ``nn.GRU``
  instead (fused kernels; 3 x 256 more parameters a layer, and PyTorch's logistic sigmoid): a
  departure for speed, whose count :func:`torch_parameter_count` reports beside Table 3's.
* Keras' ``LSTM`` also has one bias a gate; ``nn.LSTM`` has two, mathematically redundant (their sum is
  what acts). Freezing ``bias_hh`` at zero would fix the count, but ``nn.LSTM`` cannot use the hard
  sigmoid below; so :class:`KerasLSTM` writes the single-bias form out, like :class:`KerasGRU`.
* Gate nonlinearity: the authors' code passes ``recurrent_activation='hard_sigmoid'`` explicitly (also
  Keras 2.2's default), Keras' clip(0.2 x + 0.5, 0, 1), not ``torch.nn.functional.hardsigmoid``
  (x / 6 + 1/2). ``recurrent_activation="sigmoid"`` is offered for comparison.
* Dropout ``dropout=0.3`` of a Keras recurrent layer drops that layer's *inputs* (so the first layer's
  CNN codes too), with a mask drawn once a sequence and shared by all time steps, and (Keras 2's
  ``implementation=1``) a separate mask for each gate's input projection. We do the same; no
  recurrent dropout (the code sets none; Table 4's "GRU dropout" is this input dropout).
* BatchNormalization: Keras' momentum 0.99 and epsilon 1e-3, i.e. PyTorch ``momentum=0.01, eps=1e-3``.
* Initialisation, Keras' defaults: Glorot-uniform kernels (over the whole (D, gates x h) matrix, as
  Keras draws it), orthogonal recurrent kernels (the whole (h, gates x h) matrix), zero biases, and the
  LSTM's forget-gate bias 1 (``unit_forget_bias=True``); Dense layers Glorot-uniform, zero bias.
* Table 4's ablations: ``batch_norm=False`` drops the batch norm; ``dropout=0`` drops the Dropout layer;
  ``rnn_dropout=0`` the recurrent layers' input dropout; ``fc1=False`` the Dense(64) layer (batch norm
  -> dropout -> Dense(3)). Table 3: ``cell`` "gru" or "lstm", ``num_layers`` 1-3, 256 units.

Training (Sec. 5.1; not here): Adam lr 1e-3, batch 32, early stopping on the validation cross-entropy.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor, nn

__all__ = [
    "CELLS",
    "PAPER_DROPOUT",
    "PAPER_FC_SIZE",
    "PAPER_HIDDEN_SIZE",
    "PAPER_INPUT_SIZE",
    "PAPER_NUM_CLASSES",
    "PAPER_RNN_DROPOUT",
    "PAPER_STEPS",
    "TABLE3_TRAINABLE_PARAMETERS",
    "KerasGRU",
    "KerasLSTM",
    "KerasRNN",
    "SignDetectionHead",
    "hard_sigmoid",
    "keras_trainable_parameters",
    "torch_parameter_count",
]

Cell = Literal["gru", "lstm", "gru_cudnn"]
RecurrentActivation = Literal["hard_sigmoid", "sigmoid"]

CELLS: tuple[str, ...] = ("gru", "lstm", "gru_cudnn")
PAPER_INPUT_SIZE = 4096
"""Sec. 4.1, Table 1: VGG-16 'fc1' codes (the better of the two layers tried)."""
PAPER_STEPS = 20
"""Sec. 5.1: 20-frame segments (4 s at 5 Hz)."""
PAPER_HIDDEN_SIZE = 256
"""Sec. 5.2, Table 3, Fig. 3: 256 hidden units in every layer."""
PAPER_FC_SIZE = 64
"""The authors' code: Dense(64, relu), Table 4's "classifier fc1 layer"."""
PAPER_DROPOUT = 0.4
"""Table 4: the Dropout layer's rate, best at 0.4."""
PAPER_RNN_DROPOUT = 0.3
"""Table 4: the GRU (input) dropout rate, best at 0.3."""
PAPER_NUM_CLASSES = 3
"""Sec. 3: signing, speaking, other."""
TABLE3_TRAINABLE_PARAMETERS: dict[tuple[str, int], int] = {
    ("lstm", 1): 4_474_627,
    ("lstm", 2): 4_999_939,
    ("lstm", 3): 5_525_251,
    ("gru", 1): 3_360_259,
    ("gru", 2): 3_754_243,
    ("gru", 3): 4_148_227,
}
"""Table 3: trainable parameters by (cell, layers), 256 units, 4096-d input."""

_GATES = {"gru": 3, "lstm": 4, "gru_cudnn": 3}


def hard_sigmoid(x: Tensor) -> Tensor:
    """Keras 2's ``hard_sigmoid``: clip(0.2 x + 0.5, 0, 1) (PyTorch's ``hardsigmoid`` is x / 6 + 1/2)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def _check_cell(cell: str) -> None:
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r} is not one of {CELLS}")


def keras_trainable_parameters(
    cell: str = "gru",
    *,
    input_size: int = PAPER_INPUT_SIZE,
    hidden_size: int = PAPER_HIDDEN_SIZE,
    num_layers: int = 2,
    batch_norm: bool = True,
    fc1: bool = True,
    fc_size: int = PAPER_FC_SIZE,
    num_classes: int = PAPER_NUM_CLASSES,
) -> int:
    """Trainable parameters of the head, written out (Keras' "Trainable params" of ``model.summary()``).

    A recurrent layer of g gates (GRU 3, LSTM 4) reading d inputs: a kernel d x gh, a recurrent kernel
    h x gh and one bias gh in Keras, so ``g (h (d + h) + h)``; ``gru_cudnn`` (``nn.GRU``) has two biases,
    ``g (h (d + h) + 2 h)``. Batch norm: gamma and beta, 2h (its running mean and variance are not
    trainable). Dense(64): h x 64 + 64; Dense(3): 64 x 3 + 3 (h x 3 + 3 without fc1).
    """
    _check_cell(cell)
    g, h = _GATES[cell], hidden_size
    biases = 2 if cell == "gru_cudnn" else 1
    total = 0
    for d in [input_size] + [h] * (num_layers - 1):
        total += g * (h * (d + h) + biases * h)
    if batch_norm:
        total += 2 * h
    width = h
    if fc1:
        total += h * fc_size + fc_size
        width = fc_size
    return total + width * num_classes + num_classes


def torch_parameter_count(model: nn.Module, *, trainable_only: bool = True) -> int:
    """Sum of ``numel`` over the module's parameters (those with ``requires_grad`` by default).

    Buffers (batch norm's running statistics) are not parameters, so with :class:`KerasGRU` /
    :class:`KerasLSTM` this is Keras' trainable count; with ``cell="gru_cudnn"`` it counts
    ``nn.GRU``'s second bias vector too.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _glorot_uniform_(weight: Tensor, fan_in: int, fan_out: int) -> None:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    nn.init.uniform_(weight, -limit, limit)


def _time_shared_masks(x: Tensor, rate: float, count: int) -> Tensor:
    """``count`` inverted-dropout masks ``(count, B, 1, D)``, one a sequence, shared over time (Keras)."""
    keep = 1.0 - rate
    shape = (count, x.shape[0], 1, x.shape[2])
    return torch.bernoulli(torch.full(shape, keep, dtype=x.dtype, device=x.device)) / keep


class KerasRNN(nn.Module):
    """Stacked Keras-2 recurrent layers, batch first: ``(B, T, D)`` -> ``(B, T, h)`` outputs of the last
    layer, and the last states ``(num_layers, B, h)``.

    Per layer, in Keras' layout: ``kernel`` (d, g h), ``recurrent_kernel`` (h, g h), ``bias`` (g h), gates
    in Keras' order (GRU z, r, h; LSTM i, f, c, o), so Keras weights load by a plain copy. The input
    projection runs fused over all time steps, then a loop over the steps. ``dropout`` is each layer's
    input dropout (see the module docstring); zero initial states.
    """

    gates: int = 0

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        dropout: float = 0.0,
        recurrent_activation: RecurrentActivation = "hard_sigmoid",
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be at least 1, got {num_layers}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if recurrent_activation not in ("hard_sigmoid", "sigmoid"):
            raise ValueError(f"recurrent_activation={recurrent_activation!r} is not 'hard_sigmoid' or 'sigmoid'")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.dropout = dropout
        self.recurrent_activation = recurrent_activation
        g = self.gates
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        self.kernels = nn.ParameterList(nn.Parameter(torch.empty(d, g * hidden_size)) for d in sizes)
        self.recurrent_kernels = nn.ParameterList(
            nn.Parameter(torch.empty(hidden_size, g * hidden_size)) for _ in sizes
        )
        self.biases = nn.ParameterList(nn.Parameter(torch.empty(g * hidden_size)) for _ in sizes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Keras' defaults: Glorot-uniform kernel, orthogonal recurrent kernel, zero bias."""
        for kernel, recurrent, bias in zip(self.kernels, self.recurrent_kernels, self.biases):
            _glorot_uniform_(kernel, *kernel.shape)
            nn.init.orthogonal_(recurrent)
            nn.init.zeros_(bias)

    def _gate(self, x: Tensor) -> Tensor:
        return hard_sigmoid(x) if self.recurrent_activation == "hard_sigmoid" else torch.sigmoid(x)

    def _project(self, x: Tensor, layer: int) -> Tensor:
        """Input projection ``x W + b`` for every step, ``(B, T, g h)``, with a dropout mask per gate."""
        kernel, bias = self.kernels[layer], self.biases[layer]
        if not (self.training and self.dropout > 0):
            return x @ kernel + bias
        masks = _time_shared_masks(x, self.dropout, self.gates)
        h = self.hidden_size
        parts = [(x * masks[k]) @ kernel[:, k * h : (k + 1) * h] for k in range(self.gates)]
        return torch.cat(parts, dim=-1) + bias

    def _step(self, xw: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _initial_state(self, x: Tensor) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"expected inputs (B, T, {self.input_size}), got {tuple(x.shape)}")
        last = []
        for layer in range(self.num_layers):
            xw = self._project(x, layer)  # (B, T, g h)
            state = self._initial_state(x)
            outputs = []
            for t in range(x.shape[1]):
                state = self._step(xw[:, t], state, layer)
                outputs.append(state[0])
            x = torch.stack(outputs, dim=1)
            last.append(state[0])
        return x, torch.stack(last)


class KerasGRU(KerasRNN):
    r"""Keras 2's GRU (``reset_after=False``, ``implementation=1``), stacked.

    z = a(x W_z + b_z + h U_z), r = a(x W_r + b_r + h U_r), h~ = tanh(x W_h + b_h + (r * h) U_h),
    h' = z * h + (1 - z) * h~ (Keras' convention: z keeps the old state), a the recurrent activation.
    """

    gates = 3

    def _initial_state(self, x: Tensor) -> tuple[Tensor, ...]:
        return (x.new_zeros(x.shape[0], self.hidden_size),)

    def _step(self, xw: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        (h,) = state
        n = self.hidden_size
        u = self.recurrent_kernels[layer]
        hu = h @ u[:, : 2 * n]
        z = self._gate(xw[:, :n] + hu[:, :n])
        r = self._gate(xw[:, n : 2 * n] + hu[:, n:])
        candidate = torch.tanh(xw[:, 2 * n :] + (r * h) @ u[:, 2 * n :])
        return (z * h + (1 - z) * candidate,)


class KerasLSTM(KerasRNN):
    r"""Keras 2's LSTM, one bias a gate, stacked; forget-gate bias initialised to 1 (``unit_forget_bias``).

    i = a(x W_i + b_i + h U_i), f = a(... f), c' = f * c + i * tanh(x W_c + b_c + h U_c),
    o = a(... o), h' = o * tanh(c'), a the recurrent activation.
    """

    gates = 4

    def reset_parameters(self) -> None:
        super().reset_parameters()
        n = self.hidden_size
        with torch.no_grad():
            for bias in self.biases:
                bias[n : 2 * n] = 1.0

    def _initial_state(self, x: Tensor) -> tuple[Tensor, ...]:
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        return zeros, zeros

    def _step(self, xw: Tensor, state: tuple[Tensor, ...], layer: int) -> tuple[Tensor, ...]:
        h, c = state
        n = self.hidden_size
        a = xw + h @ self.recurrent_kernels[layer]
        i, f, o = self._gate(a[:, :n]), self._gate(a[:, n : 2 * n]), self._gate(a[:, 3 * n :])
        c = f * c + i * torch.tanh(a[:, 2 * n : 3 * n])
        return o * torch.tanh(c), c


class _CudnnGRU(nn.Module):
    """``nn.GRU`` layers (reset_after form, two biases, logistic sigmoid), one a layer so that each
    layer's input gets Keras' time-shared dropout (one mask for all gates, as Keras' ``implementation=2``)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, *, dropout: float) -> None:
        super().__init__()
        self.dropout = dropout
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.GRU(d, hidden_size, batch_first=True) for d in sizes)
        for gru in self.layers:  # Keras' initialisers, per gate block of PyTorch's (3h, d) layout
            _glorot_uniform_(gru.weight_ih_l0, gru.input_size, 3 * hidden_size)
            recurrent = nn.init.orthogonal_(torch.empty(hidden_size, 3 * hidden_size))  # Keras' (h, 3h)
            with torch.no_grad():
                gru.weight_hh_l0.copy_(recurrent.T)
            nn.init.zeros_(gru.bias_ih_l0)
            nn.init.zeros_(gru.bias_hh_l0)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        last = []
        for gru in self.layers:
            if self.training and self.dropout > 0:
                x = x * _time_shared_masks(x, self.dropout, 1)[0]
            x, h = gru(x)
            last.append(h[0])
        return x, torch.stack(last)


class SignDetectionHead(nn.Module):
    """The classifier head of Fig. 2 / the authors' code: ``(B, T, D)`` CNN codes -> logits ``(B, 3)``.

    Defaults are the paper's proposed model (2-layer GRU, Table 3 and 4); see the module docstring for
    each switch and what it departs from.
    """

    def __init__(
        self,
        input_size: int = PAPER_INPUT_SIZE,
        num_classes: int = PAPER_NUM_CLASSES,
        *,
        cell: Cell = "gru",
        num_layers: int = 2,
        hidden_size: int = PAPER_HIDDEN_SIZE,
        rnn_dropout: float = PAPER_RNN_DROPOUT,
        batch_norm: bool = True,
        fc1: bool = True,
        fc_size: int = PAPER_FC_SIZE,
        dropout: float = PAPER_DROPOUT,
        recurrent_activation: RecurrentActivation = "hard_sigmoid",
    ) -> None:
        super().__init__()
        _check_cell(cell)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.input_size, self.cell = input_size, cell
        if cell == "gru_cudnn":
            self.rnn: nn.Module = _CudnnGRU(input_size, hidden_size, num_layers, dropout=rnn_dropout)
        else:
            rnn_class = KerasGRU if cell == "gru" else KerasLSTM
            self.rnn = rnn_class(
                input_size,
                hidden_size,
                num_layers,
                dropout=rnn_dropout,
                recurrent_activation=recurrent_activation,
            )
        layers: list[nn.Module] = []
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_size, eps=1e-3, momentum=0.01))  # Keras: 0.99, 1e-3
        width = hidden_size
        if fc1:
            layers += [nn.Linear(hidden_size, fc_size), nn.ReLU()]
            width = fc_size
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(width, num_classes))
        self.classifier = nn.Sequential(*layers)
        for module in self.classifier:
            if isinstance(module, nn.Linear):
                _glorot_uniform_(module.weight, module.in_features, module.out_features)
                nn.init.zeros_(module.bias)

    def forward(self, features: Tensor) -> Tensor:
        """``(B, T, D)`` -> logits ``(B, num_classes)``: the last layer's state at the last step, classified."""
        if features.dim() != 3 or features.shape[-1] != self.input_size:
            raise ValueError(f"expected CNN codes (B, T, {self.input_size}), got {tuple(features.shape)}")
        _, last = self.rnn(features)
        return self.classifier(last[-1])
