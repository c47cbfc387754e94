"""The results files of the notebook contract.

Each notebook writes, under ``<results_dir>/<paper>/``:

- ``<table>.csv``: its table, tidy, with columns :data:`TABLE_COLUMNS`: one line a cell of the
  table, the paper's number (empty where the paper has none) beside ours, with the unit, profile,
  data and seed that produced ours;
- ``<table>.claims.csv``: the paper's claims checked on our numbers, columns :data:`CLAIM_COLUMNS`;
- ``<table>.provenance.json``: commit, date, device, wall time and versions of the run.

The two CSV files hold only numbers the run computes deterministically, so the same seed, profile
and data give byte-identical files on the CPU; measured times go in the provenance or their own
files.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from motion_rnn.parameters import RunParameters
from motion_rnn.verdicts import CLAIM_COLUMNS  # noqa: F401 (the claims file's columns, re-exported)

TABLE_COLUMNS = ["table", "row", "column", "paper", "ours", "low", "high", "unit", "profile", "data", "seed", "seeds"]
"""``ours`` is the mean over ``seeds`` seeds (from ``seed`` on); ``low`` and ``high`` its 95%
interval (:mod:`motion_rnn.statistics`; empty for a single measurement)."""
SIGNIFICANT_DIGITS = 10
"""Digits a results table keeps: enough for exact counts in millions (4.718592 M parameters) to
survive to the digit; the trained metrics are rounded where they are computed."""


@dataclass(frozen=True)
class ResultPaths:
    table: Path
    claims: Path
    provenance: Path
    store: Path
    """Folder of the finished rows of :func:`motion_rnn.sweep.run_sweep` for this table."""


def result_paths(results_dir: str | Path, paper: str, table: str) -> ResultPaths:
    folder = Path(results_dir) / paper
    return ResultPaths(
        table=folder / f"{table}.csv",
        claims=folder / f"{table}.claims.csv",
        provenance=folder / f"{table}.provenance.json",
        store=folder / f"{table}.runs",
    )


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a tidy results table after checking its columns; numbers at :data:`SIGNIFICANT_DIGITS` digits."""
    missing = [c for c in TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"results table lacks columns {missing}; expected {TABLE_COLUMNS}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[TABLE_COLUMNS].to_csv(path, index=False, float_format=f"%.{SIGNIFICANT_DIGITS}g")
    return path


def write_claims(frame: pd.DataFrame, path: str | Path) -> Path:
    missing = [c for c in CLAIM_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"claims table lacks columns {missing}; expected {CLAIM_COLUMNS}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[CLAIM_COLUMNS].to_csv(path, index=False)
    return path


def git_commit(cwd: str | Path | None = None) -> str:
    """The checked-out commit (with ``-dirty`` when the tree has changes), or ``unknown``.

    Changes under ``results/`` do not count: a run that writes its results there (``make
    results``) would otherwise mark the rows that follow as made by a dirty tree.
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def provenance(params: RunParameters, *, wall_seconds: float, extra: dict | None = None) -> dict:
    """Where a result came from: commit, date, device, wall time, versions and the parameters."""
    from motion_rnn import __version__
    from motion_rnn.device import describe

    return {
        "commit": git_commit(),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "device": describe(params.device),
        "wall_seconds": round(wall_seconds, 1),
        "profile": params.profile,
        "data": params.data_label,
        "seed": params.seed,
        "seeds": params.seeds,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "motion_rnn": __version__,
        **(extra or {}),
    }


def write_provenance(record: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def write_results(
    params: RunParameters,
    paper: str,
    table_name: str,
    *,
    table: pd.DataFrame,
    claims: pd.DataFrame,
    wall_seconds: float,
    extra: dict | None = None,
    runs: pd.DataFrame | None = None,
) -> ResultPaths:
    """Write a notebook's three results files (table, claims, provenance) under ``params.results_dir``.

    ``runs``: the table's rows (:func:`motion_rnn.sweep.run_rows`). Their training times, measured
    when each row was trained, go into the provenance (``row_seconds``, ``rows_reused``), since a
    rerun that reads stored rows back has a ``wall_seconds`` of seconds only.
    """
    paths = result_paths(params.results_dir, paper, table_name)
    write_table(table, paths.table)
    write_claims(claims, paths.claims)
    extra = dict(extra or {})
    if runs is not None and {"seconds", "reused"} <= set(runs.columns):
        extra["row_seconds"] = round(float(runs["seconds"].sum()), 1)
        extra["rows_reused"] = int(runs["reused"].sum())
    write_provenance(provenance(params, wall_seconds=wall_seconds, extra=extra), paths.provenance)
    return paths
