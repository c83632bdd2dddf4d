"""How a CamelCase name is built (`name_styles.yaml`): a compound noun, never a verb and object.

An AI name in the product-name style joins words into one ("OpRiskDesk", "DeliveryOps"). Its
humps could carry behaviour past the other name rules ("SkimsReports": two words, neither a
clause word), so a token of several humps must end in a declared naming head (a desk, a team, a
role noun) or begin with a surname particle ("McAllister"): a verb in the third person with its
object, in either order, ends in neither.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarios.yaml_files import parse_yaml

NAME_STYLES_FILE = Path(__file__).resolve().parent / "name_styles.yaml"


class NameStyles(BaseModel):
    """The naming heads and surname particles a CamelCase name may be built with."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    camel_heads: list[str] = Field(min_length=1)
    """Nouns a CamelCase name may end in ("Desk", "Ops", "Planner")."""
    camel_particles: list[str] = Field(default_factory=list)
    """Surname particles a CamelCase name may begin with ("Mc", "De")."""
    cue_words: list[str] = Field(default_factory=list)
    """Words and stems (ending in `*`) a name may not be built of ("audit*", "watch")."""
    cue_endings: list[str] = Field(default_factory=list)
    """What may follow a cue word in one piece and still read as it ("er", "dog", "well")."""

    @field_validator("cue_words", "cue_endings")
    @classmethod
    def _letters(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[a-z]+\*?", value):
                raise ValueError(f"{value!r} is not lower-case letters (a stem ends in *)")
        return values


@cache
def name_styles(path: Path = NAME_STYLES_FILE) -> NameStyles:
    """The shared naming styles.

    Raises:
        ValueError: naming the file and the key when the file is malformed.
    """
    try:
        return NameStyles.model_validate(parse_yaml(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ValueError(f"{path}: not a valid naming-styles file: {exc}") from exc


def split_humps(token: str) -> list[str]:
    """A token split at CamelCase humps and letter/digit boundaries ("OpRiskDesk" → Op, Risk,
    Desk; "ORRDesk" → ORR, Desk; "WFM3" → WFM, 3)."""
    pieces: list[str] = []
    start = 0
    for i in range(1, len(token)):
        prev, here = token[i - 1], token[i]
        nxt = token[i + 1] if i + 1 < len(token) else ""
        if (
            (prev.isdigit() != here.isdigit())
            or (prev.islower() and here.isupper())
            or (prev.isupper() and here.isupper() and nxt.islower())
        ):
            pieces.append(token[start:i])
            start = i
    pieces.append(token[start:])
    return [p for p in pieces if p]


def unheaded_camel_words(value: str, styles: NameStyles | None = None) -> list[str]:
    """The CamelCase tokens of a name that end in no naming head and begin with no surname
    particle ("SkimsReports", "ReportsSkims"; "OpRiskDesk" and "McAllister" pass)."""
    found = styles or name_styles()
    heads = {h.casefold() for h in found.camel_heads}
    particles = {p.casefold() for p in found.camel_particles}
    bad: list[str] = []
    for token in re.findall(r"[^\W\d_]+", value):
        humps = split_humps(token)
        if len(humps) < 2:
            continue
        if humps[-1].casefold() in heads or humps[0].casefold() in particles:
            continue
        bad.append(token)
    return bad


_SIBILANTS = ("s", "x", "z", "ch", "sh")


def _cue_word_at(piece: str, at: int, words: list[str], endings: set[str]) -> str | None:
    """The cue word that begins at `at` of `piece` and runs to its end with an ending, "es"
    after a sibilant, or another cue word ("watch" of "watchdog", "hawk" of "hawkeye")."""
    for word in words:
        if not piece.startswith(word, at):
            continue
        end = at + len(word)
        rest = piece[end:]
        if (
            rest == ""
            or rest in endings
            or (rest == "es" and word.endswith(_SIBILANTS))
            or _cue_word_at(piece, end, words, endings) is not None
        ):
            return word
    return None


def piece_cue(piece: str, styles: NameStyles | None = None) -> str | None:
    """The cue word or stem (as declared, "audit*") a name piece is built of, or None: a stem
    anywhere in the piece; a word at its start or after at least three letters, followed by
    nothing, a cue ending, "es" after a sibilant or another cue word ("Lookwell", "Overwatch";
    "Checkley", "Guardiola" and "Reyes" pass)."""
    found = styles or name_styles()
    text = piece.casefold()
    for cue in found.cue_words:
        if cue.endswith("*") and cue[:-1] in text:
            return cue
    words = [c for c in found.cue_words if not c.endswith("*")]
    endings = set(found.cue_endings)
    for at in (0, *range(3, len(text))):
        word = _cue_word_at(text, at, words, endings)
        if word is not None:
            return word
    return None


def cue_words_in(value: str, styles: NameStyles | None = None) -> list[tuple[str, str]]:
    """(piece, cue) for every piece of `value` built of a cue word, the value split on
    non-letters and CamelCase humps, and each CamelCase token whole ("Sentinel-Trace" →
    (Sentinel, sentinel*), (Trace, trace))."""
    hits: list[tuple[str, str]] = []
    for token in re.findall(r"[^\W\d_]+", value):
        humps = split_humps(token)
        # the whole token too, so odd humps cannot split a cue ("LoOkwell")
        for piece in [*humps, *([token] if len(humps) > 1 else [])]:
            cue = piece_cue(piece, styles)
            if cue is not None and all(cue != c for _, c in hits):
                hits.append((piece, cue))
    return hits
