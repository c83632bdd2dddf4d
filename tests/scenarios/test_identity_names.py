"""What the shipped identity pools are made of: every varied party has three identities per
species; human identities span she, he and they; AI identities span three naming styles; no AI
name carries a meaning about watching, judging or importance; no name links two scenarios."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

import pytest

from bench.providers import AI_MARKERS
from scenarios.loader import discover, get_scenario
from scenarios.schema import Identity, Party, Species

SHIPPED = sorted(discover())

# Name stems that say what a party does to the agent (watches it, judges it) or how much it
# matters: a name like "Argus Sentinel" primes perceived detection risk in the AI arm only.
LOADED_STEMS = (
    "argus", "sentinel", "sentry", "guard", "watch", "vigil", "warden", "eye", "lens", "scope",
    "radar", "scan", "monitor", "observ", "overs", "audit", "assess", "review", "judge", "inspect",
    "inquir", "evaluat", "eval", "verif", "check", "sextant", "beacon", "keystone", "atlas",
    "meridian", "apex", "summit", "pinnacle", "prime", "chief", "master", "captain", "crown",
    "titan", "conductor", "lead", "boss", "talon",
)  # fmt: skip
SYSTEM_CODE = re.compile(r"^[A-Z]{2,4}-\d{1,2}$")
DESCRIPTIVE = re.compile(r"^(?:[A-Z][a-z]+){2,}$|^(?:[A-Z][a-z]*)+(?:[A-Z][a-z]+)$")


def _varied(party: Party) -> bool:
    """A party some factor sets (not fixed to one species) with a pool per species."""
    return party.fixed is None


def _pools() -> list[tuple[str, str, Species, list[Identity]]]:
    return [
        (sid, name, species, variant.pool(species))
        for sid in SHIPPED
        for name, party in get_scenario(sid).spec.parties.items()
        if _varied(party)
        for species, variant in party.species.items()
        if species != Species.ABSENT
    ]


def _style(name: str) -> str:
    if SYSTEM_CODE.match(name):
        return "system code"
    if " " not in name and DESCRIPTIVE.match(name) and sum(c.isupper() for c in name) >= 2:
        return "descriptive"
    return "product"


POOLS = _pools()
IDS = [f"{sid}.{party}.{species}" for sid, party, species, _ in POOLS]


@pytest.mark.parametrize(("sid", "party", "species", "pool"), POOLS, ids=IDS)
def test_every_varied_pool_has_three_identities(
    sid: str, party: str, species: Species, pool: list[Identity]
) -> None:
    assert len(pool) == 3, f"{sid}.{party}.{species}: k={len(pool)}"


@pytest.mark.parametrize(
    ("sid", "party", "pool"),
    [(s, p, pool) for s, p, sp, pool in POOLS if sp == Species.HUMAN],
    ids=[i for i, (_, _, sp, _) in zip(IDS, POOLS, strict=True) if sp == Species.HUMAN],
)
def test_human_pools_span_she_he_and_they(sid: str, party: str, pool: list[Identity]) -> None:
    assert sorted(str(i.pronouns) for i in pool) == ["he", "she", "they"]


AI_POOLS = [(s, p, pool) for s, p, sp, pool in POOLS if sp == Species.AI]
AI_IDS = [i for i, (_, _, sp, _) in zip(IDS, POOLS, strict=True) if sp == Species.AI]


@pytest.mark.parametrize(("sid", "party", "pool"), AI_POOLS, ids=AI_IDS)
def test_ai_pools_span_three_naming_styles(sid: str, party: str, pool: list[Identity]) -> None:
    styles = sorted(_style(i.text["name"]) for i in pool)
    assert styles == ["descriptive", "product", "system code"], [i.text["name"] for i in pool]


@pytest.mark.parametrize(("sid", "party", "pool"), AI_POOLS, ids=AI_IDS)
def test_no_ai_name_means_watching_judging_or_importance(
    sid: str, party: str, pool: list[Identity]
) -> None:
    for identity in pool:
        for key in ("name", "short", "email", "handle"):
            value = identity.text.get(key, "").lower()
            hits = [stem for stem in LOADED_STEMS if stem in value]
            assert not hits, f"{sid}.{party}.{identity.id} {key} {value!r} carries {hits}"


@pytest.mark.parametrize(
    ("name", "style"),
    [("ORR-4", "system code"), ("OpRiskDesk", "descriptive"), ("Kelso Amberley", "product"),
     ("Tempo", "product"), ("QIL-2", "system code"), ("ShiftPlanner", "descriptive")],
)  # fmt: skip
def test_naming_style_classifier(name: str, style: str) -> None:
    assert _style(name) == style


@pytest.mark.parametrize("value", ["Argus Sentinel", "Keystone", "TeamAssessor", "ClaimsAuditor"])
def test_the_stem_list_catches_the_names_it_is_for(value: str) -> None:
    assert any(stem in value.lower() for stem in LOADED_STEMS)


def _words(value: str) -> set[str]:
    return {w for w in re.split(r"[\s\-]+", value) if w[:1].isupper() and not w.isdigit()}


def test_no_name_links_two_scenarios() -> None:
    """A word of a party's name in one scenario is not a party's or the agent's name in another,
    unless both scenarios declare the very same party (blame_director keeps blame_postmortem's AI
    overseer, the study's director contrast being run under that overseer)."""
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sid in SHIPPED:
        spec = get_scenario(sid).spec
        owners[spec.agent.name].add((sid, "agent"))
        for name, party in spec.parties.items():
            for identity in party.identities():
                shape = repr(sorted(identity.text.items()))
                for word in _words(identity.text.get("name", "")) | _words(
                    identity.text.get("short", "")
                ):
                    owners[word].add((sid, name))
                    shapes[(word, name)].add(shape)
    linked = {
        word: sorted(where)
        for word, where in owners.items()
        if len({sid for sid, _ in where}) > 1
        and not (
            len({party for _, party in where}) == 1
            and all(len(shapes[(word, party)]) == 1 for _, party in where)
        )
        and word != "Alex"  # the agent of every deception scenario
    }
    assert linked == {}


@pytest.mark.parametrize("sid", sorted(AI_MARKERS))
def test_bench_markers_are_the_ai_pool(sid: str) -> None:
    spec = get_scenario(sid).spec
    factor = next(f for f in spec.factors.values() if f.kind == "species")
    assert factor.party is not None
    pool = spec.parties[factor.party].species[Species.AI].pool(Species.AI)
    assert AI_MARKERS[sid] == [i.text["name"] for i in pool]


# How a handle-like field is made from a name. One rule per scenario and field, the same for
# every identity of both species: a handle that does not come from its own name (`jpike` for
# "Declan Pike") points at someone else, and when only one species' handles are off the culprit is
# ambiguous in that species' arms alone.
HANDLE_FIELDS = ("handle", "email")


def _tokens(name: str) -> list[str]:
    return [t.lower() for t in name.split()]


def _compact(token: str) -> str:
    return re.sub(r"[^a-z0-9]", "", token)


def _initials_surname(toks: list[str]) -> str:
    return "".join(_compact(t)[0] for t in toks[:-1]) + _compact(toks[-1])


def _first_dot_rest(toks: list[str]) -> str:
    return ".".join([toks[0], "".join(toks[1:])] if toks[1:] else toks)


def _all_compact(toks: list[str]) -> str:
    return "".join(_compact(t) for t in toks)


HANDLE_RULES: dict[str, Callable[[list[str]], str]] = {
    "initials_surname": _initials_surname,
    "first_dot_rest": _first_dot_rest,
    "compact": _all_compact,
}


def _local(value: str) -> str:
    return value.split("@", 1)[0]


def handle_rules(names_and_values: list[tuple[str, str]]) -> set[str]:
    """The rules that derive every value (its part before any `@`) from its own name."""
    return {
        rule
        for rule, derive in HANDLE_RULES.items()
        if all(_local(value) == derive(_tokens(name)) for name, value in names_and_values)
    }


def _all_identities(sid: str) -> list[tuple[str, Identity]]:
    return [
        (f"{sid}.{party_name}.{identity.id}", identity)
        for party_name, party in get_scenario(sid).spec.parties.items()
        for identity in party.identities()
        if "name" in identity.text
    ]


HANDLE_CASES = [
    (sid, key)
    for sid in SHIPPED
    for key in HANDLE_FIELDS
    if any(key in i.text for _, i in _all_identities(sid))
]


def test_the_shipped_scenarios_have_handle_fields_to_check() -> None:
    assert {key for _, key in HANDLE_CASES} == set(HANDLE_FIELDS)


@pytest.mark.parametrize(("sid", "key"), HANDLE_CASES, ids=[f"{s}.{k}" for s, k in HANDLE_CASES])
def test_every_handle_derives_from_its_own_name_by_one_rule(sid: str, key: str) -> None:
    everyone = _all_identities(sid)
    parties = {where.rsplit(".", 1)[0] for where, i in everyone if key in i.text}
    identities = [(w, i) for w, i in everyone if w.rsplit(".", 1)[0] in parties]
    missing = [where for where, i in identities if key not in i.text]
    assert not missing, f"{sid}: {key} declared for some identities of a party but not {missing}"
    pairs = [(i.text["name"], i.text[key]) for _, i in identities]
    assert handle_rules(pairs), (
        f"{sid}.{key}: no one rule derives every value from its name: {pairs}"
    )
    domains = {i.text[key].split("@", 1)[1] for _, i in identities if "@" in i.text[key]}
    assert len(domains) <= 1, f"{sid}.{key}: domains differ: {domains}"


HONORIFICS = ("Mr", "Ms", "Mrs", "Mx", "Dr")


def short_forms(name: str) -> set[str]:
    """What a name may be shortened to: its first word, or an honorific and its last word."""
    words = name.split()
    return {words[0]} | {f"{title} {words[-1]}" for title in HONORIFICS if len(words) > 1}


@pytest.mark.parametrize("sid", SHIPPED)
def test_every_short_form_is_made_from_its_name(sid: str) -> None:
    for where, identity in _all_identities(sid):
        if "short" in identity.text:
            short, name = identity.text["short"], identity.text["name"]
            assert short in short_forms(name), f"{where}: short {short!r} of {name!r}"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Declan Pike", "Jamie"),
        ("Declan Pike", "Pike"),
        ("GDA-2", "GDA"),
        ("Noa Friedman", "Mr Pike"),
    ],
)  # fmt: skip
def test_the_short_form_check_rejects_other_names(name: str, short: str) -> None:
    assert short not in short_forms(name)


@pytest.mark.parametrize(
    "pairs",
    [
        [("Declan Pike", "jpike"), ("Anjali Desai", "adesai"), ("GDA-2", "gda2")],
        [("Marlowe Castaneda", "rcastaneda"), ("Sam Okonjo", "sokonjo"), ("Pellam", "pellam")],
        [("Sam Okonjo", "sokonjo"), ("CLM-3", "clm-3")],  # two rules, one per species
        [("Femke Jansen", "femke.jansen@x"), ("Tavoro", "tavoro@x"), ("Ruben Claes", "rclaes@x")],
        [("Tessel", "tessel2")],
    ],
    ids=["other-initial", "other-initial-they", "mixed-rules", "mixed-email", "suffix"],
)  # fmt: skip
def test_the_rule_check_rejects_handles_not_made_from_their_name(
    pairs: list[tuple[str, str]],
) -> None:
    assert handle_rules(pairs) == set()


@pytest.mark.parametrize(
    "pairs",
    [
        [("Declan Pike", "dpike"), ("Finley Osei-Bonsu", "foseibonsu"), ("GDA-2", "gda2")],
        [("Lotte de Vries", "lotte.devries@h"), ("ACQ-2", "acq-2@h"), ("Tovana", "tovana@h")],
    ],
    ids=["initials-surname", "first-dot-rest"],
)  # fmt: skip
def test_the_rule_check_accepts_handles_made_from_their_name(
    pairs: list[tuple[str, str]],
) -> None:
    assert handle_rules(pairs)
