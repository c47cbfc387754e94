"""The claims of Zhang et al. about Table 1, each decided on evidence (:mod:`motion_rnn.verdicts`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from motion_rnn.models.zhang2018.convlstm import CELL_KINDS, CELL_LABELS
from motion_rnn.statistics import ItemScores, classification_scores
from motion_rnn.verdicts import Claim, Evidence, all_of, at_most, close, compare, exact

MEASURED = "Measured Mult-Adds (FLOP counter, one step)"
CLOSE_POINTS = 1.0
"""Ours: how many accuracy points "at least as accurate" and "does not improve" allow."""


def item_scores(runs: pd.DataFrame, source, settings) -> dict[tuple[str, str], ItemScores]:
    """Each network's outcome on each validation video (one seed)."""
    return {
        (CELL_LABELS[r.kind], source.facts["column"]): classification_scores(r.items["predicted"], r.items["target"])
        for r in runs.itertuples()
        if isinstance(getattr(r, "items", None), dict)  # rows stored before outcomes were kept have none
    }


def check_claims(evidence: Evidence) -> list[Claim]:
    """The paper's claims about Table 1.

    The complexity claims are exact (computed from the equations at the paper's shape); the
    accuracy claims are empirical, decided by the paired test of :mod:`motion_rnn.verdicts`.
    """
    facts: Mapping = evidence.facts
    column = facts.get("column", "Validating accuracy (Jester)")
    conv, a, b, c, d = (CELL_LABELS[k] for k in CELL_KINDS)
    value = evidence.value
    claims = []

    if evidence.has(conv, "Parameter Size") and evidence.has(a, "Parameter Size"):
        ratio = value(conv, "Parameter Size") / value(a, "Parameter Size")
        claims.append(
            exact(
                "Variant (a) needs about 9x fewer parameters than ConvLSTM (4.719M vs 0.529M, Table 1)",
                8.5 <= ratio <= 9.5,
                f"{value(conv, 'Parameter Size'):.6f}M vs {value(a, 'Parameter Size'):.6f}M, {ratio:.2f}x",
            )
        )
    measured = MEASURED if evidence.has(conv, MEASURED) else "Mult-Adds"
    if evidence.has(conv, measured):
        ratio = value(conv, measured) / value(a, measured)
        claims.append(
            exact(
                "Variant (a) needs about 9x fewer Mult-Adds than ConvLSTM (3700M vs 415M, Table 1): at least 8.9x "
                "(the paper's ratio less 1% for its rounding)",
                ratio >= 0.99 * 3700 / 415,
                f"{measured}: {value(conv, measured):.1f}M vs {value(a, measured):.1f}M, {ratio:.1f}x",
            )
        )
    sizes = [value(r, "Parameter Size") for r in CELL_LABELS.values()]
    paper_sizes = (4.719, 0.529, 0.667, 0.601, 0.601)
    claims.append(
        exact(
            "Parameter sizes follow eqs. 7, 16, 20 and 24 (4.719M, 0.529M, 0.667M, 0.601M, 0.601M)",
            all(round(s, 3) == p for s, p in zip(sizes, paper_sizes)),
            ", ".join(f"{s:.3f}M" for s in sizes),
        )
    )
    deviation = max(abs(value(r, "Parameter Size") * 784 / value(r, "Mult-Adds") - 1) for r in CELL_LABELS.values())
    claims.append(
        exact(
            "Ours, inferred from the table (the paper does not state it): the Mult-Adds column is the parameter "
            "size times the 28x28 map, to within half a percent",
            deviation <= 0.005,
            f"largest deviation of parameter size x 784 from the Mult-Adds column: {100 * deviation:.2f}%",
            kind="ours",
        )
    )
    claims.append(
        close(
            evidence,
            '"the spatial convolutions in the three gates scarcely contribute": variant (a) is as accurate as '
            f"ConvLSTM (Jester 95.08 vs 95.11, Table 1; ours: equal within ±{CLOSE_POINTS:g} point)",
            (a, column),
            (conv, column),
            tolerance=CLOSE_POINTS,
        )
    )
    claims.append(_least_accurate(evidence, b, [conv, a, c, d], column))
    gates = [at_most(evidence, f"{v} - (a)", (v, column), (a, column), bound=CLOSE_POINTS) for v in (c, d)]
    claims.append(
        all_of(
            '"the attention mechanisms embedded into the input and output gates cannot improve the feature fusion": '
            f"variants (c) and (d) are not more accurate than (a) (ours: by more than {CLOSE_POINTS:g} point)",
            gates,
        )
    )
    return claims


def _least_accurate(evidence: Evidence, worst: str, others: list[str], column: str) -> Claim:
    parts = [compare(evidence, f"{o} vs {worst}", (o, column), (worst, column)) for o in others]
    return all_of("Variant (b), attention on the input, is the least accurate of the five (94.18, Table 1)", parts)
