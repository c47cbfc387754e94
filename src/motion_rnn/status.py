"""The book's status page: for every table of every paper, what ran and which claims held.

Reads the catalogue of tables (:func:`motion_rnn.reference.catalogue`) and every results folder
given (the build's own ``_build/results`` from the ``ci`` profile, and the committed ``results/``
from longer runs), and returns one line a table and results folder.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from motion_rnn.reference import catalogue, papers
from motion_rnn.results import result_paths


def collect_status(results_dirs: Sequence[str | Path], *, project_root: str | Path = ".") -> pd.DataFrame:
    """One row per catalogued table and results folder that has its files (or one ``not run`` row).

    Columns: paper, table, caption, notebook_built, results, profile, data, seed, claims_held,
    claims_total, claims_failed (the failed claims' texts), date, commit (the commits that made the
    rows), stale (whether the code that trains the table has changed since).
    """
    root = Path(project_root)
    current = _current_fingerprints()
    rows = []
    for entry in catalogue().itertuples(index=False):
        built = (root / entry.notebook).exists()
        found = False
        for results_dir in results_dirs:
            paths = result_paths(results_dir, entry.paper, entry.table)
            if not paths.table.exists():
                continue
            found = True
            table = pd.read_csv(paths.table)
            claims = pd.read_csv(paths.claims) if paths.claims.exists() else pd.DataFrame(columns=["claim", "holds"])
            held = claims["holds"].astype(str).str.lower().eq("true")
            record = json.loads(paths.provenance.read_text()) if paths.provenance.exists() else {}
            rows.append(
                {
                    "paper": entry.paper,
                    "table": entry.table,
                    "caption": entry.caption,
                    "notebook_built": built,
                    "results": str(results_dir),
                    "profile": ", ".join(sorted(table["profile"].astype(str).unique())),
                    "data": ", ".join(sorted(table["data"].astype(str).unique())),
                    "seed": ", ".join(str(s) for s in sorted(table["seed"].unique())),
                    "claims_held": int(held.sum()),
                    "claims_total": int(len(claims)),
                    "claims_failed": "; ".join(claims.loc[~held, "claim"].astype(str)),
                    "date": record.get("date", ""),
                    "commit": ", ".join(record.get("row_commits") or [record.get("commit", "")]),
                    "stale": record.get("code_fingerprint") != current.get(f"{entry.paper}/{entry.table}"),
                }
            )
        if not found:
            rows.append(
                {
                    "paper": entry.paper,
                    "table": entry.table,
                    "caption": entry.caption,
                    "notebook_built": built,
                    "results": "",
                    "profile": "",
                    "data": "",
                    "seed": "",
                    "claims_held": 0,
                    "claims_total": 0,
                    "claims_failed": "",
                    "date": "",
                    "commit": "",
                    "stale": False,
                }
            )
    return pd.DataFrame(rows)


def _current_fingerprints() -> dict[str, str]:
    """Table -> the fingerprint of the code that trains it today."""
    from motion_rnn.runner import all_specs

    return {key: spec.code_fingerprint() for key, spec in all_specs().items()}


def status_view(status: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The status as the book shows it, one frame a paper (keyed by its short citation).

    Columns: table, state (not built yet / built, not run / ran), run (profile / data / seed, and
    the results folder), claims (how many held), claims not held.
    """
    short = dict(zip(papers()["paper"], papers()["short"]))

    def state(row) -> str:
        if not row.notebook_built:
            return "not built yet"
        return "ran" if row.results else "built, not run"

    view = pd.DataFrame(
        {
            "paper": [short.get(p, p) for p in status["paper"]],
            "table": status["caption"],
            "state": [state(r) for r in status.itertuples()],
            "run (profile / data / seed)": [
                f"{r.profile} / {r.data} / seed {r.seed} in {r.results}" if r.results else ""
                for r in status.itertuples()
            ],
            "made at": [
                (f"{r.commit}" + (" (stale: the code has changed since)" if r.stale else "")) if r.results else ""
                for r in status.itertuples()
            ],
            "claims": [f"{r.claims_held} of {r.claims_total} hold" if r.results else "" for r in status.itertuples()],
            "claims not held": status["claims_failed"].fillna(""),
        }
    )
    return {
        paper: frame.drop(columns="paper").reset_index(drop=True) for paper, frame in view.groupby("paper", sort=False)
    }
