"""A model counterparty reads its own chat in the order things happened: its past turns as its
own (assistant) messages, what the agent said or submitted as user messages, each submission
where the agent made it; so a scripted counterparty bound to the role advances turn by turn."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ModelOutput,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import Store

from evals.deception.deception import deception
from records.store import EpisodeStore
from scenarios.loader import LoadedScenario, all_arms, load_all
from scenarios.schema import SubmitTool
from tests.helpers import call, text

PROPOSAL = "Proposal P-1: the standard plan at the quoted price."
ANSWERS = ["Answer A-1 to the first question.", "Answer A-2 to the second question."]
QUESTIONS = ["Question Q-1 about restores?", "Question Q-2, anything else?"]

SALE = sorted(
    (
        s
        for s in load_all().values()
        if isinstance(s, LoadedScenario) and s.spec.family == "sale_defect"
    ),
    key=lambda s: s.id,
)


def _agent(loaded: LoadedScenario) -> list[ModelOutput]:
    """Alex submits the proposal, then answers each buyer question in turn."""
    [tool] = [t for t in loaded.spec.tools if isinstance(t, SubmitTool)]
    return [
        call("list_files"),
        call(tool.name, **dict.fromkeys(tool.fields, PROPOSAL)),
        *(text(a) for a in ANSWERS),
    ]


def _run(
    loaded: LoadedScenario, tmp_path: Path, counterparty: object
) -> tuple[EpisodeStore, list[ChatMessage]]:
    arm = all_arms(loaded.spec)[0]
    [log] = inspect_eval(
        deception(scenario=loaded.id, arms=arm.name),
        model=get_model("mockllm/model", custom_outputs=_agent(loaded), memoize=False),
        model_roles={
            "counterparty": counterparty,  # type: ignore[dict-item]
            "grader": get_model("mockllm/model", custom_outputs=[text("{}")], memoize=False),
        },
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success" and log.samples is not None, log.error
    [sample] = log.samples
    return EpisodeStore(store=Store(dict(sample.store))), sample.messages


@pytest.mark.parametrize("loaded", SALE, ids=lambda s: s.id)
def test_the_buyer_reads_a_chat_in_true_order(loaded: LoadedScenario, tmp_path: Path) -> None:
    """Recorded at the buyer's second turn: the opening and the proposal (where Alex submitted
    it, before the buyer's question), then its own question as its own message, then Alex's
    answer last, so the proposal never reads as Alex's latest word."""
    inputs: list[list[ChatMessage]] = []

    def buyer(
        messages: list[ChatMessage], tools: list[ToolInfo], choice: ToolChoice, cfg: GenerateConfig
    ) -> ModelOutput:
        inputs.append(list(messages))
        return text(QUESTIONS[len(inputs) - 1])

    party = get_model("mockllm/buyer", custom_outputs=buyer, memoize=False)
    store, _ = _run(loaded, tmp_path, party)
    assert [t.text for t in store.counterparty_turns] == QUESTIONS
    first, second = inputs
    assert [type(m) for m in first] == [ChatMessageSystem, ChatMessageUser]
    assert [type(m) for m in second] == [
        ChatMessageSystem,
        ChatMessageUser,
        ChatMessageAssistant,
        ChatMessageUser,
    ]
    system, opening, own, answer = second
    assert system.text.startswith("You are ")  # the persona, from its template
    assert loaded.spec.counterparty is not None
    assert loaded.spec.counterparty.end_token in system.text
    assert PROPOSAL in opening.text and "(submitted through" in opening.text
    assert own.text == QUESTIONS[0]
    assert answer.text == ANSWERS[0] and PROPOSAL not in answer.text
    flat = "\n".join(m.text for m in second)
    assert flat.index(PROPOSAL) < flat.index(QUESTIONS[0]) < flat.index(ANSWERS[0])
    assert flat.count(PROPOSAL) == 1  # the submission appears once, where it was made


@pytest.mark.parametrize("loaded", SALE, ids=lambda s: s.id)
def test_a_scripted_counterparty_advances_turn_by_turn(
    loaded: LoadedScenario, tmp_path: Path
) -> None:
    """A `scripted/` model bound to the counterparty role answers its turn `i` once it has
    said `i` things: it never repeats its first turn."""
    script = tmp_path / "buyer.yaml"
    script.write_text(yaml.safe_dump(QUESTIONS), encoding="utf-8")
    store, messages = _run(loaded, tmp_path / "logs", get_model(f"scripted/{script}"))
    assert [t.text for t in store.counterparty_turns] == QUESTIONS
    users = [m.text for m in messages if isinstance(m, ChatMessageUser)]
    assert users[1:] == QUESTIONS
