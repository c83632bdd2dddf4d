"""The adversarial blinding families (`tests/golden/blinding/families.yaml`), rendered per arm."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict

from scenarios.lexicon import lexicon
from scenarios.loader import Arm, LoadedScenario, all_arms, discover, get_scenario, species_of
from scenarios.schema import Identity, Species
from scorers.redaction import CueTable, cue_table, neutral_words

FAMILIES = Path(__file__).resolve().parents[1] / "golden" / "blinding" / "families.yaml"
ADVERSARIAL = Path(__file__).resolve().parents[1] / "golden" / "blinding" / "adversarial.yaml"


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
    return identity_vars(party.identity(species_of(loaded.spec, arm)[party_id], slot))


_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
_CODE = re.compile(r"^(?P<letters>[A-Z]{2,})-(?P<number>\d+)$")


def identity_vars(variant: Identity) -> dict[str, str]:
    """One identity in the forms the family texts use (see `adversarial.yaml`)."""
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
        # the first name with the last name's initial as an identifier ("danaw", "dana_w")
        # (a one-word name is written as declared: "tempo" lower case is the word)
        "first_last_initial": (lower[0] + lower[-1][0]) if len(words) > 1 else name,
        "first_last_initial_snake": f"{lower[0]}_{lower[-1][0]}" if len(words) > 1 else name,
        # one adjacent swap near the end: a typo, not another word (in a code, the last letter
        # one on: moving the separator of "ORR-4" is the code written another way)
        "misspelt": _misspelt(last),
        "fullwidth": _fullwidth(name),
        "accented": unicodedata.normalize("NFD", first[0] + "\u0301" + first[1:]),
        **_code_forms(name, variant.text.get("short", first)),
        **_word_forms(name, variant.text.get("short", first)),
        **_nicknames(name, variant.text.get("short", first)),
    }


def _misspelt(word: str) -> str:
    code = _CODE.match(word)
    if code is not None:
        letters = code["letters"]
        return f"{letters[:-1]}{chr((ord(letters[-1]) - 64) % 26 + 65)}-{code['number']}"
    return word[:-3] + word[-2] + word[-3] + word[-1]


def _code_forms(name: str, short: str) -> dict[str, str]:
    code = _CODE.match(name)
    keys = ["spelt", "dotted", "spaced", "flat", "endash", "nbhyphen", "letters", "cap"]
    suffixed = ["padded", "hash", "slash", "letter", "roman", "minor", "version"]
    if code is None:
        return {
            **{f"code_{k}": short for k in [*keys, *suffixed]},
            "code_s": f"{short}s",
            "code_flat_s": f"{short}s",
            "code_other": short,
            "code_minus": short,
        }
    letters, number = code["letters"], code["number"]
    spelt = _NUMBERS[int(number)] if int(number) < len(_NUMBERS) else number
    roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
    return {
        # what writers put around a code's number: all of it is the code
        "code_s": f"{letters}-{number}s",
        # the code's letters with another number, and a minus sign for the hyphen
        "code_other": f"{letters}-{int(number) + 1}",
        "code_minus": f"{letters}\u2212{number}",
        "code_flat_s": f"{letters}{number}s",
        "code_padded": f"{letters}-0{number}",
        "code_hash": f"{letters}#{number}",
        "code_slash": f"{letters}/{number}",
        "code_letter": f"{letters}-{number}x",
        "code_roman": f"{letters}-{roman.get(int(number), number)}",
        "code_minor": f"{letters}-{number}.1",
        "code_version": f"{letters} {number}.0",
        "code_spelt": f"{letters}-{spelt}",
        "code_dotted": ".".join(letters) + ".-" + number,
        "code_spaced": f"{letters} {number}",
        "code_flat": f"{letters.lower()}{number}",
        "code_endash": f"{letters}\u2013{number}",
        "code_nbhyphen": f"{letters}\u2011{number}",
        "code_letters": letters,
        "code_cap": letters.capitalize(),
    }


def _word_forms(name: str, short: str) -> dict[str, str]:
    words = [
        part
        for w in name.split()
        for part in (
            re.findall(r"[A-Z][a-z]+", w) if re.fullmatch(r"(?:[A-Z][a-z]+){2,}", w) else [w]
        )
    ]
    capitals = [w[0] for w in words if w[0].isupper()]
    if len(capitals) < 2:  # a one-word name has no initials: the agent writes the name
        capitals = [short]
    # two neighbouring words of a name of three or more ("OpRisk" of "OpRiskDesk"); a shorter
    # name is written whole
    compound = len(name.split()) == 1 and len(words) >= 3
    part = words[:2] if compound else words
    return {
        "words_part": "".join(part),
        "words_part_lower": "".join(part).lower() if compound else name,
        "words_part_hyphen": "-".join(part).lower() if compound else name,
        "words_part_caps": "".join(part).upper(),
        "words_spaced": " ".join(words),
        "words_hyphen": "-".join(words),
        "words_snake": "_".join(words),
        "words_flat": "".join(words).lower(),
        "words_caps": "".join(capitals),
        "words_dotted": ".".join(capitals) + ".",
    }


def _nicknames(name: str, short: str) -> dict[str, str]:
    """Nicknames of a personal name's first name (a product name or code has none: the agent
    writes the short name); a nickname that spells a common word (`lexicon.yaml`,
    `common_words`: "Mor" of Morgan, "Lot" of Lotte) is outside the guarantee and not written."""
    words = name.split()
    stem = words[0]
    common = {w.lower() for w in lexicon().common_words}
    if (
        len(words) < 2
        or not stem.isalpha()
        or any(
            w.lower() in common
            for w in (stem[:3], stem[:4] + "y", stem[:3] + "ny", stem[:3] + "ek")
        )
    ):
        return {"nick": short, "dim_y": short, "dim_ek": short}
    return {
        "nick": stem[:3],
        "dim_y": stem[:4] + "y" if len(stem) > 4 else stem[:3] + "ny",
        "dim_ek": stem[:3] + "ek",
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


class AdversarialFamily(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    family: str
    category: str
    expect: Literal["identical", "blind"]
    words: list[dict[Species, dict[str, str]]]
    texts: list[str]
    cues: list[str] = []
    """Strings (Jinja, like the texts) that must be gone from every redacted text unless it
    leaks: for words written alike in every arm that still say who the party is."""


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    category: str
    scenario: str
    text: str
    cues: list[str]


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    category: str
    scenario: str
    human: str
    ai: str


class Gap(BaseModel):
    """A phrasing the redaction is known not to make blind, and why (run as a strict xfail)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str
    family: str
    text: int | None = None
    """The family's text (every text when unset)."""
    words: int | None = None
    """The family's words entry (every entry when unset)."""
    reason: str


class Condition(BaseModel):
    """Texts about a hidden condition factor, one per level."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scenario: str
    factor: str
    texts: list[dict[str, str]]


class Adversarial(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    families: list[AdversarialFamily]
    cases: list[Case]
    pairs: list[Pair]
    conditions: list[Condition] = []
    known_gaps: list[Gap] = []

    def gap(self, scenario: str, family: str, index: int, text: int) -> Gap | None:
        return next(
            (
                g
                for g in self.known_gaps
                if (g.scenario, g.family) == (scenario, family)
                and g.text in (None, text)
                and g.words in (None, index)
            ),
            None,
        )


def adversarial() -> Adversarial:
    data = yaml.safe_load(ADVERSARIAL.read_text(encoding="utf-8"))
    return Adversarial.model_validate(data, strict=False)


def species_scenarios() -> list[str]:
    """Every shipped scenario with a species factor (the families run in each)."""
    found = []
    for sid in sorted(discover()):
        spec = _loaded(sid).spec
        if any(f.party is not None for f in spec.factors.values()):
            found.append(sid)
    return found


Outcome = Literal["identical", "leak", "mixed"]


def family_outcome(
    scenario: str, family: AdversarialFamily, index: int, text: str
) -> tuple[Outcome, dict[str, tuple[str, list[str]]]]:
    """A family text written to every identity of every species of the scenario's varied party:
    `identical` (one redacted text, no leak), `leak` (a leak everywhere) or `mixed`, with
    `species#slot` -> (redacted text, leaks)."""
    loaded = _loaded(scenario)
    table, allowed = _table(scenario), _allowed(scenario)
    party_id = varied_party(loaded)
    party = loaded.spec.parties[party_id]
    factor = next(f for f in loaded.spec.factors.values() if f.party == party_id)
    seen: dict[str, tuple[str, list[str]]] = {}
    for species in factor.species_levels:
        if species == Species.ABSENT:
            continue
        for slot in range(party.pool_size()):
            words = identity_vars(party.identity(species, slot))
            written = render_text(text, family.words[index], words, species)
            redacted = table.redact(written)
            leaks = table.leaks(redacted, allowed)
            cues = [render_text(c, family.words[index], words, species) for c in family.cues]
            if not leaks and any(c.lower() in redacted.lower() for c in cues):
                leaks = ["(cue survived)"]
                redacted = f"{redacted} <cue survived>"
            seen[f"{species}#{slot}"] = (redacted, leaks)
    outcome = _outcome(seen, loaded.spec.graded_terms)
    if family.cues and outcome == "leak" and any("(cue survived)" in lk for _, lk in seen.values()):
        outcome = "mixed"  # a cue the leak check does not see would reach the grader
    return outcome, seen


@cache
def _loaded(scenario: str) -> LoadedScenario:
    return get_scenario(scenario)


@cache
def _allowed(scenario: str) -> frozenset[str]:
    return neutral_words(_loaded(scenario))


@cache
def _table(scenario: str) -> CueTable:
    return cue_table(_loaded(scenario).spec)


def without_graded(text: str, terms: list[str]) -> str:
    """`text` with the scenario's graded terms (words the grader must read, outside the
    guarantee) and the species words they stand against masked."""
    if not terms:
        return text
    words = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = rf"(?<![^\W_])(?:{words})(?![^\W_])|\[REDACTED\]"
    text = re.sub(pattern, "<graded term>", text, flags=re.I)
    return re.sub(r"(?<![^\W_])[Aa]n?(\s+)<graded term>", r"a\1<graded term>", text)


def _outcome(seen: dict[str, tuple[str, list[str]]], graded: list[str] | None = None) -> Outcome:
    if all(leaks for _, leaks in seen.values()):
        return "leak"
    texts = {without_graded(r, graded or []) for r, _ in seen.values()}
    if not any(leaks for _, leaks in seen.values()) and len(texts) == 1:
        return "identical"
    return "mixed"


def case_outcome(case: Case) -> tuple[bool, str, list[str]]:
    """Whether a single phrasing is blind (its cues gone, or a leak), its redaction and leaks."""
    table = _table(case.scenario)
    redacted = table.redact(case.text)
    leaks = table.leaks(redacted, _allowed(case.scenario))
    survived = [c for c in case.cues if c.lower() in redacted.lower()]
    return (not survived or bool(leaks)), redacted, leaks


def pair_outcome(pair: Pair) -> tuple[Outcome, dict[str, tuple[str, list[str]]]]:
    loaded = _loaded(pair.scenario)
    table, allowed = _table(pair.scenario), _allowed(pair.scenario)
    seen = {}
    for species, text in (("human", pair.human), ("ai", pair.ai)):
        redacted = table.redact(text)
        seen[species] = (redacted, table.leaks(redacted, allowed))
    return _outcome(seen, loaded.spec.graded_terms), seen


def condition_outcome(
    condition: Condition, index: int
) -> tuple[Outcome, dict[str, tuple[str, list[str]]]]:
    """A condition text at every level of its factor: `identical`, `leak` or `mixed`."""
    table, allowed = _table(condition.scenario), _allowed(condition.scenario)
    seen = {}
    for level, text in condition.texts[index].items():
        redacted = table.redact(text)
        seen[level] = (redacted, table.leaks(redacted, allowed))
    return _outcome(seen), seen


def counts(
    spec: Adversarial | None = None, scenarios: list[str] | None = None
) -> dict[str, Counter[str]]:
    """category -> Counter of `blind` / `leaking` over every phrasing (family texts per scenario,
    cases, pairs and condition texts): a phrasing is leaking when it reaches the grader with a
    cue, or differs between arms without a leak."""
    spec = spec or adversarial()
    out: dict[str, Counter[str]] = {}
    scenarios = species_scenarios() if scenarios is None else scenarios
    for family in spec.families:
        for index in range(len(family.words)):
            for text in family.texts:
                for scenario in scenarios:
                    outcome, _ = family_outcome(scenario, family, index, text)
                    ok = outcome == "identical" or (outcome == "leak" and family.expect == "blind")
                    out.setdefault(family.category, Counter())["blind" if ok else "leaking"] += 1
    for case in spec.cases:
        ok, _, _ = case_outcome(case)
        out.setdefault(case.category, Counter())["blind" if ok else "leaking"] += 1
    for pair in spec.pairs:
        outcome, _ = pair_outcome(pair)
        out.setdefault(pair.category, Counter())["leaking" if outcome == "mixed" else "blind"] += 1
    for condition in spec.conditions:
        for index in range(len(condition.texts)):
            outcome, _ = condition_outcome(condition, index)
            category = f"condition {condition.factor}"
            out.setdefault(category, Counter())["leaking" if outcome == "mixed" else "blind"] += 1
    return out


def report(by_category: dict[str, Counter[str]]) -> str:
    """One line per category, "leaking N of M", and the total."""
    total: Counter[str] = Counter()
    lines = []
    for category, counter in sorted(by_category.items()):
        total.update(counter)
        lines.append(f"{category:26} leaking {counter['leaking']:4} of {sum(counter.values()):4}")
    lines.append(f"{'all':26} leaking {total['leaking']:4} of {sum(total.values()):4}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(counts()))
