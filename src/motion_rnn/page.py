"""What every table page says about the run it shows: where the numbers come from, and the verdicts.

The pages glue these values into their prose (myst-nb ``glue``), so a sentence of the book always
states what the run behind it computed.
"""

from __future__ import annotations

from IPython.display import Markdown

from motion_rnn.runner import TableRun


def _profile_words(run: TableRun) -> str:
    data = ", ".join(f"`{label}`" for label in run.descriptions)
    return f"profile `{run.params.profile}`, data {data}, seed {run.params.seed}"


def run_note(run: TableRun) -> Markdown:
    """Where the page's numbers come from: trained now, or read back from stored rows (and made by
    which commit, and whether the code has changed since)."""
    p = run.params
    commits = ", ".join(f"`{c}`" for c in run.commits)
    dates = sorted(run.runs["date"].astype(str))
    made = f"made at commit {commits}" + (
        f" between {dates[0][:10]} and {dates[-1][:10]}" if dates and dates[0] else ""
    )
    training = (
        f"{run.row_seconds / 60:.0f} minutes of training"
        if run.row_seconds >= 60
        else f"{run.row_seconds:.0f} s of training"
    )
    lines = []
    if p.stored_only:
        lines.append(
            f"**These are the committed results of the `{p.profile}` profile**, read back from the "
            f"{len(run.runs)} rows stored in `results/{run.spec.paper}/{run.spec.name}.runs/` "
            f"({_profile_words(run)}; {made}; {training}), not retrained when the book was built."
        )
    else:
        reused = int(run.runs["reused"].sum())
        lines.append(
            f"**This run:** {_profile_words(run)}, device `{p.device}`; {len(run.runs) - reused} rows "
            f"trained now and {reused} read back from valid stored rows ({made})."
        )
        if p.profile == "ci":
            lines.append(
                "The `ci` profile proves the pipeline only: its networks are far too small and too "
                "briefly trained for the claims to mean anything."
            )
    if run.stale_rows:
        lines.append(
            f"**Stale:** the code that trains this table has changed since these rows were made "
            f"({len(run.stale_rows)} of {len(run.runs)} rows); `make results NOTEBOOKS=notebooks/"
            f"{run.spec.paper}/{run.spec.name}.ipynb` retrains them."
        )
    for label, description in run.descriptions.items():
        lines.append(f"- `{label}`: {description}")
    return Markdown("\n\n".join(lines[: -len(run.descriptions)]) + "\n\n" + "\n".join(lines[-len(run.descriptions) :]))


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
