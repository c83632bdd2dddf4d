"""The provider-neutral view of one request, and the reply the fake decides on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["target", "grader", "counterparty"]

CHARS_PER_TOKEN = 4


def approx_tokens(text: str) -> int:
    """Tokens as the fake counts them: one per four characters, rounded up (no tokenizer)."""
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class ToolCall:
    """A function call in an assistant message."""

    id: str
    name: str
    arguments: dict[str, Any]

    @property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass(frozen=True)
class Turn:
    """One message of the conversation, whatever the wire format."""

    role: Literal["system", "user", "assistant", "tool"]
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    """For `tool` turns: the call this result answers."""


@dataclass(frozen=True)
class ToolOffer:
    """A function the request offers the model."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Block:
    """A unit of the prompt prefix, in the order the provider caches it."""

    text: str
    breakpoint: bool = False
    """Anthropic: the block carries `cache_control`."""

    @property
    def tokens(self) -> int:
        return approx_tokens(self.text)


@dataclass(frozen=True)
class Conversation:
    """What the fake needs from a request: the messages, the tools, the requested schema."""

    model: str
    turns: tuple[Turn, ...]
    tools: tuple[ToolOffer, ...] = ()
    schema: dict[str, Any] | None = None
    blocks: tuple[Block, ...] = field(default=(), repr=False)

    @property
    def input_tokens(self) -> int:
        return sum(block.tokens for block in self.blocks)

    def texts(self, role: str) -> list[str]:
        return [turn.text for turn in self.turns if turn.role == role]


@dataclass(frozen=True)
class Reply:
    """The assistant message to send back."""

    role: Role
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def output_tokens(self) -> int:
        return approx_tokens(
            self.text + "".join(c.name + c.arguments_json for c in self.tool_calls)
        )


@dataclass(frozen=True)
class Usage:
    """Token counts of one request, split as the providers bill them."""

    input_tokens: int
    """Input tokens at the full rate (not read from or written to the cache)."""
    output_tokens: int
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total_input(self) -> int:
        return self.input_tokens + self.cache_read + self.cache_write
