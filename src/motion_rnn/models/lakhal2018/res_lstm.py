r"""The residual stacked LSTM of Lakhal et al. 2018, "Residual stacked RNNs for action recognition"
(Sec. 3.1, eq. 1-2, Fig. 1(b)), and the plain stacked LSTM it is compared with (Fig. 3).

    clip features x^0 (B, T, d_m)        Sec. 3.1: one 3D-CNN feature a_sigma(t) a step (C3D fc6, TSN),
                                         reduced by PCA to d_m (Sec. 4.1)
      -> LSTM_1 .. LSTM_L, one nn.LSTM    (B, T, h)     eq. 1: c^l_t, m^l_t = LSTM_l(c^l_{t-1}, m^l_{t-1}, x^{l-1}_t)
         a level, and in between          (B, T, h)     eq. 1: x^l_t = m^l_t + x^{l-1}_t  (residual=True)
                                                               x^l_t = m^l_t              (residual=False)
      -> m^L_T, the last layer's output   (B, h)        eq. 2: "a softmax layer ... at the last time step T"
         at the last step
      -> linear W_y                       (B, P)        eq. 2: softmax((m^L_T)^T W_y); logits out, the softmax
                                                        is the loss's

What the paper says, and what we choose:

* Eq. 1 adds the layer's input to its output element-wise, so "the dimension of the input at time t in
  layer l must be the same as the memory m^l_t". With ``residual=True`` the input size must equal the
  hidden size; the paper gets there by PCA of the 4,096-d C3D features to d_m in {256, 512, 1024, 2048}
  (Sec. 4.1), and :class:`StackedLSTM` raises a ``ValueError`` saying so otherwise. ``residual=False``
  is the plain stacked LSTM of Fig. 3 ("with and without residual part"), any input size.
* Eq. 2 reads m^L_T, the last LSTM's own output, not the residual sum x^L_T = m^L_T + x^{L-1}_T; so the
  last residual addition does not reach the classifier, and at depth 1 ``residual`` changes nothing.
  ``readout="residual"`` reads x^L_T instead (as a stack whose every level is residual, GNMT [28] style,
  would), for an ablation; the default follows eq. 2.
* Hidden size h = 1024 (Sec. 4.1, Fig. 3(a)); depth L in {2, 3, 4}, 2 best (Fig. 3(b)-(c)); we accept
  any L >= 1. T = 25 steps for the final model (Sec. 4.1, Table 1). All sequences have T steps, so no
  lengths or packing.
* One ``nn.LSTM`` a level (cuDNN's fused kernel on a GPU), standard LSTM without peepholes [27]; the
  paper names no initialisation, so PyTorch's default (uniform in +-1/sqrt(h)) stays. No dropout: the
  paper names none. Training: RMSProp, lr 1e-3 (Sec. 4).
* Parameters (:func:`res_lstm_parameter_count`): the residual connections add none, which is the
  point of them (Sec. 1: "not to increase the number of optimizable parameters").

:func:`sparse_clip_indices` is Sec. 3.1's choice of T of the video's K_v clips,
sigma(t) = 1 + floor((t - 1)(K_v - 1)/(T - 1)).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

__all__ = [
    "PAPER_DEPTHS",
    "PAPER_HIDDEN_SIZE",
    "PAPER_PCA_SIZES",
    "StackedLSTM",
    "lstm_layer_parameter_count",
    "res_lstm_parameter_count",
    "sparse_clip_indices",
]

Readout = Literal["memory", "residual"]

PAPER_HIDDEN_SIZE = 1024
"""Sec. 4.1, Fig. 3(a): accuracy rises up to h = 1024 and stagnates after."""
PAPER_DEPTHS = (2, 3, 4)
"""Sec. 4.1, Fig. 3(b)-(c): depths tried; two layers are best with 3D-CNN features."""
PAPER_PCA_SIZES = (256, 512, 1024, 2048)
"""Sec. 4.1: the PCA dimensions d_m of the 4,096-d C3D features that the residual width matches."""


def lstm_layer_parameter_count(input_size: int, hidden_size: int) -> int:
    r"""Parameters of one ``nn.LSTM`` layer, written out from the LSTM equations.

    Four gates (input, forget, cell candidate, output) each compute
    :math:`W_{x} x_t + b_{x} + W_{h} m_{t-1} + b_{h}` with :math:`W_x \in R^{h \times d}`,
    :math:`W_h \in R^{h \times h}` and, in PyTorch (as in cuDNN), *two* bias vectors, ``bias_ih`` and
    ``bias_hh``, where the equations have one; so ``4 * (h * (d + h) + 2 * h)``.
    """
    d, h = input_size, hidden_size
    return 4 * (h * (d + h) + 2 * h)


def res_lstm_parameter_count(input_size: int, hidden_size: int, depth: int, num_classes: int) -> int:
    """Parameters of :class:`StackedLSTM`, residual or not (the residual sums have none).

    Layer 1 reads the d_m-dimensional features, layers 2..L the h-dimensional x^{l-1}; eq. 2's
    W_y (h x P) and its bias (the linear layer's; eq. 2 writes none) add ``h * P + P``.
    """
    recurrent = lstm_layer_parameter_count(input_size, hidden_size)
    recurrent += (depth - 1) * lstm_layer_parameter_count(hidden_size, hidden_size)
    return recurrent + hidden_size * num_classes + num_classes


class StackedLSTM(nn.Module):
    """L stacked LSTM layers, residual (eq. 1) or plain, and eq. 2's classifier on the last step.

    forward: features ``(B, T, input_size)`` -> logits ``(B, num_classes)``.
    """

    def __init__(
        self,
        input_size: int,
        num_classes: int,
        *,
        hidden_size: int = PAPER_HIDDEN_SIZE,
        depth: int = 2,
        residual: bool = True,
        readout: Readout = "memory",
    ) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        if readout not in ("memory", "residual"):
            raise ValueError(f"readout={readout!r} is not one of 'memory' (eq. 2, m^L_T), 'residual' (x^L_T)")
        if residual and input_size != hidden_size:
            raise ValueError(
                f"residual=True adds each layer's input to its output (eq. 1, x^l = m^l + x^(l-1)), so "
                f"input_size must equal hidden_size; got input_size={input_size}, hidden_size={hidden_size}. "
                f"Reduce the features to {hidden_size} dimensions first (the paper applies PCA to d_m, "
                f"Sec. 4.1), set hidden_size={input_size}, or use residual=False."
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.depth = depth
        self.residual = residual
        self.readout = readout
        sizes = [input_size] + [hidden_size] * (depth - 1)
        self.layers = nn.ModuleList(nn.LSTM(d, hidden_size, batch_first=True) for d in sizes)
        self.classifier = nn.Linear(hidden_size, num_classes)  # eq. 2's W_y

    def last_step(self, features: Tensor) -> Tensor:
        """``(B, T, d_m)`` -> ``(B, h)``: m^L_T (eq. 2), or x^L_T with ``readout="residual"``."""
        if features.dim() != 3 or features.shape[-1] != self.input_size:
            raise ValueError(f"expected features (B, T, {self.input_size}), got {tuple(features.shape)}")
        x = features  # x^0
        for lstm in self.layers:
            m, _ = lstm(x)  # (B, T, h): m^l_t for every t, zero initial states
            x = m + x if self.residual else m  # eq. 1
        return (x if self.readout == "residual" else m)[:, -1]

    def forward(self, features: Tensor) -> Tensor:
        """``(B, T, d_m)`` -> logits ``(B, P)``; softmax of them is eq. 2's y-hat."""
        return self.classifier(self.last_step(features))


def sparse_clip_indices(num_clips: int, steps: int) -> torch.Tensor:
    """Sec. 3.1: which T of a video's K_v clips feed the network, 0-based.

    sigma(t) = 1 + floor((t - 1)(K_v - 1)/(T - 1)), t = 1..T (1-based in the paper): T indices from the
    first clip to the last, evenly spread, repeating clips when K_v < T. For T = 1 (where the formula
    divides by zero) we take the first clip. K_v = floor(l_v / r) - 1 for a video of l_v frames and clip
    stride r (8 in Sec. 4).
    """
    if num_clips < 1 or steps < 1:
        raise ValueError(f"need num_clips >= 1 and steps >= 1, got num_clips={num_clips}, steps={steps}")
    if steps == 1:
        return torch.zeros(1, dtype=torch.long)
    t = torch.arange(steps, dtype=torch.long)  # t - 1
    return (t * (num_clips - 1)) // (steps - 1)  # sigma(t) - 1, exact integer floor
