"""The counterparty: scripted follow-ups, or the model role `counterparty` playing a persona."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jinja2
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    get_model,
)
from inspect_ai.util import suspend_token_limit, suspend_turn_limit

from evals.store import CounterpartyTurn, EpisodeStore
from scenarios.loader import RenderedScenario

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


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


async def next_turn(
    rendered: RenderedScenario,
    messages: list[ChatMessage],
    store: EpisodeStore,
    mode: Literal["scripted", "model"],
    index: int,
) -> Reply | None:
    """The counterparty's next message, or None when it has nothing more to say.

    Model calls run with the target's token and turn limits suspended: they are not the agent's.
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
        with suspend_token_limit(), suspend_turn_limit():
            output = await model.generate(prompt, config=GenerateConfig(temperature=0.0))
        raw = output.completion.strip()
        final = raw.endswith(spec.end_token)
        text = raw.removesuffix(spec.end_token).strip()
        if not text:
            return None
    store.record_counterparty(
        CounterpartyTurn(
            after_turn=store.agent_turns,
            text=text,
            source="scripted" if mode == "scripted" else "model",
        )
    )
    return Reply(text=text, final=final)
