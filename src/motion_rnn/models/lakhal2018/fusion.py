r"""Two-stream fusion of Lakhal et al. 2018 (Sec. 3.2, Fig. 2, Table 2): RGB and optical flow.

* Mid fusion (Fig. 2(a)): the two streams' clip features are combined element-wise *before* one
  Res-LSTM, :math:`x^0_t = x^c_t \circ x^f_t`, :math:`\circ \in \{\oplus, \odot\}` -> :func:`mid_fuse`.
* Late fusion (Fig. 2(b)): one Res-LSTM a stream, trained apart; their softmax scores are combined,
  :math:`\hat y = \hat y^c \circ \hat y^f` -> :func:`late_fuse` with ``how="sum"`` or ``"product"``; and
  Table 2's third row, the weighted sum :math:`w_1 \cdot Flow + w_2 \cdot RGB` with "the same weights as
  the original TSN, i.e. :math:`(w_1, w_2) \in (1.5, 1)`": flow 1.5, RGB 1 (TSN weighs its temporal
  stream 1.5 and its spatial stream 1) -> ``how="weighted"``, :data:`TSN_WEIGHTS`.

Sec. 3.2: the sum "is expected to help if the two responses have high scores, whereas small
perturbations in either vector will be ignored"; the product "encourages the highest scores and tends
to diminish small responses". Late product fusion is the paper's final choice (68.0 on HMDB-51 split 1).

:func:`late_fuse` takes softmax *scores* (probabilities), as the paper fuses "softmax predictions";
the fused scores are not renormalised (the arg max, all a prediction needs, is the same), and the
product of probabilities ranks classes as the sum of log-probabilities would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch import Tensor

__all__ = [
    "LATE_FUSIONS",
    "MID_FUSIONS",
    "TABLE2_STRATEGIES",
    "TSN_WEIGHTS",
    "FusionStrategy",
    "late_fuse",
    "mid_fuse",
]

MidFusion = Literal["sum", "product"]
LateFusion = Literal["sum", "product", "weighted"]

MID_FUSIONS: tuple[str, ...] = ("sum", "product")
"""Sec. 3.2: element-wise sum (+) and element-wise product (.) of the two streams' features."""
LATE_FUSIONS: tuple[str, ...] = ("sum", "product", "weighted")
"""Sec. 3.2 and Table 2: sum and product of the softmax scores, and w_1 Flow + w_2 RGB."""
TSN_WEIGHTS: tuple[float, float] = (1.5, 1.0)
"""(w_1, w_2) of Table 2's "w_1.Flow + w_2.RGB": flow 1.5, RGB 1, "the same weights as the original TSN"."""


@dataclass(frozen=True)
class FusionStrategy:
    """One cell of Table 2: where the streams meet, how, and the paper's HMDB-51 split-1 accuracy (%)
    with the 2-layer Res-LSTM."""

    stage: Literal["mid", "late"]
    how: str
    paper_accuracy: float


TABLE2_STRATEGIES: tuple[FusionStrategy, ...] = (
    FusionStrategy("mid", "sum", 59.3),
    FusionStrategy("mid", "product", 56.5),
    FusionStrategy("late", "sum", 65.2),
    FusionStrategy("late", "product", 68.0),
    FusionStrategy("late", "weighted", 63.3),  # mid fusion has no weighted row ("-")
)
"""Table 2's five filled cells (HMDB-51, split 1, 2-layer Res-LSTM)."""


def _check(how: str, allowed: tuple[str, ...], what: str) -> None:
    if how not in allowed:
        raise ValueError(f"{what} how={how!r} is not one of {', '.join(map(repr, allowed))}")


def _check_shapes(a: Tensor, b: Tensor, names: tuple[str, str]) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have one shape, got {tuple(a.shape)} and {tuple(b.shape)}")


def mid_fuse(u: Tensor, v: Tensor, how: MidFusion) -> Tensor:
    """Mid fusion (Sec. 3.2, Fig. 2(a)): u (+) v or u (.) v element-wise, e.g. RGB and flow clip
    features ``(B, T, d)`` each -> one ``(B, T, d)`` input sequence x^0 for a single Res-LSTM."""
    _check(how, MID_FUSIONS, "mid fusion")
    _check_shapes(u, v, ("u", "v"))
    return u + v if how == "sum" else u * v


def late_fuse(p_rgb: Tensor, p_flow: Tensor, how: LateFusion, weights: tuple[float, float] = TSN_WEIGHTS) -> Tensor:
    """Late fusion (Sec. 3.2, Fig. 2(b), Table 2) of two streams' softmax scores ``(B, P)`` each.

    ``sum``: p_rgb + p_flow; ``product``: p_rgb * p_flow; ``weighted``: w_1 * p_flow + w_2 * p_rgb with
    ``weights = (w_1, w_2)``, TSN's (1.5, 1) by default (used only by ``weighted``).
    """
    _check(how, LATE_FUSIONS, "late fusion")
    _check_shapes(p_rgb, p_flow, ("p_rgb", "p_flow"))
    if how == "sum":
        return p_rgb + p_flow
    if how == "product":
        return p_rgb * p_flow
    w_flow, w_rgb = weights
    return w_flow * p_flow + w_rgb * p_rgb
