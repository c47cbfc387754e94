"""Training the gesture networks of Zhang et al.: one row of Table 1 or of Table 2.

Every network of both tables trains and is scored the same way (:func:`fit_and_score`): the
paper's polynomial learning-rate decay, the validation accuracy after the last epoch (Sec. 3.3),
and each validation video's predicted and true class kept for intervals and paired tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from torch import nn
from torch.utils.data import DataLoader, Dataset

from motion_rnn.experiments.zhang2018.settings import Settings
from motion_rnn.models.zhang2018.complexity import torch_parameter_count
from motion_rnn.models.zhang2018.convlstm import CELL_LABELS
from motion_rnn.models.zhang2018.gesture_net import build_res3d_convlstm_mobilenet
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext


def train_variant(row: Mapping, source: Source, settings: Settings, context: RowContext, params: RunParameters) -> dict:
    """Train the Fig. 1 network with cell ``row["kind"]``; return its validation accuracy and history."""
    kind = row["kind"]
    train_set, val_set = source.payload
    generator = seed_everything(params.seed)
    model = build_res3d_convlstm_mobilenet(
        cell=kind,
        num_classes=source.facts["num_classes"],
        width=settings.width,
        convlstm_channels=settings.convlstm_channels,
        scale_convlstm_with_width=False,
        mobilenet_norm_after_depthwise=settings.mobilenet_norm_after_depthwise,
    )
    return fit_and_score(
        model, train_set, val_set, settings, context, params, generator=generator, description=CELL_LABELS[kind]
    )


def fit_and_score(
    model: nn.Module,
    train_set: Dataset,
    val_set: Dataset,
    settings,
    context: RowContext,
    params: RunParameters,
    *,
    generator,
    description: str,
) -> dict:
    """Train ``model`` with the profile's schedule; return its validation accuracy, history and outcomes.

    ``settings`` carries ``batch_size, epochs, lr, optimizer, momentum, weight_decay, final_lr``;
    ``generator`` (from :func:`motion_rnn.reproducibility.seed_everything`, called before the model
    was built) shuffles the batches. ``items`` keeps each validation video's predicted and true class
    (of the network after its last epoch, the one the accuracy is of).
    """
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
        optimizer=settings.optimizer,
        momentum=settings.momentum,
        weight_decay=settings.weight_decay,
        lr_schedule="poly",
        final_lr=settings.final_lr,
        poly_power=0.9,
        monitor="val_accuracy",
        restore_best=False,
    )
    result = fit(
        model,
        train_loader,
        config=config,
        val_loader=val_loader,
        device=params.device,
        checkpoint_path=context.checkpoint,
        checkpoint_key=context.key,
        progress=context.progress,
        description=description,
    )
    # The paper reports the validation accuracy after training (Sec. 3.3): the last epoch's.
    final = evaluate(model, val_loader, device=params.device)
    return {
        "accuracy": round(100 * final["accuracy"], 4),
        "best_accuracy": round(100 * result.history["val_accuracy"].max(), 4),
        "train_accuracy": round(100 * result.history["train_accuracy"].iloc[-1], 4),
        "parameters_trained_network": torch_parameter_count(model),
        "history": result.history.round(6).to_dict(orient="list"),
        "items": {"predicted": final["predictions"].tolist(), "target": final["targets"].tolist()},
    }
