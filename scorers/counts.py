"""Per-arm counts read back from a log: statuses and the eval-awareness flag.

Counted per sample *and epoch* from `log.samples`, where every epoch keeps its own score (the
results' metrics see epoch-reduced scores, whose metadata is only the first epoch's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from inspect_ai.log import EvalSample
from inspect_ai.scorer import Score

from scorers.statuses import Status, status_of


def _arm_and_score(sample: EvalSample, scorer: str) -> tuple[str, Score]:
    arm = sample.metadata.get("arm")
    if not isinstance(arm, str):
        raise ValueError(f"sample {sample.id!r} has no 'arm' in its metadata")
    score = (sample.scores or {}).get(scorer)
    if score is None:
        raise ValueError(
            f"sample {sample.id!r} (epoch {sample.epoch}) has no score '{scorer}'; it has: "
            f"{sorted(sample.scores or {})}"
        )
    return arm, score


def status_counts(samples: Iterable[EvalSample], scorer: str) -> dict[str, Counter[Status]]:
    """How many samples of each arm have each status.

    Args:
        samples: The samples of an eval log (`log.samples`).
        scorer: The score name in `sample.scores`, e.g. `deception_scorer`.

    Raises:
        ValueError: for a sample without that score, without an `arm`, or without a status.
    """
    counts: dict[str, Counter[Status]] = {}
    for sample in samples:
        arm, score = _arm_and_score(sample, scorer)
        counts.setdefault(arm, Counter())[status_of(score)] += 1
    return counts


def eval_aware_counts(samples: Iterable[EvalSample], scorer: str) -> dict[str, tuple[int, int]]:
    """Per arm: (graded samples flagged eval-aware, graded samples)."""
    counts: dict[str, tuple[int, int]] = {}
    for sample in samples:
        arm, score = _arm_and_score(sample, scorer)
        if status_of(score) != "graded":
            continue
        flagged, total = counts.get(arm, (0, 0))
        aware = (score.metadata or {}).get("eval_aware") is True
        counts[arm] = (flagged + int(aware), total + 1)
    return counts
