r"""ConvLSTM and its four variants: Zhang et al. 2018, "Attention in Convolutional LSTM for
Gesture Recognition" (NeurIPS 2018), Sec. 2.2; the cells compared in Table 1.

The paper keeps a "Res3D + ConvLSTM + MobileNet" network fixed and swaps only its recurrent cell:

========  ===========================================================  ==========  =========
kind      what changes                                                 equations   size
========  ===========================================================  ==========  =========
convlstm  the ConvLSTM of Shi et al. 2015 (no peepholes)               1-6         eq. 7
a         gates from *pooled* X_t, H_{t-1} through fully connected     8-15        eq. 16
          maps; only the candidate G_t keeps (separable) convolutions
b         (a) + soft spatial attention on the input X_t                17-19       eq. 20
c         (a) with the input gate rebuilt as channel-wise attention    21-23       eq. 24
d         (a) with the output gate rebuilt the same way                21-23       eq. 24
========  ===========================================================  ==========  =========

All five share the memory update (eqs. 5-6 = 14-15) in :class:`ConvLSTMCellBase`; they differ
only in how the gates ``i, f, o`` and the candidate ``G`` are computed, and variant (b) also in
what it does to the input first. Variants (a)-(d) are one class,
:class:`PooledGateConvLSTMCell`, assembled from four small parts: :class:`DepthwiseSeparableConv2d`,
:class:`PooledGates`, :class:`SpatialInputAttention` and :class:`ChannelAttentionGate`.

Quotes of the paper are the paper's; everything marked *Departure* or *Choice* is ours.

Which module structure makes the paper's parameter sizes come out exactly
--------------------------------------------------------------------------
The paper gives the size of each cell with biases ignored (footnote 3), for input channels
C_in, C_out filters and K x K kernels. With K = 3 and C_in = C_out = 256 these are Table 1's
4.719M, 0.529M, 0.667M, 0.601M, 0.601M. Each term must be the weight tensor of some module:

* eq. 7, ``K K (C_in + C_out) C_out 4``: one K x K convolution from [X_t, H_{t-1}] to the
  4 C_out pre-activations of i, f, o, G. (W_x~ * X + W_h~ * H is that one convolution over the
  concatenation, which is how we compute it.)
* eq. 16, ``(K K + 4 C_out)(C_in + C_out)`` = ``K K (C_in + C_out)`` (depthwise K x K kernels, one
  per channel of X_t and of H_{t-1}) + ``C_out (C_in + C_out)`` (the two 1x1 pointwise maps of
  the candidate's separable convolutions) + ``3 C_out (C_in + C_out)`` (the fully connected
  gates, eqs. 10-12, from the pooled X and H). The two pointwise maps are summed in eq. 13, so
  they are one 1x1 convolution over the concatenated depthwise outputs: same weights, one call.
* eq. 20 adds ``K K (C_in + 2 C_out) + (C_in + C_out) C_out``. Eq. 17's inner term
  W_xa * X + W_ha * H is a second pair of separable convolutions from X and H to C_out channels:
  ``K K (C_in + C_out) + (C_in + C_out) C_out``. That leaves ``K K C_out`` for W_z: a single
  K x K convolution from the C_out-channel tanh map to one score map. The paper writes W_z as
  "K x K x C_in x 1"; C_in = C_out = 256 there, and the authors' code declares the kernel with
  C_in input channels but applies it to the C_out-channel map, so it only runs when they agree.
  We give W_z C_out input channels, which is what eq. 20 counts and what works for any C_in.
* eq. 24 adds ``K K (C_in + 2 C_out) + C_out C_out`` to (a)'s size, yet (c) *replaces* (a)'s
  fully connected input gate (``-C_out (C_in + C_out)``). Eq. 21's W_xi * X + W_hi * H as
  separable convolutions (like G's) costs ``K K (C_in + C_out) + C_out (C_in + C_out)``, and W_i
  as a separable K x K convolution from C_out to C_out channels costs ``K K C_out + C_out C_out``.
  The sum is exactly eq. 24; no other natural reading fits (a full K x K W_i would cost
  ``K K C_out C_out``, and the paper's "kernel size of W x H" would make the size depend on the
  map). The authors' code builds W_i the same way (a depthwise and a pointwise kernel).
* The fully connected gates that remain in (c) and (d) are one Linear map to 2 C_out.

:func:`motion_rnn.models.zhang2018.complexity.paper_parameter_size` counts the weights of these modules
and the tests check the result against the formulas, digit for digit.

Facts taken from the authors' code (the paper leaves them open)
---------------------------------------------------------------
* Depthwise kernels have channel multiplier 1; every convolution pads "same".
* Gates use Keras' ``hard_sigmoid`` (``clip(0.2 x + 0.5, 0, 1)``) in the code; the paper writes
  sigma, the logistic sigmoid. Default: the paper's ``"sigmoid"``; ``gate_activation=
  "hard_sigmoid"`` gives the code's. (PyTorch's ``hardsigmoid`` has slope 1/6, not 0.2.)
* Biases: where the paper writes one (b_i, b_f, b_o, b_c, b_a; b_i inside eq. 21). W_z and W_i
  have none in the paper or the code; a per-map bias would cancel in eqs. 18 and 22 anyway.
* In the code, variant (b)'s map is the softmax of eq. 18 without any rescaling, so the attended
  input is about 1/(H W) of X_t: that *is* eq. 18-19, and it is our default too. As an
  extension that is **not in the paper**, ``attention_norm="max"`` divides by the maximum
  instead (eq. 22's normalisation applied to eq. 18), so that the largest weight is 1.

Initialisation: the paper gives none; PyTorch's defaults are used.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

CELL_KINDS: tuple[str, ...] = ("convlstm", "a", "b", "c", "d")
"""The five cells of Table 1: the original ConvLSTM and variants (a)-(d)."""

CELL_LABELS: dict[str, str] = {
    "convlstm": "ConvLSTM",
    "a": "Variant (a)",
    "b": "Variant (b)",
    "c": "Variant (c)",
    "d": "Variant (d)",
}
"""Each kind's row name in Table 1 (and in ``motion_rnn.reference``'s ``zhang2018/table1``)."""

GATE_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "hard_sigmoid")
ATTENTION_NORMS: tuple[str, ...] = ("softmax", "max")

State = tuple[Tensor, Tensor]
"""``(h, c)``, each ``(B, C_hid, H, W)``."""


def hard_sigmoid(x: Tensor) -> Tensor:
    """Keras' piecewise-linear sigmoid, ``clip(0.2 x + 0.5, 0, 1)``, as in the authors' code."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def _gate_function(name: str):
    if name == "sigmoid":
        return torch.sigmoid
    if name == "hard_sigmoid":
        return hard_sigmoid
    raise ValueError(f"gate_activation={name!r} is not one of {GATE_ACTIVATIONS}")


def _check_size(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


# --------------------------------------------------------------------------------------------
# The shared recurrence
# --------------------------------------------------------------------------------------------


class ConvLSTMCellBase(nn.Module):
    r"""The memory update every cell of the family shares (eqs. 5-6, again as 14-15):

    .. math::
        C_t = f_t \circ C_{t-1} + i_t \circ G_t, \qquad H_t = o_t \circ \tanh(C_t)

    A subclass says how ``i, f, o, G`` are computed (:meth:`gates_and_candidate`) and may
    rewrite the input first (:meth:`attend`, variant (b)). Gates may be ``(B, C_hid, 1, 1)``
    (one value per feature map, variants (a)-(d)) or ``(B, C_hid, H, W)`` (one per element);
    broadcasting handles both.
    """

    kind: str = ""

    def __init__(self, *, in_channels: int, hidden_channels: int, kernel_size: int, gate_activation: str) -> None:
        super().__init__()
        self.in_channels = _check_size("in_channels", in_channels)
        self.hidden_channels = _check_size("hidden_channels", hidden_channels)
        self.kernel_size = _check_size("kernel_size", kernel_size)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd for 'same' padding (footnote 4), got {kernel_size}")
        self.gate_activation = gate_activation
        self.gate = _gate_function(gate_activation)

    # -- hooks for the variants ------------------------------------------------------------
    def attend(self, x: Tensor, h: Tensor) -> Tensor:
        """The input the gates and the candidate see; X_t itself except in variant (b)."""
        return x

    def gates_and_candidate(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``(i, f, o, G)`` from X_t and H_{t-1}."""
        raise NotImplementedError

    # -- the recurrence ---------------------------------------------------------------------
    def initial_state(self, x: Tensor) -> State:
        """Zero ``(h, c)`` matching ``x`` ``(B, C_in, H, W)`` in batch, size, dtype and device."""
        batch, _, height, width = x.shape
        zeros = x.new_zeros(batch, self.hidden_channels, height, width)
        return zeros, zeros

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """One time step.

        x: ``(B, C_in, H, W)``; state: ``(h, c)`` each ``(B, C_hid, H, W)``, or ``None`` for zeros.
        Returns ``(h, (h, c))``, each ``(B, C_hid, H, W)``.
        """
        h, c = self._check(x, state)
        x = self.attend(x, h)  # eq. 19 in variant (b); identity otherwise
        i, f, o, g = self.gates_and_candidate(x, h)
        c = f * c + i * g  # eq. 5 / eq. 14
        h = o * torch.tanh(c)  # eq. 6 / eq. 15
        return h, (h, c)

    def _check(self, x: Tensor, state: State | None) -> State:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"{type(self).__name__} expects x of shape (B, {self.in_channels}, H, W), got {tuple(x.shape)}"
            )
        if state is None:
            return self.initial_state(x)
        h, c = state
        expected = (x.shape[0], self.hidden_channels, x.shape[2], x.shape[3])
        if tuple(h.shape) != expected or tuple(c.shape) != expected:
            raise ValueError(f"state (h, c) must both have shape {expected}, got {tuple(h.shape)} and {tuple(c.shape)}")
        return h, c

    def extra_repr(self) -> str:
        return (
            f"kind={self.kind!r}, in_channels={self.in_channels}, hidden_channels={self.hidden_channels}, "
            f"kernel_size={self.kernel_size}, gate_activation={self.gate_activation!r}"
        )


# --------------------------------------------------------------------------------------------
# The original ConvLSTM (eqs. 1-7)
# --------------------------------------------------------------------------------------------


class ConvLSTMCell(ConvLSTMCellBase):
    r"""ConvLSTM (Shi et al. 2015) as written in eqs. 1-6, without peepholes:

    .. math::
        i_t &= \sigma(W_{xi} * X_t + W_{hi} * H_{t-1} + b_i) &(1)\\
        f_t &= \sigma(W_{xf} * X_t + W_{hf} * H_{t-1} + b_f) &(2)\\
        o_t &= \sigma(W_{xo} * X_t + W_{ho} * H_{t-1} + b_o) &(3)\\
        G_t &= \tanh(W_{xc} * X_t + W_{hc} * H_{t-1} + b_c) &(4)

    The eight convolutions are one K x K convolution from ``[X_t, H_{t-1}]`` (C_in + C_out
    channels) to 4 C_out channels, ordered ``i, f, G, o`` as in ``torch.nn.LSTMCell``; its
    weight is eq. 7's ``K K (C_in + C_out) C_out 4``. Every gate has a value per element.
    """

    kind = "convlstm"

    def __init__(
        self, *, in_channels: int, hidden_channels: int, kernel_size: int = 3, gate_activation: str = "sigmoid"
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            hidden_channels=hidden_channels,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
        )
        self.conv = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels, kernel_size, padding=kernel_size // 2)

    def gates_and_candidate(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """x ``(B, C_in, H, W)``, h ``(B, C_hid, H, W)`` -> four ``(B, C_hid, H, W)`` tensors."""
        z_i, z_f, z_g, z_o = self.conv(torch.cat([x, h], dim=1)).chunk(4, dim=1)
        return (
            self.gate(z_i),  # eq. 1
            self.gate(z_f),  # eq. 2
            self.gate(z_o),  # eq. 3
            torch.tanh(z_g),
        )  # eq. 4


# --------------------------------------------------------------------------------------------
# Parts of variants (a)-(d)
# --------------------------------------------------------------------------------------------


class DepthwiseSeparableConv2d(nn.Module):
    """A K x K depthwise convolution (one kernel per input channel) then a 1x1 pointwise one.

    Weights: ``K K C_in`` + ``C_in C_out``. Given ``[X, H]`` it computes
    ``W_x * X + W_h * H`` for a separable ``W_x`` and ``W_h``: the depthwise kernels act per
    channel anyway, and the two pointwise maps sum into one over the concatenation.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, bias: bool) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_channels, in_channels, kernel_size, padding=kernel_size // 2, groups=in_channels, bias=False
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C_in, H, W)`` -> ``(B, C_out, H, W)``."""
        return self.pointwise(self.depthwise(x))


class PooledGates(nn.Module):
    r"""Gates from globally average-pooled input and hidden state (variant (a), eqs. 8-12):

    .. math::
        \bar X_t = \mathrm{GAP}(X_t) \;(8), \quad \bar H_{t-1} = \mathrm{GAP}(H_{t-1}) \;(9), \quad
        g_t = \sigma(W_{xg} \bar X_t + W_{hg} \bar H_{t-1} + b_g), \; g \in \{i, f, o\} \;(10\text{-}12)

    All gates come from one Linear map of ``[X̄_t, H̄_{t-1}]`` (``C_out (C_in + C_out)`` weights per
    gate), run once per step and per sample, not per position. Each gate is a vector: one value
    per feature map, returned as ``(B, C_hid, 1, 1)`` so that it broadcasts over space.
    """

    def __init__(self, in_channels: int, hidden_channels: int, names: tuple[str, ...], gate) -> None:
        super().__init__()
        self.names = names
        self.gate = gate
        self.linear = nn.Linear(in_channels + hidden_channels, len(names) * hidden_channels)

    def forward(self, xh: Tensor) -> dict[str, Tensor]:
        """``[X_t, H_{t-1}]`` ``(B, C_in + C_hid, H, W)`` -> ``{name: (B, C_hid, 1, 1)}``."""
        pooled = xh.mean(dim=(2, 3))  # eqs. 8-9: the mean of [X, H] is [X̄, H̄]
        z = self.linear(pooled)[:, :, None, None]  # eqs. 10-12 before sigma
        return dict(zip(self.names, self.gate(z).chunk(len(self.names), dim=1)))


class SpatialInputAttention(nn.Module):
    r"""Soft spatial attention on the input (variant (b), eqs. 17-19, after Li et al.'s VideoLSTM):

    .. math::
        Z_t = W_z * \tanh(W_{xa} * X_t + W_{ha} * H_{t-1} + b_a) \;(17), \quad
        A_t^{ij} = \frac{\exp Z_t^{ij}}{\sum_{i,j} \exp Z_t^{ij}} \;(18), \quad
        \tilde X_t = A_t \circ X_t \;(19)

    ``W_xa * X + W_ha * H`` is a :class:`DepthwiseSeparableConv2d` from ``[X, H]`` to C_out
    channels with bias b_a; ``W_z`` is a K x K convolution from those C_out channels to one map,
    without bias (see the module docstring for why this is what eq. 20 counts).
    ``norm="max"`` (**not in the paper**) divides by the map's maximum instead of its sum.
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int, *, norm: str = "softmax") -> None:
        super().__init__()
        if norm not in ATTENTION_NORMS:
            raise ValueError(f"attention_norm={norm!r} is not one of {ATTENTION_NORMS}")
        self.norm = norm
        self.features = DepthwiseSeparableConv2d(in_channels + hidden_channels, hidden_channels, kernel_size, bias=True)
        # W_z: K x K x C_out x 1. Departure in the letter only: the paper writes "K x K x C_in x 1"
        # (C_in = C_out = 256 there); eq. 20 counts K K C_out, and C_out is what the map has.
        self.score = nn.Conv2d(hidden_channels, 1, kernel_size, padding=kernel_size // 2, bias=False)

    def forward(self, xh: Tensor) -> Tensor:
        """``[X_t, H_{t-1}]`` ``(B, C_in + C_hid, H, W)`` -> attention map A_t ``(B, 1, H, W)``."""
        z = self.score(torch.tanh(self.features(xh)))  # eq. 17
        if self.norm == "softmax":
            return torch.softmax(z.flatten(1), dim=1).view_as(z)  # eq. 18: sums to 1 over H x W
        return torch.exp(z - z.amax(dim=(2, 3), keepdim=True))  # not in the paper: max is 1


class ChannelAttentionGate(nn.Module):
    r"""A gate rebuilt as channel-wise attention (variants (c) and (d), eqs. 21-23):

    .. math::
        Z_t = W_i * \tanh(W_{xi} * X_t + W_{hi} * H_{t-1} + b_i) \;(21), \quad
        A_t^{ij}(c) = \frac{\exp Z_t^{ij}(c)}{\max_{i,j} \exp Z_t^{ij}(c)} \;(22), \quad
        i_t = A_t \;(23)

    ``W_xi * X + W_hi * H`` and ``W_i`` are both :class:`DepthwiseSeparableConv2d` (to C_out
    channels, bias b_i on the first only), which is what eq. 24 counts. Eq. 22 is computed as
    ``exp(Z - max Z)``, the same number without overflow. Each channel's values lie in (0, 1]
    with maximum exactly 1. (The authors' code first divides by the spatial sum, then by the
    maximum; the sum cancels.)
    """

    def __init__(self, in_channels: int, hidden_channels: int, kernel_size: int) -> None:
        super().__init__()
        self.features = DepthwiseSeparableConv2d(in_channels + hidden_channels, hidden_channels, kernel_size, bias=True)
        # W_i: separable K x K, C_out -> C_out (the paper's "kernel size of W x H" would make the
        # size depend on the map; eq. 24 counts K K C_out + C_out C_out, as does the authors' code)
        self.score = DepthwiseSeparableConv2d(hidden_channels, hidden_channels, kernel_size, bias=False)

    def forward(self, xh: Tensor) -> Tensor:
        """``[X_t, H_{t-1}]`` ``(B, C_in + C_hid, H, W)`` -> gate ``(B, C_hid, H, W)`` in (0, 1]."""
        z = self.score(torch.tanh(self.features(xh)))  # eq. 21
        return torch.exp(z - z.amax(dim=(2, 3), keepdim=True))  # eqs. 22-23


# --------------------------------------------------------------------------------------------
# Variants (a)-(d)
# --------------------------------------------------------------------------------------------


class PooledGateConvLSTMCell(ConvLSTMCellBase):
    r"""Variant (a) of ConvLSTM (eqs. 8-15) and, with one of its attention parts, (b), (c), (d).

    Variant (a): the three gates are fully connected maps of the globally pooled X_t and H_{t-1}
    (:class:`PooledGates`, eqs. 8-12); only the candidate keeps convolutions, depthwise
    separable ones "to reduce the numbers of parameters of the input-to-state transition":

    .. math::
        G_t = \tanh(W_{xc} * X_t + W_{hc} * H_{t-1} + b_c) \qquad (13)

    * ``input_attention=True`` gives variant (b): X_t is replaced by
      :class:`SpatialInputAttention`'s X̃_t in eqs. 8-15.
    * ``attention_gate="input"`` gives variant (c), ``"output"`` variant (d): that gate comes
      from :class:`ChannelAttentionGate` and is dropped from the pooled gates.

    For speed, each step runs one depthwise and one pointwise convolution for G (over
    ``[X, H]``) and one Linear for all pooled gates; nothing loops over channels.
    """

    def __init__(
        self,
        *,
        in_channels: int,
        hidden_channels: int,
        kernel_size: int = 3,
        gate_activation: str = "sigmoid",
        input_attention: bool = False,
        attention_gate: Literal["input", "output"] | None = None,
        attention_norm: str = "softmax",
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            hidden_channels=hidden_channels,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
        )
        if attention_gate not in (None, "input", "output"):
            raise ValueError(f"attention_gate={attention_gate!r} is not one of None, 'input', 'output'")
        if input_attention and attention_gate is not None:
            raise ValueError("the paper's variants use input attention (b) or an attention gate (c, d), not both")
        if attention_norm != "softmax" and not input_attention:
            raise ValueError("attention_norm only applies to variant (b)'s input attention")
        self.kind = "b" if input_attention else {None: "a", "input": "c", "output": "d"}[attention_gate]
        self.attention_gate = attention_gate
        channels = in_channels + hidden_channels

        # eq. 13: W_xc * X + W_hc * H, both depthwise separable, as one separable conv over [X, H]
        self.candidate = DepthwiseSeparableConv2d(channels, hidden_channels, kernel_size, bias=True)
        # eqs. 8-12, without the gate that variant (c) or (d) rebuilds
        dropped = {None: "", "input": "i", "output": "o"}[attention_gate]
        self.pooled_gates = PooledGates(
            in_channels, hidden_channels, tuple(n for n in ("i", "f", "o") if n != dropped), self.gate
        )
        # eqs. 17-19 (variant b) / eqs. 21-23 (variants c, d)
        self.input_attention = (
            SpatialInputAttention(in_channels, hidden_channels, kernel_size, norm=attention_norm)
            if input_attention
            else None
        )
        self.attention = (
            ChannelAttentionGate(in_channels, hidden_channels, kernel_size) if attention_gate is not None else None
        )

    def attention_map(self, x: Tensor, h: Tensor) -> Tensor:
        """Variant (b)'s A_t (eq. 18) for x ``(B, C_in, H, W)``, h ``(B, C_hid, H, W)``: ``(B, 1, H, W)``."""
        if self.input_attention is None:
            raise ValueError(f"variant ({self.kind}) has no input attention; only variant (b) does")
        return self.input_attention(torch.cat([x, h], dim=1))

    def attend(self, x: Tensor, h: Tensor) -> Tensor:
        """x ``(B, C_in, H, W)`` -> X̃_t ``(B, C_in, H, W)`` (variant b) or x itself."""
        if self.input_attention is None:
            return x
        return self.attention_map(x, h) * x  # eq. 19

    def gates_and_candidate(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """x ``(B, C_in, H, W)``, h ``(B, C_hid, H, W)`` -> ``(i, f, o, G)``.

        Pooled gates are ``(B, C_hid, 1, 1)``; an attention gate and G are ``(B, C_hid, H, W)``.
        """
        xh = torch.cat([x, h], dim=1)
        gates = self.pooled_gates(xh)  # eqs. 8-12
        if self.attention is not None:
            name = "i" if self.attention_gate == "input" else "o"
            gates[name] = self.attention(xh)  # eqs. 21-23 (c: i_t, d: o_t)
        g = torch.tanh(self.candidate(xh))  # eq. 13
        return gates["i"], gates["f"], gates["o"], g


# --------------------------------------------------------------------------------------------
# Builder and the layer that runs a cell over time
# --------------------------------------------------------------------------------------------


def make_cell(
    kind: str,
    *,
    in_channels: int,
    hidden_channels: int,
    kernel_size: int = 3,
    gate_activation: str = "sigmoid",
    attention_norm: str = "softmax",
) -> ConvLSTMCellBase:
    """The cell of Table 1's row ``kind`` (one of :data:`CELL_KINDS`).

    ``gate_activation``: ``"sigmoid"`` (the paper's sigma) or ``"hard_sigmoid"`` (the authors'
    code). ``attention_norm``: variant (b) only; ``"softmax"`` is eq. 18, ``"max"`` is not in the
    paper (see :class:`SpatialInputAttention`).
    """
    if kind not in CELL_KINDS:
        raise ValueError(f"unknown cell kind {kind!r}; choose one of: {', '.join(map(repr, CELL_KINDS))}")
    if kind == "convlstm":
        if attention_norm != "softmax":
            raise ValueError("attention_norm only applies to variant (b)")
        return ConvLSTMCell(
            in_channels=in_channels,
            hidden_channels=hidden_channels,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
        )
    return PooledGateConvLSTMCell(
        in_channels=in_channels,
        hidden_channels=hidden_channels,
        kernel_size=kernel_size,
        gate_activation=gate_activation,
        input_attention=kind == "b",
        attention_gate={"a": None, "b": None, "c": "input", "d": "output"}[kind],
        attention_norm=attention_norm,
    )


class ConvLSTM(nn.Module):
    """One recurrent layer: a cell of the family run over time, returning every step's H_t.

    ``ConvLSTM(kind, in_channels=..., hidden_channels=...)``; the keywords are those of
    :func:`make_cell`. Maps keep their size ("same" padding, footnote 4).
    """

    def __init__(
        self,
        kind: str,
        *,
        in_channels: int,
        hidden_channels: int,
        kernel_size: int = 3,
        gate_activation: str = "sigmoid",
        attention_norm: str = "softmax",
    ) -> None:
        super().__init__()
        self.cell = make_cell(
            kind,
            in_channels=in_channels,
            hidden_channels=hidden_channels,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
            attention_norm=attention_norm,
        )

    @property
    def kind(self) -> str:
        return self.cell.kind

    def forward(self, x: Tensor, state: State | None = None) -> Tensor:
        """``(B, T, C_in, H, W)`` -> ``(B, T, C_hid, H, W)``; ``state``: initial ``(h, c)`` or zeros."""
        return self.forward_with_state(x, state)[0]

    def forward_with_state(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """As :meth:`forward`, also returning the last ``(h, c)``, each ``(B, C_hid, H, W)``."""
        if x.dim() != 5 or x.shape[1] == 0:
            raise ValueError(f"ConvLSTM expects (B, T, C, H, W) clips with T >= 1, got shape {tuple(x.shape)}")
        outputs = []
        for x_t in x.unbind(dim=1):
            h, state = self.cell(x_t, state)
            outputs.append(h)
        return torch.stack(outputs, dim=1), state  # type: ignore[return-value]
