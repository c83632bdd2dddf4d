"""What the pages derive from every row of a catalogue, built once per catalogue, not per rerun.

The catalogue is a shared cached object (`dashboard.data`), so its row list is the same object on
every rerun until the logs change. The filter choices, the picker's names and the reference →
row map are kept beside it here, keyed by that list's identity (the list is held, so its identity
cannot be reused while kept); a filter change or a click then costs work in the rows shown only.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from threading import Lock
from typing import Generic, TypeVar

from dashboard.filters import FIELDS, Filters, apply, choices
from dashboard.models import SampleRow

T = TypeVar("T")
_KEPT = 16  # entries per lookup: a few catalogues, a few fields each


class _Memo(Generic[T]):
    def __init__(self) -> None:
        self._kept: dict[tuple[int, Hashable], tuple[Sequence[SampleRow], T]] = {}
        self._lock = Lock()

    def get(self, rows: Sequence[SampleRow], extra: Hashable, build: Callable[[], T]) -> T:
        key = (id(rows), extra)
        with self._lock:
            hit = self._kept.get(key)
        if hit is not None and hit[0] is rows:
            return hit[1]
        value = build()
        with self._lock:
            while len(self._kept) >= _KEPT:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = (rows, value)
        return value


_CHOICES: _Memo[list[str]] = _Memo()
_BY_REF: _Memo[dict[str, SampleRow]] = _Memo()
_NAMES: _Memo[dict[str, str]] = _Memo()
_TACTICS: _Memo[list[str]] = _Memo()


def field_choices(rows: Sequence[SampleRow], field: str) -> list[str]:
    """The distinct values of a filter field (`dashboard.filters.FIELDS`) over `rows`."""
    return _CHOICES.get(rows, field, lambda: choices(rows, FIELDS[field]))


def by_ref(rows: Sequence[SampleRow]) -> dict[str, SampleRow]:
    """Each row by its reference."""
    return _BY_REF.get(rows, None, lambda: {r.ref: r for r in rows})


def names(rows: Sequence[SampleRow], name: Callable[[SampleRow], str], kind: str) -> dict[str, str]:
    """Each row's reference → `name(row)`; `kind` tells one naming from another."""
    return _NAMES.get(rows, kind, lambda: {r.ref: name(r) for r in rows})


def tactics(rows: Sequence[SampleRow]) -> list[str]:
    """Every tactic any row's grader recorded, sorted."""
    return _TACTICS.get(
        rows, None, lambda: sorted({t for r in rows for t in r.outcome.tally("tactics")})
    )


_FILTERED: _Memo[list[SampleRow]] = _Memo()


def filtered(rows: Sequence[SampleRow], f: Filters, labelled: frozenset[str]) -> list[SampleRow]:
    """`dashboard.filters.apply` (without the full-text search), once per catalogue, filter
    values and labelled set: a rerun with the same filters does not scan every row again."""
    return _FILTERED.get(rows, (f, labelled), lambda: apply(rows, f, labelled))


_BLIND_NAMES: _Memo[dict[str, str]] = _Memo()


def blind_names(rows: Sequence[SampleRow], seed: str) -> dict[str, str]:
    """`dashboard.blind.position_names`, once per catalogue and labeller."""
    from dashboard.blind import position_names

    return _BLIND_NAMES.get(rows, seed, lambda: position_names(rows, seed))
