import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from toy_data import Blobs

from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit, make_scheduler


def loaders(seed=0):
    generator = seed_everything(seed)
    return (
        DataLoader(Blobs(64, 1), batch_size=16, shuffle=True, generator=generator),
        DataLoader(Blobs(32, 2), batch_size=16),
    )


def train(config, seed=0, **kwargs):
    train_loader, val_loader = loaders(seed)
    model = nn.Linear(4, 2)
    result = fit(
        model, train_loader, config=config, val_loader=val_loader, input_key="features", progress=False, **kwargs
    )
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
    assert result.history["lr"].iloc[-1] == pytest.approx(0.5**8)  # 4 updates an epoch


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
        fit(
            model,
            train_loader,
            config=FitConfig(epochs=4, lr=0.1),
            val_loader=val_loader,
            input_key="features",
            progress=False,
            loss_fn=loss_that_stops,
            checkpoint_path=checkpoint,
        )
    assert checkpoint.exists() and torch.load(checkpoint, weights_only=False)["epoch"] == 2
    resumed = nn.Linear(4, 2)
    result = fit(
        resumed,
        train_loader,
        config=FitConfig(epochs=4, lr=0.1),
        val_loader=val_loader,
        input_key="features",
        progress=False,
        checkpoint_path=checkpoint,
    )
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
        fit(
            nn.Linear(4, 2),
            train_loader,
            config=FitConfig(monitor="val_accuracy"),
            input_key="features",
            progress=False,
        )


class FrameBlobs(Dataset):
    """Sequences of 6 frames in 4-d, one label a frame (the blob each frame was drawn from)."""

    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.y = torch.randint(0, 2, (n, 6), generator=g)
        self.x = torch.randn(n, 6, 4, generator=g) + 1.5 * self.y[..., None].float()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.x[i], "label": self.y[i]}


def _framewise_cross_entropy(logits, target):
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())


def test_framewise_accuracy_is_over_frames():
    # Scores (B, T, K) against labels (B, T): the accuracy is the fraction of frames right, the
    # same number in training (learning rate 0: the weights never move) and in `evaluate`.
    seed_everything(0)
    train_loader = DataLoader(FrameBlobs(20, 1), batch_size=8)
    model = nn.Linear(4, 2)
    result = fit(
        model,
        train_loader,
        config=FitConfig(epochs=1, lr=0.0),
        input_key="features",
        loss_fn=_framewise_cross_entropy,
        progress=False,
    )
    with torch.no_grad():
        data = train_loader.dataset
        expected = float((model(data.x).argmax(-1) == data.y).float().mean())
    assert 0.0 < expected < 1.0
    assert result.history["train_accuracy"].iloc[0] == pytest.approx(expected)
    out = evaluate(model, train_loader, input_key="features", loss_fn=_framewise_cross_entropy)
    assert out["predictions"].shape == (20, 6)
    assert out["accuracy"] == pytest.approx(expected)
    with torch.no_grad():
        expected_loss = float(_framewise_cross_entropy(model(data.x), data.y))
    assert out["loss"] == pytest.approx(expected_loss, rel=1e-5)


def test_framewise_model_learns_through_fit():
    seed_everything(0)
    train_loader = DataLoader(FrameBlobs(64, 1), batch_size=16, shuffle=True)
    val_loader = DataLoader(FrameBlobs(32, 2), batch_size=16)
    result = fit(
        nn.Linear(4, 2),
        train_loader,
        config=FitConfig(epochs=5, lr=0.1),
        val_loader=val_loader,
        input_key="features",
        loss_fn=_framewise_cross_entropy,
        progress=False,
    )
    assert result.history["val_accuracy"].iloc[-1] > 0.8
    assert (result.history["train_accuracy"] <= 1.0).all()


# -- batch entries for the model, a prediction rule, a regulariser ----------------------------


class Padded(Dataset):
    """Blobs as sequences of 4 steps, of which only the first ``lengths`` are valid: steps past the
    end hold large noise, so a model that ignores ``lengths`` reads it."""

    def __init__(self, n: int, seed: int):
        self.blobs = Blobs(n, seed)
        g = torch.Generator().manual_seed(seed + 100)
        self.lengths = torch.randint(1, 5, (n,), generator=g)
        self.noise = 20 * torch.randn(n, 4, 4, generator=g)

    def __len__(self):
        return len(self.blobs)

    def __getitem__(self, i):
        item = self.blobs[i]
        steps = torch.where(torch.arange(4)[:, None] < self.lengths[i], item["features"], self.noise[i])
        return {"steps": steps, "lengths": self.lengths[i], "label": item["label"]}


class PerStep(nn.Module):
    """(B, T, 4) -> per-step logits (B, T, 2); records the keyword arguments it was called with."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)
        self.seen = []

    def forward(self, steps, lengths=None):
        self.seen.append(lengths)
        return self.linear(steps)


def valid_mean(output, lengths):
    mask = (torch.arange(output.shape[1])[None, :] < lengths[:, None]).float()[:, :, None]
    return (output * mask).sum(1) / lengths[:, None]


def test_model_kwargs_reach_model_loss_and_prediction():
    generator = seed_everything(0)
    train_loader = DataLoader(Padded(64, 1), batch_size=16, shuffle=True, generator=generator)
    val_loader = DataLoader(Padded(32, 2), batch_size=16)
    model, calls = PerStep(), {"loss": 0, "predict": 0}

    def loss_fn(output, target, lengths):
        calls["loss"] += 1
        return nn.functional.cross_entropy(valid_mean(output, lengths), target)

    def predict_fn(output, lengths):
        calls["predict"] += 1
        return valid_mean(output, lengths).argmax(-1)

    result = fit(
        model,
        train_loader,
        config=FitConfig(epochs=5, lr=0.1),
        val_loader=val_loader,
        input_key="steps",
        model_kwargs_keys=("lengths",),
        loss_fn=loss_fn,
        predict_fn=predict_fn,
        progress=False,
    )
    assert calls == {"loss": 5 * (4 + 2), "predict": 5 * (4 + 2)}
    assert all(torch.is_tensor(lengths) and lengths.dtype == torch.long for lengths in model.seen)
    assert result.history["val_accuracy"].iloc[-1] > 0.9  # the noise past the end is ignored
    out = evaluate(
        model, val_loader, input_key="steps", model_kwargs_keys=("lengths",), loss_fn=loss_fn, predict_fn=predict_fn
    )
    assert out["predictions"].shape == (32,) and out["accuracy"] > 0.9


def test_regulariser_adds_to_the_objective_like_weight_decay():
    # SGD's weight_decay adds wd * theta to the gradient; the regulariser wd / 2 ||theta||^2 too.
    decayed, _ = train(FitConfig(epochs=3, lr=0.1, weight_decay=0.3))
    penalised, result = train(
        FitConfig(epochs=3, lr=0.1), regulariser=lambda m: 0.15 * sum(p.square().sum() for p in m.parameters())
    )
    torch.testing.assert_close(penalised.weight, decayed.weight)
    plain, _ = train(FitConfig(epochs=3, lr=0.1))
    assert penalised.weight.norm() < plain.weight.norm()


def test_train_loss_is_the_data_loss_without_the_regulariser():
    _, plain = train(FitConfig(epochs=2, lr=0.1))

    def constant(m):
        return 100.0 + 0.0 * m.weight.sum()  # no gradient, a large value

    _, shifted = train(FitConfig(epochs=2, lr=0.1), regulariser=constant)
    assert list(shifted.history["train_loss"]) == pytest.approx(list(plain.history["train_loss"]))


def test_bf16_autocast_trains_on_the_cpu_with_full_precision_weights():
    from motion_rnn.execution import Execution, executing

    with executing(Execution(precision="bf16")):
        model, result = train(FitConfig(epochs=5, lr=0.1, optimizer="sgd"))
    assert model.weight.dtype == torch.float32
    assert result.history["val_accuracy"].iloc[-1] > 0.9


def test_channels_last_keeps_what_convolutions_compute():
    from motion_rnn.train import _to_channels_last

    torch.manual_seed(0)
    model = nn.ModuleDict({"3d": nn.Conv3d(3, 4, 3), "2d": nn.Conv2d(3, 4, 3)})
    clip, image = torch.randn(2, 3, 5, 6, 6), torch.randn(2, 3, 6, 6)
    expected = model["3d"](clip), model["2d"](image)
    _to_channels_last(model)
    assert model["3d"].weight.is_contiguous(memory_format=torch.channels_last_3d)
    assert model["2d"].weight.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close((model["3d"](clip), model["2d"](image)), expected)
