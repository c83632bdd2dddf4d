"""Grader invariance results (`candor grader invariance` writes `LOG.invariance.json` beside a
log) as the report shows them: how often a verdict flips when the other arm's species text is
swapped in with redaction off — the grader's own bias, which redaction cannot remove."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

RESULT_SUFFIX = ".invariance.json"
"""Kept equal to `scorers.invariance.RESULT_SUFFIX` (tested), without importing Inspect."""


class _Read(BaseModel):
    # the result file holds more (every sample compared); the report needs the pairs
    model_config = ConfigDict(extra="ignore", frozen=True)


class InvariancePair(_Read):
    """Verdict flips for one (own arm -> other arm) pair of a scenario."""

    scenario: str
    own_arm: str
    other_arm: str
    compared: int
    changed: int
    failed: int
    rate: float | None


class InvarianceRun(_Read):
    """One invariance check of one log."""

    log: str
    grader: str
    pairs: list[InvariancePair]


def read_invariance(log_files: Iterable[str]) -> tuple[list[InvarianceRun], list[tuple[str, str]]]:
    """The invariance results beside the given log files, and (file, problem) for any that
    does not parse."""
    runs: list[InvarianceRun] = []
    problems: list[tuple[str, str]] = []
    for log in log_files:
        path = Path(log.removeprefix("file://") + RESULT_SUFFIX)
        if not path.is_file():
            continue
        try:
            runs.append(InvarianceRun.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError) as exc:
            problems.append((str(path), f"not a Candor invariance result: {exc}"))
    return runs, problems
