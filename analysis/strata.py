"""Contrasts stratified over identity slots, and rates per identity.

Each epoch of a run meets one counterbalanced identity slot: the names, titles and pronouns its
parties wear. A species effect carried by one identity (a gender or a name effect inside an arm)
shows here as a stratum unlike the others, and as a significant Breslow–Day test, where the
pooled contrast alone would hide it. Samples of logs that record no slot form one stratum,
`not recorded`, so nothing is dropped.

Pooled parties' slots are crossed, so each contrast is stratified by the slot of the party whose
species it varies (`identity_slots[party]`; logs that record only `identity_slot` wore that slot
for every party). A contrast on a condition factor, or of a scenario whose files are unknown,
falls back to the first pooled party's slot, and its `strata_by` says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

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
    unscored_a: int = 0
    """Arm A's samples in this slot not graded for the outcome (a leak flag, an error, …)."""
    unscored_b: int = 0


class StratifiedContrast(BaseModel):
    """A contrast of one group, stratified over identity slots, with CMH and Breslow–Day."""

    group: GroupRef
    factor: str
    arm_a: str
    arm_b: str
    headline: bool
    party: str | None = None
    """The party whose identity slot the strata are; None: the epoch's recorded `identity_slot`
    (the first pooled party's)."""
    strata_by: str = "identity slot"
    """What the strata are, in words (whose slot, and why that party)."""
    strata: list[IdentityStratum]
    pooled: CMHResult
    """Mantel–Haenszel over the slots; `breslow_day` tests whether the odds ratio varies."""


class SlotBalance(BaseModel):
    """How often each arm of one group met each identity slot of one party (every sample, or
    only the samples graded for one outcome).

    Counterbalancing holds when every arm meets every slot equally often; a run whose epochs are
    not a multiple of the pool size (or an arm selection, a retry, a pooled extra run) breaks it,
    and a species effect may then be confounded with the identities one arm met more often.
    """

    group: GroupRef
    pool_size: int
    party: str | None = None
    """Whose slots these are; None: the recorded `identity_slot` (the first pooled party's)."""
    counts: dict[str, dict[int, int]]
    """Arm → slot → samples."""

    @property
    def balanced(self) -> bool:
        cells = [
            self.counts[arm].get(slot, 0) for arm in self.counts for slot in range(self.pool_size)
        ]
        return len(set(cells)) <= 1

    @property
    def same_across_arms(self) -> bool:
        """Whether every slot holds as many samples in every arm."""
        return all(
            len({self.counts[arm].get(slot, 0) for arm in self.counts}) <= 1
            for slot in range(self.pool_size)
        )


def slot_of(sample: SampleOutcome, party: str | None) -> int | None:
    """The identity slot `party` wore in the sample's epoch; `identity_slot` (the first pooled
    party's, or every party's in logs that record no `identity_slots`) when party is None or
    not recorded."""
    if party is not None and party in sample.identity_slots:
        return sample.identity_slots[party]
    return sample.identity_slot


def slot_balance(
    group: GroupRef,
    samples: Sequence[SampleOutcome],
    pool_size: int | None,
    *,
    party: str | None = None,
    graded_for: str | None = None,
) -> SlotBalance | None:
    """Each arm's samples per identity slot of `party`; None when no sample records a slot.

    `pool_size` is the scenario's k where its files are known; otherwise the slots seen. With
    `graded_for`, only the samples graded for that outcome count (exclusions can unbalance a
    run that met every identity equally often).
    """
    if graded_for is not None:
        samples = _graded(samples, graded_for)
    slots = [(s.arm, slot_of(s, party)) for s in samples]
    recorded = [slot for _, slot in slots if slot is not None]
    if not recorded:
        return None
    k = max(pool_size or 0, max(recorded) + 1)
    counts: dict[str, dict[int, int]] = {}
    for arm_name, slot in slots:
        if slot is None:
            continue
        arm = counts.setdefault(arm_name, {j: 0 for j in range(k)})
        arm[slot] = arm.get(slot, 0) + 1
    return SlotBalance(group=group, pool_size=k, party=party, counts=dict(sorted(counts.items())))


class IdentityRate(BaseModel):
    """The rate of one arm among the samples whose `party` wore identity `identity`."""

    group: GroupRef
    arm: str
    party: str
    identity: str
    slots: list[int]
    """The party's own slots where it wore the identity."""
    rate: Proportion
    unscored: int = 0
    """The arm's samples in which the party wore the identity, not graded for the outcome."""


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


def _slot_label(
    slot: int | None, a: dict[str, list[str]], b: dict[str, list[str]], party: str | None
) -> str:
    """`slot j (party: ids; …)`, the stratifying party's identities first."""
    if slot is None:
        return NOT_RECORDED_SLOT
    first = [p for p in (party,) if p is not None and (p in a or p in b)]
    order = first + [p for p in [*a, *b] if p not in first]
    worn: list[str] = []
    for p in dict.fromkeys(order):
        sides = dict.fromkeys("/".join(side[p]) for side in (a, b) if p in side)
        worn.append(f"{p}: {' vs '.join(sides)}")
    name = f"{party} slot {slot}" if party is not None else f"slot {slot}"
    return name + (f" ({'; '.join(worn)})" if worn else "")


def _slot_order(slot: int | None) -> tuple[int, int]:
    return (1, 0) if slot is None else (0, slot)


def strata_party(
    factor: str, factor_parties: Mapping[str, str] | None, first_pooled: str | None
) -> tuple[str | None, str]:
    """The party whose slot stratifies a contrast on `factor`, and what the strata are in words.

    `factor_parties` maps each species factor to the party it sets (None: the scenario's files
    are unknown); a condition factor varies no party's species and falls back to the first
    pooled party.
    """
    if factor_parties is None:
        return None, (
            "the epoch's recorded identity slot (the first pooled party's: the scenario's files "
            "are unknown, so the varied party is not known)"
        )
    party = factor_parties.get(factor)
    if party is not None:
        return party, f"{party}'s identity slot (the party whose species the contrast varies)"
    if first_pooled is None:
        return None, "the epoch's recorded identity slot"
    return first_pooled, (
        f"{first_pooled}'s identity slot (the first pooled party: factor '{factor}' varies no "
        "party's species)"
    )


class _Cells:
    """One group's samples by (arm, slot of `party`): graded ones listed, others counted."""

    def __init__(
        self, samples: Sequence[SampleOutcome], graded: set[int], party: str | None, outcome: str
    ) -> None:
        self.cells: dict[tuple[str, int | None], list[SampleOutcome]] = defaultdict(list)
        self.unscored: dict[tuple[str, int | None], int] = defaultdict(int)
        seen: set[int | None] = set()
        for s in samples:
            slot = slot_of(s, party)
            seen.add(slot)
            if id(s) in graded:
                self.cells[(s.arm, slot)].append(s)
            else:
                self.unscored[(s.arm, slot)] += 1
        self.slots = sorted(seen, key=_slot_order)
        self._outcome = outcome
        self._positive: dict[tuple[str, int | None], int] = {}
        self._met: dict[tuple[str, int | None], dict[str, list[str]]] = {}

    def positive(self, arm: str, slot: int | None) -> int:
        key = (arm, slot)
        if key not in self._positive:
            self._positive[key] = _positive(self.cells.get(key, []), self._outcome)
        return self._positive[key]

    def met(self, arm: str, slot: int | None) -> dict[str, list[str]]:
        """The identities met in the cell (a fresh copy each time: the strata keep them)."""
        key = (arm, slot)
        if key not in self._met:
            self._met[key] = _met(self.cells.get(key, []))
        return {party: list(ids) for party, ids in self._met[key].items()}


def stratify(
    group: GroupRef,
    contrasts: Sequence[tuple[str, str, str, bool]],
    samples: Sequence[SampleOutcome],
    factor_parties: Mapping[str, str] | None = None,
    first_pooled: str | None = None,
) -> list[StratifiedContrast]:
    """Every contrast `(factor, arm A, arm B, headline)` of one group, over identity slots of
    the party whose species it varies (`strata_party`).

    Empty when no sample of the group records a slot (older logs): there is nothing to stratify.
    """
    if all(s.identity_slot is None and not s.identity_slots for s in samples):
        return []
    graded = {id(s) for s in _graded(samples, group.outcome)}
    rows: list[StratifiedContrast] = []
    # the samples of each (arm, slot) cell, per stratifying party: the contrasts of a group
    # mostly share one party, so each party's cells are built once
    by_party: dict[str | None, _Cells] = {}
    for factor, arm_a, arm_b, headline in contrasts:
        party, strata_by = strata_party(factor, factor_parties, first_pooled)
        found = by_party.get(party)
        if found is None:
            found = by_party[party] = _Cells(samples, graded, party, group.outcome)
        cells, unscored, slots = found.cells, found.unscored, found.slots
        strata: list[IdentityStratum] = []
        counts: list[tuple[int, int, int, int]] = []
        for slot in slots:
            in_a, in_b = cells.get((arm_a, slot), []), cells.get((arm_b, slot), [])
            k_a, k_b = found.positive(arm_a, slot), found.positive(arm_b, slot)
            met_a, met_b = found.met(arm_a, slot), found.met(arm_b, slot)
            result = (
                contrast(k_a, len(in_a), k_b, len(in_b), label_a=arm_a, label_b=arm_b)
                if in_a and in_b
                else None
            )
            strata.append(
                IdentityStratum(
                    slot=slot,
                    label=_slot_label(slot, met_a, met_b, party),
                    identities_a=met_a,
                    identities_b=met_b,
                    result=result,
                    unscored_a=unscored.get((arm_a, slot), 0),
                    unscored_b=unscored.get((arm_b, slot), 0),
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
                party=party,
                strata_by=strata_by,
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
    graded_ids = {id(s) for s in graded}
    unscored: dict[tuple[str, str, str], int] = defaultdict(int)
    for s in samples:
        if id(s) not in graded_ids:
            for party, identity in s.identities.items():
                unscored[(s.arm, party, identity)] += 1
                cells.setdefault((s.arm, party, identity), [])
    return [
        IdentityRate(
            group=group,
            arm=arm,
            party=party,
            identity=identity,
            slots=sorted({j for s in cell if (j := slot_of(s, party)) is not None}),
            rate=proportion(_positive(cell, group.outcome), len(cell)),
            unscored=unscored.get((arm, party, identity), 0),
        )
        for (arm, party, identity), cell in sorted(cells.items())
    ]
