r"""Recurrent networks for skeleton sequences of Le Roux (2017), *Learning action recognition from
3D poses*: Fig. 11's baseline and its variants behind Tables 4-9, 11 and 12.

    skeletons (B, T, J, 3)
      -> skeleton transformer, optional     (B, T, J', 3)     Sec. 3.3.1, Table 8
      -> flatten joints                     (B, T, 3J')       Sec. 2.4.2
      -> recurrent layers x num_layers      (B, T, H)         Sec. 3.1.2: RNN / LSTM / GRU, uni- or
                                                              bidirectional (H = 2 x units then)
      -> last step, or every step           (B, H) | (B, T, H)   Table 4 | Table 11
      -> FC + ReLU                          (B, K) | (B, T, K)   Fig. 11: "a score for each label"
      (softmax in the loss: logits out)

Feature sequences ``(B, T, D)`` (e.g. skeleton motion, already flattened) enter at the
recurrent layers. Every forward takes optional ``lengths`` ``(B,)``: each layer then runs on a
packed sequence, so padding after a sequence's end changes nothing, and "the last time step" is
each sequence's own last valid step.

What the thesis says, and where:

* Cells (Sec. 2.3): standard RNN, eq. (1) :math:`h_t = \tanh(W_x x_t + W_h h_{t-1} + b_h)`;
  LSTM, eq. (3), without peepholes; GRU, eq. (4). These are ``nn.RNN(nonlinearity="tanh")``,
  ``nn.LSTM`` and ``nn.GRU``. Departure: eq. (4) applies the reset gate before the recurrent
  matrix, :math:`\tilde h_t = \tanh(W_h [x_t; h_{t-1} \odot r_t; 1])`; ``nn.GRU`` applies it after,
  :math:`\tanh(W_{hx} x_t + b + r_t \odot (W_{hh} h_{t-1} + b'))` (the form cuDNN computes), with
  the same weights and a second bias vector per gate (6H biases a direction where eq. 4 has 3H).
* Baseline (Sec. 3.1.1, Fig. 11, after Zhang et al.): three LSTM layers of 100 units; "the
  output vector of the final LSTM layer at the final time step is multiplied by a weight matrix
  and passed element-wise through a rectified linear unit (ReLU) in a Fully Connected (FC)
  layer. This produces a score for each action label", then a softmax. So by default the FC +
  ReLU layer has one unit a class and its output is the logits (``dense_size=None``);
  ``dense_size=n`` puts a hidden FC + ReLU layer of n units before a linear classifier instead.
  ReLU scores can die: a class whose score is 0 for every input gets no gradient, and with few
  classes all scores can be 0 from the first updates on (a two-class toy task stalls at
  chance for some seeds); ``dense_size`` avoids that.
* "Improved baseline" (Sec. 3.1.2, Tables 5-6): unidirectional, 3 layers of 100 GRU units,
  dropout keep probability 0.5 -> :data:`IMPROVED_BASELINE`.
* Initialisation (Sec. 3.1.2): Xavier; "GRU units reset and update gates are initialized with a
  bias of 1". Xavier (uniform, TensorFlow's default) is drawn for the matrix :math:`W` of
  eq. (2), which concatenates :math:`W_x` and :math:`W_h` (fan-in D + H, fan-out gates x H);
  our choice: every other bias is 0. ``nn.GRU`` has an input and a hidden bias per gate: the input biases of
  the reset and update gates are 1 and their hidden biases 0, so each gate's bias sums to 1.
* Bidirectional (Table 4): "the model prediction only takes into account the last time step of
  the last RNN layer, and the number of units is equal (in the bidirectional case, each
  directional RNN gets half the number of units ...)". Equal units in total means the two
  directions are concatenated, :math:`[\overrightarrow{h}_t; \overleftarrow{h}_t]`, here and as
  the next layer's input; ``hidden_size`` is the units *per direction* (Tables 4 and 11 count
  them so). Read literally, the last step of a bidirectional layer holds the forward state after
  the whole sequence and the backward state after the last frame only (``readout="last_step"``,
  the default); ``readout="final_states"`` takes each direction's final state instead (the
  backward one at t = 1).
* Every step (Appendix A.1, A.4, Table 11): "each time step has a full view on the sequence and
  makes its own prediction. And in the end, the final prediction is the averaging of the
  prediction over time" -> ``per_step=True`` and :func:`predict_from_steps`.
* Dropout (Sec. 3.2, Table 6) is given as a *keep* probability; 1 means no dropout. The thesis
  does not say where it acts; our choice: on the output of every recurrent layer (between layers
  and before the FC layer), not on the recurrent connections, as TensorFlow's
  ``DropoutWrapper(output_keep_prob=...)`` does.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from motion_rnn.models.leroux2017.skeleton_inputs import check_lengths, flatten_joints, length_mask
from motion_rnn.models.leroux2017.skeleton_transformer import SkeletonTransformer

__all__ = [
    "CELLS",
    "IMPROVED_BASELINE",
    "RecurrentStack",
    "SkeletonRNN",
    "build_skeleton_rnn",
    "mean_step_probabilities",
    "predict_from_steps",
]

Cell = Literal["rnn", "lstm", "gru"]
Readout = Literal["last_step", "final_states"]

CELLS: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
"""Sec. 2.3: the standard (tanh) RNN of eq. (1), the LSTM of eq. (3), the GRU of eq. (4)."""

IMPROVED_BASELINE: dict = dict(
    cell="gru",  # Sec. 3.1.2, Table 4: GRU beats LSTM and the standard RNN
    hidden_size=100,  # Sec. 3.1.2, Table 4: 100 units
    num_layers=3,  # Sec. 3.1.2, Table 5: 3 layers
    bidirectional=False,  # Sec. 3.1.2, Table 4: "URNN performs better than BRNN"
    keep_prob=0.5,  # Sec. 3.2, Table 6: keep probability 0.5 gives the 79.2 of the baseline
)
"""Sec. 3.1.2: "a Unidirectional RNN with 3 layers each containing 100 GRU units"."""


class RecurrentStack(nn.Module):
    """``num_layers`` recurrent layers of one cell type, each run on packed sequences.

    forward: ``(B, T, D)`` and optional lengths ``(B,)`` -> the last layer's outputs
    ``(B, T, H)``, H = ``hidden_size`` x (2 if bidirectional); zero at padded steps.
    """

    def __init__(
        self, *, cell: Cell, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool, keep_prob: float
    ) -> None:
        super().__init__()
        self.cell = cell
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        directions = 2 if bidirectional else 1
        options = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        layers, size = [], input_size
        for _ in range(num_layers):
            layers.append(CELLS[cell](size, hidden_size, batch_first=True, bidirectional=bidirectional, **options))
            size = hidden_size * directions  # directions concatenated (Table 4)
        self.layers = nn.ModuleList(layers)
        self.output_size = size
        # Sec. 3.2: keep probability; keep_prob = 1 "tantamounts to not using any dropout".
        self.dropout = nn.Identity() if keep_prob == 1.0 else nn.Dropout(p=1.0 - keep_prob)
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """Sec. 3.1.2: Xavier weights (over eq. 2's concatenated W); GRU reset and update gate biases 1."""
        for layer in self.layers:
            for suffix in ("_l0", "_l0_reverse")[: 2 if self.bidirectional else 1]:
                w_x, w_h = getattr(layer, "weight_ih" + suffix), getattr(layer, "weight_hh" + suffix)
                w = torch.empty(w_x.shape[0], w_x.shape[1] + w_h.shape[1])  # eq. (2): W = [W_x, W_h]
                nn.init.xavier_uniform_(w)
                w_x.copy_(w[:, : w_x.shape[1]])
                w_h.copy_(w[:, w_x.shape[1] :])
                b_x, b_h = getattr(layer, "bias_ih" + suffix), getattr(layer, "bias_hh" + suffix)
                b_x.zero_()
                b_h.zero_()
                if self.cell == "gru":  # nn.GRU's gate order: reset, update, new
                    b_x[: 2 * self.hidden_size] = 1.0

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """``(B, T, D)``, lengths ``(B,)`` or None -> ``(B, T, H)``."""
        for layer in self.layers:
            x = self.dropout(self._run(layer, x, lengths))  # (B, T, H)
        return x

    @staticmethod
    def _run(layer: nn.RNNBase, x: Tensor, lengths: Tensor | None) -> Tensor:
        if lengths is None:
            return layer(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(layer(packed)[0], batch_first=True, total_length=x.shape[1])[0]


class SkeletonRNN(nn.Module):
    """Fig. 11's network and its variants. Build with :func:`build_skeleton_rnn`.

    forward: skeletons ``(B, T, J, 3)`` or features ``(B, T, D)``, and optional lengths ``(B,)``
    -> logits ``(B, K)`` (prediction from the last step), or ``(B, T, K)`` with ``per_step``
    (a prediction at every step; padded steps hold values to be ignored).

    Parts, for inspection: ``transformer`` (a :class:`SkeletonTransformer` or None), ``stack``
    (:class:`RecurrentStack`), ``head`` (the FC + ReLU layers).
    """

    def __init__(
        self,
        *,
        stack: RecurrentStack,
        head: nn.Sequential,
        per_step: bool,
        readout: Readout,
        transformer: SkeletonTransformer | None = None,
    ) -> None:
        super().__init__()
        self.transformer = transformer
        self.stack = stack
        self.head = head
        self.per_step = per_step
        self.readout = readout

    def sequence_features(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """``(B, T, J, 3)`` or ``(B, T, D)`` -> the last recurrent layer's outputs ``(B, T, H)``."""
        if x.dim() == 4:
            if self.transformer is not None:
                x = self.transformer(x)  # (B, T, J', 3), eq. (8)
            x = flatten_joints(x)  # (B, T, 3J')
        elif self.transformer is not None or x.dim() != 3:
            want = "(B, T, J, 3)" if self.transformer is not None else "(B, T, J, 3) or (B, T, D)"
            raise ValueError(f"expected {want}, got {tuple(x.shape)}")
        if x.shape[-1] != self.stack.input_size:
            raise ValueError(
                f"expected {self.stack.input_size} features a step, got {x.shape[-1]} (input of shape {tuple(x.shape)})"
            )
        lengths = check_lengths(lengths, x.shape[0], x.shape[1])
        return self.stack(x, lengths)  # (B, T, H)

    def features(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """What the FC layer reads: ``(B, H)`` from the last step (``(B, T, H)`` with ``per_step``)."""
        outputs = self.sequence_features(x, lengths)  # (B, T, H)
        if self.per_step:
            return outputs
        batch, steps, _ = outputs.shape
        last = (
            torch.full((batch,), steps - 1, device=outputs.device)
            if lengths is None
            else torch.as_tensor(lengths, device=outputs.device).long() - 1
        )
        at_last = outputs[torch.arange(batch, device=outputs.device), last]  # (B, H)
        if self.readout == "final_states" and self.stack.bidirectional:
            half = self.stack.hidden_size  # backward direction's final state: t = 1
            at_last = torch.cat([at_last[:, :half], outputs[:, 0, half:]], dim=-1)
        return at_last

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """``(B, T, J, 3)`` or ``(B, T, D)``, lengths -> logits ``(B, K)``, or ``(B, T, K)`` with ``per_step``."""
        return self.head(self.features(x, lengths))


def mean_step_probabilities(logits: Tensor, lengths: Tensor | None = None) -> Tensor:
    """Appendix A.1: "the final prediction is the averaging of the prediction over time":
    per-step logits ``(B, T, K)`` -> softmax probabilities averaged over valid steps ``(B, K)``."""
    if logits.dim() != 3:
        raise ValueError(f"expected per-step logits of shape (B, T, K), got {tuple(logits.shape)}")
    probabilities = logits.softmax(dim=-1)  # (B, T, K)
    lengths = check_lengths(lengths, logits.shape[0], logits.shape[1])
    if lengths is None:
        return probabilities.mean(dim=1)
    lengths = lengths.to(logits.device)
    valid = length_mask(lengths, logits.shape[1])[:, :, None]  # (B, T, 1)
    return (probabilities * valid).sum(dim=1) / lengths[:, None]


def predict_from_steps(logits: Tensor, lengths: Tensor | None = None) -> Tensor:
    """Class indices ``(B,)`` from per-step logits ``(B, T, K)`` (Appendix A.1); the
    ``predict_fn`` of :func:`motion_rnn.train.fit` for a ``per_step`` model."""
    return mean_step_probabilities(logits, lengths).argmax(dim=-1)


def build_skeleton_rnn(
    *,
    # data
    input_size: int,
    num_classes: int,
    # the recurrent layers (Sec. 3.1.2, Tables 4-5; IMPROVED_BASELINE holds the thesis's best)
    cell: Cell,
    hidden_size: int,
    num_layers: int,
    bidirectional: bool = False,
    # what the classifier reads
    per_step: bool = False,  # Table 11 / Appendix A: a prediction at every step
    readout: Readout = "last_step",  # Table 4: "the last time step of the last RNN layer"
    # regularisation
    keep_prob: float = 1.0,  # Sec. 3.2: 1 = no dropout; Table 6's best is 0.5
    # the classifier
    dense_size: int | None = None,  # Fig. 11: None = FC + ReLU gives the class scores
    # skeleton input
    transformer: SkeletonTransformer | None = None,  # Sec. 3.3.1, Table 8
) -> SkeletonRNN:
    """A :class:`SkeletonRNN` (see the module docstring for each argument's source).

    ``input_size``: features a time step after flattening, 3 x joints for skeletons (3 x the
    transformer's virtual joints with a transformer). ``hidden_size``: units per direction;
    Table 4 pairs a unidirectional network of n units with a bidirectional one of n / 2.
    """
    if cell not in CELLS:
        raise ValueError(f"cell={cell!r} is not one of {tuple(CELLS)}")
    if readout not in ("last_step", "final_states"):
        raise ValueError(f"readout={readout!r} is not one of 'last_step', 'final_states'")
    for name, value in (
        ("input_size", input_size),
        ("num_classes", num_classes),
        ("hidden_size", hidden_size),
        ("num_layers", num_layers),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    if dense_size is not None and dense_size < 1:
        raise ValueError(f"dense_size must be >= 1 or None, got {dense_size}")
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob is a keep probability in (0, 1], got {keep_prob}")
    if transformer is not None and input_size != 3 * transformer.num_virtual_joints:
        raise ValueError(
            f"input_size={input_size} but the transformer gives "
            f"{transformer.num_virtual_joints} virtual joints x 3 = {3 * transformer.num_virtual_joints}"
        )
    stack = RecurrentStack(
        cell=cell,
        input_size=input_size,
        hidden_size=hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        keep_prob=keep_prob,
    )
    if dense_size is None:  # Fig. 11: FC + ReLU -> one score a label
        head = nn.Sequential(nn.Linear(stack.output_size, num_classes), nn.ReLU())
    else:  # a hidden FC + ReLU, then a linear classifier
        head = nn.Sequential(nn.Linear(stack.output_size, dense_size), nn.ReLU(), nn.Linear(dense_size, num_classes))
    for module in head:
        if isinstance(module, nn.Linear):  # Sec. 3.1.2: Xavier
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return SkeletonRNN(stack=stack, head=head, per_step=per_step, readout=readout, transformer=transformer)
