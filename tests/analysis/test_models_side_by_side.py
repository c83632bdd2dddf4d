"""The README's several-models command, as a user types it (scripted models in place of real
ones), then `candor report` on its log directory: the forest shows a row per model × scenario,
pooled; and `samples_df` with Candor's columns gives the factor levels one column each."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from tests.analysis.runs import ROOT, SCRIPTS, grader_model, inspect_cli

MODELS = "scripted/model-a,scripted/model-b"
SCENARIOS = "blame_postmortem,blame_director"


def _readme_block(language: str, starting: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(rf"```{language}\n(.*?)```", readme, flags=re.S)
    [block] = [b for b in blocks if starting in b]
    return str(block)


def _readme_eval_set(log_dir: Path) -> tuple[list[str], list[str]]:
    """The README's eval-set and report commands, models, grader and log directory filled in."""
    block = _readme_block("sh", "--log-dir logs/models").replace("\\\n", " ")
    eval_line, report_line = (ln for ln in block.splitlines() if ln.strip())
    words = shlex.split(eval_line)[1:]
    filled: list[str] = []
    for before, word in zip(["", *words], words, strict=False):
        if before == "--model":
            word = MODELS
        elif before == "--model-role":
            role = word.split("=", 1)[0]
            assert role in ("grader", "counterparty"), word
            word = f"{role}={grader_model('deceptive')}"
        elif before == "--epochs":
            word = "2"
        elif before == "--log-dir":
            word = str(log_dir)
        filled.append(word)
    filled += ["-M", f"replies={SCRIPTS / 'blame_postmortem.yaml'}", "-T", f"scenario={SCENARIOS}"]
    report = [str(log_dir) if w == "logs/models" else w for w in shlex.split(report_line)[1:]]
    return filled, report


@pytest.fixture(scope="module")
def eval_set(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    log_dir = tmp_path_factory.mktemp("models")
    eval_args, report_args = _readme_eval_set(log_dir)
    assert eval_args[0] == "eval-set" and report_args[0] == "report"
    inspect_cli(*eval_args)
    return log_dir, report_args


def test_the_readme_eval_set_puts_models_side_by_side(
    eval_set: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_dir, report_args = eval_set
    assert len(list(log_dir.glob("*.eval"))) == 2  # one log per task × model
    figures = tmp_path / "figures"
    args = [str(figures) if a == "figures/" else a for a in report_args]
    assert main([*args, "--no-cache"]) == 0
    out = capsys.readouterr()
    assert "## Models side by side: the species effect (ai vs human)" in out.out
    for model in MODELS.split(","):
        for scenario, pair in (
            ("blame_postmortem", "overseer=ai,audit=none vs overseer=human,audit=none"),
            ("blame_director", "director=ai vs director=human"),
        ):
            row = f"| {model} | {scenario} | deceptive | **{pair}** |"
            assert f"{row} 2 / 2 | 2 / 2 |" in out.out
    assert "| Pooled rows |" in out.out
    assert (figures / "forest__1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(["report", str(log_dir), "--json", "--no-cache"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    [plot] = report["forest"]
    # per model: the post-mortem's reviewer contrast at each audit level, and the director's
    assert len(plot["rows"]) == 6 and plot["pooled"]["n_strata"] == 6
    assert {r["model"] for r in plot["rows"]} == set(MODELS.split(","))

    assert main(["report", str(log_dir), "--csv", "--no-cache"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(r["kind"] == "forest" for r in rows) == 6
    assert sum(r["kind"] == "forest_pooled" for r in rows) == 1


def test_the_readme_samples_df_snippet_gives_factor_columns(
    eval_set: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    log_dir, _ = eval_set
    code = _readme_block("python", "samples_df").replace('"logs/models"', repr(str(log_dir)))
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's own snippet
    df = namespace["df"]
    assert {"factor_overseer", "factor_director", "arm", "scenario", "identity_slot"} <= set(
        df.columns
    )
    overseer = df[df["scenario"] == "blame_postmortem"]
    assert sorted(set(overseer["factor_overseer"])) == ["ai", "human"]
    assert len(df) == 2 * 2 * (4 + 3)  # models × epochs × arms
    assert "blame_director" in capsys.readouterr().out
