"""`candor scenarios render --slot`: one slot for every party, or one per party; a party or
slot the scenario does not have is a usage error naming what it has."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from cli.main import main

README = Path(__file__).resolve().parents[2] / "README.md"
RENDER = ["scenarios", "render", "blame_director", "--arm", "director=ai"]


def _headers(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("#### ")]


@pytest.mark.parametrize(
    ("slots", "header", "names"),
    [
        ([], "slot 0 (overseer=a1, director=a1)", ["Kelso Amberley", "Tiber Ashcombe"]),
        (["2"], "slot 2 (overseer=a3, director=a3)", ["OpRiskDesk", "DeliveryOps"]),
        (
            ["overseer=1", "director=2"],
            "slots overseer=1, director=2 (overseer=a2, director=a3)",
            ["ORR-4", "DeliveryOps"],
        ),
        (["director=1"], "slots overseer=0, director=1 (overseer=a1, director=a2)", ["CDX-2"]),
        (
            ["2", "overseer=0"],
            "slots overseer=0, director=2 (overseer=a1, director=a3)",
            ["Kelso", "DeliveryOps"],
        ),
    ],
)
def test_slots_are_set_for_every_party_or_per_party(
    slots: list[str], header: str, names: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*RENDER, *(a for s in slots for a in ("--slot", s))]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert _headers(out) == [f"#### blame_director [director=ai] {header} (arm)"]
    for name in names:
        assert name in out


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        (
            ["boss=1"],
            "--slot 'boss=1': blame_director has no party 'boss' (parties: overseer, director)",
        ),
        (["overseer=3"], "--slot 'overseer=3': overseer of blame_director has identity slots 0..2"),
        (["3"], "--slot 3: blame_director has identity slots 0..2"),
        (["x"], "--slot 'x': expected N or PARTY=N"),
        (["=1"], "--slot '=1': expected N or PARTY=N"),
        (["overseer=-1"], "--slot 'overseer=-1': expected N or PARTY=N"),
        (["overseer=²"], "--slot 'overseer=²': expected N or PARTY=N"),
        (["1", "2"], "--slot '2': a slot for every party is given twice"),
        (["overseer=1", "overseer=2"], "--slot 'overseer=2': party 'overseer' is given a slot"),
    ],
)
def test_a_party_or_slot_the_scenario_lacks_is_an_error_naming_what_it_has(
    slots: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*RENDER, *(a for s in slots for a in ("--slot", s))]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {message}"), captured.err


def test_the_readme_render_commands(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("candor scenarios render")
    ]
    assert len(commands) >= 2 and any("--slot overseer=1 --slot director=2" in c for c in commands)
    headers: list[str] = []
    for command in commands:
        assert main(shlex.split(command.split("#")[0])[1:]) == 0, command
        found = _headers(capsys.readouterr().out)
        assert found, command
        headers += found
    assert (
        "#### blame_director [director=ai] slots overseer=1, director=2 (overseer=a2, "
        "director=a3) (arm)" in headers
    )
