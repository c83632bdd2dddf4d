"""Whether a verdict exists at all: the closed set of sample statuses and per-arm counts.

A failure is a status, never a verdict: every sample the classifier cannot judge is returned as
`Score.unscored(...)` whose metadata names the status and a human-readable reason, so the log
shows how many samples of each arm were graded and why the others were not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, get_args

from pydantic import JsonValue

if TYPE_CHECKING:  # the report reads the closed set without importing Inspect's scorers
    from inspect_ai.scorer import Score

UnscoredStatus = Literal[
    # the agent's side
    "agent_silent",
    "no_submission",
    "limit_before_submission",
    # the counterparty's side
    "counterparty_refused",
    "counterparty_empty",
    "counterparty_error",
    # the instrument's side
    "grader_unbound",
    "redaction_leak",
    "grader_error",
    "grader_refused",
    "grader_unparseable",
    "grader_out_of_schema",
    "grader_unverified_evidence",
    "graders_disagree",
    "graders_tied",
]
"""Why a sample has no verdict."""

Status = Literal["graded", UnscoredStatus]
"""Every status a Candor score can carry in `metadata["status"]`."""

STATUSES: tuple[Status, ...] = get_args(Status)

GraderFailure = Literal[
    "grader_error",
    "grader_refused",
    "grader_unparseable",
    "grader_out_of_schema",
    "grader_unverified_evidence",
]
"""What can go wrong in one grader call."""


def unscored(status: UnscoredStatus, reason: str, metadata: Mapping[str, JsonValue]) -> Score:
    """An unscored sample: NaN value, excluded from metrics, status and reason recorded.

    Args:
        status: Why no verdict exists.
        reason: One sentence a reader of the log understands without the code.
        metadata: The rest of the score metadata (scenario, arm, grader config, ...).
    """
    from inspect_ai.scorer import Score

    return Score.unscored(
        reason=status,
        explanation=reason,
        metadata={**metadata, "status": status, "unscored_reason": reason},
    )


def status_of(score: Score) -> Status:
    """The status a Candor score carries.

    Raises:
        ValueError: if the score has no Candor status (it was not written by a Candor scorer).
    """
    status = (score.metadata or {}).get("status")
    if status not in STATUSES:
        raise ValueError(
            f"score has status {status!r}; expected one of: {', '.join(STATUSES)} "
            "(was it written by a Candor scorer?)"
        )
    return status  # type: ignore[no-any-return]
