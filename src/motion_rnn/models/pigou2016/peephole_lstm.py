r"""Bidirectional recurrence of Pigou et al. 2016, "Beyond Temporal Pooling: Recurrence and Temporal
Convolutions for Gesture Recognition in Video", Sec. 3.2 (eqs. 2-4), Fig. 1c and 1e: the
recurrent layers of Table 1's rows "RNN, Standard Cells", "RNN, LSTM Cells" and
"Temp Conv + LSTM".

A bidirectional layer runs one recurrent layer forwards and another backwards over the CNN's
feature sequence v_t and *sums* their states (eq. 4 feeds h_t^(f) + h_t^(b) to the softmax):

    h_t^(f) = H_f(v_t, h_{t-1}^(f))                                              (2)
    h_t^(b) = H_b(v_t, h_{t+1}^(b))                                              (3)
    y_t = softmax(W_y (h_t^(f) + h_t^(b)) + b_y)                                 (4)

:class:`BidirectionalSum` computes eqs. 2-3 and the sum inside eq. 4 for any pair of layers
(the softmax layer belongs to the network). H is one of two cells:

* :class:`PeepholeLSTM`: "the modern LSTM cell structure with peephole connections (Gers et
  al., 2003)", 512 units (Sec. 4.2). The paper does not write the cell out; we use the form of
  Gers et al. 2003 as Graves (2013) writes it, which is also the authors' code's::

      i_t = sigma(W_xi v_t + W_hi h_{t-1} + w_ci . c_{t-1} + b_i)
      f_t = sigma(W_xf v_t + W_hf h_{t-1} + w_cf . c_{t-1} + b_f)
      g_t = tanh(W_xc v_t + W_hc h_{t-1} + b_c)
      c_t = f_t . c_{t-1} + i_t . g_t
      o_t = sigma(W_xo v_t + W_ho h_{t-1} + w_co . c_t + b_o)
      h_t = o_t . tanh(c_t)

  ("." is the elementwise product: the peepholes w_c are vectors; the output gate looks at the
  *new* cell state c_t, the input and forget gates at c_{t-1}.)
* :class:`LeakyReLURNN`: the standard cell, 2048 units (Sec. 4.2), h_t = a(W_x v_t + W_h h_{t-1}
  + b) with the network's leaky ReLU a(x) = max(0.3 x, x) (Sec. 3.1: "leaky ReLUs in every
  layer"). ``torch.nn.RNN`` offers only tanh and ReLU, so this small layer is written here;
  with ``negative_slope=0`` it equals ``torch.nn.RNN(nonlinearity="relu")``.

Speed: both layers multiply the whole input sequence by W_x in one matrix product before the
loop over time; each step then does one product with W_h and a few elementwise operations, and
autograd does backpropagation through time. The loop takes its steps with ``unbind`` and a step's
gates with ``split``, not by indexing: the gradient of an indexed slice is a zero tensor the size
of the whole sequence (or of all four gates) with the slice filled in, and autograd would add up
one such tensor a step; ``unbind`` and ``split`` give theirs back in one ``stack`` or ``cat``. The
numbers are the same to the last bit (tested). :func:`time_peephole_lstm` times forward + backward
against ``torch.nn.LSTM`` (``benchmarks/bench_peephole_lstm.py`` prints it).

Initialisation (the paper: "a random orthogonal initialization method", Sec. 4.2)
    * :class:`LeakyReLURNN`: W_x and W_h orthogonal with gain sqrt(2), b = 0.1, as in the
      authors' code.
    * :class:`PeepholeLSTM`, ``init="paper"``: each gate's W_x and W_h orthogonal (gain 1);
      ``init="code"``: all weights from N(0, 0.01^2), as in the authors' code. Both: biases 0
      and peepholes from N(0, 0.01^2) (the authors' code; the paper gives no rule for vectors).
    * Initial states are zero and not learnt (the authors' code).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from motion_rnn.models.layers import HIDDEN_BIAS, LEAKINESS, RELU_GAIN, InitScheme, check_init
from motion_rnn.timing import fastest_of_each

PAPER_LSTM_UNITS = 512
"""Sec. 4.2: "For LSTM cells, we only saw a small improvement between 512 and 1024 units, so we settled at 512"."""
PAPER_RNN_UNITS = 2048
"""Sec. 4.2: "For RNNs with standard cells, we used 2048 units"."""
PAPER_SEQUENCE_LENGTH = 64
"""Sec. 4.2: "Recurrent models are trained on random fragments of 64 frames"."""


def _check_sequence(sequence: Tensor, input_size: int) -> None:
    if sequence.dim() != 3 or sequence.shape[-1] != input_size or sequence.shape[1] < 1:
        raise ValueError(f"expected a sequence of shape (B, T, {input_size}) with T >= 1, got {tuple(sequence.shape)}")


class PeepholeLSTM(nn.Module):
    """One LSTM layer with peephole connections (Gers et al. 2003), run over a whole sequence.

    forward: ``(B, T, D)`` -> hidden states ``(B, T, H)``; optional initial ``state=(h_0, c_0)``,
    each ``(B, H)`` (zeros when omitted).

    Parameters, in ``torch.nn.LSTM``'s layout so weights can be copied both ways:
    ``weight_ih`` (4H, D) and ``weight_hh`` (4H, H), rows in the order i, f, g, o
    (g is the cell input, W_xc / W_hc above); ``bias`` (4H,); ``peephole`` (3, H), rows
    w_ci, w_cf, w_co (``None`` with ``peepholes=False``, which gives the LSTM without them).
    """

    def __init__(
        self, *, input_size: int, hidden_size: int, peepholes: bool = True, init: InitScheme = "paper"
    ) -> None:
        super().__init__()
        check_init(init)
        if input_size < 1 or hidden_size < 1:
            raise ValueError(f"input_size and hidden_size must be positive, got {input_size}, {hidden_size}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.empty(4 * hidden_size))
        self.peephole = nn.Parameter(torch.empty(3, hidden_size)) if peepholes else None
        self.reset_parameters(init)

    @property
    def peepholes(self) -> bool:
        return self.peephole is not None

    def reset_parameters(self, init: InitScheme = "paper") -> None:
        """Draw the weights again: see the module docstring for ``init``."""
        check_init(init)
        with torch.no_grad():
            for weight in (self.weight_ih, self.weight_hh):
                for block in weight.chunk(4, dim=0):  # one matrix a gate, as in the authors' code
                    if init == "paper":
                        nn.init.orthogonal_(block)
                    else:
                        nn.init.normal_(block, std=0.01)
            nn.init.zeros_(self.bias)
            if self.peephole is not None:
                nn.init.normal_(self.peephole, std=0.01)

    @classmethod
    def from_lstm(cls, lstm: nn.LSTM, *, peepholes: bool = True) -> PeepholeLSTM:
        """A copy of a one-layer, one-direction ``torch.nn.LSTM`` (its two biases summed).

        With ``peepholes=True`` the peepholes are zero, so the copy computes what ``lstm`` does.
        """
        if lstm.num_layers != 1 or lstm.bidirectional or lstm.proj_size:
            raise ValueError("from_lstm copies a single-layer, unidirectional nn.LSTM without projections")
        parameter = lstm.weight_ih_l0
        with torch.device(parameter.device):
            layer = cls(input_size=lstm.input_size, hidden_size=lstm.hidden_size, peepholes=peepholes)
        layer.to(parameter.dtype)
        with torch.no_grad():
            layer.weight_ih.copy_(lstm.weight_ih_l0)
            layer.weight_hh.copy_(lstm.weight_hh_l0)
            if lstm.bias:
                layer.bias.copy_(lstm.bias_ih_l0 + lstm.bias_hh_l0)
            else:
                layer.bias.zero_()
            if layer.peephole is not None:
                layer.peephole.zero_()
        return layer

    def forward(self, sequence: Tensor, state: tuple[Tensor, Tensor] | None = None) -> Tensor:
        """``(B, T, D)`` -> ``(B, T, H)``."""
        _check_sequence(sequence, self.input_size)
        batch = sequence.shape[0]
        units = self.hidden_size
        if state is None:
            h = sequence.new_zeros(batch, units)
            c = sequence.new_zeros(batch, units)
        else:
            h, c = state
        # W_x v_t + b for all t in one product: (B, T, 4H)
        projected = F.linear(sequence, self.weight_ih, self.bias)
        weight_hh_t = self.weight_hh.t()
        if self.peephole is not None:
            w_cif = self.peephole[:2]  # (w_ci, w_cf): (2, H)
            w_co = self.peephole[2]  # (H,)
        outputs = []
        for projected_t in projected.unbind(1):  # not projected[:, t]: see "Speed" above
            gates = torch.addmm(projected_t, h, weight_hh_t)  # W_x v_t + W_h h_{t-1} + b: (B, 4H)
            input_forget, g, o = gates.split([2 * units, units, units], dim=1)
            input_forget = input_forget.view(batch, 2, units)
            if self.peephole is not None:
                input_forget = torch.addcmul(input_forget, c.unsqueeze(1), w_cif)  # + w_ci . c_{t-1}, w_cf . c_{t-1}
            i, f = torch.sigmoid(input_forget).unbind(1)  # i_t, f_t
            g = torch.tanh(g)  # g_t
            c = torch.addcmul(f * c, i, g)  # c_t = f_t . c_{t-1} + i_t . g_t
            if self.peephole is not None:
                o = torch.addcmul(o, c, w_co)  # + w_co . c_t (the new state)
            h = torch.sigmoid(o) * torch.tanh(c)  # h_t = o_t . tanh(c_t)
            outputs.append(h)
        return torch.stack(outputs, dim=1)  # (B, T, H)

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}, peepholes={self.peepholes}"


class LeakyReLURNN(nn.Module):
    """The standard cell (Sec. 3.2, 4.2): h_t = a(W_x v_t + W_h h_{t-1} + b), a(x) = max(0.3 x, x).

    forward: ``(B, T, D)`` -> ``(B, T, H)``; optional initial state ``h_0`` ``(B, H)`` (zeros).
    Parameters: ``weight_ih`` (H, D), ``weight_hh`` (H, H), ``bias`` (H,). ``torch.nn.RNN``
    supports only tanh and ReLU; ``negative_slope=0`` gives its ReLU cell.
    """

    def __init__(self, *, input_size: int, hidden_size: int, negative_slope: float = LEAKINESS) -> None:
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise ValueError(f"input_size and hidden_size must be positive, got {input_size}, {hidden_size}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.negative_slope = negative_slope
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.empty(hidden_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Orthogonal W_x, W_h with gain sqrt(2) (Sec. 4.2; gain from the authors' code), b = 0.1."""
        nn.init.orthogonal_(self.weight_ih, gain=RELU_GAIN)
        nn.init.orthogonal_(self.weight_hh, gain=RELU_GAIN)
        nn.init.constant_(self.bias, HIDDEN_BIAS)

    def forward(self, sequence: Tensor, state: Tensor | None = None) -> Tensor:
        """``(B, T, D)`` -> ``(B, T, H)``."""
        _check_sequence(sequence, self.input_size)
        batch = sequence.shape[0]
        h = sequence.new_zeros(batch, self.hidden_size) if state is None else state
        projected = F.linear(sequence, self.weight_ih, self.bias)  # W_x v_t + b for all t: (B, T, H)
        weight_hh_t = self.weight_hh.t()
        outputs = []
        for projected_t in projected.unbind(1):  # not projected[:, t]: see "Speed" in the module's docstring
            h = F.leaky_relu(torch.addmm(projected_t, h, weight_hh_t), self.negative_slope)  # h_t
            outputs.append(h)
        return torch.stack(outputs, dim=1)  # (B, T, H)

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}, negative_slope={self.negative_slope}"


def _states(output: Tensor | tuple) -> Tensor:
    """The state sequence of a layer's output; ``torch.nn`` recurrent layers return ``(output, state)``."""
    return output[0] if isinstance(output, tuple) else output


class BidirectionalSum(nn.Module):
    """Eqs. 2-4: ``forward_layer`` reads v_1..v_T, ``backward_layer`` v_T..v_1; their states are summed.

    forward: ``(B, T, D)`` -> ``(B, T, H)`` = h_t^(f) + h_t^(b). Works with any layers mapping
    ``(B, T, D)`` to ``(B, T, H)``: :class:`PeepholeLSTM`, :class:`LeakyReLURNN`, or a
    ``batch_first`` ``torch.nn.LSTM`` / ``GRU`` / ``RNN``.
    """

    def __init__(self, forward_layer: nn.Module, backward_layer: nn.Module) -> None:
        super().__init__()
        self.forward_layer = forward_layer
        self.backward_layer = backward_layer

    @classmethod
    def of(cls, make_layer: Callable[[], nn.Module]) -> BidirectionalSum:
        """Two independent layers from one factory, e.g. ``BidirectionalSum.of(lambda: PeepholeLSTM(...))``."""
        return cls(make_layer(), make_layer())

    def forward(self, sequence: Tensor) -> Tensor:
        """``(B, T, D)`` -> ``(B, T, H)``."""
        if sequence.dim() != 3:
            raise ValueError(f"expected a sequence of shape (B, T, D), got {tuple(sequence.shape)}")
        forwards = _states(self.forward_layer(sequence))  # h^(f), eq. 2
        backwards = _states(self.backward_layer(sequence.flip(1))).flip(1)  # h^(b), eq. 3, back in time order
        return forwards + backwards  # eq. 4's h^(f) + h^(b)


def time_peephole_lstm(
    *,
    batch: int = 32,
    steps: int = PAPER_SEQUENCE_LENGTH,
    input_size: int = 2048,
    hidden_size: int = PAPER_LSTM_UNITS,
    repeats: int = 3,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Seconds for forward + backward of one :class:`PeepholeLSTM` layer and of ``torch.nn.LSTM``.

    Both layers run over the same ``(batch, steps, input_size)`` sequence (defaults: the paper's
    512 units on the CNN's 2048 features, 64 frames, mini-batch 32) and backpropagate the sum of
    their outputs into their weights and the input. One untimed warm-up run each, then the
    fastest of ``repeats`` timed runs, the two layers taking turns
    (:func:`motion_rnn.timing.fastest_of_each`: other work on the machine only ever adds time, and
    a slow spell falls on both).

    Returns ``{"peephole_lstm_s", "torch_lstm_s", "ratio"}`` with ratio = peephole / torch.
    """
    device = torch.device(device)
    generator = torch.Generator().manual_seed(0)
    sequence = torch.randn(batch, steps, input_size, generator=generator).to(device).requires_grad_()
    torch.manual_seed(0)
    reference = nn.LSTM(input_size, hidden_size, batch_first=True).to(device)
    ours = PeepholeLSTM(input_size=input_size, hidden_size=hidden_size).to(device)

    def step(layer: nn.Module):
        def run() -> None:
            layer.zero_grad(set_to_none=True)
            sequence.grad = None
            _states(layer(sequence)).sum().backward()

        return run

    seconds = fastest_of_each({"ours": step(ours), "torch": step(reference)}, repeats=repeats, device=device)
    ours_s, reference_s = seconds["ours"], seconds["torch"]
    return {"peephole_lstm_s": ours_s, "torch_lstm_s": reference_s, "ratio": ours_s / reference_s}
