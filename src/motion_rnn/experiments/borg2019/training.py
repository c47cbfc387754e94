"""One row of Borg and Camilleri's tables: train a classifier on each fold's training videos, score the rest.

A row's config says what it reads (``features``: a CNN stream of :data:`.features.STREAMS` with its
``layer``, or ``polar``, the baseline's hand-crafted profiles), which classifier (``model``: the
recurrent ``head`` of :mod:`motion_rnn.models.borg2019.head`, or the baseline's ``svm``), the head's
form (cell, layers, batch norm, the two dropouts, fc1) and the folds (``folds``: the 5 folds of
Tables 1-3 and 5, or the 2 of the ablations, Table 4).

Every segment is scored once, by the network trained without its fold (cross-validation), so each
row has a loss, a prediction and the class probabilities of every segment; the fusions of Table 2
and 5 average the probabilities of two rows (decision fusion).

Choices where the paper is silent or that depart from it (ours):

* *Early stopping on other videos than the ones scored.* The paper stops and reports on the same
  validation fold ("early stopping based on validation cross-entropy loss"), which makes every loss
  it reports optimistic. We stop on a fifth of the *training* videos (whole videos, drawn once a
  fold) and report on the held-out fold: numbers that are not selected on the data they describe.
* Class weights balanced by frequency in the training loss (the authors' code); the validation and
  reported losses are the plain cross-entropy, as Keras reports them.
* The SVM has no early stopping: it is fitted on all the fold's training videos.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np
import torch
from sklearn.metrics import log_loss
from torch import nn
from torch.utils.data import DataLoader, Dataset

from motion_rnn.data.motion_images import camera_pan, time_encodings
from motion_rnn.data.polar_motion import make_svm_baseline
from motion_rnn.experiments.borg2019.data import DATA_SEED, SegmentData
from motion_rnn.experiments.borg2019.settings import Settings
from motion_rnn.models.borg2019.head import SignDetectionHead, keras_trainable_parameters, torch_parameter_count
from motion_rnn.reproducibility import seed_everything
from motion_rnn.staged_training import StagedSchedule, fit_staged
from motion_rnn.train import FitConfig

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext

EARLY_STOPPING_SHARE = 0.2  # of a fold's training videos, held out to stop on


class _Segments(Dataset):
    def __init__(self, codes: np.ndarray, labels: np.ndarray) -> None:
        self.codes, self.labels = torch.from_numpy(codes), torch.from_numpy(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"codes": self.codes[i], "label": self.labels[i]}


def inputs(data: SegmentData, config: dict) -> np.ndarray:
    """``(S, 20, D)``: what the row reads, a segment at a time."""
    if config["features"] == "polar":
        return data.polar()
    return data.codes(config["features"], config.get("layer", "fc1"))


def fold_parts(data: SegmentData, config: dict, fold: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean masks over the segments: training, early stopping (a fifth of the training videos), scored."""
    assigned = data.segments[config["folds"]].to_numpy()
    scored = assigned == fold
    videos = np.array(sorted(data.segments.loc[~scored, "video_id"].unique()))
    rng = np.random.default_rng([DATA_SEED, fold])
    held = set(rng.permutation(videos)[: max(1, round(EARLY_STOPPING_SHARE * len(videos)))])
    stopping = data.segments["video_id"].isin(held).to_numpy() & ~scored
    return ~scored & ~stopping, stopping, scored


def build_head(config: dict, settings: Settings, input_size: int) -> SignDetectionHead:
    return SignDetectionHead(
        input_size,
        3,
        cell=config.get("cell", settings.cell),
        num_layers=config.get("layers", settings.layers),
        hidden_size=settings.hidden,
        rnn_dropout=config.get("rnn_dropout", settings.rnn_dropout),
        batch_norm=config.get("batch_norm", True),
        fc1=config.get("fc1", True),
        fc_size=settings.fc_units,
        dropout=config.get("dropout", settings.dropout),
    )


def _balanced_weights(labels: np.ndarray) -> torch.Tensor:
    counts = np.bincount(labels, minlength=3).astype(float)
    weights = np.where(counts > 0, len(labels) / (3 * np.maximum(counts, 1)), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def train_head(
    x: np.ndarray,
    y: np.ndarray,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    config: dict,
    settings: Settings,
    params: RunParameters,
    seed: int,
    progress: bool,
) -> dict:
    """Train the head on one fold; the scored segments' probabilities and the training's summary."""
    train, stopping, scored = parts
    generator = seed_everything(seed)
    model = build_head(config, settings, x.shape[-1])
    weight = _balanced_weights(y[train]) if settings.class_weights else None

    def loss_fn(logits, target, **_):
        # class weights in the training loss only; the validation loss is the plain one (Keras)
        w = weight.to(logits.device) if (weight is not None and model.training) else None
        return nn.functional.cross_entropy(logits, target, weight=w)

    train_set = _Segments(x[train], y[train])
    result = fit_staged(
        model,
        # a last batch of one segment cannot be batch-normalised in training: it is dropped
        lambda batch: DataLoader(
            train_set, batch_size=batch, shuffle=True, generator=generator, drop_last=len(train_set) % batch == 1
        ),
        config=FitConfig(optimizer="adam", lr=settings.lr),
        schedule=StagedSchedule(
            batch_sizes=settings.batch_sizes,
            lr_drops=settings.lr_drops,
            patience=settings.patience,
            max_epochs=settings.max_epochs,
        ),
        val_loader=DataLoader(_Segments(x[stopping], y[stopping]), batch_size=256),
        device=params.device,
        loss_fn=loss_fn,
        input_key="codes",
        progress=progress,
    )
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x[scored]).to(params.device))
    return {
        "probabilities": torch.softmax(logits.float(), -1).cpu().numpy(),
        "epochs": len(result.history),
        "stages": len(result.stages),
        "stopping_loss": float(result.best_loss),
        "parameters": {
            "keras_trainable": keras_trainable_parameters(
                config.get("cell", settings.cell),
                input_size=x.shape[-1],
                hidden_size=settings.hidden,
                num_layers=config.get("layers", settings.layers),
                batch_norm=config.get("batch_norm", True),
                fc1=config.get("fc1", True),
                fc_size=settings.fc_units,
            ),
            "torch_trainable": torch_parameter_count(model),
        },
    }


def train_svm(x: np.ndarray, y: np.ndarray, parts, settings: Settings, seed: int) -> dict:
    """The baseline's SVM on one fold: a segment's features are the mean and standard deviation of its
    frames' profiles (Shipman et al.'s summary over the segment)."""
    train, stopping, scored = parts
    fit_on = train | stopping
    summary = np.concatenate([x.mean(1), x.std(1)], axis=1)
    model = make_svm_baseline(pca=settings.svm_pca is not None, n_components=settings.svm_pca or 0, random_state=seed)
    smallest = int(np.bincount(y[fit_on], minlength=3).min())
    if smallest < 5:  # Platt's calibration folds cannot exceed the rarest class's count
        model.set_params(svm__cv=max(2, smallest))
    model.fit(summary[fit_on], y[fit_on])
    probabilities = np.zeros((int(scored.sum()), 3))
    probabilities[:, model.classes_] = model.predict_proba(summary[scored])
    return {"probabilities": probabilities}


def outcome(probabilities: np.ndarray, target: np.ndarray) -> dict:
    """Loss, accuracy (%), signing precision (%) and each segment's prediction of class probabilities."""
    p = np.clip(probabilities, 1e-7, 1.0)
    p = p / p.sum(1, keepdims=True)
    losses = -np.log(p[np.arange(len(target)), target])
    predicted = p.argmax(1)
    said_signing = predicted == 0
    return {
        "loss": float(losses.mean()),
        "accuracy": float(100 * (predicted == target).mean()),
        "precision": float(100 * (target[said_signing] == 0).mean()) if said_signing.any() else float("nan"),
        "log_loss_check": float(log_loss(target, p, labels=[0, 1, 2])),
        "items": {
            "target": target.tolist(),
            "predicted": predicted.tolist(),
            "loss": losses.round(6).tolist(),
            "probabilities": p.round(6).tolist(),
        },
    }


def encoding_times(settings: Settings, data: SegmentData | None = None) -> dict:
    """Table 2's forward times: ms to make one network input of each motion stream at 224 x 224, measured
    side by side in one run (:func:`motion_rnn.data.motion_images.time_encodings`), on consecutive frames of
    the data's first real clip (a talking head, resized to 224 x 224); without real clips, on a real photo
    (matplotlib's ``grace_hopper.jpg``) panned by the camera. ``frames`` says which."""
    count = 2 * settings.flow_fields + 11
    clips = data.real_clips() if data is not None else []
    if clips:
        clip = clips[0]["clip"]
        decoded = data.videos.frames(clip, list(range(count))).permute(0, 2, 3, 1).numpy()
        resized = [cv2.resize(f, (224, 224), interpolation=cv2.INTER_AREA) for f in decoded]
        frames = np.stack(resized).transpose(0, 3, 1, 2)  # (T, C, H, W)
        what = f"{count} consecutive frames of the real clip {clip}, resized to 224 x 224"
    else:
        from matplotlib.cbook import get_sample_data
        from PIL import Image

        image = np.asarray(Image.open(get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB"))
        frames = camera_pan(image, frames=count, size=224)
        what = f"{count} frames of a real photo (grace_hopper.jpg) panned by the camera at 224 x 224"
    times = time_encodings(frames, fields=settings.flow_fields, window=settings.motion_window)
    return {"ms": times, "frames": what}


def train_row(config: dict, source: Source, settings: Settings, context: RowContext, params: RunParameters) -> dict:
    """Cross-validate the row's classifier over its folds and return every segment's out-of-fold scores."""
    if config["model"] == "timing":
        return encoding_times(settings, source.payload)
    data: SegmentData = source.payload
    x, y = inputs(data, config), data.labels
    # Table 4 trains on one fold and scores the other, once (Sec. 5.2.1: "2 folds from the dataset - one
    # for training, another for validation"); the other tables score every fold in turn
    folds = [1] if config["folds"] == "fold2" else sorted(data.segments[config["folds"]].unique())
    probabilities = np.full((len(y), 3), np.nan)
    summaries = []
    for fold in folds:
        parts = fold_parts(data, config, fold)
        seed = params.seed * 1000 + int(fold)
        if config["model"] == "svm":
            got = train_svm(x, y, parts, settings, seed)
        else:
            # no bar an epoch: a row trains a head a fold and stage, the runner's bar counts the rows
            got = train_head(x, y, parts, config, settings, params, seed, progress=False)
        probabilities[parts[2]] = got.pop("probabilities")
        summaries.append(got)
    scored = ~np.isnan(probabilities[:, 0])
    out = outcome(probabilities[scored], y[scored])
    out["code_size"] = int(x.shape[-1])
    if config["model"] == "head":
        out["parameters"] = summaries[0]["parameters"]
        out["epochs"] = [s["epochs"] for s in summaries]
    return out
