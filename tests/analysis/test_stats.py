"""Tests for analysis.stats and analysis.compare."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.stats import contingency

from analysis.compare import (
    compare_counts,
    parse_count,
    render_contrast_json,
    render_contrast_markdown,
)
from analysis.stats import (
    CMHResult,
    ContrastResult,
    Interval,
    chi2_sf,
    cochran_mantel_haenszel,
    contrast,
    fisher_test,
    holm,
    newcombe_difference,
    odds_ratio_estimate,
    proportion,
    strata_from_counts,
    wilson_interval,
)

Z95 = NormalDist().inv_cdf(0.975)


def _wilson_by_root_finding(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Independent Wilson interval: roots of (p_hat - p)^2 = z^2 p (1 - p) / n."""
    p_hat = k / n

    def gap(p: float) -> float:
        return (p_hat - p) ** 2 - z * z * p * (1 - p) / n

    low = 0.0 if k == 0 else optimize.brentq(gap, 1e-15, min(p_hat, 1 - 1e-15), xtol=1e-14)
    high = 1.0 if k == n else optimize.brentq(gap, max(p_hat, 1e-15), 1 - 1e-15, xtol=1e-14)
    return low, high


def _fisher_two_sided_exact(a: int, b: int, c: int, d: int) -> Fraction:
    """Two-sided Fisher p in exact arithmetic: sum of tables no more probable than observed."""
    r1, c1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> Fraction:
        return Fraction(math.comb(r1, x) * math.comb(n - r1, c1 - x), math.comb(n, c1))

    observed = prob(a)
    support = range(max(0, c1 + r1 - n), min(r1, c1) + 1)
    return sum((prob(x) for x in support if prob(x) <= observed), Fraction(0))


# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998a) "Two-sided confidence intervals for the single proportion",
        # Stat Med 17:857-872, Table I, method 3 (score interval).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_published(k: int, n: int, low: float, high: float) -> None:
    ci = wilson_interval(k, n)
    assert ci.low == pytest.approx(low, abs=5e-5)
    assert ci.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 7), (45, 50), (29, 50), (50, 50)])
def test_wilson_matches_root_finding(k: int, n: int) -> None:
    ci = wilson_interval(k, n)
    low, high = _wilson_by_root_finding(k, n)
    assert ci.low == pytest.approx(low, abs=1e-10)
    assert ci.high == pytest.approx(high, abs=1e-10)


def test_wilson_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="n > 0"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="k must be <= n"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match=">= 0"):
        wilson_interval(-1, 2)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=1.0)


def test_proportion_with_no_samples_has_no_rate() -> None:
    p = proportion(0, 0)
    assert p.rate is None and p.ci is None
    assert proportion(3, 4).rate == 0.75


# --------------------------------------------------------------------------- Newcombe


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2", "low", "high"),
    [
        # Newcombe (1998b) "Interval estimation for the difference between independent
        # proportions: comparison of eleven methods", Stat Med 17:873-890, Table II,
        # method 10. Rows (a) and (b) are also asserted by the R package propint's tests.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_published(k1: int, n1: int, k2: int, n2: int, low: float, high: float) -> None:
    res = newcombe_difference(k1, n1, k2, n2)
    assert res.estimate == pytest.approx(k1 / n1 - k2 / n2)
    assert res.ci.low == pytest.approx(low, abs=5e-5)
    assert res.ci.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("k1", "n1", "k2", "n2"), [(45, 50, 29, 50), (1, 3, 7, 9), (0, 5, 5, 5)])
def test_newcombe_matches_independent_computation(k1: int, n1: int, k2: int, n2: int) -> None:
    l1, u1 = _wilson_by_root_finding(k1, n1)
    l2, u2 = _wilson_by_root_finding(k2, n2)
    p1, p2 = k1 / n1, k2 / n2
    res = newcombe_difference(k1, n1, k2, n2)
    assert res.ci.low == pytest.approx(p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    assert res.ci.high == pytest.approx(p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


# --------------------------------------------------------------------------- contrast


def test_contrast_reference_case() -> None:
    r = contrast(45, 50, 29, 50)
    assert r.sample_or == pytest.approx(6.5172, abs=1e-4)
    assert round(r.sample_or or 0.0, 2) == 6.52
    assert r.p_value is not None
    assert float(f"{r.p_value:.2g}") == 0.00047
    assert r.p_value == pytest.approx(float(_fisher_two_sided_exact(45, 5, 29, 21)), rel=1e-9)
    assert r.difference_points == pytest.approx(32.0)
    assert r.difference == pytest.approx(0.32)
    assert r.test == "Fisher's exact test (two-sided)"
    assert r.continuity_correction == "none"
    assert r.notes == ()
    cond = contingency.odds_ratio([[45, 5], [29, 21]], kind="conditional")
    assert r.conditional_or == pytest.approx(float(cond.statistic))
    ci = cond.confidence_interval(confidence_level=0.95)
    assert r.or_ci is not None
    assert (r.or_ci.low, r.or_ci.high) == pytest.approx((float(ci.low), float(ci.high)), rel=1e-8)
    assert r.difference_ci is not None
    points = r.difference_ci_points
    assert points is not None and points.low == pytest.approx(100 * r.difference_ci.low)


def test_contrast_one_sided() -> None:
    greater = contrast(45, 50, 29, 50, alternative="greater")
    assert greater.p_value == pytest.approx(2.4e-4, abs=0.05e-4)
    assert greater.test.startswith("Fisher's exact test (one-sided, greater")
    assert greater.or_ci is not None and math.isinf(greater.or_ci.high)
    less = contrast(45, 50, 29, 50, alternative="less")
    assert less.p_value is not None and less.p_value > 0.99


def test_orientation_or_above_one_means_arm_a_higher() -> None:
    r = contrast(8, 10, 2, 10)
    assert r.sample_or is not None and r.sample_or > 1
    assert r.difference is not None and r.difference > 0
    swapped = contrast(2, 10, 8, 10)
    assert swapped.sample_or == pytest.approx(1 / r.sample_or)


@pytest.mark.parametrize("seed", range(6))
def test_conditional_odds_ratio_matches_scipy(seed: int) -> None:
    """The conditional MLE and exact interval agree with scipy's on random tables."""
    rng = random.Random(seed)
    checked = 0
    while checked < 25:
        n1, n2 = rng.randint(1, 120), rng.randint(1, 120)
        k1, k2 = rng.randint(0, n1), rng.randint(0, n2)
        if k1 + k2 == 0 or (n1 - k1) + (n2 - k2) == 0:
            continue
        alternative = rng.choice(["two-sided", "less", "greater"])
        confidence = rng.choice([0.9, 0.95, 0.99])
        mine = odds_ratio_estimate(
            k1,
            n1,
            k2,
            n2,
            confidence=confidence,
            alternative=alternative,  # type: ignore[arg-type]
        )
        ref = contingency.odds_ratio([[k1, n1 - k1], [k2, n2 - k2]], kind="conditional")
        ci = ref.confidence_interval(confidence_level=confidence, alternative=alternative)
        assert mine.conditional_or is not None and mine.conditional_ci is not None
        got = (mine.conditional_or, mine.conditional_ci.low, mine.conditional_ci.high)
        for value, expected in zip(got, (ref.statistic, ci.low, ci.high), strict=True):
            expected = float(expected)
            if expected == 0.0 or math.isinf(expected):
                assert value == expected, (k1, n1, k2, n2, alternative)
            else:
                assert value == pytest.approx(expected, rel=1e-8), (k1, n1, k2, n2, alternative)
        checked += 1


@pytest.mark.parametrize("seed", range(4))
def test_fisher_matches_scipy_on_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        n1, n2 = rng.randint(1, 250), rng.randint(1, 250)
        k1, k2 = rng.randint(0, n1), rng.randint(0, n2)
        alternative = rng.choice(["two-sided", "less", "greater"])
        mine = fisher_test(k1, n1, k2, n2, alternative=alternative).p_value  # type: ignore[arg-type]
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        expected = float(stats.fisher_exact(table, alternative=alternative).pvalue)
        assert mine == pytest.approx(expected, rel=1e-9, abs=1e-300), (table, alternative)


@pytest.mark.parametrize(
    ("k1", "n1", "k2", "n2"), [(5, 10, 5, 10), (3, 10, 7, 10), (7, 10, 3, 10), (1, 2, 1, 2)]
)
def test_fisher_two_sided_counts_exact_ties(k1: int, n1: int, k2: int, n2: int) -> None:
    """Symmetric tables have mirror tables of exactly equal probability: both count."""
    expected = float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)
    assert fisher_test(k1, n1, k2, n2).p_value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 8, 13, 30])
def test_chi2_sf_matches_scipy(df: int) -> None:
    for x in [1e-6, 0.05, 0.5, 1.0, 3.841, 7.5, 20.0, 60.0, 200.0]:
        assert chi2_sf(x, df) == pytest.approx(float(stats.chi2.sf(x, df)), rel=1e-11)
    assert chi2_sf(0.0, df) == 1.0


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_fisher_matches_scipy(alternative: str) -> None:
    res = fisher_test(3, 12, 9, 11, alternative=alternative)  # type: ignore[arg-type]
    expected = stats.fisher_exact([[3, 9], [9, 2]], alternative=alternative).pvalue
    assert res.p_value == pytest.approx(expected)
    assert res.alternative == alternative


def test_zero_versus_some() -> None:
    r = contrast(0, 10, 5, 10)
    assert r.continuity_correction == "haldane_anscombe"
    assert r.sample_or == pytest.approx((0.5 * 5.5) / (10.5 * 5.5))
    assert any("Haldane-Anscombe" in note for note in r.notes)
    # Exact interval and MLE come from the uncorrected table.
    assert r.conditional_or == 0.0
    expected = contingency.odds_ratio([[0, 10], [5, 5]], kind="conditional").confidence_interval()
    assert r.or_ci is not None and r.or_ci.low == 0.0
    assert r.or_ci.high == pytest.approx(float(expected.high), rel=1e-8)
    assert r.p_value == pytest.approx(stats.fisher_exact([[0, 10], [5, 5]]).pvalue)


@pytest.mark.parametrize(("k", "kind"), [(0, "positive"), (10, "negative")])
def test_identical_degenerate_arms(k: int, kind: str) -> None:
    r = contrast(k, 10, k, 10)
    assert r.difference == 0.0
    assert r.sample_or == pytest.approx(1.0)
    assert r.continuity_correction == "haldane_anscombe"
    assert r.conditional_or is None and r.or_ci is None
    assert r.p_value == 1.0
    assert any(f"no {kind} outcomes" in note for note in r.notes)


@pytest.mark.parametrize(("n1", "n2", "empty"), [(0, 0, ["A", "B"]), (0, 4, ["A"]), (4, 0, ["B"])])
def test_empty_arm_never_crashes(n1: int, n2: int, empty: list[str]) -> None:
    r = contrast(0, n1, min(3, n2), n2)
    assert r.p_value is None
    assert r.difference is None and r.difference_points is None
    assert r.sample_or is None and r.conditional_or is None and r.or_ci is None
    for label in empty:
        assert f"no graded samples in arm {label}" in r.notes


def test_contrast_rejects_invalid_counts() -> None:
    with pytest.raises(ValueError, match="arm A"):
        contrast(5, 4, 1, 2)
    with pytest.raises(ValueError, match="alternative"):
        contrast(1, 2, 1, 2, alternative="bigger")  # type: ignore[arg-type]


def test_odds_ratio_estimate_needs_samples() -> None:
    with pytest.raises(ValueError):
        odds_ratio_estimate(0, 0, 1, 2)


# --------------------------------------------------------------------------- Holm


@pytest.mark.parametrize(
    ("raw", "adjusted"),
    [
        # Sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04;
        # running max makes the last 0.06.
        ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
        ([0.5, 0.6], [1.0, 1.0]),
        ([0.02, 0.02, 0.5], [0.06, 0.06, 0.5]),
        ([0.04], [0.04]),
        ([], []),
    ],
)
def test_holm(raw: list[float], adjusted: list[float]) -> None:
    assert holm(raw) == pytest.approx(adjusted)


def test_holm_is_monotone_and_capped() -> None:
    rng = np.random.default_rng(7)
    raw = list(rng.uniform(0, 1, 50))
    adj = holm(raw)
    order = np.argsort(raw)
    assert all(np.diff(np.asarray(adj)[order]) >= 0)
    assert all(a >= r for a, r in zip(adj, raw, strict=True)) and max(adj) <= 1.0


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_holm_rejects_invalid(bad: float) -> None:
    with pytest.raises(ValueError):
        holm([0.1, bad])


# --------------------------------------------------------------------------- CMH

# Penicillin and rabbits: Agresti (1990) Categorical Data Analysis, pp. 231-237; the
# classic example of R's mantelhaen.test. Rows = immediate / 1.5 h delay, columns =
# cured / died, one table per penicillin level. Reference values are R's output
# (mantelhaen.test, continuity-corrected by default): X-squared = 3.9286, p = 0.04747,
# common OR = 7, 95% CI 1.026713 to 47.725133 (as also recorded in statsmodels'
# test_contingency_tables.py). The R docs summarise it as "p = 0.047".
RABBITS = [
    [[0, 6], [0, 5]],
    [[3, 3], [0, 6]],
    [[6, 0], [2, 4]],
    [[5, 1], [6, 0]],
    [[2, 0], [5, 0]],
]

# Reference values from R, DescTools::BreslowDayTest (correct=FALSE / TRUE) and
# mantelhaen.test, as recorded in statsmodels' test_contingency_tables.py.
FIVE_STRATA = [
    [[20, 14], [10, 24]],
    [[15, 12], [3, 15]],
    [[3, 2], [3, 2]],
    [[12, 3], [7, 5]],
    [[1, 0], [3, 2]],
]
# UC Berkeley admissions by department (Bickel et al. 1975), same source of references.
UCB = [
    [[313, 512], [19, 89]],
    [[207, 353], [8, 17]],
    [[205, 120], [391, 202]],
    [[278, 139], [244, 131]],
    [[138, 53], [299, 94]],
    [[351, 22], [317, 24]],
]


def test_cmh_rabbits() -> None:
    res = cochran_mantel_haenszel(RABBITS)
    assert res.mh_odds_ratio == pytest.approx(7.0)
    assert res.mh_or_ci is not None
    assert res.mh_or_ci.low == pytest.approx(1.026713, rel=1e-6)
    assert res.mh_or_ci.high == pytest.approx(47.725133, rel=1e-6)
    assert res.cmh is not None
    assert res.cmh.statistic == pytest.approx(3.9286, abs=5e-5)
    assert res.cmh.p_value == pytest.approx(0.04747, abs=5e-6)
    assert res.cmh.df == 1
    assert "continuity-corrected" in res.cmh.test
    # By hand: sum(a - E) = 1.5 + 2 - 0.5 = 3 and sum(V) = (972 + 1152 + 396) / 1584.
    assert res.cmh.statistic == pytest.approx(2.5**2 * 1584 / 2520)
    plain = cochran_mantel_haenszel(RABBITS, correction=False).cmh
    assert plain is not None and "no continuity correction" in plain.test
    assert plain.statistic == pytest.approx(3.0**2 * 1584 / 2520)
    assert plain.p_value == pytest.approx(stats.chi2.sf(plain.statistic, 1))


def test_cmh_and_breslow_day_five_strata() -> None:
    res = cochran_mantel_haenszel(FIVE_STRATA)
    assert res.mh_odds_ratio == pytest.approx(3.5912, abs=5e-5)
    assert res.mh_or_ci is not None
    assert res.mh_or_ci.low == pytest.approx(1.781135, rel=1e-6)
    assert res.mh_or_ci.high == pytest.approx(7.240633, rel=1e-6)
    assert res.cmh is not None
    assert res.cmh.statistic == pytest.approx(11.8852, abs=5e-5)
    assert res.cmh.p_value == pytest.approx(0.0005658, abs=5e-8)
    bd = res.breslow_day
    assert bd is not None and bd.df == 4
    assert "with Tarone's adjustment" in bd.test
    assert bd.statistic == pytest.approx(1.8436, abs=5e-5)
    assert bd.p_value == pytest.approx(0.7645, abs=5e-5)
    unadjusted = cochran_mantel_haenszel(FIVE_STRATA, tarone=False).breslow_day
    assert unadjusted is not None and "without Tarone" in unadjusted.test
    assert unadjusted.statistic == pytest.approx(1.8438, abs=5e-5)


def test_breslow_day_ucb_admissions() -> None:
    res = cochran_mantel_haenszel(UCB)
    assert res.mh_odds_ratio == pytest.approx(1.101879, rel=1e-6)
    assert res.cmh is not None
    assert res.cmh.statistic == pytest.approx(1.3368, abs=5e-5)
    assert res.cmh.p_value == pytest.approx(0.2476, abs=5e-5)
    assert res.breslow_day is not None and res.breslow_day.df == 5
    assert res.breslow_day.statistic == pytest.approx(18.83297, abs=5e-5)
    assert res.breslow_day.p_value == pytest.approx(0.002064786, rel=1e-4)


def test_breslow_day_zero_for_identical_strata() -> None:
    res = cochran_mantel_haenszel([[[10, 5], [4, 12]]] * 3, tarone=False)
    assert res.mh_odds_ratio == pytest.approx(10 * 12 / (5 * 4))
    assert res.breslow_day is not None and res.breslow_day.statistic == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("table", [[[45, 5], [29, 21]], [[3, 9], [9, 2]], [[12, 30], [7, 41]]])
def test_single_stratum_matches_two_by_two(table: list[list[int]]) -> None:
    (a, b), (c, d) = table
    n = a + b + c + d
    res = cochran_mantel_haenszel([table], correction=False)
    assert res.mh_odds_ratio == pytest.approx(a * d / (b * c))
    # RBG variance reduces to Woolf's 1/a + 1/b + 1/c + 1/d for one table.
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert res.mh_log_or_se == pytest.approx(se)
    assert res.mh_or_ci is not None
    assert res.mh_or_ci.low == pytest.approx(a * d / (b * c) * math.exp(-Z95 * se))
    # CMH without correction = (n - 1) / n times Pearson's chi-square.
    pearson = stats.chi2_contingency(table, correction=False).statistic
    assert res.cmh is not None
    assert res.cmh.statistic == pytest.approx(pearson * (n - 1) / n)
    assert res.breslow_day is None


def test_cmh_skips_empty_strata_and_handles_all_zero() -> None:
    with_empty = cochran_mantel_haenszel([*FIVE_STRATA[:2], [[0, 0], [0, 0]], *FIVE_STRATA[2:]])
    plain = cochran_mantel_haenszel(FIVE_STRATA)
    assert with_empty.skipped_strata == (2,)
    assert any("stratum 2" in note for note in with_empty.notes)
    assert with_empty.mh_odds_ratio == pytest.approx(plain.mh_odds_ratio)
    assert with_empty.cmh == plain.cmh
    assert with_empty.breslow_day == plain.breslow_day

    nothing = cochran_mantel_haenszel([[[0, 0], [0, 0]], [[0, 0], [0, 0]]])
    assert isinstance(nothing, CMHResult)
    assert nothing.skipped_strata == (0, 1)
    assert nothing.mh_odds_ratio is None and nothing.cmh is None and nothing.breslow_day is None


def test_cmh_degenerate_strata() -> None:
    # Every stratum has an empty column: no information at all.
    res = cochran_mantel_haenszel([[[3, 0], [4, 0]], [[0, 2], [0, 5]]])
    assert res.mh_odds_ratio is None and res.cmh is None
    # All discordance in one direction: OR_MH infinite, no interval, test still defined.
    inf = cochran_mantel_haenszel([[[3, 0], [1, 4]], [[2, 0], [2, 2]]])
    assert inf.mh_odds_ratio == math.inf and inf.mh_or_ci is None
    assert inf.cmh is not None and inf.breslow_day is None


def test_cmh_input_validation_and_counts_helper() -> None:
    with pytest.raises(ValueError, match="shape"):
        cochran_mantel_haenszel([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="non-negative integers"):
        cochran_mantel_haenszel([[[1, -2], [3, 4]]])
    assert strata_from_counts([(45, 50, 29, 50)]) == [[[45, 5], [29, 21]]]
    from_counts = cochran_mantel_haenszel(strata_from_counts([(45, 50, 29, 50)]))
    assert from_counts.mh_odds_ratio == pytest.approx(45 * 21 / (5 * 29))


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ([[1, 2], [3, 4]], "shape"),  # one table, not a list of tables
        ([], "shape"),
        ([[[1, 2, 3], [4, 5, 6]]], "shape"),
        ([[[1, 2]]], "shape"),
        ([[[1, 2], [3, 4], [5, 6]]], "shape"),
        ("abcd", "shape"),
        ([[["a", 2], [3, 4]]], "shape"),
        ([[[1, -2], [3, 4]]], "non-negative integers"),
        ([[[1.5, 2], [3, 4]]], "non-negative integers"),
        ([[[math.nan, 2], [3, 4]]], "non-negative integers"),
        ([[[math.inf, 2], [3, 4]]], "non-negative integers"),
    ],
)
def test_cmh_rejects_what_is_not_tables_of_counts(tables: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cochran_mantel_haenszel(tables)  # type: ignore[arg-type]


@pytest.mark.parametrize("form", ["lists", "tuples", "numpy", "floats"])
def test_cmh_reads_tables_in_any_nested_form(form: str) -> None:
    tables = [*FIVE_STRATA[:2], [[0, 0], [0, 0]], *FIVE_STRATA[2:]]
    given: object = {
        "lists": tables,
        "tuples": tuple(tuple(tuple(row) for row in t) for t in tables),
        "numpy": np.asarray(tables),
        "floats": [[[float(x) for x in row] for row in t] for t in tables],
    }[form]
    assert cochran_mantel_haenszel(given) == cochran_mantel_haenszel(tables)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- compare / CLI


def test_compare_counts_and_markdown() -> None:
    r = compare_counts(" 45/50", "29 / 50", label_a="human", label_b="AI")
    assert r.label_a == "human" and r.sample_or == pytest.approx(6.5172, abs=1e-4)
    md = render_contrast_markdown(r)
    for fragment in ("| human | 45 / 50 | 90.0% |", "+32.0 points", "6.52", "p = 0.00047"):
        assert fragment in md
    greater = compare_counts("45/50", "29/50", alternative="greater")
    assert "one-sided" in render_contrast_markdown(greater)


@pytest.mark.parametrize("bad", ["45/0", "51/50", "-1/5", "a/b", "45 50", "", "1/2/3", "4.5/9"])
def test_parse_count_errors_name_value_and_form(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_count(bad)
    assert repr(bad) in str(info.value)
    assert "'k/n'" in str(info.value) and "0 <= k <= n" in str(info.value)


def test_json_round_trip_including_infinity() -> None:
    for r in (contrast(45, 50, 29, 50), contrast(50, 50, 29, 50), contrast(0, 0, 1, 2)):
        text = render_contrast_json(r)
        json.loads(text)
        assert ContrastResult.model_validate_json(text) == r
    inf = json.loads(render_contrast_json(contrast(50, 50, 29, 50)))
    assert inf["conditional_or"] == "Infinity"


def test_models_are_frozen_and_strict() -> None:
    r = contrast(1, 2, 1, 2)
    with pytest.raises(ValueError):
        r.p_value = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        Interval(low=0.0, high=1.0, extra=1)  # type: ignore[call-arg]
    assert parse_count("0/3") == (0, 3)
