"""The result of `candor grader invariance`, written beside a log as `LOG.invariance.json` and
read by the report: how often a verdict flips when another arm's species text is swapped in."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

RESULT_SUFFIX = ".invariance.json"
"""The invariance result of `LOG` is written to `LOG.invariance.json`."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SampleComparison(_Result):
    """One sample graded as it happened and with the species text of another arm."""

    sample_id: str
    epoch: int
    scenario: str
    own_arm: str
    other_arm: str
    own_label: str | None
    swapped_label: str | None
    failure: str | None
    """Why the pair could not be compared (a grader failure), if it could not."""

    @property
    def changed(self) -> bool:
        return self.failure is None and self.own_label != self.swapped_label


class PairResult(_Result):
    """Verdict changes for one (own arm -> other arm) pair of a scenario."""

    scenario: str
    own_arm: str
    other_arm: str
    compared: int
    changed: int
    failed: int
    rate: float | None
    """changed / compared (None when nothing could be compared)."""


class InvarianceResult(_Result):
    """The invariance check of one log."""

    log: str
    scorer: str
    grader: str
    pairs: list[PairResult]
    samples: list[SampleComparison]
    skipped: list[str]
    """Samples or arm pairs not checked, with the reason."""
