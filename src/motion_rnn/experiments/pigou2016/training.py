"""One row of Pigou et al.'s tables: train a network of Table 1 and score it on the whole test sequences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from torch.utils.data import DataLoader

from motion_rnn.experiments.pigou2016.features import figure3_maps, rest_and_motion_frames
from motion_rnn.experiments.pigou2016.scoring import predict_sequence, run_lengths, sequence_metrics
from motion_rnn.experiments.pigou2016.settings import FIGURE3_MODELS, Settings
from motion_rnn.models.pigou2016.networks import (
    PAPER_WINDOWS,
    RECURRENT_MODELS,
    TABLE1_ROWS,
    build_montalbano_model,
    framewise_cross_entropy,
)
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, fit

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext


def train_architecture(
    row: Mapping, source: Source, settings: Settings, context: RowContext, params: RunParameters
) -> dict:
    """Train Table 1's network ``row["model"]`` on the input ``row["crop"]``, ``row["depth"]`` and
    score it on the whole test sequences.

    Returns the metrics of :func:`.scoring.sequence_metrics`, the training history, the parameter
    count, every test sequence's predicted and true frame labels (``sequences``, as
    :func:`.scoring.run_lengths`: intervals and paired tests over the sequences are computed from
    them) and, with ``row["figures"]``, Figure 2's probabilities over the first test sequence
    (``figure2``) and, for :data:`.settings.FIGURE3_MODELS`, Figure 3's maps and input frames
    (``figure3``).
    """
    name, crop, depth, device = row["model"], row["crop"], row["depth"], params.device
    splits = source.payload
    generator = seed_everything(params.seed)
    recurrent = name in RECURRENT_MODELS
    length = PAPER_WINDOWS[name]
    data = dict(settings=settings, seed=params.seed, crop=crop, depth=depth)
    train_set = splits.fragments("train", train=True, length=length, **data)
    if recurrent:
        val_set = splits.fragments("validation", train=False, length=length, window="start", **data)
    else:
        val_set = splits.fragments(
            "validation", train=False, length=length, window="centre", stride=settings.val_stride, **data
        )
    model = build_montalbano_model(
        name,
        in_channels=4 if depth else 3,
        frame_size=settings.frame_size,
        width=settings.width,
        dropout=settings.dropout,
    )
    train_loader = DataLoader(
        train_set,
        batch_size=settings.batch_size,
        shuffle=True,
        generator=generator,
        drop_last=len(train_set) > settings.batch_size,
    )
    val_loader = DataLoader(val_set, batch_size=settings.batch_size)
    config = FitConfig(
        epochs=settings.epochs,
        lr=settings.lr,
        optimizer="adam",
        lr_schedule="exponential",
        exponential_gamma=1 - settings.lr_decay,
        early_stopping_patience=settings.patience,
        monitor="val_loss",
        restore_best=True,
    )
    target = "labels" if recurrent else "label"
    result = fit(
        model,
        train_loader,
        config=config,
        val_loader=val_loader,
        device=device,
        loss_fn=lambda out, y: framewise_cross_entropy(out, y),
        target_key=target,
        checkpoint_path=context.checkpoint,
        checkpoint_key=context.key,
        progress=context.progress,
        description=TABLE1_ROWS[name],
    )

    test_set = splits.fragments("test", train=False, length=length, **data)
    sequences = [test_set.full_sequence(i) for i in range(len(test_set.paths))]
    probabilities = [predict_sequence(model, s["clip"], device=device) for s in sequences]
    predictions = [p.argmax(-1) for p in probabilities]
    truths = [s["labels"].numpy() for s in sequences]
    out = {
        **sequence_metrics(predictions, truths),
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "best_epoch": int(result.best_epoch),
        "epochs_run": len(result.history),
        "history": result.history.round(6).to_dict(orient="list"),
        "sequences": [
            {"sample": int(s["sample"]), "predicted": run_lengths(p), "truth": run_lengths(y)}
            for s, p, y in zip(sequences, predictions, truths)
        ],
    }
    if row["figures"]:
        first = sequences[0]
        shown = slice(0, min(settings.figure_frames, len(truths[0])))
        out["figure2"] = {
            "sample": int(first["sample"]),
            "probabilities": probabilities[0][shown].round(4).tolist(),
            "labels": truths[0][shown].tolist(),
        }
        if name in FIGURE3_MODELS:
            frames = rest_and_motion_frames(first["clip"], truths[0])
            rgb = first["clip"][:, :3].permute(0, 2, 3, 1).numpy()
            out["figure3"] = {
                **figure3_maps(model, first["clip"], frames),
                "rest_frame": frames["rest_frame"],
                "move_frame": frames["move_frame"],
                "rest_rgb": rgb[frames["rest_frame"]].round(4).tolist(),
                "move_rgb": rgb[frames["move_frame"]].round(4).tolist(),
            }
    return out
