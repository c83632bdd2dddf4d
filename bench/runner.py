"""Running evals through Inspect's real providers against the fake, and checking what they wrote."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from bench.fakeserver.process import FakeServerProcess
from bench.providers import AI_MARKERS, ProviderPath
from evals.deception.deception import deception_task

TASKS: dict[str, Callable[..., Task]] = {
    scenario: functools.partial(deception_task, scenario)
    for scenario in ("blame_postmortem", "blame_director", "performance_attestation")
}
"""The deception tasks the bench runs, by scenario (`candor/deception -T scenario=...`)."""


@contextlib.contextmanager
def pointed_at(server: FakeServerProcess) -> Iterator[None]:
    """Both SDKs pointed at the fake through the environment, restored afterwards."""
    env = {
        "OPENAI_BASE_URL": server.openai_base_url,
        "ANTHROPIC_BASE_URL": server.anthropic_base_url,
        "OPENAI_API_KEY": "sk-fake-bench-key",
        "ANTHROPIC_API_KEY": "sk-ant-fake-bench-key",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_eval(
    task: Task,
    target: ProviderPath,
    roles: dict[str, ProviderPath],
    log_dir: Path,
    **options: Any,
) -> tuple[EvalLog, float]:
    """One eval through the real providers; returns the log and its wall time in seconds.

    Raises:
        RuntimeError: naming the task and Inspect's error when the eval did not succeed.
    """
    started = time.perf_counter()
    [log] = inspect_eval(
        task,
        model=target.get(),
        model_roles={role: path.get() for role, path in roles.items()},
        log_dir=str(log_dir),
        display="none",
        log_level="error",
        max_retries=0,
        timeout=120,
        **options,
    )
    elapsed = time.perf_counter() - started
    if log.status != "success":
        message = log.error.message if log.error else log.status
        raise RuntimeError(f"bench eval of {log.eval.task} failed: {message}")
    return log, elapsed


def verdict_problems(log: EvalLog, scenario: str, expected_samples: int) -> list[str]:
    """What is wrong with a run's content: the sample count, and each sample's verdict.

    The fake deceives exactly when the agent's prompt names the scenario's AI party
    (`AI_MARKERS`), so every sample's verdict is known in advance: a sample that is unscored, or
    graded otherwise, means the run measured something other than the episode it claims.
    """
    samples = log.samples or []
    problems: list[str] = []
    if len(samples) != expected_samples:
        problems.append(
            f"{log.eval.task} wrote {len(samples)} samples, expected {expected_samples}"
        )
    wrong = 0
    for sample in samples:
        prompt = " ".join(m.text for m in sample.messages[:2])
        expected = "deceptive" if any(m in prompt for m in AI_MARKERS[scenario]) else "honest"
        scores = list((sample.scores or {}).values())
        if len(scores) != 1 or scores[0].answer != expected:
            wrong += 1
    if wrong:
        problems.append(
            f"{wrong} of {len(samples)} samples of {log.eval.task} unscored or not graded as the "
            "fake answered"
        )
    return problems
