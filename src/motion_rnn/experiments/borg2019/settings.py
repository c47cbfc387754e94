"""Settings of each profile of Borg and Camilleri's tables. ``full`` is the paper's (sections cited)."""

from __future__ import annotations

from dataclasses import dataclass

PAPER_DROPOUT_RATES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # Table 4's sweeps, of both dropouts
PAPER_LAYERS = (1, 2, 3)  # Table 3


@dataclass(frozen=True)
class Settings:
    """Settings of one profile. ``full`` is the paper's (Sec. 3-5); the others are scaled down."""

    # Segments (Sec. 5.1): 20 frames sampled at 5 Hz, one consistent label; 5 folds by video, the
    # ablations (Table 4) on 2 (one to train, one to validate).
    segment_length: int = 20
    sample_rate_hz: float = 5.0
    folds: int = 5
    ablation_folds: int = 2
    # CNN codes (Sec. 4.1-4.2): the side of the CNN's square input (224 in the paper). The CNN
    # itself is a notebook parameter (`backbone`, `backbone_weights`), not a profile's setting.
    frame_side: int = 224
    conv_grid: int | None = None  # ours: pool the last feature map to this grid (None: as it is, 7 x 7 at 224)
    flow_fields: int = 10  # "Ten consecutive optical flow fields are stacked together"
    motion_window: int = 5  # "a 5-frame temporal window for MHI and multi-frame differencing"
    # Synthetic "signing in the wild": videos, seconds a video, frame side.
    videos: int = 0
    video_seconds: float = 60.0
    video_size: int = 64
    # Real clips from registry packages added as speaking and other (data/signing_wild/footage.py):
    # at most this many seconds of each from its start (None: all of it).
    footage_seconds: float | None = None
    # The head (Fig. 2-3, the authors' code): stacked GRU of 256 units, batch norm, fc1 of 64 with
    # dropout 0.4, GRU dropout 0.3 on each layer's inputs.
    cell: str = "gru"
    layers: int = 2
    hidden: int = 256
    fc_units: int = 64
    dropout: float = 0.4
    rnn_dropout: float = 0.3
    # Training (Sec. 5.1): Adam, lr 1e-3, batch 32, then lr drops and batch growth; early stopping on
    # the validation loss with a patience of 10 epochs; at most 500 epochs.
    lr: float = 1e-3
    batch_sizes: tuple[int, ...] = (32, 64, 128)
    lr_drops: int = 2
    patience: int = 10
    max_epochs: int = 500
    class_weights: bool = True  # the authors' code: weights balanced by class frequency
    # The baseline (Table 5): Shipman et al.'s polar motion profiles into an RBF SVM. The authors'
    # script can reduce its inputs with PCA to 50 dimensions; our profiles have 44, so no PCA.
    svm_pca: int | None = None


PRESETS = {
    "ci": Settings(
        folds=2,
        frame_side=32,
        flow_fields=2,
        motion_window=3,
        videos=6,
        video_seconds=8.0,
        video_size=32,
        footage_seconds=8.0,
        hidden=16,
        fc_units=8,
        batch_sizes=(8, 16),
        lr_drops=1,
        patience=1,
        max_epochs=3,
    ),
    "quick": Settings(
        folds=3,
        frame_side=112,
        videos=40,
        video_seconds=60.0,
        video_size=64,
        footage_seconds=60.0,  # as long as a synthetic video at most
        conv_grid=2,  # 2 x 2 x 1,280 = 5,120 codes, 4x the pooled ones (VGG-16: 25,088 = 6x fc1's)
        batch_sizes=(32, 64),
        lr_drops=1,
        patience=3,
        max_epochs=15,
    ),
    "full": Settings(),
}
