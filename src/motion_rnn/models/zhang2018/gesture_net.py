"""The "Res3D + ConvLSTM + MobileNet" gesture network of Zhang et al. 2018 (Fig. 1, Sec. 2.1, 3.2),
with a switchable recurrent cell: the network behind every row of Table 1.

    clip (B, T, 3, 112, 112)
      -> Res3D blocks 1-4                    (B, T/2, 256, 28, 28)    local short-term features
      -> ConvLSTM layer 1 (cell)             (B, T/2, 256, 28, 28)    long-term fusion, 2 layers
      -> ConvLSTM layer 2 (cell)             (B, T/2, 256, 28, 28)
      -> MobileNet blocks, per time step     (B, T/2, 1024, 4, 4)
      -> average over time and space         (B, 1024)
      -> Linear                              (B, num_classes)         logits (softmax in the loss)

"The Res3D and MobileNet blocks are fixed, and the ConvLSTM component is modified to derive four
variants" (Sec. 1); "The filter numbers of ConvLSTM and the variants are all set to 256" (Sec. 3.2).

Choices where the paper is silent or the code differs:

* *Both* ConvLSTM layers use ``cell`` (the paper: each row "takes the original ConvLSTM or its
  variant as the ConvLSTM component"). The authors' code uses the attention cell of (b), (c),
  (d) in the first layer only and variant (a) in the second; ``second_cell="a"`` gives that.
* ``width`` scales Res3D, the ConvLSTM and MobileNet alike (rounded, at least 1), so
  ``width=1/8`` is a small network a CPU trains in seconds. ``convlstm_channels`` is the
  paper's filter number at ``width=1`` and is scaled with the rest unless
  ``scale_convlstm_with_width=False`` (then it is taken as given).
* Any clip size works: T/2 and H/4 are rounded up (stride-2 convolutions with "same" padding);
  MobileNet's three stride-2 blocks take 28 x 28 to 4 x 4 and 8 x 8 to 1 x 1.
"""

from __future__ import annotations

from torch import Tensor, nn

from motion_rnn.models.layers import scaled_channels
from motion_rnn.models.zhang2018.convlstm import CELL_KINDS, ConvLSTM
from motion_rnn.models.zhang2018.mobilenet import MobileNetBlocks
from motion_rnn.models.zhang2018.res3d import Res3DBlocks


class Res3DConvLSTMMobileNet(nn.Module):
    """Fig. 1's network. forward: clips ``(B, T, C, H, W)`` -> logits ``(B, num_classes)``.

    Parts, for inspection: ``res3d``, ``convlstm`` (two :class:`ConvLSTM` layers), ``mobilenet``,
    ``classifier``. Build with :func:`build_res3d_convlstm_mobilenet`.
    """

    def __init__(
        self,
        *,
        res3d: Res3DBlocks,
        convlstm: nn.ModuleList,
        mobilenet: MobileNetBlocks,
        classifier: nn.Linear,
        in_channels: int,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.res3d = res3d
        self.convlstm = convlstm
        self.mobilenet = mobilenet
        self.classifier = classifier

    def features(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> pooled features ``(B, 1024 w)``."""
        if clips.dim() != 5 or clips.shape[2] != self.in_channels:
            raise ValueError(f"expected clips of shape (B, T, {self.in_channels}, H, W), got {tuple(clips.shape)}")
        x = self.res3d(clips)  # (B, T/2, 256 w, H/4, W/4)
        for layer in self.convlstm:
            x = layer(x)  # (B, T/2, C_lstm, H/4, W/4)
        x = self.mobilenet(x)  # (B, T/2, 1024 w, H/32, W/32)
        return x.mean(dim=(1, 3, 4))  # global average over time and space

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> logits ``(B, num_classes)``."""
        return self.classifier(self.features(clips))


def build_res3d_convlstm_mobilenet(
    *,
    # the row of Table 1
    cell: str,
    num_classes: int,
    # input
    in_channels: int = 3,
    # size
    width: float = 1.0,
    convlstm_channels: int = 256,  # Sec. 3.2: "filter numbers ... all set to 256"
    scale_convlstm_with_width: bool = True,
    # the recurrent cell
    kernel_size: int = 3,  # the authors' code: 3 x 3 kernels
    gate_activation: str = "sigmoid",  # the paper's sigma; "hard_sigmoid": the authors' code
    second_cell: str | None = None,  # None: same as `cell`; "a": the authors' code
    attention_norm: str = "softmax",  # variant (b) only; eq. 18
    # fixed parts, the authors' code's forms as options
    res3d_always_project: bool = False,
    mobilenet_norm_after_depthwise: bool = True,
) -> Res3DConvLSTMMobileNet:
    """Fig. 1's network with Table 1's ``cell`` (one of ``convlstm, a, b, c, d``) in both layers.

    For a ``(B, 16, 3, 112, 112)`` clip the ConvLSTM layers run 8 steps on 28 x 28 maps.
    """
    for name, kind in (("cell", cell), ("second_cell", second_cell)):
        if kind is not None and kind not in CELL_KINDS:
            raise ValueError(f"{name}={kind!r} is not a cell kind; choose one of: {', '.join(map(repr, CELL_KINDS))}")
    if attention_norm != "softmax" and "b" not in (cell, second_cell):
        raise ValueError("attention_norm only applies to variant (b)'s input attention")
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    res3d = Res3DBlocks(in_channels=in_channels, width=width, always_project=res3d_always_project)
    hidden = scaled_channels(convlstm_channels, width) if scale_convlstm_with_width else convlstm_channels
    kinds = (cell, second_cell or cell)
    convlstm = nn.ModuleList(
        ConvLSTM(
            kind,
            in_channels=res3d.out_channels if index == 0 else hidden,
            hidden_channels=hidden,
            kernel_size=kernel_size,
            gate_activation=gate_activation,
            attention_norm=attention_norm if kind == "b" else "softmax",
        )
        for index, kind in enumerate(kinds)
    )
    mobilenet = MobileNetBlocks(in_channels=hidden, width=width, norm_after_depthwise=mobilenet_norm_after_depthwise)
    classifier = nn.Linear(mobilenet.out_channels, num_classes)
    return Res3DConvLSTMMobileNet(
        res3d=res3d, convlstm=convlstm, mobilenet=mobilenet, classifier=classifier, in_channels=in_channels
    )
