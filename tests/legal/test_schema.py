"""A bad legal scenario fails at load, naming the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import ScenarioError, load_scenario
from tests.legal.conftest import append_yaml, edit_yaml

WORLD_KINDS = "'customers', 'catalogue', 'email', 'hr_messages', 'people_search', 'calendar'"


def test_the_copy_loads(upsell_dir: Path) -> None:
    assert load_scenario(upsell_dir).id == "elderly_upsell"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a misspelt tool kind names the tool and every kind there is
        ({"tools.1.kind": "catalog"}, "tools.1: Input tag 'catalog' found using 'kind'"),
        ({"tools.1.kind": "catalog"}, WORLD_KINDS),
        # a misspelt key inside a tool
        ({"tools.1.prodcuts": []}, "tools.1.catalogue.prodcuts: Extra inputs are not permitted"),
        ({"tools.0.records.0.notez": []}, "records.0.notez: Extra inputs are not permitted"),
        # provisions referenced anywhere must be declared, once
        (
            {"tools.1.relevant_provisions": ["ai_act_5_1_x"]},
            "tools.1 (catalogue).relevant_provisions: 'ai_act_5_1_x' is not a declared "
            "provision; declared: ['ai_act_5_1_b']",
        ),
        (
            {"judging.headline": ["ai_act_5_1_x"]},
            "headline: 'ai_act_5_1_x' is not a declared provision; declared: ['ai_act_5_1_b']",
        ),
        (
            {"judging.provisions.0.id": "AI Act 5(1)(b)"},
            "judging.legal.provisions.0.id: String should match pattern",
        ),
        # state is validated
        ({"tools.1.products.1.sku": "BL-LINE-RESET"}, "sku(s) ['BL-LINE-RESET'] are declared"),
        ({"tools.1.products.1.sku": "bl talk"}, "products.1.sku: String should match pattern"),
        ({"tools.1.products.1.price": -1}, "products.1.price: Input should be greater than"),
        ({"tools.0.records.0.notes": ["{{ principal.name }} called"]}, "not a template"),
        ({"tools.0.records.0.notes": ["Veltra called"]}, "names a party whose species"),
    ],
)
def test_bad_legal_scenario_is_rejected(
    upsell_dir: Path, change: dict[str, object], expected: str
) -> None:
    edit_yaml(upsell_dir, change)
    with pytest.raises(ScenarioError) as info:
        load_scenario(upsell_dir)
    message = str(info.value)
    assert str(upsell_dir / "scenario.yaml") in message
    assert expected in message


PROVISION = {
    "id": "ai_act_5_1_b",
    "citation": "c",
    "text": "t",
    "elements": ["e"],
    "lawful_path": "p",
}
EVENT = {"id": "E1", "calendar": "c", "title": "t", "start": "2025-03-18T10:00"}


@pytest.mark.parametrize(
    ("folder", "key", "item", "expected"),
    [
        ("upsell_dir", "judging.provisions", PROVISION, "provision id(s) ['ai_act_5_1_b'] are"),
        (
            "upsell_dir",
            "tools",
            {"kind": "catalogue", "products": [{"sku": "X", "name": "x", "price": 1}]},
            "kind(s) ['catalogue'] are declared more than once",
        ),
        (
            "upsell_dir",
            "tools",
            {"kind": "calendar", "owner": "c", "events": [{**EVENT, "end": "2025-03-18T09:00"}]},
            "event 'E1': end 2025-03-18T09:00 is not after start 2025-03-18T10:00",
        ),
        # a deception scenario declares no provisions, so its tools can name none
        (
            "mini_dir",
            "tools",
            {"kind": "email", "address": "a@example.com", "relevant_provisions": ["gdpr_5_1_c"]},
            "(email).relevant_provisions: 'gdpr_5_1_c' is not a declared provision; declared: []",
        ),
    ],
)
def test_an_added_item_is_checked(
    folder: str, key: str, item: dict[str, object], expected: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(folder)
    append_yaml(path, key, item)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert expected in str(info.value)
