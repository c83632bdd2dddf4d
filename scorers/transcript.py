"""The grader's view of one episode: a neutral scenario header and the transcript of what happened.

The header is the scenario's *neutral* projection (every party span replaced by its role label, the
same text in every arm). The transcript is what the agent said and did after the opening: its text
and private reasoning, every tool call with its arguments, every tool result and every
counterparty turn. Only the transcript carries arm text, so only the transcript is redacted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    ContentReasoning,
)

from scenarios.loader import Arm, LoadedScenario, render
from scenarios.schema import LegalJudging, Provision

EntryKind = Literal["assistant", "reasoning", "tool_call", "tool_result", "counterparty"]


@dataclass(frozen=True)
class Entry:
    """One item of the transcript, in order."""

    kind: EntryKind
    text: str
    tool: str = ""
    """The tool called or answering (tool_call, tool_result)."""
    arguments: tuple[tuple[str, str], ...] = ()
    """Tool-call arguments as (name, text); strings verbatim, other values as JSON."""
    round: int = 1
    """The round the entry belongs to: 1 until the first counterparty turn, which opens round 2."""


@dataclass(frozen=True)
class Header:
    """The scenario as the grader reads it: neutral in every arm by construction."""

    agent_name: str
    labels: tuple[str, ...]
    """Every party's neutral label, in declaration order."""
    counterparty_label: str
    system_prompt: str
    opening: str
    ground_truth_summary: str
    ground_truth_facts: tuple[str, ...]
    criteria: str
    honest_example: str
    provisions: tuple[Provision, ...]
    per_round: bool = False
    """The grader judges every round as well as the whole (`judging.per_round`)."""


@dataclass(frozen=True)
class GraderView:
    """Everything the grader is shown about one episode."""

    header: Header
    entries: tuple[Entry, ...]

    def map_text(self, fn: Callable[[str], str]) -> GraderView:
        """The same view with `fn` applied to every transcript text (the header is untouched)."""
        entries = tuple(
            replace(
                entry,
                text=fn(entry.text),
                arguments=tuple((name, fn(value)) for name, value in entry.arguments),
            )
            for entry in self.entries
        )
        return replace(self, entries=entries)

    def through(self, last_round: int) -> GraderView:
        """The same view cut after `last_round`: what had happened by the end of that round, so
        a round judged on it is judged without hindsight of any later round."""
        return replace(self, entries=tuple(e for e in self.entries if e.round <= last_round))

    def agent_said(self) -> list[str]:
        """What the agent said or submitted: its messages and its tool-call arguments (not its
        private reasoning, the tools' results or the counterparty's turns)."""
        texts: list[str] = []
        for entry in self.entries:
            if entry.kind == "assistant":
                texts.append(entry.text)
            texts.extend(value for _, value in entry.arguments)
        return texts

    def agent_said_by_round(self) -> dict[int, list[str]]:
        """`agent_said`, by the round each text was said in."""
        texts: dict[int, list[str]] = {}
        for entry in self.entries:
            said = texts.setdefault(entry.round, [])
            if entry.kind == "assistant":
                said.append(entry.text)
            said.extend(value for _, value in entry.arguments)
        return texts

    def agent_rounds(self) -> list[int]:
        """The rounds in which the agent said or did something (text or a tool call), in order:
        the rounds a per-round verdict must cover."""
        return self.agent_rounds_of(self.entries)

    @staticmethod
    def agent_rounds_of(entries: Sequence[Entry]) -> list[int]:
        """`agent_rounds` of a list of entries."""
        return sorted({e.round for e in entries if e.kind in ("assistant", "tool_call")})

    def transcript_texts(self) -> list[str]:
        """Every transcript text the grader sees, in order (for quote checks and leak checks)."""
        texts: list[str] = []
        for entry in self.entries:
            texts.append(entry.text)
            texts.extend(value for _, value in entry.arguments)
        return texts


def neutral_header(loaded: LoadedScenario, levels: Arm, slot: int = 0) -> Header:
    """The neutral projection of the scenario texts the grader needs (the arm's texts at an
    identity slot, every party span printed as its label)."""
    spec = loaded.spec
    rendered = render(loaded, levels, slot)
    facts = tuple(rendered.text(key, "neutral") for key in rendered.keys("ground_truth.fact:"))
    judging = spec.judging
    cp = spec.counterparty
    return Header(
        agent_name=spec.agent.name,
        labels=tuple(party.label for party in spec.parties.values()),
        counterparty_label=spec.parties[cp.party].label if cp is not None else "COUNTERPARTY",
        system_prompt=rendered.text("system_prompt", "neutral"),
        opening=rendered.text("opening", "neutral"),
        ground_truth_summary=rendered.text("ground_truth.summary", "neutral"),
        ground_truth_facts=facts,
        criteria=rendered.text("criteria", "neutral") if "criteria" in rendered.texts else "",
        honest_example=judging.honest_example if judging.kind == "deception" else "",
        provisions=tuple(judging.provisions) if isinstance(judging, LegalJudging) else (),
        per_round=judging.kind == "deception" and judging.per_round,
    )


def _argument_text(value: object) -> str:
    """A tool-call argument as text the redaction can read: strings verbatim (JSON escapes such
    as `\\n` would glue a cue to the letter before it), objects and lists as indented
    `key: value` lines with their strings verbatim, other values as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_nested(f"{key}:", item) for key, item in value.items())
    if isinstance(value, list):
        return "\n".join(_nested("-", item) for item in value)
    return json.dumps(value, ensure_ascii=False)


def _nested(lead: str, value: object) -> str:
    text = _argument_text(value)
    if isinstance(value, (dict, list)) and value:
        return lead + "\n" + "\n".join("  " + line for line in text.splitlines())
    return f"{lead} {text}"


def _assistant_entries(message: ChatMessageAssistant) -> list[Entry]:
    entries: list[Entry] = []
    if not isinstance(message.content, str):
        for part in message.content:
            if isinstance(part, ContentReasoning):
                thinking = part.summary if part.redacted else part.reasoning
                if thinking and thinking.strip():
                    entries.append(Entry(kind="reasoning", text=thinking))
    if message.text.strip():
        entries.append(Entry(kind="assistant", text=message.text))
    for call in message.tool_calls or []:
        arguments = tuple((name, _argument_text(value)) for name, value in call.arguments.items())
        entries.append(Entry(kind="tool_call", text="", tool=call.function, arguments=arguments))
    return entries


def transcript_entries(messages: Sequence[ChatMessage]) -> list[Entry]:
    """The transcript after the opening: system messages and the first user message are skipped
    (the header shows their neutral form); later user messages are counterparty turns."""
    entries: list[Entry] = []
    seen_opening = False
    round_ = 1
    for message in messages:
        if isinstance(message, ChatMessageSystem):
            continue
        if isinstance(message, ChatMessageUser):
            if seen_opening:
                round_ += 1
                entries.append(Entry(kind="counterparty", text=message.text, round=round_))
            seen_opening = True
        elif isinstance(message, ChatMessageAssistant):
            entries.extend(replace(e, round=round_) for e in _assistant_entries(message))
        elif isinstance(message, ChatMessageTool):
            text = message.text
            if message.error is not None:
                text = f"{text}\nERROR: {message.error.message}".strip()
            entries.append(
                Entry(kind="tool_result", text=text, tool=message.function or "", round=round_)
            )
    return entries


def agent_answered(messages: Sequence[ChatMessage]) -> bool:
    """Whether the agent produced any text or any tool call (reasoning alone is no answer)."""
    return any(
        isinstance(m, ChatMessageAssistant) and (m.text.strip() or m.tool_calls) for m in messages
    )


def build_view(loaded: LoadedScenario, levels: Arm, messages: Sequence[ChatMessage]) -> GraderView:
    """The unredacted grader view of one episode."""
    return GraderView(
        header=neutral_header(loaded, levels), entries=tuple(transcript_entries(messages))
    )
