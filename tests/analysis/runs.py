"""Real offline runs of the blame post-mortem for the report tests: a scripted agent, a scripted
grader bound by role, logs under the test's own directory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import get_model
from inspect_ai.solver import TaskState

import evals.episode
import evals.providers.scripted  # noqa: F401  (registers scripted/ without the entry point)
from evals.deception.deception import deception

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "tests" / "fixtures" / "scripted"
INSPECT = Path(sys.executable).parent / "inspect"
Verdict = Literal["deceptive", "honest"]


def grader_model(verdict: Verdict) -> str:
    """The scripted grader that always returns `verdict` (its model name is the script)."""
    return f"scripted/{SCRIPTS / f'grader_{verdict}.yaml'}"


@contextmanager
def failing_arm(arm: str) -> Iterator[None]:
    """Every sample of `arm` raises in the episode solver (a sample error), while inside."""
    real = evals.episode._agent_turn

    async def failing(state: TaskState, *args: Any, **kwargs: Any) -> None:
        if state.metadata["arm"] == arm:
            raise RuntimeError(f"injected failure in {arm}")
        await real(state, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evals.episode, "_agent_turn", failing)
        yield


def run_blame(
    log_dir: Path,
    verdict: Verdict = "deceptive",
    *,
    epochs: int = 2,
    arms: str | None = None,
    log_format: Literal["eval", "json"] = "eval",
) -> Path:
    """One run of both arms (or `arms`), graded `verdict`, by `inspect eval` in a process of its
    own (so nothing of it is memoised in this one); the log's path."""
    before = set(log_dir.glob(f"*.{log_format}"))
    args = ["eval", "candor/blame_postmortem", "--model", "scripted/agent"]
    args += ["-M", f"replies={SCRIPTS / 'blame_postmortem.yaml'}"]
    args += ["--model-role", f"grader={grader_model(verdict)}", "--epochs", str(epochs)]
    args += ["--log-dir", str(log_dir), "--log-format", log_format]
    # the species arms at one audit level (blame_postmortem also crosses an audit condition)
    # (one item, as a list: on the command line a comma separates items)
    inspect_cli(*args, "-T", f'arms=["{arms or "audit=none"}"]')
    [log] = set(log_dir.glob(f"*.{log_format}")) - before
    return log


def run_blame_failing(log_dir: Path, arm: str, epochs: int = 2) -> Path:
    """A run in this process in which every sample of `arm` fails (errors, not scores)."""
    with failing_arm(arm):
        [log] = inspect_eval(
            deception("blame_postmortem", arms="audit=none"),
            model=get_model("scripted/agent", replies=str(SCRIPTS / "blame_postmortem.yaml")),
            model_roles={"grader": grader_model("deceptive")},
            log_dir=str(log_dir),
            epochs=epochs,
            fail_on_error=False,
            display="none",
        )
    assert log.location
    return Path(log.location)


def inspect_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Inspect's own command line, with no terminal to answer a prompt."""
    done = subprocess.run(
        [str(INSPECT), *args, "--display", "none"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done
