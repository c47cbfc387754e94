"""Settings of each profile of Lakhal et al.'s tables. ``full`` is the paper's (sections cited)."""

from __future__ import annotations

from dataclasses import dataclass

PAPER_TIME_STEPS = (5, 15, 25, 35)  # Table 1
PAPER_WIDTHS = (256, 512, 1024, 2048)  # Fig. 3(a): the PCA dimension d_m of the residual stack
PAPER_DEPTHS = (2, 3, 4)  # Fig. 3(b), (c)


@dataclass(frozen=True)
class Settings:
    """Settings of one profile. ``full`` is the paper's (Sec. 3.1, 4); the others are scaled down."""

    # Clips (Sec. 4): |S| = 16 frames every r = 8 frames; K_c = 10 crops averaged (eq. 5).
    clip_length: int = 16
    clip_stride: int = 8
    crops: int = 10
    frame_size: int = 112  # C3D's input side, the crops' side (Tran et al.)
    video_side: int = 128  # frames are resized to this shorter side before cropping (C3D: 128 x 171)
    # The feature extractor: C3D at `extractor_width` (1 = the real C3D, 4,096-d fc6).
    extractor_width: float = 1.0
    # extractor="mobilenet_v2" (TSN-style): frames resized to this side (ImageNet's 224 in full)
    snippet_side: int = 224
    # Pre-training of the extractor on a separate synthetic source set when no weights are given:
    # videos a class, epochs, batch, learning rate (ours: the paper uses C3D pre-trained on Sports-1M).
    pretrain_videos_per_class: int = 0
    pretrain_epochs: int = 0
    pretrain_batch_size: int = 16
    pretrain_lr: float = 1e-3
    # Synthetic actions: videos a class in train / test, frame side, frames a video (min, max).
    train_videos_per_class: int = 0
    test_videos_per_class: int = 0
    classes_per_category: int = 4  # synthetic classes of each of UCF-101's five categories (1-4)
    video_size: int = 128  # the synthetic frames' side
    video_frames: int = 64  # the synthetic videos' mean length (each 5/6 to 3/2 of it)
    # The smartwatch stand-in: one recording is a "video"; clips of `standin_clip_s` seconds every
    # `standin_stride_s`, at `standin_rate_hz`.
    standin_rate_hz: float = 25.0
    standin_clip_s: float = 1.28
    standin_stride_s: float = 0.64
    standin_video_s: float = 10.24
    # The recurrent network (Sec. 3.1, 4.1): PCA width d_m, hidden size h (= d_m with residuals),
    # depth L, time steps T.
    time_steps: int = 25  # the final model's T (footnote 5)
    time_step_grid: tuple[int, ...] = PAPER_TIME_STEPS
    width: int = 1024  # d_m = h = 1024 (Sec. 4.1: "h = 1024 as a base parameter")
    width_grid: tuple[int, ...] = PAPER_WIDTHS
    depth: int = 2  # "stacking only two layers provides the best depth"
    depth_grid: tuple[int, ...] = PAPER_DEPTHS
    # Training (Sec. 4): RMSProp, learning rate 1e-3. Epochs, batch and dropout are not given.
    lr: float = 1e-3
    batch_size: int = 32
    epochs: int = 30
    validation_share: float = 0.15  # ours: held out of the training videos, by group, to pick the epoch


PRESETS = {
    "ci": Settings(
        clip_length=4,
        clip_stride=2,
        crops=2,
        frame_size=24,
        video_side=28,
        video_frames=20,
        classes_per_category=1,
        extractor_width=1 / 32,
        snippet_side=32,
        pretrain_videos_per_class=2,
        pretrain_epochs=1,
        pretrain_batch_size=8,
        train_videos_per_class=3,
        test_videos_per_class=2,
        video_size=28,
        standin_rate_hz=10.0,
        standin_clip_s=1.6,
        standin_stride_s=1.6,
        time_steps=3,
        time_step_grid=(2, 4),
        width=16,
        width_grid=(8, 16),
        depth=2,
        depth_grid=(2, 3),
        batch_size=16,
        epochs=2,
    ),
    "quick": Settings(
        clip_length=8,
        clip_stride=4,
        crops=10,
        frame_size=32,
        video_side=40,
        video_frames=48,
        extractor_width=1 / 8,
        snippet_side=96,
        pretrain_videos_per_class=12,
        pretrain_epochs=12,
        train_videos_per_class=24,
        test_videos_per_class=10,
        video_size=40,
        time_steps=12,
        time_step_grid=(3, 6, 12, 18),
        width=64,
        width_grid=(16, 32, 64, 128),
        batch_size=32,
        epochs=30,
    ),
    "full": Settings(),
}
