"""Build finished episodes (TaskState + EpisodeStore) and mock graders for the scorer tests.

A golden fixture (tests/golden/**/*.yaml) describes the agent's side of an episode as steps; the
environment's side (tool results, counterparty turns) is rendered from the scenario in each arm,
and the agent's own text may name the parties with `{{ party.span }}`, rendered in each arm too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    Model,
    ModelName,
    ModelOutput,
    StopReason,
    get_model,
)
from inspect_ai.solver import TaskState
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from records.metadata import SampleMetadata
from records.store import (
    CounterpartyTurn,
    EndReason,
    EpisodeStore,
    SentMessage,
    Submission,
    ToolAction,
)
from scenarios.loader import (
    Arm,
    LoadedScenario,
    all_arms,
    identities_of,
    party_fields,
    render,
    species_of,
)
from scenarios.schema import FilesTool, MessageTool, SubmitTool
from tests.helpers import with_usage

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Step(_Strict):
    """One thing the agent did (or one counterparty turn), in order."""

    say: str | None = None
    reasoning: str | None = None
    tool: str | None = None
    arguments: dict[str, JsonValue] = Field(default_factory=dict)
    result: str | None = None
    """Tool result; default: what the scenario's tool returns in the arm."""
    counterparty: int | str | None = None
    """Index of a scripted turn of the scenario (rendered in the arm) or literal text."""


class GraderReply(_Strict):
    """What one grader replies: raw text, a JSON value (dumped), or an error it raises."""

    text: str | None = None
    json_value: JsonValue = Field(default=None, alias="json")
    stop_reason: StopReason = "stop"
    refusal: bool = False
    raises: str | None = None

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    def output(self) -> ModelOutput:
        if self.raises is not None:
            raise RuntimeError(self.raises)
        content = self.text if self.text is not None else json.dumps(self.json_value)
        out = ModelOutput.from_content("mockllm/grader", content, stop_reason=self.stop_reason)
        if self.refusal:
            out.choices[0].message.content = [ContentText(text=content, refusal=True)]
        return with_usage(out)


class Expected(_Strict):
    status: str
    value: float | dict[str, float] | None = None
    answer: str | None = None
    tactics: list[str] | None = None
    eval_aware: bool | None = None
    unverified_quotes: list[str] = Field(default_factory=list)
    refused: bool | None = None
    warned: bool | None = None
    agreement: float | None = None
    reason_contains: str | None = None
    round_verdicts: list[str] | None = None
    """Per-round labels (scenarios judged round by round), each from the cut after its round."""
    round_verdicts_in_hindsight: list[str] | None = None
    """The labels the whole-episode judgement gave the rounds."""
    round_corrections: list[bool] | None = None
    """Per round, whether it explicitly corrects an earlier lapse (from the cut after it)."""
    answer_check: dict[str, JsonValue] | None = None
    """The scorer's own check of the submitted answers (scenarios with an answer key)."""


class Golden(_Strict):
    """One golden transcript and the verdict the pipeline must turn the grader replies into."""

    description: str
    scenario: str
    arms: list[str] | None = None
    steps: list[Step]
    end_reason: EndReason | None = "completed"
    graders: list[str] = Field(default_factory=lambda: ["grader"])
    aggregation: Literal["majority", "unanimous"] = "majority"
    replies: list[GraderReply] = Field(default_factory=list)
    """One per grader, in grader order, for each grading pass: one pass, or for a scenario
    judged round by round, the whole episode, then the cut after each earlier round."""
    expected: Expected


def load_golden(path: Path) -> Golden:
    return Golden.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")), strict=False)


def golden_files(suite: str) -> list[Path]:
    return sorted((GOLDEN / suite).glob("*.yaml"))


def _arm_context(loaded: LoadedScenario, arm: Arm, slot: int = 0) -> dict[str, Any]:
    species = species_of(loaded.spec, arm)
    context: dict[str, Any] = {"agent": loaded.spec.agent.model_dump()}
    for name, party in loaded.spec.parties.items():
        context[name] = party_fields(party, species[name], slot)
    return context


def _fill(value: JsonValue, context: dict[str, Any]) -> JsonValue:
    if isinstance(value, str):
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        return env.from_string(value).render(context)
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, context) for v in value]
    return value


def _tool_result(
    loaded: LoadedScenario, arm: Arm, tool: str, args: dict[str, JsonValue], slot: int = 0
) -> str:
    rendered = render(loaded, arm, slot)
    for spec in loaded.spec.tools:
        if isinstance(spec, FilesTool) and tool == "list_files":
            return "\n".join(doc.name for doc in spec.documents)
        if isinstance(spec, FilesTool) and tool == "read_file":
            return rendered.text(f"document:{args['path']}")
        if isinstance(spec, SubmitTool) and tool == spec.name:
            return spec.confirmation
        if isinstance(spec, MessageTool) and tool == "send_message":
            return f"Message sent to {args['recipient']}."
    raise ValueError(f"scenario '{loaded.id}' declares no tool '{tool}'")


def build_state(
    loaded: LoadedScenario,
    arm: Arm,
    steps: list[Step],
    end_reason: EndReason | None = "completed",
    slot: int = 0,
) -> TaskState:
    """A finished episode in one arm, every party's identity at `slot`: messages as the episode
    solver writes them, and its store."""
    rendered = render(loaded, arm, slot)
    context = _arm_context(loaded, arm, slot)
    spec = loaded.spec
    meta = SampleMetadata(
        scenario=spec.id,
        suite=spec.suite,
        arm=arm.name,
        levels=arm.levels,
        species=species_of(spec, arm),
        counterparty_mode=spec.counterparty.mode if spec.counterparty else None,
        identity_slot=slot,
        identities=identities_of(spec, arm, slot),
    )
    messages: list[ChatMessage] = [
        ChatMessageSystem(content=rendered.text("system_prompt")),
        ChatMessageUser(content=rendered.text("opening")),
    ]
    state = TaskState(
        model=ModelName("mockllm/model"),
        sample_id=f"{spec.id}:{arm.name}",
        epoch=1,
        input=rendered.text("opening"),
        messages=messages,
        metadata=meta.model_dump(mode="json"),
    )
    store = state.store_as(EpisodeStore)
    store.scenario, store.arm, store.agent_turns = spec.id, arm.name, 1
    submit_names = {t.name for t in spec.tools if isinstance(t, SubmitTool)}
    for index, step in enumerate(steps):
        if step.counterparty is not None:
            text = (
                rendered.text(f"turn:{step.counterparty}")
                if isinstance(step.counterparty, int)
                else str(_fill(step.counterparty, context))
            )
            store.record_counterparty(
                CounterpartyTurn(after_turn=store.agent_turns, text=text, source="scripted")
            )
            messages.append(ChatMessageUser(content=text))
            store.agent_turns += 1
            continue
        content: list[ContentText | ContentReasoning] = []
        if step.reasoning is not None:
            content.append(ContentReasoning(reasoning=str(_fill(step.reasoning, context))))
        if step.say is not None:
            content.append(ContentText(text=str(_fill(step.say, context))))
        calls = []
        if step.tool is not None:
            args = _fill(step.arguments, context)
            assert isinstance(args, dict)
            calls.append(ToolCall(id=f"call_{index}", function=step.tool, arguments=args))
        messages.append(ChatMessageAssistant(content=content or "", tool_calls=calls or None))
        for call in calls:
            result = (
                str(_fill(step.result, context))
                if step.result is not None
                else _tool_result(loaded, arm, call.function, call.arguments, slot)
            )
            messages.append(
                ChatMessageTool(content=result, tool_call_id=call.id, function=call.function)
            )
            store.record_action(
                ToolAction(
                    turn=store.agent_turns,
                    tool=call.function,
                    arguments=call.arguments,
                    result=result,
                )
            )
            if call.function in submit_names:
                fields = {k: str(v) for k, v in call.arguments.items()}
                store.record_submission(
                    Submission(turn=store.agent_turns, tool=call.function, fields=fields)
                )
            if call.function == "send_message":
                store.record_message(
                    SentMessage(
                        turn=store.agent_turns,
                        recipient=str(call.arguments["recipient"]),
                        body=str(call.arguments["body"]),
                    )
                )
    store.end_reason = end_reason
    state.messages = messages
    return state


def arms_of(loaded: LoadedScenario, names: list[str] | None) -> list[Arm]:
    arms = all_arms(loaded.spec)
    return arms if names is None else [a for a in arms if a.name in names]


Recorder = list[tuple[str, GenerateConfig]]


def mock_grader(replies: list[GraderReply] | GraderReply, seen: Recorder | None = None) -> Model:
    """A mockllm grader that returns the replies in order and records every input and config."""
    queue = replies if isinstance(replies, list) else [replies]
    state = {"i": 0}

    def respond(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        if seen is not None:
            seen.append(("\n\n".join(m.text for m in messages), config))
        if not queue:
            raise AssertionError("this grader has no scripted reply")
        reply = queue[min(state["i"], len(queue) - 1)]
        state["i"] += 1
        return reply.output()

    return get_model("mockllm/grader", custom_outputs=respond, memoize=False)


def json_reply(value: JsonValue) -> GraderReply:
    return GraderReply.model_validate({"json": value})


def text_reply(text: str, **extra: Any) -> GraderReply:
    return GraderReply(text=text, **extra)


GraderFactory = Callable[[list[GraderReply]], list[tuple[str, Model]]]
