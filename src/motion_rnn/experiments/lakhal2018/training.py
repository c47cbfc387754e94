"""One row of Lakhal et al.'s tables: sample T clips, reduce them with PCA, train a (Res-)LSTM, test.

A row's config says which stream it reads (``rgb``, ``flow``, or ``mid`` fusion of the two) or
``late`` (a network a stream, their softmax scores fused), the time steps T, the width d_m (the
PCA dimension and the LSTM's hidden size, equal so that the residual sum type-checks, Sec. 4.1),
the depth L and whether the stack is residual.

Choices where the paper is silent (ours):

* PCA (scikit-learn) is fitted on every clip of the training videos, and its projections are
  divided by one number, their overall standard deviation, so that every width feeds the LSTM
  inputs of the same scale (PCA alone gives the first components a far larger spread).
* Mid fusion combines the two streams' features *before* PCA (the features of Sec. 3.2 are the
  3D CNNs' outputs; PCA is what makes them fit the residual width).
* The epoch is chosen on a validation part: training groups held out of training (UCF-101's
  performers), never the test videos; the paper reports "the best validation performance".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from sklearn.decomposition import PCA
from torch.utils.data import DataLoader, TensorDataset

from motion_rnn.data.video import sample_clips
from motion_rnn.experiments.lakhal2018.data import FeatureData
from motion_rnn.experiments.lakhal2018.features import VideoFeatures
from motion_rnn.experiments.lakhal2018.settings import Settings
from motion_rnn.models.lakhal2018.fusion import late_fuse, mid_fuse
from motion_rnn.models.lakhal2018.res_lstm import StackedLSTM
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext

LATE_FUSIONS = ("sum", "product", "weighted")


def stream_sequences(part: VideoFeatures, stream: str, time_steps: int) -> list[np.ndarray]:
    """Per video, the (T, d_f) features of the T clips sigma(t) picks (Sec. 3.1); ``mid:<how>`` fuses."""
    if stream.startswith("mid:"):
        how = stream.split(":", 1)[1]
        rgb, flow = stream_sequences(part, "rgb", time_steps), stream_sequences(part, "flow", time_steps)
        return [mid_fuse(torch.from_numpy(a), torch.from_numpy(b), how).numpy() for a, b in zip(rgb, flow)]
    out = []
    for clips in part.stream(stream):
        out.append(clips[sample_clips(len(clips), time_steps)])
    return out


class Reducer:
    """PCA to ``width`` dimensions fitted on the training clips, then one global scale (ours)."""

    def __init__(self, train_clips: np.ndarray, width: int, seed: int) -> None:
        width = min(width, *train_clips.shape)
        self.pca = PCA(n_components=width, random_state=seed).fit(train_clips)
        self.scale = float(self.pca.transform(train_clips).std()) or 1.0
        self.width = width

    def __call__(self, sequences: list[np.ndarray]) -> torch.Tensor:
        x = np.stack(sequences)  # (N, T, d_f)
        y = self.pca.transform(x.reshape(-1, x.shape[-1])) / self.scale
        return torch.from_numpy(y.reshape(x.shape[0], x.shape[1], -1).astype(np.float32))


def _loader(x: torch.Tensor, y: np.ndarray, batch_size: int, generator=None) -> DataLoader:
    data = TensorDataset(x, torch.from_numpy(np.asarray(y, dtype=np.int64)))
    collate = lambda batch: {"clip": torch.stack([b[0] for b in batch]), "label": torch.stack([b[1] for b in batch])}  # noqa: E731
    return DataLoader(
        data, batch_size=batch_size, shuffle=generator is not None, generator=generator, collate_fn=collate
    )


def train_stream(
    data: FeatureData, stream: str, config: dict, settings: Settings, params: RunParameters, context: RowContext
) -> dict:
    """Train one network on one stream (or a mid fusion); its test softmax scores and history."""
    steps, width = config["time_steps"], config["width"]
    train = stream_sequences(data.train, stream, steps)
    reducer = Reducer(np.concatenate([np.concatenate(v) for v in _all_clips(data.train, stream)]), width, params.seed)
    x_train, x_val, x_test = (
        reducer(train),
        reducer(stream_sequences(data.validation, stream, steps)),
        reducer(stream_sequences(data.test, stream, steps)),
    )
    generator = seed_everything(params.seed)
    model = StackedLSTM(
        reducer.width,
        data.num_classes,
        hidden_size=reducer.width,
        depth=config["depth"],
        residual=config["residual"],
    )
    result = fit(
        model,
        _loader(x_train, data.train.labels, settings.batch_size, generator),
        config=FitConfig(
            epochs=settings.epochs, lr=settings.lr, optimizer="rmsprop", monitor="val_accuracy", restore_best=True
        ),
        val_loader=_loader(x_val, data.validation.labels, 256),
        device=params.device,
        # one checkpoint a stream: a late row killed in its second stream resumes there
        checkpoint_path=context.checkpoint.with_name(f"{context.checkpoint.stem}-{stream.replace(':', '-')}.pt"),
        checkpoint_key=f"{context.key}:{stream}",
        progress=context.progress,
        description=f"{data.label}: {config['name']} ({stream})",
    )
    model.eval()
    with torch.no_grad():
        scores = torch.softmax(model(x_test.to(params.device)), dim=-1).cpu()
    test = evaluate(model, _loader(x_test, data.test.labels, 256), device=params.device)
    history = result.history
    return {
        "scores": scores,
        "accuracy": 100 * test["accuracy"],
        "val_accuracy": 100 * float(history["val_accuracy"].iloc[result.best_epoch - 1]),
        "best_epoch": int(result.best_epoch),
        "history": history.round(6).to_dict(orient="list"),
    }


def _all_clips(part: VideoFeatures, stream: str) -> list[list[np.ndarray]]:
    """Every clip of every training video, the data PCA is fitted on (mid fusion: fused clips)."""
    if stream.startswith("mid:"):
        how = stream.split(":", 1)[1]
        return [
            [mid_fuse(torch.from_numpy(a[: len(b)]), torch.from_numpy(b[: len(a)]), how).numpy()]
            for a, b in zip(part.rgb, part.flow)
        ]
    return [[clips] for clips in part.stream(stream)]


def _outcome(scores: torch.Tensor, target: np.ndarray) -> dict:
    predicted = scores.argmax(-1).numpy()
    return {
        "accuracy": round(100 * float((predicted == target).mean()), 4),
        "items": {"predicted": predicted.tolist(), "target": np.asarray(target).tolist()},
    }


def train_row(config: dict, source: Source, settings: Settings, context: RowContext, params: RunParameters) -> dict:
    """Train the row's network(s) and return test accuracy (%) with every test video's prediction.

    A ``late`` row trains one network a stream and returns each late fusion of their scores
    (``fusions``), since the three of Table 2 share the same two networks.
    """
    data: FeatureData = source.payload
    target = data.test.labels
    if config["stream"] != "late":
        run = train_stream(data, config["stream"], config, settings, params, context)
        out = _outcome(run["scores"], target)
        return {**out, **{k: run[k] for k in ("val_accuracy", "best_epoch", "history")}}
    runs = {s: train_stream(data, s, config, settings, params, context) for s in ("rgb", "flow")}
    fusions = {
        how: _outcome(late_fuse(runs["rgb"]["scores"], runs["flow"]["scores"], how), target) for how in LATE_FUSIONS
    }
    streams = {s: _outcome(r["scores"], target) for s, r in runs.items()}
    return {
        "fusions": fusions,
        "streams": streams,
        "val_accuracy": {s: r["val_accuracy"] for s, r in runs.items()},
        "history": {s: r["history"] for s, r in runs.items()},
    }
