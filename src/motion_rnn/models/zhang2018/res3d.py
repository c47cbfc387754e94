"""Res3D blocks 1-4: the 3D-CNN front of Zhang et al. 2018's "Res3D + ConvLSTM + MobileNet"
network (Fig. 1, Sec. 2.1), after Tran et al.'s Res3D (the 18-layer 3D ResNet of "ConvNet
architecture search for spatiotemporal feature learning", 2017).

"The modified blocks 1-4 of Res3D are used ... The temporal duration (or spatial size) of the
outputted feature maps is only shrunk by a ratio of 2 (or 4), compared with the inputted images."

====================  ================================================  =========================
block                 layers                                            output, 16 x 112 x 112 in
====================  ================================================  =========================
1                     Conv3D 64, 3x7x7, stride 1x2x2, BN, ReLU          64 x 16 x 56 x 56
2                     2 residual units of two 3x3x3 convs, 64           64 x 16 x 56 x 56
3                     2 residual units, 128, first with stride 2x2x2    128 x 8 x 28 x 28
4                     2 residual units, 256                             256 x 8 x 28 x 28
====================  ================================================  =========================

(channels x T x H x W.) The residual units are torchvision's ``BasicBlock`` with
``Conv3DSimple`` convolutions (conv-BN-ReLU, conv-BN, add, ReLU); where the shape changes the
shortcut is a 1x1x1 convolution with BN (:class:`ProjectionShortcut`), as in the authors' code.

*Choice*: the authors' code also puts a 1x1x1 projection on the first unit of block 2, where the
shape does not change; the original ResNet uses the identity there, and so do we by default.
``always_project=True`` gives the code's structure. Convolutions are initialised He-normal
(fan-in), as in the code; BN weights 1, biases 0.

``width`` scales every channel count (rounded, at least 1) so that small versions train on a CPU.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.video.resnet import BasicBlock, Conv3DSimple
from torchvision.ops import Conv3dNormActivation

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.layers import scaled_channels

RES3D_CHANNELS: tuple[int, int, int, int] = (64, 64, 128, 256)
"""Output channels of blocks 1-4 at ``width=1`` (Fig. 1)."""


class ProjectionShortcut(nn.Module):
    """The 1x1x1 convolution with BN that matches a residual unit's shortcut to its new shape.

    A strided 1x1x1 convolution only reads every ``stride``-th position, so it is computed as that
    subsampling followed by a stride-1 convolution: the same numbers and the same weights, but
    PyTorch's CPU backward of the strided form is several times slower.
    forward: ``(B, C_in, T, H, W)`` -> ``(B, C_out, ceil(T/s), ceil(H/s), ceil(W/s))``.
    """

    def __init__(self, in_channels: int, out_channels: int, *, stride: int = 1) -> None:
        super().__init__()
        self.stride = stride
        self.conv = Conv3dNormActivation(in_channels, out_channels, kernel_size=1, bias=False, activation_layer=None)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, C_in, T, H, W)`` -> ``(B, C_out, T', H', W')``, subsampled by ``stride``."""
        s = self.stride
        return self.conv(x[:, :, ::s, ::s, ::s] if s > 1 else x)


def _residual_stage(in_channels: int, out_channels: int, *, stride: int, always_project: bool) -> nn.Sequential:
    """Two residual units; the first may change channels and stride (then a projection shortcut)."""
    shortcut = None
    if stride != 1 or in_channels != out_channels or always_project:
        shortcut = ProjectionShortcut(in_channels, out_channels, stride=stride)
    return nn.Sequential(
        BasicBlock(in_channels, out_channels, Conv3DSimple, stride=stride, downsample=shortcut),
        BasicBlock(out_channels, out_channels, Conv3DSimple),
    )


class Res3DBlocks(nn.Module):
    """Res3D blocks 1-4 on clips in the book's layout.

    forward: ``(B, T, C_in, H, W)`` -> ``(B, ceil(T/2), 256 w, ceil(H/4), ceil(W/4))`` with
    ``w`` the width multiplier (e.g. 16 x 112 x 112 RGB -> 8 steps of 256 x 28 x 28).
    """

    def __init__(self, *, in_channels: int = 3, width: float = 1.0, always_project: bool = False) -> None:
        super().__init__()
        c1, c2, c3, c4 = (scaled_channels(c, width) for c in RES3D_CHANNELS)
        self.out_channels = c4
        self.block1 = Conv3dNormActivation(
            in_channels, c1, kernel_size=(3, 7, 7), stride=(1, 2, 2), bias=False
        )  # padding (1, 3, 3)
        self.block2 = _residual_stage(c1, c2, stride=1, always_project=always_project)
        self.block3 = _residual_stage(c2, c3, stride=2, always_project=always_project)
        self.block4 = _residual_stage(c3, c4, stride=1, always_project=always_project)
        for module in self.modules():
            if isinstance(module, nn.Conv3d):
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm3d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, T', C', H', W')``; see the class docstring."""
        x = clips.transpose(1, 2)  # (B, C, T, H, W), Conv3d's layout
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return x.transpose(1, 2)  # back to (B, T', C', H', W')
