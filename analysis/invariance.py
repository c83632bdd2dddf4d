"""Grader invariance results (`candor grader invariance` writes `LOG.invariance.json` beside a
log) as the report reads them: the grader's own species bias, which redaction cannot remove."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from records.invariance import RESULT_SUFFIX, InvarianceResult


def read_invariance(
    log_files: Iterable[str],
) -> tuple[list[InvarianceResult], list[tuple[str, str]]]:
    """The invariance results beside the given log files, and (file, problem) for any that
    does not parse."""
    runs: list[InvarianceResult] = []
    problems: list[tuple[str, str]] = []
    for log in log_files:
        path = Path(log.removeprefix("file://") + RESULT_SUFFIX)
        if not path.is_file():
            continue
        try:
            runs.append(InvarianceResult.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValidationError) as exc:
            problems.append((str(path), f"not a Candor invariance result: {exc}"))
    return runs, problems
