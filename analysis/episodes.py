"""One episode, one count: every copy of a run's (sample id, epoch) but one is set aside.

`inspect score` writes the same episodes again (into a new `-scored` file, or over the log), and
`inspect eval-retry` writes a new log holding the finished samples of the old one beside the
retried ones. Given all of those logs, each episode of a run counts once, from its most recent
complete grading; independent runs (another task id, another eval set) all count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def _recency(
    sample: SampleOutcome, log_mtimes: Mapping[str, float]
) -> tuple[bool, float, str, str]:
    # A complete grading beats none; then the later log (a re-grade or a retry is written after
    # the log it reads), then the later sample, then the log name for a stable choice.
    return (
        sample.complete,
        log_mtimes.get(sample.log, 0.0),
        sample.completed_at or "",
        sample.log,
    )


def _why(copy: SampleOutcome, kept: SampleOutcome, log_mtimes: Mapping[str, float]) -> str:
    if not copy.complete and kept.complete:
        return f"holds no complete grading ({copy.status}); {kept.log} does"
    if not kept.complete:
        statuses = ", ".join(sorted(INCOMPLETE_STATUSES))
        return f"no copy holds a complete grading ({statuses}); the most recent counts"
    if log_mtimes.get(copy.log, 0.0) < log_mtimes.get(kept.log, 0.0):
        return f"an earlier grading; {kept.log} was written later"
    return f"the same episode; {kept.log} was chosen (same time)"


def count_once(samples: Sequence[SampleOutcome], log_mtimes: Mapping[str, float]) -> Counted:
    """Keep one copy of every episode (run, sample id, epoch): its most recent complete grading.

    Args:
        samples: Every copy read, in log order.
        log_mtimes: Each log's modification time, by log name.

    Returns:
        The kept samples in the order first seen, the copies set aside (each naming the copy
        kept and why), and the number of distinct runs among the kept samples.
    """
    best: dict[tuple[str, str, str, str, int], SampleOutcome] = {}
    for sample in samples:
        current = best.get(sample.episode)
        if current is None or _recency(sample, log_mtimes) > _recency(current, log_mtimes):
            best[sample.episode] = sample
    set_aside = [
        SetAside(
            ref=s.ref,
            kept=best[s.episode].ref,
            run=s.run,
            why=_why(s, best[s.episode], log_mtimes),
        )
        for s in samples
        if s is not best[s.episode]  # a log given twice (two copies of a folder) is set aside too
    ]
    kept = [s for s in samples if s is best[s.episode]]
    return Counted(samples=kept, set_aside=set_aside, runs=len({s.run for s in kept}))
