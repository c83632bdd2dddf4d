"""`candor --help`, every command's `--help` and every usage error import nothing heavy.

Each case runs in a fresh interpreter and reads `sys.modules` afterwards: a behaviour check
(what got imported), not a timing, so it holds on a loaded machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("inspect_ai", "pandas", "scipy", "matplotlib", "streamlit", "numpy", "plotly")
COMMANDS = ("scenarios", "compare", "plan", "report", "estimate", "dashboard", "grader")

_PROBE = """
import json, sys
argv = json.loads(sys.argv[1])
import cli.main
code = None
if argv is not None:
    try:
        code = cli.main.main(argv)
    except SystemExit as exc:
        code = exc.code
heavy = sorted({name.split('.')[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _probe(argv: list[str] | None) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert _probe(None)["heavy"] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        [],
        ["no-such-command"],
        *[[command, "--help"] for command in COMMANDS],
        ["report"],  # no log named
        ["report", "logs", "--alternative", "sideways"],
        ["compare", "45/50"],  # one arm missing
        ["plan", "--rates", "0.5"],
        ["estimate"],  # no scenario named
        ["estimate", "blame_postmortem", "--epochs", "many"],
        ["dashboard", "logs", "--port", "http"],
        ["grader", "nonsense"],
        ["scenarios", "frobnicate"],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_help_and_usage_errors_import_nothing_heavy(argv: list[str]) -> None:
    result = _probe(argv)
    assert result["code"] in (0, 2), result  # help exits 0, a usage error 2
    assert result["heavy"] == [], f"`candor {' '.join(argv)}` imported {result['heavy']}"
