"""The improved baseline of Le Roux's thesis and what each row of Tables 4-9, 11 and 12 changes of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from motion_rnn.models.leroux2017.recurrent import IMPROVED_BASELINE

BASELINE: dict = dict(
    cell=IMPROVED_BASELINE["cell"],  # Sec. 3.1.2: GRU
    units=IMPROVED_BASELINE["hidden_size"],  # 100 units (per direction when bidirectional)
    layers=IMPROVED_BASELINE["num_layers"],  # Table 5: 3
    bidirectional=IMPROVED_BASELINE["bidirectional"],
    keep_prob=IMPROVED_BASELINE["keep_prob"],  # Table 6: 0.5
    l2=True,  # Table 7: with L2 ...
    early_stopping=True,  # ... and early stopping
    inputs="positions",  # Sec. 3.3.2: "positions" or "motion", M_t = P_{t+1} - P_t
    transformer=None,  # Table 8: None, "linear", "affine", "positive", "convex"
    sparsity_mu=0.0,  # Table 8's columns
    joints=25,  # Table 9: 25 or 13
    align=False,  # Table 9: pose alignment of Sec. 4.2.2
    loss="last_step",  # eq. (5); "every_step" eq. (11); "inattention" eq. (12)
    inattention_steps=None,  # Table 12's |S| (thesis's count)
)
"""Sec. 3.1.2: "a Unidirectional RNN with 3 layers each containing 100 GRU units", regularised as
Sec. 3.2 says; the 79.2 % that recurs in Tables 4-9."""

CELL_NAMES = {"rnn": "Standard RNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass(frozen=True)
class Row:
    """One cell of a table: where it sits, and what it changes of :data:`BASELINE`."""

    row: str
    column: str
    changes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.row} | {self.column}"


def _table4() -> list[Row]:
    # "in the bidirectional case, each directional RNN gets half the number of units" (Sec. 3.1.2)
    rows = []
    for bidirectional, direction in ((False, "Unidirectional"), (True, "Bidirectional")):
        for cell in ("rnn", "lstm", "gru"):
            for total in (100, 200, 400, 800):
                units = total // 2 if bidirectional else total
                rows.append(
                    Row(
                        f"{direction} {CELL_NAMES[cell]}",
                        str(total),
                        {"cell": cell, "units": units, "bidirectional": bidirectional},
                    )
                )
    return rows


def _table5() -> list[Row]:
    return [Row("Accuracy", str(n), {"layers": n}) for n in range(1, 9)]


def _table6() -> list[Row]:
    return [Row("Accuracy", f"{p:g}", {"keep_prob": p}) for p in (1.0, 0.9, 0.7, 0.5, 0.3, 0.1)]


def _table7() -> list[Row]:
    return [
        Row(
            f"{'With' if l2 else 'Without'} L2",
            f"{'With' if es else 'Without'} early stopping",
            {"l2": l2, "early_stopping": es},
        )
        for l2 in (False, True)
        for es in (False, True)
    ]


def _table8() -> list[Row]:
    rows = [Row("Without", "mu = 0")]
    for kind in ("linear", "affine", "positive", "convex"):
        for mu in (0.0, 0.001, 0.01):
            rows.append(
                Row(f"{kind.capitalize()} combination", f"mu = {mu:g}", {"transformer": kind, "sparsity_mu": mu})
            )
    # Sec. 3.3.2: the improved baseline fed skeleton motion alone (a number of the text, not of Table 8).
    rows.append(Row(MOTION_ROW, "mu = 0", {"inputs": "motion"}))
    return rows


MOTION_ROW = "Without, skeleton motion only (Sec. 3.3.2)"


def _table9() -> list[Row]:
    return [
        Row(f"{j} joints", f"{'With' if a else 'Without'} alignment", {"joints": j, "align": a})
        for j in (13, 25)
        for a in (True, False)
    ]


def _table11() -> list[Row]:
    # Appendix A.4: "our architecture contains 3 layers of BRNN ... dropout, early stopping and L2
    # ... a training loss that takes into the account the prediction of the BRNN at each time step".
    rows = []
    for loss, suffix in (("every_step", ""), ("last_step", LAST_STEP_SUFFIX)):
        for cell in ("rnn", "lstm", "gru"):
            for units in (50, 100, 200, 400):
                rows.append(
                    Row(
                        CELL_NAMES[cell] + suffix,
                        str(units),
                        {"cell": cell, "units": units, "bidirectional": True, "loss": loss},
                    )
                )
    return rows


LAST_STEP_SUFFIX = ", last step (Table 4)"


def _table12() -> list[Row]:
    # "We exploit our best BRNN model (i.e., 200 GRU units per Direction)"; |S| = T is eq. (11).
    common = {"units": 200, "bidirectional": True, "loss": "inattention"}
    return [Row("GRU 200 Units", str(s), {**common, "inattention_steps": s}) for s in (10, 20, 30, 40, 50, 60, 70)] + [
        Row("GRU 200 Units", "T", {**common, "loss": "every_step"})
    ]


TABLE_ROWS = {
    "table4": _table4,
    "table5": _table5,
    "table6": _table6,
    "table7": _table7,
    "table8": _table8,
    "table9": _table9,
    "table11": _table11,
    "table12": _table12,
}
"""The thesis's table -> its rows."""


def row_config(row: Row) -> dict:
    """The whole configuration of a row: :data:`BASELINE` with the row's changes."""
    unknown = set(row.changes) - set(BASELINE)
    if unknown:
        raise KeyError(f"{row.name}: {sorted(unknown)} are not settings of the baseline {sorted(BASELINE)}")
    return {**BASELINE, **row.changes}
