"""What every table page says about the run it shows: where the numbers come from, and the verdicts.

The pages glue these values into their prose (myst-nb ``glue``), so a sentence of the book always
states what the run behind it computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from motion_rnn.paths import project_root
from motion_rnn.results import result_paths
from motion_rnn.runner import TableRun, rekeyed_records
from motion_rnn.statistics import BOOTSTRAP_TEST, SEED_TEST
from motion_rnn.verdicts import CHANCE_LEVEL, FAILS, HOLDS, INCONCLUSIVE, VERDICTS


def _profile_words(run: TableRun) -> str:
    data = ", ".join(f"`{label}`" for label in run.descriptions)
    p = run.params
    seeds = f"seed {p.seed}" if p.seeds == 1 else f"{p.seeds} seeds ({p.seed}-{p.seed + p.seeds - 1})"
    return f"profile `{p.profile}`, data {data}, {seeds}"


def _seed_words(run: TableRun) -> str:
    """What a seed changes in this table's runs."""
    if run.spec.data_per_seed:
        return "each seed trains the network anew on its own draw of the synthetic data"
    return (
        "each seed trains the networks anew, from their own initialisation and batch order, on the same data "
        "and the same frozen features"
    )


def interval_words(run: TableRun) -> str:
    """How our cells and their intervals were computed."""
    p = run.params
    if not any(e.scores for e in run.evidence.values()):
        return (
            f"Each of our cells is {'one measurement' if p.seeds == 1 else f'the mean over {p.seeds} seeds'}: these "
            "rows keep no outcome a test item (they were stored before rows kept them), so "
            + (
                "no cell has an interval and no comparison can be significant."
                if p.seeds == 1
                else f"intervals and tests are the {SEED_TEST}."
            )
        )
    if p.seeds == 1:
        return (
            "Each of our cells is one training run (one seed); its 95% interval, where shown, is the bootstrap over "
            "the test items alone. Comparisons use the paired bootstrap over the test items."
        )
    return (
        f"Each of our cells is the mean over {p.seeds} seeds ({_seed_words(run)}); `low`-`high` is its 95% "
        f"interval: the {BOOTSTRAP_TEST} where the rows keep each "
        f"test item's outcome, else the {SEED_TEST}. A comparison claim holds only when the paired difference is "
        "significant in the claimed direction by the same test."
    )


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
    carried = rekeyed_records(run)
    if carried:
        steps = "; ".join(
            f"from `{r.get('from_commit', '?')}` to `{r.get('to_commit', '?')}` ({r.get('verified', '')})"
            for r in carried
        )
        paragraphs.append(
            "**Carried over:** the code has changed since these rows were trained, in ways the book checked "
            f"cannot change a number (the old and the new code train identical rows): {steps}."
        )
    paragraphs.append(interval_words(run))
    data = "\n".join(f"- `{label}`: {description}" for label, description in run.descriptions.items())
    return Markdown("\n\n".join([*paragraphs, data]))


def verdict_counts(claims: pd.DataFrame, column: str = "verdict") -> dict[str, int]:
    """How many claims hold, fail and are inconclusive."""
    counts = claims[column].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def contradictions(run: TableRun) -> list[str]:
    """The claims that fail on the paper's own numbers: where its table contradicts its text."""
    return list(run.claims.loc[run.claims["paper_verdict"] == FAILS, "claim"])


def glue_verdicts(run: TableRun, *, prefix: str = "") -> dict[str, int]:
    """Glue the claims' counts (``claims_holds``, ``claims_fails``, ``claims_inconclusive``,
    ``claims_total``, the same with ``paper_`` for the paper's own numbers), the run's words
    (``run_words``), the verdicts sentence (``verdicts_sentence``) and the contradictions
    (``paper_contradictions``)."""
    from myst_nb import glue

    ours, paper = verdict_counts(run.claims), verdict_counts(run.claims, "paper_verdict")
    for verdict in VERDICTS:
        glue(f"{prefix}claims_{verdict}", ours[verdict], display=False)
        glue(f"{prefix}paper_claims_{verdict}", paper[verdict], display=False)
    glue(f"{prefix}claims_total", len(run.claims), display=False)
    glue(f"{prefix}run_words", Markdown(_profile_words(run)), display=False)
    glue(f"{prefix}verdicts_sentence", Markdown(verdicts_sentence(run)), display=False)
    contra = contradictions(run)
    glue(
        f"{prefix}paper_contradictions",
        Markdown(
            "On its own numbers the paper's table contradicts its text in: " + "; ".join(f"*{c}*" for c in contra) + "."
            if contra
            else "On its own numbers the paper's table agrees with every claim it reports the cells of."
        ),
        display=False,
    )
    return ours


def verdicts_sentence(run: TableRun) -> str:
    """One sentence of the claims' verdicts in this run and on the paper's numbers."""
    ours, paper = verdict_counts(run.claims), verdict_counts(run.claims, "paper_verdict")
    reported = sum(paper.values())
    return (
        f"**Of {len(run.claims)} claims, {ours[HOLDS]} hold, {ours[FAILS]} fail and {ours[INCONCLUSIVE]} are "
        f"inconclusive in this run** ({_profile_words(run)}). Decided by the same code on the paper's own numbers "
        f"(the {reported} claims whose cells it reports): {paper[HOLDS]} hold, {paper[FAILS]} fail, "
        f"{paper[INCONCLUSIVE]} inconclusive."
    )


def chance_table(run: TableRun) -> pd.DataFrame:
    """Each network's test against chance (:mod:`motion_rnn.verdicts`): its score, and the one-sided
    p-value of its score against that of the same predictions by chance. A network has one cell
    with a chance score (the table's ``scores`` attach it to one metric of each network)."""
    records = []
    for label, evidence in run.evidence.items():
        for (row, column), scores in evidence.scores.items():
            if scores.chance is None:
                continue
            p = evidence.chance_p((row, column))
            records.append(
                {
                    "data": label,
                    "row": row,
                    "column": column,
                    "ours": float(scores.per_seed().mean()),
                    "by chance": float(np.mean([c.sum() / w.sum() for c, w in zip(scores.chance, scores.weights)])),
                    "p": p,
                    "above chance": bool(p < CHANCE_LEVEL),
                }
            )
    return pd.DataFrame(records, columns=["data", "row", "column", "ours", "by chance", "p", "above chance"])


def glue_chance(
    run: TableRun,
    *,
    prefix: str = "",
    tested: str = "trained networks",
    chance: str = "the same predictions scored by chance",
) -> pd.DataFrame:
    """Glue how many networks are above chance (``above_chance``, ``networks``) and a sentence
    (``chance_sentence``); return :func:`chance_table`.

    ``tested`` names what each cell with a chance score is (e.g. the pose selections of one
    network), ``chance`` what its score is tested against, when the table's scores define them
    otherwise than the default."""
    from myst_nb import glue

    table = chance_table(run)
    above, total = int(table["above chance"].sum()), len(table)
    glue(f"{prefix}above_chance", above, display=False)
    glue(f"{prefix}networks", total, display=False)
    sentence = (
        f"**{above} of {total} {tested} are above chance** (one-sided test of each one's score "
        f"against {chance}, p < {CHANCE_LEVEL}, over the seeds and test items)."
    )
    if total == 0:
        sentence = (
            "**No network could be tested against chance**: the rows keep no outcome a test item, so every "
            "claim about accuracy is inconclusive."
        )
    elif above == 0:
        sentence += " No network has learnt the task in this run, so every claim about accuracy is inconclusive."
    elif above < total:
        sentence += " A claim about a network at chance is inconclusive, whatever its numbers."
    glue(f"{prefix}chance_sentence", Markdown(sentence), display=False)
    return table
