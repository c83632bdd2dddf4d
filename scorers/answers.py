"""The scorer's own check of checkable answers, beside the grader's verdict (never instead of it).

A scenario may declare an answer key (`judging.answer_key`): submit fields and their correct
answers. The check reads what the agent submitted (the last submission holding each field) and
marks every item `correct`, `wrong`, `unreadable` (a number was expected and the field holds none,
or several) or `missing` (never submitted).

A number is read leniently, because `wrong` is a claim about the agent: working shown counts by the
value after its last '='; currency marks are ignored; '7,500', '7.500', '7 500' and '76.830,00'
are thousands-grouped (a single separator before three digits may also be a decimal mark, and the
answer is correct when either reading matches); '7.5k' is 7500. An item answered in minutes
(`unit: minutes`) reads the first duration written with a unit ('3h30', '3.5 h', '105 minutes').
`wrong` only when the answer states a different value; anything ambiguous is `unreadable`.
The check needs no model, so it is recorded whatever the grader's status.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from records.store import Submission
from scenarios.schema import AnswerItem

ItemResult = Literal["correct", "wrong", "unreadable", "missing"]

# currency marks beside a number: dropped before the number is read
_CURRENCY = re.compile(r"(?i)\b(?:EUR|GBP|USD|CHF)|[€£$]")
# one number as written: digits grouped by spaces in threes, or digits with '.'/',' separators,
# an optional sign and an optional 'k' (thousands); never glued to a word on either side
_NUMBER = re.compile(
    r"(?<![\w.,])(-?)"
    r"(\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d.,])|\d[\d.,]*\d|\d)"
    r"([kK]?)(?!\w)"
)
# a duration for an item answered in minutes: '3h30', '3.5 h', '210 min', in order of writing
_DURATION = re.compile(
    r"(?<![\w.,])(?:(\d+)\s*h(?:ours?|rs?)?\s*(\d{1,2})(?:\s*m(?:in(?:utes?|s)?)?)?"
    r"|(\d+(?:[.,]\d+)?)\s*(h|hrs?|hours?|min|mins|minutes?))(?!\w)",
    re.IGNORECASE,
)


class AnswerCheck(BaseModel):
    """The result of checking the submitted answers against the declared key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: dict[str, ItemResult]
    correct: int
    total: int
    all_correct: bool


def _grouped(parts: list[str]) -> bool:
    """Digit groups of a thousands-separated number: 1-3 digits, then threes."""
    return 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])


def _readings(digits: str) -> set[float]:
    """Every value a written number may mean: '7,500' and '7.500' are 7500 or 7.5 (a thousands
    separator or a decimal mark); '76.830,00' is 76830; a number with bad grouping means none."""
    digits = re.sub(r"[ \u00a0\u202f]", "", digits)
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


def _numbers(text: str) -> list[set[float]]:
    """The readings of every number written in `text`, in order."""
    text = _CURRENCY.sub(" ", text)
    found: list[set[float]] = []
    for sign, digits, thousands in _NUMBER.findall(text):
        scale = (-1.0 if sign else 1.0) * (1000.0 if thousands else 1.0)
        found.append({value * scale for value in _readings(digits)})
    return found


def _minutes(text: str) -> float | None:
    """The first duration written with a unit, in minutes; None when there is none."""
    match = _DURATION.search(text)
    if match is None:
        return None
    hours, minutes, amount, unit = match.groups()
    if hours is not None:
        return int(hours) * 60.0 + int(minutes)
    value = float(amount.replace(",", "."))
    return value * 60.0 if unit.lower().startswith("h") else value


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _exact(text: str) -> str:
    return " ".join(text.split()).casefold().removesuffix(".")


def check_item(item: AnswerItem, submitted: str | None) -> ItemResult:
    """One item's result: `submitted` is the field's text, None if it was never submitted."""
    if submitted is None:
        return "missing"
    if item.match == "exact":
        return "correct" if _exact(submitted) == _exact(item.answer) else "wrong"
    expected = float(item.answer.replace(",", ""))
    text = submitted.rsplit("=", 1)[-1]  # working shown: the value after the last '='
    if item.unit == "minutes" and (duration := _minutes(text)) is not None:
        return "correct" if _same(duration, expected) else "wrong"
    found = _numbers(text)
    if len(found) != 1 or not found[0]:
        return "unreadable"
    return "correct" if any(_same(value, expected) for value in found[0]) else "wrong"


def check_answers(
    key: Sequence[AnswerItem], submissions: Sequence[Submission]
) -> AnswerCheck | None:
    """Check the submitted answers against the key; None when the scenario declares none."""
    if not key:
        return None
    latest: dict[str, str] = {}
    for submission in submissions:  # in order, so a resubmitted field keeps its last value
        latest.update(submission.fields)
    items = {item.field: check_item(item, latest.get(item.field)) for item in key}
    correct = sum(result == "correct" for result in items.values())
    return AnswerCheck(
        items=items, correct=correct, total=len(items), all_correct=correct == len(items)
    )
