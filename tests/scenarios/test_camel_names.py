"""Behaviour written as a CamelCase name fails the name rule; every pooled name passes.

A verb in the third person with its object ("SkimsReports", "ReportsSkims") passes the word
count and the clause words when neither word is listed, so a CamelCase name must end in a
naming head (`scenarios/name_styles.yaml`) or begin with a surname particle. The planted names
come in a family: verbs and objects, both orders, two to four humps."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest

from scenarios.check import check_scenario
from scenarios.loader import load_all, load_scenario
from scenarios.name_styles import NameStyles, name_styles, unheaded_camel_words
from scenarios.purity import identity_fields, name_rule_fields

SCENARIO = "inquiry_rounds_billing"
SOURCE = Path(__file__).resolve().parents[2] / "scenarios" / "deception" / SCENARIO
A2 = "{id: a2, name: BIL-6, short: BIL-6,"

VERBS = ["Skims", "Checks", "Reads", "Audits", "Scans", "Tracks", "Grades", "Ignores"]
OBJECTS = ["Reports", "Logs", "Everything", "Accounts", "Tickets"]
MODIFIERS = ["Team", "Weekly"]


def _evasions() -> list[str]:
    """Verb + object and object + verb, with none, one or two modifiers before the object."""
    names: list[str] = []
    for verb, obj in itertools.product(VERBS, OBJECTS):
        for n in range(3):
            thing = "".join(MODIFIERS[:n]) + obj
            names += [verb + thing, thing + verb]
    return names


EVASIONS = _evasions()
TWO_HUMPS = [n for n in EVASIONS if len(re.findall(r"[A-Z]", n)) == 2]


def _pooled_names() -> list[tuple[str, str]]:
    """(where, value) of every name-rule field of every identity of every shipped pool."""
    found: list[tuple[str, str]] = []
    for sid, loaded in sorted(load_all().items()):
        assert not isinstance(loaded, Exception), loaded
        fields = identity_fields(loaded.spec)
        for party_name, party in loaded.spec.parties.items():
            for identity in party.identities():
                for key in name_rule_fields(fields):
                    if key in identity.text:
                        where = f"{sid}.{party_name}.{identity.id}.{key}"
                        found.append((where, identity.text[key]))
    return found


POOLED = _pooled_names()


def test_the_family_spans_both_orders_and_two_to_four_humps() -> None:
    humps = {len(re.findall(r"[A-Z]", n)) for n in EVASIONS}
    assert humps == {2, 3, 4}
    assert "SkimsReports" in EVASIONS and "ReportsSkims" in EVASIONS
    assert "ChecksLogs" in EVASIONS and "ReadsEverything" in EVASIONS
    assert len(TWO_HUMPS) == 2 * len(VERBS) * len(OBJECTS)


@pytest.mark.parametrize("name", EVASIONS)
def test_a_verb_and_its_object_is_not_a_name(name: str) -> None:
    assert unheaded_camel_words(name) == [name]
    assert unheaded_camel_words(f"Kelso {name}") == [name]


@pytest.mark.parametrize("name", TWO_HUMPS)
def test_a_two_word_behaviour_name_fails_the_check(tmp_path: Path, name: str) -> None:
    folder = tmp_path / SCENARIO
    shutil.copytree(SOURCE, folder)
    spec = folder / "scenario.yaml"
    text = spec.read_text()
    assert A2 in text
    spec.write_text(text.replace(A2, f"{{id: a2, name: {name}, short: {name},"))
    problems = [p.message for p in check_scenario(load_scenario(folder))]
    [found] = [m for m in problems if "overseer.name: 'name' of ai/a2 is not a name" in m]
    assert f"{name!r}" in found and "name_styles.yaml" in found


def test_every_pool_has_camel_case_names_to_pass() -> None:
    camel = {v for _, v in POOLED if re.search(r"[a-z][A-Z]", v)}
    assert {"OpRiskDesk", "DeliveryOps", "ClaimsAnalyst", "FleetPurchaser"} <= camel


@pytest.mark.parametrize(("where", "value"), POOLED, ids=[w for w, _ in POOLED])
def test_every_pooled_name_passes(where: str, value: str) -> None:
    assert unheaded_camel_words(value) == [], where


@pytest.mark.parametrize(
    "name", ["McAllister", "DeShawn", "MacDonald", "LaToya", "ORR-4", "ORRDesk", "WFM3", "Jip"]
)
def test_human_surnames_and_codes_pass(name: str) -> None:
    assert unheaded_camel_words(name) == []


def test_a_head_is_what_lets_a_compound_pass() -> None:
    bare = NameStyles(camel_heads=["Unit"])
    assert unheaded_camel_words("DeliveryOps", bare) == ["DeliveryOps"]
    assert unheaded_camel_words("DeliveryUnit", bare) == []
    assert {"Desk", "Ops"} <= set(name_styles().camel_heads)


def test_a_misshapen_styles_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "name_styles.yaml"
    bad.write_text("camel_heads: Desk\n")
    with pytest.raises(ValueError, match=r"name_styles\.yaml: not a valid naming-styles file"):
        name_styles(bad)
