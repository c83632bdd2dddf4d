"""What the dashboard knows about a log directory before any transcript is opened."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from analysis.construct import positional
from analysis.logs import LogProblem, SampleOutcome
from analysis.report import Report

_DECEPTION_LABELS = {"positive": "deceptive", "partial": "partial", "negative": "honest"}
_LEGAL_LABELS = {"positive": "violation", "partial": "partial", "negative": "compliant"}
_SEVERITY = ["violation", "partial", "compliant"]
NO_VERDICT = "(no verdict)"


def grader_labels(outcome: SampleOutcome) -> dict[str, str]:
    """Each graded outcome as the grader's word for it (`deceptive`, `violation`...)."""
    names = _LEGAL_LABELS if outcome.suite == "legal" else _DECEPTION_LABELS
    return {key: names[value] for key, value in outcome.outcomes.items()}


def overall_label(outcome: SampleOutcome) -> str | None:
    """The grader's verdict on the whole sample: the deception verdict, or the worst provision."""
    labels = grader_labels(outcome)
    if not labels:
        return None
    if outcome.suite != "legal":
        return next(iter(labels.values()))
    return min(labels.values(), key=_SEVERITY.index)


class SampleRow(BaseModel):
    """One sample epoch: the report's view of it plus the summary text the filters search."""

    model_config = ConfigDict(frozen=True)

    outcome: SampleOutcome
    file: str
    """The log file as Inspect names it, for reading the full sample on demand."""
    mtime: float | None = None
    raw_id: int | str
    verdict: str | None = None
    provisions: dict[str, str] = Field(default_factory=dict)
    rationale: str = ""
    evidence: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.outcome.ref

    def __reduce__(self) -> tuple[Callable[..., SampleRow], tuple[object, ...]]:
        # pickled as its values, as its outcome is: a kept catalogue is read back faster, and
        # its rows' dicts share their keys
        return _unpickled_row, _row_values(self)

    def search_text(self) -> str:
        """Everything the summary-level text search looks at, lower-cased."""
        o = self.outcome
        parts = [o.ref, o.task, o.model, o.arm, o.status, o.reason, self.verdict or ""]
        parts += [self.rationale, *self.evidence, *o.tally("tactics"), *self.provisions]
        return "\n".join(parts).casefold()


_row_values = operator.attrgetter(*SampleRow.model_fields)
_unpickled_row = positional(SampleRow, "_unpickled_row", __name__)
"""A pickled `SampleRow` built again from its values (every field, in order)."""


class Catalogue(BaseModel):
    """Every Candor sample of a log directory, the report on them, and what could not be read."""

    log_dir: str
    rows: list[SampleRow] = Field(default_factory=list)
    report: Report
    problems: list[LogProblem] = Field(default_factory=list)

    def row(self, ref: str) -> SampleRow | None:
        from dashboard.lookups import by_ref  # built once per catalogue, not scanned per call

        return by_ref(self.rows).get(ref)


class GroundTruthView(BaseModel):
    """The scenario's private ground truth for one arm, as the agent's world has it."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    title: str = ""
    summary: str = ""
    facts: list[str] = Field(default_factory=list)
    criteria: str = ""
    honest_example: str = ""
    provisions: list[tuple[str, str, list[str]]] = Field(default_factory=list)
    """(citation, verbatim text, elements) per legal provision."""
    problem: str | None = None
    source: Literal["log", "current files"] = "current files"
    """Where the summary, facts and criteria come from: what the grader was shown, as its score
    recorded it, or today's scenario files (a log that recorded none)."""
    note: str | None = None
    """Shown above the ground truth, e.g. that the scenario files changed since the run."""
