"""Shared test helpers: mock model outputs that never touch the network."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ModelOutput, ModelUsage

MOCK = "mockllm/model"


def with_usage(output: ModelOutput, tokens: int = 10) -> ModelOutput:
    """Give a mock output a `usage`, so mockllm does not count tokens with tiktoken (offline)."""
    output.usage = ModelUsage(input_tokens=tokens, output_tokens=tokens, total_tokens=2 * tokens)
    return output


def text(content: str) -> ModelOutput:
    """A plain assistant reply."""
    return with_usage(ModelOutput.from_content(MOCK, content))


def call(tool: str, **arguments: Any) -> ModelOutput:
    """An assistant reply that calls one tool."""
    return with_usage(ModelOutput.for_tool_call(MOCK, tool, arguments))
