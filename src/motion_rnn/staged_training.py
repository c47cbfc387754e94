"""Borg and Camilleri's training schedule: drop the learning rate, then grow the batch.

Built on the book's one training loop (:func:`motion_rnn.train.fit`): each stage is a call of
``fit`` with early stopping, and this module only decides the learning rate and batch size of the
next stage. (It is a module of its own so that the tables trained by ``fit`` alone keep their
stored rows: a row is keyed by the source of the modules that train it.)
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pandas as pd
from torch import nn

from motion_rnn.train import FitConfig, fit

__all__ = ["StagedResult", "StagedSchedule", "fit_staged"]


@dataclass(frozen=True)
class StagedSchedule:
    """Drop the learning rate, then grow the batch (Smith et al. 2018; Masters and Luschi 2018).

    Borg and Camilleri 2019, Sec. 5.1: "We start with a fixed mini-batch size of 32 and a learning
    rate of 0.001, reducing the learning rate each time the validation loss stops improving for
    that learning rate value. Once validation loss stops decreasing no matter how much we reduce
    the learning rate, we increase the batch size and use the learning rate value that performed
    best in the previous step. This process is repeated till no further improvement in loss is
    observed regardless of batch size increase."

    The paper leaves the numbers open; ours: a stage is one (batch size, learning rate) trained
    with early stopping (``patience`` epochs without a lower validation loss), from the best
    weights so far. "No matter how much we reduce" is read as ``lr_drops`` drops in a row (each
    by ``lr_factor``) that bring no new best; then the batch grows to the next of
    ``batch_sizes`` at the learning rate of the best stage so far. Training ends when a whole
    batch size brings no new best, when the batch sizes run out, or after ``max_epochs`` epochs
    in all.
    """

    batch_sizes: tuple[int, ...] = (32, 64, 128)
    lr_factor: float = 0.1
    lr_drops: int = 2
    patience: int = 10
    max_epochs: int = 500


@dataclass
class StagedResult:
    """What :func:`fit_staged` returns: every stage's history (with its ``stage``, ``batch_size``
    and ``lr`` columns, epochs numbered over all stages) and the best validation loss."""

    history: pd.DataFrame
    best_loss: float
    stages: list[dict]


def fit_staged(
    model: nn.Module,
    train_loader_for: Callable[[int], Iterable[dict]],
    *,
    config: FitConfig,
    schedule: StagedSchedule,
    val_loader: Iterable[dict],
    progress: bool = True,
    **fit_kwargs,
) -> StagedResult:
    """Train ``model`` with :func:`fit` in stages of :class:`StagedSchedule`; returns with the best weights.

    ``train_loader_for(batch_size)`` makes the training loader of a batch size; ``config`` gives the
    optimiser and the first learning rate (its ``epochs``, schedule, monitor and early stopping are
    the stage's). Each stage starts a fresh optimiser from the best weights so far, as a Keras
    run restarted with a new learning rate or batch size would. ``fit_kwargs`` go to :func:`fit`.
    """
    best_loss, best_state, best_lr = math.inf, copy.deepcopy(model.state_dict()), config.lr
    histories, stages, used = [], [], 0
    for batch_size in schedule.batch_sizes:
        lr, drops_without_gain, batch_gained = best_lr, 0, False
        while drops_without_gain < schedule.lr_drops and used < schedule.max_epochs:
            stage = replace(
                config,
                lr=lr,
                epochs=schedule.max_epochs - used,
                lr_schedule="constant",
                monitor="val_loss",
                early_stopping_patience=schedule.patience,
                restore_best=True,
            )
            model.load_state_dict(best_state)
            result = fit(
                model,
                train_loader_for(batch_size),
                config=stage,
                val_loader=val_loader,
                progress=progress,
                description=f"batch {batch_size}, lr {lr:.0e}",
                **fit_kwargs,
            )
            history = result.history.assign(
                stage=len(stages) + 1, batch_size=batch_size, epoch=result.history["epoch"] + used
            )
            histories.append(history)
            used += len(history)
            gained = result.best_score < best_loss
            stages.append({"batch_size": batch_size, "lr": lr, "epochs": len(history), "best_loss": result.best_score})
            if gained:
                best_loss, best_state, best_lr = result.best_score, copy.deepcopy(model.state_dict()), lr
                drops_without_gain, batch_gained = 0, True
            else:
                drops_without_gain += 1
            lr *= schedule.lr_factor
        if not batch_gained or used >= schedule.max_epochs:
            break
    model.load_state_dict(best_state)
    return StagedResult(history=pd.concat(histories, ignore_index=True), best_loss=best_loss, stages=stages)
