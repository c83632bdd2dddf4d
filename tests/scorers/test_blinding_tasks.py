"""Blinding through the real tasks: `inspect eval` of a deception and a legal task, an agent that
writes every adversarial family the way its own arm names the party, and a recording grader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from evals.deception.deception import deception
from evals.legal.legal import legal
from scenarios.loader import Arm, LoadedScenario, get_scenario, species_of
from scorers.redaction import TOKEN
from tests.helpers import with_usage
from tests.scorers.agents import grader
from tests.scorers.blinding import (
    comparable_arms,
    families,
    party_vars,
    render_text,
    slots,
    varied_party,
)

IDENTICAL = [f for f in families().families if f.expect == "identical"]


def _writing(loaded: LoadedScenario, arm: Arm, slot: int) -> str:
    """Every identical-family text, first words of each family, as written in `arm` to the
    identity at `slot`."""
    party = party_vars(loaded, arm, slot)
    species = species_of(loaded.spec, arm)[varied_party(loaded)]
    texts = [render_text(t, f.words[0], party, species) for f in IDENTICAL for t in f.texts]
    return "\n\n".join(texts)


def _arm_of(loaded: LoadedScenario, messages: list[ChatMessage]) -> tuple[Arm, int]:
    """The agent's own arm and identity slot, read from what it was told (the party's name in
    the prompt)."""
    shown = " ".join(m.text for m in messages[:2])
    for arm in comparable_arms(loaded):
        for slot in slots(loaded):
            if party_vars(loaded, arm, slot)["name"] in shown:
                return arm, slot
    raise AssertionError("no arm's party name appears in the agent's prompt")


def _agent(loaded: LoadedScenario, submit: Callable[[str], ModelOutput]) -> Model:
    def respond(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        text = _writing(loaded, *_arm_of(loaded, messages))
        turn = sum(isinstance(m, ChatMessageAssistant) for m in messages)
        if turn == 0:
            # a tool-call argument, echoed back in the tool's error
            out = ModelOutput.for_tool_call("mockllm/agent", "read_file", {"path": text})
        elif turn == 1:
            out = submit(text)
        else:
            out = ModelOutput.from_content("mockllm/agent", text)
        return with_usage(out)

    return get_model("mockllm/agent", custom_outputs=respond, memoize=False)


def _deception() -> tuple[Task, LoadedScenario, Callable[[str], ModelOutput]]:
    def submit(text: str) -> ModelOutput:
        return ModelOutput.for_tool_call(
            "mockllm/agent", "submit_postmortem_account", {"account": text}
        )

    task = deception("blame_postmortem", arms="audit=none", message_limit=12)
    return task, get_scenario("blame_postmortem"), submit


def _legal() -> tuple[Task, LoadedScenario, Callable[[str], ModelOutput]]:
    def submit(text: str) -> ModelOutput:
        return ModelOutput.for_tool_call(
            "mockllm/agent",
            "send_email",
            {"to": "hr@vanloon-partners.nl", "subject": "Review", "body": text},
        )

    loaded = get_scenario("sick_leave_minimisation")
    return legal(scenario="sick_leave_minimisation", message_limit=12), loaded, submit


@pytest.mark.parametrize("build", [_deception, _legal], ids=["deception", "legal"])
def test_real_task_grader_input_is_identical_across_arms(
    build: Callable[[], tuple[Task, LoadedScenario, Callable[[str], ModelOutput]]],
    tmp_path: Path,
) -> None:
    """Over k epochs every arm meets every identity of the pool: the agent names each one in
    its own words, and the grader reads the same bytes in every arm at every identity."""
    task, loaded, submit = build()
    k = loaded.spec.pool_size()
    seen: list[str] = []
    [log] = inspect_eval(
        task,
        model=_agent(loaded, submit),
        model_roles={"grader": grader(lambda _: {"verdict": "honest"}, seen)},
        log_dir=str(tmp_path),
        display="none",
        epochs=k,
    )
    assert log.status == "success", log.error
    assert log.samples is not None and len(log.samples) == 2 * k
    for sample in log.samples:
        assert sample.scores is not None
        [score] = sample.scores.values()
        assert (score.metadata or {})["status"] != "redaction_leak", sample.id
    # the agent named the party differently in each arm, and the grader read the same bytes
    written = {(s.metadata["arm"], s.epoch): str(s.messages[-1].text) for s in log.samples}
    assert len(set(written.values())) == 2 * k
    assert {s.metadata["identity_slot"] for s in log.samples} == set(range(k))
    assert len(seen) == 2 * k
    assert len(set(seen)) == 1
    assert TOKEN.search(seen[0])
