"""A scenario declares its own identity fields (and which are matched across species); a
template printing a field no identity has fails at load; sign-offs are compared like titles;
every validation error names the scenario file, the key, the value and what was expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.main import main
from scenarios.check import check_scenario
from scenarios.loader import ScenarioError, load_scenario

Edit = Callable[[dict[str, Any]], None]


def _write(mini_dir: Path, edit: Edit) -> Path:
    file = mini_dir / "scenario.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    edit(data)
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return mini_dir


def _texts(human: dict[str, str], ai: dict[str, str]) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        species = data["parties"]["reviewer"]["species"]
        species["human"]["text"].update(human)
        species["ai"]["text"].update(ai)

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        for one in edits:
            one(data)

    return edit


def _declare(**fields: list[str]) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["identity_fields"] = fields

    return edit


def _problems(mini_dir: Path, edit: Edit) -> list[str]:
    return [str(p) for p in check_scenario(load_scenario(_write(mini_dir, edit)))]


# --- declared identity fields ----------------------------------------------------------------

MATCHED_DESKS = _texts({"desk": "credit risk desk"}, {"desk": "AI credit risk desk"})
UNMATCHED_DESKS = _texts({"desk": "credit risk desk"}, {"desk": "junior support desk"})


def test_an_undeclared_field_that_differs_is_a_passage_and_fails(mini_dir: Path) -> None:
    problems = _problems(mini_dir, UNMATCHED_DESKS)
    assert any("passage 'desk' differs" in p for p in problems), problems


def test_a_declared_name_field_may_differ_freely(mini_dir: Path) -> None:
    names = _texts({"desk": "Harbour"}, {"desk": "Quay-7"})
    assert _problems(mini_dir, _both(names, _declare(names=["desk"]))) == []


def test_a_declared_field_that_is_not_a_name_must_be_matched(mini_dir: Path) -> None:
    # a declared field is a name unless listed as matched: otherwise any text could differ
    problems = _problems(mini_dir, _both(UNMATCHED_DESKS, _declare(names=["desk"])))
    assert any(
        "reviewer.desk:" in p and "'junior support desk'" in p and "identity_fields.matched" in p
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("edit", "passes"),
    [(MATCHED_DESKS, True), (UNMATCHED_DESKS, False)],
    ids=["matched", "unmatched"],
)
def test_a_declared_matched_field_must_match_across_species(
    mini_dir: Path, edit: Edit, passes: bool
) -> None:
    problems = _problems(mini_dir, _both(edit, _declare(names=["desk"], matched=["desk"])))
    assert (problems == []) is passes, problems
    if not passes:
        assert any("'desk' is not matched at slot 0" in p for p in problems), problems


@pytest.mark.parametrize(
    ("declared", "shown"),
    [
        ({"matched": ["desk"]}, "identity_fields.matched"),
        ({"signed": ["stamp"]}, "identity_fields.signed"),
        ({"names": ["handle_x"]}, "identity_fields.names: ['handle_x'] are declared but"),
        ({"names": ["pronouns"]}, "reserved"),
        ({"names": ["Desk"]}, "identity_fields.names.0"),
    ],
)
def test_a_bad_identity_field_declaration_names_the_file_and_the_key(
    mini_dir: Path, declared: dict[str, list[str]], shown: str
) -> None:
    _write(mini_dir, _declare(**declared))
    with pytest.raises(ScenarioError) as raised:
        load_scenario(mini_dir)
    message = str(raised.value)
    assert str(mini_dir / "scenario.yaml") in message and shown in message, message


# --- fields printed by templates -------------------------------------------------------------


def _opening(text: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["opening"] = {"text": text}

    return edit


def _turn(text: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["counterparty"]["turns"] = [text]

    return edit


def _fact(text: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["ground_truth"]["facts"] = [text]

    return edit


UNKNOWN_FIELDS: list[tuple[str, Edit, str, str]] = [
    ("opening", _opening("Hi, {{ reviewer.desk }} here."), "opening.text", "reviewer.desk"),
    ("item", _opening("Hi, {{ reviewer['handle'] }}."), "opening.text", "reviewer.handle"),
    ("turn", _turn("And {{ reviewer.titel }}?"), "counterparty.turns.0", "reviewer.titel"),
    ("fact", _fact("{{ reviewer.signature }} signed."), "ground_truth.facts.0", "reviewer.sig"),
    ("agent", _opening("Hi {{ agent.surname }}."), "opening.text", "agent.surname"),
]


@pytest.mark.parametrize(
    ("edit", "where", "key"),
    [(e, w, k) for _, e, w, k in UNKNOWN_FIELDS],
    ids=[n for n, *_ in UNKNOWN_FIELDS],
)
def test_a_template_printing_an_unknown_field_fails_naming_file_key_and_expected(
    mini_dir: Path, edit: Edit, where: str, key: str
) -> None:
    _write(mini_dir, edit)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(mini_dir)
    message = str(raised.value)
    assert f"{mini_dir / 'scenario.yaml'}: {where}: line 1: '{key}" in message, message
    assert "expected one of [" in message, message


def test_a_template_file_printing_an_unknown_field_names_the_template(mini_dir: Path) -> None:
    template = mini_dir / "templates" / "system.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{{ reviewer.desk }}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(mini_dir)
    message = str(raised.value)
    assert f"{template}: line" in message and "'reviewer.desk'" in message, message
    assert "'name'" in message and "'title'" in message, message  # what was expected


def test_a_declared_field_prints(mini_dir: Path) -> None:
    edit = _both(MATCHED_DESKS, _opening("Hi, {{ reviewer.name }} of {{ reviewer.desk }}."))
    assert _problems(mini_dir, _both(edit, _declare(names=["desk"], matched=["desk"]))) == []


# --- sign-offs -------------------------------------------------------------------------------

SIGNATURES: list[tuple[str, str, str, str | None]] = [
    ("matched", "Dana Reyes\nHead of Quality", "Quill\nAI Head of Quality", None),
    ("matched one line", "Dana Reyes, Head of Quality", "Quill, Head of Quality", None),
    ("other title", "Dana Reyes\nHead of Quality", "Quill\nQuality Review Agent", "not matched"),
    ("seniority", "Dana Reyes, Senior Head of Quality", "Quill, Head of Quality", "not matched"),
    ("lines", "Dana Reyes\nHead of Quality", "Quill", "2 line(s) against 1"),
    ("team", "Dana\nQuality team", "Quill\nPlatform team", "not matched"),
    ("too long", "Dana\nHead\nof\nQuality", "Quill\nAI\nHead of\nQuality", "at most 3 lines"),
]


@pytest.mark.parametrize(
    ("human", "ai", "shown"),
    [(h, a, s) for _, h, a, s in SIGNATURES],
    ids=[n for n, *_ in SIGNATURES],
)
def test_signatures_are_compared_like_titles(
    mini_dir: Path, human: str, ai: str, shown: str | None
) -> None:
    problems = _problems(mini_dir, _texts({"signature": human}, {"signature": ai}))
    if shown is None:
        assert problems == []
    else:
        assert any("signature" in p and shown in p for p in problems), problems


def test_a_declared_signed_field_is_compared(mini_dir: Path) -> None:
    edit = _texts({"sign_off": "Dana, Head of Quality"}, {"sign_off": "Quill, Quality Bot"})
    problems = _problems(mini_dir, _both(edit, _declare(names=["sign_off"], signed=["sign_off"])))
    assert any("'sign_off' is not matched" in p for p in problems), problems


# --- every error names the file --------------------------------------------------------------


def _set(path: str, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return edit


BAD_INPUTS: list[tuple[str, Edit, list[str]]] = [
    ("suite", _set("suite", "decepton"), ["suite", "'decepton'", "'deception' or 'legal'"]),
    ("level", _set("factors.reviewer.levels", ["human", "robot"]), ["levels", "robot"]),
    ("party", _set("factors.reviewer.party", "judge"), ["factors.reviewer.party", "'judge'"]),
    ("max_turns", _set("counterparty.max_turns", -1), ["max_turns", "-1", "greater than"]),
    ("unknown key", _set("agent.nickname", "Al"), ["agent.nickname", "'Al'", "not permitted"]),
    ("pronouns", _set("parties.reviewer.species.ai.text.they", "it"), ["reserved"]),
    ("template", _set("system_prompt", {"template": "x.j2"}), ["system_prompt", "'x.j2'"]),
    ("field", _opening("{{ reviewer.desk }}"), ["opening.text", "reviewer.desk", "expected"]),
    ("id", _set("id", "other"), ["id", "'other'", "folder name"]),
]


@pytest.mark.parametrize(
    ("edit", "shown"), [(e, s) for _, e, s in BAD_INPUTS], ids=[n for n, *_ in BAD_INPUTS]
)
def test_every_validation_error_names_the_file_key_and_value(
    mini_dir: Path, edit: Edit, shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _write(mini_dir, edit)
    file = str(mini_dir / "scenario.yaml")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(mini_dir)
    message = str(raised.value)
    assert message.startswith(file) and all(s in message for s in shown), message
    assert main(["scenarios", "check", str(mini_dir)]) == 1
    out = capsys.readouterr().out
    assert file in out and all(s in out for s in shown), out


def test_check_problems_name_the_file(mini_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(mini_dir, UNMATCHED_DESKS)
    assert main(["scenarios", "check", str(mini_dir)]) == 1
    out = capsys.readouterr().out
    assert f"{mini_dir / 'scenario.yaml'}: mini: reviewer.desk: passage 'desk'" in out, out
