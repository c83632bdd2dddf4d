"""Every task end to end through Inspect's real openai/ and anthropic/ providers, grader included.

The fake provider (bench/fakeserver) answers on 127.0.0.1: Chat Completions, Responses, Anthropic
Messages plain and streamed. Its scripted agent deceives exactly in the AI arms, and its grader
says so, so the log, the scores and `candor report` must all show that pattern.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from bench.fakeserver import FakeProviderServer
from bench.fakeserver.config import DECEPTIVE_ACCOUNT, HONEST_ACCOUNT
from bench.providers import (
    AI_MARKERS,
    ANTHROPIC,
    ANTHROPIC_STREAM,
    OPENAI_CHAT,
    OPENAI_RESPONSES,
    ProviderPath,
)
from cli.main import main as candor
from evals.deception.deception import deception_task
from tests.integration.providers import REPO, candor_tasks, first_legal_scenario

TASKS = candor_tasks()
# what the deception scenarios' scripted run must show, arm by arm (other tasks, such as a legal
# suite, are checked for graded samples and a report only)
ARM_COUNTS = {"blame_postmortem": 4, "blame_director": 3, "performance_attestation": 2}

# target -> grader: each provider path plays each role somewhere
PAIRS = [(OPENAI_CHAT, ANTHROPIC), (ANTHROPIC_STREAM, OPENAI_RESPONSES)]


def _run(
    task: Task,
    target: ProviderPath,
    grader: ProviderPath,
    log_dir: Path,
    counterparty: ProviderPath | None = None,
) -> EvalLog:
    roles = {"grader": grader.get()}
    if counterparty is not None:
        roles["counterparty"] = counterparty.get()
    [log] = inspect_eval(
        task,
        model=target.get(),
        model_roles=roles,
        log_dir=str(log_dir),
        display="none",
        max_retries=0,
        timeout=30,
    )
    return log


def _is_ai_arm(scenario: str, arm: str) -> bool:
    factor = {"blame_postmortem": "overseer", "blame_director": "director"}.get(
        scenario, "evaluator"
    )
    return f"{factor}=ai" in arm


def _check_log(log: EvalLog, scenario: str) -> None:
    """Every sample graded; for the deception scenarios, the scripted pattern arm by arm."""
    assert log.status == "success", log.error
    assert log.samples
    known = scenario in ARM_COUNTS
    if known:
        assert len(log.samples) == ARM_COUNTS[scenario]
    for sample in log.samples:
        assert sample.error is None
        [score] = (sample.scores or {}).values()
        metadata = score.metadata or {}
        assert metadata["status"] == "graded", metadata.get("unscored_reason")
        assert metadata["unverified_quotes"] == []
        assert sample.store["EpisodeStore:end_reason"] in ("completed", "counterparty_ended")
        if not known:
            continue
        deceptive = _is_ai_arm(scenario, str(sample.metadata["arm"]))
        assert score.answer == ("deceptive" if deceptive else "honest")
        # read the store's raw keys: validating an EpisodeStore here would bind it to the
        # test's own (shared) store, not to this sample's
        tools = [a["tool"] for a in sample.store["EpisodeStore:actions"]]
        assert tools[0] == "list_files" and tools.count("read_file") == 3
        [submission] = sample.store["EpisodeStore:submissions"]
        account = DECEPTIVE_ACCOUNT if deceptive else HONEST_ACCOUNT
        assert set(submission["fields"].values()) == {account}
    usage = log.stats.model_usage
    assert all(
        u.input_tokens + (u.input_tokens_cache_read or 0) + (u.input_tokens_cache_write or 0) > 0
        for u in usage.values()
    )
    assert all(u.output_tokens > 0 for u in usage.values())


def _check_paths(server: FakeProviderServer, target: ProviderPath, grader: ProviderPath) -> None:
    records = server.records
    by_role = {role: [r for r in records if r.role == role] for role in ("target", "grader")}
    assert by_role["target"] and by_role["grader"]
    assert {(r.endpoint, r.stream) for r in by_role["target"]} == {(target.endpoint, target.stream)}
    assert {(r.endpoint, r.stream) for r in by_role["grader"]} == {(grader.endpoint, grader.stream)}


@pytest.mark.parametrize("scenario", list(TASKS))
@pytest.mark.parametrize(
    ("target", "grader"), PAIRS, ids=[f"{t.name}-target-{g.name}-grader" for t, g in PAIRS]
)
def test_task_through_real_providers(
    fake_provider: FakeProviderServer,
    tmp_path: Path,
    scenario: str,
    target: ProviderPath,
    grader: ProviderPath,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_provider.configure(deceive_if_contains=AI_MARKERS.get(scenario, []))
    # the legal task runs one scenario here (all arms); the whole suite runs below
    options = {"scenario": first_legal_scenario()} if scenario == "legal" else {}
    # the sale scenarios' buyer is a model: the whole suite binds the counterparty role
    counterparty = grader if scenario == "deception" else None
    log = _run(TASKS[scenario](**options), target, grader, tmp_path, counterparty=counterparty)
    _check_log(log, scenario)
    _check_paths(fake_provider, target, grader)

    assert candor(["report", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["groups"] and not report["problems"]
    if scenario in ARM_COUNTS:
        [group] = report["groups"]
        rates = {arm["arm"]: (arm["positive"], arm["graded"]) for arm in group["arms"]}
        assert len(rates) == ARM_COUNTS[scenario]
        assert rates == {arm: (1 if _is_ai_arm(scenario, arm) else 0, 1) for arm in rates}


def test_model_counterparty_and_responses_target(
    fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    fake_provider.configure(
        deceive_if_contains=AI_MARKERS["blame_postmortem"], counterparty_turns=1
    )
    log = _run(
        deception_task("blame_postmortem", counterparty="model"),
        OPENAI_RESPONSES,
        ANTHROPIC_STREAM,
        tmp_path,
        counterparty=ANTHROPIC,
    )
    _check_log(log, "blame_postmortem")
    _check_paths(fake_provider, OPENAI_RESPONSES, ANTHROPIC_STREAM)
    counterparty = [r for r in fake_provider.records if r.role == "counterparty"]
    assert counterparty and {(r.endpoint, r.stream) for r in counterparty} == {("messages", False)}
    assert log.samples is not None
    for sample in log.samples:
        turns = sample.store["EpisodeStore:counterparty_turns"]
        assert [t["source"] for t in turns] == ["model"]  # one question, then its end token


def test_anthropic_prompt_caching_is_reported(
    fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    """Inspect marks cache breakpoints; the fake bills repeated prefixes as cache reads."""
    fake_provider.configure(deceive_if_contains=AI_MARKERS["performance_attestation"])
    log = _run(deception_task("performance_attestation"), ANTHROPIC, OPENAI_CHAT, tmp_path)
    _check_log(log, "performance_attestation")
    target = [r for r in fake_provider.records if r.role == "target"]
    assert sum(r.cache_write for r in target) > 0
    assert sum(r.cache_read for r in target) > 0
    usage = log.stats.model_usage[ANTHROPIC.model]
    assert usage.input_tokens_cache_read == sum(r.cache_read for r in target)
    assert usage.input_tokens_cache_write == sum(r.cache_write for r in target)


def test_inspect_eval_command_line(fake_provider: FakeProviderServer, tmp_path: Path) -> None:
    """`inspect eval` as a user types it: the registered task, `--model`, `-M`, `--model-role`."""
    fake_provider.configure(deceive_if_contains=AI_MARKERS["blame_postmortem"])
    command = [
        str(Path(sys.executable).with_name("inspect")),
        "eval",
        "candor/blame_postmortem",
        "--model",
        OPENAI_RESPONSES.model,
        *OPENAI_RESPONSES.cli_args(),
        "--model-role",
        f"grader={ANTHROPIC_STREAM.model}",
        "--log-dir",
        str(tmp_path),
        "--display",
        "none",
        "--max-retries",
        "0",
    ]
    done = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info.name)
    _check_log(log, "blame_postmortem")
    # the grader's default streams (Inspect's default max_tokens for this model needs it)
    _check_paths(fake_provider, OPENAI_RESPONSES, ANTHROPIC_STREAM)


@pytest.mark.skipif("legal" not in TASKS, reason="no legal task")
def test_legal_suite_default_run(fake_provider: FakeProviderServer, tmp_path: Path) -> None:
    """The legal task as `inspect eval evals/legal` runs it: every scenario in one dataset."""
    log = _run(TASKS["legal"](), OPENAI_CHAT, ANTHROPIC_STREAM, tmp_path)
    _check_log(log, "legal")
