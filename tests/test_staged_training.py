import pytest
from torch import nn
from torch.utils.data import DataLoader
from toy_data import Blobs

from motion_rnn.reproducibility import seed_everything
from motion_rnn.staged_training import StagedSchedule, fit_staged
from motion_rnn.train import FitConfig, evaluate


def test_staged_schedule_drops_lr_then_grows_the_batch():
    generator = seed_everything(0)
    model = nn.Linear(4, 2)
    schedule = StagedSchedule(batch_sizes=(8, 16), lr_factor=0.1, lr_drops=2, patience=2, max_epochs=60)
    result = fit_staged(
        model,
        lambda b: DataLoader(Blobs(64, 1), batch_size=b, shuffle=True, generator=generator),
        config=FitConfig(lr=0.5, optimizer="sgd"),
        schedule=schedule,
        val_loader=DataLoader(Blobs(32, 2), batch_size=16),
        input_key="features",
        progress=False,
    )
    stages = result.stages
    # the first stage runs at the configured rate and batch; each later stage of a batch size drops it
    assert (stages[0]["batch_size"], stages[0]["lr"]) == (8, 0.5)
    first = [s for s in stages if s["batch_size"] == 8]
    assert [s["lr"] for s in first] == pytest.approx([0.5 * 0.1**k for k in range(len(first))])
    # a batch size ends after `lr_drops` stages in a row without a new best
    assert all(s["best_loss"] >= result.best_loss for s in first[-2:])
    # the next batch size starts from the learning rate of the best stage so far
    later = [s for s in stages if s["batch_size"] == 16]
    if later:
        best_before = min(first, key=lambda s: s["best_loss"])
        assert later[0]["lr"] == pytest.approx(best_before["lr"])
    # the model ends with the best weights: its validation loss is the best one seen
    val = evaluate(model, DataLoader(Blobs(32, 2), batch_size=16), input_key="features")
    assert val["loss"] == pytest.approx(result.best_loss, rel=1e-5)
    assert result.history["epoch"].tolist() == list(range(1, len(result.history) + 1))
    assert len(result.history) <= schedule.max_epochs


def test_staged_schedule_respects_the_epoch_budget():
    generator = seed_everything(0)
    result = fit_staged(
        nn.Linear(4, 2),
        lambda b: DataLoader(Blobs(64, 1), batch_size=b, shuffle=True, generator=generator),
        config=FitConfig(lr=0.01, optimizer="sgd"),
        schedule=StagedSchedule(batch_sizes=(8, 16, 32), patience=50, max_epochs=7),
        val_loader=DataLoader(Blobs(32, 2), batch_size=16),
        input_key="features",
        progress=False,
    )
    assert len(result.history) == 7
