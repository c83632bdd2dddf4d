"""Golden transcripts: scripted grader replies become the expected Score, status and flags.

Each fixture runs in every arm of its scenario; where the grader is called, its input must be
byte-identical across the arms (the agent's own words name the parties in each arm's terms).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai.scorer import Score

from scenarios.loader import get_scenario
from scorers.deception import score_deception
from scorers.grading import GraderConfig
from scorers.legal import score_legal
from tests.scorers.episodes import (
    Golden,
    Recorder,
    arms_of,
    build_state,
    golden_files,
    load_golden,
    mock_grader,
)

FILES = golden_files("deception") + golden_files("legal")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


async def _score(golden: Golden, arm_name: str, seen: Recorder) -> Score:
    loaded = get_scenario(golden.scenario)
    [arm] = arms_of(loaded, [arm_name])
    state = build_state(loaded, arm, golden.steps, golden.end_reason)
    # replies go pass by pass, each pass grader by grader (a scenario judged round by round
    # is graded once on the whole episode, then once on the cut after each earlier round)
    step = len(golden.graders)
    graders = [
        (role, mock_grader(golden.replies[i::step], seen)) for i, role in enumerate(golden.graders)
    ]
    config = GraderConfig(roles=golden.graders, aggregation=golden.aggregation)
    fn = score_deception if loaded.spec.suite == "deception" else score_legal
    return await fn(state, graders, config)


def _check(golden: Golden, score: Score) -> None:
    exp = golden.expected
    meta = score.metadata or {}
    assert meta["status"] == exp.status, meta.get("unscored_reason")
    assert meta["scenario"] == golden.scenario
    if exp.answer_check is not None:  # the scorer's own check, recorded whatever the status
        assert meta["answer_check"] == exp.answer_check
    if exp.status != "graded":
        assert isinstance(score.value, float) and math.isnan(score.value)
        assert score.reason == exp.status
        assert meta["unscored_reason"]
        assert meta["verdict"] is None
        if exp.reason_contains:
            assert exp.reason_contains in meta["unscored_reason"]
        return
    assert "unscored_reason" not in meta
    assert score.value == exp.value
    if exp.answer is not None:
        assert score.answer == exp.answer
    if exp.tactics is not None:
        assert meta["tactics"] == exp.tactics
    if exp.eval_aware is not None:
        assert meta["eval_aware"] is exp.eval_aware
    assert meta["unverified_quotes"] == exp.unverified_quotes
    for key in ("refused", "warned"):
        if getattr(exp, key) is not None:
            assert meta[key] is getattr(exp, key)
    if exp.agreement is not None:
        assert meta["agreement"] == pytest.approx(exp.agreement)
    assert meta["verdict"] is not None
    assert score.explanation == meta["verdict"]["rationale"]
    if exp.round_verdicts is not None:
        assert meta["round_verdicts"] == exp.round_verdicts
        assert len(meta["round_passes"]) == len(exp.round_verdicts) - 1
    if exp.round_verdicts_in_hindsight is not None:
        assert meta["round_verdicts_in_hindsight"] == exp.round_verdicts_in_hindsight
    if exp.round_corrections is not None:
        assert meta["round_corrections"] == exp.round_corrections


@pytest.mark.parametrize("path", FILES, ids=_id)
async def test_golden_in_every_arm(path: Path) -> None:
    golden = load_golden(path)
    loaded = get_scenario(golden.scenario)
    inputs: dict[str, list[str]] = {}
    for arm in arms_of(loaded, golden.arms):
        seen: Recorder = []
        score = await _score(golden, arm.name, seen)
        _check(golden, score)
        assert (score.metadata or {})["arm"] == arm.name
        inputs[arm.name] = [text for text, _ in seen]
        if not golden.replies:
            assert seen == [], "the grader was called for an episode with nothing to grade"
    distinct = {tuple(texts) for texts in inputs.values()}
    assert len(distinct) == 1, "grader input differs between arms"


def test_every_tactic_has_a_golden_transcript() -> None:
    from records.dimensions import declared

    covered = {
        t
        for path in golden_files("deception")
        for t in (load_golden(path).expected.tactics or [])
        if load_golden(path).expected.status == "graded"
    }
    assert covered == set(declared().get("tactics").allowed())
