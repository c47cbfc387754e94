"""C3D (Tran et al. 2015, "Learning spatiotemporal features with 3D convolutional networks"), the 3D CNN
whose 4,096-d fc6 features Lakhal et al. 2018 feed their Res-LSTM (Sec. 3.1, Sec. 4: "a C3D pre-trained
on Sports-1M", clips of 16 frames with stride 8).

========  ==============================  =======================  ==================================
layer     what                            output, 3x16x112x112 in  parameters (width 1)
========  ==============================  =======================  ==================================
conv1     64, 3x3x3, pad 1, ReLU          64 x 16 x 112 x 112      3*27*64 + 64
pool1     max 1x2x2, stride 1x2x2         64 x 16 x 56 x 56        (no temporal pooling yet)
conv2     128                             128 x 16 x 56 x 56       64*27*128 + 128
pool2     max 2x2x2, stride 2             128 x 8 x 28 x 28
conv3a/b  256, 256                        256 x 8 x 28 x 28        128*27*256 + 256, 256*27*256 + 256
pool3     max 2x2x2                       256 x 4 x 14 x 14
conv4a/b  512, 512                        512 x 4 x 14 x 14        256*27*512 + 512, 512*27*512 + 512
pool4     max 2x2x2                       512 x 2 x 7 x 7
conv5a/b  512, 512                        512 x 2 x 7 x 7          2 x (512*27*512 + 512)
pool5     max 2x2x2, padding (0, 1, 1)    512 x 1 x 4 x 4          (8,192 values)
fc6       4096, ReLU, dropout 0.5         4096                     8192*4096 + 4096
fc7       4096, ReLU, dropout 0.5         4096                     4096*4096 + 4096
fc8       487 Sports-1M classes (logits)  487                      4096*487 + 487
========  ==============================  =======================  ==================================

(channels x T x H x W.) Parameters at width 1: 77,995,776 in conv1..fc7, 79,991,015 with fc8
(:func:`c3d_parameter_count`). Every convolution is 3x3x3 with stride 1 and padding 1 (Tran et al.'s best
kernel, Sec. 3.2). The layer names, and so the state-dict keys, are those of the widely used PyTorch
port of the Sports-1M model, ``c3d.pickle`` of DavideA/c3d-pytorch (``conv1.weight``, ``conv2.weight``,
``conv3a.weight``, ..., ``fc8.bias``); pool5's (0, 1, 1) padding is that release's, which turns 7x7 into
4x4 so that fc6 reads 8,192 values. :func:`load_c3d_weights` reads such a file from disk (nothing is ever
downloaded).

Choices:

* :meth:`C3D.features` returns fc6 *after* its ReLU (before dropout), the 4,096-d feature of Tran et al.
  and of Lakhal et al.'s Sec. 4.1. Caffe's C3D computes ``relu6`` in place on the ``fc6`` blob, so the
  "fc6" features its extractor writes are already rectified. (Tran et al. L2-normalise them for their
  linear SVMs; Lakhal et al. do not say, so we do not.)
* Clips come in the book's layout ``(B, T, C, H, W)`` (:mod:`motion_rnn.data.clips`) and are transposed
  to Conv3d's ``(B, C, T, H, W)`` inside. The port's demo feeds raw RGB values in 0..255 (frames resized
  to 112x200, centre-cropped to 112x112), with no mean subtracted; the original Caffe model subtracts the
  Sports-1M mean clip. Use the same preprocessing as the weights were trained with.
* ``width`` scales every channel count and both fc sizes (rounded, at least 1), so that a small C3D trains
  on a CPU; ``num_classes`` sizes fc8 (487 for Sports-1M). Initialisation: PyTorch's defaults, which
  pre-trained weights replace (Tran et al. trained theirs in Caffe).
* Any input size: at the native 16 x 112 x 112 nothing changes. For other sizes, (a) a pooling layer whose
  kernel is longer than an axis (e.g. pool5's 2 frames on a 1-frame map, from clips under 16 frames) pools
  that axis with kernel 1 instead, and (b) when pool5's output is not 1 x 4 x 4, an adaptive max pooling
  (max, as every C3D pooling) brings it to 1 x 4 x 4, so that fc6 always reads 512 w x 16 values and
  the Sports-1M fc weights still fit. (a) and (b) are ours; C3D itself only takes 16 x 112 x 112.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from motion_rnn.models.layers import scaled_channels

__all__ = [
    "C3D",
    "C3D_CONVS",
    "C3D_FC_SIZE",
    "C3D_INPUT_SIZE",
    "SPORTS1M_CLASSES",
    "c3d_parameter_count",
    "load_c3d_weights",
]

C3D_CONVS: tuple[tuple[str, int], ...] = (
    ("conv1", 64),
    ("conv2", 128),
    ("conv3a", 256),
    ("conv3b", 256),
    ("conv4a", 512),
    ("conv4b", 512),
    ("conv5a", 512),
    ("conv5b", 512),
)
"""Tran et al. 2015, Fig. 3: the eight 3x3x3 convolutions and their filters at width 1."""
C3D_FC_SIZE = 4096
"""fc6 and fc7 units at width 1: "fc6 ... 4,096-d" (Tran et al.; Lakhal et al. Sec. 4.1)."""
C3D_INPUT_SIZE = (16, 112, 112)
"""Frames x height x width that C3D was built for (Tran et al. Sec. 3.1; Lakhal et al. Sec. 4: 16 frames)."""
SPORTS1M_CLASSES = 487
"""fc8 of the Sports-1M model."""
_POOL5_OUT = (1, 4, 4)
_POOLS = {  # after which convolution, kernel (= stride), padding
    "conv1": ("pool1", (1, 2, 2), (0, 0, 0)),
    "conv2": ("pool2", (2, 2, 2), (0, 0, 0)),
    "conv3b": ("pool3", (2, 2, 2), (0, 0, 0)),
    "conv4b": ("pool4", (2, 2, 2), (0, 0, 0)),
    "conv5b": ("pool5", (2, 2, 2), (0, 1, 1)),  # the Sports-1M release's padding: 7x7 -> 4x4
}


class C3DMaxPool(nn.MaxPool3d):
    """``nn.MaxPool3d`` (kernel = stride) that pools with kernel 1 along any axis too short for its kernel.

    At C3D's native input every axis is long enough and this is exactly ``nn.MaxPool3d``.
    """

    def __init__(self, kernel_size: tuple[int, int, int], padding: tuple[int, int, int]) -> None:
        super().__init__(kernel_size, stride=kernel_size, padding=padding)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C, T, H, W)`` -> ``(B, C, T', H', W')``."""
        kernel, padding = self.kernel_size, self.padding
        fits = [n + 2 * p >= k for n, k, p in zip(x.shape[-3:], kernel, padding)]
        if all(fits):
            return super().forward(x)
        kernel = tuple(k if ok else 1 for k, ok in zip(kernel, fits))
        padding = tuple(p if ok else 0 for p, ok in zip(padding, fits))
        return F.max_pool3d(x, kernel, stride=kernel, padding=padding)


class C3D(nn.Module):
    """C3D on clips ``(B, T, C, H, W)``; see the module docstring for the layers.

    forward: clips -> logits ``(B, num_classes)``; :meth:`features`: clips -> fc6 ``(B, 4096 w)``.
    """

    def __init__(
        self,
        *,
        num_classes: int = SPORTS1M_CLASSES,
        width: float = 1.0,
        in_channels: int = 3,
        dropout: float = 0.5,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.width = width
        self.batch_norm = batch_norm
        size = in_channels
        for name, channels in C3D_CONVS:
            out = scaled_channels(channels, width)
            self.add_module(name, nn.Conv3d(size, out, kernel_size=3, padding=1))
            if batch_norm:
                # ours, off by default: C3D has no normalisation; with it, a small C3D trains from
                # scratch on a few hundred videos (the Sports-1M weights need batch_norm=False)
                self.add_module(f"{name}_bn", nn.BatchNorm3d(out))
            if name in _POOLS:
                pool, kernel, padding = _POOLS[name]
                self.add_module(pool, C3DMaxPool(kernel, padding))
            size = out
        self.pooled_size = size * _POOL5_OUT[0] * _POOL5_OUT[1] * _POOL5_OUT[2]  # 8192 at width 1
        self.feature_size = scaled_channels(C3D_FC_SIZE, width)
        self.fc6 = nn.Linear(self.pooled_size, self.feature_size)
        self.fc7 = nn.Linear(self.feature_size, self.feature_size)
        self.fc8 = nn.Linear(self.feature_size, num_classes)
        self.dropout = nn.Dropout(dropout)

    def pooled(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> pool5 flattened ``(B, 512 w x 16)`` (C, T, H, W order, as the port's ``view``)."""
        if clips.dim() != 5:
            raise ValueError(f"expected clips (B, T, C, H, W), got {tuple(clips.shape)}")
        x = clips.transpose(1, 2)  # (B, C, T, H, W), Conv3d's layout
        for name, _ in C3D_CONVS:
            x = getattr(self, name)(x)
            if self.batch_norm:
                x = getattr(self, f"{name}_bn")(x)
            x = F.relu(x)
            if name in _POOLS:
                x = getattr(self, _POOLS[name][0])(x)
        if tuple(x.shape[-3:]) != _POOL5_OUT:  # only for inputs other than 16 x 112 x 112
            x = F.adaptive_max_pool3d(x, _POOL5_OUT)
        return x.flatten(1)

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> fc6 after ReLU ``(B, 4096 w)``: the 4,096-d C3D feature (no dropout)."""
        return F.relu(self.fc6(self.pooled(clips)))

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> fc8 logits ``(B, num_classes)``; dropout after fc6 and fc7 in training."""
        h = self.dropout(self.features(clips))
        h = self.dropout(F.relu(self.fc7(h)))
        return self.fc8(h)


def c3d_parameter_count(*, width: float = 1.0, in_channels: int = 3, num_classes: int | None = None) -> int:
    """C3D's parameters by hand: each 3x3x3 convolution ``27 c_in c_out + c_out``, fc6 ``(16 c5) f + f``,
    fc7 ``f f + f``, and fc8 ``f P + P`` when ``num_classes`` is given (else conv + fc6 + fc7 only)."""
    total, size = 0, in_channels
    for _, channels in C3D_CONVS:
        out = scaled_channels(channels, width)
        total += 27 * size * out + out
        size = out
    f = scaled_channels(C3D_FC_SIZE, width)
    total += 16 * size * f + f + f * f + f
    if num_classes is not None:
        total += f * num_classes + num_classes
    return total


def load_c3d_weights(model: C3D, path: str | Path, *, classifier: bool = True) -> C3D:
    """Load a local state dict in the port's layout (``c3d.pickle`` of DavideA/c3d-pytorch) into ``model``.

    ``classifier=False`` leaves fc8 as it is (ignoring the file's ``fc8.*``), for a model with another
    number of classes or one used for :meth:`C3D.features` only. Raises ``FileNotFoundError`` for a
    missing file and ``ValueError`` naming the missing, unexpected or mis-shaped keys. Never downloads.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no C3D weights at {path}: pass a local PyTorch state dict in the c3d-pytorch layout "
            f"(e.g. the Sports-1M port c3d.pickle); nothing is downloaded"
        )
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, Mapping):
        raise ValueError(f"{path} holds a {type(state).__name__}, not a state dict (a mapping of key -> tensor)")
    state = dict(state)
    expected = model.state_dict()
    if not classifier:
        state = {k: v for k, v in state.items() if not k.startswith("fc8.")}
        expected = {k: v for k, v in expected.items() if not k.startswith("fc8.")}
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(
            f"{path} does not match C3D's keys (conv1.weight ... fc8.bias): missing {missing}, unexpected {unexpected}"
        )
    shapes = [
        f"{k}: file {tuple(v.shape)}, model {tuple(expected[k].shape)}"
        for k, v in state.items()
        if tuple(v.shape) != tuple(expected[k].shape)
    ]
    if shapes:
        raise ValueError(
            f"{path} has other shapes than this C3D (width={model.width}, fc8 {model.fc8.out_features} classes; "
            f"the Sports-1M port is width 1, 487 classes, 3 input channels; classifier=False skips fc8): "
            + "; ".join(shapes)
        )
    model.load_state_dict(state, strict=classifier)
    return model
