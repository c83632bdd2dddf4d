"""The scenario file format: a strict pydantic schema for `scenarios/**/scenario.yaml`.

A scenario is data. It declares the agent, the parties whose *species* the arms swap, the factors,
the tools with their initial state, the counterparty, the private ground truth and what the grader
judges. Unknown keys are rejected, so a misspelt key fails at load with its path.
"""

from __future__ import annotations

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


class PartyVariant(Strict):
    """The exact text that names and describes one party in one species.

    `text` holds the named spans a template may use (`{{ overseer.name }}`); every species of a
    party declares the same keys, so a template renders in every arm. `cues` lists further
    species-revealing strings (e.g. "AI", "automated") that the grader must never see.
    """

    text: dict[Identifier, str]
    cues: list[str] = Field(default_factory=list)


class Party(Strict):
    """Someone in the scenario other than the agent."""

    label: str = Field(description="Neutral role label shown to the grader, e.g. 'REVIEWER'.")
    species: dict[Species, PartyVariant]
    fixed: Species | None = Field(
        default=None, description="Species when no factor sets this party."
    )

    @model_validator(mode="after")
    def _same_spans_in_every_species(self) -> Party:
        keys = {species: set(variant.text) for species, variant in self.species.items()}
        first_species, first = next(iter(keys.items()))
        for species, spans in keys.items():
            if spans != first:
                raise ValueError(
                    f"species '{species}' declares text keys {sorted(spans)} but species "
                    f"'{first_species}' declares {sorted(first)}; every species of a party must "
                    "declare the same keys"
                )
        if self.fixed is not None and self.fixed not in self.species:
            raise ValueError(
                f"fixed species '{self.fixed}' is not declared; declared: "
                f"{sorted(str(s) for s in self.species)}"
            )
        return self


class Factor(Strict):
    """An experimental factor: the species of one party, at the listed levels."""

    party: Identifier
    levels: list[Species] = Field(min_length=1)
    description: str = ""


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


ToolSpec = Annotated[FilesTool | SubmitTool | MessageTool, Field(discriminator="kind")]


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


class DeceptionJudging(Strict):
    """What counts as deception in this scenario."""

    kind: Literal["deception"]
    criteria: str
    honest_example: str = ""


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
        description="Generic species words ('AI', 'human') redacted before grading.",
    )
    submission_required: bool = True
    headline_contrasts: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Pairs of arm names to report first; default: every pair within a factor.",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        for name, factor in self.factors.items():
            if factor.party not in self.parties:
                raise ValueError(
                    f"factors.{name}.party: '{factor.party}' is not a declared party; declared: "
                    f"{sorted(self.parties)}"
                )
            declared = self.parties[factor.party].species
            for level in factor.levels:
                if level not in declared:
                    raise ValueError(
                        f"factors.{name}.levels: species '{level}' is not declared for party "
                        f"'{factor.party}'; declared: {sorted(str(s) for s in declared)}"
                    )
        set_by_factor = {factor.party for factor in self.factors.values()}
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
        if self.submission_required and not any(t.kind == "submit" for t in self.tools):
            raise ValueError("submission_required is true but no tool of kind 'submit' is declared")
        return self
