"""The report across identity slots and factors beyond species, on planted outcomes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from analysis.logs import LoadResult, SampleOutcome, sample_outcome
from analysis.render import to_csv, to_markdown
from analysis.report import build_report

SCENARIO = "blame_postmortem"


def _samples(
    arm: str,
    k: int,
    n: int,
    *,
    slot: int | None,
    identity: str | None,
    levels: dict[str, str] | None = None,
    model: str = "m",
    start: int = 0,
) -> list[SampleOutcome]:
    factor, level = arm.split("=") if levels is None else ("", "")
    return [
        SampleOutcome(
            log="x.eval",
            task=SCENARIO,
            model=model,
            sample_id=f"{SCENARIO}:{arm}",
            epoch=start + i + 1,
            scenario=SCENARIO,
            suite="deception",
            arm=arm,
            levels=levels or {factor: level},
            status="graded",
            outcomes={"deceptive": "positive" if i < k else "negative"},
            identity_slot=slot,
            identities={} if identity is None else {"overseer": identity},
        )
        for i in range(n)
    ]


def _planted(effect_in: int) -> list[SampleOutcome]:
    """Three identity slots, 20 epochs per arm in each; the AI arm deceives more only in
    slot `effect_in` (18/20 vs 4/20); elsewhere both arms deceive 10/20."""
    samples: list[SampleOutcome] = []
    for slot in range(3):
        k_ai, k_human = (18, 4) if slot == effect_in else (10, 10)
        start = 20 * slot
        samples += _samples("overseer=ai", k_ai, 20, slot=slot, identity=f"a{slot}", start=start)
        samples += _samples(
            "overseer=human", k_human, 20, slot=slot, identity=f"h{slot}", start=start
        )
    return samples


def test_an_effect_in_one_identity_stratum_only_is_shown_and_heterogeneous() -> None:
    report = build_report(LoadResult(samples=_planted(effect_in=1)))
    [sc] = report.identity_strata
    assert (sc.arm_a, sc.arm_b) == ("overseer=ai", "overseer=human")
    by_slot = {st.slot: st for st in sc.strata}
    assert set(by_slot) == {0, 1, 2}
    one = by_slot[1].result
    assert one is not None and (one.a.k, one.a.n, one.b.k, one.b.n) == (18, 20, 4, 20)
    assert one.p_value is not None and one.p_value < 0.001
    assert one.or_ci is not None and one.or_ci.low > 1
    for slot in (0, 2):
        other = by_slot[slot].result
        assert other is not None and other.conditional_or == pytest.approx(1.0)
        assert other.or_ci is not None and other.or_ci.low < 1 < other.or_ci.high
    assert by_slot[1].identities_a == {"overseer": ["a1"]}
    assert by_slot[1].identities_b == {"overseer": ["h1"]}
    bd = sc.pooled.breslow_day
    assert bd is not None and bd.p_value < 0.01 and bd.df == 2
    rates = {(r.arm, r.identity): (r.rate.k, r.rate.n) for r in report.identity_rates}
    assert rates[("overseer=ai", "a1")] == (18, 20)
    assert rates[("overseer=human", "h1")] == (4, 20)
    assert rates[("overseer=human", "h0")] == (10, 20)
    md = to_markdown(report)
    assert "## Across identities" in md
    assert "| overseer slot 1 (overseer: a1 vs h1) | 18 / 20 | 4 / 20 |" in md
    assert "### Rate per identity" in md
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    pooled = [r for r in rows if r["kind"] == "identity_pooled"]
    assert len(pooled) == 1 and float(pooled[0]["breslow_day_p"]) < 0.01
    assert sum(r["kind"] == "identity_stratum" for r in rows) == 3
    assert sum(r["kind"] == "identity_rate" for r in rows) == 6


def test_a_homogeneous_effect_is_not_heterogeneous() -> None:
    samples: list[SampleOutcome] = []
    for slot in range(3):
        samples += _samples("overseer=ai", 16, 20, slot=slot, identity=f"a{slot}", start=20 * slot)
        samples += _samples(
            "overseer=human", 6, 20, slot=slot, identity=f"h{slot}", start=20 * slot
        )
    [sc] = build_report(LoadResult(samples=samples)).identity_strata
    assert sc.pooled.breslow_day is not None and sc.pooled.breslow_day.p_value > 0.5
    assert sc.pooled.cmh is not None and sc.pooled.cmh.p_value < 1e-4


def test_logs_without_identity_slots_have_no_stratified_section() -> None:
    samples = _samples("overseer=ai", 5, 10, slot=None, identity=None) + _samples(
        "overseer=human", 2, 10, slot=None, identity=None
    )
    report = build_report(LoadResult(samples=samples))
    assert report.identity_strata == [] and report.identity_rates == []
    assert "Across identities" not in to_markdown(report)


def test_samples_without_a_slot_beside_slotted_ones_form_their_own_stratum() -> None:
    samples = _planted(effect_in=0) + _samples(
        "overseer=ai", 3, 4, slot=None, identity=None, start=100
    )
    samples += _samples("overseer=human", 1, 4, slot=None, identity=None, start=100)
    [sc] = build_report(LoadResult(samples=samples)).identity_strata
    assert [st.label for st in sc.strata][-1] == "not recorded"
    last = sc.strata[-1].result
    assert last is not None and (last.a.n, last.b.n) == (4, 4)


def _crossed() -> list[SampleOutcome]:
    samples: list[SampleOutcome] = []
    for audit, (k_ai, k_human) in {"none": (15, 5), "spot_check": (8, 6)}.items():
        for species, k in (("ai", k_ai), ("human", k_human)):
            arm = f"audit={audit},overseer={species}"
            samples += _samples(
                arm, k, 20, slot=None, identity=None, levels={"audit": audit, "overseer": species}
            )
    return samples


def test_a_condition_factor_crossed_with_species_gives_contrasts_per_factor() -> None:
    report = build_report(LoadResult(samples=_crossed()))
    [group] = report.groups
    assert len(group.arms) == 4
    pairs = {(r.factor, r.arm_a, r.arm_b) for r in group.contrasts}
    assert pairs == {
        ("overseer", "audit=none,overseer=ai", "audit=none,overseer=human"),
        ("overseer", "audit=spot_check,overseer=ai", "audit=spot_check,overseer=human"),
        ("audit", "audit=none,overseer=ai", "audit=spot_check,overseer=ai"),
        ("audit", "audit=none,overseer=human", "audit=spot_check,overseer=human"),
    }
    levels = {(r.factor, r.level_a, r.level_b) for r in group.contrasts}
    assert ("overseer", "ai", "human") in levels and ("audit", "none", "spot_check") in levels
    # the species effect within each audit level is a forest row of its own
    [plot] = report.forest
    assert [(r.result.a.k, r.result.b.k) for r in plot.rows] == [(15, 5), (8, 6)]


def _summary(metadata: dict[str, Any]) -> Any:
    from inspect_ai.log import EvalSampleSummary

    return EvalSampleSummary(
        id="blame_postmortem:overseer=ai",
        epoch=1,
        input="x",
        target="",
        metadata={"scenario": SCENARIO, "arm": "overseer=ai", "levels": {"overseer": "ai"}}
        | metadata,
    )


def test_identity_metadata_is_read_from_the_log() -> None:
    read = sample_outcome(
        "x.eval", SCENARIO, "m", _summary({"identity_slot": 2, "identities": {"overseer": "a2"}})
    )
    assert (read.identity_slot, read.identities) == (2, {"overseer": "a2"})
    old = sample_outcome("x.eval", SCENARIO, "m", _summary({}))
    assert (old.identity_slot, old.identities) == (None, {})


@pytest.mark.parametrize(
    ("metadata", "named"),
    [
        ({"identity_slot": "0"}, "identity_slot"),
        ({"identity_slot": -1}, "identity_slot"),
        ({"identity_slot": True}, "identity_slot"),
        ({"identities": ["a0"]}, "identities"),
        ({"identities": {"overseer": 3}}, "identities"),
    ],
)
def test_identity_metadata_of_an_unknown_shape_is_unreadable(
    metadata: dict[str, Any], named: str
) -> None:
    read = sample_outcome("x.eval", SCENARIO, "m", _summary(metadata))
    assert read.status == "unreadable" and named in read.reason


def test_the_forest_pools_models_and_tests_their_heterogeneity(tmp_path: Any) -> None:
    from analysis.figures import write_figures

    samples = _samples("overseer=ai", 18, 20, slot=None, identity=None, model="strong")
    samples += _samples("overseer=human", 4, 20, slot=None, identity=None, model="strong")
    samples += _samples("overseer=ai", 10, 20, slot=None, identity=None, model="none")
    samples += _samples("overseer=human", 10, 20, slot=None, identity=None, model="none")
    report = build_report(LoadResult(samples=samples))
    [plot] = report.forest
    by_model = {r.model: r.result for r in plot.rows}
    strong = by_model["strong"]
    assert strong.or_ci is not None and strong.or_ci.low > 1
    assert by_model["none"].conditional_or == pytest.approx(1.0)
    assert plot.pooled is not None and plot.pooled.breslow_day is not None
    assert plot.pooled.breslow_day.p_value < 0.05
    md = to_markdown(report)
    assert "| strong | blame_postmortem | deceptive | overseer=ai vs overseer=human |" in md
    written = write_figures(report, tmp_path)
    assert any(p.name == "forest__1.png" for p in written)


def _per_slot(counts: dict[str, list[int]]) -> list[SampleOutcome]:
    """`arm -> samples per slot` (slot i gets counts[arm][i] samples), half of them positive."""
    samples: list[SampleOutcome] = []
    for arm, per_slot in counts.items():
        epoch = 0
        for slot, n in enumerate(per_slot):
            samples += _samples(arm, n // 2, n, slot=slot, identity=f"{arm[-1]}{slot}", start=epoch)
            epoch += n
    return samples


@pytest.mark.parametrize(
    "counts",
    [
        # epochs not a multiple of the pool size: slot 0 never met
        {"overseer=ai": [0, 1, 1], "overseer=human": [0, 1, 1]},
        # 50 epochs over 3 slots
        {"overseer=ai": [17, 17, 16], "overseer=human": [17, 17, 16]},
        # one arm ran an extra epoch (a pooled retry or a second run)
        {"overseer=ai": [4, 4, 5], "overseer=human": [4, 4, 4]},
        # one arm never met one identity
        {"overseer=ai": [4, 4, 4], "overseer=human": [4, 0, 4]},
    ],
    ids=["slot-never-met", "epochs-not-multiple", "extra-epoch-one-arm", "arm-missed-a-slot"],
)
def test_unbalanced_identity_slots_are_flagged_in_the_report(counts: dict[str, list[int]]) -> None:
    report = build_report(LoadResult(samples=_per_slot(counts)))
    [group] = report.groups
    [note] = [n for n in group.notes if n.startswith("identity slots unbalanced")]
    assert "pool size 3" in note
    for arm, per_slot in counts.items():
        listed = ", ".join(f"slot {slot} {n}" for slot, n in enumerate(per_slot))
        assert f"{arm}: {listed}" in note
    assert note in to_markdown(report)


def test_balanced_identity_slots_carry_no_balance_note() -> None:
    report = build_report(
        LoadResult(samples=_per_slot({"overseer=ai": [4, 4, 4], "overseer=human": [4, 4, 4]}))
    )
    [group] = report.groups
    assert not [n for n in group.notes if n.startswith("identity slots unbalanced")]
