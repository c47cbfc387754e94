"""MobileNet blocks: the 2D-CNN head of Zhang et al. 2018's "Res3D + ConvLSTM + MobileNet" network
(Fig. 1, Sec. 2.1), after Howard et al.'s MobileNet (2017).

"The top layers of MobileNet, whose inputs have the same spatial size, are further stacked to
learn deeper features." (Sec. 2.1) and "MobileNet processes each temporal sample
independently." (Fig. 1): every time step goes through the same 2D blocks.

Nine depthwise-separable blocks, as in the authors' code (width 1, 28 x 28 input):

=====  ========  ======  ========
block  channels  stride  output
=====  ========  ======  ========
1      256       1       28 x 28
2      256       2       14 x 14
3-7    512       1       14 x 14
8      1024      2       7 x 7
9      1024      2       4 x 4
=====  ========  ======  ========

Each block is the original MobileNet unit: a 3x3 depthwise convolution, BN, ReLU6, then a 1x1
pointwise convolution, BN, ReLU6 (two ``torchvision.ops.Conv2dNormActivation``). *Choice*: the
authors' code uses Keras' ``SeparableConv2D`` (depthwise and pointwise with no BN or
activation between them, then one BN and ReLU6); ``norm_after_depthwise=False`` gives that
form. Convolutions are initialised He-normal (fan-in), as in the code.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.ops import Conv2dNormActivation

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.layers import scaled_channels

MOBILENET_BLOCKS: tuple[tuple[int, int], ...] = (
    (256, 1),
    (256, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 2),
)
"""``(channels, stride)`` of the nine blocks at ``width=1``."""


def separable_block(
    in_channels: int, out_channels: int, *, stride: int, norm_after_depthwise: bool = True
) -> nn.Sequential:
    """One MobileNet unit, ``(N, C_in, H, W)`` -> ``(N, C_out, ceil(H/stride), ceil(W/stride))``."""
    depthwise = Conv2dNormActivation(
        in_channels,
        in_channels,
        kernel_size=3,
        stride=stride,
        groups=in_channels,
        norm_layer=nn.BatchNorm2d if norm_after_depthwise else None,
        activation_layer=nn.ReLU6 if norm_after_depthwise else None,
        bias=False,
    )
    pointwise = Conv2dNormActivation(in_channels, out_channels, kernel_size=1, activation_layer=nn.ReLU6)
    return nn.Sequential(depthwise, pointwise)


class MobileNetBlocks(nn.Module):
    """The nine separable blocks, applied to each time step independently.

    forward: ``(B, T, C_in, H, W)`` -> ``(B, T, 1024 w, H', W')`` with ``H' = ceil(H / 8)``
    (28 -> 4) and ``w`` the width multiplier.
    """

    def __init__(self, *, in_channels: int, width: float = 1.0, norm_after_depthwise: bool = True) -> None:
        super().__init__()
        blocks, channels = [], in_channels
        for out_channels, stride in MOBILENET_BLOCKS:
            out_channels = scaled_channels(out_channels, width)
            blocks.append(
                separable_block(channels, out_channels, stride=stride, norm_after_depthwise=norm_after_depthwise)
            )
            channels = out_channels
        self.blocks = nn.Sequential(*blocks)
        self.out_channels = channels
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, T, C', H', W')``: time folded into the batch and back."""
        batch, steps = x.shape[:2]
        y = self.blocks(x.flatten(0, 1))  # (B T, C', H', W')
        return y.unflatten(0, (batch, steps))
