"""Shared test helpers: mock model outputs that never touch the network, and per-arm counts of a
log as the report reads it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from inspect_ai.log import EvalLog
from inspect_ai.model import ModelOutput, ModelUsage

from analysis.logs import load_outcomes

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


def arm_statuses(log: EvalLog) -> dict[str, Counter[str]]:
    """Per arm, how many sample epochs of each status the report reads from `log`'s file."""
    counts: dict[str, Counter[str]] = {}
    for sample in load_outcomes([log.location]).samples:
        counts.setdefault(sample.arm, Counter())[sample.status] += 1
    return counts


def arm_eval_aware(log: EvalLog) -> dict[str, tuple[int, int]]:
    """Per arm, as the report reads `log`'s file: (graded flagged eval-aware, graded)."""
    counts: dict[str, tuple[int, int]] = {}
    for sample in load_outcomes([log.location]).samples:
        if sample.status == "graded":
            flagged, total = counts.get(sample.arm, (0, 0))
            counts[sample.arm] = (flagged + int(sample.flag("eval_aware") is True), total + 1)
    return counts
