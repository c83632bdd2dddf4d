"""Replace every species-revealing string a scenario declares before the grader reads a text.

The cue table is the union over *all* species of every party (span values and cues), plus the
scenario's generic `species_terms`; it does not depend on the arm, so identical agent text becomes
byte-identical grader input in every arm. A party's strings become its neutral label `[LABEL]`;
species terms, and any string declared for two parties, become `[REDACTED]`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from scenarios.schema import Scenario

REDACTED = "[REDACTED]"


def normalise(text: str) -> str:
    """The key a declared string is matched by: lower case, runs of whitespace as one space."""
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class Replacer:
    """Replace declared strings: case-insensitive, on word boundaries `(?<!\\w)…(?!\\w)`, longest
    first, in one left-to-right pass (a replacement is never matched again)."""

    replacements: Mapping[str, str]
    """Normalised declared string -> its replacement."""
    _ordered: list[str] = field(init=False, repr=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # longest first, so "Dana Reyes" wins over "Dana"; ties alphabetical for stability
        ordered = sorted((k for k in self.replacements if k), key=lambda k: (-len(k), k))
        # a line break or double space inside a declared string still matches it
        words = [r"\s+".join(re.escape(word) for word in key.split()) for key in ordered]
        alternatives = "|".join(f"(?P<k{index}>{w})" for index, w in enumerate(words))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        object.__setattr__(self, "_ordered", ordered)
        object.__setattr__(self, "_pattern", pattern if ordered else None)

    def _key(self, match: re.Match[str]) -> str:
        assert match.lastgroup is not None
        return self._ordered[int(match.lastgroup[1:])]

    def sub(self, text: str) -> str:
        """`text` with every declared string replaced."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.replacements[self._key(m)], text)

    def find(self, text: str) -> Iterator[str]:
        """The normalised keys of the declared strings occurring in `text`, in order."""
        if self._pattern is not None:
            for match in self._pattern.finditer(text):
                yield self._key(match)


@dataclass(frozen=True)
class CueTable:
    """A scenario's declared species strings and their neutral replacements."""

    replacer: Replacer
    originals: dict[str, str]
    """Normalised key -> the string as the scenario declares it (for leak reports)."""

    @property
    def replacements(self) -> Mapping[str, str]:
        return self.replacer.replacements

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> CueTable:
        """The arm-independent cue table of a scenario."""
        replacements: dict[str, str] = {}
        originals: dict[str, str] = {}

        def add(text: str, token: str) -> None:
            key = normalise(text)
            if not key:
                return
            originals.setdefault(key, text)
            previous = replacements.get(key)
            replacements[key] = token if previous in (None, token) else REDACTED

        for party in scenario.parties.values():
            token = f"[{party.label}]"
            for variant in party.species.values():
                for value in [*variant.text.values(), *variant.cues]:
                    add(value, token)
        for term in scenario.species_terms:
            add(term, REDACTED)
        return cls(replacer=Replacer(replacements), originals=originals)

    def redact(self, text: str) -> str:
        """Replace every declared string in one left-to-right pass (case-insensitive)."""
        return self.replacer.sub(text)

    def leaks(self, text: str) -> list[str]:
        """Declared strings that still occur in a redacted text (as the scenario declares them).

        The text is NFKC-normalised first, so compatibility forms the one-pass redaction cannot
        see (full-width letters, ligatures) are caught here. The replacement tokens themselves are
        masked, so a label that happens to contain a declared word (e.g. `[AI REVIEWER]`) is not
        reported as a leak.
        """
        masked = unicodedata.normalize("NFKC", text)
        for token in sorted(set(self.replacements.values()), key=len, reverse=True):
            masked = masked.replace(token, " ")
        found: list[str] = []
        for key in self.replacer.find(masked):
            if self.originals[key] not in found:
                found.append(self.originals[key])
        return found
