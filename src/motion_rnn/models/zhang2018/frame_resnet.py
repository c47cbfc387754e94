"""ResNet50 on frames with temporal averaging: the 2D-CNN row "ResNet50 [27]" of Zhang et al. 2018's
Table 2 (Sec. 3.4: "The 2DCNN networks demonstrate their unbeatable superiority on the image-based
applications ... But, they do not keep their unbeatable performances in the case of gesture
recognition").

    clip (B, T, C, H, W)
      -> frames folded into the batch        (B T, C, H, W)
      -> torchvision ResNet50 (no fc)        (B T, 2048)       conv1 .. layer4, global average pool
      -> average over time                   (B, 2048)
      -> Linear                              (B, num_classes)  logits

Narayana et al. [27] ("Gesture recognition: Focus on the hands", CVPR 2018) build one 2D-CNN
channel per focus (global, left hand, right hand) and modality, and fuse 12 of them (Sec. 3.4);
Table 2 quotes single modalities. Our row is a plain reading of "ResNet50 on frames". *Departures*:
no ImageNet weights (``weights=None``; nothing is ever downloaded), so it is trained from scratch
like every other row here; one global channel, no hand crops; frame features averaged over the
clip (*Choice*: the simplest temporal fusion of a frame CNN).

``width`` is accepted for a signature uniform with the other Table 2 networks and **ignored**:
torchvision's ResNet50 has fixed widths (64 .. 2048 channels; its ``width_per_group`` only
widens the bottlenecks' inner 3x3 convolutions), so this row always has 23.5M parameters in the
trunk. ``in_channels`` other than 3 replaces conv1 by one of the same shape for that many channels.
Any frame size from 32 x 32 works (ResNet50 downsamples by 32, then pools adaptively).
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models import resnet50

import motion_rnn  # noqa: F401  (declares torchvision's operators before torchvision is imported)
from motion_rnn.models.zhang2018.c3d import check_clips

RESNET50_FEATURES = 2048
"""Channels of ResNet50's pooled last map: the length of a frame's feature."""


class FrameResNet50(nn.Module):
    """ResNet50 applied to every frame, its pooled features averaged over time, then a Linear.

    Parts: ``resnet`` (torchvision's ``resnet50(weights=None)`` with ``fc`` an ``Identity``),
    ``classifier``. forward: clips ``(B, T, C, H, W)`` -> logits ``(B, num_classes)``;
    :meth:`features`: clips -> ``(B, 2048)``. ``width`` is ignored (see the module docstring).
    """

    def __init__(self, *, num_classes: int, in_channels: int = 3, width: float = 1.0) -> None:
        super().__init__()
        del width  # torchvision's ResNet50 has fixed widths
        self.in_channels = in_channels
        self.resnet = resnet50(weights=None)  # never downloads
        if in_channels != 3:
            old = self.resnet.conv1
            self.resnet.conv1 = nn.Conv2d(
                in_channels,
                old.out_channels,
                kernel_size=old.kernel_size,
                stride=old.stride,
                padding=old.padding,
                bias=False,
            )
            nn.init.kaiming_normal_(self.resnet.conv1.weight, mode="fan_out", nonlinearity="relu")  # as torchvision
        self.resnet.fc = nn.Identity()
        self.classifier = nn.Linear(RESNET50_FEATURES, num_classes)

    def frame_features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> one pooled ResNet50 feature a frame, ``(B, T, 2048)``."""
        check_clips(clips, self.in_channels)
        batch, steps = clips.shape[:2]
        return self.resnet(clips.flatten(0, 1)).unflatten(0, (batch, steps))

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> the frames' features averaged over time, ``(B, 2048)``."""
        return self.frame_features(clips).mean(dim=1)

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> logits ``(B, num_classes)``."""
        return self.classifier(self.features(clips))
