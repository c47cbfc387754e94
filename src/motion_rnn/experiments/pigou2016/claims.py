"""The claims of Pigou et al. about Table 1 (with Figures 2 and 3) and Table 2, each decided on our table."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from motion_rnn.experiments.pigou2016.settings import (
    CLOSE_JACCARD,
    FIGURE3_MODELS,
    GESTURE_CLASSES,
    NON_RECURRENT,
    ROW_NAMES,
    TABLE2_INPUTS,
)
from motion_rnn.models.pigou2016.networks import MODEL_NAMES, RECURRENT_MODELS, TABLE1_ROWS
from motion_rnn.report import Claim, above_chance

FIGURE3_COLUMN = "Figure 3: activation at rest / while moving"
"""Our column of Figure 3's claim: the most active map's mean activation at rest over that while moving."""


def learnt_gestures(error_rates: list[float], *, gestures: int) -> tuple[bool, float]:
    """Whether any network names the test gestures better than guessing among the 20 classes.

    The majority-voted label of each ground-truth gesture (Error Rate*) is right ``100 - error``%
    of ``gestures`` times; a one-sided binomial test against 1/20 (Bonferroni over the networks,
    :func:`motion_rnn.report.above_chance`). A network that labels everything "no gesture" gets no
    gesture right. Claims decided on networks none of which passes say nothing about the paper.
    """
    best = 100.0 - min(error_rates)
    return above_chance(best, samples=gestures, num_classes=GESTURE_CLASSES, comparisons=len(error_rates))


NOT_INFORMATIVE = " (no network names the test gestures above chance: not informative)"


def learnt(table: pd.DataFrame, facts: Mapping) -> tuple[bool, float]:
    """:func:`learnt_gestures` of the networks of a table (its Error Rate* column)."""
    errors = table.loc[table["column"] == "Error Rate*", "ours"].dropna().astype(float).tolist()
    return learnt_gestures(errors, gestures=int(facts["test_gestures"]))


def check_claims(table: pd.DataFrame, facts: Mapping) -> list[Claim]:
    """The paper's claims about Table 1 and Figures 2 and 3, each decided on our numbers.

    When no network names the test gestures above chance (:func:`learnt`), every claim still
    gets its verdict, and its detail says that it is not informative.
    """
    ours = table.pivot(index="row", columns="column", values="ours")
    jac = {name: float(ours.loc[ROW_NAMES[name], "Jaccard Index"]) for name in MODEL_NAMES}
    err = {name: float(ours.loc[ROW_NAMES[name], "Error Rate*"]) for name in MODEL_NAMES}
    sw = {name: float(ours.loc[ROW_NAMES[name], "Label switches per 100 frames"]) for name in MODEL_NAMES}
    short = {name: TABLE1_ROWS[name] for name in MODEL_NAMES}

    def show(*names: str) -> str:
        return ", ".join(f"{short[n]} {jac[n]:.3f}" for n in names)

    single, mx, mean, conv, rnn, lstm, best = MODEL_NAMES
    claims = [
        Claim(
            'Temporal pooling beats the single-frame CNN ("a Jaccard index of 0.775 vs. 0.465", Sec. 4.3): '
            "both pooling networks score above the single frame",
            min(jac[mx], jac[mean]) > jac[single],
            "ours: " + show(single, mx, mean),
        ),
        Claim(
            '"mean-pooling performs better than max-pooling" (Sec. 4.3)', jac[mean] > jac[mx], "ours: " + show(mean, mx)
        ),
        Claim(
            '"Adding temporal convolutions and three-dimensional max-pooling improves the Jaccard index" over '
            "temporal pooling (0.842 vs 0.775, Sec. 4.3)",
            jac[conv] > max(jac[mx], jac[mean]),
            "ours: " + show(conv, mx, mean),
        ),
        Claim(
            "The recurrent networks beat every non-recurrent one (0.885-0.906 vs at most 0.842, Table 1)",
            min(jac[n] for n in RECURRENT_MODELS) > max(jac[n] for n in NON_RECURRENT),
            f"ours: lowest recurrent {min(jac[n] for n in RECURRENT_MODELS):.3f}, highest non-recurrent "
            f"{max(jac[n] for n in NON_RECURRENT):.3f}",
        ),
        Claim(
            f'Standard and LSTM cells are "equally capable" (0.885 vs 0.888, Sec. 4.3); we call them close '
            f"when their Jaccard indices differ by at most {CLOSE_JACCARD}",
            abs(jac[rnn] - jac[lstm]) <= CLOSE_JACCARD,
            f"ours: {show(rnn, lstm)}, difference {abs(jac[rnn] - jac[lstm]):.3f}",
        ),
        Claim(
            'Temp Conv + LSTM scores best of the seven ("improves the score even more (0.906)", Sec. 4.3)',
            jac[best] >= max(jac.values()),
            "ours: " + show(*MODEL_NAMES),
        ),
        Claim(
            "The error rate of majority-voted gestures falls in the same order: every recurrent network errs "
            "less than every non-recurrent one (Table 1: at most 3.58% vs at least 4.67%)",
            max(err[n] for n in RECURRENT_MODELS) < min(err[n] for n in NON_RECURRENT),
            "ours: " + ", ".join(f"{short[n]} {err[n]:.1f}%" for n in MODEL_NAMES),
        ),
        Claim(
            'Figure 2: Temp Conv\'s output is "more jagged", which "seems to disappear by introducing recurrence": '
            "Temp Conv + LSTM switches label less often than Temp Conv",
            sw[best] < sw[conv],
            f"ours, label switches per 100 frames: Temp Conv {sw[conv]:.2f}, Temp Conv + LSTM {sw[best]:.2f}",
        ),
    ]
    if FIGURE3_COLUMN in ours.columns:
        spatial, spatiotemporal = (float(ours.loc[ROW_NAMES[n], FIGURE3_COLUMN]) for n in FIGURE3_MODELS)
        claims.append(
            Claim(
                'Figure 3: "When the user is standing still, the units of the [spatiotemporal] feature map are inactive, '
                'while the feature map from the network without temporal convolutions has a lot of active units": the '
                "most active map of the network with temporal convolutions is quieter at rest, relative to moving, than "
                "that of the network without",
                spatiotemporal < spatial,
                f"ours, mean activation at rest / while moving: without temporal convolutions {spatial:.2f}, "
                f"with {spatiotemporal:.2f}",
            )
        )
    if not learnt(table, facts)[0]:
        claims = [Claim(c.claim, c.holds, c.detail + NOT_INFORMATIVE) for c in claims]
    return claims


def check_table2_claims(table: pd.DataFrame, facts: Mapping) -> list[Claim]:
    """The paper's claims about Table 2, each decided on our numbers (not informative as in :func:`check_claims`)."""
    jac = table[table["column"] == "Jaccard Index"].set_index("row")["ours"].dropna().astype(float)
    none, crop, both, depth_only = (row for _, _, row in TABLE2_INPUTS)
    claims = [
        Claim(
            "Depth helps: with the crop, RGB-D scores above RGB (0.906 vs 0.876, Table 2)",
            jac[both] > jac[crop],
            f"ours: RGB-D {jac[both]:.3f}, RGB {jac[crop]:.3f}",
        ),
        Claim(
            "The skeleton-based crop helps: without depth, the cropped input scores above the uncropped one "
            "(0.876 vs 0.842, Table 2)",
            jac[crop] > jac[none],
            f"ours: crop {jac[crop]:.3f}, no crop {jac[none]:.3f}",
        ),
        Claim(
            "The crop helps with depth too (not in the paper, which has no uncropped RGB-D row)",
            jac[both] > jac[depth_only],
            f"ours: crop {jac[both]:.3f}, no crop {jac[depth_only]:.3f}",
        ),
        Claim(
            "Even without crop or depth the model does well (Sec. 4.3: 0.842 with rescaling alone): the "
            "no-crop, no-depth input keeps at least 80% of the full input's Jaccard index",
            jac[none] >= 0.8 * jac[both],
            f"ours: {jac[none]:.3f} vs {jac[both]:.3f} ({100 * jac[none] / jac[both]:.0f}%)"
            if jac[both]
            else "ours: 0",
        ),
    ]
    if not learnt(table, facts)[0]:
        claims = [Claim(c.claim, c.holds, c.detail + NOT_INFORMATIVE) for c in claims]
    return claims
