"""The networks of Zhang et al. 2018's Table 2 (Sec. 3.4, "Comparison with the state-of-the-art"
on IsoGD's RGB, depth and flow), built by row name.

======================================  ===========================================================
row                                     our network
======================================  ===========================================================
ResNet50 [27]                           ``frame_resnet.FrameResNet50``
Pyramidal C3D [26]                      ``c3d.PyramidalC3D``
C3D [28]                                ``c3d.C3D``
Res3D [29]                              ``res3d_net.Res3DClassifier``
3DCNN+BiConvLSTM+2DCNN [8]              ``bidirectional.BiConvLSTMNet``
Res3D+ConvLSTM+MobileNet                ``gesture_net.build_res3d_convlstm_mobilenet(cell="convlstm")``
Res3D+ConvLSTM Variant(a)+MobileNet     ``gesture_net.build_res3d_convlstm_mobilenet(cell="a")``
======================================  ===========================================================

(Modules of :mod:`motion_rnn.models.zhang2018`; the last two rows are Fig. 1's network, built with
``scale_convlstm_with_width=False``.)

Every network takes clips ``(B, T, C, H, W)`` and returns logits ``(B, num_classes)``; any clip
from 8 x 32 x 32 up works. ``width`` scales channel counts (rounded, at least 1) for all but
ResNet50, whose widths are torchvision's. ``convlstm_channels`` is the ConvLSTM filter number of
the last three rows (per direction for the BiConvLSTM), taken as given at any ``width``; the other
rows ignore it, and ``mobilenet_norm_after_depthwise`` too. Zhang et al. train their own networks on
Jester first and fine-tune them on IsoGD (Sec. 3.2), and the cited rows come with their papers'
pre-training; no weights are loaded here, every network starts from its initialisation
(:data:`TABLE2_NOTES` says, row by row, where each differs from the cited one).
"""

from __future__ import annotations

from torch import nn

from motion_rnn.models.zhang2018.bidirectional import BiConvLSTMNet
from motion_rnn.models.zhang2018.c3d import C3D, PyramidalC3D
from motion_rnn.models.zhang2018.frame_resnet import FrameResNet50
from motion_rnn.models.zhang2018.gesture_net import build_res3d_convlstm_mobilenet
from motion_rnn.models.zhang2018.res3d_net import Res3DClassifier

TABLE2_ROWS: tuple[str, ...] = (
    "ResNet50 [27]",
    "Pyramidal C3D [26]",
    "C3D [28]",
    "Res3D [29]",
    "3DCNN+BiConvLSTM+2DCNN [8]",
    "Res3D+ConvLSTM+MobileNet",
    "Res3D+ConvLSTM Variant(a)+MobileNet",
)
"""Table 2's "Deep Architecture" column, in the paper's order."""

TABLE2_NOTES: dict[str, str] = {
    "ResNet50 [27]": (
        "torchvision's ResNet50 without ImageNet weights, applied to every frame with its features averaged "
        "over time; Narayana et al. fuse 12 focus channels (global and both hands, four modalities), we use "
        "the whole frame of one modality, and width does not shrink it."
    ),
    "Pyramidal C3D [26]": (
        "our reading of Zhu et al.'s pyramid: one C3D trunk whose conv5 map is max-pooled into 1, 2 and 4 "
        "temporal bins before fc6, instead of a separately sampled clip per pyramid segment and their fusion "
        "layers, trained from scratch."
    ),
    "C3D [28]": (
        "Tran et al.'s C3D (8 convolutions, fc6 and fc7 of 4096) trained from scratch without batch "
        "normalisation, where Li et al. fine-tune the Sports-1M model."
    ),
    "Res3D [29]": (
        "the 18-layer Res3D built from Fig. 1's modified blocks 1-4 (block 4 without stride) and block 5, "
        "trained from scratch, without the pre-training, preprocessing and modality fusion of Miao et al.'s ResC3D."
    ),
    "3DCNN+BiConvLSTM+2DCNN [8]": (
        "Fig. 1's network with both ConvLSTM layers made bidirectional (directions concatenated), i.e. our "
        "Res3D blocks and MobileNet in place of the 3D and 2D CNNs of Zhang et al.'s ICCV 2017 network."
    ),
    "Res3D+ConvLSTM+MobileNet": (
        "Fig. 1's network with the original ConvLSTM cell in both layers, trained from scratch on the "
        "modality rather than pre-trained on Jester and fine-tuned."
    ),
    "Res3D+ConvLSTM Variant(a)+MobileNet": (
        "Fig. 1's network with variant (a) in both layers, trained from scratch on the modality rather than "
        "pre-trained on Jester and fine-tuned."
    ),
}
"""One sentence a row: what our network is and where it differs from the cited one."""

_FIG1_CELLS = {"Res3D+ConvLSTM+MobileNet": "convlstm", "Res3D+ConvLSTM Variant(a)+MobileNet": "a"}


def build_table2_network(
    row: str,
    *,
    num_classes: int,
    in_channels: int = 3,
    width: float = 1.0,
    convlstm_channels: int = 256,
    mobilenet_norm_after_depthwise: bool = True,
) -> nn.Module:
    """The network of Table 2's ``row`` (one of :data:`TABLE2_ROWS`); see the module docstring.

    Raises ``ValueError`` for an unknown row (naming the known ones), a ``num_classes`` below 1 or
    a ``width`` that is not positive.
    """
    if row not in TABLE2_ROWS:
        raise ValueError(f"unknown Table 2 row {row!r}; choose one of: {', '.join(map(repr, TABLE2_ROWS))}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    if row in _FIG1_CELLS:
        return build_res3d_convlstm_mobilenet(
            cell=_FIG1_CELLS[row],
            num_classes=num_classes,
            in_channels=in_channels,
            width=width,
            convlstm_channels=convlstm_channels,
            scale_convlstm_with_width=False,
            mobilenet_norm_after_depthwise=mobilenet_norm_after_depthwise,
        )
    if row == "3DCNN+BiConvLSTM+2DCNN [8]":
        return BiConvLSTMNet(
            num_classes=num_classes,
            in_channels=in_channels,
            width=width,
            convlstm_channels=convlstm_channels,
            mobilenet_norm_after_depthwise=mobilenet_norm_after_depthwise,
        )
    network = {
        "ResNet50 [27]": FrameResNet50,
        "Pyramidal C3D [26]": PyramidalC3D,
        "C3D [28]": C3D,
        "Res3D [29]": Res3DClassifier,
    }[row]
    return network(num_classes=num_classes, in_channels=in_channels, width=width)
