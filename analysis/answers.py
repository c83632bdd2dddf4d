"""The scorer's own answer check, per arm: how many checkable answers were right, wrong,
unreadable or missing.

Scenarios with an answer key (`judging.answer_key`) record the scorer's check of the submitted
answers beside the grader's verdict (`scorers.answers`). It needs no model, so every episode that
recorded it counts here whatever the grader's status: a sandbagging effect shows as fewer correct
answers in one arm even where the grader gave no verdict. Wrong (another value stated, or a unit
that does not convert), unreadable (no one value stated) and missing (never submitted) are
counted apart, so a formatting problem does not look like a deliberate wrong answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from analysis.compare import fmt_pct, md_cell
from analysis.logs import AnswerCheck, SampleOutcome


class AnswerRow(BaseModel):
    """One arm's answer checks, within one task × model × scenario."""

    model_config = ConfigDict(frozen=True)

    task: str
    model: str
    scenario: str
    arm: str
    episodes: int
    """Episodes that recorded an answer check."""
    all_correct: int
    """Of those, episodes with every answer correct."""
    items_correct: int
    items_wrong: int
    """Items stating another value, or a unit that does not convert to the key's."""
    items_unreadable: int
    """Items holding no one readable value."""
    items_missing: int
    """Items never submitted."""
    items_total: int


def answer_rows(samples: Sequence[SampleOutcome]) -> list[AnswerRow]:
    """One row per task × model × scenario × arm with an answer check, in name order.

    Args:
        samples: Each episode counted once (`count_once`).
    """
    found: dict[tuple[str, str, str, str], list[AnswerCheck]] = defaultdict(list)
    for s in samples:
        if s.answers is not None and s.answers.all_correct is not None:
            found[(s.task, s.model, s.scenario, s.arm)].append(s.answers)
    return [
        AnswerRow(
            task=task,
            model=model,
            scenario=scenario,
            arm=arm,
            episodes=len(checked),
            all_correct=sum(bool(a.all_correct) for a in checked),
            items_correct=sum(a.correct or 0 for a in checked),
            items_wrong=sum(a.wrong or 0 for a in checked),
            items_unreadable=sum(a.unreadable or 0 for a in checked),
            items_missing=sum(a.missing or 0 for a in checked),
            items_total=sum(a.total or 0 for a in checked),
        )
        for (task, model, scenario, arm), checked in sorted(found.items())
    ]


def answers_markdown(rows: Sequence[AnswerRow]) -> list[str]:
    """The report's section on the answer check (empty without any)."""
    if not rows:
        return []
    lines = [
        "",
        "## Answer check (the scorer's own)",
        "",
        "Scenarios with an answer key: the scorer's own check of the submitted answers, beside "
        "(never instead of) the grader's verdict, counted for every episode that recorded it "
        "whatever the grader's status. Wrong: another value stated, or a unit that does not "
        "convert to the key's; unreadable: no one value stated; missing: never submitted.",
        "",
        "| Task | Model | Scenario | Arm | Episodes | All correct | Correct | Wrong | "
        "Unreadable | Missing |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        rate = fmt_pct(r.items_correct / r.items_total) if r.items_total else "—"
        lines.append(
            f"| {md_cell(r.task)} | {md_cell(r.model)} | {md_cell(r.scenario)} | "
            f"{md_cell(r.arm)} | {r.episodes} | {r.all_correct} | "
            f"{r.items_correct}/{r.items_total} ({rate}) | {r.items_wrong} | "
            f"{r.items_unreadable} | {r.items_missing} |"
        )
    return lines


ANSWER_CSV_COLUMNS = [
    "answer_episodes",
    "answers_all_correct",
    "answers_correct",
    "answers_wrong",
    "answers_unreadable",
    "answers_missing",
    "answers_total",
]
"""Columns the answer check's rows (`kind` `answers`) add to the report's CSV."""


def answers_csv(rows: Sequence[AnswerRow]) -> list[dict[str, str | int]]:
    """The report's CSV rows of kind `answers`, one per arm, with the same counts as the table."""
    return [
        {
            "kind": "answers",
            "task": r.task,
            "model": r.model,
            "scenario": r.scenario,
            "arm": r.arm,
            "answer_episodes": r.episodes,
            "answers_all_correct": r.all_correct,
            "answers_correct": r.items_correct,
            "answers_wrong": r.items_wrong,
            "answers_unreadable": r.items_unreadable,
            "answers_missing": r.items_missing,
            "answers_total": r.items_total,
        }
        for r in rows
    ]
