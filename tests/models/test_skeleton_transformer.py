"""The skeleton transformer of Le Roux 2017, Sec. 3.3.1 (Table 8)."""

from __future__ import annotations

import pytest
import torch

from motion_rnn.models.leroux2017.losses import module_penalties
from motion_rnn.models.leroux2017.recurrent import build_skeleton_rnn
from motion_rnn.models.leroux2017.skeleton_transformer import TRANSFORMER_KINDS, build_skeleton_transformer


def with_weight(kind: str, weight, **options):
    weight = torch.as_tensor(weight, dtype=torch.float32)
    module = build_skeleton_transformer(
        kind=kind, num_joints=weight.shape[1], num_virtual_joints=weight.shape[0], **options
    )
    with torch.no_grad():
        module.weight.copy_(weight)
    return module


# -- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TRANSFORMER_KINDS)
def test_virtual_joints_shape(kind):
    module = build_skeleton_transformer(kind=kind, num_joints=5, num_virtual_joints=7)
    assert module(torch.randn(2, 4, 5, 3)).shape == (2, 4, 7, 3)
    assert build_skeleton_transformer(kind=kind, num_joints=5).num_virtual_joints == 5  # N' = N


@pytest.mark.parametrize("shape", [(2, 4, 6, 3), (2, 4, 5), (4, 5, 3), (2, 4, 5, 2)])
def test_wrong_skeletons_are_refused(shape):
    with pytest.raises(ValueError):
        build_skeleton_transformer(kind="linear", num_joints=5)(torch.randn(*shape))


@pytest.mark.parametrize(
    "options",
    [
        dict(kind="sparse"),
        dict(kind="linear", sparsity_mu=-1.0),
        dict(kind="convex", positivity_lambda=-0.1),
        dict(kind="linear", num_virtual_joints=0),
        dict(kind="affine", penalty_on="both"),
    ],
)
def test_builder_refuses_bad_arguments(options):
    with pytest.raises(ValueError):
        build_skeleton_transformer(**({"num_joints": 4} | options))


def test_lambda_defaults_follow_table_8():
    lam = {kind: build_skeleton_transformer(kind=kind, num_joints=3).positivity_lambda for kind in TRANSFORMER_KINDS}
    assert lam == {"linear": 0.0, "affine": 0.0, "positive": 0.01, "convex": 0.01}


# -- the combinations (eqs. 8-10) ------------------------------------------------------------


@pytest.mark.parametrize("kind", TRANSFORMER_KINDS)
def test_starts_as_the_identity(kind):
    x = torch.randn(2, 3, 4, 3)
    torch.testing.assert_close(build_skeleton_transformer(kind=kind, num_joints=4)(x), x)
    more = build_skeleton_transformer(kind=kind, num_joints=4, num_virtual_joints=6)(x)
    torch.testing.assert_close(more[:, :, 4:], x[:, :, :2])  # joint i mod N


def test_linear_combination_by_hand():
    module = with_weight("linear", [[1.0, 2.0], [0.0, -1.0], [0.5, 0.5]])
    p = torch.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])  # (N, 3)
    out = module(p[None, None])[0, 0]  # (N', 3)
    torch.testing.assert_close(out, torch.tensor([[21.0, 42.0, 63.0], [-10.0, -20.0, -30.0], [5.5, 11.0, 16.5]]))


@pytest.mark.parametrize("kind", ["affine", "convex"])
def test_sum_to_one_divides_each_virtual_joint_by_its_row_sum(kind):
    torch.manual_seed(0)
    weight = torch.rand(5, 4) + 0.1
    weight[1, 2] = -0.05  # rows may hold negatives
    module = with_weight(kind, weight)
    torch.testing.assert_close(module.combination().sum(dim=1), torch.ones(5))
    x = torch.randn(2, 3, 4, 3)
    expected = torch.einsum("ij,btjc->btic", weight / weight.sum(1, keepdim=True), x)
    torch.testing.assert_close(module(x), expected)
    # Affine combinations move with the skeleton: translating every joint translates every
    # virtual joint by the same vector; a linear combination does not.
    shift = torch.tensor([0.3, -1.0, 2.0])
    torch.testing.assert_close(module(x + shift), module(x) + shift)
    linear = with_weight("linear", weight)
    assert not torch.allclose(linear(x + shift), linear(x) + shift)


# -- the penalties -------------------------------------------------------------------------------


def test_sparsity_penalty_by_hand():
    module = with_weight("linear", [[1.0, -2.0], [0.0, 3.0]], sparsity_mu=0.01)
    assert module.sparsity().item() == pytest.approx(3.0**2 + 3.0**2)  # sum_i (sum_j |w_ij|)^2
    assert module.penalty().item() == pytest.approx(0.01 * 18.0)  # no positivity term


def test_positivity_penalty_by_hand():
    weight = [[1.0, -2.0], [-0.5, 3.0]]
    positive = with_weight("positive", weight, positivity_lambda=0.1)
    assert positive.penalty().item() == pytest.approx(0.1 * 2.0)  # -lambda min(0, min W)
    both = with_weight("positive", weight, positivity_lambda=0.1, sparsity_mu=0.01)
    assert both.penalty().item() == pytest.approx(0.1 * 2.0 + 0.01 * (9.0 + 12.25))
    assert with_weight("positive", [[1.0, 0.0], [0.2, 3.0]]).penalty().item() == 0.0
    assert with_weight("linear", weight).penalty().item() == 0.0  # linear: no constraint


def test_convex_penalties_act_on_the_normalised_matrix():
    # Rows [2, -1] and [1, 3] become [2, -1] and [0.25, 0.75] after the division.
    module = with_weight("convex", [[2.0, -1.0], [1.0, 3.0]], positivity_lambda=0.1, sparsity_mu=0.01)
    assert module.negativity().item() == pytest.approx(1.0)
    assert module.sparsity().item() == pytest.approx(3.0**2 + 1.0**2)
    assert module.penalty().item() == pytest.approx(0.1 * 1.0 + 0.01 * 10.0)
    raw = with_weight("convex", [[2.0, -1.0], [1.0, 3.0]], positivity_lambda=0.1, sparsity_mu=0.01, penalty_on="raw")
    assert raw.sparsity().item() == pytest.approx(3.0**2 + 4.0**2)


def test_affine_sparsity_on_the_raw_parameter_rewards_shrinking_it():
    # Scaling W leaves an affine transformer's output unchanged but not the raw-W penalty.
    big = with_weight("affine", [[2.0, 2.0], [1.0, 3.0]], sparsity_mu=1.0, penalty_on="raw")
    small = with_weight("affine", [[0.2, 0.2], [0.1, 0.3]], sparsity_mu=1.0, penalty_on="raw")
    x = torch.randn(1, 2, 2, 3)
    torch.testing.assert_close(big(x), small(x))
    assert small.penalty() < big.penalty()
    effective = [
        with_weight("affine", w, sparsity_mu=1.0).penalty()
        for w in ([[2.0, 2.0], [1.0, 3.0]], [[0.2, 0.2], [0.1, 0.3]])
    ]
    torch.testing.assert_close(effective[0], effective[1])


@pytest.mark.parametrize("kind", ["positive", "convex"])
def test_minimising_the_lagrangian_term_makes_the_weights_non_negative(kind):
    torch.manual_seed(0)
    weight = torch.rand(4, 4) + 0.5
    weight.diagonal().fill_(-0.2)  # four negative weights
    module = with_weight(kind, weight, positivity_lambda=1.0)
    assert module.combination().min() < 0 and module.penalty() > 0
    optimiser = torch.optim.SGD(module.parameters(), lr=0.02)
    for _ in range(300):  # one weight moves a step
        optimiser.zero_grad()
        module.penalty().backward()
        optimiser.step()
    assert module.combination().min() >= 0 and module.penalty().item() == 0.0
    if kind == "convex":  # eq. (10): both constraints
        torch.testing.assert_close(module.combination().sum(dim=1), torch.ones(4))


def test_penalty_reaches_the_loss_through_the_model():
    transformer = build_skeleton_transformer(kind="positive", num_joints=3, positivity_lambda=0.5)
    with torch.no_grad():
        transformer.weight[0, 1] = -2.0
    net = build_skeleton_rnn(
        input_size=9, num_classes=2, cell="gru", hidden_size=4, num_layers=1, transformer=transformer
    )
    penalty = module_penalties(net)
    assert penalty.item() == pytest.approx(0.5 * 2.0)
    penalty.backward()
    assert transformer.weight.grad[0, 1].item() == pytest.approx(-0.5)
