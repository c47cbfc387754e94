"""The paper's claims, each with a kind and one of three verdicts, decided on evidence.

A claim is one sentence of the paper (or, labelled as such, our own hypothesis) turned into a test
of our numbers. Each claim has a *kind*:

- ``exact``: about numbers that follow from the definitions (parameter counts, Mult-Adds), which
  we compute, not measure;
- ``empirical``: about what training measures (accuracies, Jaccard indices);
- ``ours``: a hypothesis of ours, not the paper's (a threshold the paper does not state, a
  convention we infer); labelled so on every page.

and one of three *verdicts*:

- ``holds``: the difference in the claimed direction is significant (its 95% interval lies on the
  claimed side; :mod:`motion_rnn.statistics` names the test), or, for an equality ("equally
  capable"), the interval of the difference lies inside the stated tolerance;
- ``fails``: the difference is significant the other way, or lies wholly outside the tolerance;
- ``inconclusive``: neither; also whenever a network the claim is about is not above chance (its
  own test, p < 0.01), or a number has a single measurement and no interval.

The same claims are decided on the paper's own numbers (:class:`Evidence` with ``values="paper"``):
there a difference counts as it is printed (a tie is inconclusive), which shows where the paper's
table contradicts its text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from motion_rnn.statistics import (
    ItemScores,
    Resampler,
    from_draws,
    hierarchical_draws,
    seed_t_test,
)

HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE)
KINDS = ("exact", "empirical", "ours")
CHANCE_LEVEL = 0.01
"""A network is above chance when the one-sided test of its score against chance has p below this."""
NOT_REPORTED = "not reported"
"""The paper-values verdict of a claim that reads a cell the paper does not report."""

Cell = tuple[str, str]
"""A cell of a table: ``(row, column)``."""


@dataclass(frozen=True)
class Claim:
    """A claim with its verdict, kind and the numbers it was decided on."""

    claim: str
    kind: str
    verdict: str
    detail: str
    test: str = ""
    """How the verdict was decided (the statistical test, or the exact comparison)."""

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {KINDS}")


CLAIM_COLUMNS = ["claim", "kind", "verdict", "paper_verdict", "test", "detail"]


def claims_frame(claims: Iterable[Claim], paper: Iterable[Claim] | None = None) -> pd.DataFrame:
    """The claims table: one line a claim, with the verdict on the paper's own numbers beside ours."""
    claims = list(claims)
    paper = None if paper is None else list(paper)
    if paper is not None and [c.claim for c in paper] != [c.claim for c in claims]:
        raise ValueError("the claims decided on the paper's numbers are not the same claims as ours")
    on_paper = (
        [NOT_REPORTED if c.detail.startswith(NOT_REPORTED) else c.verdict for c in paper]
        if paper is not None
        else [""] * len(claims)
    )
    return pd.DataFrame(
        [
            {
                "claim": c.claim,
                "kind": c.kind,
                "verdict": c.verdict,
                "paper_verdict": p,
                "test": c.test,
                "detail": c.detail,
            }
            for c, p in zip(claims, on_paper)
        ],
        columns=CLAIM_COLUMNS,
    )


class MissingCell(KeyError):
    """A claim reads a cell the table does not have (e.g. one the paper does not report)."""


@dataclass
class Evidence:
    """What a table's claims are decided on: its cells and, for our numbers, their outcomes a seed.

    ``table``: tidy (``row, column, ours, paper`` ...) of one data set; ``scores``: the cells'
    :class:`ItemScores`; ``per_seed``: the cells' numbers a seed; ``chance``: each row's test
    against chance (p-value), for rows whose scores carry a chance score; ``values``: ``"ours"``
    or ``"paper"``.
    """

    table: pd.DataFrame
    scores: Mapping[Cell, ItemScores] = field(default_factory=dict)
    per_seed: Mapping[Cell, np.ndarray] = field(default_factory=dict)
    values: str = "ours"
    resampler: Resampler = field(default_factory=Resampler)
    facts: Mapping = field(default_factory=dict)

    def __post_init__(self):
        column = "paper" if self.values == "paper" else "ours"
        numbers = pd.to_numeric(self.table[column], errors="coerce")
        self._value = {(str(r), str(c)): float(v) for r, c, v in zip(self.table["row"], self.table["column"], numbers)}
        self._draws: dict[Cell, np.ndarray] = {}
        self._chance: dict[Cell, float] = {}

    @property
    def on_paper(self) -> bool:
        return self.values == "paper"

    def value(self, row: str, column: str) -> float:
        """The cell's number (our mean over seeds, or the paper's); :class:`MissingCell` if absent."""
        value = self._value.get((row, column), float("nan"))
        if np.isnan(value):
            raise MissingCell(f"{self.values}: no number in cell ({row!r}, {column!r})")
        return value

    def has(self, row: str, column: str) -> bool:
        return not np.isnan(self._value.get((row, column), float("nan")))

    def row_values(self, row: str, columns: Sequence[str]) -> dict[str, float]:
        return {c: self.value(row, c) for c in columns}

    def _cell_draws(self, cell: Cell) -> np.ndarray:
        if cell not in self._draws:
            self._draws[cell] = hierarchical_draws(self.scores[cell], self.resampler)
        return self._draws[cell]

    def difference(self, plus: Sequence[Cell], minus: Sequence[Cell]):
        """mean(plus) - mean(minus) with its interval and p-value (:class:`motion_rnn.statistics.Estimate`)."""
        point = float(np.mean([self.value(*c) for c in plus]) - np.mean([self.value(*c) for c in minus]))
        if self.on_paper:
            return point, None
        cells = list(plus) + list(minus)
        if all(c in self.scores for c in cells):
            draws = np.mean([self._cell_draws(c) for c in plus], 0) - np.mean([self._cell_draws(c) for c in minus], 0)
            return point, from_draws(point, draws)
        if all(c in self.per_seed for c in cells):
            seeds = np.mean([self.per_seed[c] for c in plus], 0) - np.mean([self.per_seed[c] for c in minus], 0)
            estimate = seed_t_test(seeds)
            return point, estimate if estimate.replicated else None
        return point, None

    def chance_p(self, cell: Cell) -> float | None:
        """One-sided p-value of the network of ``cell`` against chance: the cell's own chance score,
        else that of another column of its row (the same network); None when there is none."""
        if self.on_paper:
            return None
        candidates = [cell] + [c for c in self.scores if c[0] == cell[0] and c != cell]
        for candidate in candidates:
            scores = self.scores.get(candidate)
            if scores is not None and scores.chance is not None:
                if candidate not in self._chance:
                    draws = hierarchical_draws(scores, self.resampler, chance=True)
                    self._chance[candidate] = float(max(np.mean(draws <= 0), 1 / (2 * len(draws))))
                return self._chance[candidate]
        return None

    def not_above_chance(self, cells: Iterable[Cell]) -> list[str]:
        """The cells among ``cells`` whose network is not above chance (p >= :data:`CHANCE_LEVEL`)."""
        out = []
        for cell in dict.fromkeys(cells):
            p = self.chance_p(cell)
            if p is not None and p >= CHANCE_LEVEL:
                out.append(f"{cell[0]} | {cell[1]} (p = {p:.2g})")
        return out


# ----------------------------------------------------------------------------------------------
# Deciding claims


def _gate(evidence: Evidence, claim: Claim, cells: Iterable[Cell]) -> Claim:
    """Inconclusive when a network the claim is about is not above chance."""
    if claim.kind == "exact" or evidence.on_paper:
        return claim
    weak = evidence.not_above_chance(cells)
    if not weak:
        return claim
    return replace(
        claim,
        verdict=INCONCLUSIVE,
        detail=f"{claim.detail}; not above chance: {', '.join(weak)}",
    )


def _missing(text: str, kind: str, error: MissingCell) -> Claim:
    return Claim(text, kind, INCONCLUSIVE, f"{NOT_REPORTED}: {error.args[0]}", "")


def _fmt(x: float, digits: int) -> str:
    return f"{x:.{digits}f}"


def _judge_difference(
    evidence: Evidence,
    text: str,
    kind: str,
    plus: list[Cell],
    minus: list[Cell],
    *,
    describe: Callable[[float], str],
    on_interval: Callable[[float, float], str],
    on_point: Callable[[float], str],
    digits: int,
    p_value: bool = False,
) -> Claim:
    """A claim about mean(plus) - mean(minus): ``on_interval(low, high)`` decides it on our 95%
    interval, ``on_point(point)`` on the paper's printed numbers; without an interval (one
    measurement) it is inconclusive. Gated by chance (:func:`_gate`)."""
    try:
        point, estimate = evidence.difference(plus, minus)
    except MissingCell as error:
        return _missing(text, kind, error)
    shown = describe(point)
    if estimate is None:
        if evidence.on_paper:
            return Claim(text, kind, on_point(point), f"paper: {shown}", "as printed")
        claim = Claim(text, kind, INCONCLUSIVE, f"{shown}; one measurement, no interval", "none")
        return _gate(evidence, claim, plus + minus)
    detail = f"{shown} [{_fmt(estimate.low, digits)}, {_fmt(estimate.high, digits)}]"
    if p_value:
        detail += f", p = {estimate.p_value:.3g}"
    claim = Claim(text, kind, on_interval(estimate.low, estimate.high), detail, estimate.test)
    return _gate(evidence, claim, plus + minus)


def compare(
    evidence: Evidence,
    text: str,
    better: Cell | Sequence[Cell],
    worse: Cell | Sequence[Cell],
    *,
    kind: str = "empirical",
    margin: float = 0.0,
    digits: int = 2,
    lower_is_better: bool = False,
) -> Claim:
    """``better`` beats ``worse`` (means of the cells given, by more than ``margin``).

    Holds when the 95% interval of the difference lies above ``margin``; fails when it lies below
    ``margin`` (significant the other way when ``margin`` is 0); inconclusive otherwise. With
    ``lower_is_better`` (error rates, label switches) the smaller number is the better one.
    """
    plus = [better] if isinstance(better[0], str) else list(better)
    minus = [worse] if isinstance(worse[0], str) else list(worse)
    if lower_is_better:
        plus, minus = minus, plus
    return _judge_difference(
        evidence,
        text,
        kind,
        plus,
        minus,
        # the difference in the claimed direction: positive when the claim's side is ahead
        describe=lambda d: f"{'lower' if lower_is_better else 'higher'} by {_fmt(d, digits)}",
        on_interval=lambda low, high: HOLDS if low > margin else FAILS if high < margin else INCONCLUSIVE,
        on_point=lambda d: HOLDS if d > margin else FAILS if d < margin else INCONCLUSIVE,
        digits=digits,
        p_value=True,
    )


def close(
    evidence: Evidence,
    text: str,
    first: Cell,
    second: Cell,
    *,
    tolerance: float,
    kind: str = "empirical",
    digits: int = 2,
) -> Claim:
    """``first`` and ``second`` differ by at most ``tolerance``: holds when the interval of the
    difference lies inside ``[-tolerance, tolerance]``, fails when it lies wholly outside."""

    def on_interval(low: float, high: float) -> str:
        if -tolerance <= low and high <= tolerance:
            return HOLDS
        return FAILS if low > tolerance or high < -tolerance else INCONCLUSIVE

    return _judge_difference(
        evidence,
        text,
        kind,
        [first],
        [second],
        describe=lambda d: f"difference {_fmt(d, digits)} (tolerance ±{tolerance:g})",
        on_interval=on_interval,
        on_point=lambda d: HOLDS if abs(d) <= tolerance else FAILS,
        digits=digits,
    )


def at_most(
    evidence: Evidence,
    text: str,
    first: Cell,
    second: Cell,
    *,
    bound: float,
    kind: str = "empirical",
    digits: int = 2,
) -> Claim:
    """``first - second <= bound``: holds when the interval's upper end is at most ``bound``,
    fails when its lower end exceeds it."""
    return _judge_difference(
        evidence,
        text,
        kind,
        [first],
        [second],
        describe=lambda d: f"difference {_fmt(d, digits)} (bound {bound:g})",
        on_interval=lambda low, high: HOLDS if high <= bound else FAILS if low > bound else INCONCLUSIVE,
        on_point=lambda d: HOLDS if d <= bound else FAILS,
        digits=digits,
    )


def all_of(text: str, parts: Sequence[Claim], *, kind: str | None = None, show: int = 6) -> Claim:
    """Every part holds: holds when all hold, fails when any fails, inconclusive otherwise."""
    return at_least(text, parts, len(parts), kind=kind, show=show)


def any_of(text: str, parts: Sequence[Claim], *, kind: str | None = None, show: int = 6) -> Claim:
    """Some part holds: holds when one holds, fails when all fail, inconclusive otherwise."""
    return at_least(text, parts, 1, kind=kind, show=show)


def at_least(text: str, parts: Sequence[Claim], count: int, *, kind: str | None = None, show: int = 6) -> Claim:
    """At least ``count`` of the parts hold: holds when that many hold, fails when too many fail
    for ``count`` to be reached, inconclusive otherwise."""
    verdicts = [p.verdict for p in parts]
    held, failed = verdicts.count(HOLDS), verdicts.count(FAILS)
    verdict = HOLDS if held >= count else FAILS if len(parts) - failed < count else INCONCLUSIVE
    tally = f"{held} hold, {failed} fail, {len(parts) - held - failed} inconclusive of {len(parts)} (needed {count})"
    listed = "; ".join(f"{p.claim}: {p.verdict}, {p.detail}" for p in parts[:show])
    more = f"; ... {len(parts) - show} more" if len(parts) > show else ""
    tests = sorted({p.test for p in parts if p.test})
    return Claim(
        text,
        kind or (parts[0].kind if parts else "empirical"),
        verdict,
        f"{tally}: {listed}{more}",
        "; ".join(tests),
    )


def best_of(
    evidence: Evidence,
    text: str,
    winner: Cell,
    others: Sequence[Cell],
    *,
    kind: str = "empirical",
    digits: int = 2,
    lower_is_better: bool = False,
) -> Claim:
    """``winner`` is the best cell: it beats each of ``others`` (all must hold; one significant loss fails)."""
    parts = [
        compare(
            evidence,
            f"{winner[0]} {winner[1]} vs {o[0]} {o[1]}",
            winner,
            o,
            kind=kind,
            digits=digits,
            lower_is_better=lower_is_better,
        )
        for o in others
        if o != winner
    ]
    return all_of(text, parts, kind=kind)


def exact(text: str, ok: bool, detail: str, *, kind: str = "exact", test: str = "computed exactly") -> Claim:
    """A claim about numbers that follow from definitions: holds or fails, never inconclusive."""
    return Claim(text, kind, HOLDS if ok else FAILS, detail, test)
