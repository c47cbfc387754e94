"""Settings of each profile of Le Roux's tables. ``full`` is the thesis's (sections cited)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Settings of one profile. ``full`` is the thesis's (sections cited); the others are scaled down."""

    # Synthetic NTU skeletons: performances of each class (three cameras record each).
    performances_per_class: int = 40
    max_frames: int | None = None  # None: every frame, as the thesis (Sec. 3.1.1, Table 12's "T")
    # The smartwatch stand-in: resampling, windows, and at most this many windows a class and part.
    standin_rate_hz: float = 25.0
    standin_window_s: float = 4.0
    standin_stride_s: float = 2.0
    standin_windows_per_class: int | None = None
    # Network: every unit count of the thesis times `width` (Tables 4, 11, 12).
    width: float = 1.0
    dense_size: int | None = None  # Fig. 11: FC + ReLU gives the class scores (see module docstring)
    # Training, Sec. 3.1.1
    batch_size: int = 256  # "a mini batch of size B = 256"
    lr: float = 5e-3  # "an initial learning eta = 5 x 10^-3"
    adam_eps: float = 1e-4  # "epsilon = 10^-4"
    grad_clip_norm: float = 1.0  # "when its L2 norm exceeds 1"
    max_epochs: int = 100  # ours: an upper bound; early stopping ends training before it
    # Early stopping with learning-rate decay, Sec. 3.2 (patience and floor are ours)
    plateau_patience: int = 5  # epochs without a better validation accuracy before lr / 10
    lr_decays: int = 2  # lr / 10 this many times; the floor is lr x 10^-lr_decays, then stop
    l2_weight: float = 1e-4  # ours: the thesis does not give it
    # Table 12: |S| of the thesis x step_scale (the smaller profiles' sequences are shorter)
    step_scale: float = 1.0

    @property
    def final_lr(self) -> float:
        return self.lr * 0.1**self.lr_decays

    def units(self, thesis_units: int) -> int:
        return max(2, int(round(thesis_units * self.width)))


PRESETS = {
    "ci": Settings(
        performances_per_class=4,
        max_frames=16,
        standin_rate_hz=10.0,
        standin_window_s=1.6,
        standin_stride_s=4.0,
        standin_windows_per_class=6,
        width=0.06,
        dense_size=16,
        batch_size=32,
        lr=1e-2,
        max_epochs=4,
        plateau_patience=1,
        lr_decays=1,
        l2_weight=1e-4,
        step_scale=0.2,
    ),
    "quick": Settings(
        performances_per_class=16,
        max_frames=32,
        standin_rate_hz=12.5,
        standin_window_s=2.56,
        standin_stride_s=2.0,
        standin_windows_per_class=40,
        width=0.25,
        dense_size=64,
        batch_size=64,
        max_epochs=25,
        plateau_patience=2,
        lr_decays=2,
        l2_weight=1e-4,
        step_scale=0.4,
    ),
    "full": Settings(),
}
