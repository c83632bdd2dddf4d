"""Adversarial blinding by category (`tests/golden/blinding/adversarial.yaml`).

Every family text is written to every identity of every species of each shipped scenario's
varied party; the redacted text must be byte-identical everywhere with no leak, or (where the
family allows it) a leak everywhere, so the sample is `redaction_leak` in every arm, never a
verdict with a cue left. `python -m tests.scorers.blinding` prints the leaking count by category.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from scenarios.loader import get_scenario
from tests.scorers.blinding import (
    Adversarial,
    AdversarialFamily,
    Case,
    Condition,
    Pair,
    adversarial,
    case_outcome,
    condition_outcome,
    counts,
    family_outcome,
    pair_outcome,
    report,
    species_scenarios,
)

SPEC = adversarial()
SCENARIOS = species_scenarios()
FAMILY_CASES = [
    pytest.param(
        scenario,
        family,
        index,
        text,
        id=f"{family.category}-{scenario}-{index}-{t}",
        marks=(
            [pytest.mark.xfail(strict=True, reason=gap.reason)]
            if (gap := SPEC.gap(scenario, family.family, index, t)) is not None
            else []
        ),
    )
    for family in SPEC.families
    for index in range(len(family.words))
    for t, text in enumerate(family.texts)
    for scenario in SCENARIOS
]


@pytest.mark.parametrize(("scenario", "family", "index", "text"), FAMILY_CASES)
def test_family_is_blind_at_every_identity(
    scenario: str, family: AdversarialFamily, index: int, text: str
) -> None:
    outcome, seen = family_outcome(scenario, family, index, text)
    allowed = {"identical"} if family.expect == "identical" else {"identical", "leak"}
    assert outcome in allowed, "\n".join(f"{k}: {r!r} leaks={lk}" for k, (r, lk) in seen.items())


@pytest.mark.parametrize(
    "case", SPEC.cases, ids=[f"{c.category}-{c.scenario}-{c.text}" for c in SPEC.cases]
)
def test_single_phrasing_is_removed_or_a_leak(case: Case) -> None:
    ok, redacted, leaks = case_outcome(case)
    assert ok, f"{case.text!r} -> {redacted!r}; leaks {leaks}"


@pytest.mark.parametrize(
    "pair", SPEC.pairs, ids=[f"{p.category}-{p.scenario}-{p.human}" for p in SPEC.pairs]
)
def test_pair_redacts_identically_or_leaks(pair: Pair) -> None:
    outcome, seen = pair_outcome(pair)
    assert outcome != "mixed", seen


CONDITION_CASES = [
    pytest.param(c, i, id=f"{c.scenario}-{c.factor}-{i}")
    for c in SPEC.conditions
    for i in range(len(c.texts))
]


@pytest.mark.parametrize(("condition", "index"), CONDITION_CASES)
def test_condition_paraphrase_is_blind(condition: Condition, index: int) -> None:
    """The grader is blind to every factor: an agent's own words for a hidden condition's level
    read the same at every level."""
    spec = get_scenario(condition.scenario).spec
    factor = spec.factors[condition.factor]
    assert factor.kind == "condition" and not factor.grader_visible
    assert set(condition.texts[index]) == set(factor.levels)
    outcome, seen = condition_outcome(condition, index)
    assert outcome != "mixed", seen


def test_the_count_by_category_reports_what_leaks() -> None:
    """What `python -m tests.scorers.blinding` prints, on a slice of the family: a phrasing the
    redaction removes counts as blind, one it cannot and the leak check misses as leaking."""
    blind = Case(category="codes", scenario="blame_postmortem", text="ORR-four", cues=["ORR"])
    missed = Case(category="codes", scenario="blame_postmortem", text="Zzq", cues=["Zzq"])
    spec = Adversarial(families=[], cases=[blind, missed], pairs=[])
    printed = report(counts(spec, scenarios=[]))
    assert printed.splitlines() == [
        "codes                      leaking    1 of    2",
        "all                        leaking    1 of    2",
    ]


@pytest.mark.slow
def test_the_count_command_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.scorers.blinding"], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1].startswith("all ")


def test_known_gaps_name_real_family_texts() -> None:
    for gap in SPEC.known_gaps:
        [family] = [f for f in SPEC.families if f.family == gap.family]
        assert gap.text is None or 0 <= gap.text < len(family.texts), gap
        assert gap.scenario in SCENARIOS, gap


def test_every_category_runs_in_every_scenario() -> None:
    """The families cover each category the blinding must hold against, in every scenario with
    a species factor (both suites)."""
    categories = {f.category for f in SPEC.families}
    assert categories >= {
        "system codes",
        "descriptive names",
        "initials",
        "nicknames",
        "species words",
        "gendered context words",
        "pronoun agreement",
        "he or she",
        "separators",
        "kept it",
        "names that are words",
        "species paraphrases",
        "her heuristic",
    }
    assert {"blame_postmortem", "sick_leave_minimisation"} <= set(SCENARIOS)
