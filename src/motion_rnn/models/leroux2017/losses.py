r"""The training losses of Le Roux (2017), *Learning action recognition from 3D poses*
(Tables 4-9, 11, 12).

* Eq. (5), Tables 4-9: cross entropy of the prediction at each sequence's last step, averaged
  over the mini-batch. That is plain ``nn.functional.cross_entropy`` on the ``(B, K)`` logits of
  a last-step model (``fit``'s default loss); nothing here.
* Eq. (11), Table 11: a bidirectional network predicts at every time step and the loss averages
  the step losses, :math:`L(y, x) = \frac{1}{T} \sum_{t=1}^T -\log p_t^y`
  -> :func:`per_step_cross_entropy`.
* Appendix A.3, Table 12: the inattention loss puts the weight on the set S of the |S| steps with
  the lowest probability of the true label -> :func:`inattention_loss`.
* Sec. 3.2, Table 7: L2 regularisation -> :func:`l2_penalty`; Sec. 3.3.1, Table 8: the skeleton
  transformer's own penalties -> :func:`module_penalties`; both together, as a ``regulariser``
  for :func:`motion_rnn.train.fit` -> :func:`make_regulariser`.

Step losses take per-step logits ``(B, T, K)``, targets ``(B,)`` (one label a sequence) and
optional ``lengths`` ``(B,)``: steps at or after a sequence's length are padding and never
count, so :math:`T` above is each sequence's own length. Sequence losses are then averaged over
the batch, as eq. (5) does. With ``fit(..., model_kwargs_keys=("lengths",))`` the lengths reach
the loss by keyword.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from motion_rnn.models.leroux2017.skeleton_inputs import check_lengths, length_mask

__all__ = [
    "inattention_loss",
    "l2_penalty",
    "make_regulariser",
    "module_penalties",
    "per_step_cross_entropy",
    "step_losses",
]


def step_losses(logits: Tensor, target: Tensor) -> Tensor:
    r"""Per-step losses :math:`-\log p_t^y`: logits ``(B, T, K)``, target ``(B,)`` -> ``(B, T)``."""
    if logits.dim() != 3:
        raise ValueError(f"expected per-step logits of shape (B, T, K), got {tuple(logits.shape)}")
    if target.shape != logits.shape[:1]:
        raise ValueError(f"expected one target a sequence, shape ({logits.shape[0]},), got {tuple(target.shape)}")
    batch, steps, classes = logits.shape
    per_step_target = target[:, None].expand(batch, steps)  # (B, T)
    return F.cross_entropy(logits.reshape(-1, classes), per_step_target.reshape(-1), reduction="none").view(
        batch, steps
    )


def inattention_loss(
    logits: Tensor, target: Tensor, lengths: Tensor | None = None, *, num_steps: int | None = None
) -> Tensor:
    r"""The inattention loss of Appendix A.3 with uniform weights on S (Table 12's setting).

    S is the set of the :math:`|S|` = ``num_steps`` time steps with the lowest predicted
    probability of the true label, :math:`p_t^y` ("sorting online at each forward pass"), i.e.
    the highest step losses. Table 12: "the inattention weights are equally distributed between
    the time steps in S ... a weight equal to :math:`1/|S|` while other steps have their
    inattention weight set to zero":

    .. math:: L_w(y, x) = \frac{1}{|S|} \sum_{t \in S} -\log p_t^y \;\ge\; L(y, x)

    These uniform weights are one member of the thesis's set of inattention weights
    :math:`\mathcal{W}` (eq. 12).

    ``num_steps=None`` is :math:`|S| = T` (eq. 11); a sequence shorter than ``num_steps`` uses all
    its steps. Gradients reach only the steps in S. Returns the batch mean, a scalar.
    """
    losses = step_losses(logits, target)  # (B, T)
    batch, steps = losses.shape
    lengths = check_lengths(lengths, batch, steps)
    lengths = torch.full((batch,), steps, device=losses.device) if lengths is None else lengths.to(losses.device)
    if num_steps is not None and num_steps < 1:
        raise ValueError(f"num_steps must be >= 1 or None (|S| = T), got {num_steps}")
    valid = length_mask(lengths, steps)  # (B, T)
    selected = lengths if num_steps is None else lengths.clamp(max=num_steps)  # |S| per sequence
    # Padding sorts last; the first |S| of the sorted losses are S.
    worst_first = losses.masked_fill(~valid, float("-inf")).sort(dim=1, descending=True).values
    in_s = length_mask(selected, steps)  # (B, T)
    sequence_loss = worst_first.masked_fill(~in_s, 0.0).sum(dim=1) / selected  # (B,)
    return sequence_loss.mean()


def per_step_cross_entropy(logits: Tensor, target: Tensor, lengths: Tensor | None = None) -> Tensor:
    r"""Eq. (11), the loss over every time step (Table 11): :math:`\frac{1}{T} \sum_t -\log p_t^y`
    per sequence (over its own valid steps), then the batch mean. Logits ``(B, T, K)``, target
    ``(B,)``, lengths ``(B,)`` or None -> scalar."""
    return inattention_loss(logits, target, lengths, num_steps=None)


def l2_penalty(
    model: nn.Module, *, weight: float, weights_only: bool = False, exclude_penalised: bool = True
) -> Tensor:
    r"""Sec. 3.2's L2 regularisation: ``weight`` :math:`\cdot \frac{1}{2} \sum \theta^2`.

    "adding to the objective function a term :math:`\Omega(\theta) \propto \|\theta\|_2`, where
    :math:`\theta` designates the model's parameters". Our reading: the squared norm (the thesis's
    Gaussian-prior reading of the term, and TensorFlow's ``tf.nn.l2_loss`` with its factor 1/2),
    so its gradient is ``weight * theta``, the same as ``FitConfig(weight_decay=weight)`` applied
    to the same parameters. Over all parameters, biases included ("the model's parameters");
    ``weights_only=True`` keeps tensors of two or more dimensions. ``exclude_penalised``: leave out
    the parameters of modules that carry their own ``penalty()`` (the skeleton transformer's W,
    which Sec. 3.3.1 regularises on its own, with :math:`\|W\|_{1,2}^2`); our reading.
    """
    skipped: set[int] = set()
    if exclude_penalised:
        for module in model.modules():
            if module is not model and callable(getattr(module, "penalty", None)):
                skipped.update(id(p) for p in module.parameters())
    total = None
    for parameter in model.parameters():
        if not parameter.requires_grad or id(parameter) in skipped or (weights_only and parameter.dim() < 2):
            continue
        term = parameter.square().sum()
        total = term if total is None else total + term
    if total is None:
        return _zero(model)
    return 0.5 * weight * total


def _zero(model: nn.Module) -> Tensor:
    parameter = next(model.parameters(), None)
    return torch.zeros(()) if parameter is None else parameter.new_zeros(())


def module_penalties(model: nn.Module) -> Tensor:
    """The sum of ``penalty()`` over the submodules of ``model`` that have one (e.g. the skeleton
    transformer's sparsity and positivity terms, Sec. 3.3.1); zero when none has."""
    terms = [m.penalty() for m in model.modules() if m is not model and callable(getattr(m, "penalty", None))]
    return torch.stack(terms).sum() if terms else _zero(model)


def make_regulariser(
    *, l2_weight: float = 0.0, weights_only: bool = False, exclude_penalised: bool = True
) -> Callable[[nn.Module], Tensor]:
    """``regulariser(model)`` for :func:`motion_rnn.train.fit`: :func:`l2_penalty` (Sec. 3.2) plus
    :func:`module_penalties` (Sec. 3.3.1). The thesis does not give its L2 weight."""
    if l2_weight < 0:
        raise ValueError(f"l2_weight must be >= 0, got {l2_weight}")

    def regulariser(model: nn.Module) -> Tensor:
        total = module_penalties(model)
        if l2_weight:
            total = total + l2_penalty(
                model, weight=l2_weight, weights_only=weights_only, exclude_penalised=exclude_penalised
            )
        return total

    return regulariser
