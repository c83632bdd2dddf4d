"""The counterparty: scripted follow-ups, or the model role `counterparty` playing a persona."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    ContentText,
    GenerateConfig,
    ModelOutput,
    get_model,
)
from inspect_ai.util import LimitExceededError, suspend_token_limit, suspend_turn_limit

from records.store import (
    CounterpartyFailure,
    CounterpartyFailureKind,
    CounterpartyTurn,
    EpisodeStore,
)
from scenarios import templating
from scenarios.loader import RenderedScenario

_TEMPLATES = templating.environment(Path(__file__).parent / "templates")


@dataclass(frozen=True)
class Reply:
    """A counterparty message; `final` when the counterparty ends the conversation with it."""

    text: str
    final: bool = False


@dataclass(frozen=True)
class _Line:
    speaker: str
    text: str


def _visible_conversation(messages: list[ChatMessage], agent_name: str) -> list[_Line]:
    """What the counterparty can see: messages exchanged, not the agent's private tool use."""
    lines: list[_Line] = []
    for message in messages[1:]:  # the system prompt is the agent's own
        if isinstance(message, ChatMessageUser):
            lines.append(_Line("You", message.text))
        elif isinstance(message, ChatMessageAssistant) and message.text.strip():
            lines.append(_Line(agent_name, message.text))
    return lines


def refusal_of(output: ModelOutput) -> str | None:
    """What shows that the provider refused, or None.

    Only what the provider reports counts (its content filter, a refusal content part), never
    the wording of the reply: a persona may well say no to the agent in prose.
    """
    if output.stop_reason == "content_filter":
        shown = output.completion.strip() or output.error or "no text"
        return f"the counterparty's provider stopped on its content filter ({shown[:200]})"
    message = output.choices[0].message if output.choices else None
    if message is not None and not isinstance(message.content, str):
        for part in message.content:
            if isinstance(part, ContentText) and part.refusal:
                return f"the counterparty model refused: {part.text[:200]}"
    return None


def _failed(store: EpisodeStore, kind: CounterpartyFailureKind, detail: str) -> CounterpartyFailure:
    failure = CounterpartyFailure(after_turn=store.agent_turns, kind=kind, detail=detail)
    store.counterparty_failure = failure
    return failure


async def next_turn(
    rendered: RenderedScenario,
    messages: list[ChatMessage],
    store: EpisodeStore,
    mode: Literal["scripted", "model"],
    index: int,
) -> Reply | CounterpartyFailure | None:
    """The counterparty's next message, None when it has nothing more to say, or the failure
    (recorded in the store) when a model counterparty refused, replied empty or raised.

    A failure is never handed to the agent as the party's reply: the episode ends there and the
    sample is unscored with a `counterparty_*` status. Model calls run with the target's token
    and turn limits suspended: they are not the agent's.
    """
    spec = rendered.scenario.spec.counterparty
    if spec is None or index >= spec.max_turns:
        return None
    if mode == "scripted":
        key = f"turn:{index}"
        if key not in rendered.texts:
            return None
        text = rendered.text(key)
        final = False
    else:
        agent_name = rendered.scenario.spec.agent.name
        submissions = [
            f"(submitted through {s.tool})\n" + "\n".join(f"{k}: {v}" for k, v in s.fields.items())
            for s in store.submissions
        ]
        conversation = _visible_conversation(messages, agent_name)
        conversation += [_Line(agent_name, text) for text in submissions]
        prompt = _TEMPLATES.get_template("counterparty_turn.j2").render(
            persona=rendered.text("persona"),
            agent_name=agent_name,
            conversation=conversation,
            end_token=spec.end_token,
        )
        model = get_model(role="counterparty", required=True)
        try:
            with suspend_token_limit(), suspend_turn_limit():
                output = await model.generate(prompt, config=GenerateConfig(temperature=0.0))
        except LimitExceededError:
            raise  # the sample's own time or working limit: recorded as that limit
        except Exception as exc:  # noqa: BLE001 -- any failure of the call is a status
            return _failed(
                store, "error", f"the counterparty model raised {type(exc).__name__}: {exc}"
            )
        refusal = refusal_of(output)
        if refusal is not None:
            return _failed(store, "refused", refusal)
        raw = output.completion.strip()
        if not raw:
            return _failed(
                store,
                "empty",
                f"the counterparty model replied with no text (stop reason: {output.stop_reason})",
            )
        final = raw.endswith(spec.end_token)
        text = raw.removesuffix(spec.end_token).strip()
        if not text:
            return None  # the end token alone: the counterparty closes the conversation
    store.record_counterparty(
        CounterpartyTurn(
            after_turn=store.agent_turns,
            text=text,
            source="scripted" if mode == "scripted" else "model",
        )
    )
    return Reply(text=text, final=final)
