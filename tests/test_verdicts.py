"""The verdict logic on crafted numbers: each of the three outcomes, ties at zero, chance, paper values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from motion_rnn.statistics import (
    BOOTSTRAP_TEST,
    SEED_TEST,
    ItemScores,
    Resampler,
    classification_scores,
    hierarchical_draws,
    seed_t_test,
)
from motion_rnn.verdicts import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    NOT_REPORTED,
    Claim,
    Evidence,
    all_of,
    any_of,
    at_least,
    at_most,
    best_of,
    claims_frame,
    close,
    compare,
    exact,
)


def accuracy_scores(correct_per_seed, classes=4):
    """Accuracy outcomes of a network that is right on the given items (one 0/1 list a seed)."""
    out = []
    for correct in correct_per_seed:
        target = np.arange(len(correct)) % classes
        predicted = np.where(np.asarray(correct, bool), target, (target + 1) % classes)
        out.append(classification_scores(predicted, target))
    return ItemScores.stack(out)


def evidence_of(cells: dict, paper: dict | None = None, per_seed: dict | None = None) -> Evidence:
    rows = []
    for (row, column), scores in cells.items():
        value = scores.per_seed().mean() if isinstance(scores, ItemScores) else float(np.mean(scores))
        rows.append({"row": row, "column": column, "ours": value, "paper": (paper or {}).get((row, column))})
    table = pd.DataFrame(rows)
    item = {k: v for k, v in cells.items() if isinstance(v, ItemScores)}
    seeds = {k: v.per_seed() for k, v in item.items()}
    seeds.update(per_seed or {})
    return Evidence(table, item, seeds)


RNG = np.random.default_rng(0)
N = 200
GOOD = [RNG.random(N) < 0.9 for _ in range(3)]  # ~90% right, three seeds
MIDDLE = [RNG.random(N) < 0.6 for _ in range(3)]
ALSO_MIDDLE = [RNG.random(N) < 0.6 for _ in range(3)]


def test_compare_holds_fails_and_is_inconclusive():
    ev = evidence_of(
        {
            ("good", "acc"): accuracy_scores(GOOD),
            ("middle", "acc"): accuracy_scores(MIDDLE),
            ("twin", "acc"): accuracy_scores(ALSO_MIDDLE),
        }
    )
    assert compare(ev, "good beats middle", ("good", "acc"), ("middle", "acc")).verdict == HOLDS
    assert compare(ev, "middle beats good", ("middle", "acc"), ("good", "acc")).verdict == FAILS
    same = compare(ev, "middle beats twin", ("middle", "acc"), ("twin", "acc"))
    assert same.verdict == INCONCLUSIVE
    assert same.test == BOOTSTRAP_TEST
    assert "[" in same.detail and "p =" in same.detail


def test_a_network_at_chance_makes_the_claim_inconclusive():
    # Always the same class on balanced items: exactly at chance, even when "beating" a worse network.
    target = np.arange(N) % 4
    constant = ItemScores.stack([classification_scores(np.zeros(N, int), target)] * 3)
    never = ItemScores.stack([classification_scores((target + 1) % 4, target)] * 3)  # always wrong
    ev = evidence_of({("constant", "acc"): constant, ("never", "acc"): never, ("good", "acc"): accuracy_scores(GOOD)})
    assert ev.chance_p(("constant", "acc")) > 0.01
    assert ev.chance_p(("good", "acc")) < 0.01
    claim = compare(ev, "constant beats never", ("constant", "acc"), ("never", "acc"))
    assert claim.verdict == INCONCLUSIVE
    assert "not above chance" in claim.detail and "constant" in claim.detail
    # and even a significant loss to a good network is not called a failure of a claim about it
    assert compare(ev, "constant beats good", ("constant", "acc"), ("good", "acc")).verdict == INCONCLUSIVE


def test_ties_at_zero_never_hold():
    # Two networks that never predict anything: Jaccard 0 and chance 0, equal to the digit.
    zero = ItemScores.stack([ItemScores.of(np.zeros(8), chance=np.zeros(8))] * 3)
    ev = evidence_of({("a", "J"): zero, ("b", "J"): zero})
    assert close(ev, "a equals b", ("a", "J"), ("b", "J"), tolerance=0.02).verdict == INCONCLUSIVE
    assert at_most(ev, "a not above b", ("a", "J"), ("b", "J"), bound=0.0).verdict == INCONCLUSIVE
    assert compare(ev, "a beats b", ("a", "J"), ("b", "J")).verdict == INCONCLUSIVE


def test_equality_within_tolerance():
    ev = evidence_of({("m", "acc"): accuracy_scores(MIDDLE), ("t", "acc"): accuracy_scores(ALSO_MIDDLE)})
    assert close(ev, "equal within 20", ("m", "acc"), ("t", "acc"), tolerance=20).verdict == HOLDS
    # a tolerance narrower than the interval cannot be confirmed, nor refuted
    assert close(ev, "equal within 0.1", ("m", "acc"), ("t", "acc"), tolerance=0.1).verdict == INCONCLUSIVE
    far = evidence_of({("g", "acc"): accuracy_scores(GOOD), ("m", "acc"): accuracy_scores(MIDDLE)})
    assert close(far, "equal within 1", ("g", "acc"), ("m", "acc"), tolerance=1).verdict == FAILS


def test_compound_claims_count_their_parts():
    held = Claim("h", "empirical", HOLDS, "")
    failed = Claim("f", "empirical", FAILS, "")
    open_ = Claim("i", "empirical", INCONCLUSIVE, "")
    assert all_of("all", [held, held]).verdict == HOLDS
    assert all_of("all", [held, open_]).verdict == INCONCLUSIVE
    assert all_of("all", [held, failed, open_]).verdict == FAILS
    assert any_of("any", [failed, open_]).verdict == INCONCLUSIVE
    assert any_of("any", [failed, failed]).verdict == FAILS
    assert any_of("any", [failed, held]).verdict == HOLDS
    assert at_least("2 of 3", [held, open_, failed], 2).verdict == INCONCLUSIVE
    assert at_least("2 of 3", [held, failed, failed], 2).verdict == FAILS
    assert "1 hold, 2 fail, 0 inconclusive of 3 (needed 2)" in at_least("2 of 3", [held, failed, failed], 2).detail


def test_best_of_fails_on_one_significant_loss():
    ev = evidence_of(
        {
            ("good", "acc"): accuracy_scores(GOOD),
            ("m", "acc"): accuracy_scores(MIDDLE),
            ("t", "acc"): accuracy_scores(ALSO_MIDDLE),
        }
    )
    cells = [("good", "acc"), ("m", "acc"), ("t", "acc")]
    assert best_of(ev, "good is best", ("good", "acc"), cells).verdict == HOLDS
    assert best_of(ev, "m is best", ("m", "acc"), cells).verdict == FAILS


def test_claims_on_the_paper_numbers_count_as_printed():
    table = pd.DataFrame(
        {"row": ["a", "b", "c"], "column": ["x"] * 3, "ours": [1.0, 2.0, 3.0], "paper": [77.36, 77.78, 77.36]}
    )
    paper = Evidence(table, values="paper")
    assert compare(paper, "a beats b", ("a", "x"), ("b", "x")).verdict == FAILS
    assert compare(paper, "b beats a", ("b", "x"), ("a", "x")).verdict == HOLDS
    assert compare(paper, "a beats c (a tie)", ("a", "x"), ("c", "x")).verdict == INCONCLUSIVE
    assert close(paper, "a near b", ("a", "x"), ("b", "x"), tolerance=0.5).verdict == HOLDS
    missing = compare(paper, "a beats d", ("a", "x"), ("d", "x"))
    assert missing.verdict == INCONCLUSIVE and missing.detail.startswith(NOT_REPORTED)
    frame = claims_frame([missing], [missing])
    assert frame.loc[0, "paper_verdict"] == NOT_REPORTED


def test_single_measurement_without_items_is_inconclusive_and_seeds_use_a_t_test():
    table = pd.DataFrame({"row": ["a", "b"], "column": ["fig"] * 2, "ours": [0.2, 0.9], "paper": [None, None]})
    one = Evidence(table, per_seed={("a", "fig"): np.array([0.2]), ("b", "fig"): np.array([0.9])})
    claim = compare(one, "a below b", ("b", "fig"), ("a", "fig"))
    assert claim.verdict == INCONCLUSIVE and "one measurement" in claim.detail
    three = Evidence(
        table, per_seed={("a", "fig"): np.array([0.2, 0.21, 0.19]), ("b", "fig"): np.array([0.9, 0.92, 0.88])}
    )
    claim = compare(three, "b above a", ("b", "fig"), ("a", "fig"))
    assert claim.verdict == HOLDS and claim.test == SEED_TEST


def test_exact_claims_hold_or_fail_only():
    assert exact("counts match", True, "").verdict == HOLDS
    assert exact("counts match", False, "").verdict == FAILS
    with pytest.raises(ValueError, match="kind"):
        Claim("x", "guess", HOLDS, "")
    with pytest.raises(ValueError, match="verdict"):
        Claim("x", "exact", "does not hold", "")


def test_bootstrap_interval_covers_the_mean_and_pairs_the_draws():
    scores = accuracy_scores(MIDDLE)
    estimate = scores.estimate(Resampler())
    assert estimate.low < estimate.mean < estimate.high
    assert estimate.mean == pytest.approx(np.mean([100 * m.mean() for m in MIDDLE]))
    # The same resampler gives the same indices: a cell minus itself is exactly zero in every draw.
    resampler = Resampler()
    assert np.all(hierarchical_draws(scores, resampler) - hierarchical_draws(scores, resampler) == 0)


def test_classification_chance_is_the_shuffled_accuracy():
    target = np.array([0, 0, 1, 1])
    predicted = np.array([0, 0, 0, 1])  # 3/4 of the predictions say 0
    scores = classification_scores(predicted, target)
    assert scores.per_seed()[0] == 75.0
    assert list(scores.chance[0]) == [75.0, 75.0, 25.0, 25.0]  # mean 50: chance on balanced classes
    with pytest.raises(ValueError, match="one length"):
        classification_scores([0, 1], [0])


def test_seed_t_test():
    estimate = seed_t_test(np.array([1.0, 2.0, 3.0]))
    assert estimate.mean == 2.0 and estimate.low < 2.0 < estimate.high and estimate.test == SEED_TEST
    assert not seed_t_test(np.array([1.0])).replicated


def test_claims_on_our_numbers_and_the_paper_s_must_be_the_same_claims():
    ours = [Claim("a", "empirical", HOLDS, "")]
    with pytest.raises(ValueError, match="not the same claims"):
        claims_frame(ours, [Claim("b", "empirical", HOLDS, "")])
