"""C3D and Pyramidal C3D: two 3D-CNN rows of Zhang et al. 2018's Table 2 (Sec. 3.4), "C3D [28]"
(Li et al. 2016, who fine-tune C3D on IsoGD) and "Pyramidal C3D [26]" (Zhu et al. 2016).

:class:`C3D` is Tran et al.'s network ("Learning spatiotemporal features with 3D convolutional
networks", ICCV 2015, Fig. 3):

==========  ===================================  =======================
layer       what                                 output, 3x16x112x112 in
==========  ===================================  =======================
conv1a      64, 3x3x3, ReLU                      64 x 16 x 112 x 112
pool1       max 1x2x2                            64 x 16 x 56 x 56
conv2a      128                                  128 x 16 x 56 x 56
pool2       max 2x2x2                            128 x 8 x 28 x 28
conv3a/b    256, 256                             256 x 8 x 28 x 28
pool3       max 2x2x2                            256 x 4 x 14 x 14
conv4a/b    512, 512                             512 x 4 x 14 x 14
pool4       max 2x2x2                            512 x 2 x 7 x 7
conv5a/b    512, 512                             512 x 2 x 7 x 7
pool5       max 2x2x2                            512 x 1 x 4 x 4
fc6         4096, ReLU, dropout 0.5              4096
fc7         4096, ReLU, dropout 0.5              4096
classifier  ``num_classes`` logits               ``num_classes``
==========  ===================================  =======================

(channels x T x H x W.) Every convolution is 3x3x3, stride 1, padding 1 (Tran et al.'s best
kernel), a ``torchvision.ops.Conv3dNormActivation``. Parameters at width 1: 27,655,936 in the
convolutions, 50,339,840 in fc6 and fc7, 77,995,776 in all before the classifier.

Choices:

* *Pooling*: every max pooling uses ``ceil_mode=True``, Caffe's rounding, in which Tran et al.'s
  model was defined: pool5 turns 7 x 7 into 4 x 4, so fc6 reads 512 x 1 x 4 x 4 = 8,192 values
  as in the released Sports-1M model, and a 1-frame (or 1-pixel) axis stays 1 instead of
  collapsing to 0, so clips down to a few frames and pixels run. After pool5 an adaptive max
  pooling brings the map to 1 x 4 x 4 (the identity at 16 x 112 x 112; smaller clips repeat
  values, larger ones are pooled), so fc6 always reads ``512 w x 16`` values.
* ``batch_norm=True`` puts a BN after every convolution (then without bias). It is *not* C3D's:
  Tran et al. have no normalisation, and Li et al. [28] *fine-tune* the Sports-1M C3D on IsoGD
  rather than train it from scratch; with BN a C3D trains from scratch. Default ``False``.
* ``width`` scales every convolution and both fc layers (rounded, at least 1), so that a small
  C3D trains on a CPU. Initialisation: PyTorch's defaults (Li et al. start from Sports-1M
  weights; none are loaded here).
* :meth:`C3D.features` is the classifier's input: fc7 after its ReLU (fc6's dropout applies in
  training, fc7's only in :meth:`C3D.forward`).
* Layer names are the table's, inside torchvision blocks (``trunk.conv1a.0.weight``, ...), not the
  key layout of the Sports-1M PyTorch port that :mod:`motion_rnn.models.lakhal2018.c3d` (the same
  C3D, for Lakhal et al.'s features) loads.

:class:`PyramidalC3D` is *our reading* of Zhu et al.'s pyramidal 3D CNN [26]. Their abstract:
"Pyramid input is proposed to reserve the multi-scale contextual information of gestures, and each
pyramid segment is uniformly sampled with temporal jitter. Pyramid fusion layers are inserted into
the 3D convolutional networks to fuse the features of pyramid input." We keep the idea of a
temporal pyramid over C3D features, fused before the fc layers:

    clip (B, T, 3, H, W)
      -> C3D conv1a .. conv5b (shared)          (B, 512, T/8, H/16, W/16)
      -> max over space                         (B, 512, T/8)
      -> adaptive max over 1, 2 and 4 bins      (B, 512 x 1), (B, 512 x 2), (B, 512 x 4)
      -> concatenated                           (B, 512 x 7)
      -> fc6, fc7 (4096, ReLU, dropout 0.5), classifier

What this leaves out: as we read the abstract, Zhu et al. sample a separate clip for every pyramid
segment of the *whole* video (uniformly, with temporal jitter) and run the 3D CNN on each; here one
clip goes through one trunk and the pyramid pools its conv5 map, so the finer levels see fewer
frames than a segment clip would. The exact fusion layers, their position, the number of pyramid
levels, any pre-training and the RGB-D fusion of [26] are not reproduced. *Choice*:
max pooling for the pyramid, as every C3D pooling. At 16 frames conv5 has 2 steps, so the 4-bin
level repeats them; at the 32 frames of Zhang et al.'s IsoGD fine-tuning (Sec. 3.2) it has 4.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchvision.ops import Conv3dNormActivation

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.layers import scaled_channels

C3D_CONVS: tuple[tuple[str, int], ...] = (
    ("conv1a", 64),
    ("conv2a", 128),
    ("conv3a", 256),
    ("conv3b", 256),
    ("conv4a", 512),
    ("conv4b", 512),
    ("conv5a", 512),
    ("conv5b", 512),
)
"""Tran et al. 2015, Fig. 3: the eight 3x3x3 convolutions and their filters at width 1."""
C3D_POOLS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "conv1a": ("pool1", (1, 2, 2)),  # Tran et al.: no temporal pooling yet, not to merge time too early
    "conv2a": ("pool2", (2, 2, 2)),
    "conv3b": ("pool3", (2, 2, 2)),
    "conv4b": ("pool4", (2, 2, 2)),
}
"""After which convolution, which max pooling (kernel = stride) in the conv trunk; pool5 follows conv5b."""
C3D_FC_SIZE = 4096
"""fc6 and fc7 units at width 1."""
POOL5_OUTPUT = (1, 4, 4)
"""pool5's output at 16 x 112 x 112, which fc6 always reads (T x H x W)."""
PYRAMID_LEVELS: tuple[int, ...] = (1, 2, 4)
"""Temporal bins of :class:`PyramidalC3D`'s levels: 7 bins in all."""


def check_clips(clips: Tensor, in_channels: int) -> None:
    """Raise a ``ValueError`` unless ``clips`` is ``(B, T, in_channels, H, W)``."""
    if clips.dim() != 5 or clips.shape[2] != in_channels:
        raise ValueError(f"expected clips of shape (B, T, {in_channels}, H, W), got {tuple(clips.shape)}")


def c3d_conv_trunk(*, in_channels: int = 3, width: float = 1.0, batch_norm: bool = False) -> nn.Sequential:
    """conv1a .. conv5b with pool1 .. pool4 (not pool5): ``(B, C, T, H, W)`` -> ``(B, 512 w, T', H', W')``.

    ``T' = ceil(T / 8)``, ``H' = ceil(H / 16)``: 16 x 112 x 112 -> 2 x 7 x 7. Children are named as in
    the table of the module docstring (``conv1a``, ``pool1``, ...), each convolution a
    ``Conv3dNormActivation`` (conv, BN if ``batch_norm``, ReLU).
    """
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    channels = in_channels
    for name, filters in C3D_CONVS:
        out = scaled_channels(filters, width)
        layers[name] = Conv3dNormActivation(
            channels, out, kernel_size=3, norm_layer=nn.BatchNorm3d if batch_norm else None
        )  # stride 1, padding 1, ReLU; a bias only without BN
        if name in C3D_POOLS:
            pool, kernel = C3D_POOLS[name]
            layers[pool] = nn.MaxPool3d(kernel, stride=kernel, ceil_mode=True)
        channels = out
    return nn.Sequential(layers)


class _C3DBase(nn.Module):
    """What :class:`C3D` and :class:`PyramidalC3D` share: the conv trunk, fc6, fc7 and the classifier.

    A subclass gives ``pool``, which turns the trunk's map into fc6's input, ``bins`` values a channel.
    """

    def __init__(
        self,
        *,
        num_classes: int,
        in_channels: int,
        width: float,
        batch_norm: bool,
        dropout: float,
        pool: nn.Module,
        bins: int,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.trunk = c3d_conv_trunk(in_channels=in_channels, width=width, batch_norm=batch_norm)
        self.conv5_channels = self.trunk.conv5b[0].out_channels
        self.pool = pool
        self.pooled_size = self.conv5_channels * bins
        self.feature_size = scaled_channels(C3D_FC_SIZE, width)
        self.fc6 = nn.Linear(self.pooled_size, self.feature_size)
        self.fc7 = nn.Linear(self.feature_size, self.feature_size)
        self.classifier = nn.Linear(self.feature_size, num_classes)
        self.dropout = nn.Dropout(dropout)

    def conv5(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> conv5b's map ``(B, 512 w, T', H', W')`` (Conv3d's layout)."""
        check_clips(clips, self.in_channels)
        return self.trunk(clips.transpose(1, 2))

    def pooled(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> fc6's input ``(B, pooled_size)``."""
        return self.pool(self.conv5(clips)).flatten(1)

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> fc7 after ReLU ``(B, 4096 w)``: the classifier's input.

        fc6's dropout applies in training; fc7's only in :meth:`forward`.
        """
        return F.relu(self.fc7(self.dropout(F.relu(self.fc6(self.pooled(clips))))))

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> logits ``(B, num_classes)``."""
        return self.classifier(self.dropout(self.features(clips)))


class C3D(_C3DBase):
    """C3D on clips ``(B, T, C, H, W)``; see the module docstring for the layers and choices.

    Parts: ``trunk`` (:func:`c3d_conv_trunk`), ``pool`` (pool5, then an adaptive max pooling to
    1 x 4 x 4), ``fc6``, ``fc7``, ``classifier``. forward: clips -> logits ``(B, num_classes)``;
    :meth:`features`: clips -> ``(B, 4096 w)``; :meth:`pooled`: clips -> pool5 ``(B, 512 w x 16)``.
    """

    def __init__(
        self,
        *,
        num_classes: int,
        in_channels: int = 3,
        width: float = 1.0,
        batch_norm: bool = False,  # C3D has none; Li et al. [28] fine-tune the Sports-1M C3D instead
        dropout: float = 0.5,
    ) -> None:
        pool5 = nn.Sequential(
            OrderedDict(
                pool5=nn.MaxPool3d(2, stride=2, ceil_mode=True),
                fit=nn.AdaptiveMaxPool3d(POOL5_OUTPUT),  # the identity at 16 x 112 x 112
            )
        )
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            width=width,
            batch_norm=batch_norm,
            dropout=dropout,
            pool=pool5,
            bins=POOL5_OUTPUT[0] * POOL5_OUTPUT[1] * POOL5_OUTPUT[2],  # 16
        )


class TemporalPyramidPooling(nn.Module):
    """Max over space, then adaptive max over ``levels`` temporal bins, concatenated.

    forward: ``(B, C, T, H, W)`` -> ``(B, C x sum(levels))``, level by level, each level's
    ``(B, C, bins)`` flattened channel-major (channel ``c``'s bins are adjacent).
    """

    def __init__(self, levels: tuple[int, ...] = PYRAMID_LEVELS) -> None:
        super().__init__()
        if not levels or any(not isinstance(n, int) or n < 1 for n in levels):
            raise ValueError(f"levels must be positive ints, got {levels!r}")
        self.levels = tuple(levels)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C, T, H, W)`` -> ``(B, C x sum(levels))``."""
        steps = x.amax(dim=(3, 4))  # (B, C, T): max over space
        return torch.cat([F.adaptive_max_pool1d(steps, bins).flatten(1) for bins in self.levels], dim=1)


class PyramidalC3D(_C3DBase):
    """Our reading of Zhu et al.'s pyramidal C3D [26]: C3D's conv trunk, a temporal pyramid
    (1, 2 and 4 bins) over its conv5 map, fc6, fc7, classifier. See the module docstring.

    Parts: ``trunk`` (:func:`c3d_conv_trunk`), ``pool`` (:class:`TemporalPyramidPooling`),
    ``fc6``, ``fc7``, ``classifier``. forward: clips ``(B, T, C, H, W)`` -> logits;
    :meth:`pooled`: clips -> the concatenated pyramid ``(B, 512 w x 7)``.
    """

    def __init__(
        self,
        *,
        num_classes: int,
        in_channels: int = 3,
        width: float = 1.0,
        batch_norm: bool = False,
        dropout: float = 0.5,
        levels: tuple[int, ...] = PYRAMID_LEVELS,
    ) -> None:
        pyramid = TemporalPyramidPooling(levels)
        super().__init__(
            num_classes=num_classes,
            in_channels=in_channels,
            width=width,
            batch_norm=batch_norm,
            dropout=dropout,
            pool=pyramid,
            bins=sum(pyramid.levels),  # 1 + 2 + 4 = 7
        )
