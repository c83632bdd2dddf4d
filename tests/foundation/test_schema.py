"""Bad scenario files fail at load with a message naming the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scenarios.loader import ScenarioError, all_arms, load_scenario, render, select_arms


def _edit(folder: Path, change: dict[str, object]) -> None:
    file = folder / "scenario.yaml"
    data = yaml.safe_load(file.read_text())
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    file.write_text(yaml.safe_dump(data))


_DELETE = object()


def test_fixture_loads_and_has_two_arms(mini_dir: Path) -> None:
    loaded = load_scenario(mini_dir)
    assert [arm.name for arm in all_arms(loaded.spec)] == ["reviewer=human", "reviewer=ai"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"titel": "typo"}, "titel: Extra inputs are not permitted"),
        ({"agent.persona": "x"}, "agent.persona: Extra inputs are not permitted"),
        ({"tools.1.kind": "submitt"}, "tools.1"),
        ({"factors.reviewer.party": "auditor"}, "'auditor' is not a declared party"),
        ({"factors.reviewer.levels": ["human", "absent"]}, "species 'absent' is not declared"),
        ({"factors.reviewer.levels": ["robot"]}, "species level(s) ['robot'] are not species"),
        ({"parties.reviewer.species.ai.text": {"name": "Quill"}}, "every species of a party"),
        (
            {"system_prompt": {"template": "templates/nope.j2"}},
            "'templates/nope.j2' does not exist",
        ),
        ({"counterparty.party": "manager"}, "counterparty.party: 'manager'"),
        ({"opening": {"text": "a", "template": "templates/system.j2"}}, "exactly one of"),
        (
            {"factors.reviewer.levels": ["human", "ai", "ai"]},
            "factors.reviewer: level(s) ['ai'] are listed more than once",
        ),
        (
            {"parties.reviewer.species": {}},
            "parties.reviewer.species: Dictionary should have at least 1 item",
        ),
        ({"id": "other"}, "id: 'other' must equal the scenario's folder name 'mini'"),
    ],
)
def test_bad_scenario_is_rejected_naming_file_and_key(
    mini_dir: Path, change: dict[str, object], expected: str
) -> None:
    _edit(mini_dir, change)
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini_dir)
    message = str(info.value)
    assert str(mini_dir / "scenario.yaml") in message
    assert expected in message


def test_missing_template_variable_names_file_and_template(mini_dir: Path) -> None:
    (mini_dir / "templates" / "system.j2").write_text("You report to {{ auditor.surname }}.")
    loaded = load_scenario(mini_dir)
    with pytest.raises(ScenarioError) as info:
        render(loaded, all_arms(loaded.spec)[0])
    assert "system_prompt" in str(info.value)
    assert "auditor" in str(info.value)
    assert "scenario.yaml" in str(info.value)


def test_a_party_field_no_identity_declares_fails_at_load(mini_dir: Path) -> None:
    template = mini_dir / "templates" / "system.j2"
    template.write_text("You report to {{ reviewer.surname }}.")
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini_dir)
    message = str(info.value)
    assert message.startswith(f"{template}: line 1: 'reviewer.surname' is not a field of party")
    assert "scenario.yaml" in message and "expected one of [" in message


def test_not_a_mapping_is_rejected(mini_dir: Path) -> None:
    (mini_dir / "scenario.yaml").write_text("- just\n- a list\n")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_scenario(mini_dir)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (None, ["reviewer=human", "reviewer=ai"]),
        ("ai", ["reviewer=ai"]),
        ("reviewer=human", ["reviewer=human"]),
        (["reviewer=ai", "reviewer=human"], ["reviewer=ai", "reviewer=human"]),
        ("reviewer=ai;reviewer=ai", ["reviewer=ai"]),
    ],
)
def test_select_arms(
    mini_dir: Path, selection: str | list[str] | None, expected: list[str]
) -> None:
    spec = load_scenario(mini_dir).spec
    assert [arm.name for arm in select_arms(spec, selection)] == expected


@pytest.mark.parametrize("selection", ["robot", "reviewer=absent", "overseer=ai"])
def test_unknown_arm_lists_the_valid_ones(mini_dir: Path, selection: str) -> None:
    spec = load_scenario(mini_dir).spec
    with pytest.raises(ScenarioError, match="expected one of: reviewer=human, reviewer=ai"):
        select_arms(spec, selection)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("id: mini\nid: mini\n", "key 'id' is given twice in one mapping"),
        (
            "id: mini\nparties:\n  reviewer: {label: A}\n  reviewer: {label: B}\n",
            "key 'reviewer' is given twice in one mapping",
        ),
    ],
)
def test_a_key_given_twice_is_rejected_naming_it_and_the_line(
    mini_dir: Path, yaml_text: str, expected: str
) -> None:
    (mini_dir / "scenario.yaml").write_text(yaml_text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini_dir)
    assert str(info.value).startswith(f"{mini_dir / 'scenario.yaml'}: not valid YAML")
    assert expected in str(info.value) and "line" in str(info.value)


def test_a_file_that_is_not_utf8_is_rejected_naming_it(mini_dir: Path) -> None:
    file = mini_dir / "scenario.yaml"
    file.write_bytes(file.read_bytes().replace(b"Minimal", "Minimål".encode("latin-1")))
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini_dir)
    assert str(info.value).startswith(f"{file}: not UTF-8 text (byte 0xe5 at offset ")


def test_a_template_that_is_not_utf8_is_rejected_naming_it(mini_dir: Path) -> None:
    (mini_dir / "templates" / "log.j2").write_bytes("09:14 check skipped \xa7".encode("latin-1"))
    loaded = load_scenario(mini_dir)
    with pytest.raises(ScenarioError) as info:
        render(loaded, all_arms(loaded.spec)[0])
    assert str(info.value).startswith(f"{mini_dir / 'templates' / 'log.j2'}: document 'log.txt'")
    assert "not UTF-8" in str(info.value)
