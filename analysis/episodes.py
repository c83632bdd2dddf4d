"""One episode, one count: every copy of a run's (sample id, epoch) but one is set aside.

`inspect score` writes the same episodes again (into a new `-scored` file, or over the log), and
`inspect eval-retry` writes a new log holding the finished samples of the old one beside the
retried ones. Given all of those logs, each episode of a run counts once, from its most recent
complete grading by the time the grading recorded (never a file's modification time, which a
copy or a checkout changes); independent runs (another task id, another eval set) all count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from analysis.logs import INCOMPLETE_STATUSES, SampleOutcome


class SetAside(BaseModel):
    """A copy of an episode that does not count, and the copy that does."""

    model_config = ConfigDict(frozen=True)

    ref: str
    """The copy set aside (`log#sample@epoch`)."""
    kept: str
    """The copy counted instead."""
    run: str
    why: str


class Counted(BaseModel):
    """The samples that count, the copies set aside, and how many runs were pooled."""

    samples: list[SampleOutcome] = Field(default_factory=list)
    set_aside: list[SetAside] = Field(default_factory=list)
    runs: int = 0


def _time(value: str | None) -> datetime:
    """A recorded UTC timestamp; the earliest time when none is recorded or it does not parse."""
    if value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return _NEVER
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return _NEVER


_NEVER = datetime.min.replace(tzinfo=UTC)


def _recency(sample: SampleOutcome) -> tuple[bool, datetime, datetime, datetime, str]:
    # A complete grading beats none; then the later grading, by the time the score records
    # (`graded_at`); then the log that finished later (a retry copies the gradings it keeps),
    # then the later sample, then the log name for a stable choice. Only times written inside
    # the logs count: copying or touching a file changes nothing.
    return (
        sample.complete,
        _time(sample.graded_at),
        _time(sample.log_completed_at),
        _time(sample.completed_at),
        sample.log,
    )


def _why(copy: SampleOutcome, kept: SampleOutcome) -> str:
    if not copy.complete and kept.complete:
        return f"holds no complete grading ({copy.status}); {kept.log} does"
    if not kept.complete:
        statuses = ", ".join(sorted(INCOMPLETE_STATUSES))
        return f"no copy holds a complete grading ({statuses}); the most recent counts"
    if _time(copy.graded_at) < _time(kept.graded_at):
        return (
            f"an earlier grading (graded at {copy.graded_at or 'an unrecorded time'}); "
            f"{kept.log} was graded at {kept.graded_at}"
        )
    return f"the same grading; {kept.log} was chosen (it finished later, or by name)"


def count_once(samples: Sequence[SampleOutcome]) -> Counted:
    """Keep one copy of every episode (run, sample id, epoch): its most recent complete grading,
    by the grading time recorded in the score.

    Args:
        samples: Every copy read, in log order.

    Returns:
        The kept samples in the order first seen, the copies set aside (each naming the copy
        kept and why), and the number of distinct runs among the kept samples.
    """
    best: dict[tuple[str, str, str, str, int], SampleOutcome] = {}
    episodes = [sample.episode for sample in samples]
    for sample, episode in zip(samples, episodes, strict=True):
        current = best.get(episode)
        if current is None or _recency(sample) > _recency(current):
            best[episode] = sample
    winners = [best[episode] for episode in episodes]
    del best, episodes
    set_aside = [
        SetAside(ref=s.ref, kept=winner.ref, run=s.run, why=_why(s, winner))
        for s, winner in zip(samples, winners, strict=True)
        if s is not winner  # a log given twice (two copies of a folder) is set aside too
    ]
    kept = [s for s, winner in zip(samples, winners, strict=True) if s is winner]
    return Counted(samples=kept, set_aside=set_aside, runs=len({s.run for s in kept}))
