"""Losses of Le Roux 2017: eq. (11) (Table 11), the inattention loss (Appendix A, Table 12), L2."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from motion_rnn.models.leroux2017.losses import (
    inattention_loss,
    l2_penalty,
    make_regulariser,
    module_penalties,
    per_step_cross_entropy,
    step_losses,
)
from motion_rnn.models.leroux2017.recurrent import build_skeleton_rnn
from motion_rnn.models.leroux2017.skeleton_inputs import flatten_joints, length_mask, pad_collate, skeleton_motion
from motion_rnn.models.leroux2017.skeleton_transformer import build_skeleton_transformer


def logits_from(p_true: list[list[float]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Two-class logits whose step probability of the true class 0 is ``p_true``."""
    p = torch.tensor(p_true)
    return torch.stack([p.log(), (1 - p).log()], dim=-1), torch.zeros(len(p_true), dtype=torch.long)


P = [[0.9, 0.5, 0.2, 0.7]]
NLL = [-math.log(v) for v in P[0]]


# -- step losses and eq. (11) ----------------------------------------------------------------


def test_step_losses_are_minus_log_p_of_the_true_label():
    logits, target = logits_from(P)
    torch.testing.assert_close(step_losses(logits, target), torch.tensor([NLL]))


def test_eq_11_is_the_mean_over_steps_then_over_the_batch():
    logits, target = torch.randn(3, 5, 4), torch.tensor([0, 3, 1])
    flat = F.cross_entropy(logits.reshape(15, 4), target.repeat_interleave(5))
    torch.testing.assert_close(per_step_cross_entropy(logits, target), flat)
    lengths = torch.tensor([5, 2, 3])
    by_hand = torch.stack([F.cross_entropy(logits[i, :n], target[i].repeat(int(n))) for i, n in enumerate(lengths)])
    torch.testing.assert_close(per_step_cross_entropy(logits, target, lengths), by_hand.mean())


def test_padding_does_not_change_the_loss():
    logits, target, lengths = torch.randn(2, 6, 3), torch.tensor([1, 2]), torch.tensor([6, 3])
    changed = logits.clone()
    changed[1, 3:] = 50 * torch.randn(3, 3)
    for loss in (per_step_cross_entropy, lambda *a: inattention_loss(*a, num_steps=2)):
        torch.testing.assert_close(loss(changed, target, lengths), loss(logits, target, lengths))


@pytest.mark.parametrize(
    "logits, target",
    [
        (torch.randn(2, 3), torch.tensor([0, 1])),
        (torch.randn(2, 4, 3), torch.tensor([[0], [1]])),
        (torch.randn(2, 4, 3), torch.tensor([0, 1, 1])),
    ],
)
def test_wrong_shapes_are_refused(logits, target):
    with pytest.raises(ValueError):
        per_step_cross_entropy(logits, target)


# -- the inattention loss (Appendix A.3, Table 12) -------------------------------------------


def test_inattention_loss_by_hand():
    logits, target = logits_from(P)  # p_t^y = 0.9, 0.5, 0.2, 0.7
    worst_two = (-math.log(0.2) - math.log(0.5)) / 2  # S = {t=3, t=2}
    assert inattention_loss(logits, target, num_steps=2).item() == pytest.approx(worst_two)
    assert inattention_loss(logits, target, num_steps=1).item() == pytest.approx(-math.log(0.2))
    assert inattention_loss(logits, target, num_steps=4).item() == pytest.approx(sum(NLL) / 4)
    assert inattention_loss(logits, target, num_steps=None).item() == pytest.approx(sum(NLL) / 4)


def test_inattention_loss_ignores_padding_and_short_sequences_use_all_steps():
    # The padded step has p = 0.01, the worst of all, and must not enter S.
    logits, target = logits_from([[0.9, 0.5, 0.2, 0.01], [0.6, 0.3, 0.8, 0.4]])
    lengths = torch.tensor([3, 4])
    first = (-math.log(0.2) - math.log(0.5)) / 2
    second = (-math.log(0.3) - math.log(0.4)) / 2
    assert inattention_loss(logits, target, lengths, num_steps=2).item() == pytest.approx((first + second) / 2)
    first_all = -sum(map(math.log, [0.9, 0.5, 0.2])) / 3
    second_all = -sum(map(math.log, [0.6, 0.3, 0.8, 0.4])) / 4
    all_steps = (first_all + second_all) / 2
    assert inattention_loss(logits, target, lengths, num_steps=10).item() == pytest.approx(all_steps)


def test_gradients_reach_only_the_steps_in_s():
    logits, target = logits_from(P)
    logits.requires_grad_(True)
    inattention_loss(logits, target, num_steps=2).backward()
    touched = logits.grad.abs().sum(dim=-1)[0] > 0
    assert touched.tolist() == [False, True, True, False]


@settings(max_examples=40, deadline=None)
@given(steps=st.integers(1, 8), batch=st.integers(1, 4), num_steps=st.integers(1, 9), seed=st.integers(0, 1000))
def test_inattention_loss_is_an_upper_bound_of_eq_11(steps, batch, num_steps, seed):
    # Appendix A.3: "any L_w is an upper bound of the original loss L"; |S| = T gives L back.
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, steps, 3, generator=g) * 3
    target = torch.randint(0, 3, (batch,), generator=g)
    lengths = torch.randint(1, steps + 1, (batch,), generator=g)
    plain = per_step_cross_entropy(logits, target, lengths)
    worst = inattention_loss(logits, target, lengths, num_steps=num_steps)
    fewer = inattention_loss(logits, target, lengths, num_steps=max(1, num_steps - 1))
    assert worst >= plain - 1e-5 and fewer >= worst - 1e-5
    torch.testing.assert_close(inattention_loss(logits, target, lengths, num_steps=steps), plain)


def test_num_steps_must_be_positive():
    with pytest.raises(ValueError):
        inattention_loss(torch.randn(1, 3, 2), torch.tensor([0]), num_steps=0)


# -- L2 regularisation (Sec. 3.2) and module penalties ---------------------------------------


def test_l2_penalty_by_hand():
    layer = nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, -2.0]]))
        layer.bias.fill_(3.0)
    assert l2_penalty(layer, weight=0.1).item() == pytest.approx(0.5 * 0.1 * (1 + 4 + 9))
    assert l2_penalty(layer, weight=0.1, weights_only=True).item() == pytest.approx(0.5 * 0.1 * 5)
    l2_penalty(layer, weight=0.1).backward()
    torch.testing.assert_close(layer.weight.grad, 0.1 * layer.weight.detach())  # = weight decay


def test_l2_leaves_the_skeleton_transformer_to_its_own_penalty():
    transformer = build_skeleton_transformer(kind="convex", num_joints=2, sparsity_mu=0.01)
    net = build_skeleton_rnn(
        input_size=6, num_classes=2, cell="rnn", hidden_size=3, num_layers=1, transformer=transformer
    )
    others = sum(p.square().sum() for n, p in net.named_parameters() if not n.startswith("transformer"))
    assert l2_penalty(net, weight=2.0).item() == pytest.approx(others.item())
    assert l2_penalty(net, weight=2.0, exclude_penalised=False).item() == pytest.approx(others.item() + 2.0)
    own = transformer.penalty()
    assert own.item() == pytest.approx(0.01 * 2)  # identity: two rows of 1
    torch.testing.assert_close(module_penalties(net), own)
    torch.testing.assert_close(make_regulariser(l2_weight=2.0)(net), own + others)
    assert module_penalties(nn.Linear(2, 2)).item() == 0.0


def test_negative_l2_weight_is_refused():
    with pytest.raises(ValueError):
        make_regulariser(l2_weight=-1.0)


# -- skeleton inputs (Sec. 2.4.2, 3.3.2) ------------------------------------------------------


def test_skeleton_motion_matches_the_numpy_definition_and_shortens_lengths():
    from motion_rnn.data.pose import skeleton_motion as numpy_motion

    x = torch.randn(2, 5, 4, 3, dtype=torch.float64)
    motion, lengths = skeleton_motion(x)
    assert motion.shape == (2, 4, 4, 3) and lengths is None
    torch.testing.assert_close(motion, torch.from_numpy(numpy_motion(x.numpy())))
    motion, lengths = skeleton_motion(x, torch.tensor([5, 3]))
    assert lengths.tolist() == [4, 2]
    torch.testing.assert_close(motion[1, :2], x[1, 1:3] - x[1, :2])  # M_t = P_{t+1} - P_t
    assert motion[1, 2:].abs().sum() == 0  # padding stays zero
    with pytest.raises(ValueError):
        skeleton_motion(x, torch.tensor([5, 1]))  # a motion needs 2 poses
    with pytest.raises(ValueError):
        skeleton_motion(x[:, :1])


def test_flatten_joints_is_joint_major():
    x = torch.arange(2 * 3 * 4 * 3, dtype=torch.float32).reshape(2, 3, 4, 3)
    flat = flatten_joints(x)
    assert flat.shape == (2, 3, 12)
    torch.testing.assert_close(flat[1, 2, 3:6], x[1, 2, 1])  # joint 1's x, y, z
    with pytest.raises(ValueError):
        flatten_joints(torch.randn(2, 3, 4, 2))


def test_pad_collate_pads_and_records_lengths():
    items = [
        {"joints": torch.ones(3, 2, 3), "label": 4, "name": "a"},
        {"joints": 2 * torch.ones(5, 2, 3), "label": 1, "name": "b"},
    ]
    batch = pad_collate(items)
    assert batch["joints"].shape == (2, 5, 2, 3) and batch["joints"][0, 3:].abs().sum() == 0
    assert batch["lengths"].tolist() == [3, 5] and batch["label"].tolist() == [4, 1]
    assert batch["name"] == ["a", "b"]
    assert length_mask(batch["lengths"], 5).tolist() == [[True] * 3 + [False] * 2, [True] * 5]
