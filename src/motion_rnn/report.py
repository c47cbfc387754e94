"""Presenting results: the paper's numbers beside ours, the paper's claims with verdicts, plots.

A *claim* is one sentence of the paper turned into a check on our numbers. It is evaluated by
code from our table, never written by hand, and carries the numbers it was decided on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from motion_rnn.parameters import RunParameters
from motion_rnn.results import TABLE_COLUMNS


def paper_vs_ours(paper: pd.DataFrame, ours: pd.DataFrame, *, table: str, params: RunParameters) -> pd.DataFrame:
    """Join the paper's tidy table (``row, column, value, unit``) with ours (``row, column, ours, unit``).

    Returns the contract's tidy results table (:data:`motion_rnn.results.TABLE_COLUMNS`), in the
    paper's order of rows and columns with our extra cells after them. A cell the paper reports
    but we did not measure keeps ``ours`` empty; a cell we add has ``paper`` empty.
    """
    left = paper.rename(columns={"value": "paper", "unit": "paper_unit"})[["row", "column", "paper", "paper_unit"]]
    right = ours[["row", "column", "ours", "unit"]]
    merged = left.merge(right, on=["row", "column"], how="outer", sort=False)
    merged["unit"] = merged["unit"].fillna(merged["paper_unit"]).fillna("")
    # Keep the paper's order, then ours.
    order = {
        key: i
        for i, key in enumerate(list(zip(paper["row"], paper["column"])) + list(zip(ours["row"], ours["column"])))
    }
    merged["_order"] = [order[(r, c)] for r, c in zip(merged["row"], merged["column"])]
    merged = merged.sort_values("_order", kind="stable").drop(columns=["_order", "paper_unit"])
    merged.insert(0, "table", table)
    merged["profile"] = params.profile
    merged["data"] = params.data_label
    merged["seed"] = params.seed
    return merged[TABLE_COLUMNS].reset_index(drop=True)


def side_by_side(tidy: pd.DataFrame, columns: Sequence[str] | None = None, *, difference: bool = True) -> pd.DataFrame:
    """A wide view of a tidy results table: one row a row, and for each column paper | ours | ours − paper."""
    if columns is not None:
        tidy = tidy[tidy["column"].isin(columns)]
    rows = list(dict.fromkeys(tidy["row"]))
    cols = list(dict.fromkeys(tidy["column"])) if columns is None else [c for c in columns if c in set(tidy["column"])]
    parts = {}
    for column in cols:
        part = tidy[tidy["column"] == column].set_index("row").reindex(rows)
        unit = next((u for u in part["unit"].dropna() if u), "")
        label = f"{column} ({unit})" if unit else column
        parts[(label, "paper")] = pd.to_numeric(part["paper"], errors="coerce")
        parts[(label, "ours")] = pd.to_numeric(part["ours"], errors="coerce")
        if difference:
            parts[(label, "ours − paper")] = parts[(label, "ours")] - parts[(label, "paper")]
    wide = pd.DataFrame(parts, index=rows)
    wide.columns = pd.MultiIndex.from_tuples(wide.columns)
    wide.index.name = None
    return wide


@dataclass(frozen=True)
class Claim:
    """One claim of the paper checked on our numbers."""

    claim: str
    """The paper's claim, in words (quoted or closely paraphrased, with where it is made)."""
    holds: bool
    detail: str
    """Our numbers the verdict was decided on."""

    @property
    def verdict(self) -> str:
        return "holds" if self.holds else "does not hold"


def claims_frame(claims: Iterable[Claim]) -> pd.DataFrame:
    """The contract's claims table: ``claim, holds, detail``."""
    return pd.DataFrame(
        [{"claim": c.claim, "holds": bool(c.holds), "detail": c.detail} for c in claims],
        columns=["claim", "holds", "detail"],
    )


def show_claims(frame: pd.DataFrame):
    """Claims as a styled table with a verdict column, for display in a notebook."""
    view = frame.assign(verdict=np.where(frame["holds"], "holds", "does not hold"))[["claim", "verdict", "detail"]]

    def colour(value: str) -> str:
        return "color: #1a7f37; font-weight: bold" if value == "holds" else "color: #cf222e; font-weight: bold"

    return view.style.map(colour, subset=["verdict"]).hide(axis="index")


def format_number(value: float, unit: str = "") -> str:
    """A number as prose shows it: 3 significant decimals for small values, thousands separated."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text}{' ' + unit if unit and unit != '%' else unit}"


def above_chance(
    accuracy_percent: float, *, samples: int, num_classes: int, comparisons: int = 1, level: float = 0.01
) -> tuple[bool, float]:
    """Whether an accuracy is better than guessing, by a one-sided binomial test.

    ``accuracy_percent`` of ``samples`` predictions right, against the chance rate
    ``1 / num_classes``; ``comparisons`` (e.g. the number of rows whose best is tested) divides the
    level (Bonferroni). Returns ``(above, p_value)``. Accuracy claims made on networks that are not
    above chance say nothing about the paper's claims; notebooks say so.
    """
    from scipy.stats import binomtest

    correct = round(accuracy_percent / 100 * samples)
    p_value = binomtest(correct, samples, 1 / num_classes, alternative="greater").pvalue
    return bool(p_value < level / max(comparisons, 1)), float(p_value)
