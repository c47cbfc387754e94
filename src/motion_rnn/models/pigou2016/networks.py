r"""The seven architectures of Pigou et al. 2016, "Beyond Temporal Pooling: Recurrence and Temporal
Convolutions for Gesture Recognition in Video", Table 1 (Sec. 3, Fig. 1), built by one function,
:func:`build_montalbano_model`.

================================  =========================  ======  ================  ==========
Table 1 row                       name                       Fig.    input window      output
================================  =========================  ======  ================  ==========
Single-Frame CNN                  ``single_frame``           1a      1 frame           (B, 21)
Temp Max-Pooling                  ``temp_max_pooling``       1b      16 frames         (B, 21)
Temp Mean-Pooling                 ``temp_mean_pooling``      1b      32 frames         (B, 21)
Temp Conv                         ``temp_conv``              1d      32 frames         (B, 21)
RNN, Standard Cells               ``rnn_standard_cells``     1c      64 frames         (B, T, 21)
RNN, LSTM Cells                   ``rnn_lstm_cells``         1c      64 frames         (B, T, 21)
Temp Conv + LSTM                  ``temp_conv_lstm``         1e      64 frames         (B, T, 21)
================================  =========================  ======  ================  ==========

Windows: Sec. 4.2 ("trained frame by frame"; max-pooling over 16 frames, mean-pooling over 32,
Temp Conv over "32 surrounding frames"; recurrent models on "random fragments of 64 frames").
The four non-recurrent networks (:class:`WindowClassifier`) label a window by its centre frame;
the three recurrent ones (:class:`FramewiseRecurrentClassifier`) give "one softmax per frame"
(eq. 4). 21 classes: 20 gestures and "no gesture" (class 0).

Parts
    * :class:`~motion_rnn.models.pigou2016.cnn2d.FrameCNN` and :class:`~motion_rnn.models.pigou2016.cnn2d.DenseHead`
      (Sec. 3.1): the CNN per frame and D(2048)-D(2048)-S;
    * :class:`~motion_rnn.models.pigou2016.temporal.TemporalPooling` and
      :class:`~motion_rnn.models.pigou2016.temporal.SpatioTemporalCNN` (Sec. 3.1, 3.3);
    * :class:`~motion_rnn.models.pigou2016.peephole_lstm.BidirectionalSum` of two
      :class:`~motion_rnn.models.pigou2016.peephole_lstm.PeepholeLSTM` (512) or two
      :class:`~motion_rnn.models.pigou2016.peephole_lstm.LeakyReLURNN` (2048) layers (Sec. 3.2).

Dropout p = 0.5 "on the inputs of every fully connected layer" (Sec. 4.2): before each dense
layer and the softmax, and, in the recurrent networks, before the recurrent layer (whose input
map W_x is fully connected) and before the softmax, as in the authors' code.

The recurrent networks have no dense layers between the CNN and the recurrence (Fig. 1c, 1e;
the authors' code): CNN -> dropout -> bidirectional layer -> dropout -> softmax.

Two habits of the authors' training script belong to training, not to these modules, and the
paper mentions neither: for the temporal-convolution networks it raises the dropout rate
linearly from 0 to 0.5 over the first 200 to 1000 updates (``nn.Dropout.p`` can be set between
updates to do the same), and most configurations warm up, raising the learning rate linearly
from a small value to the base rate over the first 10 to 500 updates.

Initialisation: ``init="paper"`` draws every weight matrix orthogonally (Sec. 4.2);
``init="code"`` takes the authors' code's choices where they differ (N(0, 0.01^2) for the LSTM
weights and for Temp Conv's dense layers, Glorot-uniform for the softmax layer); see
:mod:`~motion_rnn.models.pigou2016.cnn2d` and :mod:`~motion_rnn.models.pigou2016.peephole_lstm`.

Sizes: ``width`` scales the convolutional maps, and, unless given, the dense units
(``dense_units``, 2048 at width 1) and the recurrent units (``hidden``: 2048 standard cells,
512 LSTM at width 1) alike, so ``width=1/8`` with ``frame_size=16`` is a network of the same
shape that a CPU trains in seconds. :func:`parameter_counts` reports the sizes of all seven (the
paper gives none to compare with).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from motion_rnn.models.layers import scaled_channels
from motion_rnn.models.pigou2016.cnn2d import (
    PAPER_DENSE_UNITS,
    PAPER_DROPOUT,
    PAPER_FRAME_SIZE,
    DenseHead,
    FrameCNN,
    InitScheme,
    check_clips,
    check_init,
    init_classifier_,
)
from motion_rnn.models.pigou2016.peephole_lstm import (
    PAPER_LSTM_UNITS,
    PAPER_RNN_UNITS,
    PAPER_SEQUENCE_LENGTH,
    BidirectionalSum,
    LeakyReLURNN,
    PeepholeLSTM,
)
from motion_rnn.models.pigou2016.temporal import (
    PAPER_MAX_POOL_FRAMES,
    PAPER_MEAN_POOL_FRAMES,
    PAPER_TEMP_CONV_FRAMES,
    SpatioTemporalCNN,
    TemporalPooling,
    centre_index,
)

MODEL_NAMES = (
    "single_frame",
    "temp_max_pooling",
    "temp_mean_pooling",
    "temp_conv",
    "rnn_standard_cells",
    "rnn_lstm_cells",
    "temp_conv_lstm",
)
"""The rows of Table 1, in the paper's order."""
RECURRENT_MODELS = ("rnn_standard_cells", "rnn_lstm_cells", "temp_conv_lstm")
"""The models with one output per frame, (B, T, K)."""
TABLE1_ROWS = {
    "single_frame": "Single-Frame CNN",
    "temp_max_pooling": "Temp Max-Pooling",
    "temp_mean_pooling": "Temp Mean-Pooling",
    "temp_conv": "Temp Conv",
    "rnn_standard_cells": "RNN, Standard Cells",
    "rnn_lstm_cells": "RNN, LSTM Cells",
    "temp_conv_lstm": "Temp Conv + LSTM",
}
"""Table 1's "Architecture" column, without the figure reference."""
FIGURES = {
    "single_frame": "1a",
    "temp_max_pooling": "1b",
    "temp_mean_pooling": "1b",
    "temp_conv": "1d",
    "rnn_standard_cells": "1c",
    "rnn_lstm_cells": "1c",
    "temp_conv_lstm": "1e",
}
PAPER_WINDOWS = {
    "single_frame": 1,  # Sec. 4.2: "trained frame by frame"
    "temp_max_pooling": PAPER_MAX_POOL_FRAMES,  # Sec. 4.2: 16
    "temp_mean_pooling": PAPER_MEAN_POOL_FRAMES,  # Sec. 4.2: 32
    "temp_conv": PAPER_TEMP_CONV_FRAMES,  # Sec. 4.2: 32
    "rnn_standard_cells": PAPER_SEQUENCE_LENGTH,  # Sec. 4.2: 64
    "rnn_lstm_cells": PAPER_SEQUENCE_LENGTH,
    "temp_conv_lstm": PAPER_SEQUENCE_LENGTH,
}
"""Frames a training sample of each model holds (Sec. 4.2)."""
PAPER_HIDDEN = {
    "rnn_standard_cells": PAPER_RNN_UNITS,
    "rnn_lstm_cells": PAPER_LSTM_UNITS,
    "temp_conv_lstm": PAPER_LSTM_UNITS,
}
"""Recurrent units per direction (Sec. 4.2: 2048 standard cells, 512 LSTM cells)."""
NUM_CLASSES = 21
"""20 gestures and "no gesture" (class 0), one label a frame."""


def _check_name(name: str) -> None:
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(map(repr, MODEL_NAMES))}")


class WindowClassifier(nn.Module):
    """A non-recurrent network of Table 1: one label for a window, that of its centre frame.

    forward: clips ``(B, T, C, H, W)`` -> logits ``(B, K)``. How the window becomes one vector:

    * ``"centre"`` (Single-Frame CNN): the CNN sees only frame ``T // 2``; any T >= 1;
    * ``"max"``, ``"mean"`` (Temp Max/Mean-Pooling): the CNN sees every frame, the features are
      pooled over time; any T >= 1 (the paper's windows: 16 and 32);
    * ``"flatten"`` (Temp Conv): the spatiotemporal CNN with 3-D pooling, its T/16 steps
      flattened into one vector; T must be ``num_frames``, the window the dense layer was sized for.

    Parts: ``features`` (a :class:`FrameCNN` or :class:`SpatioTemporalCNN`), ``head``
    (:class:`DenseHead`).
    """

    framewise = False
    """Outputs one label a window, ``(B, K)``."""

    def __init__(
        self,
        *,
        features: nn.Module,
        head: DenseHead,
        temporal: Literal["centre", "max", "mean", "flatten"],
        num_frames: int,
    ) -> None:
        super().__init__()
        if temporal not in ("centre", "max", "mean", "flatten"):
            raise ValueError(f"temporal={temporal!r} is not one of 'centre', 'max', 'mean', 'flatten'")
        self.features = features
        self.pooling = TemporalPooling(temporal) if temporal in ("max", "mean") else None
        self.head = head
        self.temporal = temporal
        self.num_frames = num_frames
        self.in_channels = features.in_channels
        self.frame_size = features.frame_size

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, K)``."""
        check_clips(clips, in_channels=self.in_channels, frame_size=self.frame_size)
        steps = clips.shape[1]
        if self.temporal == "centre":
            middle = centre_index(steps)
            features = self.features(clips[:, middle : middle + 1])[:, 0]  # (B, D), eq. 1 on x_{T/2}
        elif self.pooling is not None:
            features = self.pooling(self.features(clips))  # (B, T, D) -> (B, D)
        else:
            if steps != self.num_frames:
                raise ValueError(
                    f"this Temp Conv network was built for windows of {self.num_frames} frames, got {steps}"
                )
            features = self.features(clips).flatten(1)  # (B, T/16, D) -> (B, T/16 D)
        return self.head(features)  # (B, K)


class FramewiseRecurrentClassifier(nn.Module):
    """A recurrent network of Table 1 (Fig. 1c, 1e): one softmax a frame (eq. 4).

    forward: clips ``(B, T, C, H, W)`` -> logits ``(B, T, K)``; any T >= 1.

    Parts: ``features`` (:class:`FrameCNN`, or :class:`SpatioTemporalCNN` with spatial pooling),
    ``recurrent`` (:class:`BidirectionalSum`), ``classifier`` (W_y, b_y of eq. 4).
    """

    framewise = True
    """Outputs one label a frame, ``(B, T, K)``."""

    def __init__(
        self,
        *,
        features: nn.Module,
        recurrent: BidirectionalSum,
        classifier: nn.Linear,
        dropout: float = PAPER_DROPOUT,
        num_frames: int = PAPER_SEQUENCE_LENGTH,
    ) -> None:
        super().__init__()
        self.features = features
        self.input_dropout = nn.Dropout(dropout)
        self.recurrent = recurrent
        self.output_dropout = nn.Dropout(dropout)
        self.classifier = classifier
        self.num_frames = num_frames
        self.in_channels = features.in_channels
        self.frame_size = features.frame_size

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, T, K)``."""
        check_clips(clips, in_channels=self.in_channels, frame_size=self.frame_size)
        v = self.features(clips)  # v_t, eq. 1: (B, T, D)
        states = self.recurrent(self.input_dropout(v))  # h^(f) + h^(b), eqs. 2-4: (B, T, H)
        return self.classifier(self.output_dropout(states))  # W_y (.) + b_y, eq. 4: (B, T, K)


def build_montalbano_model(
    name: str,
    *,
    # the data (Sec. 4.1)
    in_channels: int = 4,  # RGB-D
    num_classes: int = NUM_CLASSES,  # 20 gestures + no gesture
    frame_size: int = PAPER_FRAME_SIZE,  # 64 x 64
    num_frames: int | None = None,  # None: the paper's window (PAPER_WINDOWS)
    # size
    width: float = 1.0,  # scales the maps 16-32-64-128 (Sec. 3.1)
    dense_units: int | None = None,  # None: 2048 * width (Sec. 3.1); non-recurrent only
    hidden: int | None = None,  # None: 2048 / 512 * width (Sec. 4.2); recurrent only
    # regularisation and initialisation
    dropout: float = PAPER_DROPOUT,  # Sec. 4.2
    init: InitScheme = "paper",  # "code": the authors' code's initialisation
) -> WindowClassifier | FramewiseRecurrentClassifier:
    """The network of Table 1's row ``name`` (one of :data:`MODEL_NAMES`).

    Non-recurrent rows give ``(B, T, C, H, W) -> (B, num_classes)`` (the centre frame's label),
    recurrent ones ``(B, T, C, H, W) -> (B, T, num_classes)``.

    ``num_frames`` is the window a training sample holds, kept as the model's ``num_frames``
    for the data pipeline; only Temp Conv's architecture depends on it (its dense layer reads
    ``num_frames / 16`` pooled steps), the others take clips of any length.
    """
    _check_name(name)
    check_init(init)
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    recurrent = name in RECURRENT_MODELS
    if recurrent and dense_units is not None:
        raise ValueError(
            f"{name!r} has no dense layers (Fig. 1c, 1e); dense_units applies to "
            f"{', '.join(repr(n) for n in MODEL_NAMES if n not in RECURRENT_MODELS)}"
        )
    if not recurrent and hidden is not None:
        raise ValueError(f"{name!r} has no recurrent layer; hidden applies to {', '.join(map(repr, RECURRENT_MODELS))}")
    num_frames = PAPER_WINDOWS[name] if num_frames is None else num_frames
    if num_frames < 1:
        raise ValueError(f"num_frames must be positive, got {num_frames}")
    if name == "single_frame" and num_frames != 1:
        raise ValueError("the single-frame CNN is trained frame by frame (Sec. 4.2): num_frames must be 1")

    if not recurrent:
        dense_units = scaled_channels(PAPER_DENSE_UNITS, width) if dense_units is None else dense_units
        if name == "temp_conv":
            features: nn.Module = SpatioTemporalCNN(
                in_channels=in_channels, width=width, frame_size=frame_size, pool="3d"
            )
            if num_frames % features.time_stride:
                raise ValueError(
                    f"Temp Conv halves time four times (3-D pooling): num_frames must be a multiple "
                    f"of {features.time_stride}, got {num_frames}"
                )
            in_features = features.out_features * (num_frames // features.time_stride)
            temporal = "flatten"
        else:
            features = FrameCNN(in_channels=in_channels, width=width, frame_size=frame_size)
            in_features = features.out_features
            temporal = {"single_frame": "centre", "temp_max_pooling": "max", "temp_mean_pooling": "mean"}[name]
        # The authors' code draws Temp Conv's dense weights from N(0, 0.01^2), all others orthogonal.
        hidden_init = "normal" if (init == "code" and name == "temp_conv") else "orthogonal"
        head = DenseHead(
            in_features=in_features,
            num_classes=num_classes,
            dense_units=dense_units,
            dropout=dropout,
            init=init,
            hidden_init=hidden_init,
        )
        return WindowClassifier(features=features, head=head, temporal=temporal, num_frames=num_frames)

    hidden = scaled_channels(PAPER_HIDDEN[name], width) if hidden is None else hidden
    if name == "temp_conv_lstm":
        features = SpatioTemporalCNN(in_channels=in_channels, width=width, frame_size=frame_size, pool="2d")
    else:
        features = FrameCNN(in_channels=in_channels, width=width, frame_size=frame_size)
    size = dict(input_size=features.out_features, hidden_size=hidden)
    if name == "rnn_standard_cells":
        layer = BidirectionalSum.of(lambda: LeakyReLURNN(**size))
    else:
        layer = BidirectionalSum.of(lambda: PeepholeLSTM(**size, init=init))
    classifier = nn.Linear(hidden, num_classes)  # W_y, b_y (eq. 4)
    init_classifier_(classifier, init=init)
    return FramewiseRecurrentClassifier(
        features=features, recurrent=layer, classifier=classifier, dropout=dropout, num_frames=num_frames
    )


def framewise_cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Sec. 4.2's cross-entropy, averaged over every frame: ``(B, T, K)`` and ``(B, T)`` -> scalar.

    Also takes window logits ``(B, K)`` with labels ``(B,)``, so one loss serves all seven
    models (pass it to :func:`motion_rnn.train.fit` as ``loss_fn``).
    """
    if logits.shape[:-1] != target.shape:
        raise ValueError(
            f"logits {tuple(logits.shape)} and labels {tuple(target.shape)} do not match: expected (..., K) and (...)"
        )
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


def centre_frame_labels(frame_labels: Tensor) -> Tensor:
    """The target of a non-recurrent network: the label of the centre frame (Sec. 4.2). ``(B, T)`` -> ``(B,)``."""
    if frame_labels.dim() != 2:
        raise ValueError(f"expected frame labels of shape (B, T), got {tuple(frame_labels.shape)}")
    return frame_labels[:, centre_index(frame_labels.shape[1])]


def _count(module: nn.Module | None) -> int:
    return 0 if module is None else sum(p.numel() for p in module.parameters())


def parameter_counts(
    *, in_channels: int = 4, num_classes: int = NUM_CLASSES, frame_size: int = PAPER_FRAME_SIZE, width: float = 1.0
) -> pd.DataFrame:
    """The sizes of the seven networks, one row a model (defaults: the paper's sizes).

    Columns: ``name, row`` (Table 1's), ``figure, window, output, feature_size`` (values per
    frame, or per time step after Temp Conv's 3-D pooling, that leave the CNN), ``head_input``
    (values the dense head or the softmax reads), ``cnn`` (parameters of the convolutional part), ``temporal`` (of
    the recurrent layers, both directions), ``head`` (dense layers and softmax), ``total``.
    The networks are built on PyTorch's ``meta`` device: nothing is allocated or initialised.
    """
    rows = []
    for name in MODEL_NAMES:
        with torch.device("meta"):
            model = build_montalbano_model(
                name, in_channels=in_channels, num_classes=num_classes, frame_size=frame_size, width=width
            )
        head = model.head if isinstance(model, WindowClassifier) else model.classifier
        recurrent = model.recurrent if isinstance(model, FramewiseRecurrentClassifier) else None
        rows.append(
            {
                "name": name,
                "row": TABLE1_ROWS[name],
                "figure": FIGURES[name],
                "window": PAPER_WINDOWS[name],
                "output": "(B, T, K)" if name in RECURRENT_MODELS else "(B, K)",
                "feature_size": model.features.out_features,
                "head_input": head.in_features,
                "cnn": _count(model.features),
                "temporal": _count(recurrent),
                "head": _count(head),
                "total": _count(model),
            }
        )
    return pd.DataFrame(rows)
