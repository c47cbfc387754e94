"""Settings of each profile of Pigou et al.'s tables. ``full`` is the paper's (Sec. 3, 4.1, 4.2)."""

from __future__ import annotations

from dataclasses import dataclass

from motion_rnn.models.pigou2016.networks import FIGURES, MODEL_NAMES, RECURRENT_MODELS, TABLE1_ROWS

ROW_NAMES = {name: f"{TABLE1_ROWS[name]} (Figure {FIGURES[name]})" for name in MODEL_NAMES}
"""Model name -> its row in Table 1, as the paper prints it (e.g. "Temp Conv (Figure 1d)")."""
NON_RECURRENT = tuple(n for n in MODEL_NAMES if n not in RECURRENT_MODELS)
BEST_MODEL = "temp_conv_lstm"  # Table 2's model (Sec. 4.3)
FIGURE3_MODELS = ("rnn_lstm_cells", "temp_conv_lstm")
"""Figure 3: the same network without and with temporal convolutions (Fig. 1c vs 1e)."""

RECURRENT_KEEP = 32
"""Sec. 4.2: "we feed 64 frames into the RNN and keep the middle 32 for evaluation"."""
GESTURE_CLASSES = 20
"""Montalbano's gesture vocabulary (ids 1..20; 0 is "no gesture")."""
CLOSE_JACCARD = 0.02
"""What "close" means in the claim that standard and LSTM cells are about equal (the paper's
two rows differ by 0.003): within 0.02 of each other on the Jaccard index."""

TABLE2_INPUTS = (  # (crop, depth, row) of Table 2's rows for the paper's own model, then ours only
    ("centre", False, "Temp Conv + LSTM, no crop, no depth"),
    ("skeleton", False, "Temp Conv + LSTM, crop, no depth"),
    ("skeleton", True, "Temp Conv + LSTM, crop, depth"),
    ("centre", True, "Temp Conv + LSTM, no crop, depth"),
)
"""Table 2: "Crop" is the skeleton-based square of Sec. 4.1 (``crop="skeleton"``); without it the
frame's centred square is rescaled (``crop="centre"``, the authors' ``rgbnoprep.py``). The last
row is not in the paper: it completes the two-by-two design."""


@dataclass(frozen=True)
class Settings:
    """Settings of one profile. ``full`` is the paper's (Sec. 3, 4.1, 4.2); the others are scaled down."""

    frame_size: int = 64  # Sec. 4.1: "rescale them to 64 by 64 pixels"
    width: float = 1.0  # maps 16-32-64-128, dense 2048, RNN 2048, LSTM 512 (Sec. 3.1, 4.2)
    batch_size: int = 32  # Sec. 4.2
    lr: float = 1e-3  # Sec. 4.2
    lr_decay: float = 1e-4  # "exponential learning rate decay" (Sec. 4.2): x (1 - 1e-4) an update (authors' code)
    epochs: int = 100  # at most: early stopping decides (Sec. 4.2)
    patience: int | None = 10  # early stopping on the validation loss; the paper gives no patience
    dropout: float = 0.5  # Sec. 4.2
    augment: bool = True  # Sec. 4.2's per-fragment augmentation
    fragments_per_epoch: int | None = None  # None: frames of the training set over the window
    val_stride: int = 1  # validation windows of the non-recurrent models every val_stride frames
    figure_frames: int = 400  # frames of the test sequence Figure 2 shows
    # Synthetic data only: sequences in each split, frames a sequence, video size (H, W), performers.
    train_sequences: int = 200
    validation_sequences: int = 40
    test_sequences: int = 40
    sequence_frames: int = 1200  # the real sequences: 1 to 2 minutes at 20 Hz
    video_size: tuple[int, int] = (240, 320)
    performers: int = 27  # Sec. 4.1: 27 performers


PRESETS = {
    "ci": Settings(
        frame_size=16,
        width=1 / 16,
        batch_size=16,
        lr=3e-3,
        epochs=1,
        patience=None,
        val_stride=8,
        figure_frames=96,
        train_sequences=2,
        validation_sequences=1,
        test_sequences=1,
        sequence_frames=96,
        video_size=(64, 80),
        performers=2,
    ),
    # quick: the paper's learning rate without augmentation (in ~2,500 updates augmentation only
    # slows learning: benchmarks/bench_pigou_augmentation.py), and enough sequences for ~25
    # instances of each class. Patience 10: Temp Conv + LSTM's loss stays at the class prior for
    # its first ~1,000 updates (8 epochs).
    "quick": Settings(
        frame_size=16,
        width=1 / 4,
        batch_size=16,
        lr=1e-3,
        dropout=0.2,
        augment=False,
        epochs=20,
        patience=10,
        fragments_per_epoch=2048,
        val_stride=4,
        figure_frames=300,
        train_sequences=100,
        validation_sequences=6,
        test_sequences=8,
        sequence_frames=400,
        video_size=(96, 128),
        performers=12,
    ),
    "full": Settings(),
}
