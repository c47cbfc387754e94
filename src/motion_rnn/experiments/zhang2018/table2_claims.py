"""The claims of Zhang et al. about Table 2, each decided on evidence (:mod:`motion_rnn.verdicts`)."""

from __future__ import annotations

from motion_rnn.experiments.zhang2018.table2 import CONVLSTM, RES3D, VARIANT_A
from motion_rnn.experiments.zhang2018.table2_settings import MODALITIES
from motion_rnn.models.zhang2018.table2_networks import TABLE2_ROWS
from motion_rnn.verdicts import Claim, Evidence, all_of, best_of, compare

PAPER_VARIANT_A = {"RGB": 55.98, "Depth": 53.28, "Flow": 46.51}


def check_claims(evidence: Evidence) -> list[Claim]:
    """Sec. 3.4's claims, on the modalities the run chose (``facts["columns"]``) that the table has.

    "The proposed network obtains the best accuracy on each single modality": one claim a modality,
    variant (a) against every other network with a number there. "The 3DCNN networks ... the
    weakness on long-term temporal fusion restricts their capabilities": Res3D + ConvLSTM + MobileNet
    against Res3D alone, in every modality.
    """
    chosen = evidence.facts.get("columns", MODALITIES).values()  # the run's modalities, in the paper's order
    columns = [c for c in MODALITIES.values() if c in chosen and evidence.has(VARIANT_A, c)]
    claims = []
    for column in columns:
        others = [(row, column) for row in TABLE2_ROWS if row != VARIANT_A and evidence.has(row, column)]
        claims.append(
            best_of(
                evidence,
                f'"The proposed network obtains the best accuracy on each single modality": on {column}, variant (a) '
                f"is more accurate than every other network ({PAPER_VARIANT_A[column]:.2f}%, Table 2)",
                (VARIANT_A, column),
                others,
            )
        )
    pairs = [c for c in columns if evidence.has(CONVLSTM, c) and evidence.has(RES3D, c)]
    if pairs:
        claims.append(
            all_of(
                '"3DCNN+ConvLSTM+2DCNN" beats the 3D CNN alone: Res3D + ConvLSTM + MobileNet is more accurate than '
                "Res3D in every modality (RGB 52.01 vs 45.07, depth 51.30 vs 48.44, flow 45.59 vs 44.45)",
                [compare(evidence, f"{c}", (CONVLSTM, c), (RES3D, c)) for c in pairs],
            )
        )
    return claims
