"""The one training loop of the book.

Every paper's experiment trains through :func:`fit`: what differs between papers (optimiser,
learning-rate schedule, early stopping, gradient clipping, a special loss) enters through
:class:`FitConfig` and the ``loss_fn`` argument, never through a copied loop. Batches are dicts
(see each data set's docstring for its keys); ``input_key`` and ``target_key`` name the entries
the model reads and the loss compares against.

Three optional arguments of :func:`fit` and :func:`evaluate` cover models and losses that need
more than ``(input, target)``:

* ``model_kwargs_keys``: batch entries (e.g. ``"lengths"`` of padded sequences) passed by keyword
  to the model, and to ``loss_fn`` and ``predict_fn`` too, so a loss over every time step can
  mask padding (the default loss and prediction ignore them).
* ``predict_fn(output, **entries) -> (B,)`` class indices for the accuracy; the default is
  ``output.argmax(-1)``. A model with one prediction per time step passes the rule that turns
  them into one label per sequence. With frame-wise scores ``(B, T, K)`` and frame labels
  ``(B, T)`` the default prediction is ``(B, T)`` and the accuracy is over frames.
* ``regulariser(model) -> scalar``: added to the training loss (weight penalties, a module's
  own ``penalty()``); ``train_loss`` in the history is the data loss alone, so that it compares
  with ``val_loss``.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader
from tqdm import tqdm

from motion_rnn import distributed
from motion_rnn.execution import Execution
from motion_rnn.execution import current as current_execution

LossFn = Callable[..., torch.Tensor]
"""``loss_fn(output, target, **entries) -> scalar``; ``entries`` are the ``model_kwargs_keys``."""
PredictFn = Callable[..., torch.Tensor]
"""``predict_fn(output, **entries) -> (B,)`` class indices."""
Regulariser = Callable[[nn.Module], torch.Tensor]


def _cross_entropy(logits: torch.Tensor, target: torch.Tensor, **_: object) -> torch.Tensor:
    return nn.functional.cross_entropy(logits, target)


def _argmax(output: torch.Tensor, **_: object) -> torch.Tensor:
    return output.argmax(dim=-1)


def _forward(model: nn.Module, batch: dict, input_key: str, model_kwargs_keys: Sequence[str]):
    """The model's output on ``batch`` and the batch entries it was given by keyword."""
    entries = {key: batch[key] for key in model_kwargs_keys}
    return model(batch[input_key], **entries), entries


@dataclass(frozen=True)
class FitConfig:
    """How to train; defaults are plain SGD, and each paper's preset says where its values come from."""

    epochs: int = 10
    lr: float = 1e-3
    optimizer: Literal["sgd", "adam", "rmsprop"] = "sgd"
    momentum: float = 0.9
    weight_decay: float = 0.0
    adam_eps: float = 1e-8
    lr_schedule: Literal["constant", "poly", "exponential", "plateau"] = "constant"
    final_lr: float = 1e-6
    """``poly``: the learning rate reached at the last update; ``plateau``: the floor."""
    poly_power: float = 0.9
    exponential_gamma: float = 1.0
    """``exponential``: factor applied after every update."""
    plateau_factor: float = 0.1
    plateau_patience: int = 3
    early_stopping_patience: int | None = None
    """Stop after this many epochs without improvement of the monitored metric (``None``: never)."""
    monitor: Literal["val_loss", "val_accuracy"] = "val_loss"
    restore_best: bool = True
    """Return the weights of the best epoch on the validation set (needs a validation loader)."""
    grad_clip_norm: float | None = None


@dataclass
class FitResult:
    """What :func:`fit` returns: the per-epoch history and the best epoch (1-based)."""

    history: pd.DataFrame
    best_epoch: int
    best_score: float
    stopped_early: bool = False
    config: dict = field(default_factory=dict)


def make_optimizer(model: nn.Module, config: FitConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, eps=config.adam_eps, weight_decay=config.weight_decay)
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=config.lr, weight_decay=config.weight_decay)
    raise ValueError(f"optimizer={config.optimizer!r} is not one of 'sgd', 'adam', 'rmsprop'")


def make_scheduler(optimizer: torch.optim.Optimizer, config: FitConfig, total_updates: int):
    """A per-update scheduler (``poly``, ``exponential``), a per-epoch one (``plateau``), or None."""
    if config.lr_schedule == "constant":
        return None
    if config.lr_schedule == "poly":
        # Polynomial decay from lr to final_lr over all updates, as Keras/TF's polynomial_decay.
        span = max(total_updates, 1)
        ratio = config.final_lr / config.lr

        def factor(step: int) -> float:
            return (1 - ratio) * (1 - min(step, span) / span) ** config.poly_power + ratio

        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if config.lr_schedule == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=config.exponential_gamma)
    if config.lr_schedule == "plateau":
        mode = "min" if config.monitor == "val_loss" else "max"
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=mode, factor=config.plateau_factor, patience=config.plateau_patience, min_lr=config.final_lr
        )
    raise ValueError(f"lr_schedule={config.lr_schedule!r} is not one of 'constant', 'poly', 'exponential', 'plateau'")


def _to_device(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable[dict],
    *,
    device: torch.device | str = "cpu",
    loss_fn: LossFn | None = None,
    input_key: str = "clip",
    target_key: str = "label",
    model_kwargs_keys: Sequence[str] = (),
    predict_fn: PredictFn | None = None,
) -> dict:
    """Mean loss, accuracy and the predictions of ``model`` over ``loader`` (model in eval mode)."""
    loss_fn = loss_fn or _cross_entropy
    predict_fn = predict_fn or _argmax
    model.eval()
    device = torch.device(device)
    execution = current_execution()
    total_loss, count, predictions, targets = 0.0, 0, [], []
    for batch in loader:
        batch = _to_device(batch, device)
        target = batch[target_key]
        with execution.autocast(device):
            output, entries = _forward(model, batch, input_key, model_kwargs_keys)
            loss = loss_fn(output, target, **entries)
        total_loss += float(loss) * len(target)
        count += len(target)
        predictions.append(predict_fn(output, **entries).cpu())
        targets.append(target.cpu())
    predictions_t = torch.cat(predictions) if predictions else torch.empty(0, dtype=torch.long)
    targets_t = torch.cat(targets) if targets else torch.empty(0, dtype=torch.long)
    accuracy = float((predictions_t == targets_t).float().mean()) if count else math.nan
    return {
        "loss": total_loss / max(count, 1),
        "accuracy": accuracy,
        "predictions": predictions_t,
        "targets": targets_t,
    }


class CheckpointMismatchError(RuntimeError):
    """A training checkpoint belongs to another run (other settings, code or data)."""


def fit(
    model: nn.Module,
    train_loader: Iterable[dict],
    *,
    config: FitConfig,
    val_loader: Iterable[dict] | None = None,
    device: torch.device | str = "cpu",
    loss_fn: LossFn | None = None,
    input_key: str = "clip",
    target_key: str = "label",
    model_kwargs_keys: Sequence[str] = (),
    predict_fn: PredictFn | None = None,
    regulariser: Regulariser | None = None,
    checkpoint_path: str | Path | None = None,
    checkpoint_key: str | None = None,
    progress: bool = True,
    description: str = "training",
) -> FitResult:
    """Train ``model`` in place and return its history; with a validation loader, keep the best epoch.

    ``checkpoint_path``: after every epoch, and within an epoch every
    :attr:`~motion_rnn.execution.Execution.checkpoint_minutes`, the model, optimiser, scheduler,
    history, random states and the epoch's running sums are saved there (atomically), and a later
    call with the same path resumes at the batch after the last one saved, ending with the result an
    uninterrupted run would have had. The file is removed when training ends.
    ``checkpoint_key``: what the checkpoint belongs to (a table row's key,
    :func:`motion_rnn.sweep.row_key`); it is saved with the checkpoint, and a checkpoint saved
    under another key is refused (:class:`CheckpointMismatchError`) rather than resumed.

    How the loop runs (precision, compilation, layout, loader workers) comes from
    :func:`motion_rnn.execution.current`; under ``torchrun`` the model trains as
    DistributedDataParallel on each process's share of the batches (:mod:`motion_rnn.distributed`).

    ``model_kwargs_keys``, ``predict_fn`` and ``regulariser``: see the module docstring.
    """
    device = torch.device(device)
    execution = current_execution()
    loss_fn = loss_fn or _cross_entropy
    predict_fn = predict_fn or _argmax
    model.to(device)
    if execution.channels_last:
        _to_channels_last(model)
    optimizer = make_optimizer(model, config)
    train_loader = _training_loader(train_loader, execution, device)
    updates_per_epoch = len(train_loader)  # type: ignore[arg-type]
    scheduler = make_scheduler(optimizer, config, total_updates=config.epochs * updates_per_epoch)
    per_update_schedule = config.lr_schedule in ("poly", "exponential")
    if config.monitor == "val_accuracy" and val_loader is None:
        raise ValueError("monitor='val_accuracy' needs a val_loader")
    trained = _trained_module(model, execution, device)

    higher_is_better = config.monitor == "val_accuracy"
    best_score = -math.inf if higher_is_better else math.inf
    best_epoch, best_state, rows, start_epoch, waited = 0, None, [], 0, 0
    checkpoint_path = Path(checkpoint_path) if checkpoint_path else None
    # The loader's own shuffling generator is saved too, so a resumed run sees the batch order an
    # uninterrupted one would have seen.
    shuffle_generator = getattr(train_loader, "generator", None)
    resume: dict | None = None
    if checkpoint_path and checkpoint_path.exists():
        saved = torch.load(checkpoint_path, map_location=device, weights_only=False)
        if checkpoint_key is not None and saved.get("key") != checkpoint_key:
            raise CheckpointMismatchError(
                f"{checkpoint_path} was saved for key {saved.get('key')!r}, not for this run's {checkpoint_key!r} "
                "(other settings, code or data); delete it to train this run from the start"
            )
        if saved.get("world_size", 1) != distributed.world_size() and saved.get("batch", 0):
            raise CheckpointMismatchError(
                f"{checkpoint_path} was saved half-way through an epoch by {saved.get('world_size', 1)} processes; "
                f"resume it with as many (this run has {distributed.world_size()}), or delete it"
            )
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        if scheduler is not None and saved["scheduler"] is not None:
            scheduler.load_state_dict(saved["scheduler"])
        rows, start_epoch, waited = saved["history"], saved["epoch"], saved["waited"]
        best_score, best_epoch, best_state = saved["best_score"], saved["best_epoch"], saved["best_state"]
        if saved.get("batch", 0):
            resume = saved  # half-way through epoch `start_epoch`: random states are set once the batches are skipped
        else:
            _set_rng_states(saved)
            if shuffle_generator is not None and saved.get("shuffle_state") is not None:
                shuffle_generator.set_state(saved["shuffle_state"])

    def save_checkpoint(epoch: int, batch: int, sums: list[float], epoch_shuffle_state) -> None:
        """Everything a resumed run needs; ``batch`` > 0: saved after that many batches of ``epoch``."""
        if not distributed.is_main():
            return
        checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict() if scheduler is not None else None,
                "history": rows,
                "epoch": epoch,
                "batch": batch,
                "sums": sums,
                "epoch_shuffle_state": epoch_shuffle_state,
                "world_size": distributed.world_size(),
                "waited": waited,
                "best_score": best_score,
                "best_epoch": best_epoch,
                "best_state": best_state,
                "rng_state": torch.get_rng_state(),
                "cuda_rng_state": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                "shuffle_state": shuffle_generator.get_state() if shuffle_generator is not None else None,
                "key": checkpoint_key,
            },
            checkpoint_path.with_suffix(".tmp"),
        )
        checkpoint_path.with_suffix(".tmp").replace(checkpoint_path)

    stopped_early = False
    show = progress and distributed.is_main()
    epochs = tqdm(
        range(start_epoch, config.epochs),
        desc=description,
        leave=False,
        disable=not show,
        file=sys.stderr,
        initial=start_epoch,
        total=config.epochs,
    )
    last_saved = time.monotonic()
    for epoch in epochs:
        # Data sets that draw random crops or frames per epoch (e.g. JesterDataset) are told the
        # epoch, so that their randomness depends on (seed, epoch, item) alone and resumes exactly.
        if hasattr(getattr(train_loader, "dataset", None), "set_epoch"):
            train_loader.dataset.set_epoch(epoch)
        model.train()
        train_loss, train_correct, seen, compared = 0.0, 0, 0, 0
        first = 0
        if resume is not None and resume["epoch"] == epoch and shuffle_generator is not None:
            shuffle_generator.set_state(resume["epoch_shuffle_state"])
        epoch_shuffle_state = shuffle_generator.get_state() if shuffle_generator is not None else None
        batches = iter(train_loader)
        if resume is not None and resume["epoch"] == epoch:
            first = resume["batch"]
            _skip_batches(batches, first)
            train_loss, train_correct, seen, compared = resume["sums"] if distributed.is_main() else (0.0, 0, 0, 0)
            _set_rng_states(resume)
            resume = None
        bar = tqdm(
            total=updates_per_epoch,
            initial=first,
            desc=f"epoch {epoch + 1}",
            leave=False,
            disable=not show or updates_per_epoch < 50,
            file=sys.stderr,
        )
        for index, batch in enumerate(batches, start=first):
            batch = _to_device(batch, device)
            target = batch[target_key]
            with execution.autocast(device):
                output, entries = _forward(trained, batch, input_key, model_kwargs_keys)
                loss = loss_fn(output, target, **entries)
                objective = loss if regulariser is None else loss + regulariser(model)
            optimizer.zero_grad(set_to_none=True)
            objective.backward()
            if config.grad_clip_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip_norm)
            optimizer.step()
            if per_update_schedule:
                scheduler.step()
            train_loss += float(loss.detach()) * len(target)
            # Accuracy over every label compared: per sequence for (B,) labels, per frame for (B, T).
            hits = predict_fn(output.detach(), **entries) == target
            train_correct += int(hits.sum())
            compared += hits.numel()
            seen += len(target)
            bar.update()
            if checkpoint_path and index + 1 < updates_per_epoch and _time_to_save(last_saved, execution):
                sums = distributed.all_reduce_sum([train_loss, train_correct, seen, compared], device)
                save_checkpoint(epoch, index + 1, sums, epoch_shuffle_state)
                last_saved = time.monotonic()
        bar.close()
        train_loss, train_correct, seen, compared = distributed.all_reduce_sum(
            [train_loss, train_correct, seen, compared], device
        )
        row = {
            "epoch": epoch + 1,
            "lr": optimizer.param_groups[0]["lr"],
            "train_loss": train_loss / max(seen, 1),
            "train_accuracy": train_correct / max(compared, 1),
        }
        if val_loader is not None:
            result = evaluate(
                model,
                val_loader,
                device=device,
                loss_fn=loss_fn,
                input_key=input_key,
                target_key=target_key,
                model_kwargs_keys=model_kwargs_keys,
                predict_fn=predict_fn,
            )
            row.update(val_loss=result["loss"], val_accuracy=result["accuracy"])
            score = row[config.monitor]
            improved = score > best_score if higher_is_better else score < best_score
            if improved:
                best_score, best_epoch, waited = score, epoch + 1, 0
                if config.restore_best:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
            if config.lr_schedule == "plateau":
                scheduler.step(score)
        rows.append(row)
        epochs.set_postfix({k: f"{v:.3f}" for k, v in row.items() if k not in ("epoch", "lr")})
        if checkpoint_path:
            save_checkpoint(epoch + 1, 0, [0.0, 0, 0, 0], None)
            last_saved = time.monotonic()
        if (
            config.early_stopping_patience is not None
            and val_loader is not None
            and waited >= config.early_stopping_patience
        ):
            stopped_early = True
            break
    epochs.close()

    if val_loader is None:
        best_epoch, best_score = len(rows), math.nan
    elif config.restore_best and best_state is not None:
        model.load_state_dict(best_state)
    distributed.barrier()  # every process has read the checkpoint before it goes
    if checkpoint_path and checkpoint_path.exists() and distributed.is_main():
        checkpoint_path.unlink()
    return FitResult(
        history=pd.DataFrame(rows),
        best_epoch=best_epoch,
        best_score=best_score,
        stopped_early=stopped_early,
        config=asdict(config),
    )


def _time_to_save(last_saved: float, execution: Execution) -> bool:
    """Whether a mid-epoch checkpoint is due; under torchrun, rank 0's clock decides for all."""
    due = time.monotonic() - last_saved >= 60 * execution.checkpoint_minutes
    return bool(distributed.broadcast_object(due)) if distributed.is_distributed() else due


def _set_rng_states(saved: dict) -> None:
    torch.set_rng_state(saved["rng_state"])
    if saved.get("cuda_rng_state") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(saved["cuda_rng_state"])


def _skip_batches(batches: Iterator, count: int) -> None:
    """Advance a loader's iterator by ``count`` batches; without worker processes the data are not
    even loaded (only the sampler's indices are drawn, as the batches would have drawn them)."""
    next_index = getattr(batches, "_next_index", None)
    if next_index is not None and getattr(batches, "_num_workers", 1) == 0:
        for _ in range(count):
            next_index()
        batches._num_yielded += count
        return
    for _ in range(count):
        next(batches)


def _training_loader(loader: Iterable[dict], execution: Execution, device: torch.device) -> Iterable[dict]:
    """The loader the loop draws from: ``loader`` itself, unless the run asks for worker processes or
    several processes share the batches.

    Under torchrun every process draws the batches ``loader`` would draw (its sampler and generator)
    and keeps its share of each (:class:`motion_rnn.distributed.ShareOfBatches`), so the processes
    together train on the table's batches in the table's order. With
    :attr:`~motion_rnn.execution.Execution.loader_workers`, the same batches are loaded by worker
    processes, with pinned memory on a GPU.
    """
    if not isinstance(loader, DataLoader) or (execution.loader_workers == 0 and not distributed.is_distributed()):
        return loader
    batches = loader.batch_sampler
    if distributed.is_distributed():
        processes = distributed.world_size()
        if loader.batch_size is None or loader.batch_size % processes:
            raise ValueError(
                f"a batch of {loader.batch_size} cannot be shared by {processes} processes; run torchrun with a "
                "number of processes that divides the batch size"
            )
        batches = distributed.ShareOfBatches(batches, distributed.rank(), processes)
    workers = execution.loader_workers
    return DataLoader(
        loader.dataset,
        batch_sampler=batches,
        collate_fn=loader.collate_fn,
        num_workers=workers,
        pin_memory=workers > 0 and device.type == "cuda",
        persistent_workers=workers > 0,
        generator=loader.generator,
    )


def _trained_module(model: nn.Module, execution: Execution, device: torch.device) -> nn.Module:
    """What the batches go through: the model, wrapped for several processes, compiled if asked."""
    trained = model
    if distributed.is_distributed() and device.type == "cuda":
        # Batch statistics over the whole batch, as one process computes them, not over each
        # process's share (SyncBatchNorm needs GPUs; on the CPU each process normalises its share).
        trained = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    if distributed.is_distributed():
        ids = (
            [device.index if device.index is not None else torch.cuda.current_device()]
            if device.type == "cuda"
            else None
        )
        trained = nn.parallel.DistributedDataParallel(trained, device_ids=ids)
    if execution.compile:
        trained = torch.compile(trained)
    return trained


def _to_channels_last(model: nn.Module) -> None:
    """Convolution weights in the channels-last layout (2-D and 3-D alike)."""
    for parameter in model.parameters():
        if parameter.dim() == 4:
            parameter.data = parameter.data.contiguous(memory_format=torch.channels_last)
        elif parameter.dim() == 5:
            parameter.data = parameter.data.contiguous(memory_format=torch.channels_last_3d)
