"""Pure statistics for comparing graded proportions. No I/O.

Conventions used throughout:

* A 2x2 table has rows = arm A / arm B and columns = positive / negative, so
  ``[[k1, n1 - k1], [k2, n2 - k2]]``. An odds ratio above 1 means arm A has
  higher odds of the positive outcome, and the one-sided alternative
  ``"greater"`` means exactly that.
* Rates and differences are stored as fractions; helpers give percentage points.
* Every result that carries a p-value also carries ``test``, the name of the test.
* The exact conditional distribution is computed with numpy in `analysis.exact`, imported
  only when a result is not already kept (`analysis.exact_memo`); the roots, intervals and
  the stratified analysis are computed here with the standard library (so a report does not
  pay for importing scipy). The tests check every one of them against scipy's
  ``fisher_exact``, ``contingency.odds_ratio`` and ``chi2``.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Iterable, Sequence
from statistics import NormalDist
from typing import Literal

from pydantic import BaseModel, ConfigDict

from analysis.exact_memo import remembered

Alternative = Literal["two-sided", "greater", "less"]
ContinuityCorrection = Literal["none", "haldane_anscombe"]

_ALTERNATIVES: tuple[str, ...] = ("two-sided", "greater", "less")


class _Frozen(BaseModel):
    """Base for result models: immutable, no unknown fields, inf serialised as a string."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")


class Interval(_Frozen):
    """A confidence interval ``[low, high]`` (``high`` may be ``inf`` for odds ratios)."""

    low: float
    high: float


class Proportion(_Frozen):
    """``k`` positives out of ``n``; ``rate`` and ``ci`` are ``None`` when ``n == 0``."""

    k: int
    n: int
    rate: float | None
    ci: Interval | None


class DifferenceEstimate(_Frozen):
    """Difference of two proportions ``p1 - p2`` with its confidence interval."""

    estimate: float
    ci: Interval
    confidence: float
    method: str


class OddsRatioEstimate(_Frozen):
    """Sample odds ratio (headline) plus conditional MLE with exact conditional CI.

    ``conditional_or``/``conditional_ci`` are ``None`` when a column of the table
    is empty (the conditional distribution is degenerate).
    """

    sample_or: float
    continuity_correction: ContinuityCorrection
    conditional_or: float | None
    conditional_ci: Interval | None
    notes: tuple[str, ...]


class TestResult(_Frozen):
    """A p-value together with the name of the test that produced it."""

    p_value: float
    test: str
    alternative: Alternative


class ChiSquareTest(_Frozen):
    """A chi-square statistic, its degrees of freedom, p-value and test name."""

    statistic: float
    df: int
    p_value: float
    test: str


class ContrastResult(_Frozen):
    """Comparison of two arms' positive rates (arm A minus arm B).

    Fields are ``None`` when they cannot be computed (an arm with ``n == 0``);
    the reason is then given in ``notes``. ``difference_ci`` (Newcombe) is always
    two-sided; ``or_ci`` (exact conditional) and ``p_value`` follow ``alternative``.
    """

    label_a: str
    label_b: str
    a: Proportion
    b: Proportion
    confidence: float
    difference: float | None
    difference_ci: Interval | None
    sample_or: float | None
    conditional_or: float | None
    or_ci: Interval | None
    continuity_correction: ContinuityCorrection
    p_value: float | None
    test: str
    alternative: Alternative
    notes: tuple[str, ...]

    @property
    def difference_points(self) -> float | None:
        """The difference in percentage points (fraction x 100)."""
        return None if self.difference is None else 100.0 * self.difference

    @property
    def difference_ci_points(self) -> Interval | None:
        """The Newcombe interval in percentage points."""
        ci = self.difference_ci
        return None if ci is None else Interval(low=100.0 * ci.low, high=100.0 * ci.high)


class CMHResult(_Frozen):
    """Cochran-Mantel-Haenszel analysis of K stratified 2x2 tables.

    ``skipped_strata`` holds the 0-based indices of strata with no observations.
    ``mh_log_or_se`` is the Robins-Breslow-Greenland standard error of log(OR_MH).
    """

    n_strata: int
    skipped_strata: tuple[int, ...]
    mh_odds_ratio: float | None
    mh_log_or_se: float | None
    mh_or_ci: Interval | None
    confidence: float
    cmh: ChiSquareTest | None
    continuity_correction: bool
    breslow_day: ChiSquareTest | None
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- helpers


def _count(value: int, name: str) -> int:
    """Return ``value`` as a non-negative int, or raise."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got bool")
    result = operator.index(value)
    if result < 0:
        raise ValueError(f"{name} must be >= 0, got {result}")
    return result


def _counts(k: int, n: int, arm: str = "") -> tuple[int, int]:
    """Validate a pair ``0 <= k <= n``."""
    suffix = f" (arm {arm})" if arm else ""
    k_, n_ = _count(k, f"k{suffix}"), _count(n, f"n{suffix}")
    if k_ > n_:
        raise ValueError(f"k must be <= n{suffix}, got k={k_}, n={n_}")
    return k_, n_


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return float(confidence)


def _check_alternative(alternative: str) -> Alternative:
    if alternative == "two-sided":
        return "two-sided"
    if alternative == "greater":
        return "greater"
    if alternative == "less":
        return "less"
    raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")


def _z(confidence: float) -> float:
    """Two-sided standard-normal critical value for ``confidence``."""
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def fisher_test_name(alternative: Alternative) -> str:
    """Human-readable name of Fisher's exact test for ``alternative``."""
    if alternative == "two-sided":
        return "Fisher's exact test (two-sided)"
    relation = ">" if alternative == "greater" else "<"
    return f"Fisher's exact test (one-sided, {alternative}: odds ratio {relation} 1)"


# --------------------------------------------------------------------------- proportions


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for a binomial proportion.

    Args:
        k: Number of positives.
        n: Number of trials; must be > 0.
        confidence: Two-sided confidence level in (0, 1).

    Returns:
        The interval, clamped to [0, 1].

    Raises:
        ValueError: If ``n == 0`` or the counts are invalid.
    """
    k, n = _counts(k, n)
    if n == 0:
        raise ValueError("wilson_interval needs n > 0; use proportion() to allow n == 0")
    z = _z(_check_confidence(confidence))
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Interval(low=low, high=high)


def proportion(k: int, n: int, confidence: float = 0.95) -> Proportion:
    """Rate ``k/n`` with its Wilson interval; ``rate``/``ci`` are ``None`` if ``n == 0``.

    Args:
        k: Number of positives.
        n: Number of graded samples (may be 0).
        confidence: Confidence level of the Wilson interval.

    Returns:
        The proportion.
    """
    k, n = _counts(k, n)
    if n == 0:
        return Proportion(k=0, n=0, rate=None, ci=None)
    return Proportion(k=k, n=n, rate=k / n, ci=wilson_interval(k, n, confidence))


def newcombe_difference(
    k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95
) -> DifferenceEstimate:
    """Difference ``p1 - p2`` with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998, Stat Med 17:873-890): combines the two Wilson
    score intervals ``(l1, u1)``, ``(l2, u2)`` as
    ``d - sqrt((p1-l1)^2 + (u2-p2)^2)``, ``d + sqrt((u1-p1)^2 + (p2-l2)^2)``.

    Args:
        k1: Positives in arm A.
        n1: Trials in arm A (> 0).
        k2: Positives in arm B.
        n2: Trials in arm B (> 0).
        confidence: Confidence level in (0, 1).

    Returns:
        The estimate and interval, as fractions.
    """
    k1, n1 = _counts(k1, n1, "A")
    k2, n2 = _counts(k2, n2, "B")
    w1 = wilson_interval(k1, n1, confidence)
    w2 = wilson_interval(k2, n2, confidence)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - math.hypot(p1 - w1.low, w2.high - p2)
    high = d + math.hypot(w1.high - p1, p2 - w2.low)
    return DifferenceEstimate(
        estimate=d,
        ci=Interval(low=max(-1.0, low), high=min(1.0, high)),
        confidence=confidence,
        method="Newcombe hybrid score interval (method 10, from Wilson intervals)",
    )


# --------------------------------------------------------------------------- 2x2 tables


def _table(k1: int, n1: int, k2: int, n2: int) -> list[list[int]]:
    return [[k1, n1 - k1], [k2, n2 - k2]]


def _root(increasing: Callable[[float], float], lo: float, hi: float, xtol: float) -> float:
    """The root of ``increasing`` in ``[lo, hi]`` (``increasing(lo) <= 0 <= increasing(hi)``)
    to ``xtol`` plus four ulps of the root's magnitude, by Brent's method (inverse quadratic or
    secant steps where they land well inside the bracket, bisection where they do not), as
    ``scipy.optimize.brentq`` does: about ten evaluations where bisection takes forty-five."""
    rtol = 4 * sys.float_info.epsilon
    x_pre, x_cur = lo, hi
    f_pre, f_cur = increasing(x_pre), increasing(x_cur)
    if f_pre == 0:
        return x_pre
    if f_cur == 0:
        return x_cur
    x_blk = f_blk = s_pre = s_cur = 0.0
    for _ in range(400):
        if f_pre != 0 and f_cur != 0 and (f_pre < 0) != (f_cur < 0):
            x_blk, f_blk = x_pre, f_pre
            s_pre = s_cur = x_cur - x_pre
        if abs(f_blk) < abs(f_cur):
            x_pre, x_cur, x_blk = x_cur, x_blk, x_cur
            f_pre, f_cur, f_blk = f_cur, f_blk, f_cur
        delta = (xtol + rtol * abs(x_cur)) / 2
        s_bis = (x_blk - x_cur) / 2
        if f_cur == 0 or abs(s_bis) < delta:
            return x_cur
        if abs(s_pre) > delta and abs(f_cur) < abs(f_pre):
            if x_pre == x_blk:  # secant
                s_try = -f_cur * (x_cur - x_pre) / (f_cur - f_pre)
            else:  # inverse quadratic
                d_pre = (f_pre - f_cur) / (x_pre - x_cur)
                d_blk = (f_blk - f_cur) / (x_blk - x_cur)
                s_try = -f_cur * (f_blk * d_blk - f_pre * d_pre) / (d_blk * d_pre * (f_blk - f_pre))
            if 2 * abs(s_try) < min(abs(s_pre), 3 * abs(s_bis) - delta):
                s_pre, s_cur = s_cur, s_try
            else:
                s_pre = s_cur = s_bis
        else:
            s_pre = s_cur = s_bis
        x_pre, f_pre = x_cur, f_cur
        x_cur += s_cur if abs(s_cur) > delta else (delta if s_bis > 0 else -delta)
        f_cur = increasing(x_cur)
    return x_cur


def chi2_sf(statistic: float, df: int) -> float:
    """``P(X >= statistic)`` for a chi-square variable with integer ``df >= 1`` (closed form).

    Even ``df``: ``exp(-x/2) * sum_{i<df/2} (x/2)^i / i!``. Odd ``df``: ``erfc(sqrt(x/2))``
    plus ``exp(-x/2) * sum_{i=1}^{(df-1)/2} (x/2)^(i-1/2) / Gamma(i+1/2)``.
    """
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    if statistic <= 0:
        return 1.0
    half = statistic / 2
    if df % 2 == 0:
        term = total = math.exp(-half)
        for i in range(1, df // 2):
            term *= half / i
            total += term
    else:
        total = math.erfc(math.sqrt(half))
        term = math.exp(-half) * math.sqrt(half) / math.gamma(1.5)
        for i in range(1, (df - 1) // 2 + 1):
            total += term
            term *= half / (i + 0.5)
    return min(1.0, total)


def _possible_conditional(kept: tuple[float, ...]) -> bool:
    """Whether a kept (MLE, low, high) is one `_conditional` could give: no NaN, an MLE in
    [0, inf], the interval's ends in order with a finite lower end."""
    mle, low, high = kept
    return mle >= 0.0 and 0.0 <= low <= high and math.isfinite(low)


def _possible_p(kept: tuple[float, ...]) -> bool:
    """Whether a kept p-value is one `_fisher_p` could give: in [0, 1] (so not NaN)."""
    return 0.0 <= kept[0] <= 1.0


def _conditional(
    a: int, n1: int, m: int, n2: int, confidence: float, alternative: Alternative
) -> tuple[float, Interval]:
    """The conditional MLE odds ratio and its exact interval (`analysis.exact`), as kept
    before where `analysis.exact_memo` keeps them."""

    def compute() -> tuple[float, float, float]:
        from analysis.exact import ConditionalDistribution

        dist = ConditionalDistribution(a, n1, m, n2)
        ci = dist.interval(confidence, alternative)
        return dist.mle(), ci.low, ci.high

    key = f"conditional {a} {n1} {m} {n2} {confidence!r} {alternative}"
    mle, low, high = remembered(key, 3, compute, _possible_conditional)
    return mle, Interval(low=low, high=high)


def _fisher_p(a: int, n1: int, m: int, n2: int, alternative: Alternative) -> float:
    """Fisher's exact p-value (`analysis.exact`), as kept before (`analysis.exact_memo`)."""

    def compute() -> tuple[float]:
        from analysis.exact import ConditionalDistribution

        return (ConditionalDistribution(a, n1, m, n2).fisher_p(alternative),)

    (p,) = remembered(f"fisher {a} {n1} {m} {n2} {alternative}", 1, compute, _possible_p)
    return p


def odds_ratio_estimate(
    k1: int,
    n1: int,
    k2: int,
    n2: int,
    *,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> OddsRatioEstimate:
    """Sample odds ratio and conditional MLE with its exact conditional interval.

    The sample OR is ``(a*d)/(b*c)``. If any cell is zero it would be 0, infinite
    or undefined, so the Haldane-Anscombe correction (+0.5 to every cell) is
    applied to this point estimate only. The conditional MLE and its exact
    interval (the same definitions as
    ``scipy.stats.contingency.odds_ratio(kind="conditional")``) always use the
    uncorrected table; the interval is one-sided for one-sided
    ``alternative``.

    Args:
        k1: Positives in arm A.
        n1: Trials in arm A (> 0).
        k2: Positives in arm B.
        n2: Trials in arm B (> 0).
        confidence: Confidence level of the exact interval.
        alternative: Sidedness of the exact interval.

    Returns:
        The estimates.
    """
    k1, n1 = _counts(k1, n1, "A")
    k2, n2 = _counts(k2, n2, "B")
    if n1 == 0 or n2 == 0:
        raise ValueError("odds ratios need n > 0 in both arms")
    confidence = _check_confidence(confidence)
    alternative = _check_alternative(alternative)
    a, b, c, d = k1, n1 - k1, k2, n2 - k2
    notes: list[str] = []
    correction: ContinuityCorrection = "none"
    if min(a, b, c, d) == 0:
        correction = "haldane_anscombe"
        sample_or = (a + 0.5) * (d + 0.5) / ((b + 0.5) * (c + 0.5))
        notes.append(
            "a cell is zero, so the sample odds ratio uses the Haldane-Anscombe "
            "correction (+0.5 to every cell); the exact interval and the test use "
            "the uncorrected table"
        )
    else:
        sample_or = (a * d) / (b * c)

    conditional_or: float | None = None
    conditional_ci: Interval | None = None
    if a + c == 0 or b + d == 0:
        kind = "positive" if a + c == 0 else "negative"
        notes.append(
            f"no {kind} outcomes in either arm: the conditional odds ratio and its "
            "exact interval are undefined"
        )
    else:
        conditional_or, conditional_ci = _conditional(a, n1, a + c, n2, confidence, alternative)
    return OddsRatioEstimate(
        sample_or=sample_or,
        continuity_correction=correction,
        conditional_or=conditional_or,
        conditional_ci=conditional_ci,
        notes=tuple(notes),
    )


def fisher_test(
    k1: int, n1: int, k2: int, n2: int, *, alternative: Alternative = "two-sided"
) -> TestResult:
    """Fisher's exact test on ``[[k1, n1-k1], [k2, n2-k2]]``.

    Args:
        k1: Positives in arm A.
        n1: Trials in arm A (> 0).
        k2: Positives in arm B.
        n2: Trials in arm B (> 0).
        alternative: ``"greater"`` tests OR > 1 (arm A higher).

    Returns:
        The p-value and the test's name.
    """
    k1, n1 = _counts(k1, n1, "A")
    k2, n2 = _counts(k2, n2, "B")
    if n1 == 0 or n2 == 0:
        raise ValueError("Fisher's exact test needs n > 0 in both arms")
    alternative = _check_alternative(alternative)
    return TestResult(
        p_value=_fisher_p(k1, n1, k1 + k2, n2, alternative),
        test=fisher_test_name(alternative),
        alternative=alternative,
    )


def contrast(
    k1: int,
    n1: int,
    k2: int,
    n2: int,
    *,
    label_a: str = "A",
    label_b: str = "B",
    alternative: Alternative = "two-sided",
    confidence: float = 0.95,
) -> ContrastResult:
    """Compare arm A (``k1/n1``) with arm B (``k2/n2``).

    Never raises for ``n == 0``: such an arm yields ``None`` for every derived
    number and a note "no graded samples in arm X".

    Args:
        k1: Positives in arm A.
        n1: Graded samples in arm A.
        k2: Positives in arm B.
        n2: Graded samples in arm B.
        label_a: Display name of arm A.
        label_b: Display name of arm B.
        alternative: Alternative for Fisher's test and the exact OR interval.
        confidence: Confidence level of all intervals.

    Returns:
        The contrast.
    """
    alternative = _check_alternative(alternative)
    confidence = _check_confidence(confidence)
    pa = proportion(*_counts(k1, n1, "A"), confidence=confidence)
    pb = proportion(*_counts(k2, n2, "B"), confidence=confidence)
    empty = [label for label, p in ((label_a, pa), (label_b, pb)) if p.n == 0]
    if empty:
        return ContrastResult(
            label_a=label_a,
            label_b=label_b,
            a=pa,
            b=pb,
            confidence=confidence,
            difference=None,
            difference_ci=None,
            sample_or=None,
            conditional_or=None,
            or_ci=None,
            continuity_correction="none",
            p_value=None,
            test=fisher_test_name(alternative),
            alternative=alternative,
            notes=tuple(f"no graded samples in arm {label}" for label in empty)
            + ("nothing to compare: difference, odds ratios and p-value not computed",),
        )
    diff = newcombe_difference(pa.k, pa.n, pb.k, pb.n, confidence)
    ors = odds_ratio_estimate(
        pa.k, pa.n, pb.k, pb.n, confidence=confidence, alternative=alternative
    )
    fisher = fisher_test(pa.k, pa.n, pb.k, pb.n, alternative=alternative)
    return ContrastResult(
        label_a=label_a,
        label_b=label_b,
        a=pa,
        b=pb,
        confidence=confidence,
        difference=diff.estimate,
        difference_ci=diff.ci,
        sample_or=ors.sample_or,
        conditional_or=ors.conditional_or,
        or_ci=ors.conditional_ci,
        continuity_correction=ors.continuity_correction,
        p_value=fisher.p_value,
        test=fisher.test,
        alternative=alternative,
        notes=ors.notes,
    )


# --------------------------------------------------------------------------- multiplicity


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values, in the input order.

    ``adj_(i) = max_{j <= i} min(1, (m - j + 1) * p_(j))`` over the ascending
    order, so adjusted values are monotone in the raw ones and capped at 1.

    Args:
        p_values: Raw p-values, each in [0, 1].

    Returns:
        Adjusted p-values aligned with ``p_values``.
    """
    ps = [float(p) for p in p_values]
    for p in ps:
        if not 0.0 <= p <= 1.0:  # also rejects NaN
            raise ValueError(f"p-values must be in [0, 1], got {p}")
    m = len(ps)
    adjusted = [0.0] * m
    running = 0.0
    for rank, idx in enumerate(sorted(range(m), key=lambda i: ps[i])):
        running = max(running, min(1.0, (m - rank) * ps[idx]))
        adjusted[idx] = running
    return adjusted


# --------------------------------------------------------------------------- stratified


def strata_from_counts(counts: Sequence[tuple[int, int, int, int]]) -> list[list[list[int]]]:
    """Turn per-stratum ``(k1, n1, k2, n2)`` into 2x2 tables for :func:`cochran_mantel_haenszel`.

    Args:
        counts: One ``(k1, n1, k2, n2)`` per stratum.

    Returns:
        Tables ``[[k1, n1-k1], [k2, n2-k2]]``.
    """
    tables = []
    for k1, n1, k2, n2 in counts:
        k1, n1 = _counts(k1, n1, "A")
        k2, n2 = _counts(k2, n2, "B")
        tables.append(_table(k1, n1, k2, n2))
    return tables


Cells = tuple[float, float, float, float]
"""One stratum's table ``[[a, b], [c, d]]`` as ``(a, b, c, d)``."""


def _as_tables(tables: Iterable[Iterable[Iterable[float]]]) -> list[Cells]:
    """Every stratum's cells, checked: K >= 1 tables of 2x2 non-negative integer counts
    (lists, tuples or a numpy array of shape (K, 2, 2))."""
    found: list[Cells] = []
    try:
        for table in tables:
            rows = [[float(x) for x in row] for row in table]
            if len(rows) != 2 or any(len(row) != 2 for row in rows):
                raise ValueError(f"a table has rows of lengths {[len(row) for row in rows]}")
            (a, b), (c, d) = rows
            found.append((a, b, c, d))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"expected K >= 1 tables of shape 2x2, got {exc}") from None
    if not found:
        raise ValueError("expected K >= 1 tables of shape 2x2, got no table")
    if not all(math.isfinite(x) and x >= 0 and x == round(x) for t in found for x in t):
        raise ValueError("table cells must be non-negative integers")
    return found


def _fitted_a(r1: float, c1: float, n: float, psi: float) -> float:
    """Cell ``a`` with margins ``r1`` (row 1), ``c1`` (column 1), ``n`` and odds ratio ``psi``.

    Solves ``a * (n - r1 - c1 + a) = psi * (r1 - a) * (c1 - a)`` on the open range
    of feasible ``a``; the left side minus the right is increasing there.
    """
    lo, hi = max(0.0, r1 + c1 - n), min(r1, c1)

    def gap(x: float) -> float:
        return x * (n - r1 - c1 + x) - psi * (r1 - x) * (c1 - x)

    return _root(gap, lo, hi, xtol=1e-12)


def _breslow_day(strata: Sequence[Cells], psi: float, tarone: bool) -> tuple[float, int] | None:
    """Breslow-Day statistic and df on strata with all margins positive."""
    kept = [(a, b, c, d) for a, b, c, d in strata if min(a + b, c + d, a + c, b + d) > 0]
    if len(kept) < 2:
        return None
    total, sum_diff, sum_var = 0.0, 0.0, 0.0
    for a, b, c, d in kept:
        rk, ck, nk = a + b, a + c, a + b + c + d
        fitted = _fitted_a(rk, ck, nk, psi)
        cells = (fitted, rk - fitted, ck - fitted, nk - rk - ck + fitted)
        var = 1.0 / sum(1.0 / x for x in cells)
        total += (a - fitted) ** 2 / var
        sum_diff += a - fitted
        sum_var += var
    if tarone:
        total -= sum_diff**2 / sum_var
    return total, len(kept) - 1


def cochran_mantel_haenszel(
    tables: Iterable[Iterable[Iterable[float]]],
    *,
    correction: bool = True,
    tarone: bool = True,
    confidence: float = 0.95,
) -> CMHResult:
    """Mantel-Haenszel common odds ratio, CMH test and Breslow-Day homogeneity test.

    Each table is ``[[a, b], [c, d]]`` with rows = arm A / arm B and columns =
    positive / negative. Strata with no observations are skipped (and noted).

    * ``OR_MH = sum(a*d/n) / sum(b*c/n)``, with the Robins-Breslow-Greenland
      variance of ``log(OR_MH)`` and a Wald interval on the log scale.
    * CMH statistic ``(|sum(a - E[a])| - 0.5)^2 / sum(Var[a])`` (the ``- 0.5``
      only if ``correction``; floored at 0), referred to chi2(1).
    * Breslow-Day statistic about ``OR_MH`` (minus Tarone's adjustment if
      ``tarone``), chi2 with K'-1 df, where K' counts strata with all margins
      positive (the others carry no information on the odds ratio).

    Args:
        tables: K tables ``[[a, b], [c, d]]`` (lists, tuples or an array of shape (K, 2, 2))
            of non-negative integer counts.
        correction: Apply the 0.5 continuity correction to the CMH statistic.
        tarone: Apply Tarone's adjustment to the Breslow-Day statistic.
        confidence: Confidence level of the OR interval.

    Returns:
        The analysis; quantities that cannot be computed are ``None`` with a note.
    """
    confidence = _check_confidence(confidence)
    strata = _as_tables(tables)
    skipped = tuple(i for i, t in enumerate(strata) if sum(t) == 0)
    notes = [f"stratum {i} (0-based) has no observations and was skipped" for i in skipped]
    used = [t for t in strata if sum(t) > 0]
    if not used:
        return CMHResult(
            n_strata=len(strata),
            skipped_strata=skipped,
            mh_odds_ratio=None,
            mh_log_or_se=None,
            mh_or_ci=None,
            confidence=confidence,
            cmh=None,
            continuity_correction=correction,
            breslow_day=None,
            notes=(*notes, "no stratum has observations: nothing computed"),
        )
    # per stratum: n, R = a*d/n, S = b*c/n, P = (a+d)/n, Q = (b+c)/n
    terms = [
        (a + b + c + d, a * d / (a + b + c + d), b * c / (a + b + c + d), a, b, c, d)
        for a, b, c, d in used
    ]
    sum_r = sum(t[1] for t in terms)
    sum_s = sum(t[2] for t in terms)
    mh_or: float | None
    se: float | None = None
    ci: Interval | None = None
    if sum_r > 0 and sum_s > 0:
        mh_or = sum_r / sum_s
        pr = sum((a + d) / n * r for n, r, _, a, _, _, d in terms)
        ps_qr = sum((a + d) / n * s_ + (b + c) / n * r for n, r, s_, a, b, c, d in terms)
        qs = sum((b + c) / n * s_ for n, _, s_, _, b, c, _ in terms)
        var = pr / (2 * sum_r**2) + ps_qr / (2 * sum_r * sum_s) + qs / (2 * sum_s**2)
        se = math.sqrt(var)
        z = _z(confidence)
        ci = Interval(low=mh_or * math.exp(-z * se), high=mh_or * math.exp(z * se))
    elif sum_r > 0 or sum_s > 0:
        mh_or = math.inf if sum_r > 0 else 0.0
        notes.append("Mantel-Haenszel odds ratio is 0 or infinite: no interval computed")
    else:
        mh_or = None
        notes.append("Mantel-Haenszel odds ratio undefined: sum(a*d/n) and sum(b*c/n) are both 0")

    # E[a] and Var[a] under the null, per stratum (Var 0 for a stratum of one observation)
    delta = abs(sum(a - (a + b) * (a + c) / n for n, _, _, a, b, c, _ in terms))
    var_a = sum(
        (a + b) * (c + d) * (a + c) * (b + d) / (n**2 * (n - 1))
        for n, _, _, a, b, c, d in terms
        if n > 1
    )
    cmh: ChiSquareTest | None = None
    if var_a > 0:
        num = max(delta - 0.5, 0.0) if correction else delta
        statistic = num**2 / var_a
        label = "continuity-corrected" if correction else "no continuity correction"
        cmh = ChiSquareTest(
            statistic=statistic,
            df=1,
            p_value=chi2_sf(statistic, 1),
            test=f"Cochran-Mantel-Haenszel chi-square test ({label})",
        )
    else:
        notes.append("CMH test undefined: every stratum has an empty row or column")

    breslow_day: ChiSquareTest | None = None
    bd = None
    if mh_or is not None and 0 < mh_or < math.inf:
        bd = _breslow_day(used, mh_or, tarone)
    if bd is None:
        notes.append(
            "Breslow-Day test not computed: needs a finite, positive Mantel-Haenszel "
            "odds ratio and at least two strata with all margins positive"
        )
    else:
        label = "with Tarone's adjustment" if tarone else "without Tarone's adjustment"
        breslow_day = ChiSquareTest(
            statistic=bd[0],
            df=bd[1],
            p_value=chi2_sf(bd[0], int(bd[1])),
            test=f"Breslow-Day test of homogeneity of odds ratios ({label})",
        )
    return CMHResult(
        n_strata=len(strata),
        skipped_strata=skipped,
        mh_odds_ratio=mh_or,
        mh_log_or_se=se,
        mh_or_ci=ci,
        confidence=confidence,
        cmh=cmh,
        continuity_correction=correction,
        breslow_day=breslow_day,
        notes=tuple(notes),
    )
