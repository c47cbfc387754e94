"""Res3D as a classifier: the row "Res3D [29]" of Zhang et al. 2018's Table 2 (Sec. 3.4), Tran et
al.'s 18-layer 3D ResNet ("ConvNet architecture search for spatiotemporal feature learning", 2017),
on which Miao et al.'s ResC3D [29] builds.

====================  ================================================  =========================
block                 layers                                            output, 16 x 112 x 112 in
====================  ================================================  =========================
1-4                   ``Res3DBlocks``: Fig. 1's modified blocks 1-4     256 x 8 x 28 x 28
5                     2 residual units, 512, first with stride 2x2x2    512 x 4 x 14 x 14
                      and a 1x1x1 projection shortcut
pool                  global average over time and space                512
classifier            Linear                                            ``num_classes``
====================  ================================================  =========================

(channels x T x H x W.) Block 5's units are torchvision's ``BasicBlock`` with ``Conv3DSimple``
convolutions and the :class:`~motion_rnn.models.zhang2018.res3d.ProjectionShortcut` of blocks 1-4,
initialised like them (He-normal, fan-in; BN weights 1, biases 0).

*Departure*: blocks 1-4 are Zhang et al.'s *modified* ones (Sec. 2.1: time shrunk by 2 and space
by 4), in which block 4 keeps stride 1; Tran et al.'s block 4 has stride 2x2x2. Strides hold no
parameters, so the count is exactly that of Tran et al.'s Res3D-18 as torchvision builds it
(``r3d_18``: the same 3x7x7 stem, the same units and 1x1x1 projections; 33,166,272 parameters
before the classifier), but block 5 sees maps twice as long, high and wide: 4 x 14 x 14 instead of
2 x 7 x 7 at 16 x 112 x 112, eight times the compute there. No pre-trained weights are loaded, and
Miao et al.'s preprocessing and modality fusion are not part of the network.

``width`` scales every channel count (rounded, at least 1) so that small versions train on a CPU.
Any clip size works: strides round up and the pooling is global.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.video.resnet import BasicBlock, Conv3DSimple

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.layers import scaled_channels
from motion_rnn.models.zhang2018.c3d import check_clips
from motion_rnn.models.zhang2018.res3d import ProjectionShortcut, Res3DBlocks

BLOCK5_CHANNELS = 512
"""Output channels of block 5 at ``width=1`` (Tran et al.'s conv5_x)."""


def block5(in_channels: int, out_channels: int) -> nn.Sequential:
    """Res3D's block 5: ``(B, C_in, T, H, W)`` -> ``(B, C_out, ceil(T/2), ceil(H/2), ceil(W/2))``."""
    shortcut = ProjectionShortcut(in_channels, out_channels, stride=2)
    block = nn.Sequential(
        BasicBlock(in_channels, out_channels, Conv3DSimple, stride=2, downsample=shortcut),
        BasicBlock(out_channels, out_channels, Conv3DSimple),
    )
    for module in block.modules():  # as Res3DBlocks
        if isinstance(module, nn.Conv3d):
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
        elif isinstance(module, nn.BatchNorm3d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
    return block


class Res3DClassifier(nn.Module):
    """Res3D-18 on clips: blocks 1-4, block 5, global average pooling, Linear.

    Parts: ``res3d`` (:class:`Res3DBlocks`), ``block5``, ``classifier``. forward: clips
    ``(B, T, C, H, W)`` -> logits ``(B, num_classes)``; :meth:`feature_maps`: block 5's output
    ``(B, 512 w, ceil(T/4), ceil(H/8), ceil(W/8))``; :meth:`features`: its average ``(B, 512 w)``.
    """

    def __init__(self, *, num_classes: int, in_channels: int = 3, width: float = 1.0) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.res3d = Res3DBlocks(in_channels=in_channels, width=width)
        self.out_channels = scaled_channels(BLOCK5_CHANNELS, width)
        self.block5 = block5(self.res3d.out_channels, self.out_channels)
        self.classifier = nn.Linear(self.out_channels, num_classes)

    def feature_maps(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> block 5's maps ``(B, 512 w, T', H', W')`` (Conv3d's layout)."""
        check_clips(clips, self.in_channels)
        x = self.res3d(clips).transpose(1, 2)  # (B, 256 w, T/2, H/4, W/4)
        return self.block5(x)

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> block 5 averaged over time and space, ``(B, 512 w)``."""
        return self.feature_maps(clips).mean(dim=(2, 3, 4))

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> logits ``(B, num_classes)``."""
        return self.classifier(self.features(clips))
