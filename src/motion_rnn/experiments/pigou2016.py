"""Pigou et al. 2016, "Beyond temporal pooling: recurrence and temporal convolutions for gesture
recognition in video": Table 1 (with Figures 2 and 3) and Table 2.

Table 1 compares seven architectures (Fig. 1a-e) on the Montalbano gesture data by the ChaLearn
2014 Jaccard index, the mean per-class precision and recall of the frame-wise predictions and the
error rate of majority-voted gesture fragments. Table 2 sets the best model (Temp Conv + LSTM)
with and without the skeleton-based crop and with and without depth beside earlier work.
:func:`run_table1` and :func:`run_table2` rebuild both:

- the data the ``data`` parameter names: synthetic Montalbano sequences written in the challenge's
  zip format and read back by :mod:`motion_rnn.data.montalbano`, or a folder of the real
  ``SampleNNNN.zip`` archives, split as the authors did (train 1..600 without 417, validation
  601..700, test 701..940);
- training as Sec. 4.2 says: Adam, learning rate 1e-3 multiplied by (1 - 1e-4) after every update,
  mini-batches of 32, early stopping on the validation loss, dropout 0.5, the per-fragment
  augmentation; recurrent models on random 64-frame fragments with a label a frame, the others on
  windows of their own length labelled by the centre frame;
- inference as Sec. 4.2 says (:func:`predict_sequence`): recurrent models see 64-frame windows and
  keep the middle 32 frames of each; the others slide a window over the sequence in single-frame
  steps; the argmax of each frame is its label;
- the metrics of Table 1 on whole test sequences (:func:`sequence_metrics`);
- the data of Figure 2 (output probabilities over a test sequence beside the ground truth) and of
  Figure 3 (the most active feature map four layers deep, with and without temporal convolutions,
  while the performer rests and while they move);
- the paper's claims, each decided on our numbers.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import Tensor
from torch.utils.data import DataLoader

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.montalbano import MontalbanoFragments, list_samples, montalbano_split, sample_id
from motion_rnn.data.synthetic.montalbano import synthetic_split_ids, write_synthetic_montalbano
from motion_rnn.metrics.classification import macro_precision_recall, majority_vote_error_rate
from motion_rnn.metrics.jaccard import frame_jaccard, frames_to_intervals
from motion_rnn.models.cnn2d import FrameCNN
from motion_rnn.models.montalbano_nets import (
    FIGURES,
    MODEL_NAMES,
    PAPER_WINDOWS,
    RECURRENT_MODELS,
    TABLE1_ROWS,
    build_montalbano_model,
    framewise_cross_entropy,
)
from motion_rnn.models.temporal import SpatioTemporalCNN, max_pool_2d, max_pool_3d
from motion_rnn.parameters import ParameterError, RunParameters
from motion_rnn.paths import data_cache_dir
from motion_rnn.reference import paper_table
from motion_rnn.report import Claim, above_chance, claims_frame, paper_vs_ours
from motion_rnn.reproducibility import seed_everything
from motion_rnn.results import result_paths, write_results
from motion_rnn.sweep import run_sweep
from motion_rnn.train import FitConfig, fit

PAPER = "pigou2016"
TABLE1 = "table1_architectures"
TABLE2 = "table2_inputs"
DATA_CHOICES = ("synthetic",)

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
class Pigou2016Preset:
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
    "ci": Pigou2016Preset(frame_size=16, width=1 / 16, batch_size=16, lr=3e-3, epochs=1, patience=None,
                          val_stride=8, figure_frames=96, train_sequences=2, validation_sequences=1,
                          test_sequences=1, sequence_frames=96, video_size=(64, 80), performers=2),
    # quick: the paper's learning rate without augmentation (in ~2,500 updates augmentation only
    # slows learning: benchmarks/bench_pigou_augmentation.py), and enough sequences for ~25
    # instances of each class. Patience 10: Temp Conv + LSTM's loss stays at the class prior for
    # its first ~1,000 updates (8 epochs).
    "quick": Pigou2016Preset(frame_size=16, width=1 / 4, batch_size=16, lr=1e-3, dropout=0.2, augment=False,
                             epochs=20, patience=10, fragments_per_epoch=2048, val_stride=4, figure_frames=300,
                             train_sequences=100, validation_sequences=6, test_sequences=8, sequence_frames=400,
                             video_size=(96, 128), performers=12),
    "full": Pigou2016Preset(),
}


def preset(profile: str) -> Pigou2016Preset:
    return PRESETS[profile]


# ----------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Splits:
    """The sequences of each split and how to read them; fragments are cut per model."""

    paths: dict[str, list[Path]]
    """``"train"``, ``"validation"``, ``"test"`` -> the archives, by id."""
    description: str
    cache_dir: Path | None = None
    """Where real sequences are kept once decoded and cropped (none for synthetic ones)."""

    def fragments(self, split: str, *, train: bool, length: int, settings: Pigou2016Preset, seed: int,
                  crop: str = "skeleton", depth: bool = True, window: str = "start",
                  stride: int | None = None) -> MontalbanoFragments:
        return MontalbanoFragments(
            self.paths[split], train=train, length=length, window=window, stride=stride,
            augment="paper" if settings.augment else None, fragments_per_epoch=settings.fragments_per_epoch,
            seed=seed, crop=crop, size=settings.frame_size, depth=depth, cache_dir=self.cache_dir)


def load_data(params: RunParameters, settings: Pigou2016Preset) -> Splits:
    """The sequences the ``data`` parameter names, split as the authors did (synthetic ones are written once).

    Synthetic: ``settings.train_sequences`` / ``validation_sequences`` / ``test_sequences``
    sequences with ids in the authors' ranges, written to ``data_cache_dir()/synthetic_montalbano/
    <profile>-seed<seed>`` in the challenge's format and read back by the same reader. A path: a
    folder holding the real ``SampleNNNN.zip`` archives (subfolders searched).
    """
    if params.data_path is None:
        root = data_cache_dir() / "synthetic_montalbano" / f"{params.profile}-seed{params.seed}"
        ids = synthetic_split_ids(train=settings.train_sequences, validation=settings.validation_sequences,
                                  test=settings.test_sequences)
        write_synthetic_montalbano(root, ids=sum(ids.values(), []), frames_per_sequence=settings.sequence_frames,
                                   seed=params.seed, size=settings.video_size, num_performers=settings.performers)
        paths = {split: [root / f"Sample{i:04d}.zip" for i in members] for split, members in ids.items()}
        return Splits(paths, f"synthetic Montalbano sequences in the challenge's format ({len(ids['train'])} train, "
                             f"{len(ids['validation'])} validation, {len(ids['test'])} test, "
                             f"{settings.sequence_frames} frames of {settings.video_size[1]}x{settings.video_size[0]} "
                             f"pixels each, {settings.performers} performers)")
    root = params.data_path
    try:
        archives = list_samples(root)
    except DataFormatError:
        raise ParameterError(
            f"data={str(root)!r}: no Montalbano archives there; expected a folder holding the ChaLearn LAP 2014 "
            f"track 3 archives SampleNNNN.zip (each with SampleNNNN_color.mp4, _depth.mp4, _user.mp4, "
            f"_skeleton.csv, _data.csv and _labels.csv; subfolders are searched), or use data='synthetic'"
        ) from None
    by_id = {sample_id(p): p for p in archives}
    split = montalbano_split([i for i in by_id if 1 <= i <= 940])
    empty = [name for name, members in split.items() if not members]
    if empty:
        raise ParameterError(
            f"data={str(root)!r}: no archive of the {', '.join(empty)} split; the authors' split is train "
            f"Sample0001..Sample0600 (without 0417), validation Sample0601..Sample0700, test Sample0701..Sample0940")
    paths = {name: [by_id[i] for i in members] for name, members in split.items()}
    return Splits(paths, f"Montalbano at {root} ({len(paths['train'])} train, {len(paths['validation'])} validation, "
                         f"{len(paths['test'])} test sequences)",
                  cache_dir=data_cache_dir() / "montalbano_rgbd" / root.name)


# ----------------------------------------------------------------------------------------------
# Inference over whole sequences (Sec. 4.2)


@torch.no_grad()
def predict_sequence(model: torch.nn.Module, clip: Tensor, *, device: torch.device | str = "cpu",
                     batch_size: int = 64) -> np.ndarray:
    """Frame-wise class probabilities of a whole sequence: clip ``(T, C, H, W)`` -> ``(T, K)``.

    Recurrent models (``model.framewise``): windows of ``model.num_frames`` (64) frames every 32
    frames; each window's middle 32 frames are kept (Sec. 4.2), the first window's first frames and
    the last window's last frames too, so every frame is predicted once. Non-recurrent models: one
    window centred on every frame ("a sliding window with single-frame steps", Sec. 4.2), the first
    and last frames repeated beyond the sequence's ends, as :class:`MontalbanoFragments` does.
    For the single-frame and temporal pooling networks the per-frame CNN features are computed once
    and pooled per window, which gives the same numbers as running each window through the model.
    """
    model.eval().to(device)
    steps, length = clip.shape[0], model.num_frames
    if getattr(model, "framewise", False):
        if steps <= length:
            return torch.softmax(model(clip[None].to(device))[0], -1).cpu().numpy()
        margin = (length - RECURRENT_KEEP) // 2
        starts = list(range(0, steps - length, RECURRENT_KEEP)) + [steps - length]
        out, done = np.zeros((steps, model.classifier.out_features), np.float32), 0
        for k, start in enumerate(starts):
            probs = torch.softmax(model(clip[None, start:start + length].to(device))[0], -1).cpu().numpy()
            stop = steps if k == len(starts) - 1 else start + length - margin
            out[done:stop] = probs[done - start:stop - start]
            done = stop
        return out
    offsets = np.arange(length) - length // 2                                   # window around frame t
    index = np.clip(np.arange(steps)[:, None] + offsets[None, :], 0, steps - 1)  # (T, L)
    outputs = []
    if model.temporal == "flatten":  # Temp Conv: every window through the spatiotemporal CNN
        for chunk in np.array_split(index, max(1, int(np.ceil(steps / batch_size)))):
            outputs.append(model(clip[torch.from_numpy(chunk)].to(device)))
    else:
        features = torch.cat([model.features(clip[None, a:a + 256].to(device))[0]
                              for a in range(0, steps, 256)])                   # (T, D), eq. 1
        if model.temporal == "centre":
            pooled = features
        else:
            windows = features[torch.from_numpy(index).to(device)]             # (T, L, D)
            pooled = model.pooling(windows)                                     # (T, D)
        outputs.append(model.head(pooled))
    return torch.softmax(torch.cat(outputs), -1).cpu().numpy()


def label_switches(labels: np.ndarray) -> int:
    """How often a frame's label differs from the previous frame's (Figure 2's "jagged" predictions)."""
    labels = np.asarray(labels)
    return int(np.count_nonzero(labels[1:] != labels[:-1]))


def sequence_metrics(predictions: list[np.ndarray], truths: list[np.ndarray]) -> dict:
    """Table 1's columns from frame labels ``(T,)`` of whole test sequences (predicted and true).

    - Jaccard Index: eqs. 7-8 as the challenge's published scorer computes them (a predicted class
      absent from a sequence's ground truth is not counted; :mod:`motion_rnn.metrics.jaccard`), mean
      over the sequences holding at least one gesture; also with false positives counted;
    - Precision, Recall (%): per gesture class over all test frames, mean over the 20 classes (a class
      never predicted has precision 0);
    - Error Rate* (%): each ground-truth gesture's frames vote (majority of the predicted labels of
      the frames in its interval, cut from the whole-sequence predictions as the authors' code does);
    - Frame accuracy (%) and label switches per 100 frames (predicted, and in the ground truth).
    """
    scored = [(p, y) for p, y in zip(predictions, truths) if np.any(y != 0)]
    jaccard = float(np.mean([frame_jaccard(y, p) for p, y in scored]))
    jaccard_fp = float(np.mean([frame_jaccard(y, p, false_positives=True) for p, y in scored]))
    all_pred, all_true = np.concatenate(predictions), np.concatenate(truths)
    precision, recall = macro_precision_recall(all_true, all_pred)
    error = majority_vote_error_rate([p for p, _ in scored], [frames_to_intervals(y) for _, y in scored])
    frames = len(all_true)
    return {
        "jaccard": round(jaccard, 6),
        "jaccard_false_positives": round(jaccard_fp, 6),
        "precision": round(100 * precision, 4),
        "recall": round(100 * recall, 4),
        "error_rate": round(100 * error, 4),
        "frame_accuracy": round(100 * float(np.mean(all_pred == all_true)), 4),
        "switches_per_100_frames": round(100 * sum(map(label_switches, predictions)) / frames, 4),
        "true_switches_per_100_frames": round(100 * sum(map(label_switches, truths)) / frames, 4),
    }


def count_test_gestures(splits: Splits, settings: Pigou2016Preset, seed: int) -> int:
    """How many ground-truth gestures the test sequences hold (the trials of Error Rate*)."""
    test = splits.fragments("test", train=False, length=1, settings=settings, seed=seed)
    return sum(len(frames_to_intervals(labels)) for labels in test.labels)


def learnt_gestures(error_rates: list[float], *, gestures: int) -> tuple[bool, float]:
    """Whether any network names the test gestures better than guessing among the 20 classes.

    The majority-voted label of each ground-truth gesture (Error Rate*) is right ``100 - error``%
    of ``gestures`` times; a one-sided binomial test against 1/20 (Bonferroni over the networks,
    :func:`motion_rnn.report.above_chance`). A network that labels everything "no gesture" gets no
    gesture right. Claims decided on networks none of which passes say nothing about the paper.
    """
    best = 100.0 - min(error_rates)
    return above_chance(best, samples=gestures, num_classes=GESTURE_CLASSES, comparisons=len(error_rates))


NOT_INFORMATIVE = " (no network names the test gestures above chance: not informative)"


# ----------------------------------------------------------------------------------------------
# Figure 3: the most active feature map four layers deep, at rest and while moving


@torch.no_grad()
def layer4_maps(model: torch.nn.Module, clip: Tensor) -> Tensor:
    """The maps after the fourth convolutional layer (second stage, before its pooling).

    clip ``(T, C, H, W)`` -> ``(T, M, H/2, W/2)``. For a :class:`FrameCNN` these are spatial
    features of each frame; for a :class:`SpatioTemporalCNN` spatiotemporal ones (each layer also
    convolves over time, eq. 6).
    """
    features = model.features
    x = clip[None]
    if isinstance(features, FrameCNN):
        first_stage, second_stage = features.stages[0], features.stages[1]
        maps = second_stage[:4](first_stage(x.flatten(0, 1)))        # conv, act, conv, act of stage 2
        return maps
    if isinstance(features, SpatioTemporalCNN):
        (a, b), (c, d) = features.stages[0], features.stages[1]
        pooled = max_pool_3d(b(a(x))) if features.pool == "3d" else max_pool_2d(b(a(x)))
        return d(c(pooled))[0]
    raise TypeError(f"no convolutional feature extractor in {type(model).__name__}")


def motion_energy(clip: Tensor, *, smooth: int = 9) -> np.ndarray:
    """How much each frame moves: mean absolute colour change from the previous frame, ``(T,)``,
    averaged over ``smooth`` frames (the temporal convolutions of four layers see 9 frames)."""
    rgb = clip[:, :3].float()
    diff = torch.zeros(rgb.shape[0])
    diff[1:] = (rgb[1:] - rgb[:-1]).abs().mean(dim=(1, 2, 3))
    kernel = np.ones(smooth) / smooth
    return np.convolve(diff.numpy(), kernel, mode="same")


def rest_and_motion_frames(clip: Tensor, labels: np.ndarray) -> dict:
    """Frames where the performer rests (no gesture, least motion) and moves (a gesture, most motion).

    Returns the two frames Figure 3 shows (``rest_frame``, ``move_frame``) and the sets the claim
    averages over (``rest_frames``: no-gesture frames in the lowest quarter of motion energy;
    ``move_frames``: gesture frames in the highest quarter).
    """
    energy = motion_energy(clip)
    labels = np.asarray(labels)
    rest_pool = np.flatnonzero(labels == 0)[1:] if np.any(labels == 0) else np.arange(1, len(labels))
    move_pool = np.flatnonzero(labels != 0) if np.any(labels != 0) else np.arange(len(labels))
    rest = rest_pool[energy[rest_pool] <= np.quantile(energy[rest_pool], 0.25)]
    move = move_pool[energy[move_pool] >= np.quantile(energy[move_pool], 0.75)]
    return {"rest_frame": int(rest_pool[np.argmin(energy[rest_pool])]),
            "move_frame": int(move_pool[np.argmax(energy[move_pool])]),
            "rest_frames": rest.tolist(), "move_frames": move.tolist(), "energy": energy}


def figure3_maps(model: torch.nn.Module, clip: Tensor, frames: dict) -> dict:
    """The most active layer-4 map of ``model`` over ``clip`` (largest mean activation), at the rest
    and move frames, and its mean activation over the rest and move sets."""
    maps = layer4_maps(model.eval().cpu(), clip)                       # (T, M, h, w)
    channel = int(maps.mean(dim=(0, 2, 3)).argmax())
    chosen = maps[:, channel]                                          # (T, h, w)
    rest_mean = float(chosen[frames["rest_frames"]].mean())
    move_mean = float(chosen[frames["move_frames"]].mean())
    return {"channel": channel,
            "rest_map": chosen[frames["rest_frame"]].numpy().round(5).tolist(),
            "move_map": chosen[frames["move_frame"]].numpy().round(5).tolist(),
            "rest_activation": round(rest_mean, 6), "move_activation": round(move_mean, 6),
            "rest_over_move": round(rest_mean / move_mean, 6) if move_mean else float("nan")}


# ----------------------------------------------------------------------------------------------
# Training and evaluating one architecture


def train_architecture(name: str, splits: Splits, settings: Pigou2016Preset, *, seed: int,
                       device: torch.device | str = "cpu", crop: str = "skeleton", depth: bool = True,
                       checkpoint_dir: Path | None = None, progress: bool = True, figures: bool = True) -> dict:
    """Train Table 1's network ``name`` and score it on the whole test sequences.

    Returns the metrics of :func:`sequence_metrics`, the training history, the parameter count and,
    with ``figures``, Figure 2's probabilities over the first test sequence (``figure2``) and, for
    :data:`FIGURE3_MODELS`, Figure 3's maps (``figure3``).
    """
    generator = seed_everything(seed)
    recurrent = name in RECURRENT_MODELS
    length = PAPER_WINDOWS[name]
    data = dict(settings=settings, seed=seed, crop=crop, depth=depth)
    train_set = splits.fragments("train", train=True, length=length, **data)
    if recurrent:
        val_set = splits.fragments("validation", train=False, length=length, window="start", **data)
    else:
        val_set = splits.fragments("validation", train=False, length=length, window="centre",
                                   stride=settings.val_stride, **data)
    model = build_montalbano_model(name, in_channels=4 if depth else 3, frame_size=settings.frame_size,
                                   width=settings.width, dropout=settings.dropout)
    train_loader = DataLoader(train_set, batch_size=settings.batch_size, shuffle=True, generator=generator,
                              drop_last=len(train_set) > settings.batch_size)
    val_loader = DataLoader(val_set, batch_size=settings.batch_size)
    config = FitConfig(epochs=settings.epochs, lr=settings.lr, optimizer="adam", lr_schedule="exponential",
                       exponential_gamma=1 - settings.lr_decay, early_stopping_patience=settings.patience,
                       monitor="val_loss", restore_best=True)
    target = "labels" if recurrent else "label"
    checkpoint = checkpoint_dir / f"{name}-{crop}-{'rgbd' if depth else 'rgb'}-seed{seed}.pt" if checkpoint_dir else None
    result = fit(model, train_loader, config=config, val_loader=val_loader, device=device,
                 loss_fn=lambda out, y: framewise_cross_entropy(out, y), target_key=target,
                 checkpoint_path=checkpoint, progress=progress, description=TABLE1_ROWS[name])

    test_set = splits.fragments("test", train=False, length=length, **data)
    sequences = [test_set.full_sequence(i) for i in range(len(test_set.paths))]
    probabilities = [predict_sequence(model, s["clip"], device=device) for s in sequences]
    predictions = [p.argmax(-1) for p in probabilities]
    truths = [s["labels"].numpy() for s in sequences]
    out = {**sequence_metrics(predictions, truths),
           "parameters": int(sum(p.numel() for p in model.parameters())),
           "best_epoch": int(result.best_epoch), "epochs_run": len(result.history),
           "history": result.history.round(6).to_dict(orient="list")}
    if figures:
        first = sequences[0]
        shown = slice(0, min(settings.figure_frames, len(truths[0])))
        out["figure2"] = {"sample": int(first["sample"]), "probabilities": probabilities[0][shown].round(4).tolist(),
                          "labels": truths[0][shown].tolist()}
        if name in FIGURE3_MODELS:
            out["figure3"] = figure3_maps(model, first["clip"], rest_and_motion_frames(first["clip"], truths[0]))
    return out


# ----------------------------------------------------------------------------------------------
# Table 1


@dataclass
class Table1:
    table: pd.DataFrame
    """The contract's tidy table: paper beside ours."""
    claims: pd.DataFrame
    runs: pd.DataFrame
    """One row an architecture: metrics, history, figure data, seconds, reused."""
    figure2: dict
    """Model name -> probabilities ``(T, K)``; ``"labels"`` -> ground truth ``(T,)``; ``"sample"``."""
    figure3: dict
    """Model name -> maps and activations (:func:`figure3_maps`); ``"frames"`` -> the input frames."""
    data_description: str
    settings: Pigou2016Preset
    wall_seconds: float
    histories: dict = field(default_factory=dict)
    test_gestures: int = 0
    """Ground-truth gestures of the test sequences (the trials of Error Rate*)."""
    learnt: bool = True
    """Whether some network names the test gestures above chance (:func:`learnt_gestures`)."""
    p_value: float = 0.0


METRIC_COLUMNS = {  # result key -> (Table 1 column, unit)
    "jaccard": ("Jaccard Index", ""),
    "precision": ("Precision", "%"),
    "recall": ("Recall", "%"),
    "error_rate": ("Error Rate*", "%"),
    "jaccard_false_positives": ("Jaccard Index (false positives counted)", ""),
    "frame_accuracy": ("Frame accuracy", "%"),
    "switches_per_100_frames": ("Label switches per 100 frames", ""),
    "parameters": ("Parameters", ""),
}


def our_cells(runs: pd.DataFrame, rows: dict[str, str]) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit); ``rows``: run name -> table row."""
    cells = []
    for run in runs.itertuples():
        for key, (column, unit) in METRIC_COLUMNS.items():
            cells.append((rows[run.name], column, getattr(run, key), unit))
    return pd.DataFrame(cells, columns=["row", "column", "ours", "unit"])


def check_claims(table: pd.DataFrame, *, figure3: dict | None = None, learnt: bool = True) -> pd.DataFrame:
    """The paper's claims about Table 1 and Figures 2 and 3, each decided on our numbers.

    ``learnt``: whether some network names the test gestures above chance (:func:`learnt_gestures`);
    when not, every claim still gets its verdict, and its detail says that it is not informative.
    """
    ours = table.pivot(index="row", columns="column", values="ours")
    jac = {name: float(ours.loc[ROW_NAMES[name], "Jaccard Index"]) for name in MODEL_NAMES}
    err = {name: float(ours.loc[ROW_NAMES[name], "Error Rate*"]) for name in MODEL_NAMES}
    sw = {name: float(ours.loc[ROW_NAMES[name], "Label switches per 100 frames"]) for name in MODEL_NAMES}
    short = {name: TABLE1_ROWS[name] for name in MODEL_NAMES}

    def show(*names: str) -> str:
        return ", ".join(f"{short[n]} {jac[n]:.3f}" for n in names)

    single, mx, mean, conv, rnn, lstm, best = MODEL_NAMES
    claims = [
        Claim('Temporal pooling beats the single-frame CNN ("a Jaccard index of 0.775 vs. 0.465", Sec. 4.3): '
              "both pooling networks score above the single frame",
              min(jac[mx], jac[mean]) > jac[single], "ours: " + show(single, mx, mean)),
        Claim('"mean-pooling performs better than max-pooling" (Sec. 4.3)', jac[mean] > jac[mx],
              "ours: " + show(mean, mx)),
        Claim('"Adding temporal convolutions and three-dimensional max-pooling improves the Jaccard index" over '
              "temporal pooling (0.842 vs 0.775, Sec. 4.3)", jac[conv] > max(jac[mx], jac[mean]),
              "ours: " + show(conv, mx, mean)),
        Claim("The recurrent networks beat every non-recurrent one (0.885-0.906 vs at most 0.842, Table 1)",
              min(jac[n] for n in RECURRENT_MODELS) > max(jac[n] for n in NON_RECURRENT),
              f"ours: lowest recurrent {min(jac[n] for n in RECURRENT_MODELS):.3f}, highest non-recurrent "
              f"{max(jac[n] for n in NON_RECURRENT):.3f}"),
        Claim(f'Standard and LSTM cells are "equally capable" (0.885 vs 0.888, Sec. 4.3); we call them close '
              f"when their Jaccard indices differ by at most {CLOSE_JACCARD}",
              abs(jac[rnn] - jac[lstm]) <= CLOSE_JACCARD,
              f"ours: {show(rnn, lstm)}, difference {abs(jac[rnn] - jac[lstm]):.3f}"),
        Claim('Temp Conv + LSTM scores best of the seven ("improves the score even more (0.906)", Sec. 4.3)',
              jac[best] >= max(jac.values()), "ours: " + show(*MODEL_NAMES)),
        Claim("The error rate of majority-voted gestures falls in the same order: every recurrent network errs "
              "less than every non-recurrent one (Table 1: at most 3.58% vs at least 4.67%)",
              max(err[n] for n in RECURRENT_MODELS) < min(err[n] for n in NON_RECURRENT),
              "ours: " + ", ".join(f"{short[n]} {err[n]:.1f}%" for n in MODEL_NAMES)),
        Claim('Figure 2: Temp Conv\'s output is "more jagged", which "seems to disappear by introducing recurrence": '
              "Temp Conv + LSTM switches label less often than Temp Conv",
              sw[best] < sw[conv], f"ours, label switches per 100 frames: Temp Conv {sw[conv]:.2f}, "
                                   f"Temp Conv + LSTM {sw[best]:.2f}"),
    ]
    if figure3 is not None:
        spatial, spatiotemporal = (figure3[n]["rest_over_move"] for n in FIGURE3_MODELS)
        claims.append(Claim(
            'Figure 3: "When the user is standing still, the units of the [spatiotemporal] feature map are inactive, '
            'while the feature map from the network without temporal convolutions has a lot of active units": the '
            "most active map of the network with temporal convolutions is quieter at rest, relative to moving, than "
            "that of the network without",
            spatiotemporal < spatial,
            f"ours, mean activation at rest / while moving: without temporal convolutions {spatial:.2f}, "
            f"with {spatiotemporal:.2f}"))
    if not learnt:
        claims = [Claim(c.claim, c.holds, c.detail + NOT_INFORMATIVE) for c in claims]
    return claims_frame(claims)


def _configs(params: RunParameters, settings: Pigou2016Preset, entries: list[dict]) -> list[dict]:
    base = {"profile": params.profile, "data": params.data_label, "seed": params.seed, **asdict(settings)}
    return [{**entry, **base} for entry in entries]


def run_table1(params: RunParameters, *, progress: bool = True) -> Table1:
    """Run the whole of Table 1 (and Figures 2 and 3) for the checked notebook parameters; write the results files."""
    started = time.perf_counter()
    settings = preset(params.profile)
    paths = result_paths(params.results_dir, PAPER, TABLE1)
    splits = load_data(params, settings)
    configs = _configs(params, settings, [{"name": name} for name in MODEL_NAMES])

    def run_one(config: dict) -> dict:
        return train_architecture(config["name"], splits, settings, seed=params.seed, device=params.device,
                                  checkpoint_dir=paths.store, progress=progress)

    runs = run_sweep(configs, run_one, store_dir=paths.store, progress=progress)
    table = paper_vs_ours(paper_table(PAPER, "table1"), our_cells(runs, ROW_NAMES), table="table1", params=params)
    by_name = runs.set_index("name")
    figure2 = {name: np.asarray(by_name.loc[name, "figure2"]["probabilities"]) for name in MODEL_NAMES}
    figure2["labels"] = np.asarray(by_name.loc[MODEL_NAMES[0], "figure2"]["labels"])
    figure2["sample"] = by_name.loc[MODEL_NAMES[0], "figure2"]["sample"]
    figure3 = {name: by_name.loc[name, "figure3"] for name in FIGURE3_MODELS}
    figure3["frames"] = _figure3_frames(splits, settings, params.seed, figure3[FIGURE3_MODELS[0]])
    gestures = count_test_gestures(splits, settings, params.seed)
    learnt, p_value = learnt_gestures([float(by_name.loc[n, "error_rate"]) for n in MODEL_NAMES], gestures=gestures)
    claims = check_claims(table, figure3=figure3, learnt=learnt)
    wall = time.perf_counter() - started
    write_results(params, PAPER, TABLE1, table=table, claims=claims, wall_seconds=wall, runs=runs,
                  extra={"data_description": splits.description, "settings": asdict(settings),
                         "jaccard_convention": "challenge scorer (false positives not counted)",
                         "test_gestures": gestures, "learnt": learnt, "learnt_p_value": p_value})
    histories = {name: pd.DataFrame(by_name.loc[name, "history"]) for name in MODEL_NAMES}
    return Table1(table, claims, runs, figure2, figure3, splits.description, settings, wall, histories,
                  test_gestures=gestures, learnt=learnt, p_value=p_value)


def _figure3_frames(splits: Splits, settings: Pigou2016Preset, seed: int, maps: dict) -> dict:
    """The input frames under Figure 3's maps: RGB of the rest and move frames of the first test sequence."""
    test = splits.fragments("test", train=False, length=1, settings=settings, seed=seed)
    first = test.full_sequence(0)
    frames = rest_and_motion_frames(first["clip"], first["labels"].numpy())
    rgb = first["clip"][:, :3].permute(0, 2, 3, 1).numpy()
    return {"rest": rgb[frames["rest_frame"]], "move": rgb[frames["move_frame"]],
            "rest_frame": frames["rest_frame"], "move_frame": frames["move_frame"],
            "energy": frames["energy"], "labels": first["labels"].numpy(), "sample": int(first["sample"])}


# ----------------------------------------------------------------------------------------------
# Table 2


@dataclass
class Table2:
    table: pd.DataFrame
    claims: pd.DataFrame
    runs: pd.DataFrame
    data_description: str
    settings: Pigou2016Preset
    wall_seconds: float
    test_gestures: int = 0
    learnt: bool = True
    p_value: float = 0.0


def table2_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Our Table 2 cells: the flags of each input and its metrics."""
    cells = []
    for run in runs.itertuples():
        cells += [(run.name, "Crop", int(run.crop == "skeleton"), "yes=1"), (run.name, "Depth", int(run.depth), "yes=1"),
                  (run.name, "Pose", 0, "yes=1")]
        for key in ("jaccard", "precision", "recall", "error_rate", "jaccard_false_positives"):
            column, unit = METRIC_COLUMNS[key]
            cells.append((run.name, column, getattr(run, key), unit))
    return pd.DataFrame(cells, columns=["row", "column", "ours", "unit"])


def check_table2_claims(table: pd.DataFrame, *, learnt: bool = True) -> pd.DataFrame:
    """The paper's claims about Table 2, each decided on our numbers (``learnt``: as in :func:`check_claims`)."""
    jac = table[table["column"] == "Jaccard Index"].set_index("row")["ours"].dropna().astype(float)
    none, crop, both, depth_only = (row for _, _, row in TABLE2_INPUTS)
    claims = [
        Claim("Depth helps: with the crop, RGB-D scores above RGB (0.906 vs 0.876, Table 2)",
              jac[both] > jac[crop], f"ours: RGB-D {jac[both]:.3f}, RGB {jac[crop]:.3f}"),
        Claim("The skeleton-based crop helps: without depth, the cropped input scores above the uncropped one "
              "(0.876 vs 0.842, Table 2)", jac[crop] > jac[none],
              f"ours: crop {jac[crop]:.3f}, no crop {jac[none]:.3f}"),
        Claim("The crop helps with depth too (not in the paper, which has no uncropped RGB-D row)",
              jac[both] > jac[depth_only], f"ours: crop {jac[both]:.3f}, no crop {jac[depth_only]:.3f}"),
        Claim("Even without crop or depth the model does well (Sec. 4.3: 0.842 with rescaling alone): the "
              "no-crop, no-depth input keeps at least 80% of the full input's Jaccard index",
              jac[none] >= 0.8 * jac[both], f"ours: {jac[none]:.3f} vs {jac[both]:.3f} "
                                            f"({100 * jac[none] / jac[both]:.0f}%)" if jac[both] else "ours: 0"),
    ]
    if not learnt:
        claims = [Claim(c.claim, c.holds, c.detail + NOT_INFORMATIVE) for c in claims]
    return claims_frame(claims)


def run_table2(params: RunParameters, *, progress: bool = True) -> Table2:
    """Run Table 2's rows for the paper's own model (Temp Conv + LSTM) and write the results files."""
    started = time.perf_counter()
    settings = preset(params.profile)
    paths = result_paths(params.results_dir, PAPER, TABLE2)
    splits = load_data(params, settings)
    configs = _configs(params, settings, [{"name": row, "crop": crop, "depth": depth}
                                          for crop, depth, row in TABLE2_INPUTS])

    def run_one(config: dict) -> dict:
        out = train_architecture(BEST_MODEL, splits, settings, seed=params.seed, device=params.device,
                                 crop=config["crop"], depth=config["depth"], checkpoint_dir=paths.store,
                                 progress=progress, figures=False)
        return out

    runs = run_sweep(configs, run_one, store_dir=paths.store, progress=progress)
    table = paper_vs_ours(paper_table(PAPER, "table2"), table2_cells(runs), table="table2", params=params)
    gestures = count_test_gestures(splits, settings, params.seed)
    learnt, p_value = learnt_gestures([float(e) for e in runs["error_rate"]], gestures=gestures)
    claims = check_table2_claims(table, learnt=learnt)
    wall = time.perf_counter() - started
    write_results(params, PAPER, TABLE2, table=table, claims=claims, wall_seconds=wall, runs=runs,
                  extra={"data_description": splits.description, "settings": asdict(settings),
                         "jaccard_convention": "challenge scorer (false positives not counted)",
                         "test_gestures": gestures, "learnt": learnt, "learnt_p_value": p_value})
    return Table2(table, claims, runs, splits.description, settings, wall, gestures, learnt, p_value)
