r"""Temporal pooling and temporal convolutions of Pigou et al. 2016, "Beyond Temporal Pooling:
Recurrence and Temporal Convolutions for Gesture Recognition in Video", Sec. 3.1 and 3.3,
Fig. 1b, 1d and 1e: the parts behind Table 1's rows "Temp Max-Pooling", "Temp Mean-Pooling",
"Temp Conv" and "Temp Conv + LSTM".

Temporal feature pooling (Sec. 3.1, Fig. 1b)
    "we position the temporal pooling layer right before the first fully connected layer ...
    This layer performs either mean-pooling or max-pooling across all video frames":
    :class:`TemporalPooling`, ``(B, T, D) -> (B, D)``. The paper's windows (Sec. 4.2): max over
    16 frames, mean over 32.

Temporal convolutions (Sec. 3.3, eqs. 5-6), factorised into a spatial and a temporal step
    s_{tij}^{(k)} = \sum_{n=1}^{N} (W_spat^{(kn)} * x_t^{(n)})_{ij}                        (5)
    v_{tij}^{(k)} = a( b^{(k)} + \sum_{m=1}^{M} (W_temp^{(km)} * s_{ij}^{(m)})_t )          (6)
    Eq. 5 is a 3 x 3 convolution of each frame *without bias or nonlinearity* ("We opt to not
    include a bias or another nonlinearity in the spatial convolution step"); eq. 6 a 1-D
    convolution over time, kernel 3 (the authors' code), at every position (i, j), then the bias
    and the leaky ReLU: :class:`SpatioTemporalConv`. It replaces every C(n) of the single-frame
    CNN (:class:`SpatioTemporalCNN`), followed by

    * "three-dimensional max-pooling to reduce spatial as well as temporal dimensions"
      (Fig. 1d, "Temp Conv"): 2 x 2 x 2 after each of the four stages (authors' code), so a
      32-frame window (Sec. 4.2) leaves 2 steps of 128 maps of 4 x 4; or
    * spatial max-pooling only (Fig. 1e, "Temp Conv + LSTM"): "the time dimensionality is
      retained throughout the network", one feature vector a frame for the recurrent layer.

Non-recurrent networks classify a window by its centre frame: "The targets for all the
non-recurrent networks are the labels associated with the centermost frame of the input video
fragment" (Sec. 4.2); :func:`centre_index` says which frame that is.

Choices where the paper is silent
    * Convolutions over time pad with zeros at both ends of the window ("same", as the
      authors' code), so T is kept.
    * Eq. 6 is computed as a ``(3, 1)`` convolution over a ``(B, M, T, H W)`` tensor: the same
      numbers as a ``(3, 1, 1)`` 3-D convolution, several times faster on a CPU.
    * 3-D max-pooling is computed as 2 x 2 spatial pooling then pairwise maxima over time (a
      maximum over a box is the maximum of maxima over its faces); an odd last frame is dropped,
      as ``torch.nn.MaxPool3d`` does.
    * Initialisation as the single-frame CNN (:mod:`~motion_rnn.models.pigou2016.cnn2d`): both steps
      orthogonal with gain sqrt(2); eq. 6's bias starts at 0.1 (authors' code).
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn
from torch.nn import functional as F

from motion_rnn.models.pigou2016.cnn2d import (
    LEAKINESS,
    PAPER_FRAME_SIZE,
    check_clips,
    conv_channels,
    init_orthogonal_,
    pooled_size,
)

PAPER_MAX_POOL_FRAMES = 16
"""Sec. 4.2: "In the case of max-pooling, we find that pooling over 16 frames gives better outcomes"."""
PAPER_MEAN_POOL_FRAMES = 32
"""Sec. 4.2: "The best number of frames to mean-pool across is 32"."""
PAPER_TEMP_CONV_FRAMES = 32
"""Sec. 4.2: the Temp Conv network "showed optimal results by considering 32 surrounding frames"."""
TEMPORAL_KERNEL = 3
"""Length of eq. 6's kernel over time (authors' code; the paper does not give it)."""


def centre_index(num_frames: int) -> int:
    """Index of the "centermost frame" of a window of ``num_frames`` (Sec. 4.2): ``num_frames // 2``.

    For an even window (16, 32) this is the later of the two middle frames.
    """
    if num_frames < 1:
        raise ValueError(f"num_frames must be positive, got {num_frames}")
    return num_frames // 2


class TemporalPooling(nn.Module):
    """Max- or mean-pooling "across all video frames" (Sec. 3.1, Fig. 1b).

    forward: feature sequence ``(B, T, D)`` -> ``(B, D)``. The order of the frames is lost.
    """

    def __init__(self, mode: Literal["max", "mean"]) -> None:
        super().__init__()
        if mode not in ("max", "mean"):
            raise ValueError(f"mode={mode!r} is not one of 'max', 'mean'")
        self.mode = mode

    def forward(self, features: Tensor) -> Tensor:
        """``(B, T, D)`` -> ``(B, D)``."""
        if features.dim() != 3 or features.shape[1] < 1:
            raise ValueError(f"expected features of shape (B, T, D) with T >= 1, got {tuple(features.shape)}")
        return features.amax(dim=1) if self.mode == "max" else features.mean(dim=1)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}"


class TemporalConv(nn.Module):
    """Eq. 6: a 1-D convolution over time at every position, plus bias, then a(x) = max(0.3 x, x).

    forward: spatial maps ``(B, T, M, H, W)`` -> ``(B, T, K, H, W)`` (T kept: zero padding).
    ``weight`` has shape ``(K, M, kernel_size, 1)``: W_temp^{(km)} is ``weight[k, m, :, 0]``.
    """

    def __init__(self, in_channels: int, out_channels: int, *, kernel_size: int = TEMPORAL_KERNEL) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd to keep T, got {kernel_size}")
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=(kernel_size, 1), padding=(kernel_size // 2, 0))
        init_orthogonal_(self.conv)  # b^{(k)} = 0.1 at the start
        self.activation = nn.LeakyReLU(LEAKINESS)  # a

    def forward(self, maps: Tensor) -> Tensor:
        """``(B, T, M, H, W)`` -> ``(B, T, K, H, W)``."""
        batch, steps, channels, height, width = maps.shape
        series = maps.permute(0, 2, 1, 3, 4).reshape(batch, channels, steps, height * width)  # s_ij^{(m)} over t
        out = self.activation(self.conv(series))  # (B, K, T, H W)
        return out.reshape(batch, -1, steps, height, width).permute(0, 2, 1, 3, 4)


class SpatioTemporalConv(nn.Module):
    """Sec. 3.3's spatiotemporal layer: eq. 5 (3 x 3, no bias, no nonlinearity) then eq. 6.

    forward: ``(B, T, N, H, W)`` -> ``(B, T, K, H, W)``.
    """

    def __init__(self, in_channels: int, out_channels: int, *, temporal_kernel: int = TEMPORAL_KERNEL) -> None:
        super().__init__()
        self.spatial = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False)  # W_spat, eq. 5
        init_orthogonal_(self.spatial)
        self.temporal = TemporalConv(out_channels, out_channels, kernel_size=temporal_kernel)  # W_temp, b, eq. 6

    def forward(self, frames: Tensor) -> Tensor:
        """``(B, T, N, H, W)`` -> ``(B, T, K, H, W)``."""
        batch, steps = frames.shape[:2]
        spatial = self.spatial(frames.flatten(0, 1))  # s_t, eq. 5: (B T, K, H, W)
        return self.temporal(spatial.unflatten(0, (batch, steps)))  # v_t, eq. 6


def max_pool_3d(maps: Tensor) -> Tensor:
    """2 x 2 x 2 max-pooling over (time, height, width).

    ``(B, T, C, H, W)`` -> ``(B, T // 2, C, H // 2, W // 2)``; equal to ``torch.nn.MaxPool3d(2)``
    on the ``(B, C, T, H, W)`` layout.
    """
    batch, steps = maps.shape[:2]
    if steps < 2:
        raise ValueError(f"3-D max-pooling needs at least 2 frames, got {steps}")
    spatial = F.max_pool2d(maps.flatten(0, 1), 2).unflatten(0, (batch, steps))  # (B, T, C, H/2, W/2)
    pairs = spatial[:, : steps // 2 * 2].unflatten(1, (steps // 2, 2))  # (B, T/2, 2, C, H/2, W/2)
    return pairs.amax(dim=2)


def max_pool_2d(maps: Tensor) -> Tensor:
    """2 x 2 spatial max-pooling of every frame: ``(B, T, C, H, W)`` -> ``(B, T, C, H // 2, W // 2)``."""
    return F.max_pool2d(maps.flatten(0, 1), 2).unflatten(0, maps.shape[:2])


class SpatioTemporalCNN(nn.Module):
    """The single-frame CNN with each C(n) replaced by :class:`SpatioTemporalConv` (Sec. 3.3).

    ``pool="3d"`` (Fig. 1d, "Temp Conv"): 2 x 2 x 2 max-pooling after each stage, T -> T/16.
    ``pool="2d"`` (Fig. 1e, "Temp Conv + LSTM"): 2 x 2 spatial max-pooling only, T kept.

    forward: clips ``(B, T, C, H, W)`` -> ``(B, T', D)`` with T' = T // 16 or T, and
    ``D = out_features = 128 w * (H/16) * (W/16)`` (2048 for 64 x 64 frames).
    """

    def __init__(
        self,
        *,
        in_channels: int = 4,
        width: float = 1.0,
        frame_size: int = PAPER_FRAME_SIZE,
        pool: Literal["3d", "2d"] = "3d",
        temporal_kernel: int = TEMPORAL_KERNEL,
    ) -> None:
        super().__init__()
        if pool not in ("3d", "2d"):
            raise ValueError(f"pool={pool!r} is not one of '3d', '2d'")
        if pooled_size(frame_size) < 1:
            raise ValueError(f"frame_size must be at least 16 (four 2 x 2 poolings), got {frame_size}")
        self.in_channels = in_channels
        self.frame_size = frame_size
        self.pool = pool
        self.channels = conv_channels(width)
        stages, previous = [], in_channels
        for channels in self.channels:
            stages.append(
                nn.ModuleList(
                    [
                        SpatioTemporalConv(previous, channels, temporal_kernel=temporal_kernel),
                        SpatioTemporalConv(channels, channels, temporal_kernel=temporal_kernel),
                    ]
                )
            )
            previous = channels
        self.stages = nn.ModuleList(stages)
        self.out_features = self.channels[-1] * pooled_size(frame_size) ** 2
        self.time_stride = 2 ** len(self.channels) if pool == "3d" else 1

    def forward(self, clips: Tensor) -> Tensor:
        """``(B, T, C, H, W)`` -> ``(B, T', D)``."""
        check_clips(clips, in_channels=self.in_channels, frame_size=self.frame_size)
        if clips.shape[1] < self.time_stride:
            raise ValueError(
                f"3-D pooling halves time {len(self.channels)} times: clips need at least "
                f"{self.time_stride} frames, got {clips.shape[1]}"
            )
        x = clips
        for first, second in self.stages:
            x = second(first(x))  # (B, T', n, H', W')
            x = max_pool_3d(x) if self.pool == "3d" else max_pool_2d(x)
        return x.flatten(2)  # (B, T', D)
