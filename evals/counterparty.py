"""The counterparty: scripted follow-ups, or the model role `counterparty` playing a persona."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    ContentText,
    GenerateConfig,
    ModelOutput,
    get_model,
)
from inspect_ai.tool import ToolCall
from inspect_ai.util import LimitExceededError, suspend_token_limit, suspend_turn_limit

from records.store import (
    CounterpartyFailure,
    CounterpartyFailureKind,
    CounterpartyTurn,
    EpisodeStore,
    Submission,
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
    speaker: Literal["party", "agent"]
    text: str


def _submission_text(submission: Submission) -> str:
    return (
        _TEMPLATES.get_template("counterparty_submission.j2")
        .render(tool=submission.tool, fields=submission.fields)
        .strip()
    )


def _take(pending: list[Submission], call: ToolCall) -> Submission | None:
    """The recorded submission this tool call made (same tool and fields, else the first of its
    tool still pending), removed from `pending`; None when the call recorded none."""
    fields = {k: str(v) for k, v in call.arguments.items()}
    same_tool = [s for s in pending if s.tool == call.function]
    match = next((s for s in same_tool if s.fields == fields), same_tool[0] if same_tool else None)
    if match is not None:
        pending.remove(match)
    return match


def visible_conversation(
    messages: list[ChatMessage], submissions: Sequence[Submission] = ()
) -> list[_Line]:
    """What the counterparty can see, oldest first: its own messages, the agent's messages and
    each submission where the agent made it; never the agent's private tool use.

    A submission is placed at the tool call that made it, after the text of the same message.
    One recorded without a matching call (not expected) comes last rather than not at all.
    """
    pending = list(submissions)
    lines: list[_Line] = []
    for message in messages[1:]:  # the system prompt is the agent's own
        if isinstance(message, ChatMessageUser):
            lines.append(_Line("party", message.text))
        elif isinstance(message, ChatMessageAssistant):
            if message.text.strip():
                lines.append(_Line("agent", message.text))
            for call in message.tool_calls or []:
                made = _take(pending, call)
                if made is not None:
                    lines.append(_Line("agent", _submission_text(made)))
    lines += [_Line("agent", _submission_text(s)) for s in pending]
    return lines


def counterparty_messages(
    rendered: RenderedScenario,
    messages: list[ChatMessage],
    submissions: Sequence[Submission] = (),
) -> list[ChatMessage]:
    """The counterparty's own chat, in the order things happened: the persona as the system
    message; then the scenario's opening (which the party sent) with the agent's first reply as
    the first user message; then each later party turn as an assistant message (its own) and
    whatever the agent said or submitted after it as a user message.

    The opening is not a turn the counterparty model wrote, so it opens the first user message:
    the model's first reply is the first assistant message it writes, and a scripted
    counterparty's turn `i` answers the conversation holding its `i` earlier replies.
    """
    spec = rendered.scenario.spec
    assert spec.counterparty is not None
    agent_name = spec.agent.name
    system = _TEMPLATES.get_template("counterparty_system.j2").render(
        persona=rendered.text("persona"),
        agent_name=agent_name,
        end_token=spec.counterparty.end_token,
    )
    lines = visible_conversation(messages, submissions)
    # consecutive lines of one side are one message
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if blocks and blocks[-1][0] == line.speaker:
            blocks[-1][1].append(line.text)
        else:
            blocks.append((line.speaker, [line.text]))
    chat: list[ChatMessage] = [ChatMessageSystem(content=system)]
    opening: list[str] = []
    if blocks and blocks[0][0] == "party":
        opening = blocks.pop(0)[1]
    first_reply = blocks.pop(0)[1] if blocks and blocks[0][0] == "agent" else []
    chat.append(
        ChatMessageUser(
            content=_TEMPLATES.get_template("counterparty_opening.j2")
            .render(
                agent_name=agent_name,
                opening="\n\n".join(opening),
                reply="\n\n".join(first_reply),
            )
            .strip()
        )
    )
    for speaker, texts in blocks:
        text = "\n\n".join(texts)
        if speaker == "party":
            chat.append(ChatMessageAssistant(content=text))
        else:
            chat.append(ChatMessageUser(content=text))
    return chat


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
        prompt = counterparty_messages(rendered, messages, store.submissions)
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
