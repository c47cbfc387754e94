"""The seven networks of Pigou et al. 2016, Table 1, and one of them learning through `fit`."""

from __future__ import annotations

from functools import cache

import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from motion_rnn.models.pigou2016.networks import (
    MODEL_NAMES,
    PAPER_WINDOWS,
    RECURRENT_MODELS,
    TABLE1_ROWS,
    FramewiseRecurrentClassifier,
    WindowClassifier,
    build_montalbano_model,
    centre_frame_labels,
    framewise_cross_entropy,
    parameter_counts,
)
from motion_rnn.models.pigou2016.peephole_lstm import LeakyReLURNN, PeepholeLSTM
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit

TINY = dict(width=1 / 8, frame_size=16)
TINY_WINDOWS = {
    "single_frame": 1,
    "temp_max_pooling": 6,
    "temp_mean_pooling": 6,
    "temp_conv": 16,
    "rnn_standard_cells": 6,
    "rnn_lstm_cells": 6,
    "temp_conv_lstm": 6,
}


def _tiny(name: str, **options):
    torch.manual_seed(0)
    num_frames = 16 if name == "temp_conv" else None
    return build_montalbano_model(name, num_frames=num_frames, **(TINY | options))


@cache
def _tiny_shared(name: str):
    """One tiny model a name, for tests that only call it on inputs it must refuse."""
    return _tiny(name)


# -- shapes that must pass ---------------------------------------------------------------------


def test_the_seven_rows_of_table_1():
    assert len(MODEL_NAMES) == 7 and set(RECURRENT_MODELS) < set(MODEL_NAMES)
    assert list(TABLE1_ROWS.values()) == [
        "Single-Frame CNN",
        "Temp Max-Pooling",
        "Temp Mean-Pooling",
        "Temp Conv",
        "RNN, Standard Cells",
        "RNN, LSTM Cells",
        "Temp Conv + LSTM",
    ]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_paper_size_networks_on_paper_windows(name):
    window = PAPER_WINDOWS[name]
    with torch.device("meta"):
        model = build_montalbano_model(name)
        out = model(torch.empty(2, window, 4, 64, 64))
    expected = (2, window, 21) if name in RECURRENT_MODELS else (2, 21)
    assert out.shape == expected
    assert model.framewise == (name in RECURRENT_MODELS)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_tiny_networks_run(name):
    model = _tiny(name, num_classes=5).eval()
    steps = TINY_WINDOWS[name]
    out = model(torch.randn(2, steps, 4, 16, 16))
    assert out.shape == ((2, steps, 5) if name in RECURRENT_MODELS else (2, 5))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize(
    ("name", "steps"),
    [
        ("single_frame", 9),
        ("temp_max_pooling", 3),
        ("temp_mean_pooling", 40),
        ("rnn_lstm_cells", 1),
        ("temp_conv_lstm", 11),
    ],
)
def test_windows_of_other_lengths_where_the_architecture_allows(name, steps):
    model = _tiny(name).eval()
    out = model(torch.randn(1, steps, 4, 16, 16))
    assert out.shape == ((1, steps, 21) if name in RECURRENT_MODELS else (1, 21))


def test_recurrent_layers_are_the_papers():
    with torch.device("meta"):
        lstm = build_montalbano_model("rnn_lstm_cells")
        standard = build_montalbano_model("rnn_standard_cells")
        temp_conv_lstm = build_montalbano_model("temp_conv_lstm")
    for model, cell, units in (
        (lstm, PeepholeLSTM, 512),
        (standard, LeakyReLURNN, 2048),
        (temp_conv_lstm, PeepholeLSTM, 512),
    ):
        assert isinstance(model, FramewiseRecurrentClassifier)
        for layer in (model.recurrent.forward_layer, model.recurrent.backward_layer):
            assert isinstance(layer, cell) and layer.hidden_size == units and layer.input_size == 2048
        assert model.classifier.in_features == units  # W_y reads h^(f) + h^(b)
        assert model.input_dropout.p == model.output_dropout.p == 0.5
    assert all(layer.peepholes for layer in (lstm.recurrent.forward_layer, lstm.recurrent.backward_layer))
    assert standard.recurrent.forward_layer.negative_slope == 0.3


# -- shapes and options that must fail ---------------------------------------------------------


def test_unknown_name_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="single_frame.*temp_conv_lstm"):
        build_montalbano_model("lstm")


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("shape", [(2, 4, 16, 16), (2, 16, 3, 16, 16), (2, 16, 4, 32, 32), (2, 16, 4, 16, 12)])
def test_wrong_clip_shapes_are_refused(name, shape):
    with pytest.raises(ValueError, match=r"\(B, T, 4, 16, 16\)"):
        _tiny_shared(name)(torch.randn(*shape))


def test_temp_conv_needs_the_window_it_was_built_for():
    model = _tiny("temp_conv")
    with pytest.raises(ValueError, match="16 frames"):
        model(torch.randn(1, 32, 4, 16, 16))
    with pytest.raises(ValueError, match="multiple of 16"):
        build_montalbano_model("temp_conv", num_frames=24, **TINY)


def test_options_that_do_not_apply_are_refused():
    with pytest.raises(ValueError, match="no recurrent layer"):
        build_montalbano_model("temp_mean_pooling", hidden=64)
    with pytest.raises(ValueError, match="no dense layers"):
        build_montalbano_model("rnn_lstm_cells", dense_units=64)
    with pytest.raises(ValueError, match="frame by frame"):
        build_montalbano_model("single_frame", num_frames=16)
    with pytest.raises(ValueError, match="'paper', 'code'"):
        build_montalbano_model("rnn_lstm_cells", init="he", **TINY)
    with pytest.raises(ValueError, match="dropout"):
        build_montalbano_model("single_frame", dropout=1.0, **TINY)


# -- what each network can see -----------------------------------------------------------------


def _changed_frame(clips: torch.Tensor, index: int) -> torch.Tensor:
    changed = clips.clone()
    changed[:, index] = torch.randn_like(changed[:, index])
    return changed


def test_single_frame_cnn_sees_only_the_centre_frame():
    model = _tiny("single_frame").eval()
    clips = torch.randn(2, 9, 4, 16, 16)
    out = model(clips)
    torch.testing.assert_close(model(_changed_frame(_changed_frame(clips, 0), 8)), out)
    assert not torch.allclose(model(_changed_frame(clips, 4)), out)
    torch.testing.assert_close(model(clips[:, 4:5]), out)


@pytest.mark.parametrize("name", ["temp_max_pooling", "temp_mean_pooling"])
def test_temporal_pooling_networks_ignore_frame_order(name):
    model = _tiny(name).eval()
    clips = torch.randn(2, 6, 4, 16, 16)
    torch.testing.assert_close(model(clips.flip(1)), model(clips))
    assert not torch.allclose(model(_changed_frame(clips, 0)), model(clips))


@pytest.mark.parametrize("name", ["temp_conv", "rnn_lstm_cells", "temp_conv_lstm", "rnn_standard_cells"])
def test_temporal_networks_tell_a_clip_from_its_reversal(name):
    model = _tiny(name).eval()
    clips = torch.randn(2, TINY_WINDOWS[name], 4, 16, 16)
    out, reversed_out = model(clips), model(clips.flip(1))
    if name in RECURRENT_MODELS:
        reversed_out = reversed_out.flip(1)
    assert (out - reversed_out).abs().max() > 1e-5


@pytest.mark.parametrize("name", ["rnn_standard_cells", "rnn_lstm_cells"])
def test_bidirectional_networks_hear_past_and_future_at_every_frame(name):
    model = _tiny(name).eval()
    clips = torch.randn(1, 6, 4, 16, 16)
    out = model(clips)
    for index in (0, 5):
        moved = (model(_changed_frame(clips, index)) - out).abs().amax(dim=(0, 2)) > 0
        assert moved.all()


# -- parameters and initialisation -------------------------------------------------------------


def test_parameter_counts_at_the_papers_sizes():
    table = parameter_counts().set_index("name")
    assert list(table.index) == list(MODEL_NAMES)
    channels = [4, 16, 16, 32, 32, 64, 64, 128, 128]
    cnn = sum(9 * a * b + b for a, b in zip(channels, channels[1:]))
    temp_conv = sum(9 * a * b + 3 * b * b + b for a, b in zip(channels, channels[1:]))
    dense = 2 * (2048 * 2048 + 2048) + 2048 * 21 + 21
    lstm = 2 * (4 * (2048 * 512 + 512 * 512 + 512) + 3 * 512)  # two directions, peepholes
    standard = 2 * (2048 * 2048 + 2048 * 2048 + 2048)
    assert cnn == 293_664
    expected = {
        "single_frame": cnn + dense,
        "temp_max_pooling": cnn + dense,
        "temp_mean_pooling": cnn + dense,
        "temp_conv": temp_conv + (4096 * 2048 + 2048) + dense - (2048 * 2048 + 2048),  # 2 steps x 2048 in
        "rnn_standard_cells": cnn + standard + 2048 * 21 + 21,
        "rnn_lstm_cells": cnn + lstm + 512 * 21 + 21,
        "temp_conv_lstm": temp_conv + lstm + 512 * 21 + 21,
    }
    assert table["total"].to_dict() == expected
    assert (table["cnn"] + table["temporal"] + table["head"] == table["total"]).all()
    assert table.loc["temp_conv", "head_input"] == 4096 and table.loc["rnn_lstm_cells", "head_input"] == 512
    assert (table["feature_size"] == 2048).all()


def test_width_scales_dense_and_recurrent_units():
    assert _tiny("single_frame").head.layers[1].out_features == 256  # 2048 / 8
    assert _tiny("rnn_lstm_cells").recurrent.forward_layer.hidden_size == 64  # 512 / 8
    assert _tiny("rnn_standard_cells").recurrent.forward_layer.hidden_size == 256  # 2048 / 8
    assert _tiny("rnn_lstm_cells", hidden=7).classifier.in_features == 7
    assert _tiny("temp_mean_pooling", dense_units=9).head.layers[1].out_features == 9


def test_init_code_uses_the_authors_choices():
    paper, code = _tiny("rnn_lstm_cells", width=0.5), _tiny("rnn_lstm_cells", width=0.5, init="code")
    block = paper.recurrent.forward_layer.weight_hh.detach()[:128]
    torch.testing.assert_close(block @ block.T, torch.eye(128), atol=1e-5, rtol=0)
    assert 0.009 < float(code.recurrent.forward_layer.weight_ih.detach().std()) < 0.011
    temp_conv = _tiny("temp_conv", init="code", width=0.5)
    assert 0.009 < float(temp_conv.head.layers[1].weight.detach().std()) < 0.011
    assert isinstance(temp_conv, WindowClassifier)


# -- loss and labels ---------------------------------------------------------------------------


def test_framewise_cross_entropy():
    logits, labels = torch.randn(2, 5, 21), torch.randint(0, 21, (2, 5))
    torch.testing.assert_close(framewise_cross_entropy(logits, labels), F.cross_entropy(logits.transpose(1, 2), labels))
    window_logits, window_labels = torch.randn(3, 21), torch.randint(0, 21, (3,))
    torch.testing.assert_close(
        framewise_cross_entropy(window_logits, window_labels), F.cross_entropy(window_logits, window_labels)
    )
    with pytest.raises(ValueError, match="do not match"):
        framewise_cross_entropy(logits, labels[:, :4])


def test_centre_frame_labels():
    labels = torch.arange(32).repeat(2, 1)
    assert centre_frame_labels(labels).tolist() == [16, 16]
    assert centre_frame_labels(labels[:, :1]).tolist() == [0, 0]
    with pytest.raises(ValueError):
        centre_frame_labels(labels[0])


# -- learning ----------------------------------------------------------------------------------


class MovingSquares(Dataset):
    """A 4 x 4 square crossing a 32 x 32 frame left to right (class 1) or right to left (class 2).

    Both directions pass the centre frame at the same, random place, so the centre frame says
    nothing about the direction: only motion does. Keys: ``clip`` (T, 4, 32, 32), ``label``
    (T,) one label a frame, ``centre_label`` () the centre frame's.
    """

    def __init__(self, n: int, *, steps: int = 8, size: int = 32, speed: int = 3, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        direction = torch.randint(0, 2, (n,), generator=g)
        middle = steps // 2
        reach = speed * max(middle, steps - 1 - middle)
        centre = torch.randint(reach, size - 4 - reach + 1, (n,), generator=g)
        rows = torch.randint(0, size - 4 + 1, (n,), generator=g)
        self.clips = 0.1 * torch.randn(n, steps, 4, size, size, generator=g)
        for k in range(n):
            sign = 1 if direction[k] == 0 else -1
            for t in range(steps):
                x = int(centre[k]) + sign * speed * (t - middle)
                self.clips[k, t, :, rows[k] : rows[k] + 4, x : x + 4] += 1.0
        self.labels = (1 + direction)[:, None].expand(n, steps).clone()

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        labels = self.labels[index]
        return {"clip": self.clips[index], "label": labels, "centre_label": centre_frame_labels(labels[None])[0]}


def _train(name: str, target_key: str, epochs: int) -> float:
    generator = seed_everything(0)
    train_loader = DataLoader(MovingSquares(64, seed=1), batch_size=16, shuffle=True, generator=generator)
    val_loader = DataLoader(MovingSquares(64, seed=2), batch_size=64)
    model = build_montalbano_model(name, num_classes=3, width=1 / 8, frame_size=32, dropout=0.0)
    # Sec. 4.2's Adam with a per-update exponential decay; a larger rate for a tiny network.
    config = FitConfig(
        epochs=epochs,
        lr=3e-3,
        optimizer="adam",
        lr_schedule="exponential",
        exponential_gamma=1 - 1e-4,
        monitor="val_accuracy",
    )
    result = fit(
        model,
        train_loader,
        config=config,
        val_loader=val_loader,
        loss_fn=framewise_cross_entropy,
        target_key=target_key,
        progress=False,
    )
    assert (result.history["train_accuracy"] <= 1).all()
    return evaluate(model, val_loader, loss_fn=framewise_cross_entropy, target_key=target_key)["accuracy"]


def test_tiny_bidirectional_lstm_learns_the_direction_of_motion_frame_by_frame():
    assert _train("rnn_lstm_cells", "label", epochs=12) > 0.9


def test_tiny_single_frame_cnn_cannot_learn_it():
    # The centre frame is equally likely under both directions: the best it can do is 1/2.
    assert _train("single_frame", "centre_label", epochs=6) < 0.75
