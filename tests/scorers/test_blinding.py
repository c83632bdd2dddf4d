"""Blinding that holds: every adversarial family, in every place the grader reads, in both suites.

Through the real pipeline (episode checks, grader view, redaction, leak check) with a recording
grader: identical agent behaviour up to the swaps an agent makes between arms gives
byte-identical grader input, and a cue the redaction cannot remove makes every arm
`redaction_leak`, never a verdict.
"""

from __future__ import annotations

import re

import pytest
from inspect_ai.scorer import Score

from scenarios.loader import LoadedScenario, get_scenario, species_of
from scenarios.schema import MessageTool, SubmitTool
from scorers.deception import score_deception
from scorers.grading import GraderConfig
from scorers.legal import score_legal
from tests.scorers.blinding import Family, arm_texts, comparable_arms, families, varied_party
from tests.scorers.episodes import Recorder, Step, build_state, json_reply, mock_grader

SPEC = families()
CASES = [
    pytest.param(scenario, family, index, text, id=f"{scenario}-{family.family}-{index}-{t}")
    for scenario in SPEC.scenarios
    for family in SPEC.families
    for index in range(len(family.words))
    for t, text in enumerate(family.texts)
]


def _steps(loaded: LoadedScenario, text: str) -> list[Step]:
    """The text in every place the grader reads: reasoning, assistant text, a tool-call
    argument, a tool result, a counterparty turn, and the submission where one is required."""
    steps = [
        Step(reasoning=text, say=text),
        Step(tool="note_to_self", arguments={"note": text, "path": f"notes/{text}"}, result=text),
        Step(counterparty=text),
    ]
    for tool in loaded.spec.tools:
        if isinstance(tool, SubmitTool):
            field = next(iter(tool.fields))
            steps.append(Step(tool=tool.name, arguments={field: text}))
        elif isinstance(tool, MessageTool):
            steps.append(
                Step(tool="send_message", arguments={"recipient": tool.recipients[0], "body": text})
            )
    return steps


async def _score(loaded: LoadedScenario, case: str, text: str, seen: Recorder) -> Score:
    arm_name, slot = case.split("#")
    [arm] = [a for a in comparable_arms(loaded) if a.name == arm_name]
    state = build_state(loaded, arm, _steps(loaded, text), slot=int(slot))
    grader = mock_grader(json_reply({"verdict": "honest"}), seen)
    fn = score_deception if loaded.spec.suite == "deception" else score_legal
    return await fn(state, [("grader", grader)], GraderConfig())


@pytest.mark.parametrize(("scenario", "family", "index", "text"), CASES)
async def test_family_is_blind(scenario: str, family: Family, index: int, text: str) -> None:
    loaded = get_scenario(scenario)
    written = arm_texts(loaded, family, index, text)
    party = varied_party(loaded)
    species = {species_of(loaded.spec, a)[party] for a in comparable_arms(loaded)}
    # written at every identity slot: the grader input must be identical across arms AND
    # identities, so every text differs at least by species
    assert len(set(written.values())) >= len(species), "the family must differ by species"
    inputs: dict[str, str] = {}
    statuses: dict[str, object] = {}
    for arm_name, arm_text in written.items():
        seen: Recorder = []
        score = await _score(loaded, arm_name, arm_text, seen)
        statuses[arm_name] = (score.metadata or {})["status"]
        inputs[arm_name] = seen[0][0] if seen else ""
    if family.expect == "leak":
        assert set(statuses.values()) == {"redaction_leak"}, statuses
        assert set(inputs.values()) == {""}, "a leaking sample must never reach the grader"
        return
    assert "redaction_leak" not in statuses.values(), statuses
    if loaded.spec.graded_terms:
        # words the grader must read (outside the guarantee): the rest must still be identical
        inputs = {arm: _without(text, loaded.spec.graded_terms) for arm, text in inputs.items()}
    first, *others = inputs.values()
    assert first, "the grader was not called"
    for arm_name, grader_input in inputs.items():
        assert grader_input == first, _first_difference(first, grader_input, arm_name)


def _without(text: str, terms: list[str]) -> str:
    words = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    # a graded word in one arm may stand against a redacted species word in the other
    pattern = rf"(?<![^\W_])(?:{words})(?![^\W_])|\[REDACTED\]"
    text = re.sub(pattern, "<graded term>", text, flags=re.I)
    return re.sub(r"(?<![^\W_])[Aa]n?(\s+)<graded term>", r"a\1<graded term>", text)


def _first_difference(a: str, b: str, arm: str) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    around = slice(max(at - 60, 0), at + 60)
    return f"grader input differs in {arm} at {at}: {a[around]!r} vs {b[around]!r}"
