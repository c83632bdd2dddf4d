"""Whether a group's identity slots were balanced: as the run declared it, and as counted.

A run's task-start check records in its log whether its epochs counterbalance each scenario's
identity pools (`candor_balance`: each party balanced, every pairing of pooled parties covered).
The report sets that declared design beside what its samples show: every arm meeting every slot
equally often over all samples, and over the samples graded for the outcome. A run can be
balanced by design and still lose it by exclusion (a redaction leak flag or an error falling on
some identities of one arm only): the graded count per slot then differs by arm, and an identity
effect can pass for an arm effect. Logs written before the facts were recorded read
`not recorded`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from analysis.identity import RecordedBalance
from analysis.logs import SampleOutcome
from analysis.strata import GroupRef, SlotBalance, slot_balance

NOT_RECORDED = "not recorded"

DeclaredDesign = Literal[
    "balanced", "pairings not covered", "unbalanced", "partly recorded", "not recorded"
]
"""What the runs of a group declared: every run balanced with every pairing covered; some run
balanced per party but not over pairings; some run unbalanced; every recorded run balanced but
some run without a record; no run with a record."""


class IdentityBalance(BaseModel):
    """One group's identity balance: declared by its runs, and counted over its samples."""

    group: GroupRef
    declared: DeclaredDesign
    declared_runs: dict[str, RecordedBalance] = Field(default_factory=dict)
    """Run -> the facts it declared for this scenario (runs without a record are absent)."""
    runs_not_recorded: int = 0
    """Runs of the group whose logs record no balance for this scenario."""
    counted: list[SlotBalance] = Field(default_factory=list)
    """Per stratifying party: each arm's samples per slot (every sample, graded or not)."""
    graded: list[SlotBalance] = Field(default_factory=list)
    """Per stratifying party: each arm's samples per slot graded for the outcome."""
    counted_balanced: bool | None = None
    """Every arm met every slot equally often (None: no sample records a slot)."""
    graded_same_across_arms: bool | None = None
    """Every slot holds as many graded samples in every arm (None: no slot recorded)."""
    flagged: bool = False
    """The declared design is unbalanced (or does not cover the pairings), or the counts are."""
    notes: list[str] = Field(default_factory=list)

    @property
    def declared_label(self) -> str:
        """The declared design in a few words, e.g. `balanced (k=3, 30 epochs)`."""
        epochs = sorted({f.epochs for f in self.declared_runs.values()})
        ks = sorted({f.pool_size for f in self.declared_runs.values()})
        if not self.declared_runs:
            return self.declared
        k = "/".join(map(str, ks))
        e = "/".join(map(str, epochs))
        return f"{self.declared} (k={k}, {e} epochs)"

    @property
    def counted_label(self) -> str:
        return _yes_no(self.counted_balanced, "balanced", "unbalanced")

    @property
    def graded_label(self) -> str:
        return _yes_no(self.graded_same_across_arms, "same across arms", "differs by arm")


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return NOT_RECORDED if value is None else yes if value else no


def _declared(facts: Sequence[RecordedBalance], missing: int) -> DeclaredDesign:
    if not facts:
        return "not recorded"
    if not all(f.balanced for f in facts):
        return "unbalanced"
    if not all(f.pairings_covered for f in facts):
        return "pairings not covered"
    return "partly recorded" if missing else "balanced"


def identity_balance(
    group: GroupRef,
    samples: Sequence[SampleOutcome],
    pool_size: int | None,
    parties: Sequence[str | None],
    declared: Mapping[str, Mapping[str, RecordedBalance]],
) -> IdentityBalance | None:
    """The group's declared and counted identity balance, with a note for each imbalance.

    Args:
        group: The group (its scenario names the declared facts to read).
        samples: The group's samples, each episode once.
        pool_size: The scenario's k where its files are known.
        parties: The parties whose slots stratify the group's contrasts (None: the recorded
            `identity_slot`).
        declared: Run -> scenario -> declared facts, as read from the logs.

    Returns:
        None for a group whose samples record no slot and whose runs declare nothing.
    """
    runs = sorted({s.run for s in samples})
    facts = {
        run: declared[run][group.scenario]
        for run in runs
        if group.scenario in declared.get(run, {})
    }
    counted: list[SlotBalance] = []
    graded: list[SlotBalance] = []
    notes: list[str] = []
    for run, fact in facts.items():
        if not fact.balanced or not fact.pairings_covered:
            notes.append(
                f"declared design unbalanced (run {run}): "
                + (fact.message or f"{fact.epochs} epochs, pool size {fact.pool_size}")
            )
    for party in dict.fromkeys(parties):
        whose = "" if party is None else f", {party}'s slots"
        every = slot_balance(group, samples, pool_size, party=party)
        if every is None:
            continue
        counted.append(every)
        scored = slot_balance(group, samples, pool_size, party=party, graded_for=group.outcome)
        if scored is not None:
            graded.append(scored)
        if not every.balanced:
            notes.append(
                f"identity slots unbalanced (pool size {every.pool_size}{whose}): "
                f"{_slot_counts(every.counts)} — arms did not meet every identity equally "
                "often, so an identity effect can pass for an arm effect; read the per-slot "
                "tables, and run epochs as a multiple of the pool size"
            )
        elif scored is not None and not scored.same_across_arms:
            notes.append(
                f"graded samples per identity slot differ by arm (pool size "
                f"{scored.pool_size}{whose}, outcome {group.outcome}): "
                f"{_slot_counts(scored.counts)} — the run met every identity equally often, "
                "but unscored samples (leak flags, errors) fell unevenly, so an identity effect "
                "can pass for an arm effect; read the unscored counts per slot"
            )
    if not facts and not counted:
        return None
    design = _declared(list(facts.values()), len(runs) - len(facts))
    counted_ok = all(b.balanced for b in counted) if counted else None
    graded_ok = all(b.same_across_arms for b in graded) if graded else None
    return IdentityBalance(
        group=group,
        declared=design,
        declared_runs=facts,
        runs_not_recorded=len(runs) - len(facts),
        counted=counted,
        graded=graded,
        counted_balanced=counted_ok,
        graded_same_across_arms=graded_ok,
        flagged=design in ("unbalanced", "pairings not covered")
        or counted_ok is False
        or graded_ok is False,
        notes=notes,
    )


def _slot_counts(counts: dict[str, dict[int, int]]) -> str:
    return "; ".join(
        f"{arm}: " + ", ".join(f"slot {slot} {n}" for slot, n in slots.items())
        for arm, slots in counts.items()
    )
