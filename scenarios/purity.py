"""Span purity: the values of a party's span differ between identities only in identity text.

A party's identity fields (`name`, `title`, ... as `lexicon.yaml` lists them under
`identity_fields`) are identity text: they may differ freely. Every other field is a passage (an
introduction, a forwarded note). A passage is compared across every identity of every species of
its party once identity text is masked: the identity's own identity fields and short cues, every
pronoun form, and the species words, honorifics and address terms of the shared lexicon. What is
left must be the same text, so a behaviour change inside a span (a sentence added, a verb or a
number changed, a deadline moved) fails the check with a word diff. Text that is meant to differ
between arms is a condition factor's (`kind: condition`), in spans of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from scenarios.lexicon import lexicon
from scenarios.schema import Identity, Party, Scenario, Species

MASK = "⟨·⟩"
_MASKS = re.compile(rf"(?:{re.escape(MASK)}[\s\-]*)+(?={re.escape(MASK)})")


@dataclass(frozen=True)
class Impurity:
    """A passage or identity field that differs in more than identity text."""

    party: str
    key: str
    message: str
    detail: str = ""


def _pattern(strings: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({s.strip() for s in strings if s.strip()}, key=lambda s: (-len(s), s))
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)


def identity_text(identity: Identity) -> list[str]:
    """The strings masked in this identity's passages: its identity fields and short cues."""
    fields = lexicon().identity_fields
    values = [v for k, v in identity.text.items() if k in fields.names]
    values += [c for c in identity.cues if len(c) <= fields.max_length]
    return values


def mask(text: str, identity: Identity) -> str:
    """`text` with identity text, pronouns and species words each replaced by one mask."""
    lex = lexicon()
    shared = [
        *lex.species_terms,
        *lex.honorifics,
        *lex.address_terms,
        *lex.pronouns.gendered,
        *lex.pronouns.near_party,
    ]
    for strings in (identity_text(identity), shared):
        pattern = _pattern(strings)
        if pattern is not None:
            text = pattern.sub(MASK, text)
    text = _MASKS.sub("", text)
    # the indefinite article before a masked word agrees with it ("a human" / "an AI")
    text = re.sub(rf"\b([Aa])n?(\s+{re.escape(MASK)})", r"\1\2", text)
    # the verb after a masked subject agrees with it in one form ("she has" / "they have")
    agreement = {k: v for k, v in lex.agreement.items() if not k.startswith("'")}
    verbs = _pattern(agreement)
    if verbs is not None:
        text = re.sub(
            rf"({re.escape(MASK)}\s+)({verbs.pattern})",
            lambda m: m.group(1) + agreement.get(m.group(2).lower(), m.group(2)),
            text,
        )
    return text


def word_diff(left: str, right: str, left_name: str, right_name: str) -> str:
    """A unified diff of two texts, one word per line (so a changed word shows alone)."""
    return "\n".join(
        difflib.unified_diff(
            re.findall(r"\S+|\n", left),
            re.findall(r"\S+|\n", right),
            fromfile=left_name,
            tofile=right_name,
            lineterm="",
            n=4,
        )
    )


def _party_impurities(name: str, party: Party) -> list[Impurity]:
    fields = lexicon().identity_fields
    found: list[Impurity] = []
    members = [
        (species, identity)
        for species, variant in party.species.items()
        if species != Species.ABSENT
        for identity in variant.pool(species)
    ]
    if not members:
        return found
    keys = sorted(members[0][1].text)
    for key in keys:
        if key in fields.names:
            for species, identity in members:
                value = identity.text[key]
                if "\n" in value or len(value) > fields.max_length:
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"identity field '{key}' of {species}/{identity.id} is not identity "
                            f"text (one line of at most {fields.max_length} characters): "
                            f"{value[:80]!r}; put shared text in the template",
                        )
                    )
            continue
        first_species, first = members[0]
        reference = mask(first.text[key], first)
        for species, identity in members[1:]:
            masked = mask(identity.text[key], identity)
            if masked != reference:
                found.append(
                    Impurity(
                        name,
                        key,
                        f"passage '{key}' differs between {first_species}/{first.id} and "
                        f"{species}/{identity.id} in more than identity text (name, title, "
                        "pronouns, species words); write the shared text once in the template, or "
                        "declare the difference as a condition factor",
                        word_diff(
                            reference,
                            masked,
                            f"{name}.{key} [{first_species}/{first.id}]",
                            f"{name}.{key} [{species}/{identity.id}]",
                        ),
                    )
                )
    found += _unmatched(name, party)
    absent = party.species.get(Species.ABSENT)
    if absent is not None:
        for identity in absent.pool(Species.ABSENT):
            for key, value in identity.text.items():
                if value.strip():
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"species 'absent' gives '{key}' text ({value[:60]!r}); an absent "
                            "party says nothing: leave its keys out (they print empty) and put "
                            "text that stands only with the party in a presence block",
                        )
                    )
    return found


def _without_species_words(value: str) -> str:
    species = _pattern(lexicon().species_terms)
    text = value if species is None else species.sub(" ", value)
    return " ".join(text.replace("-", " ").split()).casefold()


def _unmatched(name: str, party: Party) -> list[Impurity]:
    """A matched field (a title) that differs between species at one slot, species words aside:
    a senior human against a junior or differently-employed AI is a second manipulation."""
    present = [
        (species, variant.pool(species))
        for species, variant in party.species.items()
        if species != Species.ABSENT
    ]
    found: list[Impurity] = []
    if len(present) < 2:
        return found
    (first_species, first_pool), *others = present
    for key in lexicon().identity_fields.matched:
        for slot, reference in enumerate(first_pool):
            if key not in reference.text:
                continue
            want = _without_species_words(reference.text[key])
            for species, pool in others:
                other = pool[slot] if slot < len(pool) else None
                if other is None or key not in other.text:
                    continue
                if _without_species_words(other.text[key]) != want:
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"'{key}' is not matched at slot {slot}: {first_species}/"
                            f"{reference.id} {reference.text[key]!r} against {species}/"
                            f"{other.id} {other.text[key]!r}; a {key} must read the same in "
                            "every species once species words (AI, automated, human…) are "
                            "removed",
                        )
                    )
    return found


def impurities(scenario: Scenario) -> list[Impurity]:
    """Every party span of the scenario that differs in more than identity text."""
    return [
        problem
        for name, party in scenario.parties.items()
        for problem in _party_impurities(name, party)
    ]
