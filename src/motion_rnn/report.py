"""Presenting results: the paper's numbers beside ours, the paper's claims with verdicts, plots.

A *claim* is one sentence of the paper turned into a check on our numbers. It is evaluated by
code from our table, never written by hand, and carries the numbers it was decided on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from motion_rnn.parameters import RunParameters
from motion_rnn.results import TABLE_COLUMNS


def paper_vs_ours(paper: pd.DataFrame, ours: pd.DataFrame, *, table: str, params: RunParameters) -> pd.DataFrame:
    """Join the paper's tidy table (``row, column, value, unit``) with ours (``row, column, ours, unit``).

    Returns the contract's tidy results table (:data:`motion_rnn.results.TABLE_COLUMNS`), in the
    paper's order of rows and columns with our extra cells after them. A cell the paper reports
    but we did not measure keeps ``ours`` empty; a cell we add has ``paper`` empty. ``ours`` may
    carry ``low``, ``high`` (its 95% interval) and ``seeds`` (how many seeds measured it).
    """
    left = paper.rename(columns={"value": "paper", "unit": "paper_unit"})[["row", "column", "paper", "paper_unit"]]
    ours = ours.assign(**{c: ours[c] if c in ours else np.nan for c in ("low", "high")})
    ours = ours.assign(seeds=ours["seeds"] if "seeds" in ours else params.seeds)
    right = ours[["row", "column", "ours", "low", "high", "seeds", "unit"]]
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
    merged["seeds"] = merged["seeds"].fillna(0).astype(int)
    return merged[TABLE_COLUMNS].reset_index(drop=True)


def side_by_side(
    tidy: pd.DataFrame, columns: Sequence[str] | None = None, *, difference: bool = True, intervals: bool = True
) -> pd.DataFrame:
    """A wide view of a tidy results table: one row a row, and for each column paper | ours | ours − paper,
    with our 95% interval (``95% low``, ``95% high``) where the cell has one."""
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
        if intervals and "low" in part and part["low"].notna().any() and (part["low"] != part["high"]).any():
            parts[(label, "95% low")] = pd.to_numeric(part["low"], errors="coerce")
            parts[(label, "95% high")] = pd.to_numeric(part["high"], errors="coerce")
        if difference:
            parts[(label, "ours − paper")] = parts[(label, "ours")] - parts[(label, "paper")]
    wide = pd.DataFrame(parts, index=rows)
    wide.columns = pd.MultiIndex.from_tuples(wide.columns)
    wide.index.name = None
    return wide


def show_claims(frame: pd.DataFrame, *, paper: bool = True):
    """Claims as a styled table for a notebook: kind, our verdict and the paper's-numbers verdict coloured."""
    columns = ["claim", "kind", "verdict"] + (["paper_verdict"] if paper else []) + ["detail", "test"]
    view = frame[columns].rename(columns={"paper_verdict": "on the paper's numbers"})

    def colour(value: str) -> str:
        return VERDICT_STYLE.get(str(value), "")

    return view.style.map(colour, subset=[c for c in view.columns if c in ("verdict", "on the paper's numbers")]).hide(
        axis="index"
    )


VERDICT_COLOURS = {"holds": "#1a7f37", "fails": "#cf222e", "inconclusive": "#9a6700"}
VERDICT_STYLE = {k: f"color: {v}; font-weight: bold" for k, v in VERDICT_COLOURS.items()}


def format_number(value: float, unit: str = "") -> str:
    """A number as prose shows it: 3 significant decimals for small values, thousands separated."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text}{' ' + unit if unit and unit != '%' else unit}"
