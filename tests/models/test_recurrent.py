"""Recurrent networks for skeleton sequences (Le Roux 2017, Fig. 11, Tables 4-9, 11)."""

from __future__ import annotations

import math
from functools import partial

import pytest
import torch
from torch.utils.data import DataLoader

from motion_rnn.models.leroux2017.losses import per_step_cross_entropy
from motion_rnn.models.leroux2017.recurrent import (
    IMPROVED_BASELINE,
    build_skeleton_rnn,
    mean_step_probabilities,
    predict_from_steps,
)
from motion_rnn.models.leroux2017.skeleton_inputs import pad_collate
from motion_rnn.models.leroux2017.skeleton_transformer import build_skeleton_transformer
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, evaluate, fit

CELLS = ("rnn", "lstm", "gru")


def small(**options):
    torch.manual_seed(0)
    kwargs = dict(input_size=6, num_classes=4, cell="gru", hidden_size=5, num_layers=2) | options
    return build_skeleton_rnn(**kwargs)


# -- shapes that must pass --------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_features_give_one_prediction_a_sequence_or_one_a_step(cell, bidirectional):
    x = torch.randn(3, 7, 6)
    last = small(cell=cell, bidirectional=bidirectional).eval()
    every = small(cell=cell, bidirectional=bidirectional, per_step=True).eval()
    assert last(x).shape == (3, 4)
    assert every(x).shape == (3, 7, 4)
    assert last.stack.output_size == 5 * (2 if bidirectional else 1)


def test_skeletons_are_flattened_and_a_transformer_goes_first():
    skeletons = torch.randn(2, 5, 4, 3)  # (B, T, J, 3)
    assert small(input_size=12).eval()(skeletons).shape == (2, 4)
    transformer = build_skeleton_transformer(kind="affine", num_joints=4, num_virtual_joints=6)
    net = small(input_size=18, transformer=transformer).eval()
    assert net(skeletons).shape == (2, 4)
    net(skeletons).sum().backward()
    assert transformer.weight.grad is not None and transformer.weight.grad.abs().sum() > 0


def test_improved_baseline_has_the_thesis_sizes():
    # Sec. 3.1.2: 3 unidirectional layers of 100 GRU units on 25 joints x 3, 60 NTU classes.
    net = build_skeleton_rnn(input_size=75, num_classes=60, **IMPROVED_BASELINE)

    def gru(d, h):
        return 3 * (h * d + h * h + 2 * h)  # nn.GRU: two biases a gate

    expected = gru(75, 100) + 2 * gru(100, 100) + (100 * 60 + 60)
    assert sum(p.numel() for p in net.parameters()) == expected
    assert isinstance(net.stack.dropout, torch.nn.Dropout) and net.stack.dropout.p == pytest.approx(0.5)


# -- shapes and arguments that must fail ----------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 5, 7), (2, 5), (2, 5, 2, 3, 1), (2, 5, 3, 3)])
def test_wrong_inputs_are_refused(shape):
    with pytest.raises(ValueError):
        small()(torch.randn(*shape))


@pytest.mark.parametrize("lengths", [[5, 6], [0, 3], [3], [[3, 3]], [2.0, 3.0]])
def test_wrong_lengths_are_refused(lengths):
    with pytest.raises(ValueError):
        small()(torch.randn(2, 5, 6), torch.tensor(lengths))


def test_a_transformer_needs_skeletons_of_its_size():
    transformer = build_skeleton_transformer(kind="linear", num_joints=2)
    net = small(transformer=transformer)
    with pytest.raises(ValueError):
        net(torch.randn(2, 5, 6))  # features, not skeletons
    with pytest.raises(ValueError):
        small(input_size=9, transformer=transformer)


@pytest.mark.parametrize(
    "options",
    [
        dict(keep_prob=0.0),
        dict(keep_prob=1.5),
        dict(cell="elman"),
        dict(hidden_size=0),
        dict(num_layers=0),
        dict(readout="mean"),
        dict(dense_size=0),
    ],
)
def test_builder_refuses_bad_arguments(options):
    with pytest.raises(ValueError):
        small(**options)


# -- variable lengths: padding changes nothing ----------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("per_step", [False, True])
def test_padding_does_not_change_the_output(cell, bidirectional, per_step):
    net = small(cell=cell, bidirectional=bidirectional, per_step=per_step).eval()
    lengths = torch.tensor([7, 3, 5])
    x = torch.randn(3, 7, 6)
    garbage = x.clone()
    for i, n in enumerate(lengths):
        garbage[i, n:] = 100 * torch.randn(7 - n, 6)  # whatever lies past the end
    with torch.no_grad():
        padded = net(garbage, lengths)
        for i, n in enumerate(lengths):
            alone = net(x[i : i + 1, :n])  # the sequence by itself
            mine = padded[i : i + 1, :n] if per_step else padded[i : i + 1]
            torch.testing.assert_close(mine, alone, atol=1e-5, rtol=1e-5)


def test_without_lengths_the_padding_is_read():
    net = small().eval()
    x = torch.randn(2, 6, 6)
    x[1, 3:] = 5.0
    with torch.no_grad():
        assert not torch.allclose(net(x)[1], net(x, torch.tensor([6, 3]))[1])


def test_last_step_is_each_sequences_own_last_valid_step():
    net = small(cell="lstm").eval()
    x, lengths = torch.randn(2, 6, 6), torch.tensor([6, 4])
    with torch.no_grad():
        outputs = net.sequence_features(x, lengths)  # (B, T, H)
        torch.testing.assert_close(net.features(x, lengths), outputs[[0, 1], [5, 3]])


# -- bidirectional: the two directions, concatenated -----------------------------------------


def test_bidirectional_last_step_is_forward_after_all_and_backward_after_the_last_frame():
    net = small(bidirectional=True, num_layers=1, hidden_size=4).eval()
    x, lengths = torch.randn(2, 6, 6), torch.tensor([6, 4])
    changed = x.clone()
    changed[:, 0] += 1.0  # only the first frame
    with torch.no_grad():
        before, after = net.features(x, lengths), net.features(changed, lengths)
    assert before.shape == (2, 8)  # [forward; backward]
    assert not torch.allclose(before[:, :4], after[:, :4])  # forward saw frame 1
    torch.testing.assert_close(before[:, 4:], after[:, 4:])  # backward did not

    # The backward half at the last step is the backward cell run on the last frame alone.
    layer = net.stack.layers[0]
    reverse = torch.nn.GRU(6, 4, batch_first=True)
    reverse.load_state_dict({k.replace("_reverse", ""): v for k, v in layer.state_dict().items() if "reverse" in k})
    with torch.no_grad():
        last_frames = x[[0, 1], [5, 3]][:, None]  # (B, 1, D)
        torch.testing.assert_close(before[:, 4:], reverse(last_frames)[0][:, 0])


def test_bidirectional_final_states_take_the_backward_state_at_the_first_step():
    net = small(bidirectional=True, num_layers=1, hidden_size=4, readout="final_states").eval()
    x, lengths = torch.randn(2, 6, 6), torch.tensor([6, 4])
    changed = x.clone()
    changed[0, 5] += 1.0  # last frame of sequence 0
    changed[1, 3] += 1.0  # last frame of sequence 1
    with torch.no_grad():
        outputs = net.sequence_features(x, lengths)
        features = net.features(x, lengths)
        torch.testing.assert_close(features[:, 4:], outputs[:, 0, 4:])
        torch.testing.assert_close(features[:, :4], outputs[[0, 1], [5, 3], :4])
        assert not torch.allclose(net.features(changed, lengths)[:, 4:], features[:, 4:])


def test_readout_makes_no_difference_one_way():
    x = torch.randn(2, 5, 6)
    with torch.no_grad():
        torch.testing.assert_close(small().eval()(x), small(readout="final_states").eval()(x))


# -- initialisation (Sec. 3.1.2) -------------------------------------------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
def test_gru_reset_and_update_gate_biases_are_one(bidirectional):
    net = small(bidirectional=bidirectional, hidden_size=5)
    names = 0
    for layer in net.stack.layers:
        for name, bias in layer.named_parameters():
            if not name.startswith("bias_ih"):
                continue
            names += 1
            hidden_bias = getattr(layer, name.replace("bias_ih", "bias_hh"))
            total = bias + hidden_bias  # the gate's bias
            assert torch.equal(total[:10], torch.ones(10))  # reset, update
            assert torch.equal(total[10:], torch.zeros(5))  # candidate
    assert names == 2 * (2 if bidirectional else 1)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_other_biases_start_at_zero(cell):
    net = small(cell=cell)
    assert all(torch.equal(p, torch.zeros_like(p)) for n, p in net.named_parameters() if "bias" in n)


def test_recurrent_weights_are_xavier_over_the_concatenated_matrix():
    torch.manual_seed(0)
    net = build_skeleton_rnn(input_size=30, num_classes=2, cell="lstm", hidden_size=8, num_layers=1)
    layer = net.stack.layers[0]
    w = torch.cat([layer.weight_ih_l0, layer.weight_hh_l0], dim=1)  # eq. (2): (4H, D + H)
    bound = math.sqrt(6 / ((30 + 8) + 4 * 8))  # Glorot: fan_in + fan_out
    assert w.abs().max() <= bound
    assert w.abs().max() > 0.95 * bound  # uniform up to the bound
    assert bound < 1 / math.sqrt(8)  # PyTorch's default is wider
    head = net.head[0].weight
    assert head.abs().max() <= math.sqrt(6 / (8 + 2))


# -- dropout as a keep probability (Sec. 3.2) -----------------------------------------------


def test_keep_probability_one_is_no_dropout():
    net = small(keep_prob=1.0).train()
    x = torch.randn(3, 5, 6)
    assert not any(isinstance(m, torch.nn.Dropout) for m in net.modules())
    torch.testing.assert_close(net(x), net(x))


def test_keep_probability_below_one_drops_in_training_only():
    net = small(keep_prob=0.5, dense_size=16)
    x = torch.randn(3, 5, 6)
    assert not torch.allclose(net.train()(x), net(x))
    torch.testing.assert_close(net.eval()(x), net(x))


# -- the head of Fig. 11 -----------------------------------------------------------------------


def test_default_head_is_fc_relu_with_one_score_a_class():
    net = small()
    assert [type(m).__name__ for m in net.head] == ["Linear", "ReLU"]
    assert net.head[0].out_features == 4
    assert (net.eval()(torch.randn(8, 5, 6)) >= 0).all()  # ReLU scores
    hidden = small(dense_size=16)
    assert [type(m).__name__ for m in hidden.head] == ["Linear", "ReLU", "Linear"]


# -- every-step predictions (Appendix A.1) ---------------------------------------------------


def test_prediction_averages_step_probabilities_over_valid_steps():
    p = torch.tensor(
        [
            [[0.6, 0.4], [0.6, 0.4], [0.0, 1.0]],  # padded last step votes 1
            [[0.3, 0.7], [0.8, 0.2], [0.8, 0.2]],
        ]
    )
    logits, lengths = p.clamp_min(1e-9).log(), torch.tensor([2, 3])
    torch.testing.assert_close(mean_step_probabilities(logits, lengths), torch.tensor([[0.6, 0.4], [1.9 / 3, 1.1 / 3]]))
    assert predict_from_steps(logits, lengths).tolist() == [0, 0]
    assert predict_from_steps(logits).tolist() == [1, 0]  # reading the padding


# -- it learns order: A then B is not B then A ----------------------------------------------


def order_task(n: int, seed: int) -> list[dict]:
    """Class 0: A...B...C, class 1: B...A...C; segments of 2-4 frames. Every class has the same
    frames and the same last frame, so only the order tells them apart."""
    g = torch.Generator().manual_seed(seed)
    eye = torch.eye(3)
    items = []
    for i in range(n):
        label = i % 2
        order = [0, 1, 2] if label == 0 else [1, 0, 2]
        frames = [eye[s].repeat(int(torch.randint(2, 5, (1,), generator=g)), 1) for s in order]
        x = torch.cat(frames)
        items.append({"features": x + 0.1 * torch.randn(x.shape, generator=g), "label": label})
    return items


def loaders(seed: int = 0):
    generator = seed_everything(seed)
    collate = partial(pad_collate, key="features")
    return (
        DataLoader(order_task(64, 1), batch_size=16, shuffle=True, generator=generator, collate_fn=collate),
        DataLoader(order_task(32, 2), batch_size=32, collate_fn=collate),
    )


def test_last_step_gru_learns_the_order_of_padded_sequences():
    train_loader, val_loader = loaders()
    # A hidden dense layer: with two classes, Fig. 11's FC + ReLU scores can die (both 0) early.
    net = build_skeleton_rnn(input_size=3, num_classes=2, cell="gru", hidden_size=12, num_layers=1, dense_size=16)
    result = fit(
        net,
        train_loader,
        config=FitConfig(epochs=30, lr=1e-2, optimizer="adam", grad_clip_norm=1.0),
        val_loader=val_loader,
        input_key="features",
        model_kwargs_keys=("lengths",),
        progress=False,
    )
    assert result.history["val_accuracy"].max() >= 0.95
    assert evaluate(net, val_loader, input_key="features", model_kwargs_keys=("lengths",))["accuracy"] >= 0.95


def test_bidirectional_every_step_gru_learns_the_order():
    train_loader, val_loader = loaders()
    net = build_skeleton_rnn(
        input_size=3,
        num_classes=2,
        cell="gru",
        hidden_size=8,
        num_layers=1,
        bidirectional=True,
        per_step=True,
        dense_size=16,
    )
    keys = dict(
        input_key="features",
        model_kwargs_keys=("lengths",),
        loss_fn=per_step_cross_entropy,
        predict_fn=predict_from_steps,
    )
    result = fit(
        net,
        train_loader,
        config=FitConfig(epochs=30, lr=1e-2, optimizer="adam", grad_clip_norm=1.0),
        val_loader=val_loader,
        progress=False,
        **keys,
    )
    assert result.history["val_accuracy"].max() >= 0.95
    out = evaluate(net, val_loader, **keys)
    assert out["predictions"].shape == (32,) and out["accuracy"] >= 0.95
