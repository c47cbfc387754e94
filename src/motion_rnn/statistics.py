"""Intervals and paired tests of our cells, over seeds and test items.

A table's cell is measured once a seed. Where the stored rows keep each test item's outcome (a
sequence's Jaccard index, a video's correct or wrong class), the cell of one seed is a ratio of
sums over the test items, ``sum(values) / sum(weights)`` (an accuracy: correct / 1 each; an error
rate: wrong gestures / gestures of each sequence), and our number is its mean over the seeds.

Its uncertainty comes from two sources: which network training drew (the seed) and which test
items were drawn. :func:`hierarchical_draws` resamples both, seeds with replacement and then the
test items of each seed with replacement (a two-level bootstrap); two cells of the same seeds and
test items are resampled with the *same* indices, so their difference is paired. The 95% interval
is the 2.5th to 97.5th percentile of the draws, and the two-sided p-value of a difference is twice
the smaller share of draws on either side of zero.

Cells without item outcomes (a figure's statistic, macro precision) have one number a seed; for
them the interval is Student's t across the seeds and a difference is tested with the paired
t-test across seeds (:func:`seed_t_test`): with one seed there is neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

RESAMPLES = 2000
"""Bootstrap draws: the 2.5th percentile of 2,000 draws moves by about a tenth of a standard error."""
LEVEL = 0.95
BOOTSTRAP_TEST = "paired two-level bootstrap over seeds and test items (2,000 resamples), 95% percentile interval"
SEED_TEST = "paired t-test across seeds, 95% t interval"


@dataclass(frozen=True)
class ItemScores:
    """A cell's outcomes on each test item, one array a seed: the cell of seed ``s`` is
    ``values[s].sum() / weights[s].sum()``; ``chance[s]`` the same predictions' score by chance."""

    values: tuple[np.ndarray, ...]
    """Each seed's outcomes in the cell's unit (e.g. 100 for a right answer when the cell is a %)."""
    weights: tuple[np.ndarray, ...]
    chance: tuple[np.ndarray, ...] | None = None

    @classmethod
    def of(cls, values: Sequence, weights: Sequence | None = None, chance: Sequence | None = None) -> ItemScores:
        """One seed's scores (arrays over its test items)."""
        v = np.asarray(values, dtype=float)
        w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
        c = None if chance is None else (np.asarray(chance, dtype=float),)
        if v.shape != w.shape or v.ndim != 1 or (c is not None and c[0].shape != v.shape):
            raise ValueError(f"values, weights and chance must be 1-D arrays of one length; got {v.shape}, {w.shape}")
        return cls((v,), (w,), c)

    @staticmethod
    def stack(per_seed: Sequence[ItemScores]) -> ItemScores:
        """The scores of several seeds (in seed order) as one."""
        chance = None
        if all(s.chance is not None for s in per_seed):
            chance = tuple(c for s in per_seed for c in s.chance)
        return ItemScores(
            tuple(v for s in per_seed for v in s.values), tuple(w for s in per_seed for w in s.weights), chance
        )

    @property
    def seeds(self) -> int:
        return len(self.values)

    def per_seed(self) -> np.ndarray:
        return np.array([v.sum() / w.sum() for v, w in zip(self.values, self.weights)])

    def estimate(self, resampler: Resampler) -> Estimate:
        """The mean over seeds with its two-level bootstrap interval."""
        return from_draws(float(self.per_seed().mean()), hierarchical_draws(self, resampler))


class Resampler:
    """The bootstrap indices of one table's data: the same for every cell, so differences are paired."""

    def __init__(self, seed: int = 0, resamples: int = RESAMPLES):
        self.resamples = resamples
        self._rng = np.random.default_rng(seed)
        self._items: dict[tuple[int, int], np.ndarray] = {}
        self._seeds: dict[int, np.ndarray] = {}

    def items(self, seed_index: int, count: int) -> np.ndarray:
        key = (seed_index, count)
        if key not in self._items:
            self._items[key] = self._rng.integers(0, count, (self.resamples, count))
        return self._items[key]

    def seeds(self, count: int) -> np.ndarray:
        if count not in self._seeds:
            self._seeds[count] = self._rng.integers(0, count, (self.resamples, count))
        return self._seeds[count]


def hierarchical_draws(scores: ItemScores, resampler: Resampler, *, chance: bool = False) -> np.ndarray:
    """Bootstrap draws ``(resamples,)`` of the cell's mean over seeds (or, with ``chance``, of its
    score minus the chance score of the same predictions)."""
    per_seed = []
    for s, (v, w) in enumerate(zip(scores.values, scores.weights)):
        index = resampler.items(s, len(v))
        if chance:
            v = v - scores.chance[s]
        per_seed.append(v[index].sum(1) / np.maximum(w[index].sum(1), 1e-12))
    per_seed = np.stack(per_seed, axis=1)  # (B, S)
    chosen = resampler.seeds(scores.seeds)
    return np.take_along_axis(per_seed, chosen, axis=1).mean(1)


@dataclass(frozen=True)
class Estimate:
    """A mean (or difference of means) with its 95% interval and, for a difference, the two-sided
    p-value against zero; ``test`` names how they were computed (None: one measurement, no interval)."""

    mean: float
    low: float
    high: float
    p_value: float
    test: str | None

    @property
    def replicated(self) -> bool:
        return self.test is not None


def from_draws(mean: float, draws: np.ndarray) -> Estimate:
    low, high = np.percentile(draws, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    # two-sided; never below one resample's share (a bootstrap cannot show a smaller p)
    p = min(1.0, max(2 * min(float(np.mean(draws <= 0)), float(np.mean(draws >= 0))), 1 / len(draws)))
    return Estimate(float(mean), float(low), float(high), p, BOOTSTRAP_TEST)


def seed_t_test(per_seed: np.ndarray) -> Estimate:
    """Mean, t interval and two-sided t-test against zero of one number a seed (a difference when paired)."""
    values = np.asarray(per_seed, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return Estimate(mean, mean, mean, float("nan"), None)
    sd = float(values.std(ddof=1))
    if sd == 0:
        p = 1.0 if mean == 0 else 0.0
        return Estimate(mean, mean, mean, p, SEED_TEST)
    half = stats.t.ppf((1 + LEVEL) / 2, len(values) - 1) * sd / np.sqrt(len(values))
    p = float(stats.ttest_1samp(values, 0.0).pvalue)
    return Estimate(mean, mean - half, mean + half, p, SEED_TEST)


def classification_scores(predicted: Sequence[int], target: Sequence[int]) -> ItemScores:
    """One seed's accuracy outcomes in percent: 100 for each right class, 0 for a wrong one.

    The chance score of an item is 100 times the share of all predictions that name its class:
    the accuracy the same predictions would have, shuffled over the test items (so a network that
    answers one class for everything is exactly at chance, however the classes are balanced).
    """
    p, y = np.asarray(predicted), np.asarray(target)
    if p.shape != y.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(f"predicted and target must be non-empty 1-D arrays of one length; got {p.shape}, {y.shape}")
    labels, counts = np.unique(p, return_counts=True)
    share = dict(zip(labels.tolist(), (counts / p.size).tolist()))
    chance = 100.0 * np.array([share.get(int(label), 0.0) for label in y])
    return ItemScores.of(100.0 * (p == y), chance=chance)
