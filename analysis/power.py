"""Sample-size planning for comparing two proportions with Fisher's exact test.

Power is computed exactly, not by simulation or a normal approximation: for
``n`` per arm, every outcome ``(k1, k2)`` of the two binomials is classified as
rejected or not by Fisher's exact test at level ``alpha``, and the binomial
probabilities of the rejected outcomes are summed.

The rejection region is found through the conditional (hypergeometric)
distribution of ``k1`` given the total ``t = k1 + k2``. With equal arms that
distribution is symmetric about ``t/2`` and unimodal, so Fisher's two-sided
p-value is ``min(1, 2 * P(X <= min(k1, k2)))`` and one-sided p-values are
single lower tails. Let ``c_t`` be the largest ``x`` with ``P(X <= x | t) <= a``:
``k1 <= c_t`` rejects in favour of "arm A lower" and ``k2 <= c_t`` in favour of
"arm A higher". ``c_t`` is non-decreasing in ``t`` with steps of 0 or 1, which
makes each per-``k2`` rejection set a prefix ``k1 <= m(k2)``; power is then a
sum of ``P(k2) * P(K1 <= m(k2))``, O(n) per ``n`` after an O(n) walk for ``c_t``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict
from scipy import stats

from analysis.stats import Alternative

METHOD = "exact enumeration of Fisher's exact test rejection region"


class PowerPlan(BaseModel):
    """Result of :func:`samples_per_arm`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    p1: float
    p2: float
    alpha: float
    alternative: Alternative
    power_target: float
    n_per_arm: int
    achieved_power: float
    method: str
    note: str


def _log_factorials(m: int) -> list[float]:
    return [math.lgamma(i + 1.0) for i in range(m + 1)]


def _critical_values(n: int, a: float, lf: list[float]) -> npt.NDArray[np.int64]:
    """``c[t]`` = largest ``x`` with ``P(X <= x) <= a``, ``X ~ Hypergeom(2n, n, t)``; -1 if none.

    Walks ``t = 0..2n`` once. ``P(X_t <= c)`` is carried from ``t - 1`` to ``t``
    with ``P(X_t <= c) = P(X_{t-1} <= c) - P(X_{t-1} = c) * (n - c) / (2n - t + 1)``
    (the extra draw lands in arm A), then ``c`` is raised while the cdf stays <= a.

    Args:
        n: Size of each arm.
        a: Tail probability (``alpha/2`` two-sided, ``alpha`` one-sided).
        lf: ``log(i!)`` for ``i = 0..2n`` at least.

    Returns:
        Integer array of length ``2n + 1``.
    """
    log_cn = [lf[n] - lf[x] - lf[n - x] for x in range(n + 1)]
    log_c2n = [lf[2 * n] - lf[t] - lf[2 * n - t] for t in range(2 * n + 1)]

    def pmf(t: int, x: int) -> float:
        if x < 0 or x > n or t - x < 0 or t - x > n:
            return 0.0
        return math.exp(log_cn[x] + log_cn[t - x] - log_c2n[t])

    out = np.empty(2 * n + 1, dtype=np.int64)
    c, cdf = -1, 0.0
    for t in range(2 * n + 1):
        if t > 0 and c >= 0:
            cdf -= pmf(t - 1, c) * (n - c) / (2 * n - t + 1)
        while c < n:
            step = cdf + pmf(t, c + 1)
            if step > a:
                break
            c, cdf = c + 1, step
        out[t] = c
    return out


def _check(p1: float, p2: float, alpha: float, alternative: str) -> Alternative:
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {p}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if alternative == "two-sided":
        return "two-sided"
    if alternative == "greater":
        return "greater"
    if alternative == "less":
        return "less"
    raise ValueError(f"alternative must be two-sided, greater or less, got {alternative!r}")


def _power(n: int, p1: float, p2: float, alpha: float, alt: Alternative, lf: list[float]) -> float:
    if n == 0:
        return 0.0
    a = alpha / 2.0 if alt == "two-sided" else alpha
    c = _critical_values(n, a, lf)
    t = np.arange(2 * n + 1)
    k = np.arange(n + 1)
    # Per k_other, rejected k_this are 0..m[k_other]; m = -1 means none.
    t_max = np.searchsorted(t - c, k, side="right") - 1
    m = np.clip(t_max - k, -1, n)
    pmf1, pmf2 = stats.binom.pmf(k, n, p1), stats.binom.pmf(k, n, p2)
    cdf1 = np.concatenate(([0.0], stats.binom.cdf(k, n, p1)))
    cdf2 = np.concatenate(([0.0], stats.binom.cdf(k, n, p2)))
    power = 0.0
    if alt in ("two-sided", "less"):  # k1 <= c_t: arm A low
        power += float(np.dot(pmf2, cdf1[m + 1]))
    if alt in ("two-sided", "greater"):  # k2 <= c_t: arm A high
        power += float(np.dot(pmf1, cdf2[m + 1]))
    return min(1.0, power)


def power_at(
    n: int, p1: float, p2: float, alpha: float = 0.05, alternative: Alternative = "two-sided"
) -> float:
    """Exact power of Fisher's exact test with ``n`` per arm.

    Args:
        n: Samples per arm (>= 0).
        p1: True positive rate in arm A.
        p2: True positive rate in arm B.
        alpha: Significance level; an outcome is rejected when Fisher's p <= alpha.
        alternative: ``"greater"`` means the test of OR > 1 (arm A higher).

    Returns:
        Probability that the test rejects.
    """
    alt = _check(p1, p2, alpha, alternative)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return _power(n, p1, p2, alpha, alt, _log_factorials(2 * n))


def samples_per_arm(
    p1: float,
    p2: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    method: Literal["exact"] = "exact",
    max_n: int = 2000,
) -> PowerPlan:
    """Smallest ``n`` per arm at which Fisher's exact test reaches ``power``.

    Exact power is not monotone in ``n`` (it saw-tooths because the test is
    discrete), so every ``n`` from 1 upward is evaluated and the first one
    reaching the target is returned; a slightly larger ``n`` can have less power.

    Args:
        p1: Anticipated positive rate in arm A.
        p2: Anticipated positive rate in arm B.
        power: Target power in (0, 1).
        alpha: Significance level.
        alternative: Alternative of the planned test; ``"greater"`` needs p1 > p2.
        method: Only ``"exact"`` is supported.
        max_n: Largest ``n`` per arm to consider.

    Returns:
        The plan.

    Raises:
        ValueError: On invalid inputs, or if no ``n <= max_n`` reaches the target.
    """
    alt = _check(p1, p2, alpha, alternative)
    if method != "exact":
        raise ValueError(f"method must be 'exact', got {method!r}")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power must be in (0, 1), got {power}")
    if p1 == p2:
        raise ValueError("p1 equals p2: no sample size gives power above alpha")
    if (alt == "greater" and p1 < p2) or (alt == "less" and p1 > p2):
        raise ValueError(f"alternative {alt!r} points away from p1={p1}, p2={p2}")
    lf = _log_factorials(2 * max_n)
    for n in range(1, max_n + 1):
        achieved = _power(n, p1, p2, alpha, alt, lf)
        if achieved >= power:
            return PowerPlan(
                p1=p1,
                p2=p2,
                alpha=alpha,
                alternative=alt,
                power_target=power,
                n_per_arm=n,
                achieved_power=achieved,
                method=METHOD,
                note=(
                    "smallest n per arm whose exact power reaches the target; exact "
                    "power is not monotone in n, so some larger n may fall just short"
                ),
            )
    raise ValueError(f"power {power} not reached with n <= {max_n} per arm")
