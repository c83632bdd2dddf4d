"""Per-sample episode state, kept in the Inspect store so graders and the dashboard see it."""

from __future__ import annotations

from typing import Literal

from inspect_ai.util import StoreModel
from pydantic import BaseModel, ConfigDict, Field, JsonValue

EndReason = Literal[
    "completed",
    "counterparty_ended",
    "counterparty_failed",
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


CounterpartyFailureKind = Literal["refused", "empty", "error"]


class CounterpartyFailure(_Record):
    """The model counterparty gave no usable reply: the episode ended there, ungraded.

    `refused`: the provider reported a refusal (content filter, or a refusal content part);
    `empty`: the reply held no text at all; `error`: the call raised. `detail` says what was seen.
    """

    after_turn: int
    kind: CounterpartyFailureKind
    detail: str

    @property
    def status(self) -> Literal["counterparty_refused", "counterparty_empty", "counterparty_error"]:
        """The sample status this failure gives (one of `records.statuses.UnscoredStatus`)."""
        statuses: dict[
            CounterpartyFailureKind,
            Literal["counterparty_refused", "counterparty_empty", "counterparty_error"],
        ] = {
            "refused": "counterparty_refused",
            "empty": "counterparty_empty",
            "error": "counterparty_error",
        }
        return statuses[self.kind]


# --- world-tool records: what the agent changed in the simulated workplace ------------------------


class Order(_Record):
    """An order placed through `place_order`, validated against the catalogue."""

    turn: int
    order_id: str
    customer_id: str
    sku: str
    product: str
    quantity: int
    unit_price: float
    total: float
    billing: Literal["one_off", "monthly", "yearly"]
    term: str
    currency: str


class CustomerUpdate(_Record):
    """A change to a customer record: a note added (`field` is `notes`) or a field set."""

    turn: int
    customer_id: str
    field: str
    value: str


class Cancellation(_Record):
    """A subscription cancelled through `cancel_subscription`."""

    turn: int
    customer_id: str
    subscription_id: str
    reason: str


class SentEmail(_Record):
    """An email sent through `send_email`; `signature` is the signature block sent under the body
    (empty when the agent sent none)."""

    turn: int
    sender: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    signature: str


class HrMessagesRead(_Record):
    """A search of the workplace messaging archive and the messages it returned to the agent."""

    turn: int
    employee: str
    channel: str
    query: str
    message_ids: list[str]


class PersonSearch(_Record):
    """A people search and the records (`source:id`) it returned to the agent."""

    turn: int
    query: str
    source: str
    record_ids: list[str]


class SavedProfile(_Record):
    """A personal profile the agent compiled and saved through `save_profile`."""

    turn: int
    subject: str
    fields: dict[str, str]
    summary: str


class CreatedEvent(_Record):
    """A calendar event created through `create_event`."""

    turn: int
    event_id: str
    calendar: str
    title: str
    start: str
    end: str
    attendees: list[str]
    location: str
    description: str


class EpisodeStore(StoreModel):
    """Everything the episode solver records about one run of the agent."""

    scenario: str = ""
    arm: str = ""
    agent_turns: int = 0
    actions: list[ToolAction] = Field(default_factory=list)
    submissions: list[Submission] = Field(default_factory=list)
    messages_sent: list[SentMessage] = Field(default_factory=list)
    counterparty_turns: list[CounterpartyTurn] = Field(default_factory=list)
    counterparty_failure: CounterpartyFailure | None = None
    end_reason: EndReason | None = None
    # world tools (legal suite)
    orders: list[Order] = Field(default_factory=list)
    customer_updates: list[CustomerUpdate] = Field(default_factory=list)
    cancellations: list[Cancellation] = Field(default_factory=list)
    emails_sent: list[SentEmail] = Field(default_factory=list)
    hr_reads: list[HrMessagesRead] = Field(default_factory=list)
    person_searches: list[PersonSearch] = Field(default_factory=list)
    profiles_saved: list[SavedProfile] = Field(default_factory=list)
    events_created: list[CreatedEvent] = Field(default_factory=list)

    def record_action(self, action: ToolAction) -> None:
        # StoreModel persists on assignment, not on in-place mutation.
        self.actions = [*self.actions, action]

    def record_submission(self, submission: Submission) -> None:
        self.submissions = [*self.submissions, submission]

    def record_message(self, message: SentMessage) -> None:
        self.messages_sent = [*self.messages_sent, message]

    def record_counterparty(self, turn: CounterpartyTurn) -> None:
        self.counterparty_turns = [*self.counterparty_turns, turn]

    def record_order(self, order: Order) -> None:
        self.orders = [*self.orders, order]

    def record_customer_update(self, update: CustomerUpdate) -> None:
        self.customer_updates = [*self.customer_updates, update]

    def record_cancellation(self, cancellation: Cancellation) -> None:
        self.cancellations = [*self.cancellations, cancellation]

    def record_email(self, email: SentEmail) -> None:
        self.emails_sent = [*self.emails_sent, email]

    def record_hr_read(self, read: HrMessagesRead) -> None:
        self.hr_reads = [*self.hr_reads, read]

    def record_person_search(self, search: PersonSearch) -> None:
        self.person_searches = [*self.person_searches, search]

    def record_profile(self, profile: SavedProfile) -> None:
        self.profiles_saved = [*self.profiles_saved, profile]

    def record_event(self, event: CreatedEvent) -> None:
        self.events_created = [*self.events_created, event]
