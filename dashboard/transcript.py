"""One opened transcript, flattened from an Inspect sample into plain, picklable text fields.

Every string here may be model-written and is shown as text only (see `dashboard.safe`). Content
other than text and reasoning (images, audio, documents) is named, never shown.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageTool, ContentReasoning
from inspect_ai.scorer import Score
from inspect_ai.util import Store
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from records.store import CounterpartyTurn, EpisodeStore, SentMessage, Submission

Role = Literal["system", "user", "assistant", "tool"]
_STORE_PREFIX = "EpisodeStore:"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ToolCallView(_Frozen):
    """A tool call as the agent made it."""

    id: str
    function: str
    arguments: dict[str, JsonValue]
    parse_error: str | None = None


class Turn(_Frozen):
    """One message of the conversation."""

    role: Role
    text: str
    reasoning: list[str] = Field(default_factory=list)
    tool_calls: list[ToolCallView] = Field(default_factory=list)
    function: str | None = None
    error: str | None = None
    omitted: list[str] = Field(default_factory=list)
    """Content that is not text (e.g. `image`), named only."""


class ScoreView(_Frozen):
    """A score as logged; `status` is set only for a Candor score."""

    name: str
    status: str | None
    value: JsonValue
    answer: str | None
    explanation: str | None
    metadata: dict[str, JsonValue]

    def meta(self, key: str) -> JsonValue:
        return self.metadata.get(key)

    def verdict_details(self) -> dict[str, Any]:
        """The grader's structured verdict (`metadata["verdict"]`), empty when there is none."""
        verdict = self.meta("verdict")
        return verdict if isinstance(verdict, dict) else {}

    def quotes(self) -> list[str]:
        """Every evidence quote the verdict cites (deception evidence, legal element evidence)."""
        details = self.verdict_details()
        quotes = _strings(details.get("evidence")) + _strings(self.meta("evidence"))
        for provision in _dicts(details.get("provisions")):
            for element in _dicts(provision.get("elements")):
                quotes += _strings(element.get("evidence"))
        return list(dict.fromkeys(quotes))


class EpisodeView(_Frozen):
    """What the episode solver recorded in the store."""

    agent_turns: int = 0
    end_reason: str | None = None
    submissions: list[Submission] = Field(default_factory=list)
    messages_sent: list[SentMessage] = Field(default_factory=list)
    counterparty_turns: list[CounterpartyTurn] = Field(default_factory=list)


class Transcript(_Frozen):
    """Everything the transcript view shows for one sample epoch."""

    ref: str
    metadata: dict[str, JsonValue]
    turns: list[Turn]
    episode: EpisodeView | None
    store_problem: str | None = None
    scores: list[ScoreView] = Field(default_factory=list)
    error: str | None = None
    limit: str | None = None

    @property
    def candor_score(self) -> ScoreView | None:
        return next((s for s in self.scores if s.status is not None), None)

    def texts(self) -> list[str]:
        """Every text in the transcript (for quote look-up and full-text search)."""
        out: list[str] = []
        for turn in self.turns:
            out += [turn.text, *turn.reasoning]
            out += [_argument_text(v) for c in turn.tool_calls for v in c.arguments.values()]
        return out


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _argument_text(value: JsonValue) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json(value: object) -> JsonValue:
    """Any logged value as plain JSON data; NaN stays a float (an unscored value)."""
    if isinstance(value, float) and math.isnan(value):
        return value
    loaded: JsonValue = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return loaded


def _turn(message: ChatMessage) -> Turn:
    reasoning: list[str] = []
    omitted: list[str] = []
    if not isinstance(message.content, str):
        for part in message.content:
            if isinstance(part, ContentReasoning):
                reasoning.append(
                    "[reasoning redacted by the provider]" if part.redacted else part.reasoning
                )
            elif part.type != "text":
                omitted.append(part.type)
    calls: list[ToolCallView] = []
    if isinstance(message, ChatMessageAssistant):
        calls = [
            ToolCallView(
                id=c.id,
                function=c.function,
                arguments={str(k): _json(v) for k, v in (c.arguments or {}).items()},
                parse_error=c.parse_error,
            )
            for c in message.tool_calls or []
        ]
    function = error = None
    if isinstance(message, ChatMessageTool):
        function = message.function
        error = message.error.message if message.error else None
    return Turn(
        role=message.role,
        text=message.text,
        reasoning=reasoning,
        tool_calls=calls,
        function=function,
        error=error,
        omitted=omitted,
    )


def _score(name: str, score: Score) -> ScoreView:
    metadata = score.metadata if isinstance(score.metadata, dict) else {}
    status = metadata.get("status")
    return ScoreView(
        name=name,
        status=str(status) if status is not None else None,
        value=_json(score.value),
        answer=score.answer,
        explanation=score.explanation,
        metadata={str(k): _json(v) for k, v in metadata.items()},
    )


def _episode(store: dict[str, Any]) -> tuple[EpisodeView | None, str | None]:
    if not any(k.startswith(_STORE_PREFIX) for k in store):
        return None, "the sample has no episode record (EpisodeStore) in its store"
    try:
        # bound to a private Store: a StoreModel built without one reads and writes the
        # process-wide default store, so one transcript would leak into the next
        episode = EpisodeStore(store=Store(store))
    except ValidationError as exc:
        return None, f"the episode record does not match EpisodeStore: {exc.error_count()} errors"
    return (
        EpisodeView(
            agent_turns=episode.agent_turns,
            end_reason=episode.end_reason,
            submissions=list(episode.submissions),
            messages_sent=list(episode.messages_sent),
            counterparty_turns=list(episode.counterparty_turns),
        ),
        None,
    )


def from_sample(ref: str, sample: EvalSample) -> Transcript:
    """Flatten an Inspect sample (read with attachments resolved) into a `Transcript`."""
    episode, problem = _episode(dict(sample.store or {}))
    limit = None
    if sample.limit is not None:
        limit = f"{sample.limit.type} limit ({sample.limit.limit:g})"
    return Transcript(
        ref=ref,
        metadata={str(k): _json(v) for k, v in (sample.metadata or {}).items()},
        turns=[_turn(m) for m in sample.messages],
        episode=episode,
        store_problem=problem,
        scores=[_score(name, s) for name, s in (sample.scores or {}).items()],
        error=sample.error.message if sample.error else None,
        limit=limit,
    )
