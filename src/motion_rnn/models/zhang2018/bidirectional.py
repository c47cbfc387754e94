"""The "3DCNN + BiConvLSTM + 2DCNN" row of Zhang et al. 2018's Table 2 (Sec. 3.4): their ICCV 2017
workshop network [8], "Learning spatiotemporal features using 3DCNN and convolutional LSTM for
gesture recognition", the predecessor of Fig. 1's network (Sec. 1: "Based on our previous
published '3DCNN+ConvLSTM+2DCNN' architecture [8], we construct a preliminary
'Res3D+ConvLSTM+MobileNet' architecture").

[8] learns 2D spatiotemporal feature maps with a 3D CNN and *bidirectional* ConvLSTMs, then a 2D
CNN on them. We build it from this package's parts, so that it differs from Table 2's
"Res3D+ConvLSTM+MobileNet" row only in the recurrent layers running both ways:

    clip (B, T, 3, H, W)
      -> Res3D blocks 1-4                         (B, T/2, 256 w, H/4, W/4)
      -> BiConvLSTM layer 1                       (B, T/2, 2 h, H/4, W/4)   [forward h | backward h]
      -> BiConvLSTM layer 2                       (B, T/2, 2 h, H/4, W/4)
      -> MobileNet blocks, per time step          (B, T/2, 1024 w, H/32, W/32)
      -> average over time and space              (B, 1024 w)
      -> Linear                                   (B, num_classes)

A bidirectional layer (:class:`BidirectionalConvLSTM`) is two :class:`~motion_rnn.models.zhang2018.
convlstm.ConvLSTM` layers of the original cell (eqs. 1-6), ``h`` filters each: the forward one
reads steps 1 .. T, the backward one reads the time-reversed sequence and its outputs are flipped
back, so that step ``t`` holds ``[H_t forward, H_t backward]``, the latter a summary of steps
t .. T. Layer 2 reads layer 1's ``2 h`` channels.

*Departures* from [8]: its 3D CNN and 2D CNN are not Res3D blocks 1-4 and MobileNet, and its
sizes, pooling and training (from scratch here) are not reproduced; only "3D CNN, two
bidirectional ConvLSTM layers, a 2D CNN per step, average" is kept. *Choice*: the two directions
are concatenated (not summed), so the MobileNet head reads ``2 h`` channels.

``width`` scales Res3D and MobileNet (rounded, at least 1); ``convlstm_channels`` is ``h``, the
filters of *each* direction, taken as given (not scaled by ``width``), as the Table 2 rows build
Fig. 1's network with ``scale_convlstm_with_width=False``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from motion_rnn.models.zhang2018.c3d import check_clips
from motion_rnn.models.zhang2018.convlstm import ConvLSTM
from motion_rnn.models.zhang2018.mobilenet import MobileNetBlocks
from motion_rnn.models.zhang2018.res3d import Res3DBlocks


class BidirectionalConvLSTM(nn.Module):
    """Two ConvLSTM layers, one over time and one against it, their hidden maps concatenated.

    forward: ``(B, T, C_in, H, W)`` -> ``(B, T, 2 C_hid, H, W)``; channels ``[:C_hid]`` are the
    forward direction's ``H_t``, channels ``[C_hid:]`` the backward direction's (which has read
    steps ``t .. T``). Parts: ``forward_direction``, ``backward_direction``. ``kind``: the cell of
    both (:data:`~motion_rnn.models.zhang2018.convlstm.CELL_KINDS`), the original ConvLSTM by default.
    """

    def __init__(self, *, in_channels: int, hidden_channels: int, kernel_size: int = 3, kind: str = "convlstm") -> None:
        super().__init__()
        self.hidden_channels = hidden_channels
        self.out_channels = 2 * hidden_channels
        self.forward_direction = ConvLSTM(
            kind, in_channels=in_channels, hidden_channels=hidden_channels, kernel_size=kernel_size
        )
        self.backward_direction = ConvLSTM(
            kind, in_channels=in_channels, hidden_channels=hidden_channels, kernel_size=kernel_size
        )

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C_in, H, W)`` -> ``(B, T, 2 C_hid, H, W)``."""
        ahead = self.forward_direction(x)
        back = self.backward_direction(x.flip(1)).flip(1)  # step t has read t .. T
        return torch.cat([ahead, back], dim=2)


class BiConvLSTMNet(nn.Module):
    """Our "3DCNN + BiConvLSTM + 2DCNN" [8]. forward: clips ``(B, T, C, H, W)`` -> logits.

    Parts, as in :class:`~motion_rnn.models.zhang2018.gesture_net.Res3DConvLSTMMobileNet`:
    ``res3d``, ``convlstm`` (two :class:`BidirectionalConvLSTM` layers), ``mobilenet``,
    ``classifier``. See the module docstring.
    """

    def __init__(
        self,
        *,
        num_classes: int,
        in_channels: int = 3,
        width: float = 1.0,
        convlstm_channels: int = 256,  # per direction, as Sec. 3.2's "filter numbers ... 256"
        mobilenet_norm_after_depthwise: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.res3d = Res3DBlocks(in_channels=in_channels, width=width)
        first = BidirectionalConvLSTM(in_channels=self.res3d.out_channels, hidden_channels=convlstm_channels)
        second = BidirectionalConvLSTM(in_channels=first.out_channels, hidden_channels=convlstm_channels)
        self.convlstm = nn.ModuleList([first, second])
        self.mobilenet = MobileNetBlocks(
            in_channels=second.out_channels, width=width, norm_after_depthwise=mobilenet_norm_after_depthwise
        )
        self.classifier = nn.Linear(self.mobilenet.out_channels, num_classes)

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> pooled features ``(B, 1024 w)``."""
        check_clips(clips, self.in_channels)
        x = self.res3d(clips)  # (B, T/2, 256 w, H/4, W/4)
        for layer in self.convlstm:
            x = layer(x)  # (B, T/2, 2 h, H/4, W/4)
        x = self.mobilenet(x)  # (B, T/2, 1024 w, H/32, W/32)
        return x.mean(dim=(1, 3, 4))  # global average over time and space

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> logits ``(B, num_classes)``."""
        return self.classifier(self.features(clips))
