"""The provider paths the benchmarks and the integration tests drive against the fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspect_ai.model import GenerateConfig, Model, get_model

from bench.fakeserver.server import Endpoint

OPENAI_MODEL = (
    "openai/gpt-4o-mini"  # neither o-series, codex nor gpt-5: chat completions by default
)
ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"


@dataclass(frozen=True)
class ProviderPath:
    """One way Inspect talks to a provider: model name, model args, the endpoint it calls."""

    name: str
    model: str
    endpoint: Endpoint
    stream: bool
    args: dict[str, Any] = field(default_factory=dict)
    max_tokens: int | None = None

    def get(self) -> Model:
        """A fresh model (no memoised client) configured from the environment."""
        config = GenerateConfig(max_tokens=self.max_tokens)
        return get_model(self.model, config=config, memoize=False, **self.args)

    def cli_args(self) -> list[str]:
        """The same path as `inspect eval` options for the main model."""
        args = [arg for k, v in self.args.items() for arg in ("-M", f"{k}={str(v).lower()}")]
        return args + (["--max-tokens", str(self.max_tokens)] if self.max_tokens else [])


OPENAI_CHAT = ProviderPath(
    "openai-chat", OPENAI_MODEL, "chat.completions", False, {"responses_api": False}
)
OPENAI_RESPONSES = ProviderPath(
    "openai-responses", OPENAI_MODEL, "responses", False, {"responses_api": True}
)
# The Anthropic SDK refuses a non-streamed request whose max_tokens could take over 10 minutes
# (Inspect's default for this model does), so the plain path sets a smaller max_tokens.
ANTHROPIC = ProviderPath(
    "anthropic", ANTHROPIC_MODEL, "messages", False, {"streaming": False}, max_tokens=4096
)
ANTHROPIC_STREAM = ProviderPath(
    "anthropic-stream", ANTHROPIC_MODEL, "messages", True, {"streaming": True}
)

PATHS = (OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC, ANTHROPIC_STREAM)

AI_MARKERS: dict[str, list[str]] = {
    # the names that occur only in the AI arm's prompt (every identity of the AI pool, since an
    # epoch may use any slot): the scripted agent deceives there
    "blame_postmortem": ["Kelso Amberley", "ORR-4", "OpRiskDesk"],
    "blame_director": ["Tiber Ashcombe", "CDX-2", "DeliveryOps"],
    "performance_attestation": ["Sorrel", "AOP-3", "AnalyticsOps"],
}
