import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit, make_scheduler


class Blobs(Dataset):
    """Two Gaussian blobs in 4-d; linearly separable."""

    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.y = torch.arange(n) % 2
        self.x = torch.randn(n, 4, generator=g) + 3 * self.y[:, None].float()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "label": self.y[i]}


def loaders(seed=0):
    generator = seed_everything(seed)
    return (DataLoader(Blobs(64, 1), batch_size=16, shuffle=True, generator=generator),
            DataLoader(Blobs(32, 2), batch_size=16))


def train(config, seed=0, **kwargs):
    train_loader, val_loader = loaders(seed)
    model = nn.Linear(4, 2)
    result = fit(model, train_loader, config=config, val_loader=val_loader, input_key="features", progress=False, **kwargs)
    return model, result


def test_fit_learns_and_records_history():
    model, result = train(FitConfig(epochs=5, lr=0.1, optimizer="sgd"))
    assert list(result.history["epoch"]) == [1, 2, 3, 4, 5]
    assert result.history["val_accuracy"].iloc[-1] > 0.9
    assert result.history["train_loss"].iloc[-1] < result.history["train_loss"].iloc[0]


def test_same_seed_same_weights():
    a, _ = train(FitConfig(epochs=3, lr=0.1, optimizer="adam"))
    b, _ = train(FitConfig(epochs=3, lr=0.1, optimizer="adam"))
    assert torch.equal(a.weight, b.weight)


def test_early_stopping_and_restore_best():
    # A learning rate of zero never improves after epoch 1: stop after `patience` more epochs.
    model, result = train(FitConfig(epochs=20, lr=0.0, early_stopping_patience=2, monitor="val_loss"))
    assert result.stopped_early and len(result.history) == 3 and result.best_epoch == 1


def test_poly_schedule_reaches_final_lr():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = make_scheduler(opt, FitConfig(lr=1e-3, lr_schedule="poly", final_lr=1e-6, poly_power=0.9), total_updates=10)
    for _ in range(10):
        opt.step()
        sched.step()
    assert math.isclose(opt.param_groups[0]["lr"], 1e-6, rel_tol=1e-6)


def test_exponential_schedule_per_update():
    _, result = train(FitConfig(epochs=2, lr=1.0, lr_schedule="exponential", exponential_gamma=0.5))
    assert result.history["lr"].iloc[-1] == pytest.approx(0.5 ** 8)  # 4 updates an epoch


def test_plateau_schedule_has_floor():
    _, result = train(FitConfig(epochs=6, lr=0.0 + 1e-9, lr_schedule="plateau", plateau_patience=0, final_lr=1e-11))
    assert result.history["lr"].min() >= 1e-11


def test_interrupted_fit_resumes_from_checkpoint(tmp_path):
    checkpoint = tmp_path / "run.pt"
    full, _ = train(FitConfig(epochs=4, lr=0.1))

    class Stop(Exception):
        pass

    train_loader, val_loader = loaders(0)
    model = nn.Linear(4, 2)
    calls = {"n": 0}

    def loss_that_stops(logits, target):
        calls["n"] += 1
        if calls["n"] == 2 * 4 + 2 * 2 + 1:  # after two epochs (4 train + 2 val batches each)
            raise Stop
        return nn.functional.cross_entropy(logits, target)

    with pytest.raises(Stop):
        fit(model, train_loader, config=FitConfig(epochs=4, lr=0.1), val_loader=val_loader, input_key="features",
            progress=False, loss_fn=loss_that_stops, checkpoint_path=checkpoint)
    assert checkpoint.exists() and torch.load(checkpoint, weights_only=False)["epoch"] == 2
    resumed = nn.Linear(4, 2)
    result = fit(resumed, train_loader, config=FitConfig(epochs=4, lr=0.1), val_loader=val_loader,
                 input_key="features", progress=False, checkpoint_path=checkpoint)
    assert list(result.history["epoch"]) == [1, 2, 3, 4]
    assert not checkpoint.exists()
    # Model, optimiser, random and shuffling state were all restored: same weights as uninterrupted.
    assert torch.allclose(resumed.weight, full.weight)


def test_evaluate_reports_accuracy():
    _, val_loader = loaders()
    model = nn.Linear(4, 2)
    out = evaluate(model, val_loader, input_key="features")
    assert 0 <= out["accuracy"] <= 1 and out["predictions"].shape == (32,)


def test_monitor_accuracy_needs_validation():
    train_loader, _ = loaders()
    with pytest.raises(ValueError, match="val_loader"):
        fit(nn.Linear(4, 2), train_loader, config=FitConfig(monitor="val_accuracy"), input_key="features", progress=False)
