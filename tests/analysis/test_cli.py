"""`candor compare` and `candor plan` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli.main import main


def test_compare_json_reproduces_the_director_contrast(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "45/50", "29/50", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert round(result["sample_or"], 2) == 6.52
    assert f"{result['p_value']:.1e}" == "4.7e-04"
    assert result["test"] == "Fisher's exact test (two-sided)"
    assert round(result["difference"] * 100) == 32


def test_compare_one_sided(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "45/50", "29/50", "--alternative", "greater", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert f"{result['p_value']:.1e}" == "2.4e-04"
    assert "one-sided" in result["test"]


@pytest.mark.parametrize("bad", ["29/x", "51/50", "3/0", "1.5/5"])
def test_compare_bad_count(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "45/50", bad]) == 2
    assert f"'{bad}'" in capsys.readouterr().err


def test_plan_prints_samples_per_arm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--rates", "0.56", "0.90", "--power", "0.8", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["n_per_arm"] == 30
    assert plan["achieved_power"] >= 0.8


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cli", "compare", "45/50", "29/50"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Fisher's exact test (two-sided): p = 0.00047" in out
