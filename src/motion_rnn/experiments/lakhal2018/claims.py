"""Lakhal et al.'s claims about Tables 1-3 and Figure 3, decided on evidence (:mod:`motion_rnn.verdicts`).

Each function takes a table's :class:`~motion_rnn.verdicts.Evidence` (ours, or the paper's own
numbers) and returns its claims. Cells are ``(row, column)`` of the paper's table. Table 1's row
is the data set the evidence is about (``facts["layout"]``: UCF-101 or HMDB-51), so that a claim
the paper makes of one data set is decided on that data set's row.
"""

from __future__ import annotations

from collections.abc import Callable

from motion_rnn.data.ucf101 import PAPER_CLASS_NAMES
from motion_rnn.verdicts import Claim, Evidence, all_of, best_of, close, compare

STAGNATES = 2.0
"""Ours: the change in accuracy points that "stagnated" allows."""
NAMED_CLASSES = dict(PAPER_CLASS_NAMES)
"""Table 3's classes, as the paper names them -> as UCF-101's classInd.txt spells them."""
PAPER_CATEGORY_NAMES = {"Playing Musical Instruments": "Playing Instrument"}
"""UCF-101's category names as Table 3 prints them, where they differ."""
FAST_CLASSES = {"Pizza Tossing": "Human-Object Interaction", "Salsa Spins": "Human-Human Interaction"}
"""Table 3's classes the paper says are fast, with their UCF-101 category."""


def rest_of(category: str, name: str) -> str:
    """The row of a category's test videos other than those of class ``name`` (ours)."""
    return f"{category} without {name} (ours)"


def paper_category(category: str) -> str:
    return PAPER_CATEGORY_NAMES.get(category, category)


def _claims_table1(ev: Evidence) -> list[Claim]:
    row = ev.facts.get("layout", "UCF-101")
    best, others = ("25", ("5", "15", "35")) if row == "HMDB-51" else ("35", ("5", "15", "25"))
    claims = [
        compare(
            ev,
            '"even for LSTM, longer time inputs lead to better performance" (Table 1): T = 25 beats T = 5',
            (row, "25"),
            (row, "5"),
        ),
        best_of(
            ev,
            f'"T = 25 and T = 35 are the best choices for HMDB-51 and UCF-101, respectively" (Table 1): on {row}, '
            f"T = {best} beats every other T",
            (row, best),
            [(row, t) for t in others],
        ),
    ]
    if row == "HMDB-51":
        claims.append(
            compare(
                ev,
                '"After these values the model starts overfitting" (Table 1): on HMDB-51, T = 35 is below T = 25',
                (row, "25"),
                (row, "35"),
            )
        )
    return claims


def _claims_table2(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.lakhal2018.tables import LATE, MID, PRODUCT, SINGLE, STREAM_ROWS, SUM

    return [
        compare(
            ev,
            '"late fusion outperforms mid fusion on HMDB-51 using Res-LSTM. For point-wise addition the gain is '
            'near 6%" (Table 2): late sum beats mid sum',
            (SUM, LATE),
            (SUM, MID),
        ),
        compare(
            ev,
            '"... and for point-wise product it is 13%" (Table 2): late product beats mid product',
            (PRODUCT, LATE),
            (PRODUCT, MID),
        ),
        compare(
            ev,
            '"with a clear benefit of the product aggregation" (Table 2): in late fusion, the product beats the sum',
            (PRODUCT, LATE),
            (SUM, LATE),
        ),
        all_of(
            "Ours: the two streams fused late (product) beat each stream alone (the premise of Sec. 3.2)",
            [
                compare(ev, f"late product vs {r}", (PRODUCT, LATE), (r, SINGLE), kind="ours")
                for r in STREAM_ROWS.values()
            ],
            kind="ours",
        ),
    ]


def _claims_figure3(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.lakhal2018.settings import PAPER_DEPTHS, PAPER_WIDTHS
    from motion_rnn.experiments.lakhal2018.tables import LSTM, RES_LSTM

    widths = [f"d_m = {w}" for w in PAPER_WIDTHS]
    return [
        all_of(
            '"the residual connections help generalization in both datasets: even when dropping on performance, '
            'the residual RNN still performs better" (Fig. 3a): Res-LSTM beats LSTM at every width d_m',
            [compare(ev, w, (RES_LSTM, w), (LSTM, w)) for w in widths],
        ),
        all_of(
            '"The best validation performance of the model increased before h = 1024 and stagnated after this '
            f'value" (Fig. 3a; ours: on test accuracy, "stagnated" within ±{STAGNATES:g} points)',
            [
                compare(ev, "1024 vs 256", (RES_LSTM, "d_m = 1024"), (RES_LSTM, "d_m = 256")),
                close(ev, "2048 vs 1024", (RES_LSTM, "d_m = 2048"), (RES_LSTM, "d_m = 1024"), tolerance=STAGNATES),
            ],
        ),
        all_of(
            '"We introduce for the first time residual learning to counter the degradation problem in multi-layer '
            'RNNs" (abstract): stacking layers costs the plain LSTM accuracy (4 layers below 2), and at 4 layers '
            "the Res-LSTM beats it",
            [
                compare(ev, "LSTM L = 2 vs L = 4", (f"{LSTM} depth", "L = 2"), (f"{LSTM} depth", "L = 4")),
                compare(ev, "Res-LSTM vs LSTM at L = 4", (f"{RES_LSTM} depth", "L = 4"), (f"{LSTM} depth", "L = 4")),
            ],
        ),
        best_of(
            ev,
            '"stacking only two layers provides the best depth for the residual model" (Fig. 3b, c)',
            (f"{RES_LSTM} depth", f"L = {PAPER_DEPTHS[0]}"),
            [(f"{RES_LSTM} depth", f"L = {d}") for d in PAPER_DEPTHS[1:]],
        ),
    ]


def _claims_table3(ev: Evidence) -> list[Claim]:
    from motion_rnn.experiments.lakhal2018.tables import RES_LSTM

    return [
        compare(
            ev,
            f'"the performance drops for the complex classes Pizza Tossing and Salsa Spins, probably because of the '
            f'speed of the actions" (Table 3); ours: {name} is recognised worse than the other classes of its '
            f"category ({category}; on the paper's numbers: the whole category)",
            (rest_of(category, name), RES_LSTM) if not ev.on_paper else (category, RES_LSTM),
            (name, RES_LSTM),
            kind="ours",
        )
        for name, category in FAST_CLASSES.items()
    ]


CLAIMS: dict[str, Callable[[Evidence], list[Claim]]] = {
    "table1": _claims_table1,
    "table2": _claims_table2,
    "figure3": _claims_figure3,
    "table3": _claims_table3,
}
