r"""The skeleton transformer of Le Roux (2017), *Learning action recognition from 3D poses*,
Sec. 3.3.1 and Table 8: virtual joints learned as combinations of the original joints.

A skeleton at time t is :math:`P_t`, an N x 3 matrix of joint coordinates. The module learns a
matrix W (N' x N), shared by all time steps, and feeds :math:`P'_t = W P_t` (N' virtual joints)
to the recurrent network in place of :math:`P_t`. Table 8's rows:

* ``linear``, eq. (8), after Li et al.: :math:`P'_t = W P_t`, W unconstrained.
* ``affine``, eq. (9), :math:`\sum_j W_{ij} = 1`: by parameterisation, "after the matrix
  multiplication, we propose to divide the i-th virtual joint coordinates by
  :math:`\sum_j W_{ij}`".
* ``positive``, :math:`W_{ij} \ge 0`: by a penalty, the "Lagrangian constraint"
  :math:`-\lambda \min(0, \min_{i,j} W_{ij})`.
* ``convex``, eq. (10): both, the division and the penalty.

Any variant may add the sparsity term :math:`\mu \sum_i (\sum_j |W_{ij}|)^2 = \mu
\|W\|_{1,2}^2` (Table 8's columns :math:`\mu` = 0, 0.001, 0.01). Both terms are returned by
:meth:`SkeletonTransformer.penalty`, which the training loss adds (``fit(regulariser=...)``;
:func:`motion_rnn.models.leroux2017.losses.module_penalties` collects it from a whole model).

Readings and choices (the thesis is silent or loose):

* Our reading: the penalties apply to the matrix that combines the joints, i.e. the W of
  eqs. (8)-(10) *after* the division for ``affine``/``convex`` (``penalty_on="effective"``).
  ``penalty_on="raw"`` applies them to the stored parameter instead; for ``affine`` the
  sparsity term then shrinks the parameter's scale, which leaves the output unchanged and
  drives the row sums toward zero.
* The thesis: "if we force the *column* of our weight matrix to sum to 1"; eq. (10) has rows
  (:math:`\forall i, \sum_j W_{ij} = 1`), which is what makes each virtual joint a convex
  combination. Rows are used.
* Positivity is a penalty, as the thesis says, not a parameterisation: weights may go
  negative during training, and the penalty pulls the most negative one back.
* Our choice: W starts as the identity (virtual joint i = original joint i mod N), so every
  variant starts from the "Without" row of Table 8 and the affine division starts far from
  zero row sums. The thesis gives no initialisation for W.
* No epsilon guards the division, as in the thesis.
* Defaults: N' = N (Sec. 3.3.1, "we use N' = 25 virtual joints"); :math:`\lambda = 0.01`
  for ``positive`` and ``convex`` (Table 8's caption), 0 for the others; :math:`\mu = 0`.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

__all__ = ["TRANSFORMER_KINDS", "SkeletonTransformer", "build_skeleton_transformer"]

TransformerKind = Literal["linear", "affine", "positive", "convex"]
TRANSFORMER_KINDS: tuple[str, ...] = ("linear", "affine", "positive", "convex")
"""Table 8's rows with a skeleton transformer, in the table's order."""

_SUM_TO_ONE = {"affine", "convex"}
_POSITIVE = {"positive", "convex"}


class SkeletonTransformer(nn.Module):
    """Virtual joints :math:`P'_t = W P_t` (Sec. 3.3.1, eqs. 8-10).

    forward: skeletons ``(B, T, N, 3)`` -> virtual skeletons ``(B, T, N', 3)``.
    ``penalty()``: the scalar sparsity + positivity terms to add to the loss.
    Build with :func:`build_skeleton_transformer`.
    """

    def __init__(
        self,
        *,
        kind: TransformerKind,
        num_joints: int,
        num_virtual_joints: int,
        sparsity_mu: float,
        positivity_lambda: float,
        penalty_on: Literal["effective", "raw"],
    ) -> None:
        super().__init__()
        self.kind = kind
        self.num_joints = num_joints
        self.num_virtual_joints = num_virtual_joints
        self.sparsity_mu = sparsity_mu
        self.positivity_lambda = positivity_lambda
        self.penalty_on = penalty_on
        # Our choice: the identity (virtual joint i starts as joint i mod N).
        weight = torch.zeros(num_virtual_joints, num_joints)
        weight[torch.arange(num_virtual_joints), torch.arange(num_virtual_joints) % num_joints] = 1.0
        self.weight = nn.Parameter(weight)  # W, (N', N); a layer without bias

    def combination(self) -> Tensor:
        r"""The matrix that combines the joints, ``(N', N)``: W, or for ``affine``/``convex`` W with
        each row divided by its sum (eq. 9: "divide the i-th virtual joint coordinates by
        :math:`\sum_j W_{ij}`", so the rows sum to 1)."""
        if self.kind in _SUM_TO_ONE:
            return self.weight / self.weight.sum(dim=1, keepdim=True)
        return self.weight

    def forward(self, skeletons: Tensor) -> Tensor:
        """``(B, T, N, 3)`` -> ``(B, T, N', 3)``: :math:`P'_t = W P_t` at every step (eq. 8)."""
        if skeletons.dim() != 4 or skeletons.shape[-2:] != (self.num_joints, 3):
            raise ValueError(f"expected skeletons of shape (B, T, {self.num_joints}, 3), got {tuple(skeletons.shape)}")
        return torch.einsum("ij,btjc->btic", self.combination(), skeletons)

    def sparsity(self) -> Tensor:
        r""":math:`\|W\|_{1,2}^2 = \sum_i (\sum_j |W_{ij}|)^2` (Sec. 3.3.1), without :math:`\mu`."""
        return self._penalised().abs().sum(dim=1).square().sum()

    def negativity(self) -> Tensor:
        r""":math:`-\min(0, \min_{ij} W_{ij})` (Sec. 3.3.1), without :math:`\lambda`."""
        return (-self._penalised().min()).clamp(min=0)

    def penalty(self) -> Tensor:
        r""":math:`\mu \|W\|_{1,2}^2 - \lambda \min(0, \min_{ij} W_{ij})`; the second term only
        for ``positive`` and ``convex``. A scalar to add to the training loss."""
        total = self.weight.new_zeros(())
        if self.sparsity_mu:
            total = total + self.sparsity_mu * self.sparsity()
        if self.kind in _POSITIVE and self.positivity_lambda:
            total = total + self.positivity_lambda * self.negativity()
        return total

    def _penalised(self) -> Tensor:
        return self.combination() if self.penalty_on == "effective" else self.weight

    def extra_repr(self) -> str:
        return (
            f"kind={self.kind!r}, joints={self.num_joints} -> {self.num_virtual_joints}, "
            f"mu={self.sparsity_mu}, lambda={self.positivity_lambda}, penalty_on={self.penalty_on!r}"
        )


def build_skeleton_transformer(
    *,
    # Table 8's row
    kind: TransformerKind,
    # joints
    num_joints: int,
    num_virtual_joints: int | None = None,  # Sec. 3.3.1: N' = N ("we use N' = 25 virtual joints")
    # penalties
    sparsity_mu: float = 0.0,  # Table 8's columns: 0, 0.001, 0.01
    positivity_lambda: float | None = None,  # Table 8's caption: 0.01 for positive and convex
    penalty_on: Literal["effective", "raw"] = "effective",
) -> SkeletonTransformer:
    """A :class:`SkeletonTransformer` for one row of Table 8 (see the module docstring)."""
    if kind not in TRANSFORMER_KINDS:
        raise ValueError(f"kind={kind!r} is not one of {TRANSFORMER_KINDS}")
    if penalty_on not in ("effective", "raw"):
        raise ValueError(f"penalty_on={penalty_on!r} is not one of 'effective', 'raw'")
    num_virtual_joints = num_joints if num_virtual_joints is None else num_virtual_joints
    if num_joints < 1 or num_virtual_joints < 1:
        raise ValueError(f"need at least one joint and one virtual joint, got {num_joints}, {num_virtual_joints}")
    if positivity_lambda is None:
        positivity_lambda = 0.01 if kind in _POSITIVE else 0.0
    if sparsity_mu < 0 or positivity_lambda < 0:
        raise ValueError(f"mu and lambda must be >= 0, got {sparsity_mu}, {positivity_lambda}")
    return SkeletonTransformer(
        kind=kind,
        num_joints=num_joints,
        num_virtual_joints=num_virtual_joints,
        sparsity_mu=sparsity_mu,
        positivity_lambda=positivity_lambda,
        penalty_on=penalty_on,
    )
