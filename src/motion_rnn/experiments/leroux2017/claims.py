"""The thesis's claims about Tables 4-9, 11 and 12, each decided on a table (ours, or the thesis's own)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from motion_rnn.experiments.leroux2017.rows import LAST_STEP_SUFFIX, MOTION_ROW
from motion_rnn.report import Claim


def _wide(table: pd.DataFrame, values: str) -> pd.DataFrame:
    rows, columns = list(dict.fromkeys(table["row"])), list(dict.fromkeys(table["column"]))
    return table.pivot(index="row", columns="column", values=values).reindex(index=rows, columns=columns).astype(float)


def _fmt(values) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in values.items())


def _claims_table4(a: pd.DataFrame) -> list[Claim]:
    claims = []
    widths = list(a.columns)
    order_ok = [
        (d, w)
        for d in ("Unidirectional", "Bidirectional")
        for w in widths
        if a.loc[f"{d} GRU", w] > a.loc[f"{d} LSTM", w] > a.loc[f"{d} Standard RNN", w]
    ]
    claims.append(
        Claim(
            '"In all cases, GRU beats LSTM which in turns outperforms Standard RNN" (Table 4)',
            len(order_ok) == 2 * len(widths),
            f"GRU > LSTM > RNN in {len(order_ok)} of {2 * len(widths)} columns",
        )
    )
    uni = a.loc[[r for r in a.index if r.startswith("Uni")]].to_numpy()
    bi = a.loc[[r for r in a.index if r.startswith("Bi")]].to_numpy()
    wins = int((uni > bi).sum())
    claims.append(
        Claim(
            '"In general, URNN performs better than BRNN" (Table 4): in more than half of the 12 '
            "pairs of the same cell and total units",
            wins > uni.size / 2,
            f"URNN better in {wins} of {uni.size} pairs; mean URNN {uni.mean():.2f}, BRNN {bi.mean():.2f}",
        )
    )
    grows = {
        d: a.loc[f"{d} Standard RNN", widths[-1]] > a.loc[f"{d} Standard RNN", widths[0]]
        for d in ("Unidirectional", "Bidirectional")
    }
    claims.append(
        Claim(
            '"as we augment the number of units, the performance of Standard RNN improves" (Table 4): '
            "the widest beats the narrowest, in both directions",
            all(grows.values()),
            "; ".join(f"{d}: {_fmt(a.loc[f'{d} Standard RNN'])}" for d in grows),
        )
    )
    spread = {r: float(a.loc[r].max() - a.loc[r].min()) for r in ("Unidirectional LSTM", "Unidirectional GRU")}
    spread.update(
        {
            r: float(a.loc[r, widths[1:]].max() - a.loc[r, widths[1:]].min())
            for r in ("Bidirectional LSTM", "Bidirectional GRU")
        }
    )
    claims.append(
        Claim(
            '"[the performance] stays roughly the same for GRU and LSTM (except for BRNN with 50 units)" '
            "(Table 4): within 2 points across widths (the thesis's spread is under 1 point)",
            max(spread.values()) <= 2.0,
            "spread: " + _fmt(spread),
        )
    )
    best = a.stack().idxmax()
    claims.append(
        Claim(
            "The best network of Table 4 is a unidirectional GRU (the thesis's 79.2 with 100 units)",
            best[0] == "Unidirectional GRU",
            f"best: {best[0]}, {best[1]} units, {a.stack().max():.2f}",
        )
    )
    return claims


def _claims_table5(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["Accuracy"]
    best = acc.idxmax()
    claims = [
        Claim(
            '"An architecture with 3 layers brings the best score" (Table 5)',
            best == "3",
            f"best: {best} layers; " + _fmt(acc),
        )
    ]
    up, down = acc.loc[["1", "2", "3"]], acc.loc[[str(n) for n in range(3, 9)]]
    claims.append(
        Claim(
            '"If we either decrease or increase the number of layers, the accuracy will progressively '
            'diminish" (Table 5): rising from 1 to 3 layers and falling from 3 to 8',
            bool((up.diff().dropna() > 0).all() and (down.diff().dropna() < 0).all()),
            _fmt(acc),
        )
    )
    claims.append(
        Claim(
            "Stacking helps: 3 layers beat 1 layer (72.35 vs 79.2 in Table 5)",
            acc["3"] > acc["1"],
            f"1 layer {acc['1']:.2f}, 3 layers {acc['3']:.2f}",
        )
    )
    return claims


def _claims_table6(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["Accuracy"]
    best = acc.idxmax()
    return [
        Claim("Keep probability 0.5 is best (79.2 in Table 6)", best == "0.5", f"best: {best}; " + _fmt(acc)),
        Claim(
            '"Using, either not enough or too much dropout can dramatically diminish the accuracy" (Table 6): '
            "keep probabilities 1 and 0.1 both fall below 0.5",
            acc["1"] < acc["0.5"] and acc["0.1"] < acc["0.5"],
            f"1: {acc['1']:.2f}, 0.5: {acc['0.5']:.2f}, 0.1: {acc['0.1']:.2f}",
        ),
    ]


def _claims_table7(a: pd.DataFrame) -> list[Claim]:
    no, es, l2, both = (
        a.loc["Without L2", "Without early stopping"],
        a.loc["Without L2", "With early stopping"],
        a.loc["With L2", "Without early stopping"],
        a.loc["With L2", "With early stopping"],
    )
    detail = f"neither {no:.2f}, early stopping {es:.2f}, L2 {l2:.2f}, both {both:.2f}"
    return [
        Claim('"L2 regularization [...] individually provide[s] improved performance" (Table 7)', l2 > no, detail),
        Claim('"early stopping [...] individually provide[s] improved performance" (Table 7)', es > no, detail),
        Claim(
            '"when combined they further boost our model\'s accuracy" (Table 7): both beat either alone',
            both > max(es, l2),
            detail,
        ),
    ]


def _claims_table8(a: pd.DataFrame) -> list[Claim]:
    kinds = ["Linear combination", "Affine combination", "Positive combination", "Convex combination"]
    mu0 = a.loc[kinds, "mu = 0"]
    claims = [
        Claim(
            '"all the proposed combinations (affine, positive and convex) improve over the linear baseline '
            'of Li et al." (Table 8, mu = 0)',
            bool((mu0.iloc[1:] > mu0.iloc[0]).all()),
            _fmt(mu0),
        )
    ]
    sparse = [(k, c) for k in kinds for c in ("mu = 0.001", "mu = 0.01") if a.loc[k, c] > a.loc[k, "mu = 0"]]
    claims.append(
        Claim(
            '"the sparsity constraint does not seem to give any improvement" (Table 8): no mu > 0 beats '
            "mu = 0 of the same combination",
            not sparse,
            f"{len(sparse)} of 8 sparse cells beat their mu = 0"
            + (": " + "; ".join(f"{k} {c}" for k, c in sparse) if sparse else ""),
        )
    )
    columns = ["mu = 0", "mu = 0.001", "mu = 0.01"]
    pairs = [
        (s, u, c)
        for s, u in (("Affine combination", "Linear combination"), ("Convex combination", "Positive combination"))
        for c in columns
    ]
    better = [a.loc[s, c] > a.loc[u, c] for s, u, c in pairs]
    claims.append(
        Claim(
            '"in all the cases restraining the weights to sum to 1 is improving the accuracy" (Table 8): '
            "affine beats linear and convex beats positive, in each mu column",
            all(better),
            f"true in {sum(better)} of {len(better)} pairs",
        )
    )
    best = a.drop(index=[MOTION_ROW], errors="ignore").stack().idxmax()
    claims.append(
        Claim(
            '"with an affine combination and without any sparse constraint, we obtain 79.58%": the best '
            "cell of Table 8, above the network without transformer",
            best == ("Affine combination", "mu = 0")
            and a.loc["Affine combination", "mu = 0"] > a.loc["Without", "mu = 0"],
            f"best: {best[0]}, {best[1]}; affine {a.loc['Affine combination', 'mu = 0']:.2f}, without "
            f"{a.loc['Without', 'mu = 0']:.2f}",
        )
    )
    if MOTION_ROW in a.index and not np.isnan(a.loc[MOTION_ROW, "mu = 0"]):
        motion, positions = a.loc[MOTION_ROW, "mu = 0"], a.loc["Without", "mu = 0"]
        claims.append(
            Claim(
                'Skeleton motion alone does less well than positions: "by training on skeleton motion '
                'sequence only [...] we can reach as high as 75.57%" (Sec. 3.3.2), against 79.2',
                motion < positions,
                f"motion {motion:.2f}, positions {positions:.2f}",
            )
        )
    return claims


def _claims_table9(a: pd.DataFrame) -> list[Claim]:
    base, aligned = a.loc["25 joints", "Without alignment"], a.loc["25 joints", "With alignment"]
    few, both = a.loc["13 joints", "Without alignment"], a.loc["13 joints", "With alignment"]
    detail = f"25 joints {base:.2f}, aligned {aligned:.2f}, 13 joints {few:.2f}, both {both:.2f}"
    return [
        Claim(
            'Pose alignment costs accuracy: "they both individually provide worse performance" (Table 9)',
            aligned < base,
            detail,
        ),
        Claim(
            'Dropping to 13 joints costs accuracy: "they both individually provide worse performance" (Table 9)',
            few < base,
            detail,
        ),
        Claim('"when combined they further degrade our model\'s accuracy" (Table 9)', both < min(aligned, few), detail),
    ]


def _claims_table11(a: pd.DataFrame) -> list[Claim]:
    every = a.loc[["Standard RNN", "LSTM", "GRU"]]
    means = every.mean(axis=1)
    claims = [
        Claim(
            '"on the overall, GRU beats LSTM which in turns outperforms Standard RNN" (Table 11): mean over widths',
            means["GRU"] > means["LSTM"] > means["Standard RNN"],
            _fmt(means),
        )
    ]
    best = every.stack().idxmax()
    claims.append(
        Claim(
            "The best bidirectional network is a GRU (200 units per direction, 79.03, Table 11)",
            best[0] == "GRU",
            f"best: {best[0]}, {best[1]} units per direction, {every.stack().max():.2f}",
        )
    )
    last = [f"{c}{LAST_STEP_SUFFIX}" for c in every.index]
    if all(r in a.index for r in last):
        gain = every.to_numpy() - a.loc[last].to_numpy()
        wins = int((gain > 0).sum())
        claims.append(
            Claim(
                "A loss over every time step (eq. 11) beats the last-step loss of Table 4 for the same "
                "BRNN in most cells (9 of 12 in the thesis)",
                wins > gain.size / 2,
                f"better in {wins} of {gain.size} cells; mean gain {gain.mean():+.2f} points",
            )
        )
    return claims


def _claims_table12(a: pd.DataFrame) -> list[Claim]:
    acc = a.loc["GRU 200 Units"]
    full, subsets = acc["T"], acc.drop("T")
    gain = float(subsets.max() - full)
    return [
        Claim(
            '"our contribution is not improving much over the baseline |S| = T" (Table 12): no |S| beats |S| = T '
            "by more than 1 point",
            gain <= 1.0,
            f"|S| = T {full:.2f}; best |S| = {subsets.idxmax()} {subsets.max():.2f} ({gain:+.2f})",
        ),
        Claim(
            '"even when it does [improve]": some |S| < T does at least as well as |S| = T (20 and 50 in Table 12)',
            gain >= 0,
            _fmt(acc),
        ),
    ]


CLAIMS: dict[str, Callable[[pd.DataFrame], list[Claim]]] = {
    "table4": _claims_table4,
    "table5": _claims_table5,
    "table6": _claims_table6,
    "table7": _claims_table7,
    "table8": _claims_table8,
    "table9": _claims_table9,
    "table11": _claims_table11,
    "table12": _claims_table12,
}
