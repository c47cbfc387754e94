"""The claims of Pigou et al. about Table 1 (with Figures 2 and 3) and Table 2, decided on evidence.

Every Jaccard claim is decided under the challenge's scorer (the convention of the paper's
numbers) and shown beside the same claim under the false-positive convention
(:mod:`motion_rnn.metrics.jaccard`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from motion_rnn.experiments.pigou2016.scoring import from_run_lengths, label_switches, sequence_jaccards
from motion_rnn.experiments.pigou2016.settings import (
    CLOSE_JACCARD,
    FIGURE3_MODELS,
    NON_RECURRENT,
    ROW_NAMES,
    TABLE2_INPUTS,
)
from motion_rnn.metrics.classification import majority_vote_error_rate
from motion_rnn.metrics.jaccard import frames_to_intervals
from motion_rnn.models.pigou2016.networks import MODEL_NAMES, RECURRENT_MODELS
from motion_rnn.statistics import ItemScores
from motion_rnn.verdicts import Claim, Evidence, all_of, at_most, best_of, close, compare

FIGURE3_COLUMN = "Figure 3: activation at rest / while moving"
"""Our column of Figure 3's claim: the most active map's mean activation at rest over that while moving."""
JACCARD = "Jaccard Index"
JACCARD_FP = "Jaccard Index (false positives counted)"


# ----------------------------------------------------------------------------------------------
# Each test sequence's outcomes, read from a stored row


def _chance_jaccards(predictions: list[np.ndarray], truths: list[np.ndarray], convention: int) -> list[float | None]:
    """Each sequence's predictions scored against the *other* test sequences' ground truth (cut to the
    shorter length), averaged: the Jaccard index the same predictions get by chance. With a single
    test sequence, against its own ground truth shifted circularly by half its length."""
    if len(truths) == 1:
        p, y = predictions[0], truths[0]
        return [sequence_jaccards(p, np.roll(y, len(y) // 2))[convention]]
    out = []
    for i, p in enumerate(predictions):
        scores = []
        for j, y in enumerate(truths):
            if j == i:
                continue
            n = min(len(p), len(y))
            score = sequence_jaccards(p[:n], y[:n])[convention]
            if score is not None:
                scores.append(score)
        out.append(float(np.mean(scores)) if scores else None)
    return out


def sequence_scores(row: pd.Series | object) -> dict[str, ItemScores]:
    """One stored row's outcome on each test sequence, by column: both Jaccard indices (the
    challenge's with the chance score of the same predictions), Error Rate* (wrong gestures of the gestures of each
    sequence), frame accuracy and label switches (per frame of each sequence), all in the columns' units."""
    predictions = [from_run_lengths(s["predicted"]) for s in row.sequences]
    truths = [from_run_lengths(s["truth"]) for s in row.sequences]
    out = {}
    for column, convention in ((JACCARD, 0), (JACCARD_FP, 1)):
        own = [sequence_jaccards(p, y)[convention] for p, y in zip(predictions, truths)]
        # A network is tested against chance once, on the challenge's Jaccard index.
        chance = _chance_jaccards(predictions, truths, convention) if column == JACCARD else [None] * len(own)
        keep = [k for k, j in enumerate(own) if j is not None]
        if keep:
            with_chance = all(chance[k] is not None for k in keep)
            out[column] = ItemScores.of(
                [own[k] for k in keep], chance=[chance[k] for k in keep] if with_chance else None
            )
    intervals = [frames_to_intervals(y) for y in truths]
    gestures = np.array([len(r) for r in intervals], dtype=float)
    if gestures.sum() > 0:
        wrong = [majority_vote_error_rate(p, r) * len(r) if r else 0.0 for p, r in zip(predictions, intervals)]
        out["Error Rate*"] = ItemScores.of(100.0 * np.array(wrong), gestures)
    frames = np.array([len(y) for y in truths], dtype=float)
    out["Frame accuracy"] = ItemScores.of([100.0 * np.sum(p == y) for p, y in zip(predictions, truths)], frames)
    out["Label switches per 100 frames"] = ItemScores.of([100.0 * label_switches(p) for p in predictions], frames)
    return out


def _with_sequences(runs: pd.DataFrame):
    # rows stored before the sequences' outcomes were kept have none
    return [r for r in runs.itertuples() if isinstance(getattr(r, "sequences", None), list)]


def table1_scores(runs: pd.DataFrame, source, settings) -> dict:
    return {(ROW_NAMES[r.name], c): s for r in _with_sequences(runs) for c, s in sequence_scores(r).items()}


def table2_scores(runs: pd.DataFrame, source, settings) -> dict:
    return {(r.name, c): s for r in _with_sequences(runs) for c, s in sequence_scores(r).items()}


# ----------------------------------------------------------------------------------------------
# The claims


def both_conventions(decide: Callable[[str], Claim]) -> Claim:
    """The claim decided on the challenge's Jaccard index, the false-positive convention's verdict beside it."""
    claim, other = decide(JACCARD), decide(JACCARD_FP)
    return Claim(
        claim.claim,
        claim.kind,
        claim.verdict,
        f"{claim.detail} | false positives counted: {other.verdict}, {other.detail}",
        claim.test,
    )


def check_claims(evidence: Evidence) -> list[Claim]:
    """The paper's claims about Table 1 and Figures 2 and 3."""
    row = ROW_NAMES
    single, mx, mean, conv, rnn, lstm, best = MODEL_NAMES

    def on(names, column):
        return [(row[n], column) for n in names]

    def pairs(winners, losers, column, **options):
        """Each of ``winners`` beats each of ``losers`` on ``column``: the parts of an all-of claim."""
        options = {"digits": 3, **options}
        return [
            compare(evidence, f"{row[w]} vs {row[n]}", (row[w], column), (row[n], column), **options)
            for w in winners
            for n in losers
        ]

    claims = [
        both_conventions(
            lambda j: all_of(
                'Temporal pooling beats the single-frame CNN ("a Jaccard index of 0.775 vs. 0.465", Sec. 4.3): '
                "both pooling networks score above the single frame",
                pairs([mx, mean], [single], j),
            )
        ),
        both_conventions(
            lambda j: compare(
                evidence,
                '"mean-pooling performs better than max-pooling" (Sec. 4.3)',
                (row[mean], j),
                (row[mx], j),
                digits=3,
            )
        ),
        both_conventions(
            lambda j: all_of(
                '"Adding temporal convolutions and three-dimensional max-pooling improves the Jaccard index" over '
                "temporal pooling (0.842 vs 0.775, Sec. 4.3)",
                pairs([conv], [mx, mean], j),
            )
        ),
        both_conventions(
            lambda j: all_of(
                "The recurrent networks beat every non-recurrent one (0.885-0.906 vs at most 0.842, Table 1)",
                pairs(RECURRENT_MODELS, NON_RECURRENT, j),
            )
        ),
        both_conventions(
            lambda j: close(
                evidence,
                f'Standard and LSTM cells are "equally capable" (0.885 vs 0.888, Sec. 4.3); ours: equal within '
                f"±{CLOSE_JACCARD} Jaccard",
                (row[rnn], j),
                (row[lstm], j),
                tolerance=CLOSE_JACCARD,
                digits=3,
            )
        ),
        both_conventions(
            lambda j: best_of(
                evidence,
                'Temp Conv + LSTM scores best of the seven ("improves the score even more (0.906)", Sec. 4.3)',
                (row[best], j),
                on(MODEL_NAMES, j),
                digits=3,
            )
        ),
        all_of(
            "The error rate of majority-voted gestures falls in the same order: every recurrent network errs "
            "less than every non-recurrent one (Table 1: at most 3.58% vs at least 4.67%)",
            pairs(RECURRENT_MODELS, NON_RECURRENT, "Error Rate*", lower_is_better=True, digits=2),
        ),
        compare(
            evidence,
            'Figure 2: Temp Conv\'s output is "more jagged", which "seems to disappear by introducing recurrence": '
            "Temp Conv + LSTM switches label less often than Temp Conv",
            (row[best], "Label switches per 100 frames"),
            (row[conv], "Label switches per 100 frames"),
            lower_is_better=True,
        ),
    ]
    spatial, spatiotemporal = (row[n] for n in FIGURE3_MODELS)
    claims.append(
        compare(
            evidence,
            'Figure 3: "When the user is standing still, the units of the [spatiotemporal] feature map are inactive, '
            'while the feature map from the network without temporal convolutions has a lot of active units": the '
            "most active map of the network with temporal convolutions is quieter at rest, relative to moving, than "
            "that of the network without",
            (spatiotemporal, FIGURE3_COLUMN),
            (spatial, FIGURE3_COLUMN),
            lower_is_better=True,
        )
    )
    return claims


def check_table2_claims(evidence: Evidence) -> list[Claim]:
    """The paper's claims about Table 2 (and one of ours, labelled)."""
    none, crop, both, depth_only = (row for _, _, row in TABLE2_INPUTS)
    claims = [
        both_conventions(
            lambda j: compare(
                evidence,
                "Depth helps: with the crop, RGB-D scores above RGB (0.906 vs 0.876, Table 2)",
                (both, j),
                (crop, j),
                digits=3,
            )
        ),
        both_conventions(
            lambda j: compare(
                evidence,
                "The skeleton-based crop helps: without depth, the cropped input scores above the uncropped one "
                "(0.876 vs 0.842, Table 2)",
                (crop, j),
                (none, j),
                digits=3,
            )
        ),
        both_conventions(
            lambda j: compare(
                evidence,
                "Ours (the paper has no uncropped RGB-D row): the crop helps with depth too",
                (both, j),
                (depth_only, j),
                kind="ours",
                digits=3,
            )
        ),
    ]
    claims.append(both_conventions(lambda j: _keeps_most(evidence, none, both, j)))
    return claims


def _keeps_most(evidence: Evidence, weaker: str, full: str, column: str, share: float = 0.8) -> Claim:
    text = (
        "Ours (the paper compares its 0.842 without crop or depth with earlier work, Sec. 4.3): the no-crop, "
        f"no-depth input keeps at least {share:.0%} of the full input's Jaccard index"
    )
    bound = (1 - share) * evidence.value(full, column) if evidence.has(full, column) else float("nan")
    return at_most(evidence, text, (full, column), (weaker, column), bound=bound, kind="ours", digits=3)
