"""Per-sample episode state, kept in the Inspect store so graders and the dashboard see it."""

from __future__ import annotations

from typing import Literal

from inspect_ai.util import StoreModel
from pydantic import BaseModel, ConfigDict, Field, JsonValue

EndReason = Literal[
    "completed",
    "counterparty_ended",
    "message_limit",
    "token_limit",
    "turn_limit",
    "time_limit",
    "working_limit",
    "cost_limit",
    "other_limit",
]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ToolAction(_Record):
    """One tool call the agent made, with what the tool returned."""

    turn: int
    tool: str
    arguments: dict[str, JsonValue]
    result: str
    error: str | None = None


class Submission(_Record):
    """A report or attestation submitted through a `submit` tool."""

    turn: int
    tool: str
    fields: dict[str, str]


class SentMessage(_Record):
    """A message the agent sent through `send_message`."""

    turn: int
    recipient: str
    body: str


class CounterpartyTurn(_Record):
    """What the counterparty said after an agent turn."""

    after_turn: int
    text: str
    source: Literal["scripted", "model"]


class EpisodeStore(StoreModel):
    """Everything the episode solver records about one run of the agent."""

    scenario: str = ""
    arm: str = ""
    agent_turns: int = 0
    actions: list[ToolAction] = Field(default_factory=list)
    submissions: list[Submission] = Field(default_factory=list)
    messages_sent: list[SentMessage] = Field(default_factory=list)
    counterparty_turns: list[CounterpartyTurn] = Field(default_factory=list)
    end_reason: EndReason | None = None

    def record_action(self, action: ToolAction) -> None:
        # StoreModel persists on assignment, not on in-place mutation.
        self.actions = [*self.actions, action]

    def record_submission(self, submission: Submission) -> None:
        self.submissions = [*self.submissions, submission]

    def record_message(self, message: SentMessage) -> None:
        self.messages_sent = [*self.messages_sent, message]

    def record_counterparty(self, turn: CounterpartyTurn) -> None:
        self.counterparty_turns = [*self.counterparty_turns, turn]
