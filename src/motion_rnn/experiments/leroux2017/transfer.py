"""Le Roux's Table 10: the Table 9 network, trained on Kinect-like skeletons and motion capture,
recognises actions from 3D poses estimated in real videos (Sec. 4.2.3).

The thesis trains its improved baseline with 13 joints and pose alignment on NTU RGB+D (74.43%,
Table 9) and classifies 30 YouTube clips of 10 NTU actions from LCR-net's poses, one pose a frame
chosen by 2D tracking or by 3D temporal smoothing: random 1.7%, tracking 10%, smoothing 13.3%.

Here, by default:

* **training set**: the synthetic NTU skeletons (:mod:`motion_rnn.data.ntu.synthetic`, 12
  classes) reduced to the 13 joints, plus real human motion for the actions the test clips show:
  DeepMimic's motion capture (:mod:`motion_rnn.data.deepmimic`), the *jump* as NTU's A027 "jump
  up" and the *kick* as A024 "kicking something". One capture a class, so each part draws its
  own performances from it (ours): a body scale of 0.85-1.15, a speed of 0.75-1.33, a start and
  end trimmed by up to 10% each, a mirror image half the time, a turn of up to 45 degrees
  about the vertical and 1 cm of joint noise. Each capture gives ``mocap_train`` and
  ``mocap_validation`` performances, about as many as a synthetic class has recordings in those
  parts (at ``quick``: 32 and 8, against 24 and 9).
* **test set**: the poses estimated in real videos and stored in the package
  (:mod:`motion_rnn.data.estimated_poses`; MediaPipe Pose in place of LCR-net), or a reader's own
  folder of them (the ``clips`` option: a ``clips.csv`` and one ``<clip_id>.npz`` a clip, written
  by ``tools/estimate_poses.py``). Every clip's NTU class must be among the training classes.
* **network**: Table 9's "13 joints, with alignment" row of the thesis's improved baseline,
  trained by :func:`motion_rnn.experiments.leroux2017.training` with the profile's settings.

One trained network a seed gives all three rows: "Random" is the accuracy of a uniform guess over
the training classes (the thesis's 1.7% is 1/60), "2D tracking" and "3D temporal smoothing" the
accuracy on the clips with the poses each selection gives.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from torch.utils.data import DataLoader

from motion_rnn.choices import ParameterError
from motion_rnn.data import deepmimic, pose
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.estimated_poses import ESTIMATED_POSES_DIR, list_clips, read_estimated, track_2d, viterbi_smoothing
from motion_rnn.data.ntu.reader import ACTION_NAMES
from motion_rnn.data.sequences import SequenceDataset, subsample_frames
from motion_rnn.experiments.leroux2017.data import load_skeletons
from motion_rnn.experiments.leroux2017.rows import Row, row_config
from motion_rnn.experiments.leroux2017.settings import PRESETS as NETWORK_PRESETS
from motion_rnn.experiments.leroux2017.settings import Settings
from motion_rnn.experiments.leroux2017.training import build_model, fit_config, loss_and_prediction
from motion_rnn.fingerprint import data_fingerprint
from motion_rnn.models.leroux2017.losses import make_regulariser
from motion_rnn.models.leroux2017.skeleton_inputs import pad_collate
from motion_rnn.reproducibility import seed_everything
from motion_rnn.sources import Source
from motion_rnn.statistics import ItemScores
from motion_rnn.train import evaluate, fit

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sweep import RowContext

MOCAP_ACTIONS: dict[str, int] = {"humanoid3d_jump.txt": 27, "humanoid3d_kick.txt": 24}
"""DeepMimic clip -> NTU action number (A027 jump up, A024 kicking something)."""
SELECTIONS = {"2D tracking": track_2d, "3D temporal smoothing": viterbi_smoothing}
"""The thesis's two ways of choosing one pose a frame (Sec. 4.1.2): Table 10's rows."""
RANDOM = "Random"
COLUMN = "Accuracy"
NETWORK_ROW = Row("13 joints", "With alignment", {"joints": 13, "align": True})
"""Table 9's row that the thesis uses for Table 10 (74.43% on NTU RGB+D)."""


@dataclass(frozen=True)
class TransferSettings:
    """The Table 9 network's profile (:data:`motion_rnn.experiments.leroux2017.settings.PRESETS`)
    and how many performances each motion capture gives the training and validation parts."""

    network: Settings = field(default_factory=Settings)
    mocap_train: int = 40
    mocap_validation: int = 10
    # the draws of a performance from one capture (ours)
    scale: tuple[float, float] = (0.85, 1.15)
    speed: tuple[float, float] = (0.75, 1.33)
    trim: float = 0.1
    turn_degrees: float = 45.0
    noise_m: float = 0.01


PRESETS = {
    "ci": TransferSettings(network=NETWORK_PRESETS["ci"], mocap_train=8, mocap_validation=2),
    "quick": TransferSettings(network=NETWORK_PRESETS["quick"], mocap_train=32, mocap_validation=8),
    "full": TransferSettings(network=NETWORK_PRESETS["full"]),
}


@dataclass
class TransferData:
    """What a row trains and tests on (a source's payload)."""

    train: SequenceDataset
    validation: SequenceDataset
    ntu_test: SequenceDataset
    clips: dict[str, SequenceDataset]
    """Selection (Table 10's row) -> the clips' aligned poses, in ``clip_ids`` order."""
    clip_ids: list[str]
    class_names: list[str]


def perform(skeleton: np.ndarray, rng: np.random.Generator, settings: TransferSettings) -> np.ndarray:
    """One performance drawn from a capture (T, 13, 3) in NTU's camera axes (see the module docstring)."""
    t = len(skeleton)
    cut = rng.uniform(0, settings.trim, 2)
    start, end = int(cut[0] * t), t - int(cut[1] * t)
    part = skeleton[start:end]
    frames = max(8, int(round(len(part) / rng.uniform(*settings.speed))))
    times = np.linspace(0, len(part) - 1, frames)
    low = np.floor(times).astype(int)
    high = np.minimum(low + 1, len(part) - 1)
    w = (times - low)[:, None, None]
    out = (1 - w) * part[low] + w * part[high]
    centre = out[0].mean(0)
    out = out - centre
    if rng.uniform() < 0.5:  # the mirror image: x negated, left and right joints swapped
        swap = [0, 4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]
        out = out[:, swap] * np.array([-1.0, 1.0, 1.0])
    angle = np.radians(rng.uniform(-settings.turn_degrees, settings.turn_degrees))
    c, s = np.cos(angle), np.sin(angle)
    turn = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    out = rng.uniform(*settings.scale) * out @ turn.T + centre
    return out + rng.normal(0.0, settings.noise_m, out.shape)


def _captures() -> dict[int, np.ndarray]:
    """NTU action number -> the capture as 13 NTU joints at 30 Hz."""
    out = {}
    skeleton = deepmimic.read_humanoid()
    for name, action in MOCAP_ACTIONS.items():
        motion = deepmimic.resample(deepmimic.read_motion(deepmimic.DEEPMIMIC_DIR / name))
        out[action] = deepmimic.to_ntu13(deepmimic.forward_kinematics(motion, skeleton))
    return out


def _file_digest(paths) -> dict[str, str]:
    return {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest()[:16] for p in paths}


def load_data(params: RunParameters, settings: TransferSettings, clips: str | None = None) -> list[Source]:
    """The training skeletons (the ``data`` parameter's NTU set, 13 joints, with the motion
    captures) and the estimated clips (``clips``: a folder, or None for the stored ones)."""
    folder = ESTIMATED_POSES_DIR if clips is None else Path(clips).expanduser()
    if not (folder / "clips.csv").is_file():
        raise ParameterError(
            f"clips={str(folder)!r}: no clips.csv there; give a folder with clips.csv and one <clip_id>.npz a clip "
            "(written by tools/estimate_poses.py), or clips=None for the stored clips"
        )
    listed = list_clips(folder / "clips.csv")
    ntu = load_skeletons(params, settings.network)
    raw = ntu.payload
    ntu_names = list(raw.class_names)
    captures = _captures()
    mocap_names = [ACTION_NAMES[a - 1] for a in captures]
    class_names = ntu_names + [n for n in mocap_names if n not in ntu_names]
    missing = sorted({c.ntu_name for c in listed} - set(class_names))
    if missing:
        raise ParameterError(
            f"clips of {', '.join(map(repr, missing))}, which no training sequence shows (training classes: "
            f"{', '.join(class_names)}); remove them from clips.csv"
        )

    rng = np.random.default_rng([params.seed, 10])
    parts = {}
    for part, count in (("train", settings.mocap_train), ("validation", settings.mocap_validation)):
        ntu_part = getattr(raw, part)
        sequences = [pose.select_joints(s) for s in ntu_part.sequences]
        labels = list(ntu_part.labels)
        for action, capture in captures.items():
            label = class_names.index(ACTION_NAMES[action - 1])
            sequences += [perform(capture, rng, settings) for _ in range(count)]
            labels += [label] * count
        parts[part] = (sequences, labels)
    ntu_test = ([pose.select_joints(s) for s in raw.test.sequences], list(raw.test.labels))

    # Sec. 4.2.2: one scale a sequence from the bone lengths of the training set
    reference = pose.bone_length_statistics(parts["train"][0])
    prepare = functools.partial(_prepare, reference=reference, max_frames=settings.network.max_frames)
    selected = {}
    for row, select in SELECTIONS.items():
        poses = []
        for clip in listed:
            try:
                poses.append(select(read_estimated(folder / f"{clip.clip_id}.npz")).world)
            except DataFormatError as error:
                raise ParameterError(f"clip {clip.clip_id!r} in {folder}: {error}") from error
        selected[row] = SequenceDataset([prepare(p) for p in poses], [class_names.index(c.ntu_name) for c in listed])
    data = TransferData(
        train=SequenceDataset([prepare(s) for s in parts["train"][0]], parts["train"][1]),
        validation=SequenceDataset([prepare(s) for s in parts["validation"][0]], parts["validation"][1]),
        ntu_test=SequenceDataset([prepare(s) for s in ntu_test[0]], ntu_test[1]),
        clips=selected,
        clip_ids=[c.clip_id for c in listed],
        class_names=class_names,
    )
    description = (
        f"{ntu.description} reduced to 13 joints, with DeepMimic's motion capture as "
        f"{' and '.join(repr(n) for n in mocap_names)} ({settings.mocap_train} training and "
        f"{settings.mocap_validation} validation performances drawn from each capture); tested on "
        f"{len(listed)} real video clip(s) with poses estimated by MediaPipe Pose"
    )
    fingerprint = data_fingerprint(
        {
            "ntu": ntu.fingerprint,
            "mocap": _file_digest(deepmimic.DEEPMIMIC_DIR / n for n in ("humanoid.urdf", *MOCAP_ACTIONS)),
            "clips": _file_digest([folder / "clips.csv", *(folder / f"{c.clip_id}.npz" for c in listed)]),
        }
    )
    facts = {
        "num_classes": len(class_names),
        "class_names": class_names,
        "clips": [
            {"clip_id": c.clip_id, "ntu_name": c.ntu_name, "frames": c.end_frame - c.start_frame, "package": c.package}
            for c in listed
        ],
        "samples": {"train": len(data.train), "validation": len(data.validation), "test": len(listed)},
        # classes whose training sequences are real human motion (the rest are synthetic)
        "real_motion_classes": len(mocap_names) if params.data_path is None else len(class_names),
    }
    return [Source(params.data_label, description, fingerprint, facts=facts, payload=data)]


def _prepare(seq: np.ndarray, *, reference: np.ndarray, max_frames: int | None) -> np.ndarray:
    """(T, 13, 3) -> what the network reads: aligned (Sec. 4.2.2), then at most ``max_frames`` frames."""
    out = pose.align_poses(np.asarray(seq, dtype=np.float64), reference_bone_lengths=reference)
    if max_frames is not None:
        out = subsample_frames(out, max_frames)
    return np.asarray(out, dtype=np.float32)


def rows(settings: TransferSettings, source: Source) -> list[dict]:
    """One network a seed: every row of Table 10 comes from it."""
    return [{"name": "network", **row_config(NETWORK_ROW)}]


def train_row(config: dict, source: Source, settings: TransferSettings, context: RowContext, params) -> dict:
    """Train the Table 9 network on the training set; classify the NTU test part and every clip."""
    data: TransferData = source.payload
    network = settings.network
    generator = seed_everything(params.seed)
    model = build_model(config, (13, 3), len(data.class_names), network)
    collate = functools.partial(pad_collate, key="inputs")
    loader = functools.partial(DataLoader, batch_size=network.batch_size, collate_fn=collate)
    loss_fn, predict_fn = loss_and_prediction(config, network)
    keys = dict(input_key="inputs", model_kwargs_keys=("lengths",), loss_fn=loss_fn, predict_fn=predict_fn)
    result = fit(
        model,
        loader(data.train, shuffle=True, generator=generator),
        config=fit_config(config, network),
        val_loader=loader(data.validation),
        device=params.device,
        regulariser=make_regulariser(l2_weight=network.l2_weight if config["l2"] else 0.0),
        checkpoint_path=context.checkpoint,
        checkpoint_key=context.key,
        progress=context.progress,
        description=f"{source.label}: Table 9 network",
        **keys,
    )
    ntu = evaluate(model, loader(data.ntu_test), device=params.device, **keys)
    shares = np.bincount(ntu["predictions"].numpy(), minlength=len(data.class_names)) / max(len(ntu["predictions"]), 1)
    out = {
        "ntu_accuracy": round(100 * ntu["accuracy"], 4),
        # how often the network names each class on the NTU test part: its bias, for the chance level
        "ntu_prediction_share": [round(float(x), 6) for x in shares],
        "epochs": int(len(result.history)),
        "history": result.history.round(6).to_dict(orient="list"),
        "clip_ids": data.clip_ids,
        "selections": {},
    }
    for row, clips in data.clips.items():
        scored = evaluate(model, loader(clips), device=params.device, **keys)
        out["selections"][row] = {
            "accuracy": round(100 * scored["accuracy"], 4),
            "predicted": scored["predictions"].tolist(),
            "target": scored["targets"].tolist(),
        }
    return out


def cells(runs: pd.DataFrame, source: Source, settings: TransferSettings) -> pd.DataFrame:
    """Random (a uniform guess over the training classes) and each selection's accuracy, in %."""
    run = runs.iloc[0]
    rows = [(RANDOM, 100.0 / source.facts["num_classes"])]
    rows += [(row, run["selections"][row]["accuracy"]) for row in SELECTIONS]
    return pd.DataFrame({"row": [r for r, _ in rows], "column": COLUMN, "ours": [v for _, v in rows], "unit": "%"})


def item_scores(runs: pd.DataFrame, source: Source, settings: TransferSettings) -> dict:
    """Each clip's outcome under each selection (100 right, 0 wrong) and its chance score.

    The chance score of a clip is what the network would score by naming the clip's class without
    looking at its motion, the largest of: a uniform guess over the classes; a uniform guess over
    the classes with real human motion in training (the motion captures, when the rest are
    synthetic: telling real motion from synthetic is no recognition of the action); and the share
    of its answers on the NTU test part that name the clip's class (its bias). Not the share of
    its answers on the clips, the book's usual chance score: the clips may all show one class,
    and a network that names it for everything would then look perfect.
    """
    run = runs.iloc[0]
    guess = 100.0 / min(
        source.facts["num_classes"], source.facts.get("real_motion_classes", source.facts["num_classes"])
    )
    bias = 100.0 * np.asarray(run["ntu_prediction_share"])
    out = {}
    for row in SELECTIONS:
        picked = run["selections"][row]
        target = np.asarray(picked["target"])
        hits = 100.0 * (np.asarray(picked["predicted"]) == target)
        out[(row, COLUMN)] = ItemScores.of(hits, chance=np.maximum(guess, bias[target]))
        out[(RANDOM, COLUMN)] = ItemScores.of(np.full(len(hits), 100.0 / source.facts["num_classes"]))
    return out
