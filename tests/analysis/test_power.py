"""Tests for analysis.power."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from analysis.power import (
    METHOD,
    _critical_values,
    _log_factorials,
    power_at,
    samples_per_arm,
)


def _brute_force_power(n: int, p1: float, p2: float, alpha: float, alternative: str) -> float:
    """Sum binomial probabilities over outcomes that scipy's Fisher test rejects.

    The 1e-9 slack counts exact ties p == alpha as rejections (e.g. n=3, one-sided,
    p = 1/20 exactly, which scipy returns one ulp above 0.05).
    """
    total = 0.0
    for k1 in range(n + 1):
        for k2 in range(n + 1):
            p = stats.fisher_exact([[k1, n - k1], [k2, n - k2]], alternative=alternative).pvalue
            if p <= alpha * (1 + 1e-9):
                total += stats.binom.pmf(k1, n, p1) * stats.binom.pmf(k2, n, p2)
    return float(total)


def _normal_approx_n(p1: float, p2: float, alpha: float, power: float) -> int:
    """Classical two-sided normal-approximation sample size per arm (no continuity correction)."""
    nd = NormalDist()
    z_a, z_b = nd.inv_cdf(1 - alpha / 2), nd.inv_cdf(power)
    p_bar = (p1 + p2) / 2
    root = z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root**2 / (p1 - p2) ** 2)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_power_matches_brute_force(n: int, alternative: str) -> None:
    for p1, p2 in ((0.56, 0.9), (0.9, 0.56), (0.3, 0.3), (0.0, 1.0)):
        exact = power_at(n, p1, p2, 0.05, alternative)  # type: ignore[arg-type]
        assert exact == pytest.approx(_brute_force_power(n, p1, p2, 0.05, alternative), abs=1e-12)


@pytest.mark.parametrize("n", [40, 250])
@pytest.mark.parametrize("a", [0.025, 0.05])
def test_critical_values_match_hypergeometric_cdf(n: int, a: float) -> None:
    c = _critical_values(n, a, _log_factorials(2 * n))
    t = np.arange(2 * n + 1)
    assert np.all(stats.hypergeom.cdf(c, 2 * n, n, t) <= a * (1 + 1e-9))
    assert np.all(stats.hypergeom.cdf(c + 1, 2 * n, n, t) > a * (1 - 1e-9))
    assert set(np.diff(c).tolist()) <= {0, 1}


def test_reference_plan_056_vs_090() -> None:
    plan = samples_per_arm(0.56, 0.90)
    assert 25 <= plan.n_per_arm <= 35
    assert plan.n_per_arm >= _normal_approx_n(0.56, 0.90, 0.05, 0.8)  # Fisher is conservative
    assert plan.achieved_power >= 0.8
    assert plan.achieved_power == pytest.approx(power_at(plan.n_per_arm, 0.56, 0.90))
    assert all(power_at(m, 0.56, 0.90) < 0.8 for m in range(1, plan.n_per_arm))
    assert plan.method == METHOD
    assert plan.alternative == "two-sided" and plan.power_target == 0.8


def test_achieved_power_by_monte_carlo() -> None:
    plan = samples_per_arm(0.56, 0.90)
    n, reps = plan.n_per_arm, 20_000
    rng = np.random.default_rng(20240611)
    k1, k2 = rng.binomial(n, 0.56, reps), rng.binomial(n, 0.90, reps)
    pairs, counts = np.unique(np.stack([k1, k2], axis=1), axis=0, return_counts=True)
    rejected = sum(
        int(count)
        for (a, b), count in zip(pairs, counts, strict=True)
        if stats.fisher_exact([[a, n - a], [b, n - b]]).pvalue <= 0.05
    )
    assert rejected / reps == pytest.approx(plan.achieved_power, abs=0.03)


def test_one_sided_needs_fewer_samples() -> None:
    two = samples_per_arm(0.9, 0.56)
    one = samples_per_arm(0.9, 0.56, alternative="greater")
    assert one.n_per_arm < two.n_per_arm
    assert samples_per_arm(0.56, 0.9, alternative="less").n_per_arm == one.n_per_arm


def test_power_grows_with_effect_size() -> None:
    assert power_at(30, 0.5, 0.9) > power_at(30, 0.5, 0.7) > power_at(30, 0.5, 0.55)
    assert power_at(0, 0.2, 0.8) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p1": 0.5, "p2": 0.5}, "equals"),
        ({"p1": 0.5, "p2": 0.6, "alternative": "greater"}, "points away"),
        ({"p1": 0.5, "p2": 0.6, "max_n": 20}, "not reached"),
        ({"p1": 1.5, "p2": 0.6}, "p1"),
        ({"p1": 0.5, "p2": 0.6, "alpha": 0.0}, "alpha"),
        ({"p1": 0.5, "p2": 0.6, "power": 1.0}, "power"),
    ],
)
def test_invalid_plans(kwargs: dict[str, float | str | int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        samples_per_arm(**kwargs)  # type: ignore[arg-type]
