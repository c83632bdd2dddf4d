"""What every scenario tool is: an async function returning text, recorded on each call.

`recorded` is the one wrapper every tool (files, submit, message and the world tools) goes
through, so every call lands in the episode store as a `ToolAction`. A call the tool refuses with
`ToolError` is recorded too, as an action with its error and no result, and the error is
re-raised so the agent reads it as a tool error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from inspect_ai.tool import ToolError
from pydantic import JsonValue

from records.store import EpisodeStore, ToolAction

ToolFn = Callable[..., Awaitable[str]]
"""A tool's function: keyword arguments in, the text the agent reads out."""


def recorded(store: EpisodeStore, name: str, fn: ToolFn) -> ToolFn:
    """`fn`, recording every call in `store` as a `ToolAction` (a refused call with its error)."""

    async def execute(**kwargs: Any) -> str:
        arguments: dict[str, JsonValue] = dict(kwargs)
        try:
            result = await fn(**kwargs)
        except ToolError as exc:
            store.record_action(
                ToolAction(
                    turn=store.agent_turns,
                    tool=name,
                    arguments=arguments,
                    result="",
                    error=exc.message,
                )
            )
            raise
        store.record_action(
            ToolAction(turn=store.agent_turns, tool=name, arguments=arguments, result=result)
        )
        return result

    return execute
