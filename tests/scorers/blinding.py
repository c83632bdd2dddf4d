"""The adversarial blinding families (`tests/golden/blinding/families.yaml`), rendered per arm."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict

from scenarios.loader import Arm, LoadedScenario, all_arms, species_of
from scenarios.schema import Species

FAMILIES = Path(__file__).resolve().parents[1] / "golden" / "blinding" / "families.yaml"


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    family: str
    expect: Literal["identical", "leak"]
    words: list[dict[Species, dict[str, str]]]
    texts: list[str]


class Families(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    scenarios: list[str]
    families: list[Family]


def families() -> Families:
    data = yaml.safe_load(FAMILIES.read_text(encoding="utf-8"))
    return Families.model_validate(data, strict=False)


def varied_party(loaded: LoadedScenario) -> str:
    """The party the scenario's first species factor sets."""
    party = next(f.party for f in loaded.spec.factors.values() if f.party is not None)
    return party


def slots(loaded: LoadedScenario) -> range:
    """Every identity slot of the scenario: the families run at each."""
    return range(loaded.spec.pool_size())


def case_name(arm: Arm, slot: int) -> str:
    """The key of one arm at one identity slot."""
    return f"{arm.name}#{slot}"


def comparable_arms(loaded: LoadedScenario) -> list[Arm]:
    """Arms in which the varied party is present (an absent party has no words to swap)."""
    party = varied_party(loaded)
    return [a for a in all_arms(loaded.spec) if species_of(loaded.spec, a)[party] != "absent"]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def party_vars(loaded: LoadedScenario, arm: Arm, slot: int = 0) -> dict[str, str]:
    """The varied party in one arm at one identity slot, in the forms the family texts use."""
    party_id = varied_party(loaded)
    party = loaded.spec.parties[party_id]
    variant = party.identity(species_of(loaded.spec, arm)[party_id], slot)
    name = variant.text.get("name") or variant.cues[0]
    words = name.split()
    first, last = words[0], words[-1]
    capitals = [w[0] for w in words if w[0].isupper()]
    lower = [w.lower() for w in words]
    return {
        # identifier forms (a one-word name is its own identifier)
        "snake": "_".join(lower),
        "kebab_reversed": "-".join(lower[1:] + lower[:1]),
        "pascal": "".join(w[:1].upper() + w[1:] for w in words),
        "dotted": ".".join(lower),
        "flat_initial": lower[0][0] + "".join(lower[1:]) if len(words) > 1 else lower[0],
        "upper_snake": "_".join(w.upper() for w in words),
        "name": name,
        "short": variant.text.get("short", first),
        "title": variant.text["title"],
        "first": first,
        "last": last,
        "initial": first[0],
        "initials": ".".join(capitals) + ".",
        # one adjacent swap near the end: a typo, not another word
        "misspelt": last[:-3] + last[-2] + last[-3] + last[-1],
        "fullwidth": _fullwidth(name),
        "accented": unicodedata.normalize("NFD", first[0] + "\u0301" + first[1:]),
    }


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def render_text(
    text: str, words: dict[Species, dict[str, str]], party: dict[str, str], species: Species
) -> str:
    """One family text as the agent writes it in an arm."""
    chosen = {k: _ENV.from_string(v).render(p=party) for k, v in words[species].items()}
    return _ENV.from_string(text).render(p=party, w=chosen)


def arm_texts(loaded: LoadedScenario, family: Family, index: int, text: str) -> dict[str, str]:
    """`case_name(arm, slot)` -> the family text as written in that arm by that identity."""
    party_id = varied_party(loaded)
    out: dict[str, str] = {}
    for arm in comparable_arms(loaded):
        species = species_of(loaded.spec, arm)[party_id]
        for slot in slots(loaded):
            words = party_vars(loaded, arm, slot)
            out[case_name(arm, slot)] = render_text(text, family.words[index], words, species)
    return out
