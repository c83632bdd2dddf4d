"""Blind labelling shows the input of the grader call behind the counted score, and no other.

A log re-graded with `inspect score --action append` keeps both gradings' calls; the first may
have read an older, leakier redaction. The counted score records its input's digest, and the
neutral view is the call with that digest, whatever the grader's role was called.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalSample, list_eval_logs, read_eval_log
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelOutput,
)
from inspect_ai.scorer import Score

from analysis.logs import candor_score
from dashboard.neutral import from_sample
from scorers.prompts import GraderPrompt

OLD = GraderPrompt(
    "Grade the episode.", "<agent_message>\nOur AI reviewer Dana signed off.\n</agent_message>"
)
NEW = GraderPrompt(
    "Grade the episode.", "<agent_message>\nOur [REVIEWER] signed off.\n</agent_message>"
)
TARGET = GraderPrompt("You are the agent.", "Write the post-mortem.")


def _call(prompt: GraderPrompt, role: str | None) -> ModelEvent:
    return ModelEvent(
        model="mockllm/model",
        role=role,
        input=[
            ChatMessageSystem(content=prompt.instructions),
            ChatMessageUser(content=prompt.episode),
        ],
        tools=[],
        tool_choice="none",
        config=GenerateConfig(),
        output=ModelOutput.from_content("mockllm/model", "{}"),
    )


def _score(status: str, digest: str | None, roles: tuple[str, ...] = ("grader",)) -> Score:
    metadata: dict[str, object] = {
        "status": status,
        "grader_models": {role: "mockllm/model" for role in roles},
    }
    if digest is not None:
        metadata["grader_input_sha256"] = digest
    value = 1.0 if status == "graded" else float("nan")
    return Score(value=value, metadata=metadata)


def _sample(events: list[ModelEvent], scores: dict[str, Score]) -> EvalSample:
    return EvalSample(id=1, epoch=1, input="x", target="", events=list(events), scores=scores)


def _shown(sample: EvalSample) -> str | None:
    view = from_sample(sample)
    if view.problem is not None:
        return None
    return "\n".join(e.text for e in view.entries)


# (what happened, events, scores, the episode shown or None for nothing)
CASES = [
    (
        "one grading",
        [_call(TARGET, None), _call(NEW, "grader")],
        {"deception_scorer": _score("graded", NEW.sha256)},
        "Our [REVIEWER] signed off.",
    ),
    (
        "an appended re-grade is counted: its call, not the first",
        [_call(TARGET, None), _call(OLD, "grader"), _call(NEW, "grader")],
        {
            "deception_scorer": _score("graded", OLD.sha256),
            "deception_scorer1": _score("graded", NEW.sha256),
        },
        "Our [REVIEWER] signed off.",
    ),
    (
        "an appended re-grade failed: the counted grading before it",
        [_call(NEW, "grader"), _call(OLD, "grader")],
        {
            "deception_scorer": _score("graded", NEW.sha256),
            "deception_scorer1": _score("grader_unparseable", OLD.sha256),
        },
        "Our [REVIEWER] signed off.",
    ),
    (
        "the grader bound to another role name",
        [_call(TARGET, None), _call(NEW, "judge")],
        {"deception_scorer": _score("graded", NEW.sha256, ("judge",))},
        "Our [REVIEWER] signed off.",
    ),
    (
        "a panel: every grader read the same input",
        [_call(NEW, "grader"), _call(NEW, "grader_2"), _call(NEW, "grader_3")],
        {"deception_scorer": _score("graded", NEW.sha256, ("grader", "grader_2", "grader_3"))},
        "Our [REVIEWER] signed off.",
    ),
    (
        "the counted grading's call is not in the log",
        [_call(TARGET, None), _call(OLD, "grader")],
        {"deception_scorer": _score("graded", NEW.sha256)},
        None,
    ),
    (
        "a score without a digest: the last call in a role it names",
        [_call(OLD, "grader"), _call(NEW, "grader")],
        {"deception_scorer": _score("graded", None)},
        "Our [REVIEWER] signed off.",
    ),
    (
        "a score without a digest never takes the target's call",
        [_call(TARGET, None)],
        {"deception_scorer": _score("graded", None)},
        None,
    ),
    (
        "the grader was never called",
        [_call(TARGET, None)],
        {"deception_scorer": _score("agent_silent", None)},
        None,
    ),
    (
        "a score without a digest, re-graded after it: the last grading's call",
        [_call(OLD, "grader"), _call(NEW, "grader")],
        {
            "deception_scorer": _score("graded", None),
            "deception_scorer1": _score("graded", None),
        },
        "Our [REVIEWER] signed off.",
    ),
    (
        "a score without a digest, a failed re-grade appended after it: nothing",
        [_call(NEW, "grader"), _call(OLD, "grader")],
        {
            "deception_scorer": _score("graded", None),
            "deception_scorer1": _score("grader_unparseable", None),
        },
        None,
    ),
    (
        "a score without a digest, a failed re-grade with a digest after it: nothing",
        [_call(NEW, "grader"), _call(OLD, "grader")],
        {
            "deception_scorer": _score("graded", None),
            "deception_scorer1": _score("grader_unparseable", OLD.sha256),
        },
        None,
    ),
    (
        "a score without a digest, a re-grade under another role after it: nothing",
        [_call(NEW, "grader"), _call(OLD, "judge")],
        {
            "deception_scorer": _score("graded", None),
            "deception_scorer1": _score("grader_error", None, ("judge",)),
        },
        None,
    ),
    ("no Candor score at all", [_call(OLD, "grader")], {}, None),
]


@pytest.mark.parametrize(
    ("events", "scores", "expected"),
    [pytest.param(e, s, x, id=name) for name, e, s, x in CASES],
)
def test_the_neutral_view_is_the_counted_gradings_input(
    events: list[ModelEvent], scores: dict[str, Score], expected: str | None
) -> None:
    assert _shown(_sample(events, scores)) == expected


def test_the_digest_is_what_the_scorer_records(log_dir: Path) -> None:
    """Every graded sample of a real run: its logged grader call is found by the digest its
    score recorded (so the formula in `GraderPrompt.sha256` is the one the scorer wrote)."""
    found = 0
    for info in list_eval_logs(str(log_dir)):
        if info.name.endswith("_broken_abc.eval"):
            continue
        log = read_eval_log(info, resolve_attachments=True)
        for sample in log.samples or []:
            counted = candor_score(sample)
            digest = (counted[1].metadata or {}).get("grader_input_sha256") if counted else None
            if not isinstance(digest, str):
                continue
            view = from_sample(sample)
            assert view.problem is None, (info.name, sample.id, sample.epoch)
            assert view.entries and view.scenario
            found += 1
    assert found >= 5
