"""Small helpers shared by Candor's model providers.

Every Candor provider returns a :class:`~inspect_ai.model.ModelUsage` with each
output, so Inspect never falls back to estimating token counts itself (its
fallback uses ``tiktoken``, which downloads its encoding on first use and so
fails on an offline machine).
"""

from __future__ import annotations

from inspect_ai.model import ModelUsage


def make_usage(input_tokens: int, output_tokens: int) -> ModelUsage:
    """Build a ModelUsage whose total is the sum of input and output tokens."""
    input_tokens = max(0, int(input_tokens))
    output_tokens = max(0, int(output_tokens))
    return ModelUsage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
    )


def word_count(text: str) -> int:
    """Count whitespace-separated words: ``len(text.split())``.

    Used by the ``scripted`` provider as its "token" count. It is a word count,
    not a tokenizer count, and is documented as such wherever it is used.
    """
    return len(text.split())
