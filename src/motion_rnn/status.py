"""The book's status and scorecard: for every table, what ran and how its claims came out.

Reads the catalogue of tables (:func:`motion_rnn.reference.catalogue`) and every results folder
given (the committed ``results/`` of the longer profiles, and the build's own ``_build/results``
from the ``ci`` profile, which proves only the pipeline).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from motion_rnn.parameters import PROFILES
from motion_rnn.reference import catalogue, papers
from motion_rnn.results import result_paths
from motion_rnn.verdicts import FAILS, HOLDS, INCONCLUSIVE, VERDICTS

LONGEST_FIRST = tuple(reversed(PROFILES))


def _claims(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=["claim", "kind", "verdict", "paper_verdict"])
    claims = pd.read_csv(path, keep_default_na=False)
    if "verdict" not in claims:  # a claims file of the former two-verdict layout: no verdict to show
        claims = claims.assign(verdict="", kind="", paper_verdict="")
    return claims


def collect_status(results_dirs: Sequence[str | Path], *, project_root: str | Path = ".") -> pd.DataFrame:
    """One row per catalogued table and results folder that has its files (or one ``not run`` row).

    Columns: paper, table, caption, notebook_built, results, profile, data, seed, seeds, holds,
    fails, inconclusive, claims_total, date, commit (the commits that made the rows), stale
    (whether the code that trains the table has changed since).
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
            claims = _claims(paths.claims)
            record = json.loads(paths.provenance.read_text()) if paths.provenance.exists() else {}
            counts = claims["verdict"].value_counts()
            rows.append(
                {
                    "paper": entry.paper,
                    "table": entry.table,
                    "caption": entry.caption,
                    "notebook_built": built,
                    "results": str(results_dir),
                    "profile": ", ".join(sorted(table["profile"].astype(str).unique())),
                    "data": ", ".join(sorted(table["data"].astype(str).unique())),
                    "seed": int(table["seed"].min()),
                    "seeds": int(table["seeds"].max()) if "seeds" in table else 1,
                    **{v: int(counts.get(v, 0)) for v in VERDICTS},
                    "claims_total": int(len(claims)),
                    "date": record.get("date", ""),
                    "commit": ", ".join(record.get("row_commits") or [record.get("commit", "")]),
                    "stale": record.get("code_fingerprint") != current.get(f"{entry.paper}/{entry.table}")
                    or bool(record.get("stale_rows")),
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
                    "seed": 0,
                    "seeds": 0,
                    **{v: 0 for v in VERDICTS},
                    "claims_total": 0,
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


def longest_runs(status: pd.DataFrame) -> pd.DataFrame:
    """For each table, its run of the longest profile other than ``ci`` (the results the pages show);
    tables with none keep one row with empty ``results``."""
    ran = status[(status["results"] != "") & (status["profile"] != "ci")].copy()
    ran["_rank"] = ran["profile"].map({p: i for i, p in enumerate(LONGEST_FIRST)}).fillna(len(LONGEST_FIRST))
    best = ran.sort_values("_rank", kind="stable").drop_duplicates("table").drop(columns="_rank")
    rest = status[~status["table"].isin(best["table"])].drop_duplicates("table")
    rest = rest.assign(results="", profile="", **{v: 0 for v in VERDICTS}, claims_total=0)
    order = {t: i for i, t in enumerate(status["table"].drop_duplicates())}
    out = pd.concat([best, rest], ignore_index=True)
    return out.sort_values("table", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def status_lines(status: pd.DataFrame) -> pd.DataFrame:
    """One compact line a table, from its longest-profile committed run: state, run, verdict counts.

    Columns: paper (short citation), table, state, run, holds, fails, inconclusive, made at.
    """
    short = dict(zip(papers()["paper"], papers()["short"]))
    best = longest_runs(status)

    def state(row) -> str:
        if not row.notebook_built:
            return "not built yet"
        if not row.results:
            return "built, no committed run"
        return "stale" if row.stale else "ran"

    return pd.DataFrame(
        {
            "paper": [short.get(p, p) for p in best["paper"]],
            "table": best["caption"].str.split(":").str[0],
            "state": [state(r) for r in best.itertuples()],
            "run": [
                f"{r.profile}, {r.seeds} seed{'s' if r.seeds != 1 else ''}, {r.data}" if r.results else ""
                for r in best.itertuples()
            ],
            HOLDS: [r.holds if r.results else "" for r in best.itertuples()],
            FAILS: [r.fails if r.results else "" for r in best.itertuples()],
            INCONCLUSIVE: [r.inconclusive if r.results else "" for r in best.itertuples()],
            "made at": [r.commit if r.results else "" for r in best.itertuples()],
        }
    )


def pipeline_checks(status: pd.DataFrame) -> pd.DataFrame:
    """The ``ci`` runs (the pipeline checks of ``make test``): which tables ran end to end."""
    ci = status[status["profile"] == "ci"]
    short = dict(zip(papers()["paper"], papers()["short"]))
    return pd.DataFrame(
        {
            "paper": [short.get(p, p) for p in ci["paper"]],
            "table": ci["caption"].str.split(":").str[0],
            "claims decided": ci["claims_total"],
            "results": ci["results"],
        }
    )


def scorecard(results_dirs: Sequence[str | Path]) -> pd.DataFrame:
    """Every claim of the book's longest-profile committed runs, one line a claim.

    Columns: paper, table, claim, kind, verdict, paper_verdict (on the paper's own numbers),
    profile, seeds, data, detail.
    """
    status = collect_status(results_dirs)
    best = longest_runs(status)
    short = dict(zip(papers()["paper"], papers()["short"]))
    frames = []
    for row in best[best["results"] != ""].itertuples():
        claims = _claims(result_paths(row.results, row.paper, row.table).claims)
        frames.append(
            claims.assign(
                paper=short.get(row.paper, row.paper),
                table=row.caption.split(":")[0],
                profile=row.profile,
                seeds=row.seeds,
                data=row.data,
            )
        )
    columns = ["paper", "table", "claim", "kind", "verdict", "paper_verdict", "profile", "seeds", "data", "detail"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
