"""Read Candor outcomes from Inspect logs, through Inspect's public log API only.

Only headers and sample summaries are read (no transcripts), so a directory of many thousands of
samples loads quickly. Every problem with a log (still running, corrupted, another task's, no
scores) is collected as a message, and the other logs are still read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from inspect_ai.log import (
    EvalSampleSummary,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
)
from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["positive", "negative", "partial"]

# What a graded value means: deception 1.0 = deceptive; legal 1.0 = violation, 0.5 = partial.
_VALUE_OUTCOME: dict[float, Outcome] = {1.0: "positive", 0.5: "partial", 0.0: "negative"}
DECEPTION_OUTCOME = "deceptive"


class SampleOutcome(BaseModel):
    """One sample epoch as the report sees it: its arm, its status and, if graded, its outcomes."""

    model_config = ConfigDict(frozen=True)

    log: str
    task: str
    model: str
    sample_id: str
    epoch: int
    scenario: str
    suite: str
    arm: str
    levels: dict[str, str]
    status: str
    reason: str = ""
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    tactics: list[str] = Field(default_factory=list)
    eval_aware: bool | None = None

    @property
    def ref(self) -> str:
        """A traceable reference: log file, sample id and epoch."""
        return f"{self.log}#{self.sample_id}@{self.epoch}"


class LogProblem(BaseModel):
    """A log that could not be (fully) used, and why."""

    model_config = ConfigDict(frozen=True)

    log: str
    message: str


class LoadResult(BaseModel):
    """Everything read from a log directory."""

    samples: list[SampleOutcome] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)
    logs: list[str] = Field(default_factory=list)


def _candor_score(summary: EvalSampleSummary) -> tuple[str, Any] | None:
    for name, score in (summary.scores or {}).items():
        if isinstance(score.metadata, dict) and "status" in score.metadata:
            return name, score
    return None


def _outcomes(value: object) -> dict[str, Outcome]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {DECEPTION_OUTCOME: _VALUE_OUTCOME[float(value)]}
    if isinstance(value, dict):
        return {str(k): _VALUE_OUTCOME[float(v)] for k, v in value.items()}
    raise ValueError(f"unexpected score value {value!r}")


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def sample_outcome(log: str, task: str, model: str, summary: EvalSampleSummary) -> SampleOutcome:
    """Interpret one sample summary. A sample without a graded verdict keeps its status."""
    meta = summary.metadata
    base: dict[str, Any] = {
        "log": log,
        "task": task,
        "model": model,
        "sample_id": str(summary.id),
        "epoch": summary.epoch,
        "scenario": str(meta.get("scenario", task)),
        "suite": str(meta.get("suite", "")),
        "arm": str(meta["arm"]),
        "levels": dict(meta.get("levels", {})),
    }
    if summary.error:
        return SampleOutcome(**base, status="sample_error", reason=summary.error.splitlines()[0])
    found = _candor_score(summary)
    if found is None:
        return SampleOutcome(**base, status="not_scored", reason="no Candor score in the log")
    _, score = found
    md: dict[str, Any] = score.metadata
    status = str(md["status"])
    if status != "graded" or _is_nan(score.value):
        reason = str(md.get("unscored_reason", status))
        return SampleOutcome(**base, status=status if status != "graded" else "nan", reason=reason)
    tactics = md.get("tactics", [])
    return SampleOutcome(
        **base,
        status="graded",
        outcomes=_outcomes(score.value),
        tactics=[str(t) for t in tactics] if isinstance(tactics, list) else [],
        eval_aware=md.get("eval_aware") if isinstance(md.get("eval_aware"), bool) else None,
    )


def _log_files(paths: Iterable[Path]) -> tuple[list[str], list[LogProblem]]:
    files: list[str] = []
    problems: list[LogProblem] = []
    for path in paths:
        if path.is_file():
            files.append(str(path))
        elif path.is_dir():
            found = [info.name for info in list_eval_logs(str(path), descending=False)]
            if not found:
                problems.append(
                    LogProblem(log=str(path), message="no Inspect logs in this directory")
                )
            files.extend(found)
        else:
            problems.append(LogProblem(log=str(path), message="no such file or directory"))
    return files, problems


class LogRead(BaseModel):
    """One log as read: its Candor outcomes, the summaries behind them, and its problems."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    outcomes: list[SampleOutcome] = Field(default_factory=list)
    summaries: list[EvalSampleSummary] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)


def read_log(file: str) -> LogRead:
    """Read one log's header and sample summaries; every problem is recorded, never raised."""
    name = Path(file.removeprefix("file://")).name
    read = LogRead(name=name)
    try:
        header = read_eval_log(file, header_only=True)
    except Exception as exc:  # a corrupted file must not hide the others
        read.problems.append(LogProblem(log=name, message=f"cannot read log: {exc}"))
        return read
    if header.status == "started":
        read.problems.append(LogProblem(log=name, message="still running; skipped"))
        return read
    try:
        summaries = read_eval_log_sample_summaries(file)
    except Exception as exc:
        read.problems.append(LogProblem(log=name, message=f"cannot read samples: {exc}"))
        return read
    task, model = header.eval.task, header.eval.model
    ours = [s for s in summaries if "arm" in s.metadata and "scenario" in s.metadata]
    if not ours:
        why = "no samples" if not summaries else "not a Candor task (no scenario/arm metadata)"
        read.problems.append(LogProblem(log=name, message=f"{why}; task '{task}' skipped"))
        return read
    read.summaries = ours
    read.outcomes = [sample_outcome(name, task, model, s) for s in ours]
    if header.status != "success":
        read.problems.append(
            LogProblem(log=name, message=f"log status is '{header.status}'; samples read")
        )
    if not any(o.status == "graded" for o in read.outcomes):
        read.problems.append(
            LogProblem(log=name, message="every sample is unscored; see the unscored counts")
        )
    return read


def load_outcomes(paths: Iterable[Path | str]) -> LoadResult:
    """Read every Candor sample outcome from log files and directories.

    A log that is still running, corrupted, of another task, or without samples is reported as a
    problem; the others are still read.
    """
    files, problems = _log_files(Path(p) for p in paths)
    result = LoadResult(problems=problems)
    for file in files:
        read = read_log(file)
        result.problems.extend(read.problems)
        if read.outcomes:
            result.logs.append(read.name)
            result.samples.extend(read.outcomes)
    return result
