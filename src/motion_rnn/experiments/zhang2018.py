"""Zhang et al. 2018, "Attention in convolutional LSTM for gesture recognition": Table 1.

Table 1 compares the "Res3D + ConvLSTM + MobileNet" network of Fig. 1 with its ConvLSTM component
replaced by variants (a)-(d): validation accuracy on Jester and IsoGD, channel number, parameter
size and Mult-Adds of the ConvLSTM component. :func:`run_table1` rebuilds all of it:

- the complexity columns at the paper's shape (C_in = C_out = 256, K = 3, 28x28 maps), counted
  from the modules' weights, in the paper's convention and as PyTorch and the FLOP counter see it;
- the accuracy columns by training the five networks on the data the ``data`` parameter names
  (synthetic gestures written in Jester's layout, or a real Jester or IsoGD folder);
- the measured training-step time of each cell at the paper's shape;
- the paper's claims, checked on our numbers.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import torch
from torch.utils.data import DataLoader

from motion_rnn.data.isogd import IsoGDDataset
from motion_rnn.data.jester import JesterDataset
from motion_rnn.data.synthetic.gestures import SYNTHETIC_CLASSES, write_synthetic_jester
from motion_rnn.models.complexity import complexity_table, time_training_step, torch_parameter_count
from motion_rnn.models.convlstm import CELL_KINDS, CELL_LABELS
from motion_rnn.models.gesture_net import build_res3d_convlstm_mobilenet
from motion_rnn.parameters import ParameterError, RunParameters
from motion_rnn.paths import data_cache_dir
from motion_rnn.reference import paper_table
from motion_rnn.report import Claim, above_chance, claims_frame, paper_vs_ours
from motion_rnn.reproducibility import seed_everything
from motion_rnn.results import result_paths, write_results
from motion_rnn.sweep import run_sweep
from motion_rnn.train import FitConfig, fit

PAPER = "zhang2018"
TABLE = "table1_convlstm_variants"
ROW_NAMES = CELL_LABELS  # kind -> the row's name in Table 1, e.g. "a" -> "Variant (a)"
DATA_CHOICES = ("synthetic",)

# The paper's shape for the complexity columns (Sec. 3.2, Table 1; REFERENCE_NOTES).
PAPER_CHANNELS = 256
PAPER_KERNEL = 3
PAPER_MAP = 28  # 112x112 input, spatial size shrunk by 4 in Res3D (Sec. 2.1)
ISOGD_FRAMES = 32  # "the temporal length is set to 32" for IsoGD, Sec. 3.2
ISOGD_CLASSES = 249  # Sec. 3.1


@dataclass(frozen=True)
class Table1Preset:
    """Settings of one profile. ``full`` is the paper's (Sec. 3.2); the others are scaled down."""

    size: int = 112  # frame side, Sec. 3.2
    num_frames: int = 16  # frames a clip on Jester, Sec. 3.2
    width: float = 1.0  # channel multiplier of Res3D and MobileNet (1.0 = the paper's)
    convlstm_channels: int = 256  # filters of both ConvLSTM layers, Sec. 3.2
    batch_size: int = 16  # "the input is 16 video clips", Sec. 3.2
    epochs: int = 30  # Sec. 3.2
    optimizer: str = "sgd"  # "Stochastic gradient descent (SGD) is used for training", Sec. 3.2
    lr: float = 1e-3  # polynomial decay from 1e-3 to 1e-6, Sec. 3.2
    final_lr: float = 1e-6
    momentum: float = 0.9  # SGD with momentum (authors' code)
    weight_decay: float = 0.0
    # Synthetic data only: videos a class in train / validation, frames written per video, frame side.
    train_videos_per_class: int = 400
    val_videos_per_class: int = 100
    video_frames: int = 32
    video_size: int = 128
    # Timing at the paper's shape: batch, recurrent steps and repeats of the measurement.
    timing_batch: int = 4
    timing_steps: int = 8
    timing_repeats: int = 5


PRESETS = {
    # Not in the paper: the small profiles train with Adam, which gets small networks off the
    # ground within a CPU's epoch budget where the paper's SGD schedule does not.
    "ci": Table1Preset(size=32, num_frames=8, width=1 / 16, convlstm_channels=16, batch_size=12, epochs=3,
                       optimizer="adam", lr=2e-3, final_lr=2e-5, train_videos_per_class=8, val_videos_per_class=3,
                       video_frames=12, video_size=40, timing_batch=1, timing_steps=2, timing_repeats=2),
    "quick": Table1Preset(size=32, num_frames=16, width=1 / 4, convlstm_channels=64, batch_size=16, epochs=12,
                          optimizer="adam", lr=2e-3, final_lr=2e-5, train_videos_per_class=40,
                          val_videos_per_class=12, video_frames=24, video_size=36, timing_batch=2,
                          timing_steps=4, timing_repeats=3),
    "full": Table1Preset(),
}


def preset(profile: str) -> Table1Preset:
    return PRESETS[profile]


# ----------------------------------------------------------------------------------------------
# Complexity columns: computed from the modules at the paper's shape.


def complexity_at_paper_shape() -> pd.DataFrame:
    """Parameter size and Mult-Adds of each cell at the paper's shape, one row a cell.

    See :func:`motion_rnn.models.complexity.complexity_table` for the columns: the paper's count
    (weights without biases, eqs. 7, 16, 20, 24), PyTorch's (biases included), the paper's
    Mult-Adds convention (parameter size x map positions) and the multiply-adds one step really
    performs (PyTorch's FLOP counter).
    """
    table = complexity_table(in_channels=PAPER_CHANNELS, hidden_channels=PAPER_CHANNELS, kernel_size=PAPER_KERNEL,
                             height=PAPER_MAP, width=PAPER_MAP)
    return table.rename(columns={"label": "row"}).assign(channels=PAPER_CHANNELS)


def timing_table(settings: Table1Preset, *, device: torch.device, channels: int = PAPER_CHANNELS,
                 map_size: int = PAPER_MAP) -> pd.DataFrame:
    """Measured forward+backward seconds per recurrent step of each cell at the paper's shape."""
    rows = []
    for kind in CELL_KINDS:
        seconds = time_training_step(kind, batch=settings.timing_batch, steps=settings.timing_steps, device=device,
                                     repeats=settings.timing_repeats, in_channels=channels, hidden_channels=channels,
                                     height=map_size, width=map_size)
        rows.append({"kind": kind, "row": ROW_NAMES[kind], "seconds_per_step": seconds})
    frame = pd.DataFrame(rows)
    frame["speedup_vs_convlstm"] = frame["seconds_per_step"].iloc[0] / frame["seconds_per_step"]
    return frame


# ----------------------------------------------------------------------------------------------
# Accuracy columns: the five networks trained on the chosen data.


@dataclass(frozen=True)
class Splits:
    train: torch.utils.data.Dataset
    validation: torch.utils.data.Dataset
    num_classes: int
    column: str
    """The paper's column our accuracy sits beside: Jester or IsoGD."""
    description: str


def load_data(params: RunParameters, settings: Table1Preset) -> Splits:
    """The train and validation sets the ``data`` parameter names (synthetic data are generated once)."""
    clip = dict(num_frames=settings.num_frames, size=settings.size, seed=params.seed)
    if params.data_path is None:
        root = data_cache_dir() / "synthetic_jester" / f"{params.profile}-seed{params.seed}"
        write_synthetic_jester(root, videos_per_class={"train": settings.train_videos_per_class,
                                                       "validation": settings.val_videos_per_class},
                               num_frames=settings.video_frames, size=settings.video_size, seed=params.seed)
        return Splits(JesterDataset(root, "train", train=True, **clip), JesterDataset(root, "validation", train=False, **clip),
                      len(SYNTHETIC_CLASSES), "Validating accuracy (Jester)",
                      f"synthetic gestures in Jester's layout ({len(SYNTHETIC_CLASSES)} classes, "
                      f"{settings.train_videos_per_class}/{settings.val_videos_per_class} videos a class for train/validation)")
    root = params.data_path
    if (root / "jester-v1-labels.csv").exists():
        train = JesterDataset(root, "train", train=True, **clip)
        return Splits(train, JesterDataset(root, "validation", train=False, **clip), train.num_classes,
                      "Validating accuracy (Jester)", f"Jester at {root}")
    lists = {name: root / f"{name}_list.txt" for name in ("train", "valid")}
    if all(p.exists() for p in lists.values()):
        # IsoGD clips are 32 frames in the paper (Sec. 3.2); smaller profiles keep their own length.
        clip["num_frames"] = ISOGD_FRAMES if params.profile == "full" else settings.num_frames
        train = IsoGDDataset(root, lists["train"], train=True, **clip)
        val = IsoGDDataset(root, lists["valid"], train=False, **clip)
        return Splits(train, val, ISOGD_CLASSES, "Validating accuracy (IsoGD)", f"IsoGD at {root}")
    raise ParameterError(
        f"data={str(root)!r}: neither a Jester folder (jester-v1-labels.csv, jester-v1-train.csv, "
        f"jester-v1-validation.csv and 20bn-jester-v1/) nor an IsoGD folder (train_list.txt and valid_list.txt "
        f"with lines 'path frame_count label'); point data at one of these, or use data='synthetic'"
    )


def train_variant(kind: str, splits: Splits, settings: Table1Preset, *, seed: int, device: torch.device,
                  checkpoint_dir: Path | None = None, progress: bool = True) -> dict:
    """Train the Fig. 1 network with cell ``kind``; return its validation accuracy and history."""
    generator = seed_everything(seed)
    model = build_res3d_convlstm_mobilenet(cell=kind, num_classes=splits.num_classes, width=settings.width,
                                           convlstm_channels=settings.convlstm_channels, scale_convlstm_with_width=False)
    train_loader = DataLoader(splits.train, batch_size=settings.batch_size, shuffle=True, generator=generator,
                              drop_last=len(splits.train) > settings.batch_size)
    val_loader = DataLoader(splits.validation, batch_size=settings.batch_size)
    config = FitConfig(epochs=settings.epochs, lr=settings.lr, optimizer=settings.optimizer, momentum=settings.momentum,
                       weight_decay=settings.weight_decay, lr_schedule="poly", final_lr=settings.final_lr,
                       poly_power=0.9, monitor="val_accuracy", restore_best=False)
    checkpoint = checkpoint_dir / f"{kind}-seed{seed}.pt" if checkpoint_dir else None
    result = fit(model, train_loader, config=config, val_loader=val_loader, device=device,
                 checkpoint_path=checkpoint, progress=progress, description=ROW_NAMES[kind])
    # The paper reports the validation accuracy after training (Sec. 3.3): the last epoch's.
    return {
        "accuracy": round(100 * result.history["val_accuracy"].iloc[-1], 4),
        "best_accuracy": round(100 * result.history["val_accuracy"].max(), 4),
        "train_accuracy": round(100 * result.history["train_accuracy"].iloc[-1], 4),
        "parameters_trained_network": torch_parameter_count(model),
        "history": result.history.round(6).to_dict(orient="list"),
    }


# ----------------------------------------------------------------------------------------------
# The table and its claims.


@dataclass
class Table1:
    table: pd.DataFrame
    """The contract's tidy table: paper beside ours."""
    claims: pd.DataFrame
    complexity: pd.DataFrame
    accuracy: pd.DataFrame
    timing: pd.DataFrame
    histories: dict
    data_description: str
    settings: Table1Preset
    wall_seconds: float
    chance: float
    """Accuracy (%) of guessing: 100 / number of classes."""
    learnt: bool
    """Whether the best network is above chance (one-sided binomial test, Bonferroni over the rows)."""
    p_value: float


def our_cells(complexity: pd.DataFrame, accuracy: pd.DataFrame, column: str, settings: Table1Preset) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit)."""
    cells = []
    for c in complexity.itertuples():
        acc = accuracy.set_index("kind").loc[c.kind]
        cells += [
            (c.row, column, acc["accuracy"], "%"),
            (c.row, "Channel Num", c.channels, ""),
            (c.row, "Parameter Size", c.paper_parameter_size / 1e6, "M"),
            (c.row, "Mult-Adds", c.paper_mult_adds / 1e6, "M"),
            (c.row, "PyTorch parameters (biases included)", c.torch_parameter_count / 1e6, "M"),
            (c.row, "Measured Mult-Adds (FLOP counter, one step)", c.measured_mult_adds / 1e6, "M"),
            (c.row, "Channel Num (trained network)", settings.convlstm_channels, ""),
        ]
    return pd.DataFrame(cells, columns=["row", "column", "ours", "unit"])


def check_claims(table: pd.DataFrame, column: str, *, learnt: bool = True) -> pd.DataFrame:
    """The paper's claims about Table 1, each decided on our numbers.

    ``learnt``: whether the best network is above chance (:func:`motion_rnn.report.above_chance`);
    when not, the accuracy claims still get their verdict, but their detail says it is uninformative.
    """
    ours = table.pivot(index="row", columns="column", values="ours")
    paper = table.pivot(index="row", columns="column", values="paper")
    acc = ours[column]
    conv, a, b, c, d = (ROW_NAMES[k] for k in CELL_KINDS)
    caveat = "" if learnt else " (no network is above chance: not informative)"
    claims = []

    param_ratio = ours.loc[conv, "Parameter Size"] / ours.loc[a, "Parameter Size"]
    claims.append(Claim(
        "Variant (a) needs about 9x fewer parameters than ConvLSTM (4.719M vs 0.529M, Table 1)",
        8.5 <= param_ratio <= 9.5, f"ours: {ours.loc[conv, 'Parameter Size']:.6f}M vs {ours.loc[a, 'Parameter Size']:.6f}M, "
                                   f"{param_ratio:.2f}x"))
    measured = "Measured Mult-Adds (FLOP counter, one step)"
    mult_ratio = ours.loc[conv, measured] / ours.loc[a, measured]
    claims.append(Claim(
        "Variant (a) needs about 9x fewer Mult-Adds than ConvLSTM (3700M vs 415M, Table 1), i.e. at least 8.9x",
        # The paper's own ratio (3700 / 415), read from its table, less 1% for its rounding.
        mult_ratio >= 0.99 * paper.loc[conv, "Mult-Adds"] / paper.loc[a, "Mult-Adds"], f"ours, measured: {ours.loc[conv, measured]:.1f}M vs {ours.loc[a, measured]:.1f}M a step, "
                                  f"{mult_ratio:.1f}x (paper's convention: {ours.loc[conv, 'Mult-Adds'] / ours.loc[a, 'Mult-Adds']:.1f}x)"))
    rounded = (ours["Parameter Size"].round(3) == paper["Parameter Size"]).all()
    claims.append(Claim(
        "Parameter sizes follow eqs. 7, 16, 20 and 24 (4.719M, 0.529M, 0.667M, 0.601M, 0.601M)",
        bool(rounded), "ours: " + ", ".join(f"{v:.3f}M" for v in ours.loc[list(ROW_NAMES.values()), "Parameter Size"])))
    deviation = (ours["Mult-Adds"] / paper["Mult-Adds"] - 1).abs().max()
    claims.append(Claim(
        "The Mult-Adds column is the parameter size times the 28x28 map (to within half a percent)",
        deviation <= 0.005, f"largest deviation of parameter size x 784 from the paper's column: {100 * deviation:.2f}%"))
    claims.append(Claim(
        "Variant (a) is at least as accurate as ConvLSTM (Jester 95.08 vs 95.11, IsoGD 55.98 vs 52.01; "
        "we allow 1 point)", acc[a] >= acc[conv] - 1.0, f"ours: (a) {acc[a]:.2f}% vs ConvLSTM {acc[conv]:.2f}%{caveat}"))
    claims.append(Claim(
        "Variant (b), attention on the input, is the least accurate of the five",
        acc[b] <= acc.drop(b).min(), "ours: " + ", ".join(f"{r} {acc[r]:.2f}%" for r in ROW_NAMES.values()) + caveat))
    claims.append(Claim(
        "Channel-wise attention in the input or output gate, variants (c) and (d), does not improve on "
        "variant (a) (we allow 1 point)", max(acc[c], acc[d]) <= acc[a] + 1.0,
        f"ours: (c) {acc[c]:.2f}%, (d) {acc[d]:.2f}% vs (a) {acc[a]:.2f}%{caveat}"))
    return claims_frame(claims)


def run_table1(params: RunParameters, *, progress: bool = True, measure_time: bool = True) -> Table1:
    """Run the whole of Table 1 for the checked notebook parameters and write the results files."""
    started = time.perf_counter()
    settings = preset(params.profile)
    paths = result_paths(params.results_dir, PAPER, TABLE)
    complexity = complexity_at_paper_shape()
    splits = load_data(params, settings)

    configs = [{"name": ROW_NAMES[kind], "kind": kind, "profile": params.profile, "data": params.data_label,
                "seed": params.seed, **asdict(settings)} for kind in CELL_KINDS]

    def run_one(config: dict) -> dict:
        return train_variant(config["kind"], splits, settings, seed=params.seed, device=params.device,
                             checkpoint_dir=paths.store, progress=progress)

    runs = run_sweep(configs, run_one, store_dir=paths.store, progress=progress)
    accuracy = runs[["kind", "name", "accuracy", "best_accuracy", "train_accuracy", "parameters_trained_network",
                     "seconds", "reused"]]
    histories = {row.kind: pd.DataFrame(row.history) for row in runs.itertuples()}

    table = paper_vs_ours(paper_table(PAPER, "table1"), our_cells(complexity, accuracy, splits.column, settings),
                          table="table1", params=params)
    learnt, p_value = above_chance(float(accuracy["accuracy"].max()), samples=len(splits.validation),
                                   num_classes=splits.num_classes, comparisons=len(CELL_KINDS))
    claims = check_claims(table, splits.column, learnt=learnt)
    timing = timing_table(settings, device=params.device) if measure_time else pd.DataFrame()

    if not timing.empty:  # a measurement: kept apart from the table that must be reproducible
        paths.table.parent.mkdir(parents=True, exist_ok=True)
        timing.to_csv(paths.table.with_suffix(".timing.csv"), index=False, float_format="%.6g")
    wall = time.perf_counter() - started
    write_results(params, PAPER, TABLE, table=table, claims=claims, wall_seconds=wall,
                  extra={"data_description": splits.description, "settings": asdict(settings)})
    return Table1(table, claims, complexity, accuracy, timing, histories, splits.description, settings, wall,
                  chance=100 / splits.num_classes, learnt=learnt, p_value=p_value)
