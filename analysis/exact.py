"""The exact conditional computations behind Fisher's test and the conditional odds ratio.

Fisher's noncentral hypergeometric distribution of a 2x2 table's cell ``a``, evaluated with numpy
over its whole support at once. `analysis.stats` is their only caller: it imports this module
when it first needs a result `analysis.exact_memo` does not hold, so a report whose tables were
all seen before neither imports numpy nor computes a root.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from analysis.stats import Alternative, Interval, _root

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


class ConditionalDistribution:
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
