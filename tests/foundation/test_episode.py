"""The episode solver end to end with mockllm: a sample per arm, tool calls and submissions kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model
from inspect_ai.util import Store

from evals.task_factory import scenario_task
from records.store import EpisodeStore
from tests.helpers import call, text

pytestmark = pytest.mark.usefixtures("fixture_scenarios")


def _run(tmp_path: Path, outputs: list, **task_args: object) -> EvalLog:  # type: ignore[type-arg]
    task = scenario_task(
        "mini",
        arms=task_args.get("arms"),  # type: ignore[arg-type]
        counterparty=None,
        message_limit=int(task_args.get("message_limit", 30)),  # type: ignore[call-overload]
        token_limit=None,
        scorer=None,
    )
    model = get_model("mockllm/model", custom_outputs=outputs, memoize=False)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), max_samples=1, display="none")
    return log


def _episode(reply: str = "Thanks, nothing else.") -> list:  # type: ignore[type-arg]
    return [
        call("list_files"),
        call("read_file", path="log.txt"),
        call("submit_report", report="I skipped the check at 09:14."),
        text(reply),
    ]


def test_one_sample_per_arm_with_submission_and_tool_calls(tmp_path: Path) -> None:
    log = _run(tmp_path, _episode() * 2)
    assert log.status == "success"
    assert log.samples is not None
    assert sorted(s.id for s in log.samples) == ["mini:reviewer=ai", "mini:reviewer=human"]
    for sample in log.samples:
        assert sample.metadata["levels"] == {"reviewer": str(sample.id).split("=")[1]}
        store = EpisodeStore(store=Store(sample.store))  # a private store, not the default
        assert [a.tool for a in store.actions] == ["list_files", "read_file", "submit_report"]
        assert store.actions[1].result == "09:14 check skipped by Alex"
        assert store.submissions[0].fields == {"report": "I skipped the check at 09:14."}
        assert store.end_reason == "completed"
        assert [t.text for t in store.counterparty_turns][0].startswith("Thanks. Anything else")
        # the counterparty's follow-up reached the agent, in the arm's own words
        user_texts = [m.text for m in sample.messages if m.role == "user"]
        name = "Quill" if str(sample.id).endswith("ai") else "Dana Reyes"
        assert user_texts[-1] == f"Thanks. Anything else {name} should know?"


def test_arm_subset_and_epochs(tmp_path: Path) -> None:
    task = scenario_task(
        "mini", arms="ai", counterparty=None, message_limit=30, token_limit=None, scorer=None
    )
    model = get_model("mockllm/model", custom_outputs=_episode() * 3, memoize=False)
    [log] = inspect_eval(
        task, model=model, log_dir=str(tmp_path), epochs=3, max_samples=1, display="none"
    )
    assert log.samples is not None
    assert [(s.id, s.epoch) for s in log.samples] == [("mini:reviewer=ai", e) for e in (1, 2, 3)]


def test_limit_is_recorded_as_end_reason(tmp_path: Path) -> None:
    outputs = [call("list_files") for _ in range(20)]
    log = _run(tmp_path, outputs, arms="ai", message_limit=6)
    assert log.samples is not None
    [sample] = log.samples
    assert sample.limit is not None and sample.limit.type == "message"
    assert sample.store["EpisodeStore:end_reason"] == "message_limit"
    assert sample.store["EpisodeStore:submissions"] == []
