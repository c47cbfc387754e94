r"""The single-frame CNN of Pigou et al. 2016, "Beyond Temporal Pooling: Recurrence and Temporal
Convolutions for Gesture Recognition in Video", Sec. 3.1 and Fig. 1a: row "Single-Frame CNN" of
Table 1, and the spatial feature extractor that rows "Temp Max-Pooling", "Temp Mean-Pooling",
"RNN, Standard Cells" and "RNN, LSTM Cells" share (Sec. 3.1: "The structure of the
CNN-component is identical to the single-frame model"; eq. 1: v_t = CNN(x_t)).

The paper's shorthand (Sec. 3.1)::

    C(16) - C(16) - P - C(32) - C(32) - P - C(64) - C(64) - P - C(128) - C(128) - P - D(2048) - D(2048) - S
    \_____________________________ FrameCNN ______________________________/   \______ DenseHead ______/

* C(n): a 3 x 3 convolution with n maps ("3x3 convolution kernels in every layer"), padded to
  keep the map size ("same", from the authors' code), then the leaky ReLU a(x) = max(0.3 x, x);
* P: max-pooling over non-overlapping 2 x 2 regions;
* D(n): a fully connected layer of n units with the leaky ReLU; S: the softmax classifier
  (here the logits; the softmax is in the loss);
* "Dropout with p = 0.5 is used on the inputs of every fully connected layer" (Sec. 4.2).

For 64 x 64 frames (Sec. 4.1) the CNN gives 128 maps of 4 x 4, a vector of 2048 per frame.

Initialisation (Sec. 4.2: "a random orthogonal initialization method (Saxe et al., 2013)"); the
gain and the biases are facts from the authors' code, which the paper does not give:

* convolutions and hidden dense layers: orthogonal with gain sqrt(2) (Lasagne's
  ``Orthogonal("relu")``), bias 0.1;
* the softmax layer: bias 0 and, with ``init="paper"``, orthogonal weights (gain 1); with
  ``init="code"`` Glorot-uniform weights, Lasagne's default that the code leaves in place.

``width`` scales the numbers of maps (16, 32, 64, 128) and ``dense_units`` sets n of D(n), so a
CPU can train a tiny version of the same architecture; ``width=1``, ``dense_units=2048`` is the
paper's.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn

from motion_rnn.models.layers import (  # noqa: F401 (INIT_SCHEMES re-exported)
    HIDDEN_BIAS,
    INIT_SCHEMES,
    LEAKINESS,
    RELU_GAIN,
    InitScheme,
    check_init,
    scaled_channels,
)

PAPER_CONV_CHANNELS = (16, 32, 64, 128)
"""Sec. 3.1: C(16)-C(16)-P-C(32)-C(32)-P-C(64)-C(64)-P-C(128)-C(128)-P."""
PAPER_DENSE_UNITS = 2048
"""Sec. 3.1: D(2048)-D(2048)-S."""
PAPER_FRAME_SIZE = 64
"""Sec. 4.1: frames cropped around the user and rescaled to 64 x 64 pixels."""
PAPER_DROPOUT = 0.5
"""Sec. 4.2: "Dropout with p = 0.5 is used on the inputs of every fully connected layer"."""


def init_orthogonal_(layer: nn.Module, *, gain: float = RELU_GAIN, bias: float = HIDDEN_BIAS) -> None:
    """Orthogonal weights (Sec. 4.2; Saxe et al. 2013) and a constant bias, in place.

    A convolution's kernel (out, in, kh, kw) is made orthogonal as an (out, in kh kw) matrix, as
    Lasagne and ``torch.nn.init.orthogonal_`` both do.
    """
    nn.init.orthogonal_(layer.weight, gain=gain)
    if getattr(layer, "bias", None) is not None:
        nn.init.constant_(layer.bias, bias)


def init_classifier_(layer: nn.Linear, *, init: InitScheme = "paper") -> None:
    """The softmax layer S: orthogonal (``paper``) or Glorot-uniform (``code``) weights, bias 0."""
    check_init(init)
    if init == "paper":
        nn.init.orthogonal_(layer.weight, gain=1.0)
    else:
        nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)


def conv_channels(width: float = 1.0) -> tuple[int, ...]:
    """The maps of the four stages, (16, 32, 64, 128) times ``width`` (rounded, at least 1)."""
    return tuple(scaled_channels(channels, width) for channels in PAPER_CONV_CHANNELS)


def pooled_size(frame_size: int, stages: int = 4) -> int:
    """Side of the maps after ``stages`` 2 x 2 max-poolings (each rounds down): 64 -> 4."""
    size = frame_size
    for _ in range(stages):
        size //= 2
    return size


def check_clips(clips: Tensor, *, in_channels: int, frame_size: int) -> None:
    """Raise a ``ValueError`` unless ``clips`` is ``(B, T, in_channels, frame_size, frame_size)``."""
    if (
        clips.dim() != 5
        or clips.shape[0] < 1
        or clips.shape[1] < 1
        or clips.shape[2] != in_channels
        or tuple(clips.shape[3:]) != (frame_size, frame_size)
    ):
        raise ValueError(
            f"expected clips of shape (B, T, {in_channels}, {frame_size}, {frame_size}), got {tuple(clips.shape)}"
        )


class FrameCNN(nn.Module):
    """The CNN of eq. 1, v_t = CNN(x_t), applied to every frame on its own.

    forward: clips ``(B, T, C, H, W)`` -> feature sequence ``(B, T, D)``, with
    ``D = out_features = 128 w * (H/16) * (W/16)`` (2048 for the paper's 64 x 64 frames).
    """

    def __init__(self, *, in_channels: int = 4, width: float = 1.0, frame_size: int = PAPER_FRAME_SIZE) -> None:
        super().__init__()
        if pooled_size(frame_size) < 1:
            raise ValueError(f"frame_size must be at least 16 (four 2 x 2 poolings), got {frame_size}")
        self.in_channels = in_channels
        self.frame_size = frame_size
        self.channels = conv_channels(width)
        stages, previous = [], in_channels
        for channels in self.channels:
            first = nn.Conv2d(previous, channels, kernel_size=3, padding=1)  # C(n), 3 x 3, "same"
            second = nn.Conv2d(channels, channels, kernel_size=3, padding=1)  # C(n)
            for conv in (first, second):
                init_orthogonal_(conv)
            stages.append(
                nn.Sequential(first, nn.LeakyReLU(LEAKINESS), second, nn.LeakyReLU(LEAKINESS), nn.MaxPool2d(2))
            )  # P: 2 x 2, non-overlapping
            previous = channels
        self.stages = nn.Sequential(*stages)
        self.out_features = self.channels[-1] * pooled_size(frame_size) ** 2

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, T, D)``."""
        check_clips(clips, in_channels=self.in_channels, frame_size=self.frame_size)
        batch, steps = clips.shape[:2]
        maps = self.stages(clips.flatten(0, 1))  # (B T, 128 w, H/16, W/16)
        return maps.reshape(batch, steps, -1)  # (B, T, D)


class DenseHead(nn.Module):
    """D(n) - D(n) - S with dropout on the input of each: Sec. 3.1's head, Sec. 4.2's dropout.

    forward: features ``(..., in_features)`` -> logits ``(..., num_classes)``.

    ``hidden_init="normal"`` draws the dense layers' weights from N(0, 0.01^2) instead of the
    orthogonal ones: the authors' code does so for the "Temp Conv" network only.
    """

    def __init__(
        self,
        *,
        in_features: int,
        num_classes: int,
        dense_units: int = PAPER_DENSE_UNITS,
        num_dense: int = 2,
        dropout: float = PAPER_DROPOUT,
        init: InitScheme = "paper",
        hidden_init: Literal["orthogonal", "normal"] = "orthogonal",
    ) -> None:
        super().__init__()
        check_init(init)
        if hidden_init not in ("orthogonal", "normal"):
            raise ValueError(f"hidden_init={hidden_init!r} is not one of 'orthogonal', 'normal'")
        layers: list[nn.Module] = []
        previous = in_features
        for _ in range(num_dense):
            dense = nn.Linear(previous, dense_units)
            if hidden_init == "orthogonal":
                init_orthogonal_(dense)
            else:
                nn.init.normal_(dense.weight, std=0.01)
                nn.init.constant_(dense.bias, HIDDEN_BIAS)
            layers += [nn.Dropout(dropout), dense, nn.LeakyReLU(LEAKINESS)]
            previous = dense_units
        self.classifier = nn.Linear(previous, num_classes)  # S (softmax in the loss)
        init_classifier_(self.classifier, init=init)
        self.layers = nn.Sequential(*layers, nn.Dropout(dropout), self.classifier)
        self.in_features = in_features
        self.num_classes = num_classes

    def forward(self, features: Tensor) -> Tensor:
        """``(..., in_features)`` -> ``(..., num_classes)``."""
        if features.shape[-1] != self.in_features:
            raise ValueError(
                f"expected features with {self.in_features} values in the last dimension, "
                f"got shape {tuple(features.shape)}"
            )
        return self.layers(features)
