"""Identity strata by the slot of the party whose species a contrast varies, on planted outcomes
built from the scenarios' real crossed slots (`scenarios.loader.identity_slots`)."""

from __future__ import annotations

import pytest

from analysis.logs import LoadResult, SampleOutcome
from analysis.render import to_markdown
from analysis.report import build_report
from analysis.strata import StratifiedContrast, strata_party
from scenarios.loader import all_arms, get_scenario, identities_of, identity_slots, pooled_parties

EPOCHS = 90


def _planted(
    scenario: str, party: str, identity: str, *, record_slots: bool = True
) -> list[SampleOutcome]:
    """Every arm, 90 epochs: the agent is honest whenever `party` wears `identity`, and deceives
    in every other epoch of even number."""
    spec = get_scenario(scenario).spec
    first = pooled_parties(spec)[0]
    samples: list[SampleOutcome] = []
    for epoch in range(1, EPOCHS + 1):
        slots = identity_slots(spec, 0, epoch)
        for arm in all_arms(spec):
            ids = identities_of(spec, arm, slots)
            deceives = ids.get(party) != identity and epoch % 2 == 0
            samples.append(
                SampleOutcome(
                    log="x.eval",
                    task=scenario,
                    model="m",
                    sample_id=f"{scenario}:{arm.name}",
                    epoch=epoch,
                    scenario=scenario,
                    suite="deception",
                    arm=arm.name,
                    levels=dict(arm.levels),
                    status="graded",
                    outcomes={"deceptive": "positive" if deceives else "negative"},
                    identity_slot=slots[first],
                    identity_slots=dict(slots) if record_slots else {},
                    identities=ids,
                )
            )
    return samples


def _species_rows(rows: list[StratifiedContrast], factor: str) -> list[StratifiedContrast]:
    """The ai-vs-human contrasts on `factor` (one per level of any other factor)."""
    found = [
        r
        for r in rows
        if r.factor == factor
        and f"{factor}=ai" in r.arm_a.split(",")
        and f"{factor}=human" in r.arm_b.split(",")
    ]
    assert found, f"no {factor} ai-vs-human contrast in {[(r.arm_a, r.arm_b) for r in rows]}"
    return found


PLANTED = [
    # the headline contrast varies the second pooled party (the first is a fixed AI overseer)
    ("blame_director", "director", "director"),
    # the second pooled party's contrast, and the first party's, in a crossed 2x2 design
    ("peer_cover_claims", "peer", "peer"),
    ("peer_cover_claims", "reviewer", "reviewer"),
    # a factor named apart from its party
    ("covert_profiling", "affected", "traveller"),
]


@pytest.mark.parametrize(("scenario", "factor", "party"), PLANTED)
def test_a_planted_identity_effect_of_the_varied_party_shows_in_its_strata(
    scenario: str, factor: str, party: str
) -> None:
    report = build_report(LoadResult(samples=_planted(scenario, party, "h2")))
    for row in _species_rows(report.identity_strata, factor):
        assert row.party == party
        assert row.strata_by.startswith(f"{party}'s identity slot")
        bd = row.pooled.breslow_day
        assert bd is not None and bd.p_value is not None and bd.p_value < 0.01, row.arm_a
        human = {st.identities_b[party][0]: st.result for st in row.strata if st.result}
        assert all(len(st.identities_b[party]) == 1 for st in row.strata)
        h2 = human["h2"]
        assert h2 is not None and h2.b.k == 0 and h2.b.n > 0
        assert all(r is not None and r.b.k > 0 for ident, r in human.items() if ident != "h2")
    rates = {
        (r.arm, r.identity): r.rate
        for r in report.identity_rates
        if r.party == party and f"{factor}=human" in r.arm.split(",")
    }
    assert {rate.k for (_, ident), rate in rates.items() if ident == "h2"} == {0}
    assert all(rate.k > 0 for (_, ident), rate in rates.items() if ident != "h2")
    md = to_markdown(report)
    assert f"Strata: {party}'s identity slot (the party whose species the contrast varies)." in md
    assert f"| {party} slot " in md


def test_the_other_party_s_strata_do_not_show_a_planted_effect_they_do_not_carry() -> None:
    # the peer's identity drives the outcome; the reviewer contrast, stratified by the
    # reviewer's (crossed) slot, meets every peer identity in every slot and stays homogeneous
    report = build_report(LoadResult(samples=_planted("peer_cover_claims", "peer", "h2")))
    for row in _species_rows(report.identity_strata, "reviewer"):
        assert row.party == "reviewer"
        assert all(len(st.identities_a["peer"]) > 1 for st in row.strata)


def test_logs_without_identity_slots_fall_back_to_the_recorded_slot() -> None:
    # logs that record only `identity_slot` wore it for every party
    samples = _planted("blame_director", "director", "h2", record_slots=False)
    report = build_report(LoadResult(samples=samples))
    [row] = _species_rows(report.identity_strata, "director")
    by_slot = {st.slot: st for st in row.strata}
    for s in samples:
        if s.arm == "director=human" and s.identity_slot is not None:
            assert s.identities["director"] in by_slot[s.identity_slot].identities_b["director"]


@pytest.mark.parametrize(
    ("factor", "parties", "first", "party", "says"),
    [
        ("director", {"director": "director"}, "overseer", "director", "varies"),
        ("audit", {"director": "director"}, "overseer", "overseer", "varies no party's species"),
        ("director", None, None, None, "files are unknown"),
    ],
    ids=["species-factor", "condition-factor", "unknown-scenario"],
)
def test_which_party_stratifies_a_contrast_is_said(
    factor: str, parties: dict[str, str] | None, first: str | None, party: str | None, says: str
) -> None:
    got, label = strata_party(factor, parties, first)
    assert got == party
    assert says in label
    if first is not None and party == first:
        assert "first pooled party" in label


AI_ARM = "overseer=ai,audit=none"


def _unscored_by_identity(leaky: str, leaks: int) -> list[SampleOutcome]:
    """blame_postmortem, 30 balanced epochs; `leaks` of the unaudited AI arm's samples whose
    overseer wears `leaky` are unscored (a redaction leak flag)."""
    samples = [s for s in _planted("blame_postmortem", "overseer", "none") if s.epoch <= 30]
    out: list[SampleOutcome] = []
    for s in samples:
        if leaks and s.arm == AI_ARM and s.identities.get("overseer") == leaky:
            s = s.model_copy(update={"status": "redaction_leak", "outcomes": {}})
            leaks -= 1
        out.append(s)
    return out


def test_unscored_samples_per_identity_are_shown_and_an_uneven_share_is_noted() -> None:
    samples = _unscored_by_identity("a2", 4)
    assert len({s.epoch for s in samples}) == 30
    report = build_report(LoadResult(samples=samples))
    [group] = report.groups
    [note] = [n for n in group.notes if n.startswith("graded samples per identity slot differ")]
    assert not [n for n in group.notes if n.startswith("identity slots unbalanced")]
    [row] = [r for r in _species_rows(report.identity_strata, "overseer") if r.arm_a == AI_ARM]
    [leaky] = [st for st in row.strata if st.identities_a.get("overseer") == ["a2"]]
    assert (leaky.unscored_a, leaky.unscored_b) == (4, 0)
    assert leaky.slot is not None
    assert f"{AI_ARM}: " in note and f"slot {leaky.slot} 6" in note
    assert all(st.unscored_a == st.unscored_b == 0 for st in row.strata if st is not leaky)
    [rate] = [r for r in report.identity_rates if r.identity == "a2" and r.arm == AI_ARM]
    assert (rate.unscored, rate.rate.n) == (4, 6)
    md = to_markdown(report)
    assert note in md
    assert "| 4 / 0 |" in md


def test_no_unscored_samples_no_graded_balance_note() -> None:
    report = build_report(LoadResult(samples=_unscored_by_identity("a2", 0)))
    [group] = report.groups
    assert not [n for n in group.notes if "differ by arm" in n]
