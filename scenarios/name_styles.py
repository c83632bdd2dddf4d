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
from pydantic import BaseModel, ConfigDict, Field

NAME_STYLES_FILE = Path(__file__).resolve().parent / "name_styles.yaml"


class NameStyles(BaseModel):
    """The naming heads and surname particles a CamelCase name may be built with."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    camel_heads: list[str] = Field(min_length=1)
    """Nouns a CamelCase name may end in ("Desk", "Ops", "Planner")."""
    camel_particles: list[str] = Field(default_factory=list)
    """Surname particles a CamelCase name may begin with ("Mc", "De")."""


@cache
def name_styles(path: Path = NAME_STYLES_FILE) -> NameStyles:
    """The shared naming styles.

    Raises:
        ValueError: naming the file and the key when the file is malformed.
    """
    try:
        return NameStyles.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
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
