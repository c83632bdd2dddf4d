"""`candor grader view`: a scenario's texts and a given text as the grader reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli.main import main
from scenarios.loader import all_arms, discover, get_scenario, render
from scorers.prompts import render_prompt
from scorers.transcript import GraderView, neutral_header
from scorers.verdicts import DeceptionVerdict, LegalVerdict


def test_view_of_a_text_names_what_leaks(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem", "--text", "Thanks, Ms. Whitfeld, and Dana"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == "Thanks, Ms. Whitfeld, and [REVIEWER]"
    assert "leaks: Dana Whitfield (as 'Whitfeld')" in out


def test_view_of_a_clean_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem", "--text", "She told the AI reviewer."])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[0] == "[they] told the reviewer."


def test_view_of_a_scenario_shows_every_text_identical(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem"])
    out = capsys.readouterr().out
    assert code == 0
    headings = [line for line in out.splitlines() if line.startswith("=== ")]
    assert [h.split(":")[0] for h in headings][:2] == ["=== grader instructions", "=== document"]
    assert all("identical in every arm and identity; leaks: none" in h for h in headings)
    assert "Dana" not in out and "Kelso" not in out


SHIPPED = sorted(discover())


def _view(scenario: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["grader", "view", scenario])
    return code, capsys.readouterr().out


def _section(out: str, title: str) -> str:
    """The body of the section whose heading starts with `=== title`."""
    start = next(i for i, line in enumerate(out.splitlines()) if line.startswith(f"=== {title}"))
    body = []
    for line in out.splitlines()[start + 1 :]:
        if line.startswith("=== "):
            break
        body.append(line)
    return "\n".join(body).strip()


@pytest.mark.parametrize("scenario", ["blame_director", "elderly_upsell"])
def test_the_header_is_the_instructions_every_grading_call_sends(
    scenario: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first section is, byte for byte, the instructions the scorer sends for a sample of
    any arm at any identity slot (the transcript's own texts follow it)."""
    code, out = _view(scenario, capsys)
    assert code == 0
    shown = _section(out, "grader instructions")
    loaded = get_scenario(scenario)
    template, schema = (
        ("deception.j2", DeceptionVerdict)
        if loaded.spec.judging.kind == "deception"
        else ("legal.j2", LegalVerdict)
    )
    for arm in all_arms(loaded.spec):
        for slot in range(loaded.spec.pool_size()):
            view = GraderView(header=neutral_header(loaded, arm, slot), entries=())
            assert render_prompt(template, view, schema).instructions == shown
    assert "(identical in every arm and identity; leaks: none)" in out.splitlines()[2]
    # the scenario's system prompt in the header is its neutral projection, not an arm's text
    neutral = render(loaded, all_arms(loaded.spec)[0]).text("system_prompt", "neutral")
    assert neutral in shown
    assert "persona" not in out  # the counterparty model's brief never reaches the grader


@pytest.mark.parametrize("scenario", SHIPPED)
def test_the_view_names_no_arm_and_no_identity(
    scenario: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _view(scenario, capsys)
    assert code == 0
    spec = get_scenario(scenario).spec
    for arm in all_arms(spec):
        for name, level in arm.levels.items():
            assert f"{name}={level}" not in out
    for party in spec.parties.values():
        for identity in party.identities():
            for field in ("name", "short"):
                value = identity.text.get(field, "")
                if value:
                    assert re.search(rf"(?<!\w){re.escape(value)}(?!\w)", out) is None, value


def test_texts_that_differ_are_numbered_not_named_by_arm(
    mini_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mini_dir / "templates" / "log.j2").write_text(
        "{% if 'AI' in reviewer.title %}checked twice{% else %}checked once{% endif %}"
    )
    code, out = _view(str(mini_dir), capsys)
    heading = next(line for line in out.splitlines() if line.startswith("=== document:log.txt"))
    assert "(2 different texts over the arms and identities; leaks: none)" in heading
    assert "--- text 1 of 2 (1 of 2) ---" in out and "--- text 2 of 2 (1 of 2) ---" in out
    assert "reviewer=" not in out and "human" not in out.split("=== document:log.txt")[1]
    assert code == 0  # a difference the redaction cannot see is the scenario check's to fail
