"""Borg and Camilleri's claims about Tables 1-5, decided on evidence (:mod:`motion_rnn.verdicts`).

Each function takes a table's :class:`~motion_rnn.verdicts.Evidence` (ours, or the paper's own
numbers) and returns its claims; cells are ``(row, column)`` of the paper's table. Losses are
validation cross-entropies: lower is better.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from motion_rnn.verdicts import Claim, Evidence, all_of, best_of, close, compare, exact

NEARLY_AS_WELL = 2.0
"""Ours: the accuracy points "performs nearly as well" allows (the paper's MHI is 0.55 above flow)."""
NETWORKS = tuple((cell, layers) for cell in ("lstm", "gru") for layers in (1, 2, 3))
"""Table 3's networks: (cell, layers)."""


def _claims_table1(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.borg2019.tables import CODE_SIZE, CONV, FC1, LOSS1

    claims = [
        compare(
            ev,
            "\"features extracted from VGG-16 layer 'fc1' perform better\" (Table 1): a lower validation loss "
            "from the pooled codes than from the last feature map",
            (FC1, LOSS1),
            (CONV, LOSS1),
            lower_is_better=True,
            digits=4,
        )
    ]
    if ev.has(FC1, CODE_SIZE) and ev.has(CONV, CODE_SIZE):
        fc1, conv = ev.value(FC1, CODE_SIZE), ev.value(CONV, CODE_SIZE)
        claims.append(
            exact(
                '"... in addition to being more efficient in size" (Table 1): fewer codes from fc1',
                fc1 < conv,
                f"{fc1:.0f} vs {conv:.0f} codes a frame",
            )
        )
    return claims


def _claims_table2(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.borg2019.tables import ACCURACY, FUSION_ROWS, LOSS, STREAM_ROWS, TIME

    flow, mhi, diff, rgb = (STREAM_ROWS[s] for s in ("flow", "mhi", "diff", "rgb"))
    singles = [(STREAM_ROWS[s], ACCURACY) for s in STREAM_ROWS]
    fusions = [(FUSION_ROWS[s], ACCURACY) for s in FUSION_ROWS]
    return [
        close(
            ev,
            '"MHI performs nearly as well as optical flow" (Table 2): accuracy within '
            f"±{NEARLY_AS_WELL:g} points (ours)",
            (mhi, ACCURACY),
            (flow, ACCURACY),
            tolerance=NEARLY_AS_WELL,
        ),
        compare(
            ev,
            '"... while being more computationally efficient" (Table 2): MHI takes less time than optical flow',
            (mhi, TIME),
            (flow, TIME),
            lower_is_better=True,
        ),
        best_of(
            ev,
            "Multi-frame differencing is the fastest motion stream (Table 2, 9.7 ms)",
            (diff, TIME),
            [(flow, TIME), (mhi, TIME)],
            lower_is_better=True,
        ),
        best_of(
            ev,
            "Optical flow has the lowest loss of the motion streams (Table 2, in bold)",
            (flow, LOSS),
            [(mhi, LOSS), (diff, LOSS)],
            lower_is_better=True,
            digits=4,
        ),
        all_of(
            "Fusing RGB with a motion stream beats RGB alone (Table 2: 87.67, 87.60, 85.6 vs 85.01)",
            [compare(ev, f"{row} vs {rgb}", (row, column), (rgb, ACCURACY)) for row, column in fusions],
        ),
        best_of(
            ev,
            "RGB + optical flow is the most accurate (Table 2, in bold)",
            (FUSION_ROWS["flow"], ACCURACY),
            singles + fusions,
        ),
    ]


def _claims_table3(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.borg2019.tables import LOSS3, PARAMETERS, layer_row

    # our counts (the "ours" column) against the printed ones (the "paper" column); on the paper's own
    # numbers both are the printed ones
    column = "paper" if ev.on_paper else "ours"
    cells = {
        (str(r), str(c)): (o, p)
        for r, c, o, p in zip(ev.table["row"], ev.table["column"], ev.table[column], ev.table["paper"])
    }
    found = {k: cells.get((layer_row(*k), PARAMETERS)) for k in NETWORKS}
    claims = []
    if all(v is not None and not pd.isna(v[0]) and not pd.isna(v[1]) for v in found.values()):
        ours = {k: float(v[0]) for k, v in found.items()}
        printed = {k: float(v[1]) for k, v in found.items()}
        wrong = [
            f"{layer_row(*k)}: {ours[k]:,.0f} (paper {printed[k]:,.0f})" for k in NETWORKS if ours[k] != printed[k]
        ]
        claims.append(
            exact(
                "Table 3's trainable parameters, counted on our PyTorch heads at the paper's input of 4,096 codes, "
                "equal the paper's to the digit (Keras's GRU with one bias a gate; batch norm's gamma and beta)",
                not wrong,
                "; ".join(wrong) or ", ".join(f"{layer_row(*k)} {ours[k]:,.0f}" for k in NETWORKS),
            )
        )
        claims.append(
            exact(
                '"the model has less parameters" (Sec. 5.2): a GRU has fewer parameters than an LSTM of the same depth',
                all(ours[("gru", n)] < ours[("lstm", n)] for n in (1, 2, 3)),
                ", ".join(f"{n} layers: {ours[('gru', n)]:,.0f} vs {ours[('lstm', n)]:,.0f}" for n in (1, 2, 3)),
            )
        )
    best = layer_row("gru", 2)
    claims.append(
        best_of(
            ev,
            '"a 2-layer stacked GRU performs the best" (Table 3): the lowest validation loss of the six',
            (best, LOSS3),
            [(layer_row(c, n), LOSS3) for c in ("lstm", "gru") for n in (1, 2, 3)],
            lower_is_better=True,
            digits=4,
        )
    )
    return claims


def _claims_table4(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.borg2019.tables import ABLATIONS, DROPOUT_ROW, LOSS1, PROPOSED, RNN_DROPOUT_ROW

    rates = ("0.1", "0.2", "0.3", "0.4", "0.5", "0.6")
    return [
        all_of(
            '"do all the layers contribute to the final outcome of the model?" (Table 4): removing any part raises '
            "the validation loss",
            [compare(ev, name, (PROPOSED, LOSS1), (name, LOSS1), lower_is_better=True, digits=4) for name in ABLATIONS],
        ),
        compare(
            ev,
            '"Dropout appears to be a critical element" (Table 4): without the dropout layer the loss rises the most '
            "of the ablations (ours: more than without batch normalisation)",
            ("no batch normalisation", LOSS1),
            ("no dropout layer", LOSS1),
            lower_is_better=True,
            digits=4,
        ),
        best_of(
            ev,
            "A dropout rate of 0.4 gives the lowest loss (Table 4)",
            (DROPOUT_ROW, "0.4"),
            [(DROPOUT_ROW, r) for r in rates],
            lower_is_better=True,
            digits=4,
        ),
        best_of(
            ev,
            "A GRU dropout rate of 0.3 gives the lowest loss (Table 4)",
            (RNN_DROPOUT_ROW, "0.3"),
            [(RNN_DROPOUT_ROW, r) for r in rates],
            lower_is_better=True,
            digits=4,
        ),
    ]


def _claims_table5(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.borg2019.tables import BASELINE, BASELINE_RNN, LOSS, OURS, PRECISION

    return [
        compare(
            ev,
            '"Our method outperforms the baseline by about 18%" (Table 5): higher precision than the baseline',
            (OURS, PRECISION),
            (BASELINE, PRECISION),
        ),
        compare(
            ev,
            '"an RNN improves recognition by about 9% when compared to the SVM of the baseline method" (Table 5): '
            "baseline+RNN is more precise than the baseline",
            (BASELINE_RNN, PRECISION),
            (BASELINE, PRECISION),
        ),
        compare(
            ev,
            '"combining strong features from a CNN together with the temporal abilities of an RNN" (Table 5): our '
            "method's loss is below baseline+RNN's",
            (OURS, LOSS),
            (BASELINE_RNN, LOSS),
            lower_is_better=True,
            digits=4,
        ),
        compare(
            ev,
            "The RNN on the hand-crafted features has a lower loss than the SVM (Table 5: 0.841 vs 1.114)",
            (BASELINE_RNN, LOSS),
            (BASELINE, LOSS),
            lower_is_better=True,
            digits=4,
        ),
    ]


CLAIMS: dict[str, Callable[[Evidence], list[Claim]]] = {
    "table1": _claims_table1,
    "table2": _claims_table2,
    "table3": _claims_table3,
    "table4": _claims_table4,
    "table5": _claims_table5,
}
