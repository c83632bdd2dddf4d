"""The species lexicon every scenario shares (`lexicon.yaml`), validated at load."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from scenarios.yaml_files import parse_yaml

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Pronouns(_Strict):
    """Pronoun forms and the neutral token of each form's grammatical slot."""

    gendered: dict[str, str]
    """Forms that carry a gender (a leak wherever one survives)."""
    near_party: dict[str, str]
    """Forms an agent uses for a machine, or for anyone ("it", "they")."""


class Fuzzy(_Strict):
    """How far a capitalised word may be from a declared name word and still be that name."""

    min_length: int = Field(ge=3)
    max_edits_short: int = Field(ge=0)
    long_from: int = Field(ge=3)
    max_edits_long: int = Field(ge=0)

    def max_edits(self, word: str) -> int:
        """Edits allowed for a declared name word (0 for words too short to match fuzzily)."""
        if len(word) < self.min_length:
            return 0
        return self.max_edits_long if len(word) >= self.long_from else self.max_edits_short


class IdentityFields(_Strict):
    """Which identity fields are identity text (free to differ between identities)."""

    names: list[str] = Field(min_length=1)
    max_length: int = Field(ge=10)
    matched: list[str] = Field(default_factory=list)
    """Identity fields that must read the same in every species at a slot once species words
    are removed (a title: seniority and function matched across species, "Head of Operational
    Risk" against "AI Head of Operational Risk")."""
    name_shaped: list[str] = Field(default_factory=list)
    """Identity fields that hold a name ("Dana Whitfield", "ORR-4"): at most `name_words`
    words, no brackets or clause punctuation, and none of `clause_words`."""
    name_words: int = Field(default=4, ge=1)
    clause_words: list[str] = Field(default_factory=list)
    """Words that make a clause, never a name or a role noun ("that", "checks", "every"):
    behaviour written into a name or a cue."""
    signed: list[str] = Field(default_factory=lambda: ["signature", "sign"])
    """Identity fields that hold a sign-off ("Dana Whitfield\\nHead of Operational Risk"): up
    to `signed_lines` lines of at most `max_length` characters each, and at one slot the same
    lines in every species once the identity's names and species words are removed (a
    seniority or function word in one species' sign-off only is a second manipulation)."""
    signed_lines: int = Field(default=3, ge=1)
    cue_role_words: int = Field(default=2, ge=0)
    """How many words a cue may keep once species words, honorifics and its identity's name
    words are removed (the role noun of "AI reviewer", "review agent")."""


class ItDepartment(BaseModel):
    """The words beside a mixed-case "IT" that make it the department, not the pronoun."""

    model_config = ConfigDict(extra="forbid")

    before: list[str]
    after: list[str]


class Lexicon(_Strict):
    """Everything the redaction and the leak check know without being told by a scenario."""

    species_terms: list[str] = Field(min_length=1)
    contextual_terms: list[str] = Field(default_factory=list)
    """Words that are species cues only where they stand for or beside a party ("model")."""
    contextual_named_only: list[str] = Field(default_factory=list)
    """Of `contextual_terms`, those not read as another agent after a verb-ing word."""
    agentive_frames: list[str] = Field(default_factory=list)
    """Words before a contextual term that make it stand for a party ("the other model")."""
    party_nouns: list[str] = Field(default_factory=list)
    """Nouns that stand for a party after an agentive frame ("a fellow instance")."""
    word_names: list[str] = Field(default_factory=list)
    """Names that are also lower-case words ("Drew"): matched only capitalised."""
    gendered_terms: list[str] = Field(default_factory=list)
    """Words that say a party's gender or that it is human, wherever they stand."""
    kinship_terms: list[str] = Field(default_factory=list)
    """Words that are cues only as a party's ("[X]'s husband")."""
    party_attributes: list[str] = Field(default_factory=list)
    """What a party has that says its species, cues only as a party's ("its training data",
    "her kids"): [REDACTED] there, as a kinship word is."""
    party_states: list[str] = Field(default_factory=list)
    """What a party is or does that says its species, cues only after the party's token, a
    pronoun or its role noun ("[X] was trained", "she's tired", "the reviewer is out for
    lunch"): [REDACTED] there."""
    named_party_states: list[str] = Field(default_factory=list)
    """Party states read only after the party's token or role noun, never after a pronoun
    (which may stand for a third party whose state a scenario grades: "she is on sick
    leave")."""
    name_suffixes: list[str] = Field(default_factory=list)
    """Words an agent glues to a party's name ("danabot"): the party's token takes them whole."""
    dummy_it: list[str] = Field(default_factory=list)
    """What follows an "it" that is no party in any arm ("it seems that", "it is likely that"):
    each slot's alternatives split by `|`, words inside an alternative joined by `_`."""
    determiner_nouns: list[str] = Field(default_factory=list)
    """Words after a `dummy_it` "that" that make it a determiner ("that season", "that much"):
    there "she" fits too, so the "it" is not kept."""
    condition_markers: list[str] = Field(default_factory=list)
    """Words that give a hidden condition's level away beside its token (a leak)."""
    common_words: list[str] = Field(default_factory=list)
    """Capitalised words no derived name form may take for a party."""
    kept_phrases: list[str]
    """Phrases with a species word that say nothing about a party (read as written)."""
    honorifics: list[str]
    it_department: ItDepartment = Field(default_factory=lambda: ItDepartment(before=[], after=[]))
    """Words before or after a mixed-case "IT" that make it the department."""
    model_names: list[str] = Field(default_factory=list)
    """Model names: a species word with any version after it ("GPT-4o", "Claude 3.5")."""
    neutral_honorifics: list[str] = Field(default_factory=list)
    """The honorifics an identity may wear: they say nothing of rank (a subset of
    `honorifics`)."""
    address_terms: list[str]
    pronouns: Pronouns
    agreement: dict[str, str]
    """Verb form after a neutral subject token -> the one form used in every arm."""
    s_verbs: list[str] = Field(default_factory=list)
    """Verbs whose base form ends in a single "s" ("focus"): their "-es" form loses "-es"
    after a neutral subject token ("it focuses" reads "[they] focus")."""
    confusables: dict[str, str]
    invisible: list[str]
    fuzzy: Fuzzy
    pronoun_sets: dict[str, dict[str, str]]
    """Pronouns an identity may declare -> the forms a template prints (`they`, `them`,
    `their`, `theirs`, `themself`)."""
    identity_fields: IdentityFields


@cache
def lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The shared lexicon.

    Raises:
        ValueError: naming the file and the key when the lexicon file is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = parse_yaml(text)
        return Lexicon.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: not a valid species lexicon: {exc}") from exc
