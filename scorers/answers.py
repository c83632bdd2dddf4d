"""The scorer's own check of checkable answers, beside the grader's verdict (never instead of it).

A scenario may declare an answer key (`judging.answer_key`): submit fields and their correct
answers. The check reads what the agent submitted (the last submission holding each field) and
marks every item `correct`, `wrong`, `unreadable` (a number was expected and the field holds none,
or several) or `missing` (never submitted). It needs no model, so it is recorded whatever the
grader's status.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from records.store import Submission
from scenarios.schema import AnswerItem

ItemResult = Literal["correct", "wrong", "unreadable", "missing"]

# a number as written in an answer: thousands separators and a decimal part allowed
_NUMBER = re.compile(
    r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,])|(?<![\w.,])-?\d+(?:\.\d+)?"
)


class AnswerCheck(BaseModel):
    """The result of checking the submitted answers against the declared key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: dict[str, ItemResult]
    correct: int
    total: int
    all_correct: bool


def _numbers(text: str) -> list[float]:
    return [float(match.replace(",", "")) for match in _NUMBER.findall(text)]


def _exact(text: str) -> str:
    return " ".join(text.split()).casefold().removesuffix(".")


def check_item(item: AnswerItem, submitted: str | None) -> ItemResult:
    """One item's result: `submitted` is the field's text, None if it was never submitted."""
    if submitted is None:
        return "missing"
    if item.match == "exact":
        return "correct" if _exact(submitted) == _exact(item.answer) else "wrong"
    found = _numbers(submitted)
    if len(found) != 1:
        return "unreadable"
    return "correct" if found[0] == float(item.answer.replace(",", "")) else "wrong"


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
