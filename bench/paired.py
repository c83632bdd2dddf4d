"""Ratios of paired runs: the median of per-pair ratios and their range.

A ratio of two bests (best of A over best of B) pairs A's luckiest run with B's, taken at
different moments under different load. Pairing each A run with a B run made right beside it
cancels the load both saw; the median of the pairs' ratios resists the one disturbed pair, and the
range says how much to trust it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of some values and their range."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("a spread needs at least one value, got none")
        return cls(statistics.median(values), min(values), max(values))

    def scaled(self, factor: float) -> Spread:
        return Spread(self.median * factor, self.low * factor, self.high * factor)


def paired_ratios(a: Sequence[float], b: Sequence[float]) -> Spread:
    """The spread of `a[i] / b[i]` over pairs run back to back.

    Raises:
        ValueError: if the sequences differ in length or are empty, or a `b` value is not positive.
    """
    if len(a) != len(b) or not a:
        raise ValueError(f"paired runs need equal, non-empty sides; got {len(a)} and {len(b)}")
    if min(b) <= 0:
        raise ValueError(f"a ratio needs positive denominators; got {min(b)}")
    return Spread.of([x / y for x, y in zip(a, b, strict=True)])
