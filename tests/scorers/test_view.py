"""`candor grader view`: a scenario's texts and a given text as the grader reads them."""

from __future__ import annotations

import pytest

from cli.main import main


def test_view_of_a_text_names_what_leaks(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem", "--text", "Thanks, Ms. Whitfeld, and Dana"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == "Thanks, Ms. Whitfeld, and [REVIEWER]"
    assert "leaks: Dana Whitfield (as 'Whitfeld')" in out


def test_view_of_a_clean_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem", "--text", "She told the AI reviewer."])
    assert code == 0
    assert capsys.readouterr().out.splitlines()[0] == "[they] told the [REVIEWER]"


def test_view_of_a_scenario_shows_every_text_identical(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["grader", "view", "blame_postmortem"])
    out = capsys.readouterr().out
    assert code == 0
    headings = [line for line in out.splitlines() if line.startswith("=== document:")]
    assert headings and all(
        "identical in every arm and identity; leaks: none" in h for h in headings
    )
    assert "Dana" not in out and "Kelso" not in out
