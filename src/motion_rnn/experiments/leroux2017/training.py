"""One row of Le Roux's tables: build the row's network, train it as the thesis does, test it."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
from torch.utils.data import DataLoader

from motion_rnn.experiments.leroux2017.data import prepared_for
from motion_rnn.experiments.leroux2017.settings import Settings
from motion_rnn.models.leroux2017.losses import inattention_loss, make_regulariser, per_step_cross_entropy
from motion_rnn.models.leroux2017.recurrent import build_skeleton_rnn, predict_from_steps
from motion_rnn.models.leroux2017.skeleton_inputs import pad_collate
from motion_rnn.models.leroux2017.skeleton_transformer import build_skeleton_transformer
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit

if TYPE_CHECKING:  # types only: the runner and the parameters do not key the stored rows
    from motion_rnn.parameters import RunParameters
    from motion_rnn.sources import Source
    from motion_rnn.sweep import RowContext


def build_model(config: dict, input_shape: tuple[int, ...], num_classes: int, settings: Settings):
    """The row's network (:func:`motion_rnn.models.recurrent.build_skeleton_rnn`), widths scaled by the preset."""
    transformer = None
    if config["transformer"] is not None:
        transformer = build_skeleton_transformer(
            kind=config["transformer"], num_joints=input_shape[0], sparsity_mu=config["sparsity_mu"]
        )
    return build_skeleton_rnn(
        input_size=int(np.prod(input_shape)),
        num_classes=num_classes,
        cell=config["cell"],
        hidden_size=settings.units(config["units"]),
        num_layers=config["layers"],
        bidirectional=config["bidirectional"],
        per_step=config["loss"] != "last_step",
        keep_prob=config["keep_prob"],
        dense_size=settings.dense_size,
        transformer=transformer,
    )


def inattention_size(config: dict, settings: Settings) -> int | None:
    """Table 12's |S| for this profile: the thesis's count times ``step_scale``."""
    if config["loss"] != "inattention":
        return None
    return max(1, int(round(config["inattention_steps"] * settings.step_scale)))


def loss_and_prediction(config: dict, settings: Settings):
    """The training loss (eq. 5, 11 or 12) and how a sequence's class is read (last step, or mean over steps)."""
    if config["loss"] == "last_step":
        return None, None
    if config["loss"] == "every_step":
        return per_step_cross_entropy, predict_from_steps
    if config["loss"] == "inattention":
        return functools.partial(inattention_loss, num_steps=inattention_size(config, settings)), predict_from_steps
    raise ValueError(f"loss={config['loss']!r} is not 'last_step', 'every_step' or 'inattention'")


def fit_config(config: dict, settings: Settings) -> FitConfig:
    """Sec. 3.1.1's optimiser and clipping; Sec. 3.2's early stopping with learning-rate decay (or none)."""
    common = dict(
        epochs=settings.max_epochs,
        lr=settings.lr,
        optimizer="adam",
        adam_eps=settings.adam_eps,
        grad_clip_norm=settings.grad_clip_norm,
        monitor="val_accuracy",
    )
    if not config["early_stopping"]:
        return FitConfig(**common, lr_schedule="constant", restore_best=False)
    return FitConfig(
        **common,
        lr_schedule="plateau",
        plateau_factor=0.1,
        plateau_patience=settings.plateau_patience,
        final_lr=settings.final_lr,
        restore_best=True,
        # ours: stop once the floor has been reached and waited on as long as each decay
        early_stopping_patience=settings.plateau_patience * (settings.lr_decays + 1) + 1,
    )


def train_row(config: dict, source: Source, settings: Settings, context: RowContext, params: RunParameters) -> dict:
    """Train one row's network and return its test accuracy (%), with validation and training numbers.

    ``items`` keeps each test sequence's predicted and true class, so that intervals and paired
    tests over the test sequences can be computed from the stored row (:mod:`motion_rnn.statistics`).
    """
    raw = source.payload
    data = prepared_for(raw, config, settings)
    generator = seed_everything(params.seed)
    model = build_model(config, data.input_shape, raw.num_classes, settings)
    collate = functools.partial(pad_collate, key="inputs")
    train_loader = DataLoader(
        data.train, batch_size=settings.batch_size, shuffle=True, generator=generator, collate_fn=collate
    )
    val_loader = DataLoader(data.validation, batch_size=settings.batch_size, collate_fn=collate)
    test_loader = DataLoader(data.test, batch_size=settings.batch_size, collate_fn=collate)
    loss_fn, predict_fn = loss_and_prediction(config, settings)
    keys = dict(input_key="inputs", model_kwargs_keys=("lengths",), loss_fn=loss_fn, predict_fn=predict_fn)
    regulariser = make_regulariser(l2_weight=settings.l2_weight if config["l2"] else 0.0)
    result = fit(
        model,
        train_loader,
        config=fit_config(config, settings),
        val_loader=val_loader,
        device=params.device,
        regulariser=regulariser,
        checkpoint_path=context.checkpoint,
        checkpoint_key=context.key,
        progress=context.progress,
        description=f"{source.label}: {config['name']}",
        **keys,
    )
    test = evaluate(model, test_loader, device=params.device, **keys)
    history = result.history
    best = result.best_epoch - 1 if config["early_stopping"] else -1
    return {
        "accuracy": round(100 * test["accuracy"], 4),
        "val_accuracy": round(100 * float(history["val_accuracy"].iloc[best]), 4),
        "train_accuracy": round(100 * float(history["train_accuracy"].iloc[-1]), 4),
        "epochs": int(len(history)),
        "units": settings.units(config["units"]),
        "history": history.round(6).to_dict(orient="list"),
        "items": {"predicted": test["predictions"].tolist(), "target": test["targets"].tolist()},
    }
