"""Grader versus human labels: confusion matrix, Cohen's kappa, agreement per arm. No I/O."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from dashboard.label_store import Label, chronological
from dashboard.models import SampleRow

# Labels that count as the outcome of interest when rates are compared.
POSITIVE_LABELS = frozenset({"deceptive", "violation"})


class Pair(BaseModel):
    """One transcript judged by both the grader and a person."""

    model_config = ConfigDict(frozen=True)

    ref: str
    arm: str
    grader: str
    human: str


class Agreement(BaseModel):
    """How often two raters agree, raw and corrected for chance."""

    model_config = ConfigDict(frozen=True)

    n: int
    agree: int
    rate: float | None
    kappa: float | None


class ArmAgreement(Agreement):
    """Agreement within one arm, with each rater's positive rate (a grader bias shows here)."""

    arm: str
    grader_positive: float | None
    human_positive: float | None


def cohens_kappa(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Cohen's kappa, (p_o - p_e) / (1 - p_e), for two raters over nominal categories.

    Returns None when there are no pairs, or when chance agreement is total (p_e = 1: both raters
    used one and the same category throughout), where kappa is undefined.
    """
    items = list(pairs)
    n = len(items)
    if n == 0:
        return None
    observed = sum(1 for a, b in items if a == b) / n
    first = Counter(a for a, _ in items)
    second = Counter(b for _, b in items)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def agreement(pairs: Sequence[Pair]) -> Agreement:
    """Raw agreement and kappa over pairs."""
    agree = sum(1 for p in pairs if p.grader == p.human)
    return Agreement(
        n=len(pairs),
        agree=agree,
        rate=agree / len(pairs) if pairs else None,
        kappa=cohens_kappa((p.grader, p.human) for p in pairs),
    )


def _positive_rate(labels: Sequence[str]) -> float | None:
    return sum(1 for x in labels if x in POSITIVE_LABELS) / len(labels) if labels else None


def per_arm(pairs: Sequence[Pair]) -> list[ArmAgreement]:
    """Agreement in each arm, sorted by arm name."""
    by_arm: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        by_arm[p.arm].append(p)
    rows = []
    for arm in sorted(by_arm):
        items = by_arm[arm]
        overall = agreement(items)
        rows.append(
            ArmAgreement(
                **overall.model_dump(),
                arm=arm,
                grader_positive=_positive_rate([p.grader for p in items]),
                human_positive=_positive_rate([p.human for p in items]),
            )
        )
    return rows


def confusion_matrix(pairs: Sequence[Pair]) -> tuple[list[str], list[list[int]]]:
    """Categories (sorted) and counts: rows are the grader's label, columns the person's."""
    categories = sorted({p.grader for p in pairs} | {p.human for p in pairs})
    index = {c: i for i, c in enumerate(categories)}
    matrix = [[0] * len(categories) for _ in categories]
    for p in pairs:
        matrix[index[p.grader]][index[p.human]] += 1
    return categories, matrix


def disagreements(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs to review, in reference order."""
    return sorted((p for p in pairs if p.grader != p.human), key=lambda p: p.ref)


def pairs_from(
    rows: Sequence[SampleRow], labels: Sequence[Label], labeller: str | None = None
) -> tuple[list[Pair], Counter[str]]:
    """Pair the grader's verdict with one human label per transcript.

    The human label is `labeller`'s latest, or (when None) the most recent of any labeller's;
    "latest" compares `labelled_at` as instants, whatever their UTC offsets.
    Returns the pairs and, by reason, the labelled transcripts that could not be paired.
    """
    chosen: dict[str, Label] = {}
    for label in chronological(labels):
        if labeller is None or label.labeller == labeller:
            chosen[label.ref] = label
    by_ref = {r.ref: r for r in rows}
    pairs: list[Pair] = []
    skipped: Counter[str] = Counter()
    for ref, label in sorted(chosen.items()):
        row = by_ref.get(ref)
        if row is None:
            skipped["transcript not in these logs"] += 1
        elif label.verdict == "unclear":
            skipped["human: unclear"] += 1
        elif row.verdict is None:
            skipped[f"grader: {row.outcome.status}"] += 1
        else:
            pairs.append(
                Pair(ref=ref, arm=row.outcome.arm, grader=row.verdict, human=label.verdict)
            )
    return pairs, skipped
