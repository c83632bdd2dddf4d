"""Pure statistics for comparing graded proportions. No I/O.

Conventions used throughout:

* A 2x2 table has rows = arm A / arm B and columns = positive / negative, so
  ``[[k1, n1 - k1], [k2, n2 - k2]]``. An odds ratio above 1 means arm A has
  higher odds of the positive outcome, and the one-sided alternative
  ``"greater"`` means exactly that.
* Rates and differences are stored as fractions; helpers give percentage points.
* Every result that carries a p-value also carries ``test``, the name of the test.
* The exact distributions, tails and roots are computed here with numpy and the standard
  library (so a report does not pay for importing scipy); the tests check every one of them
  against scipy's ``fisher_exact``, ``contingency.odds_ratio`` and ``chi2``.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

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


_LOG_FACTORIALS: list[float] = []
"""``math.lgamma(k + 1.0)`` for k = 0, 1, …, computed once each (the same values as calling it)."""


def _log_factorials(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``log(v!)`` for every (integer-valued, non-negative) element."""
    if values.size == 0:
        return np.array([], dtype=np.float64)
    top = int(values.max())
    if top >= len(_LOG_FACTORIALS):
        _LOG_FACTORIALS.extend(math.lgamma(k + 1.0) for k in range(len(_LOG_FACTORIALS), top + 1))
    table = np.array(_LOG_FACTORIALS[: top + 1], dtype=np.float64)
    return table[values.astype(np.int64)]


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


class _ConditionalDistribution:
    """Fisher's noncentral hypergeometric distribution of cell ``a`` given a 2x2 table's margins.

    The conditional MLE of the odds ratio and its exact interval solve equations in this
    distribution's mean and tails, as ``scipy.stats.contingency.odds_ratio(kind="conditional")``
    does; here the log-weights of the support are computed once and every evaluation is one
    vectorised pass, in ``t = log(odds ratio)``, so a table of hundreds per arm costs
    microseconds rather than the generic distribution's per-point evaluation.

    Args:
        a: Positives in arm A (the observed cell).
        n1: Trials in arm A.
        m: Positives in both arms (the column margin).
        n2: Trials in arm B.
    """

    def __init__(self, a: int, n1: int, m: int, n2: int) -> None:
        self.a = a
        self.low, self.high = max(0, m - n2), min(n1, m)
        xs = np.arange(self.low, self.high + 1, dtype=np.float64)
        self.xs = xs
        self.log_weights = (
            math.lgamma(n1 + 1)
            - _log_factorials(xs)
            - _log_factorials(n1 - xs)
            + math.lgamma(n2 + 1)
            - _log_factorials(m - xs)
            - _log_factorials(n2 - m + xs)
        )

    def _pmf(self, t: float) -> npt.NDArray[np.float64]:
        logp = self.log_weights + self.xs * t
        pmf: npt.NDArray[np.float64] = np.exp(logp - logp.max())
        pmf /= pmf.sum()
        return pmf

    def _mean(self, t: float) -> float:
        return float(np.dot(self._pmf(t), self.xs))

    def _at_least(self, t: float) -> float:
        """P(X >= a) at odds ratio e^t (increasing in t)."""
        return float(self._pmf(t)[self.a - self.low :].sum())

    def _at_most(self, t: float) -> float:
        """P(X <= a) at odds ratio e^t (decreasing in t)."""
        return float(self._pmf(t)[: self.a - self.low + 1].sum())

    @staticmethod
    def _solve(increasing: Callable[[float], float]) -> float:
        """The odds ratio e^t where ``increasing(t) == 0``, bracketed by doubling steps."""
        step = 1.0
        if increasing(0.0) > 0:
            while increasing(-step) > 0:
                step *= 2
            lo, hi = -step, -step / 2 if step > 1 else 0.0
        else:
            while increasing(step) < 0:
                step *= 2
            lo, hi = (step / 2 if step > 1 else 0.0), step
        return math.exp(_root(increasing, lo, hi, xtol=1e-13))

    def fisher_p(self, alternative: Alternative) -> float:
        """Fisher's exact p-value: the null distribution (odds ratio 1) at the observed cell.

        Two-sided: the probability of every table no more likely than the observed one; tables
        within a relative 1e-7 of its probability count as equally likely (as R's
        ``fisher.test`` does), so rounding cannot split exact ties.
        """
        pmf = self._pmf(0.0)
        at = self.a - self.low
        if alternative == "less":
            p = float(pmf[: at + 1].sum())
        elif alternative == "greater":
            p = float(pmf[at:].sum())
        else:
            p = float(pmf[pmf <= pmf[at] * (1 + 1e-7)].sum())
        return min(1.0, p)

    def mle(self) -> float:
        """The conditional maximum-likelihood odds ratio (0 or inf at the support's ends)."""
        if self.a == self.low:
            return 0.0
        if self.a == self.high:
            return math.inf
        return self._solve(lambda t: self._mean(t) - self.a)

    def _lower(self, alpha: float) -> float:
        if self.a == self.low:
            return 0.0
        return self._solve(lambda t: self._at_least(t) - alpha)

    def _upper(self, alpha: float) -> float:
        if self.a == self.high:
            return math.inf
        return self._solve(lambda t: alpha - self._at_most(t))

    def interval(self, confidence: float, alternative: Alternative) -> Interval:
        """The exact conditional interval: one tail of ``1 - confidence`` each side, or one."""
        if alternative == "two-sided":
            alpha = (1 - confidence) / 2
            return Interval(low=self._lower(alpha), high=self._upper(alpha))
        if alternative == "less":
            return Interval(low=0.0, high=self._upper(1 - confidence))
        return Interval(low=self._lower(1 - confidence), high=math.inf)


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
        dist = _ConditionalDistribution(a, n1, a + c, n2)
        conditional_or = dist.mle()
        conditional_ci = dist.interval(confidence, alternative)
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
        p_value=_ConditionalDistribution(k1, n1, k1 + k2, n2).fisher_p(alternative),
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


def _as_tables(tables: npt.ArrayLike) -> npt.NDArray[np.float64]:
    arr = np.asarray(tables, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[1:] != (2, 2) or arr.shape[0] == 0:
        raise ValueError(f"expected K >= 1 tables of shape 2x2, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError("table cells must be non-negative integers")
    return arr


def _fitted_a(r1: float, c1: float, n: float, psi: float) -> float:
    """Cell ``a`` with margins ``r1`` (row 1), ``c1`` (column 1), ``n`` and odds ratio ``psi``.

    Solves ``a * (n - r1 - c1 + a) = psi * (r1 - a) * (c1 - a)`` on the open range
    of feasible ``a``; the left side minus the right is increasing there.
    """
    lo, hi = max(0.0, r1 + c1 - n), min(r1, c1)

    def gap(x: float) -> float:
        return x * (n - r1 - c1 + x) - psi * (r1 - x) * (c1 - x)

    return _root(gap, lo, hi, xtol=1e-12)


def _breslow_day(
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
    c: npt.NDArray[np.float64],
    d: npt.NDArray[np.float64],
    psi: float,
    tarone: bool,
) -> tuple[float, int] | None:
    """Breslow-Day statistic and df on strata with all margins positive."""
    r1, c1, n = a + b, a + c, a + b + c + d
    keep = (r1 > 0) & (c + d > 0) & (c1 > 0) & (b + d > 0)
    if int(keep.sum()) < 2:
        return None
    total, sum_diff, sum_var = 0.0, 0.0, 0.0
    for ak, rk, ck, nk in zip(a[keep], r1[keep], c1[keep], n[keep], strict=True):
        fitted = _fitted_a(float(rk), float(ck), float(nk), psi)
        cells = (fitted, rk - fitted, ck - fitted, nk - rk - ck + fitted)
        var = 1.0 / sum(1.0 / x for x in cells)
        total += (ak - fitted) ** 2 / var
        sum_diff += ak - fitted
        sum_var += var
    if tarone:
        total -= sum_diff**2 / sum_var
    return total, int(keep.sum()) - 1


def cochran_mantel_haenszel(
    tables: npt.ArrayLike,
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
        tables: Array-like of shape (K, 2, 2) with non-negative integer counts.
        correction: Apply the 0.5 continuity correction to the CMH statistic.
        tarone: Apply Tarone's adjustment to the Breslow-Day statistic.
        confidence: Confidence level of the OR interval.

    Returns:
        The analysis; quantities that cannot be computed are ``None`` with a note.
    """
    confidence = _check_confidence(confidence)
    arr = _as_tables(tables)
    n_all = arr.sum(axis=(1, 2))
    skipped = tuple(int(i) for i in np.flatnonzero(n_all == 0))
    notes = [f"stratum {i} (0-based) has no observations and was skipped" for i in skipped]
    used = arr[n_all > 0]
    if used.shape[0] == 0:
        return CMHResult(
            n_strata=int(arr.shape[0]),
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
    a, b, c, d = used[:, 0, 0], used[:, 0, 1], used[:, 1, 0], used[:, 1, 1]
    n = a + b + c + d

    r, s = a * d / n, b * c / n
    sum_r, sum_s = float(r.sum()), float(s.sum())
    mh_or: float | None
    se: float | None = None
    ci: Interval | None = None
    if sum_r > 0 and sum_s > 0:
        mh_or = sum_r / sum_s
        p, q = (a + d) / n, (b + c) / n
        var = (
            float((p * r).sum()) / (2 * sum_r**2)
            + float((p * s + q * r).sum()) / (2 * sum_r * sum_s)
            + float((q * s).sum()) / (2 * sum_s**2)
        )
        se = math.sqrt(var)
        z = _z(confidence)
        ci = Interval(low=mh_or * math.exp(-z * se), high=mh_or * math.exp(z * se))
    elif sum_r > 0 or sum_s > 0:
        mh_or = math.inf if sum_r > 0 else 0.0
        notes.append("Mantel-Haenszel odds ratio is 0 or infinite: no interval computed")
    else:
        mh_or = None
        notes.append("Mantel-Haenszel odds ratio undefined: sum(a*d/n) and sum(b*c/n) are both 0")

    expected = (a + b) * (a + c) / n
    denom = n**2 * (n - 1)
    var_a = np.divide(
        (a + b) * (c + d) * (a + c) * (b + d), denom, out=np.zeros_like(n), where=denom > 0
    )
    cmh: ChiSquareTest | None = None
    if float(var_a.sum()) > 0:
        delta = abs(float((a - expected).sum()))
        num = max(delta - 0.5, 0.0) if correction else delta
        statistic = num**2 / float(var_a.sum())
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
        bd = _breslow_day(a, b, c, d, mh_or, tarone)
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
        n_strata=int(arr.shape[0]),
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
