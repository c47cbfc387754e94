"""Settings of each profile of Zhang et al.'s Table 2 (networks and modalities on IsoGD).

``full`` is the paper's IsoGD fine-tuning (Sec. 3.2): 32 frames of 112x112, batch 8, 15 epochs, SGD
with the polynomial decay of Table 1. The paper first trains each network on Jester; here every
network trains from scratch on the data it is scored on (said on the page).
"""

from __future__ import annotations

from dataclasses import dataclass

from motion_rnn.choices import ParameterError

MODALITIES: dict[str, str] = {"rgb": "RGB", "depth": "Depth", "flow": "Flow"}
"""The ``modalities`` parameter's values -> the paper's column names."""


@dataclass(frozen=True)
class Table2Settings:
    """Settings of one profile; the training fields mean what they mean in Table 1's settings."""

    size: int = 112  # frame side, Sec. 3.2
    num_frames: int = 32  # "the temporal length is set to 32" on IsoGD, Sec. 3.2
    width: float = 1.0  # channel multiplier of every network (ResNet50 excepted: torchvision's own widths)
    convlstm_channels: int = 256  # Sec. 3.2
    batch_size: int = 8  # "the batch size is set to 8" on IsoGD, Sec. 3.2
    epochs: int = 15  # "a total of 15 epochs", Sec. 3.2
    optimizer: str = "sgd"
    lr: float = 1e-3
    final_lr: float = 1e-6
    momentum: float = 0.9
    weight_decay: float = 0.0
    mobilenet_norm_after_depthwise: bool = True
    # Synthetic data only: the style of the gestures, videos a class, frames a video, frame side.
    style: str = "scene"
    train_videos_per_class: int = 400
    val_videos_per_class: int = 100
    video_frames: int = 48
    video_size: int = 128


PRESETS = {
    "ci": Table2Settings(
        size=32,
        num_frames=8,
        width=1 / 16,
        convlstm_channels=16,
        batch_size=12,
        epochs=1,
        optimizer="adam",
        lr=2e-3,
        final_lr=2e-5,
        train_videos_per_class=4,
        val_videos_per_class=2,
        video_frames=12,
        video_size=36,
    ),
    # quick: Table 1's quick network, schedule and data (the plain style, SeparableConv2D blocks;
    # see that table's settings for why), in IsoGD's layout with its three modalities.
    "quick": Table2Settings(
        size=32,
        num_frames=16,
        width=1 / 4,
        convlstm_channels=64,
        batch_size=8,
        epochs=10,
        optimizer="adam",
        lr=1e-3,
        final_lr=1e-5,
        mobilenet_norm_after_depthwise=False,
        style="plain",
        train_videos_per_class=60,
        val_videos_per_class=24,
        video_frames=24,
        video_size=36,
    ),
    "full": Table2Settings(),
}


def parse_modalities(value: str | None) -> tuple[str, ...]:
    """``"rgb,depth"`` -> ``("rgb", "depth")`` in the paper's column order; None or "" -> all three."""
    if value is None or str(value).strip() in ("", "all"):
        return tuple(MODALITIES)
    chosen = [m.strip().lower() for m in str(value).split(",") if m.strip()]
    unknown = [m for m in chosen if m not in MODALITIES]
    if unknown or not chosen:
        raise ParameterError(
            f"modalities={value!r}: {', '.join(map(repr, unknown)) or 'none given'} is not a modality; give a "
            f"comma-separated list of {', '.join(map(repr, MODALITIES))} (or None for all three)"
        )
    return tuple(m for m in MODALITIES if m in chosen)
