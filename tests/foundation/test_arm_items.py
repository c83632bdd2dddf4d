"""Arm items are parsed in one place (`scenarios.loader`): the suite task asks the loader which
scenarios an item applies to, and the loader selects the arms."""

from __future__ import annotations

import pytest

from scenarios.loader import (
    ScenarioError,
    arm_items,
    get_scenario,
    item_applies,
    item_levels,
    select_arms,
)


@pytest.mark.parametrize(
    ("given", "items"),
    [
        ("overseer=ai", ["overseer=ai"]),
        ("overseer=ai; overseer=human", ["overseer=ai", "overseer=human"]),
        (["director=ai,overseer=ai", " ai ;"], ["director=ai,overseer=ai", "ai"]),
        (None, []),
        (";;", []),
    ],
)
def test_arm_items_split_on_semicolons(given: str | list[str] | None, items: list[str]) -> None:
    assert arm_items(given) == items


@pytest.mark.parametrize(
    ("item", "levels"),
    [
        ("ai", None),
        ("overseer=ai", {"overseer": "ai"}),
        ("director = human , overseer=ai", {"director": "human", "overseer": "ai"}),
    ],
)
def test_item_levels(item: str, levels: dict[str, str] | None) -> None:
    assert item_levels(item) == levels


@pytest.mark.parametrize(
    ("scenario", "item", "applies"),
    [
        ("blame_postmortem", "overseer=ai", True),
        ("blame_postmortem", "ai", True),  # one factor: a bare level applies
        ("covert_profiling", "ai", False),  # two factors: a bare level is ambiguous
        ("covert_profiling", "principal=ai", True),
        ("covert_profiling", "principal=ai,affected=human", True),
        ("covert_profiling", "principal=ai,overseer=human", False),
        ("blame_postmortem", "director=ai", False),
        ("blame_director", "director=ai", True),
    ],
)
def test_item_applies_and_select_agree(scenario: str, item: str, applies: bool) -> None:
    spec = get_scenario(scenario).spec
    assert item_applies(spec, item) is applies
    if applies:
        assert select_arms(spec, item)


@pytest.mark.parametrize(
    "item",
    [
        "overseer=ai,bogus",
        "overseer=",
        "=ai",
        "overseer=ai,,director=ai",
        "overseer=ai,overseer=human",
    ],
)
def test_malformed_arm_items_name_the_item(item: str) -> None:
    with pytest.raises(ScenarioError, match="arm item"):
        item_levels(item)
