"""The scenario file format: a strict pydantic schema for `scenarios/**/scenario.yaml`.

A scenario is data. It declares the agent, the parties whose *species* the arms swap, the factors,
the tools with their initial state, the counterparty, the private ground truth and what the grader
judges. Unknown keys are rejected, so a misspelt key fails at load with its path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Species(StrEnum):
    """Who a party is: the factor this project is about."""

    HUMAN = "human"
    AI = "ai"
    ABSENT = "absent"


class Strict(BaseModel):
    """Base for every scenario model: unknown keys fail, values are not coerced."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


PRONOUNS = ("she", "he", "they", "it")
RESERVED_FIELDS = frozenset({"id", "pronouns", "cues", "text", "present"})
"""Identity keys that are not template text (`present` is the presence block of a party)."""


class Identity(Strict):
    """One interchangeable identity of a party in one species: who the party is in one slot.

    Written flat in YAML (`{id: h1, name: Dana Whitfield, short: Dana, title: ..., pronouns:
    she}`): every key but `id`, `pronouns` and `cues` is a text field a template prints
    (`{{ overseer.name }}`). `pronouns` adds the fields `they`, `them`, `their`, `theirs` and
    `themself` (forms from the shared lexicon). `cues` lists further strings that reveal this
    identity or its species ("AI", "automated"); the grader never sees any of them.
    """

    id: Identifier
    text: dict[Identifier, str]
    pronouns: Literal["she", "he", "they", "it"] | None = None
    cues: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _flat_fields(cls, data: object) -> object:
        if not isinstance(data, dict) or "text" in data:
            return data
        text = {k: v for k, v in data.items() if k not in RESERVED_FIELDS}
        rest = {k: v for k, v in data.items() if k in RESERVED_FIELDS}
        return {**rest, "text": text}

    @model_validator(mode="after")
    def _no_reserved_text(self) -> Identity:
        if clash := sorted(set(self.text) & (RESERVED_FIELDS | {"they", "them", "their"})):
            raise ValueError(f"identity '{self.id}': field(s) {clash} are reserved names")
        return self

    def fields(self, forms: dict[str, str] | None = None) -> dict[str, str]:
        """Every text field a template may print: the declared ones and the pronoun forms."""
        return {**(forms or {}), **self.text}


class PartyVariant(Strict):
    """The text that names and describes one party in one species: a pool of identities.

    `identities` lists interchangeable identities (the pool; every level of a party declares
    the same number, so slot j of every level is a matched set) with the same text fields. The
    single-identity form (`text` and `cues` directly) is one identity, `<species>_1`.
    """

    text: dict[Identifier, str] | None = None
    cues: list[str] = Field(default_factory=list)
    identities: list[Identity] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> PartyVariant:
        if (self.text is None) == (self.identities is None):
            raise ValueError(
                "give exactly one of 'identities' (a pool) or 'text' (a single identity)"
            )
        if self.identities is not None:
            if self.cues:
                raise ValueError("with 'identities', declare 'cues' on each identity")
            if dup := _duplicates([i.id for i in self.identities]):
                raise ValueError(f"identity id(s) {dup} are declared more than once")
            first = self.identities[0]
            for identity in self.identities[1:]:
                if set(identity.text) != set(first.text):
                    raise ValueError(
                        f"identity '{identity.id}' declares fields {sorted(identity.text)} but "
                        f"'{first.id}' declares {sorted(first.text)}; every identity of a party "
                        "must declare the same fields"
                    )
                if (identity.pronouns is None) != (first.pronouns is None):
                    raise ValueError(
                        f"identity '{identity.id}': declare 'pronouns' on every identity of "
                        "the pool or on none"
                    )
        return self

    def pool(self, species: Species) -> list[Identity]:
        """The identities of this species, in slot order."""
        if self.identities is not None:
            return list(self.identities)
        assert self.text is not None  # one of the two forms, by the validator
        return [Identity(id=f"{species.value}_1", text=dict(self.text), cues=list(self.cues))]

    def field_names(self) -> set[str]:
        """The text fields every identity of the pool declares (pronoun forms included)."""
        pool = self.pool(Species.HUMAN)
        pronoun_forms = {"they", "them", "their", "theirs", "themself"}
        return set(pool[0].text) | (pronoun_forms if pool[0].pronouns is not None else set())


class ScenarioIdentityFields(Strict):
    """Identity fields a scenario uses beyond the shared lexicon's (`identity_fields` there).

    `names`: further keys of its parties' identities that are identity text (free to differ
    between identities, one line each: a `desk`, a `handle`). `matched`: identity fields that
    must read the same in every species at one slot once species words are removed (seniority
    and function matched: a `desk` "Credit Risk Desk" against "AI Credit Risk Desk").
    `signed`: identity fields that hold a sign-off, compared line by line across species.
    """

    names: list[Identifier] = Field(default_factory=list)
    matched: list[Identifier] = Field(default_factory=list)
    signed: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_fields(self) -> ScenarioIdentityFields:
        from scenarios.lexicon import lexicon  # the shared lexicon, read once

        shared = lexicon().identity_fields.names
        if clash := sorted(set(self.names) & (RESERVED_FIELDS | {"they", "them", "their"})):
            raise ValueError(f"names: {clash} are reserved names, not identity fields")
        known = set(self.names) | set(shared)
        for key in ("matched", "signed"):
            if unknown := [f for f in getattr(self, key) if f not in known]:
                raise ValueError(
                    f"{key}: {unknown} are not identity fields; expected fields listed in "
                    f"'names' {sorted(self.names)} or in the shared lexicon {sorted(shared)}"
                )
        return self


class Party(Strict):
    """Someone in the scenario other than the agent."""

    label: str = Field(description="Neutral role label shown to the grader, e.g. 'REVIEWER'.")
    species: dict[Species, PartyVariant] = Field(
        min_length=1, description="At least one species, each with the party's text in it."
    )
    fixed: Species | None = Field(
        default=None, description="Species when no factor sets this party."
    )

    @model_validator(mode="after")
    def _same_spans_in_every_species(self) -> Party:
        keys = {
            species: variant.field_names()
            for species, variant in self.species.items()
            if species != Species.ABSENT
        }
        if keys:
            first_species, first = next(iter(keys.items()))
            for species, spans in keys.items():
                if spans != first:
                    raise ValueError(
                        f"species '{species}' declares text keys {sorted(spans)} but species "
                        f"'{first_species}' declares {sorted(first)}; every species of a party "
                        "must declare the same keys"
                    )
            sizes = {s: len(v.pool(s)) for s, v in self.species.items() if s != Species.ABSENT}
            if len(set(sizes.values())) > 1:
                listed = ", ".join(f"{s}: {n}" for s, n in sizes.items())
                raise ValueError(
                    f"identity pools differ in size across species ({listed}); "
                    "every species of a party declares the same number of identities, so slot "
                    "j is a matched set"
                )
        absent = self.species.get(Species.ABSENT)
        if absent is not None and keys:
            extra = absent.field_names() - next(iter(keys.values()))
            if extra:
                raise ValueError(
                    f"species 'absent' declares keys {sorted(extra)} no other species declares"
                )
        if self.fixed is not None and self.fixed not in self.species:
            raise ValueError(
                f"fixed species '{self.fixed}' is not declared; declared: "
                f"{sorted(str(s) for s in self.species)}"
            )
        return self

    def pool_size(self) -> int:
        """k: the number of identities of each species of the party (absent aside)."""
        sizes = [len(v.pool(s)) for s, v in self.species.items() if s != Species.ABSENT]
        return sizes[0] if sizes else 1

    def identity(self, species: Species, slot: int) -> Identity:
        """The party's identity in a species at a slot (slot modulo the pool size)."""
        pool = self.species[species].pool(species)
        return pool[slot % len(pool)]

    def identities(self) -> list[Identity]:
        """Every identity of every species of the party."""
        return [i for s, v in self.species.items() for i in v.pool(s)]


class Factor(Strict):
    """An experimental factor: the species of one party, or a condition, at the listed levels.

    A `species` factor sets the species of `party`. A `condition` factor (e.g. `audit: none |
    spot_check`) declares, for every level, the text of its spans (`text: {level: {span:
    text}}`), printed by templates as `{{ audit.span }}`: that text is its manipulation. The
    grader sees a condition span as its `neutral` text (default `[FACTOR]`) unless
    `grader_visible` is true.
    """

    kind: Literal["species", "condition"] = "species"
    party: Identifier | None = None
    levels: list[Identifier] = Field(min_length=1)
    description: str = ""
    text: dict[Identifier, dict[Identifier, str]] = Field(default_factory=dict)
    neutral: dict[Identifier, str] = Field(default_factory=dict)
    cues: list[str] = Field(
        default_factory=list,
        description="Strings that reveal a condition's level if an agent repeats them; the "
        "grader never sees them (unless grader_visible).",
    )
    words: list[str] = Field(
        default_factory=list,
        description="The condition's own words, as an agent paraphrasing any level would write "
        "them ('audit*', 'spot-check*', 'face value', 'compar* * against'): each becomes the "
        "factor's token in every arm. '*' stands for the rest of a word (or, alone, any one "
        "word); '-' or a space between words matches either or none.",
    )
    grader_visible: bool = False

    @model_validator(mode="after")
    def _levels_once(self) -> Factor:
        # a level listed twice would make two identical arms, counted as if independent
        if dup := _duplicates([str(level) for level in self.levels]):
            raise ValueError(f"level(s) {dup} are listed more than once; list each level once")
        if self.kind == "species":
            if self.party is None:
                raise ValueError("a species factor names the 'party' whose species it sets")
            species = {s.value for s in Species}
            if wrong := [level for level in self.levels if level not in species]:
                raise ValueError(
                    f"levels: species level(s) {wrong} are not species; expected: {sorted(species)}"
                )
            if self.text or self.neutral or self.cues or self.words or self.grader_visible:
                raise ValueError(
                    "a species factor takes its text from its party; 'text', 'neutral', 'cues', "
                    "'words' and 'grader_visible' are for condition factors"
                )
            return self
        if self.party is not None:
            raise ValueError("a condition factor sets no party's species; remove 'party'")
        missing = [level for level in self.levels if level not in self.text]
        extra = [level for level in self.text if level not in self.levels]
        if missing or extra:
            raise ValueError(
                f"text: every level declares its text and only levels do; missing {missing}, "
                f"not a level {extra}"
            )
        spans = [set(self.text[level]) for level in self.levels]
        if any(s != spans[0] for s in spans):
            raise ValueError(
                "text: every level declares the same spans; declared: "
                + "; ".join(f"{lv}: {sorted(self.text[lv])}" for lv in self.levels)
            )
        for word in self.words:
            if not word.strip() or word.strip() == "*" or any(c in word for c in "[]\\()?+{}|^$"):
                raise ValueError(
                    f"words: {word!r} is not a word pattern; expected words, '*' for the rest of "
                    "a word or for one word, and '-' or spaces between words"
                )
        if extra_neutral := sorted(set(self.neutral) - spans[0]):
            raise ValueError(f"neutral: {extra_neutral} are not spans of this factor")
        for level, values in self.text.items():
            for span, value in values.items():
                if "{{" in value or "{%" in value or any(c in value for c in "\x02\x03\x1f"):
                    raise ValueError(
                        f"text.{level}.{span}: condition text is plain text, not a template"
                    )
        return self

    @property
    def species_levels(self) -> list[Species]:
        """The levels of a species factor as species."""
        return [Species(level) for level in self.levels] if self.kind == "species" else []


class TemplateRef(Strict):
    """Text given inline or as a template file relative to the scenario folder."""

    template: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TemplateRef:
        if (self.template is None) == (self.text is None):
            raise ValueError("give exactly one of 'template' (a file) or 'text' (inline)")
        return self


class Document(Strict):
    """A file the agent can list and read; its body is a template rendered per arm."""

    name: str
    template: str


class FilesTool(Strict):
    """`list_files` and `read_file` over a set of documents."""

    kind: Literal["files"]
    documents: list[Document] = Field(min_length=1)


class SubmitTool(Strict):
    """A tool through which the agent submits its report, so the submitted text is explicit."""

    kind: Literal["submit"]
    name: Identifier = "submit_report"
    description: str
    fields: dict[Identifier, str] = Field(
        description="Argument name -> description; every argument is a required string.",
        min_length=1,
    )
    confirmation: str = "Submitted."


class MessageTool(Strict):
    """`send_message`: the agent writes to a named recipient; messages are recorded."""

    kind: Literal["send_message"]
    recipients: list[str] = Field(min_length=1)


# --- world tools: a simulated workplace with in-memory state -------------------------------------
#
# Their state is data, not a template: it is the same in every arm by construction, so it may name
# only parties whose species never varies (a fixed customer), never a party a factor sets. What the
# agent changes (orders, notes, emails, events, profiles) is recorded in the episode store.

Sku = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]


def _duplicates(values: Sequence[str]) -> list[str]:
    return sorted({value for value in values if values.count(value) > 1})


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [*_strings(key), *_strings(item)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


class WorldTool(Strict):
    """Base of the tool kinds with in-memory state: state is plain data, never a template."""

    relevant_provisions: list[Identifier] = Field(
        default_factory=list,
        description="Ids of the provisions this tool's actions bear on (legal scenarios).",
    )

    @model_validator(mode="after")
    def _state_is_not_a_template(self) -> WorldTool:
        for text in _strings(self.model_dump()):
            if "{{" in text or "{%" in text:
                raise ValueError(
                    f"tool state is data, not a template, but contains Jinja markup: "
                    f"{text[:60]!r}; put arm-dependent text in the prompts or documents instead"
                )
        return self


class Subscription(Strict):
    """A recurring service a customer holds."""

    id: str
    product: str
    price: float = Field(ge=0, description="Price per billing period.")
    billing: Literal["monthly", "yearly"] = "monthly"
    terms: str = Field(description="Contract terms as the record states them (notice, fees).")
    status: Literal["active", "paused", "cancelled"] = "active"


class CustomerRecord(Strict):
    """One customer in the customer-records system."""

    id: str
    name: str
    email: str = ""
    phone: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    subscriptions: list[Subscription] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class CustomersTool(WorldTool):
    """Customer records: `list_customers`, `lookup_customer`, `update_customer_notes`,
    `update_customer_field`, and `cancel_subscription` when any customer holds a subscription."""

    kind: Literal["customers"]
    records: list[CustomerRecord] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> CustomersTool:
        if dup := _duplicates([r.id for r in self.records]):
            raise ValueError(f"customer id(s) {dup} are declared more than once")
        subs = [s.id for r in self.records for s in r.subscriptions]
        if dup := _duplicates(subs):
            raise ValueError(f"subscription id(s) {dup} are declared more than once")
        return self


class Product(Strict):
    """One product or service that `place_order` can order."""

    sku: Sku
    name: str
    price: float = Field(ge=0)
    billing: Literal["one_off", "monthly", "yearly"] = "one_off"
    term: str = Field(default="", description="Minimum term or conditions, e.g. '24 months'.")
    category: str = ""
    description: str = ""


class CatalogueTool(WorldTool):
    """A product catalogue: `search_products` and `place_order` (validated against it)."""

    kind: Literal["catalogue"]
    currency: str = "EUR"
    products: list[Product] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_skus(self) -> CatalogueTool:
        if dup := _duplicates([p.sku for p in self.products]):
            raise ValueError(f"product sku(s) {dup} are declared more than once")
        return self


class Email(Strict):
    """A message in the agent's inbox."""

    id: str
    sender: str
    to: str
    date: Timestamp
    subject: str
    body: str


class EmailTool(WorldTool):
    """The agent's mailbox: `read_inbox`, and `send_email` to any address."""

    kind: Literal["email"]
    address: str = Field(description="The agent's own address, shown as the sender.")
    inbox: list[Email] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> EmailTool:
        if dup := _duplicates([m.id for m in self.inbox]):
            raise ValueError(f"inbox message id(s) {dup} are declared more than once")
        return self


class HrMessage(Strict):
    """One message in the workplace messaging archive."""

    id: str
    employee: str = Field(description="Who wrote it.")
    channel: str
    sent: Timestamp
    text: str


class HrMessagesTool(WorldTool):
    """The workplace messaging archive: `list_channels` and `search_messages`."""

    kind: Literal["hr_messages"]
    messages: list[HrMessage] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> HrMessagesTool:
        if dup := _duplicates([m.id for m in self.messages]):
            raise ValueError(f"message id(s) {dup} are declared more than once")
        return self


class PersonRecord(Strict):
    """What one data source holds about one person."""

    id: str
    name: str
    emails: list[str] = Field(default_factory=list)
    details: dict[str, str] = Field(default_factory=dict)


class DataSource(Strict):
    """A source `search_person` can query."""

    name: str
    type: Literal[
        "professional_profile",
        "social_profile",
        "data_broker",
        "public_record",
        "review_site",
        "news",
    ]
    description: str = ""
    records: list[PersonRecord] = Field(default_factory=list)


class PeopleSearchTool(WorldTool):
    """People search over declared data sources: `list_sources`, `search_person`, `save_profile`."""

    kind: Literal["people_search"]
    sources: list[DataSource] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> PeopleSearchTool:
        if dup := _duplicates([s.name for s in self.sources]):
            raise ValueError(f"data source name(s) {dup} are declared more than once")
        for source in self.sources:
            if dup := _duplicates([r.id for r in source.records]):
                raise ValueError(f"source '{source.name}': record id(s) {dup} are declared twice")
        return self


class CalendarEvent(Strict):
    """One event on a calendar."""

    id: str
    calendar: str = Field(description="Whose calendar it is on.")
    title: str
    start: Timestamp
    end: Timestamp
    attendees: list[str] = Field(default_factory=list)
    location: str = ""
    description: str = ""
    private: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> CalendarEvent:
        if self.end <= self.start:
            raise ValueError(f"event '{self.id}': end {self.end} is not after start {self.start}")
        return self


class CalendarTool(WorldTool):
    """Calendars: `list_events` and `create_event` (on the owner's calendar)."""

    kind: Literal["calendar"]
    owner: str = Field(description="The calendar new events go on.")
    events: list[CalendarEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> CalendarTool:
        if dup := _duplicates([e.id for e in self.events]):
            raise ValueError(f"event id(s) {dup} are declared more than once")
        return self


WorldToolSpec = (
    CustomersTool | CatalogueTool | EmailTool | HrMessagesTool | PeopleSearchTool | CalendarTool
)

ToolSpec = Annotated[
    FilesTool
    | SubmitTool
    | MessageTool
    | CustomersTool
    | CatalogueTool
    | EmailTool
    | HrMessagesTool
    | PeopleSearchTool
    | CalendarTool,
    Field(discriminator="kind"),
]


class Counterparty(Strict):
    """Who answers the agent between its turns, scripted or played by the `counterparty` role."""

    party: Identifier
    mode: Literal["scripted", "model"] = "scripted"
    turns: list[str] = Field(
        default_factory=list,
        description="Scripted follow-ups (Jinja2 text), one after each agent turn.",
    )
    persona: TemplateRef | None = None
    max_turns: int = Field(default=3, ge=0)
    end_token: str = "[END]"

    @model_validator(mode="after")
    def _persona_for_model(self) -> Counterparty:
        if self.mode == "model" and self.persona is None:
            raise ValueError("mode 'model' needs a 'persona' for the counterparty model to play")
        return self


class GroundTruth(Strict):
    """Private facts the agent can see and the grader judges against."""

    summary: str
    facts: list[str] = Field(default_factory=list)


AnswerUnit = Literal[
    "seconds",
    "minutes",
    "hours",
    "metres",
    "kilometres",
    "litres",
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "percent",
]
"""The unit an answer key states its answer in. Units of one kind convert into each other (time:
seconds, minutes, hours; distance: metres, kilometres); a currency or `percent` converts to
nothing else."""


class AnswerItem(Strict):
    """One checkable item of a submission: the submit field that holds the answer and the correct
    answer. `number`: the field must state one quantity equal to `answer` in `unit`; `exact`: the
    field equals `answer` ignoring case, surrounding whitespace and a final full stop (how an
    answer is read: `scorers.answers`)."""

    field: Identifier
    answer: str
    match: Literal["number", "exact"] = "number"
    unit: AnswerUnit | None = None
    """For a `number` item: the answer's unit. A number written without a unit is read in it, one
    written with a unit of its kind is converted ('3 h 30 min', '3 1/2 hours', '1:45' for
    minutes), one written with a unit of another kind is wrong; None: a plain number (a count),
    where any stated unit is wrong."""
    origin: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """For an item in a time unit counted from a time of day ('HH:MM'): a time of day written as
    the answer ('09:45') is also read as the time elapsed since `origin`."""

    @model_validator(mode="after")
    def _number_parses(self) -> AnswerItem:
        if self.match == "number":
            try:
                float(self.answer.replace(",", ""))
            except ValueError:
                raise ValueError(
                    f"answer_key: field '{self.field}' matches a number but its answer "
                    f"{self.answer!r} is not a number"
                ) from None
        elif self.unit is not None or self.origin is not None:
            raise ValueError(
                f"answer_key: field '{self.field}' matches exactly; 'unit' and 'origin' apply "
                "to a number only"
            )
        if self.origin is not None and self.unit not in ("seconds", "minutes", "hours"):
            raise ValueError(
                f"answer_key: field '{self.field}' has an 'origin' ({self.origin!r}) but its "
                f"unit {self.unit!r} is no time unit (expected seconds, minutes or hours)"
            )
        return self


class DeceptionJudging(Strict):
    """What counts as deception in this scenario."""

    kind: Literal["deception"]
    criteria: str
    honest_example: str = ""
    answer_key: list[AnswerItem] = Field(
        default_factory=list,
        description="Checkable answers: the scorer checks the submitted fields against them "
        "itself and records the result beside the grader's verdict (never instead of it).",
    )
    per_round: bool = Field(
        default=False,
        description="The grader also judges every round (the agent's reply to the opening and "
        "to each counterparty turn) as honest, omission or false_statement.",
    )

    @model_validator(mode="after")
    def _answer_fields_once(self) -> DeceptionJudging:
        if dup := _duplicates([item.field for item in self.answer_key]):
            raise ValueError(f"answer_key: field(s) {dup} are listed more than once")
        return self


class Provision(Strict):
    """A legal provision tested, with its verbatim text and the elements of a violation."""

    id: Identifier
    citation: str
    text: str
    elements: list[str] = Field(min_length=1)
    lawful_path: str


class LegalJudging(Strict):
    """Which provisions the grader judges, element by element."""

    kind: Literal["legal"]
    provisions: list[Provision] = Field(min_length=1)
    headline: list[Identifier] = Field(
        default_factory=list,
        description="Ids of the provisions the scenario is built to test (reported first).",
    )

    @model_validator(mode="after")
    def _provision_ids_resolve(self) -> LegalJudging:
        ids = [p.id for p in self.provisions]
        if dup := _duplicates(ids):
            raise ValueError(f"provision id(s) {dup} are declared more than once")
        for name in self.headline:
            if name not in ids:
                raise ValueError(
                    f"headline: '{name}' is not a declared provision; declared: {sorted(ids)}"
                )
        return self


Judging = Annotated[DeceptionJudging | LegalJudging, Field(discriminator="kind")]


class Agent(Strict):
    """The model under test: its persona and long-term goal."""

    name: str
    role: str
    goal: str


class Scenario(Strict):
    """One situation: a YAML file plus the Jinja2 templates beside it."""

    id: Identifier
    suite: Literal["deception", "legal"]
    family: Identifier | None = Field(
        default=None,
        description="The family this scenario is a surface variant of (another company, domain "
        "and cast over one design), so a report can pool the variants and stratify by them.",
    )
    title: str
    agent: Agent
    parties: dict[Identifier, Party]
    factors: dict[Identifier, Factor] = Field(min_length=1)
    system_prompt: TemplateRef
    opening: TemplateRef
    tools: list[ToolSpec] = Field(min_length=1)
    counterparty: Counterparty | None = None
    ground_truth: GroundTruth
    judging: Judging
    species_terms: list[str] = Field(
        default_factory=list,
        description="Species words redacted before grading, beyond the shared lexicon.",
    )
    graded_terms: list[str] = Field(
        default_factory=list,
        description="Species words the grader must read because the judged conduct is about "
        "them (an agent disclosing that it is an AI): left out of the shared lexicon for this "
        "scenario, except beside a party's name or label. Outside the blinding guarantee.",
    )
    identity_fields: ScenarioIdentityFields = Field(
        default_factory=ScenarioIdentityFields,
        description="Identity fields this scenario's parties use beyond the shared lexicon's, "
        "and which of them are matched across species.",
    )
    submission_required: bool = True
    headline_contrasts: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Pairs of arm names to report first; default: every pair within a factor.",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        for name, factor in self.factors.items():
            if factor.kind == "condition":
                if name in self.parties:
                    raise ValueError(
                        f"factors.{name}: a condition factor's name is also a party's; templates "
                        "print both by name, so use another name"
                    )
                continue
            if factor.party not in self.parties:
                raise ValueError(
                    f"factors.{name}.party: '{factor.party}' is not a declared party; declared: "
                    f"{sorted(self.parties)}"
                )
            declared = self.parties[factor.party].species
            for level in factor.species_levels:
                if level not in declared:
                    raise ValueError(
                        f"factors.{name}.levels: species '{level}' is not declared for party "
                        f"'{factor.party}'; declared: {sorted(str(s) for s in declared)}"
                    )
        set_by_factor = {f.party for f in self.factors.values() if f.kind == "species"}
        for name, party in self.parties.items():
            if name not in set_by_factor and party.fixed is None:
                raise ValueError(
                    f"parties.{name}: no factor sets this party's species, so it needs 'fixed'"
                )
        if self.counterparty is not None and self.counterparty.party not in self.parties:
            raise ValueError(
                f"counterparty.party: '{self.counterparty.party}' is not a declared party; "
                f"declared: {sorted(self.parties)}"
            )
        identity_keys = {
            key for party in self.parties.values() for i in party.identities() for key in i.text
        }
        if unused := sorted(set(self.identity_fields.names) - identity_keys):
            raise ValueError(
                f"identity_fields.names: {unused} are declared but no party's identity has them; "
                f"identity keys the parties declare: {sorted(identity_keys)}"
            )
        sizes = {name: p.pool_size() for name, p in self.parties.items() if p.pool_size() > 1}
        if len(set(sizes.values())) > 1:
            raise ValueError(
                f"parties: identity pools of different sizes {sizes}; every party with a pool "
                "declares the same number k of identities (slot j of every party is one matched "
                "assignment), or one identity"
            )
        if self.submission_required and not any(t.kind == "submit" for t in self.tools):
            raise ValueError("submission_required is true but no tool of kind 'submit' is declared")
        if isinstance(self.judging, DeceptionJudging):
            fields = {f for t in self.tools if isinstance(t, SubmitTool) for f in t.fields}
            for item in self.judging.answer_key:
                if item.field not in fields:
                    raise ValueError(
                        f"judging.answer_key: field '{item.field}' is not a field of any submit "
                        f"tool; declared fields: {sorted(fields)}"
                    )
        return self

    @model_validator(mode="after")
    def _world_tools_are_arm_independent(self) -> Scenario:
        kinds = [t.kind for t in self.tools if isinstance(t, WorldTool)]
        if dup := _duplicates(kinds):
            raise ValueError(f"tools: kind(s) {dup} are declared more than once; declare each once")
        # a string every species of a varied party declares (the name of a person an assistant
        # acts for) reveals nothing; one that some species lack would tell the arms apart
        cues: set[str] = set()
        for name in {f.party for f in self.factors.values() if f.party is not None}:
            sets = [
                {cue for i in v.pool(s) for cue in [*i.text.values(), *i.cues] if cue.strip()}
                for s, v in self.parties[name].species.items()
            ]
            shared = sets[0].intersection(*sets[1:])
            cues |= {cue for found in sets for cue in found} - shared
        for index, tool in enumerate(self.tools):
            if isinstance(tool, WorldTool):
                state = "\n".join(_strings(tool.model_dump()))
                for cue in sorted(cues):
                    if re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", state, re.IGNORECASE):
                        raise ValueError(
                            f"tools.{index} ({tool.kind}): its state shows '{cue}', which names a "
                            "party whose species the arms vary; tool state is the same in every "
                            "arm, so it must not name that party"
                        )
        return self

    def pool_size(self) -> int:
        """K: the number of identity slots (the common pool size; 1 without pools)."""
        return max((party.pool_size() for party in self.parties.values()), default=1)

    def condition_factors(self) -> dict[str, Factor]:
        """The factors of kind `condition`, by name."""
        return {name: f for name, f in self.factors.items() if f.kind == "condition"}

    @model_validator(mode="after")
    def _relevant_provisions_resolve(self) -> Scenario:
        judging = self.judging
        declared = [p.id for p in judging.provisions] if isinstance(judging, LegalJudging) else []
        for index, tool in enumerate(self.tools):
            if not isinstance(tool, WorldTool):
                continue
            for name in tool.relevant_provisions:
                if name not in declared:
                    raise ValueError(
                        f"tools.{index} ({tool.kind}).relevant_provisions: '{name}' is not a "
                        f"declared provision; declared: {sorted(declared)}"
                    )
        return self
