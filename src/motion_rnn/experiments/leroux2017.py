r"""Le Roux (2017), *Learning action recognition from 3D poses*: Tables 4-9, 11 and 12.

Every one of these tables changes one or two things of one network, the thesis's "improved
baseline" (Sec. 3.1.2): a unidirectional network of 3 layers of 100 GRU units, dropout keep
probability 0.5, L2 regularisation and early stopping, trained on each skeleton sequence whole
and classified from its last time step. :data:`BASELINE` holds it; each table lists only what its
rows change (:data:`TABLES`), and one function, :func:`train_row`, trains and tests any row
through the book's one loop, :func:`motion_rnn.train.fit`, with the thesis's training set-up:

* Xavier initialisation, GRU reset and update gate biases 1 (Sec. 3.1.2; in
  :func:`motion_rnn.models.recurrent.build_skeleton_rnn`);
* Adam, :math:`\eta = 5 \times 10^{-3}`, :math:`\epsilon = 10^{-4}`, :math:`\beta = (0.9, 0.999)`,
  mini-batches of :math:`B = 256` (Sec. 3.1.1, eqs. 5-7);
* gradient clipping "when its :math:`L^2` norm exceeds 1" (Sec. 3.1.1);
* early stopping with learning-rate decay: "When the validation error does not improve for some
  amount of time, we decrease the learning rate by a factor of 10 until reaching a minimal
  learning rate where we stop training" (Sec. 3.2);
* the cross-subject protocol with the validation performers 25, 27, 28, 31, 34, 35 and 38
  (Sec. 3.1.1); accuracy is measured on the test performers.

The data are NTU RGB+D ``.skeleton`` files: the synthetic ones of
:mod:`motion_rnn.data.synthetic.skeletons` by default (written once, then read by the same reader
as the real data set), or the real folder when ``data`` is its path. Tables 4-7 add a real
stand-in beside them in the same run, the smartwatch recordings of
:mod:`motion_rnn.data.smartwatch_exercises` (real people, split by person); the results table's
``data`` column tells the two apart and every claim is judged on each.

Departures and readings (the thesis is silent on these; each is ours):

* The thesis does not give its L2 weight, the patience of its early stopping, its minimal
  learning rate or where dropout acts; :class:`LeRouxPreset` sets them and says so.
* "Without early stopping" (Table 7) trains for the preset's epochs at the constant initial
  learning rate and tests the last epoch's weights; "with" decays the learning rate on plateaus
  down to the floor, stops there and tests the best epoch's weights on the validation set.
* The ``ci`` and ``quick`` profiles scale every width of the thesis by ``width`` (Table 4's 100
  to 800 units become ``width`` x those), subsample long sequences to ``max_frames`` frames and
  scale Table 12's :math:`|S|` by ``step_scale`` accordingly; ``full`` is the thesis's.
* Fig. 11 reads the class scores off an FC layer with a ReLU (``dense_size=None``); ReLU scores can
  all die on small data (see :mod:`motion_rnn.models.recurrent`), so the small profiles put a
  hidden FC + ReLU layer before a linear classifier (``dense_size``). ``full`` follows the thesis.
"""

from __future__ import annotations

import functools
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader

from motion_rnn.data import pose
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ntu import NTUSkeletonDataset, list_skeleton_files
from motion_rnn.data.sequences import SequenceDataset, materialize, subsample_frames
from motion_rnn.data.synthetic.skeletons import SYNTHETIC_NTU_ACTIONS, write_synthetic_ntu
from motion_rnn.models.losses import inattention_loss, make_regulariser, per_step_cross_entropy
from motion_rnn.models.recurrent import IMPROVED_BASELINE, build_skeleton_rnn, predict_from_steps
from motion_rnn.models.skeleton_inputs import pad_collate
from motion_rnn.models.skeleton_transformer import build_skeleton_transformer
from motion_rnn.parameters import ParameterError, RunParameters, check_choice
from motion_rnn.paths import data_cache_dir
from motion_rnn.reference import paper_table
from motion_rnn.report import Claim, claims_frame, paper_vs_ours
from motion_rnn.reproducibility import seed_everything
from motion_rnn.results import result_paths, write_results
from motion_rnn.sweep import run_sweep
from motion_rnn.train import FitConfig, evaluate, fit

PAPER = "leroux2017"
DATA_CHOICES = ("synthetic",)
STANDINS = ("smartwatch",)
"""Real stand-ins the notebooks of Tables 4-7 can run beside the skeletons (``standin=None``: none)."""
NTU_CLASSES = 60
NTU_LAYOUT = ("a folder holding the NTU RGB+D skeleton files, named SsssCcccPpppRrrrAaaa.skeleton "
              "(the data set's nturgb+d_skeletons folder, searched recursively)")


# ----------------------------------------------------------------------------------------------
# Settings of a profile


@dataclass(frozen=True)
class LeRouxPreset:
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
        return self.lr * 0.1 ** self.lr_decays

    def units(self, thesis_units: int) -> int:
        return max(2, int(round(thesis_units * self.width)))


PRESETS = {
    "ci": LeRouxPreset(performances_per_class=4, max_frames=16, standin_rate_hz=10.0, standin_window_s=1.6,
                       standin_stride_s=4.0, standin_windows_per_class=6, width=0.06, dense_size=16,
                       batch_size=32, lr=1e-2, max_epochs=4, plateau_patience=1, lr_decays=1, l2_weight=1e-4,
                       step_scale=0.2),
    "quick": LeRouxPreset(performances_per_class=16, max_frames=32, standin_rate_hz=12.5, standin_window_s=2.56,
                          standin_stride_s=2.0, standin_windows_per_class=40, width=0.25, dense_size=64,
                          batch_size=64, max_epochs=25, plateau_patience=2, lr_decays=2, l2_weight=1e-4,
                          step_scale=0.4),
    "full": LeRouxPreset(),
}


def preset(profile: str) -> LeRouxPreset:
    return PRESETS[check_choice("profile", profile, tuple(PRESETS))]


# ----------------------------------------------------------------------------------------------
# The improved baseline and the rows of each table


BASELINE: dict = dict(
    cell=IMPROVED_BASELINE["cell"],            # Sec. 3.1.2: GRU
    units=IMPROVED_BASELINE["hidden_size"],    # 100 units (per direction when bidirectional)
    layers=IMPROVED_BASELINE["num_layers"],    # Table 5: 3
    bidirectional=IMPROVED_BASELINE["bidirectional"],
    keep_prob=IMPROVED_BASELINE["keep_prob"],  # Table 6: 0.5
    l2=True,                                   # Table 7: with L2 ...
    early_stopping=True,                       # ... and early stopping
    inputs="positions",                        # Sec. 3.3.2: "positions" or "motion", M_t = P_{t+1} - P_t
    transformer=None,                          # Table 8: None, "linear", "affine", "positive", "convex"
    sparsity_mu=0.0,                           # Table 8's columns
    joints=25,                                 # Table 9: 25 or 13
    align=False,                               # Table 9: pose alignment of Sec. 4.2.2
    loss="last_step",                          # eq. (5); "every_step" eq. (11); "inattention" eq. (12)
    inattention_steps=None,                    # Table 12's |S| (thesis's count)
)
"""Sec. 3.1.2: "a Unidirectional RNN with 3 layers each containing 100 GRU units", regularised as
Sec. 3.2 says; the 79.2 % that recurs in Tables 4-9."""

CELL_NAMES = {"rnn": "Standard RNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass(frozen=True)
class Row:
    """One cell of a table: where it sits, and what it changes of :data:`BASELINE`."""

    row: str
    column: str
    changes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.row} | {self.column}"


def _table4() -> list[Row]:
    # "in the bidirectional case, each directional RNN gets half the number of units" (Sec. 3.1.2)
    rows = []
    for bidirectional, direction in ((False, "Unidirectional"), (True, "Bidirectional")):
        for cell in ("rnn", "lstm", "gru"):
            for total in (100, 200, 400, 800):
                units = total // 2 if bidirectional else total
                rows.append(Row(f"{direction} {CELL_NAMES[cell]}", str(total),
                                {"cell": cell, "units": units, "bidirectional": bidirectional}))
    return rows


def _table5() -> list[Row]:
    return [Row("Accuracy", str(n), {"layers": n}) for n in range(1, 9)]


def _table6() -> list[Row]:
    return [Row("Accuracy", f"{p:g}", {"keep_prob": p}) for p in (1.0, 0.9, 0.7, 0.5, 0.3, 0.1)]


def _table7() -> list[Row]:
    return [Row(f"{'With' if l2 else 'Without'} L2", f"{'With' if es else 'Without'} early stopping",
                {"l2": l2, "early_stopping": es}) for l2 in (False, True) for es in (False, True)]


def _table8() -> list[Row]:
    rows = [Row("Without", "mu = 0")]
    for kind in ("linear", "affine", "positive", "convex"):
        for mu in (0.0, 0.001, 0.01):
            rows.append(Row(f"{kind.capitalize()} combination", f"mu = {mu:g}", {"transformer": kind, "sparsity_mu": mu}))
    # Sec. 3.3.2: the improved baseline fed skeleton motion alone (a number of the text, not of Table 8).
    rows.append(Row(MOTION_ROW, "mu = 0", {"inputs": "motion"}))
    return rows


MOTION_ROW = "Without, skeleton motion only (Sec. 3.3.2)"


def _table9() -> list[Row]:
    return [Row(f"{j} joints", f"{'With' if a else 'Without'} alignment", {"joints": j, "align": a})
            for j in (13, 25) for a in (True, False)]


def _table11() -> list[Row]:
    # Appendix A.4: "our architecture contains 3 layers of BRNN ... dropout, early stopping and L2
    # ... a training loss that takes into the account the prediction of the BRNN at each time step".
    rows = []
    for loss, suffix in (("every_step", ""), ("last_step", LAST_STEP_SUFFIX)):
        for cell in ("rnn", "lstm", "gru"):
            for units in (50, 100, 200, 400):
                rows.append(Row(CELL_NAMES[cell] + suffix, str(units),
                                {"cell": cell, "units": units, "bidirectional": True, "loss": loss}))
    return rows


LAST_STEP_SUFFIX = ", last step (Table 4)"


def _table12() -> list[Row]:
    # "We exploit our best BRNN model (i.e., 200 GRU units per Direction)"; |S| = T is eq. (11).
    common = {"units": 200, "bidirectional": True, "loss": "inattention"}
    return [Row("GRU 200 Units", str(s), {**common, "inattention_steps": s}) for s in (10, 20, 30, 40, 50, 60, 70)] + \
        [Row("GRU 200 Units", "T", {**common, "loss": "every_step"})]


@dataclass(frozen=True)
class TableSpec:
    key: str           # the thesis's numbering, e.g. "table4"
    name: str          # the notebook's name, e.g. "table4_rnn_types"
    rows: Callable[[], list[Row]]
    standin: bool      # runs on the smartwatch stand-in too (no skeleton needed)


TABLES: dict[str, TableSpec] = {spec.key: spec for spec in (
    TableSpec("table4", "table4_rnn_types", _table4, True),
    TableSpec("table5", "table5_layers", _table5, True),
    TableSpec("table6", "table6_dropout", _table6, True),
    TableSpec("table7", "table7_regularisation", _table7, True),
    TableSpec("table8", "table8_skeleton_transformer", _table8, False),
    TableSpec("table9", "table9_alignment", _table9, False),
    TableSpec("table11", "table11_bidirectional", _table11, False),
    TableSpec("table12", "table12_inattention", _table12, False),
)}


def row_config(row: Row) -> dict:
    """The whole configuration of a row: :data:`BASELINE` with the row's changes."""
    unknown = set(row.changes) - set(BASELINE)
    if unknown:
        raise KeyError(f"{row.name}: {sorted(unknown)} are not settings of the baseline {sorted(BASELINE)}")
    return {**BASELINE, **row.changes}


# ----------------------------------------------------------------------------------------------
# Data


@dataclass
class RawSplits:
    """Sequences of one data set before the table's preprocessing: (T, 25, 3) skeletons (gaps filled)
    or (T, D) sensor windows, with labels, for the train, validation and test parts."""

    train: SequenceDataset
    validation: SequenceDataset
    test: SequenceDataset
    num_classes: int
    kind: str  # "skeleton" or "sensor"
    label: str  # the results' ``data`` value
    description: str
    class_names: tuple[str, ...] = ()


def synthetic_root(params: RunParameters) -> Path:
    return data_cache_dir() / "synthetic_ntu" / f"{params.profile}-seed{params.seed}"


def _read_skeletons(root: Path, label: str, description: str, num_classes: int, class_names) -> RawSplits:
    # Sec. 3.1.1: Kinect failures filled with a cubic spline per joint coordinate, once per file.
    parts = {split: materialize(NTUSkeletonDataset(root, split=split, protocol="cross_subject",
                                                   transform=pose.fill_missing))
             for split in ("train", "validation", "test")}
    empty = [s for s, d in parts.items() if len(d) == 0]
    if empty:
        raise ParameterError(f"data at {root}: the cross-subject {', '.join(empty)} part(s) hold no sequence; "
                             f"expected {NTU_LAYOUT} with training, validation (performers 25, 27, 28, 31, "
                             "34, 35, 38) and test performers")
    return RawSplits(parts["train"], parts["validation"], parts["test"], num_classes, "skeleton", label,
                     description, tuple(class_names))


def load_data(params: RunParameters, settings: LeRouxPreset) -> RawSplits:
    """The skeletons the ``data`` parameter names: synthetic NTU files (written once) or a real folder."""
    if params.data_path is None:
        root = write_synthetic_ntu(synthetic_root(params), performances_per_class=settings.performances_per_class,
                                   seed=params.seed)
        return _read_skeletons(
            root, params.data_label,
            f"synthetic NTU RGB+D skeletons ({len(SYNTHETIC_NTU_ACTIONS)} classes, "
            f"{settings.performances_per_class} performances a class, three cameras each), read from {root.name}/",
            len(SYNTHETIC_NTU_ACTIONS), SYNTHETIC_NTU_ACTIONS)
    root = params.data_path
    try:
        list_skeleton_files(root)
    except (DataFormatError, FileNotFoundError) as error:
        raise ParameterError(f"data={str(root)!r} is not an NTU RGB+D folder: expected {NTU_LAYOUT}; "
                             f"or use data='synthetic' ({error})") from None
    from motion_rnn.data.ntu import ACTION_NAMES
    return _read_skeletons(root, params.data_label, f"NTU RGB+D skeletons at {root}", NTU_CLASSES, ACTION_NAMES)


def load_standin(name: str, settings: LeRouxPreset) -> RawSplits:
    """The smartwatch exercises, windows split by person (persons 1-5 train, 6-7 validate, 8-10 test).

    Our choices: each channel is standardised with the training windows' mean and standard
    deviation; with ``standin_windows_per_class`` a class keeps that many windows of each part,
    evenly spaced over its recordings.
    """
    check_choice("standin", name, STANDINS)
    from motion_rnn.data.smartwatch_exercises import CLASS_NAMES, load_smartwatch_exercises

    windows = load_smartwatch_exercises(window_s=settings.standin_window_s, stride_s=settings.standin_stride_s,
                                        rate_hz=settings.standin_rate_hz)
    split = windows.split()
    parts = {}
    for part in ("train", "validation", "test"):
        index = np.asarray(getattr(split, part))
        if settings.standin_windows_per_class is not None:
            keep = []
            for label in range(len(CLASS_NAMES)):
                own = index[windows.labels[index] == label]
                take = np.linspace(0, len(own) - 1, min(len(own), settings.standin_windows_per_class)).round()
                keep.extend(own[take.astype(int)].tolist())
            index = np.asarray(sorted(keep))
        parts[part] = windows.subset(index)
    mean = parts["train"].sequences.mean(axis=(0, 1))
    std = parts["train"].sequences.std(axis=(0, 1)) + 1e-6
    data = {p: SequenceDataset((s.sequences - mean) / std, s.labels) for p, s in parts.items()}
    steps = parts["train"].sequences.shape[1]
    return RawSplits(data["train"], data["validation"], data["test"], len(CLASS_NAMES), "sensor", name,
                     f"smartwatch exercises (real; {len(CLASS_NAMES)} classes, windows of {steps} steps at "
                     f"{settings.standin_rate_hz:g} Hz, split by person: {len(data['train'])} train, "
                     f"{len(data['validation'])} validation, {len(data['test'])} test windows)", CLASS_NAMES)


def prepare_sequence(seq: np.ndarray, *, joints: int, align: bool, inputs: str, max_frames: int | None,
                     reference_bone_lengths: np.ndarray | None = None) -> np.ndarray:
    """One skeleton (T, 25, 3), gaps filled, -> what the network reads: (T', J, 3).

    Table 9: the 13 joints of Sec. 4.2.2 or all 25; pose alignment (Sec. 4.2.2) or the baseline's
    translation of the first frame's torso to the origin (Sec. 3.1.1); then, ours, at most
    ``max_frames`` evenly spaced frames; then skeleton motion :math:`M_t = P_{t+1} - P_t` if asked
    (Sec. 3.3.2).
    """
    out = pose.preprocess(seq, num_joints=joints, align=align, fill=False, reference_bone_lengths=reference_bone_lengths)
    if max_frames is not None:
        out = subsample_frames(out, max_frames + (1 if inputs == "motion" else 0))
    if inputs == "motion":
        out = pose.skeleton_motion(out)
    return np.asarray(out, dtype=np.float32)


@dataclass
class Prepared:
    train: SequenceDataset
    validation: SequenceDataset
    test: SequenceDataset
    input_shape: tuple[int, ...]  # one step: (J, 3) or (D,)


def prepare(raw: RawSplits, config: dict, settings: LeRouxPreset) -> Prepared:
    """The three parts as the row's network reads them."""
    if raw.kind == "sensor":
        if config["transformer"] or config["joints"] != 25 or config["align"] or config["inputs"] != "positions":
            raise ValueError("skeleton settings (transformer, joints, align, motion) need skeletons, not sensor windows")
        cut = (lambda s: subsample_frames(s, settings.max_frames)) if settings.max_frames else None
        parts = [SequenceDataset(d.sequences, d.labels, transform=cut) for d in (raw.train, raw.validation, raw.test)]
        return Prepared(*parts, input_shape=tuple(raw.train.sequences[0].shape[1:]))
    reference = None
    if config["align"]:
        # Sec. 4.2.2: "compute the length of body bones on the training set"
        reference = pose.bone_length_statistics(
            pose.select_joints(s) if config["joints"] == 13 else s for s in raw.train.sequences)
    transform = functools.partial(prepare_sequence, joints=config["joints"], align=config["align"],
                                  inputs=config["inputs"], max_frames=settings.max_frames,
                                  reference_bone_lengths=reference)
    parts = [SequenceDataset([transform(s) for s in d.sequences], d.labels) for d in (raw.train, raw.validation, raw.test)]
    return Prepared(*parts, input_shape=(config["joints"], 3))


# ----------------------------------------------------------------------------------------------
# One row: build, train, test


def build_model(config: dict, input_shape: tuple[int, ...], num_classes: int, settings: LeRouxPreset):
    """The row's network (:func:`motion_rnn.models.recurrent.build_skeleton_rnn`), widths scaled by the preset."""
    transformer = None
    if config["transformer"] is not None:
        transformer = build_skeleton_transformer(kind=config["transformer"], num_joints=input_shape[0],
                                                 sparsity_mu=config["sparsity_mu"])
    return build_skeleton_rnn(
        input_size=int(np.prod(input_shape)), num_classes=num_classes, cell=config["cell"],
        hidden_size=settings.units(config["units"]), num_layers=config["layers"],
        bidirectional=config["bidirectional"], per_step=config["loss"] != "last_step",
        keep_prob=config["keep_prob"], dense_size=settings.dense_size, transformer=transformer)


def inattention_size(config: dict, settings: LeRouxPreset) -> int | None:
    """Table 12's |S| for this profile: the thesis's count times ``step_scale``."""
    if config["loss"] != "inattention":
        return None
    return max(1, int(round(config["inattention_steps"] * settings.step_scale)))


def loss_and_prediction(config: dict, settings: LeRouxPreset):
    """The training loss (eq. 5, 11 or 12) and how a sequence's class is read (last step, or mean over steps)."""
    if config["loss"] == "last_step":
        return None, None
    if config["loss"] == "every_step":
        return per_step_cross_entropy, predict_from_steps
    if config["loss"] == "inattention":
        return functools.partial(inattention_loss, num_steps=inattention_size(config, settings)), predict_from_steps
    raise ValueError(f"loss={config['loss']!r} is not 'last_step', 'every_step' or 'inattention'")


def fit_config(config: dict, settings: LeRouxPreset) -> FitConfig:
    """Sec. 3.1.1's optimiser and clipping; Sec. 3.2's early stopping with learning-rate decay (or none)."""
    common = dict(epochs=settings.max_epochs, lr=settings.lr, optimizer="adam", adam_eps=settings.adam_eps,
                  grad_clip_norm=settings.grad_clip_norm, monitor="val_accuracy")
    if not config["early_stopping"]:
        return FitConfig(**common, lr_schedule="constant", restore_best=False)
    return FitConfig(**common, lr_schedule="plateau", plateau_factor=0.1, plateau_patience=settings.plateau_patience,
                     final_lr=settings.final_lr, restore_best=True,
                     # ours: stop once the floor has been reached and waited on as long as each decay
                     early_stopping_patience=settings.plateau_patience * (settings.lr_decays + 1) + 1)


def train_row(config: dict, data: Prepared, num_classes: int, settings: LeRouxPreset, *, seed: int,
              device: torch.device, checkpoint: Path | None = None, progress: bool = True,
              description: str = "row") -> dict:
    """Train one row's network and return its test accuracy (%), with validation and training numbers."""
    generator = seed_everything(seed)
    model = build_model(config, data.input_shape, num_classes, settings)
    collate = functools.partial(pad_collate, key="inputs")
    train_loader = DataLoader(data.train, batch_size=settings.batch_size, shuffle=True, generator=generator,
                              collate_fn=collate)
    val_loader = DataLoader(data.validation, batch_size=settings.batch_size, collate_fn=collate)
    test_loader = DataLoader(data.test, batch_size=settings.batch_size, collate_fn=collate)
    loss_fn, predict_fn = loss_and_prediction(config, settings)
    keys = dict(input_key="inputs", model_kwargs_keys=("lengths",), loss_fn=loss_fn, predict_fn=predict_fn)
    regulariser = make_regulariser(l2_weight=settings.l2_weight if config["l2"] else 0.0)
    result = fit(model, train_loader, config=fit_config(config, settings), val_loader=val_loader, device=device,
                 regulariser=regulariser, checkpoint_path=checkpoint, progress=progress, description=description, **keys)
    test = evaluate(model, test_loader, device=device, **keys)
    history = result.history
    return {
        "accuracy": round(100 * test["accuracy"], 4),
        "val_accuracy": round(100 * float(history["val_accuracy"].iloc[result.best_epoch - 1 if config["early_stopping"] else -1]), 4),
        "train_accuracy": round(100 * float(history["train_accuracy"].iloc[-1]), 4),
        "epochs": int(len(history)),
        "units": settings.units(config["units"]),
        "history": history.round(6).to_dict(orient="list"),
    }


# ----------------------------------------------------------------------------------------------
# A table: rows, our cells, the claims


@dataclass
class TableRun:
    table: pd.DataFrame
    """The contract's tidy table, the thesis's number beside ours, one block per data set."""
    claims: pd.DataFrame
    paper_claims: pd.DataFrame
    """The same claims judged on the thesis's own numbers (a reading aid)."""
    runs: pd.DataFrame
    descriptions: dict
    num_classes: dict
    settings: LeRouxPreset
    wall_seconds: float


def our_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Our numbers as tidy cells (row, column, ours, unit): test accuracy in % of every row."""
    return pd.DataFrame({"row": runs["row"], "column": runs["column"], "ours": runs["accuracy"], "unit": "%"})


def reference(key: str) -> pd.DataFrame:
    """The thesis's table ``key`` (tidy), with Table 11's comparison rows taken from Table 4."""
    paper = _text_columns(paper_table(PAPER, key))
    if key == "table11":
        brnn = _text_columns(paper_table(PAPER, "table4"))
        brnn = brnn[brnn["row"].str.startswith("Bidirectional ")].copy()
        brnn["row"] = brnn["row"].str.removeprefix("Bidirectional ") + LAST_STEP_SUFFIX
        brnn["column"] = (brnn["column"].astype(int) // 2).astype(str)  # Table 4 counts both directions
        paper = pd.concat([paper, brnn], ignore_index=True)
    return paper.drop(columns="table")


def _text_columns(paper: pd.DataFrame) -> pd.DataFrame:
    """Column names as the rows name them ("1", "0.9", "100"), whatever type the CSV reader gave them."""
    return paper.assign(column=[f"{c:g}" if isinstance(c, (int, float, np.number)) else str(c) for c in paper["column"]])


def _wide(table: pd.DataFrame, values: str) -> pd.DataFrame:
    rows, columns = list(dict.fromkeys(table["row"])), list(dict.fromkeys(table["column"]))
    return table.pivot(index="row", columns="column", values=values).reindex(index=rows, columns=columns).astype(float)


def _fmt(values) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in values.items())


def _claims_table4(a: pd.DataFrame) -> list[Claim]:
    claims = []
    widths = list(a.columns)
    order_ok = [(d, w) for d in ("Unidirectional", "Bidirectional") for w in widths
                if a.loc[f"{d} GRU", w] > a.loc[f"{d} LSTM", w] > a.loc[f"{d} Standard RNN", w]]
    claims.append(Claim('"In all cases, GRU beats LSTM which in turns outperforms Standard RNN" (Table 4)',
                        len(order_ok) == 2 * len(widths), f"GRU > LSTM > RNN in {len(order_ok)} of {2 * len(widths)} columns"))
    uni = a.loc[[r for r in a.index if r.startswith("Uni")]].to_numpy()
    bi = a.loc[[r for r in a.index if r.startswith("Bi")]].to_numpy()
    wins = int((uni > bi).sum())
    claims.append(Claim('"In general, URNN performs better than BRNN" (Table 4): in more than half of the 12 '
                        "pairs of the same cell and total units", wins > uni.size / 2,
                        f"URNN better in {wins} of {uni.size} pairs; mean URNN {uni.mean():.2f}, BRNN {bi.mean():.2f}"))
    grows = {d: a.loc[f"{d} Standard RNN", widths[-1]] > a.loc[f"{d} Standard RNN", widths[0]]
             for d in ("Unidirectional", "Bidirectional")}
    claims.append(Claim('"as we augment the number of units, the performance of Standard RNN improves" (Table 4): '
                        "the widest beats the narrowest, in both directions", all(grows.values()),
                        "; ".join(f"{d}: {_fmt(a.loc[f'{d} Standard RNN'])}" for d in grows)))
    spread = {r: float(a.loc[r].max() - a.loc[r].min()) for r in ("Unidirectional LSTM", "Unidirectional GRU")}
    spread.update({r: float(a.loc[r, widths[1:]].max() - a.loc[r, widths[1:]].min())
                   for r in ("Bidirectional LSTM", "Bidirectional GRU")})
    claims.append(Claim('"[the performance] stays roughly the same for GRU and LSTM (except for BRNN with 50 units)" '
                        "(Table 4): within 2 points across widths (the thesis's spread is under 1 point)",
                        max(spread.values()) <= 2.0, "spread: " + _fmt(spread)))
    best = a.stack().idxmax()
    claims.append(Claim("The best network of Table 4 is a unidirectional GRU (the thesis's 79.2 with 100 units)",
                        best[0] == "Unidirectional GRU", f"best: {best[0]}, {best[1]} units, {a.stack().max():.2f}"))
    return claims


def _claims_table5(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["Accuracy"]
    best = acc.idxmax()
    claims = [Claim('"An architecture with 3 layers brings the best score" (Table 5)', best == "3",
                    f"best: {best} layers; " + _fmt(acc))]
    up, down = acc.loc[["1", "2", "3"]], acc.loc[[str(n) for n in range(3, 9)]]
    claims.append(Claim('"If we either decrease or increase the number of layers, the accuracy will progressively '
                        'diminish" (Table 5): rising from 1 to 3 layers and falling from 3 to 8',
                        bool((up.diff().dropna() > 0).all() and (down.diff().dropna() < 0).all()), _fmt(acc)))
    claims.append(Claim("Stacking helps: 3 layers beat 1 layer (72.35 vs 79.2 in Table 5)", acc["3"] > acc["1"],
                        f"1 layer {acc['1']:.2f}, 3 layers {acc['3']:.2f}"))
    return claims


def _claims_table6(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["Accuracy"]
    best = acc.idxmax()
    return [
        Claim("Keep probability 0.5 is best (79.2 in Table 6)", best == "0.5", f"best: {best}; " + _fmt(acc)),
        Claim('"Using, either not enough or too much dropout can dramatically diminish the accuracy" (Table 6): '
              "keep probabilities 1 and 0.1 both fall below 0.5", acc["1"] < acc["0.5"] and acc["0.1"] < acc["0.5"],
              f"1: {acc['1']:.2f}, 0.5: {acc['0.5']:.2f}, 0.1: {acc['0.1']:.2f}"),
    ]


def _claims_table7(a: pd.DataFrame) -> list[Claim]:
    no, es, l2, both = (a.loc["Without L2", "Without early stopping"], a.loc["Without L2", "With early stopping"],
                        a.loc["With L2", "Without early stopping"], a.loc["With L2", "With early stopping"])
    detail = f"neither {no:.2f}, early stopping {es:.2f}, L2 {l2:.2f}, both {both:.2f}"
    return [
        Claim('"L2 regularization [...] individually provide[s] improved performance" (Table 7)', l2 > no, detail),
        Claim('"early stopping [...] individually provide[s] improved performance" (Table 7)', es > no, detail),
        Claim('"when combined they further boost our model\'s accuracy" (Table 7): both beat either alone',
              both > max(es, l2), detail),
    ]


def _claims_table8(a: pd.DataFrame) -> list[Claim]:
    kinds = ["Linear combination", "Affine combination", "Positive combination", "Convex combination"]
    mu0 = a.loc[kinds, "mu = 0"]
    claims = [Claim('"all the proposed combinations (affine, positive and convex) improve over the linear baseline '
                    'of Li et al." (Table 8, mu = 0)', bool((mu0.iloc[1:] > mu0.iloc[0]).all()), _fmt(mu0))]
    sparse = [(k, c) for k in kinds for c in ("mu = 0.001", "mu = 0.01") if a.loc[k, c] > a.loc[k, "mu = 0"]]
    claims.append(Claim('"the sparsity constraint does not seem to give any improvement" (Table 8): no mu > 0 beats '
                        "mu = 0 of the same combination", not sparse,
                        f"{len(sparse)} of 8 sparse cells beat their mu = 0" + (": " + "; ".join(f"{k} {c}" for k, c in sparse) if sparse else "")))
    columns = ["mu = 0", "mu = 0.001", "mu = 0.01"]
    pairs = [(s, u, c) for s, u in (("Affine combination", "Linear combination"), ("Convex combination", "Positive combination"))
             for c in columns]
    better = [a.loc[s, c] > a.loc[u, c] for s, u, c in pairs]
    claims.append(Claim('"in all the cases restraining the weights to sum to 1 is improving the accuracy" (Table 8): '
                        "affine beats linear and convex beats positive, in each mu column", all(better),
                        f"true in {sum(better)} of {len(better)} pairs"))
    best = a.drop(index=[MOTION_ROW], errors="ignore").stack().idxmax()
    claims.append(Claim('"with an affine combination and without any sparse constraint, we obtain 79.58%": the best '
                        "cell of Table 8, above the network without transformer",
                        best == ("Affine combination", "mu = 0") and a.loc["Affine combination", "mu = 0"] > a.loc["Without", "mu = 0"],
                        f"best: {best[0]}, {best[1]}; affine {a.loc['Affine combination', 'mu = 0']:.2f}, without "
                        f"{a.loc['Without', 'mu = 0']:.2f}"))
    if MOTION_ROW in a.index and not np.isnan(a.loc[MOTION_ROW, "mu = 0"]):
        motion, positions = a.loc[MOTION_ROW, "mu = 0"], a.loc["Without", "mu = 0"]
        claims.append(Claim('Skeleton motion alone does less well than positions: "by training on skeleton motion '
                            'sequence only [...] we can reach as high as 75.57%" (Sec. 3.3.2), against 79.2',
                            motion < positions, f"motion {motion:.2f}, positions {positions:.2f}"))
    return claims


def _claims_table9(a: pd.DataFrame) -> list[Claim]:
    base, aligned = a.loc["25 joints", "Without alignment"], a.loc["25 joints", "With alignment"]
    few, both = a.loc["13 joints", "Without alignment"], a.loc["13 joints", "With alignment"]
    detail = f"25 joints {base:.2f}, aligned {aligned:.2f}, 13 joints {few:.2f}, both {both:.2f}"
    return [
        Claim('Pose alignment costs accuracy: "they both individually provide worse performance" (Table 9)',
              aligned < base, detail),
        Claim('Dropping to 13 joints costs accuracy: "they both individually provide worse performance" (Table 9)',
              few < base, detail),
        Claim('"when combined they further degrade our model\'s accuracy" (Table 9)', both < min(aligned, few), detail),
    ]


def _claims_table11(a: pd.DataFrame) -> list[Claim]:
    every = a.loc[["Standard RNN", "LSTM", "GRU"]]
    means = every.mean(axis=1)
    claims = [Claim('"on the overall, GRU beats LSTM which in turns outperforms Standard RNN" (Table 11): mean over widths',
                    means["GRU"] > means["LSTM"] > means["Standard RNN"], _fmt(means))]
    best = every.stack().idxmax()
    claims.append(Claim("The best bidirectional network is a GRU (200 units per direction, 79.03, Table 11)",
                        best[0] == "GRU", f"best: {best[0]}, {best[1]} units per direction, {every.stack().max():.2f}"))
    last = [f"{c}{LAST_STEP_SUFFIX}" for c in every.index]
    if all(r in a.index for r in last):
        gain = every.to_numpy() - a.loc[last].to_numpy()
        wins = int((gain > 0).sum())
        claims.append(Claim("A loss over every time step (eq. 11) beats the last-step loss of Table 4 for the same "
                            "BRNN in most cells (9 of 12 in the thesis)", wins > gain.size / 2,
                            f"better in {wins} of {gain.size} cells; mean gain {gain.mean():+.2f} points"))
    return claims


def _claims_table12(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["GRU 200 Units"]
    full, subsets = acc["T"], acc.drop("T")
    gain = float(subsets.max() - full)
    return [
        Claim('"our contribution is not improving much over the baseline |S| = T" (Table 12): no |S| beats |S| = T '
              "by more than 1 point", gain <= 1.0, f"|S| = T {full:.2f}; best |S| = {subsets.idxmax()} {subsets.max():.2f} "
                                                  f"({gain:+.2f})"),
        Claim('"even when it does [improve]": some |S| < T does at least as well as |S| = T (20 and 50 in Table 12)',
              gain >= 0, _fmt(acc)),
    ]


CLAIMS: dict[str, Callable[[pd.DataFrame], list[Claim]]] = {
    "table4": _claims_table4, "table5": _claims_table5, "table6": _claims_table6, "table7": _claims_table7,
    "table8": _claims_table8, "table9": _claims_table9, "table11": _claims_table11, "table12": _claims_table12,
}


def check_claims(table: pd.DataFrame, key: str, *, values: str = "ours") -> pd.DataFrame:
    """The thesis's claims about table ``key``, each decided on ``values`` ("ours" or "paper") of
    every data set in ``table``; with several data sets each claim is judged once per data set."""
    claims = []
    labels = list(dict.fromkeys(table["data"]))
    for label in labels:
        part = table[table["data"] == label]
        for claim in CLAIMS[key](_wide(part, values)):
            text = claim.claim if len(labels) == 1 else f"[{label}] {claim.claim}"
            claims.append(replace(claim, claim=text, holds=bool(claim.holds)))
    return claims_frame(claims)


# ----------------------------------------------------------------------------------------------
# Running a table


def check_standin(key: str, standin: str | None) -> str | None:
    """The notebook's ``standin`` parameter: one of :data:`STANDINS` for Tables 4-7, or None."""
    if standin is None:
        return None
    check_choice("standin", standin, STANDINS)
    if not TABLES[key].standin:
        raise ParameterError(f"standin={standin!r}: {key} needs skeletons, which no stand-in has; use standin=None")
    return standin


@contextmanager
def _threads(count: int | None):
    """Small recurrent networks run faster on one CPU thread than on several that compete."""
    previous = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def run_table(key: str, params: RunParameters, *, standin: str | None = None, progress: bool = True,
              cpu_threads: int | None = 1) -> TableRun:
    """Run every row of table ``key`` on the skeletons (and the stand-in, for Tables 4-7) and write
    the results files. ``cpu_threads``: torch's threads while training on the CPU (None: as set)."""
    started = time.perf_counter()
    spec = TABLES[key]
    check_standin(key, standin)
    settings = preset(params.profile)
    paths = result_paths(params.results_dir, PAPER, spec.name)
    sources = [load_data(params, settings)] + ([load_standin(standin, settings)] if standin else [])

    tables, all_runs = [], []
    with _threads(cpu_threads if params.device.type == "cpu" else None):
        for raw in sources:
            prepared: dict = {}

            def data_for(config: dict) -> Prepared:
                k = (config["joints"], config["align"], config["inputs"])
                if k not in prepared:
                    prepared[k] = prepare(raw, config, settings)
                return prepared[k]

            configs = [{"name": r.name, "row": r.row, "column": r.column, "table": key, "profile": params.profile,
                        "data": raw.label, "seed": params.seed, **row_config(r), "settings": asdict(settings)}
                       for r in spec.rows()]

            def run_one(config: dict, raw=raw, data_for=data_for) -> dict:
                checkpoint = paths.store / f"{raw.label}-{config['name'].replace(' ', '_').replace('|', '-')}.pt"
                return train_row(config, data_for(config), raw.num_classes, settings, seed=params.seed,
                                 device=params.device, checkpoint=checkpoint, progress=progress,
                                 description=f"{raw.label}: {config['name']}")

            runs = run_sweep(configs, run_one, store_dir=paths.store, progress=progress)
            all_runs.append(runs)
            tables.append(paper_vs_ours(reference(key), our_cells(runs), table=key,
                                        params=replace(params, data=raw.label, data_path=None)))
    table = pd.concat(tables, ignore_index=True)
    claims = check_claims(table, key)
    paper_claims = check_claims(table[table["data"] == sources[0].label], key, values="paper") \
        if table["paper"].notna().any() else claims_frame([])
    wall = time.perf_counter() - started
    descriptions = {raw.label: raw.description for raw in sources}
    write_results(params, PAPER, spec.name, table=table, claims=claims, wall_seconds=wall,
                  extra={"data_description": descriptions, "settings": asdict(settings), "standin": standin})
    return TableRun(table, claims, paper_claims, pd.concat(all_runs, ignore_index=True), descriptions,
                    {raw.label: raw.num_classes for raw in sources}, settings, wall)


# ----------------------------------------------------------------------------------------------
# Presentation


def plot_table(table: pd.DataFrame, *, title: str = "", xlabel: str = ""):
    """One panel for the thesis's numbers and one for ours on each data set: accuracy against the
    table's columns, a line a row. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    labels = list(dict.fromkeys(table["data"]))
    first = table[table["data"] == labels[0]]
    panels = [("thesis (NTU RGB+D)", first, "paper")] + [(f"ours ({label})", table[table["data"] == label], "ours")
                                                         for label in labels]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    columns = list(dict.fromkeys(table["column"]))
    for ax, (name, part, values) in zip(axes[0], panels):
        wide = _wide(part, values).reindex(columns=columns)
        for i, (row, series) in enumerate(wide.iterrows()):
            if series.notna().any():
                ax.plot(range(len(columns)), series.to_numpy(), marker="o", color=f"C{i % 10}", label=row)
        ax.set_xticks(range(len(columns)), columns, rotation=30 if max(map(len, columns)) > 6 else 0,
                      ha="right" if max(map(len, columns)) > 6 else "center")
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test accuracy (%)")
        ax.grid(alpha=0.3)
    handles, names = axes[0][0].get_legend_handles_labels()
    extra = [(h, n) for ax in axes[0][1:] for h, n in zip(*ax.get_legend_handles_labels()) if n not in names]
    for h, n in extra:
        handles.append(h)
        names.append(n)
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)), fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08 + 0.045 * ((len(names) - 1) // 4), 1, 1))
    return fig
