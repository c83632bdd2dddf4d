"""Contrasts stratified over identity slots, and rates per identity.

Each epoch of a run meets one counterbalanced identity slot: the names, titles and pronouns its
parties wear. A species effect carried by one identity (a gender or a name effect inside an arm)
shows here as a stratum unlike the others, and as a significant Breslow–Day test, where the
pooled contrast alone would hide it. Samples of logs that record no slot form one stratum,
`not recorded`, so nothing is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from analysis.logs import SampleOutcome
from analysis.stats import (
    CMHResult,
    ContrastResult,
    Proportion,
    cochran_mantel_haenszel,
    contrast,
    proportion,
    strata_from_counts,
)

NOT_RECORDED_SLOT = "not recorded"


class GroupRef(BaseModel):
    """Which report group a row belongs to (task × model × grader × scenario × outcome)."""

    task: str
    model: str
    grader: str
    scenario: str
    outcome: str


class IdentityStratum(BaseModel):
    """One identity slot of one contrast: each arm's count and the identities it met."""

    slot: int | None
    label: str
    identities_a: dict[str, list[str]]
    """Party → the identity ids arm A's samples met in this slot."""
    identities_b: dict[str, list[str]]
    result: ContrastResult | None
    """The slot's own contrast; None when an arm has no graded sample in it."""


class StratifiedContrast(BaseModel):
    """A contrast of one group, stratified over identity slots, with CMH and Breslow–Day."""

    group: GroupRef
    factor: str
    arm_a: str
    arm_b: str
    headline: bool
    strata: list[IdentityStratum]
    pooled: CMHResult
    """Mantel–Haenszel over the slots; `breslow_day` tests whether the odds ratio varies."""


class SlotBalance(BaseModel):
    """How often each arm of one group met each identity slot (every sample, graded or not).

    Counterbalancing holds when every arm meets every slot equally often; a run whose epochs are
    not a multiple of the pool size (or an arm selection, a retry, a pooled extra run) breaks it,
    and a species effect may then be confounded with the identities one arm met more often.
    """

    group: GroupRef
    pool_size: int
    counts: dict[str, dict[int, int]]
    """Arm → slot → samples."""

    @property
    def balanced(self) -> bool:
        cells = [
            self.counts[arm].get(slot, 0) for arm in self.counts for slot in range(self.pool_size)
        ]
        return len(set(cells)) <= 1


def slot_balance(
    group: GroupRef, samples: Sequence[SampleOutcome], pool_size: int | None
) -> SlotBalance | None:
    """Each arm's samples per identity slot; None when no sample records a slot (older logs).

    `pool_size` is the scenario's k where its files are known; otherwise the slots seen.
    """
    recorded = [s for s in samples if s.identity_slot is not None]
    if not recorded:
        return None
    seen = max(s.identity_slot for s in recorded if s.identity_slot is not None) + 1
    k = max(pool_size or 0, seen)
    counts: dict[str, dict[int, int]] = {}
    for s in samples:
        if s.identity_slot is None:
            continue
        arm = counts.setdefault(s.arm, {slot: 0 for slot in range(k)})
        arm[s.identity_slot] = arm.get(s.identity_slot, 0) + 1
    return SlotBalance(group=group, pool_size=k, counts=dict(sorted(counts.items())))


class IdentityRate(BaseModel):
    """The rate of one arm among the samples whose `party` wore identity `identity`."""

    group: GroupRef
    arm: str
    party: str
    identity: str
    slots: list[int]
    rate: Proportion


def _graded(samples: Sequence[SampleOutcome], outcome: str) -> list[SampleOutcome]:
    return [s for s in samples if s.status == "graded" and outcome in s.outcomes]


def _positive(samples: Sequence[SampleOutcome], outcome: str) -> int:
    return sum(1 for s in samples if s.outcomes[outcome] == "positive")


def _met(samples: Sequence[SampleOutcome]) -> dict[str, list[str]]:
    met: dict[str, set[str]] = defaultdict(set)
    for s in samples:
        for party, identity in s.identities.items():
            met[party].add(identity)
    return {party: sorted(ids) for party, ids in sorted(met.items())}


def _slot_label(slot: int | None, a: dict[str, list[str]], b: dict[str, list[str]]) -> str:
    if slot is None:
        return NOT_RECORDED_SLOT
    worn = [f"{p}: {'/'.join(ids)}" for p, ids in a.items()]
    worn += [f"{p}: {'/'.join(ids)}" for p, ids in b.items() if a.get(p) != ids]
    return f"slot {slot}" + (f" ({'; '.join(worn)})" if worn else "")


def _slot_order(slot: int | None) -> tuple[int, int]:
    return (1, 0) if slot is None else (0, slot)


def stratify(
    group: GroupRef,
    contrasts: Sequence[tuple[str, str, str, bool]],
    samples: Sequence[SampleOutcome],
) -> list[StratifiedContrast]:
    """Every contrast `(factor, arm A, arm B, headline)` of one group, over identity slots.

    Empty when no sample of the group records a slot (older logs): there is nothing to stratify.
    """
    if all(s.identity_slot is None for s in samples):
        return []
    graded = _graded(samples, group.outcome)
    cells: dict[tuple[str, int | None], list[SampleOutcome]] = defaultdict(list)
    for s in graded:
        cells[(s.arm, s.identity_slot)].append(s)
    slots = sorted({s.identity_slot for s in samples}, key=_slot_order)
    rows: list[StratifiedContrast] = []
    for factor, arm_a, arm_b, headline in contrasts:
        strata: list[IdentityStratum] = []
        counts: list[tuple[int, int, int, int]] = []
        for slot in slots:
            in_a, in_b = cells.get((arm_a, slot), []), cells.get((arm_b, slot), [])
            k_a, k_b = _positive(in_a, group.outcome), _positive(in_b, group.outcome)
            met_a, met_b = _met(in_a), _met(in_b)
            result = (
                contrast(k_a, len(in_a), k_b, len(in_b), label_a=arm_a, label_b=arm_b)
                if in_a and in_b
                else None
            )
            strata.append(
                IdentityStratum(
                    slot=slot,
                    label=_slot_label(slot, met_a, met_b),
                    identities_a=met_a,
                    identities_b=met_b,
                    result=result,
                )
            )
            counts.append((k_a, len(in_a), k_b, len(in_b)))
        rows.append(
            StratifiedContrast(
                group=group,
                factor=factor,
                arm_a=arm_a,
                arm_b=arm_b,
                headline=headline,
                strata=strata,
                pooled=cochran_mantel_haenszel(strata_from_counts(counts)),
            )
        )
    return rows


def identity_rates(group: GroupRef, samples: Sequence[SampleOutcome]) -> list[IdentityRate]:
    """Each arm's rate per party and identity worn, where the samples record identities."""
    graded = _graded(samples, group.outcome)
    cells: dict[tuple[str, str, str], list[SampleOutcome]] = defaultdict(list)
    for s in graded:
        for party, identity in s.identities.items():
            cells[(s.arm, party, identity)].append(s)
    return [
        IdentityRate(
            group=group,
            arm=arm,
            party=party,
            identity=identity,
            slots=sorted({s.identity_slot for s in cell if s.identity_slot is not None}),
            rate=proportion(_positive(cell, group.outcome), len(cell)),
        )
        for (arm, party, identity), cell in sorted(cells.items())
    ]
