"""The papers' reported numbers, kept as data.

Each ``<paper>_<table>.csv`` holds one table of one paper in tidy form (``row, column, value,
unit``), transcribed from the paper (the file named in ``papers.csv``). Notebooks read them
through :func:`paper_table` and never type a paper's number themselves. ``tables.csv`` is the
catalogue of every table the book reproduces (built or not), which the status page lists.

Where a file departs from the paper's print, it is said here:

- ``leroux2017_table4.csv``: the bidirectional rows' columns are the *total* units (100-800),
  where the thesis prints them under "RNN Units per Direction" (50-400), so that each column
  compares networks of the same size (Sec. 3.1.2).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd


def _read(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


@cache
def _paper_table_cached(paper: str, table: str) -> pd.DataFrame:
    name = f"{paper}_{table}.csv"
    if not resources.files(__name__).joinpath(name).is_file():
        known = sorted(
            p.name[:-4]
            for p in resources.files(__name__).iterdir()
            if p.name.endswith(".csv") and p.name not in ("papers.csv", "tables.csv")
        )
        raise KeyError(f"no reference data for paper={paper!r}, table={table!r}; known: {', '.join(known)}")
    frame = _read(name)
    frame.insert(0, "table", table)
    return frame


def paper_table(paper: str, table: str) -> pd.DataFrame:
    """The paper's reported numbers for one table, tidy: ``table, row, column, value, unit``.

    ``table`` is the short name in the paper's numbering, e.g. ``paper_table("zhang2018", "table1")``.
    """
    return _paper_table_cached(paper, table).copy()


def paper_table_wide(paper: str, table: str) -> pd.DataFrame:
    """The same table laid out as in the paper: one row a row, one column a column."""
    tidy = paper_table(paper, table)
    wide = tidy.pivot(index="row", columns="column", values="value")
    return wide.loc[tidy["row"].unique(), tidy["column"].unique()]


def paper_cells(paper: str, table: str) -> pd.DataFrame:
    """The paper's numbers for one table as a table's cells: ``row, column, value, unit``, the columns as
    text (a number column such as a dropout rate of 0.1 reads ``"0.1"``, as our cells name it)."""
    cells = paper_table(paper, table).drop(columns="table")
    cells["column"] = [f"{c:g}" if isinstance(c, (int, float, np.number)) else str(c) for c in cells["column"]]
    return cells


def _as_printed(value: float) -> str:
    """A number as a paper prints it: counts to the digit with thousands separators, the rest as written."""
    if pd.isna(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 and float(value).is_integer() else f"{value:g}"


def wide_as_printed(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells (``row, column, value``) laid out as the paper prints them: rows and columns in its order,
    ``-`` where it has no number."""
    rows, columns = list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["column"]))
    wide = cells.pivot(index="row", columns="column", values="value").reindex(index=rows, columns=columns)
    return wide.map(_as_printed)


def papers() -> pd.DataFrame:
    """The five papers: key, citation, title and the text file in ``shared/papers``."""
    return _read("papers.csv")


def catalogue() -> pd.DataFrame:
    """Every table the book reproduces, built or not: ``paper, table, caption, notebook``."""
    return _read("tables.csv")
