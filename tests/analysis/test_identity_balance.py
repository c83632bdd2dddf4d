"""The report's identity balance: the design a run declared in its log (`candor_balance`) beside
the counted samples per slot, over every sample and over the graded ones.

Real offline runs (a scripted agent and grader) write the declared facts; the fast zip reader
and Inspect's reader must both find them. Planted outcomes show an exclusion-driven imbalance (a
leak flag falling on some identities of one arm only) in a run balanced by design."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Literal

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import get_model

from analysis.identity import RecordedBalance, recorded_balance
from analysis.logs import LoadResult, SampleOutcome, load_outcomes
from analysis.render import to_csv, to_markdown
from analysis.report import Report, build_report
from evals.deception.deception import deception
from scenarios.loader import (
    BALANCE_KEY,
    all_arms,
    balance,
    get_scenario,
    identities_of,
    identity_slots,
    pooled_parties,
)
from tests.analysis.runs import SCRIPTS, grader_model

SCENARIO = "blame_postmortem"
AI_ARM = "overseer=ai,audit=none"
HUMAN_ARM = "overseer=human,audit=none"


def _run(log_dir: Path, epochs: int, log_format: Literal["eval", "json"]) -> Path:
    [log] = inspect_eval(
        deception(SCENARIO, arms="audit=none"),
        model=get_model("scripted/agent", replies=str(SCRIPTS / "blame_postmortem.yaml")),
        model_roles={"grader": grader_model("deceptive")},
        log_dir=str(log_dir),
        log_format=log_format,
        epochs=epochs,
        display="none",
    )
    assert log.status == "success" and log.location
    return Path(log.location)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    """Runs of 2 epochs (k=3: unbalanced) and 3 epochs (balanced), as `.eval` and `.json`."""
    root = tmp_path_factory.mktemp("balance")
    found: dict[tuple[int, str], Path] = {}
    formats: tuple[Literal["eval", "json"], ...] = ("eval", "json")
    for epochs in (2, 3):
        for fmt in formats:
            folder = root / f"{epochs}-{fmt}"
            folder.mkdir()
            found[(epochs, fmt)] = _run(folder, epochs, fmt)
    return found


def _only(report: Report) -> tuple[str, bool, bool | None]:
    [row] = report.identity_balance
    return row.declared, row.flagged, row.counted_balanced


@pytest.mark.parametrize("fmt", ["eval", "json"])
@pytest.mark.parametrize(
    ("epochs", "declared", "flagged"), [(2, "unbalanced", True), (3, "balanced", False)]
)
def test_the_declared_design_is_read_from_the_log_by_either_reader(
    logs: dict[tuple[int, str], Path], fmt: str, epochs: int, declared: str, flagged: bool
) -> None:
    loaded = load_outcomes([logs[(epochs, fmt)]], workers=1)
    [(run, facts)] = loaded.declared_balance.items()
    assert {s.run for s in loaded.samples} == {run}
    fact = facts[SCENARIO]
    assert (fact.epochs, fact.pool_size, fact.balanced) == (epochs, 3, epochs == 3)
    report = build_report(loaded)
    assert _only(report) == (declared, flagged, epochs == 3)
    md = to_markdown(report)
    assert "## Identity balance (declared and counted)" in md
    assert f"| {declared} (k=3, {epochs} epochs) |" in md
    notes = [n for g in report.groups for n in g.notes if n.startswith("declared design")]
    assert bool(notes) is flagged
    if flagged:
        assert f"{epochs} epochs are not a multiple of its identity pool size k=3" in notes[0]
        assert f"> note: {notes[0]}" in md
    dumped = json.loads(report.model_dump_json())["identity_balance"][0]
    assert (dumped["declared"], dumped["flagged"]) == (declared, flagged)


def _rewritten(source: Path, target: Path, value: object | None) -> Path:
    """A copy of a log with `candor_balance` removed (None) or replaced by `value`."""
    log = read_eval_log(str(source))
    metadata = dict(log.eval.metadata or {})
    metadata.pop(BALANCE_KEY)
    if value is not None:
        metadata[BALANCE_KEY] = value
    log.eval.metadata = metadata
    target.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(target))
    return target


@pytest.mark.parametrize("fmt", ["eval", "json"])
def test_a_log_without_the_facts_reads_not_recorded(
    logs: dict[tuple[int, str], Path], fmt: str, tmp_path: Path
) -> None:
    old = _rewritten(logs[(3, fmt)], tmp_path / f"old.{fmt}", None)
    loaded = load_outcomes([old], workers=1)
    assert loaded.declared_balance == {} and loaded.problems == []
    report = build_report(loaded)
    assert _only(report) == ("not recorded", False, True)
    assert "| not recorded | balanced | same across arms | ok |" in to_markdown(report)


@pytest.mark.parametrize(
    "bad",
    ["oops", [1, 2], {SCENARIO: "oops"}, {SCENARIO: {"scenario": SCENARIO, "epochs": "three"}}],
)
def test_a_misshapen_record_is_a_problem_and_reads_not_recorded(
    logs: dict[tuple[int, str], Path], bad: object, tmp_path: Path
) -> None:
    log = _rewritten(logs[(3, "eval")], tmp_path / "bad.eval", bad)
    loaded = load_outcomes([log], workers=1)
    [problem] = loaded.problems
    assert f"eval metadata '{BALANCE_KEY}' has an unexpected shape" in problem.message
    assert loaded.samples and loaded.declared_balance == {}
    assert _only(build_report(loaded))[0] == "not recorded"


def test_a_pooled_run_without_a_record_makes_the_design_partly_recorded(
    logs: dict[tuple[int, str], Path], tmp_path: Path
) -> None:
    old = _rewritten(logs[(3, "json")], tmp_path / "old.json", None)
    report = build_report(load_outcomes([logs[(3, "eval")], old], workers=1))
    [row] = report.identity_balance
    assert (row.declared, row.runs_not_recorded, len(row.declared_runs)) == (
        "partly recorded",
        1,
        1,
    )


def test_recorded_balance_reads_what_the_task_start_check_writes() -> None:
    fact = balance(SCENARIO, 3, 50, 7, 2)
    read = recorded_balance({SCENARIO: fact.model_dump(mode="json")})
    assert read == {SCENARIO: RecordedBalance.model_validate(fact.model_dump())}
    assert set(RecordedBalance.model_fields) == set(type(fact).model_fields)
    assert recorded_balance(None) == {}


# --- planted outcomes: balanced by design, unbalanced by exclusion --------------------------


def _planted(epochs: int, leaky: str | None, leaks: int) -> list[SampleOutcome]:
    """Both species arms of one run, every sample graded, but `leaks` of the AI arm's samples
    whose overseer wears `leaky` unscored (a redaction leak flag)."""
    spec = get_scenario(SCENARIO).spec
    first = pooled_parties(spec)[0]
    arms = [a for a in all_arms(spec) if a.name in (AI_ARM, HUMAN_ARM)]
    samples: list[SampleOutcome] = []
    for epoch in range(1, epochs + 1):
        slots = identity_slots(spec, 0, epoch)
        for arm in arms:
            ids = identities_of(spec, arm, slots)
            leak = leaks > 0 and arm.name == AI_ARM and ids.get(first) == leaky
            leaks -= leak
            samples.append(
                SampleOutcome(
                    log="planted.eval",
                    run="set/run-1",
                    task=SCENARIO,
                    model="m",
                    sample_id=f"{SCENARIO}:{arm.name}",
                    epoch=epoch,
                    scenario=SCENARIO,
                    suite="deception",
                    arm=arm.name,
                    levels=dict(arm.levels),
                    status="redaction_leak" if leak else "graded",
                    outcomes={} if leak else {"deceptive": "positive"},
                    identity_slot=slots[first],
                    identity_slots=dict(slots),
                    identities=ids,
                )
            )
    return samples


def _declared(epochs: int) -> dict[str, dict[str, RecordedBalance]]:
    fact = balance(SCENARIO, 3, epochs, 0, 1)
    return {"set/run-1": {SCENARIO: RecordedBalance.model_validate(fact.model_dump())}}


@pytest.mark.parametrize("leaky", ["a1", "a2", "a3"])
@pytest.mark.parametrize("leaks", [1, 2, 5])
def test_exclusions_on_some_identities_of_one_arm_flag_a_design_balanced_run(
    leaky: str, leaks: int
) -> None:
    samples = _planted(12, leaky, leaks)
    report = build_report(LoadResult(samples=samples, declared_balance=_declared(12)))
    [row] = report.identity_balance
    assert (row.declared, row.counted_balanced) == ("balanced", True)
    assert (row.graded_same_across_arms, row.flagged) == (False, True)
    [graded] = row.graded
    [slot] = {s.identity_slot for s in samples if s.identities.get("overseer") == leaky}
    assert slot is not None
    assert graded.counts[AI_ARM][slot] == 4 - min(leaks, 4)
    assert graded.counts[HUMAN_ARM][slot] == 4
    md = to_markdown(report)
    assert "| balanced (k=3, 12 epochs) | balanced | differs by arm | **check** |" in md
    [note] = [n for n in report.groups[0].notes if n.startswith("graded samples per identity")]
    assert f"slot {slot} {4 - min(leaks, 4)}" in note
    dumped = json.loads(report.model_dump_json())["identity_balance"][0]
    assert dumped["graded_same_across_arms"] is False and dumped["flagged"] is True
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    [summary] = [r for r in rows if r["kind"] == "identity_balance"]
    assert (summary["declared"], summary["counted_balanced"]) == ("balanced", "True")
    assert (summary["graded_same_across_arms"], summary["flagged"]) == ("False", "True")
    assert summary["runs"] == "set/run-1" and summary["scenario"] == SCENARIO
    assert summary["runs_not_recorded"] == "0"
    for key in ("declared", "counted_balanced", "graded_same_across_arms", "flagged"):
        assert summary[key] == str(dumped[key])  # as the JSON has it
    cells = {
        (r["arm"], int(r["slot"])): (int(r["samples"]), int(r["graded"]))
        for r in rows
        if r["kind"] == "identity_slot"
    }
    assert {r["party"] for r in rows if r["kind"] == "identity_slot"} == {"overseer"}
    assert len(cells) == 2 * 3  # two arms × k slots
    assert cells[(AI_ARM, slot)] == (4, 4 - min(leaks, 4))
    assert cells[(HUMAN_ARM, slot)] == (4, 4)
    assert sum(n for n, _ in cells.values()) == len(samples)
    assert sum(g for _, g in cells.values()) == len(samples) - min(leaks, 4)


@pytest.mark.parametrize("epochs", [3, 6, 12])
def test_no_exclusion_no_flag(epochs: int) -> None:
    report = build_report(
        LoadResult(samples=_planted(epochs, None, 0), declared_balance=_declared(epochs))
    )
    [row] = report.identity_balance
    assert (row.declared, row.graded_same_across_arms, row.flagged) == ("balanced", True, False)
    assert not [n for g in report.groups for n in g.notes if "identity slot" in n]


def test_exclusions_spread_evenly_over_arms_are_not_flagged() -> None:
    samples = _planted(6, "a1", 2)
    # the human arm loses as many samples in the same slot
    slot = next(s.identity_slot for s in samples if s.identities.get("overseer") == "a1")
    lost = 2
    for i, s in enumerate(samples):
        if lost and s.arm == HUMAN_ARM and s.identity_slot == slot:
            samples[i] = s.model_copy(update={"status": "redaction_leak", "outcomes": {}})
            lost -= 1
    report = build_report(LoadResult(samples=samples, declared_balance=_declared(6)))
    [row] = report.identity_balance
    assert (row.graded_same_across_arms, row.flagged) == (True, False)
