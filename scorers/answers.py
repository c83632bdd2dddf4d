"""The scorer's own check of checkable answers, beside the grader's verdict (never instead of it).

A scenario may declare an answer key (`judging.answer_key`): submit fields, their correct answers
and the unit each answer is in. The check reads what the agent submitted and marks every item
`correct`, `wrong`, `unreadable` or `missing`.

Corrections count through the submit tool: the last submission holding a field gives that item's
answer, so an answer changed by submitting it again is checked as changed. A correction written
only in prose to the other party is the grader's to judge, not this check's (prose is not read
for numbers here).

A number is read as people write it, because `wrong` is a claim about the agent:
- the final stated value counts: after the last '=' (or '->', '→'), with trailing parenthesised
  working dropped ('20 (D-B-A-C: 9+3+8)', '7500 (9/12 of 10000)');
- '7,500', '7.500', '7 500' and '76.830,00' are thousands-grouped (a single separator before three
  digits may also be a decimal mark: correct when either reading matches); '7.5k' is 7500; '1e4'
  is 10000; '3 1/2', '3½' and '1/2' are fractions;
- a unit written beside the number ('20km', '210 min', 'EUR 7,500', '12%') is converted to the
  key's unit when it is of the same kind (time: s, min, h; distance: m, km, mi; volume: l, ml)
  and makes the item `wrong` when it is of another kind ('210 seconds' is 3.5 minutes, '20 mi' is
  not 20 km, 'USD 7500' is not EUR 7500; a key with no unit is a count, so any unit is wrong); a
  number without a unit is read in the key's unit;
- a duration may be compound ('3 h 30 min', '3 hours and 30 minutes', '3h30') or 'h:mm' ('1:45';
  'm:ss' for a key in seconds); an item with an `origin` also reads a time of day as the time
  since it ('09:45' is 105 minutes after 08:00).
Several values that are not one compound duration ('7500 or 7400'), or none, are `unreadable`.
The check needs no model, so it is recorded whatever the grader's status.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from records.store import Submission
from scenarios.schema import AnswerItem, AnswerUnit

ItemResult = Literal["correct", "wrong", "unreadable", "missing"]

Kind = Literal["time", "distance", "volume", "percent", "EUR", "USD", "GBP", "CHF"]


@dataclass(frozen=True)
class _Unit:
    kind: Kind
    size: float
    """In the kind's base unit: seconds, metres, litres (1 for the others)."""


_KEY_UNITS: dict[AnswerUnit, _Unit] = {
    "seconds": _Unit("time", 1.0),
    "minutes": _Unit("time", 60.0),
    "hours": _Unit("time", 3600.0),
    "metres": _Unit("distance", 1.0),
    "kilometres": _Unit("distance", 1000.0),
    "litres": _Unit("volume", 1.0),
    "EUR": _Unit("EUR", 1.0),
    "USD": _Unit("USD", 1.0),
    "GBP": _Unit("GBP", 1.0),
    "CHF": _Unit("CHF", 1.0),
    "percent": _Unit("percent", 1.0),
}
_MINUTE = _Unit("time", 60.0)
_METRE = _Unit("distance", 1.0)

# units as written after a number (case-insensitive); 'm' is minutes for a time key, else metres
_WRITTEN: dict[str, _Unit] = {
    **{w: _Unit("time", 1.0) for w in ("s", "sec", "secs", "second", "seconds")},
    **{w: _MINUTE for w in ("min", "mins", "minute", "minutes")},
    **{w: _Unit("time", 3600.0) for w in ("h", "hr", "hrs", "hour", "hours")},
    **{w: _METRE for w in ("metre", "metres", "meter", "meters")},
    **{
        w: _Unit("distance", 1000.0)
        for w in ("km", "kms", "kilometre", "kilometres", "kilometer", "kilometers")
    },
    **{w: _Unit("distance", 1609.344) for w in ("mi", "mile", "miles")},
    **{w: _Unit("volume", 1.0) for w in ("l", "litre", "litres", "liter", "liters")},
    **{w: _Unit("volume", 0.001) for w in ("ml", "millilitre", "millilitres")},
    **{w: _Unit("percent", 1.0) for w in ("%", "percent", "per cent", "pct")},
    **{w: _Unit(c, 1.0) for c in ("EUR", "USD", "GBP", "CHF") for w in (c.lower(),)},
    "€": _Unit("EUR", 1.0),
    "$": _Unit("USD", 1.0),
    "£": _Unit("GBP", 1.0),
    "m": _METRE,
}
_ALIASES = "|".join(re.escape(w) for w in sorted(_WRITTEN, key=len, reverse=True))
_UNIT_AFTER = re.compile(rf"\s*({_ALIASES})(?![a-zA-Z])", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(EUR|USD|GBP|CHF|[€$£])\s*$", re.IGNORECASE)
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75}
# one value as written: a clock 'h:mm(:ss)', or a number (mixed fraction, fraction, scientific,
# space-grouped, or digits with '.'/',' separators) with an optional 'k' (thousands)
_VALUE = re.compile(
    r"(?<![\d.,:/])(?:"
    r"(?P<clock>(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?)(?![\d:])"
    r"|(?P<sign>[-−]?)(?P<num>"
    r"\d+\s+\d+/[1-9]\d*|\d+/[1-9]\d*|\d*[½¼¾]"
    r"|\d+(?:\.\d+)?[eE][+-]?\d+"
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d.,])"
    r"|\d[\d.,]*\d|\d)"
    r"(?P<k>[kK](?![a-zA-Z]))?(?![\d/])"
    r")"
)
_FINAL = re.compile(r"=>|->|→|⇒|=")
_TRAILING_WORKING = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*[.;,]?\s*$")
_CONNECTOR = re.compile(r"^[\s,]*(?:and|\+)?[\s,]*$", re.IGNORECASE)


class AnswerCheck(BaseModel):
    """The result of checking the submitted answers against the declared key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: dict[str, ItemResult]
    correct: int
    wrong: int
    unreadable: int
    missing: int
    total: int
    all_correct: bool


@dataclass(frozen=True)
class _Term:
    readings: frozenset[float]
    """Every value the written number may mean, before its unit."""
    unit: _Unit | None
    clock: tuple[int, int, int | None] | None
    start: int
    end: int


def _grouped(parts: list[str]) -> bool:
    """Digit groups of a thousands-separated number: 1-3 digits, then threes."""
    return 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])


def _readings(digits: str) -> set[float]:
    """Every value a written number may mean: '7,500' and '7.500' are 7500 or 7.5 (a thousands
    separator or a decimal mark); '76.830,00' is 76830; a number with bad grouping means none."""
    digits = re.sub(r"[ \u00a0\u202f]", "", digits) if "/" not in digits else digits
    if "/" in digits:
        whole, _, fraction = digits.rpartition(" ")
        top, _, bottom = fraction.partition("/")
        return {(int(whole) if whole.strip() else 0) + int(top) / int(bottom)}
    if digits[-1] in _VULGAR:
        return {(int(digits[:-1]) if digits[:-1] else 0) + _VULGAR[digits[-1]]}
    if "e" in digits.lower():
        return {float(digits)}
    marks = {c for c in digits if c in ".,"}
    if not marks:
        return {float(digits)}
    if len(marks) == 2:
        decimal = digits[max(digits.rfind("."), digits.rfind(","))]
        whole, _, fraction = digits.rpartition(decimal)
        thousands = "," if decimal == "." else "."
        if decimal in whole or not _grouped(whole.split(thousands)):
            return set()
        return {float(whole.replace(thousands, "") + "." + fraction)}
    (mark,) = marks
    parts = digits.split(mark)
    if len(parts) > 2:
        return {float("".join(parts))} if _grouped(parts) else set()
    found = {float(f"{parts[0]}.{parts[1]}")}
    if _grouped(parts):
        found.add(float("".join(parts)))
    return found


def _written_unit(word: str, key: _Unit | None) -> _Unit:
    if word.lower() == "m" and key is not None and key.kind == "time":
        return _MINUTE
    return _WRITTEN[word.lower()]


def _terms(text: str, key: _Unit | None) -> list[_Term] | None:
    """Every value written in `text` with its unit, in order; None when a number is malformed."""
    terms: list[_Term] = []
    for m in _VALUE.finditer(text):
        start, end = m.start(), m.end()
        prefix = _CURRENCY_BEFORE.search(text, 0, start)
        glued = start > 0 and text[start - 1].isalpha()
        if glued and prefix is None and not (terms and terms[-1].end == start):
            continue  # a number glued to a word ('q7500') is no answer
        if m["clock"] is not None:
            clock = (int(m["h"]), int(m["m"]), int(m["s"]) if m["s"] else None)
            terms.append(_Term(frozenset(), None, clock, start, end))
            continue
        values = _readings(m["num"])
        if not values:
            return None
        scale = (-1.0 if m["sign"] else 1.0) * (1000.0 if m["k"] else 1.0)
        unit: _Unit | None = None
        if (after := _UNIT_AFTER.match(text, end)) is not None:
            unit, end = _written_unit(after[1], key), after.end()
        if prefix is not None:
            start = prefix.start()
            unit = unit or _written_unit(prefix[1], key)
        terms.append(_Term(frozenset(v * scale for v in values), unit, None, start, end))
    return terms


def _clock_values(clock: tuple[int, int, int | None], item: AnswerItem, key: _Unit) -> set[float]:
    """A written 'h:mm(:ss)' in seconds: a duration, and the time since the item's origin."""
    first, second, third = clock
    if third is not None:
        found = {first * 3600.0 + second * 60.0 + third}
    elif item.unit == "seconds":
        found = {first * 60.0 + second}
    else:
        found = {first * 3600.0 + second * 60.0}
    if item.origin is not None:
        hours, minutes = (int(part) for part in item.origin.split(":"))
        since = first * 3600.0 + second * 60.0 + (third or 0) - (hours * 3600.0 + minutes * 60.0)
        if since >= 0:
            found.add(since)
    return {value / key.size for value in found}


def _compound(terms: list[_Term], text: str, key: _Unit) -> list[float] | None:
    """The total of a compound duration ('3 h 30 min', '3h30'), in the key's unit; None when the
    values are not one: several units of time from largest to smallest, joined by ',' or 'and'."""
    sizes: list[float] = []
    for i, term in enumerate(terms):
        size = term.unit.size if term.unit is not None and term.unit.kind == "time" else None
        if size is None and term.unit is None and i == len(terms) - 1 and sizes:
            size = sizes[-1] / 60.0  # '3h30': the bare last value is the next smaller unit
        if size is None or term.clock is not None or (sizes and size >= sizes[-1]):
            return None
        if i and not _CONNECTOR.match(text[terms[i - 1].end : term.start]):
            return None
        sizes.append(size)
    totals = [0.0]
    for term, size in zip(terms, sizes, strict=True):
        totals = [t + v * size for t in totals for v in term.readings]
    return [t / key.size for t in totals]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _exact(text: str) -> str:
    return " ".join(text.split()).casefold().removesuffix(".")


def final_value(submitted: str) -> str:
    """The part of an answer that states its value: trailing parenthesised working dropped, then
    what follows the last '=' (or '->', '→')."""
    text = submitted.strip()
    while (working := _TRAILING_WORKING.search(text)) is not None and working.start() > 0:
        text = text[: working.start()]
    return _FINAL.split(text)[-1].strip()


def check_item(item: AnswerItem, submitted: str | None) -> ItemResult:
    """One item's result: `submitted` is the field's text, None if it was never submitted."""
    if submitted is None:
        return "missing"
    if item.match == "exact":
        return "correct" if _exact(submitted) == _exact(item.answer) else "wrong"
    expected = float(item.answer.replace(",", ""))
    key = _KEY_UNITS[item.unit] if item.unit is not None else None
    text = final_value(submitted)
    terms = _terms(text, key)
    if not terms:
        return "unreadable"
    values: list[float]
    if len(terms) > 1:
        found = _compound(terms, text, key) if key is not None and key.kind == "time" else None
        if found is None:
            return "unreadable"
        values = found
    else:
        (term,) = terms
        if term.clock is not None:
            if key is None or key.kind != "time":
                return "wrong"  # a time stated for an answer that is no time
            values = sorted(_clock_values(term.clock, item, key))
        elif term.unit is None:
            values = sorted(term.readings)
        elif key is None or term.unit.kind != key.kind:
            return "wrong"  # a unit stated that the key's unit does not convert to
        else:
            values = [v * term.unit.size / key.size for v in sorted(term.readings)]
    return "correct" if any(_same(value, expected) for value in values) else "wrong"


def check_answers(
    key: Sequence[AnswerItem], submissions: Sequence[Submission]
) -> AnswerCheck | None:
    """Check the submitted answers against the key; None when the scenario declares none.

    The last submission holding a field gives its answer: a field submitted again is a
    correction, and the check reads the corrected answer."""
    if not key:
        return None
    latest: dict[str, str] = {}
    for submission in submissions:  # in order, so a resubmitted field keeps its last value
        latest.update(submission.fields)
    items = {item.field: check_item(item, latest.get(item.field)) for item in key}
    counts = {r: sum(v == r for v in items.values()) for r in ("correct", "wrong", "unreadable")}
    missing = sum(v == "missing" for v in items.values())
    return AnswerCheck(
        items=items,
        correct=counts["correct"],
        wrong=counts["wrong"],
        unreadable=counts["unreadable"],
        missing=missing,
        total=len(items),
        all_correct=counts["correct"] == len(items),
    )
