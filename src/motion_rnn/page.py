"""What every table page says about the run it shows: where the numbers come from, and the verdicts.

The pages glue these values into their prose (myst-nb ``glue``), so a sentence of the book always
states what the run behind it computed.
"""

from __future__ import annotations

from IPython.display import Markdown

from motion_rnn.paths import project_root
from motion_rnn.results import result_paths
from motion_rnn.runner import TableRun


def _profile_words(run: TableRun) -> str:
    data = ", ".join(f"`{label}`" for label in run.descriptions)
    return f"profile `{run.params.profile}`, data {data}, seed {run.params.seed}"


def run_note(run: TableRun) -> Markdown:
    """Where the page's numbers come from: trained now, or read back from stored rows (made by which
    commit, and whether the code that trains them has changed since)."""
    p = run.params
    commits = ", ".join(f"`{c}`" for c in run.commits)
    days = sorted({d[:10] for d in run.runs["date"].astype(str) if d})
    made = f"made at commit {commits}"
    if days:
        made += f" on {days[0]}" if len(days) == 1 else f" between {days[0]} and {days[-1]}"
    minutes = run.row_seconds / 60
    training = f"{minutes:.0f} minutes of training" if minutes >= 1 else f"{run.row_seconds:.0f} s of training"
    paragraphs = []
    if p.stored_only:
        root = project_root()
        store = result_paths(p.results_dir, run.spec.paper, run.spec.name).store
        shown = store.relative_to(root) if store.is_relative_to(root) else store.name
        kind = "committed" if p.results_dir == root / "results" else "stored"
        paragraphs.append(
            f"**These are the {kind} results of the `{p.profile}` profile**, read back from the "
            f"{len(run.runs)} rows stored in `{shown}/` ({_profile_words(run)}; {made}; {training}), "
            "not retrained when the book was built."
        )
    else:
        reused = int(run.runs["reused"].sum())
        paragraphs.append(
            f"**This run:** {_profile_words(run)}, device `{p.device}`; {len(run.runs) - reused} rows "
            f"trained now and {reused} read back from valid stored rows ({made})."
        )
    if p.profile == "ci":
        paragraphs.append(
            "The `ci` profile proves the pipeline only: its networks are far too small and too "
            "briefly trained for the claims to mean anything."
        )
    if run.stale_rows:
        paragraphs.append(
            f"**Stale:** the code that trains this table has changed since these rows were made "
            f"({len(run.stale_rows)} of {len(run.runs)} rows); `make results NOTEBOOKS=notebooks/"
            f"{run.spec.paper}/{run.spec.name}.ipynb` retrains them."
        )
    data = "\n".join(f"- `{label}`: {description}" for label, description in run.descriptions.items())
    return Markdown("\n\n".join([*paragraphs, data]))


def glue_verdicts(run: TableRun, *, prefix: str = "") -> tuple[int, int]:
    """Glue the claims' count (``claims_held``, ``claims_total``) and the run's words (``run_words``)."""
    from myst_nb import glue

    held, total = int(run.claims["holds"].sum()), len(run.claims)
    glue(f"{prefix}claims_held", held, display=False)
    glue(f"{prefix}claims_total", total, display=False)
    glue(f"{prefix}run_words", Markdown(_profile_words(run)), display=False)
    if run.paper_claims is not None:
        glue(f"{prefix}paper_claims_held", int(run.paper_claims["holds"].sum()), display=False)
        glue(f"{prefix}paper_claims_total", len(run.paper_claims), display=False)
    return held, total
