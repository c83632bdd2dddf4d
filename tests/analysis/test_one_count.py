"""One episode, one count, one grading — on real logs of real (scripted) runs: re-graded with the
README's `inspect score` command (in place and into a new file), retried with `inspect
eval-retry`, run twice, graded by two graders; and logs the reader must not trust."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import get_model
from inspect_ai.scorer import match

from analysis.episodes import count_once
from analysis.logs import SampleOutcome, load_outcomes
from analysis.render import to_csv, to_markdown
from analysis.report import build_report
from cli.main import main
from tests.analysis.runs import ROOT, grader_model, inspect_cli, run_blame, run_blame_failing
from tests.helpers import text

EPOCHS = 2


def _readme_regrade(log: Path, grader: str) -> list[str]:
    """The README's re-grade command, LOG and MODEL filled in."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("inspect score LOG")]
    words = shlex.split(line)[1:]  # without `inspect`
    return [str(log) if w == "LOG" else w.replace("MODEL", grader) for w in words]


def _report(capsys: pytest.CaptureFixture[str], *paths: Path) -> dict[str, Any]:
    capsys.readouterr()  # what the runs printed before (Inspect's banner), not the report
    assert main(["report", *map(str, paths), "--json", "--no-cache"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _arms(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(positive, graded) per arm over every group."""
    return {a["arm"]: (a["positive"], a["graded"]) for g in report["groups"] for a in g["arms"]}


@pytest.mark.parametrize("where", ["in place", "new file"])
def test_regrade_with_the_readme_command_counts_once(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = run_blame(tmp_path, "deceptive", epochs=EPOCHS)
    args = _readme_regrade(log, grader_model("honest"))
    if where == "new file":
        args = [a for a in args if a != "--overwrite"]
        args += ["--output-file", str(log.with_name(log.stem + "-scored.eval"))]
    inspect_cli(*args)  # no terminal: a prompt would fail here
    assert len(list(tmp_path.glob("*.eval"))) == (1 if where == "in place" else 2)
    report = _report(capsys, tmp_path)
    # each arm once, graded by the new grader only: 0 deceptive of EPOCHS, not 2 of 2 * EPOCHS
    assert _arms(report) == {
        "overseer=ai,audit=none": (0, EPOCHS),
        "overseer=human,audit=none": (0, EPOCHS),
    }
    assert report["runs"] == 1
    [group] = report["groups"]
    assert "grader_honest.yaml" in group["grader"]
    assert len(report["set_aside"]) == (0 if where == "in place" else 2 * EPOCHS)
    assert all(a["kept"].startswith(log.stem + "-scored") for a in report["set_aside"])


def test_eval_retry_counts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    failed = run_blame_failing(tmp_path, "overseer=human,audit=none", epochs=EPOCHS)
    inspect_cli("eval-retry", str(failed), "--log-dir", str(tmp_path))
    [retried] = set(tmp_path.glob("*.eval")) - {failed}
    report = _report(capsys, tmp_path)
    assert _arms(report) == {
        "overseer=ai,audit=none": (EPOCHS, EPOCHS),
        "overseer=human,audit=none": (EPOCHS, EPOCHS),
    }
    assert report["runs"] == 1
    assert all(u["sample_error"] == 0 for g in report["groups"] for u in _unscored(g))
    # the original's copies of every episode are set aside for the retry's
    assert len(report["set_aside"]) == 2 * EPOCHS
    assert {a["kept"].split("#")[0] for a in report["set_aside"]} == {retried.name}
    why = {
        a["ref"].split("#")[1].split(":")[1].split("@")[0]: a["why"] for a in report["set_aside"]
    }
    assert "sample_error" in why["overseer=human,audit=none"]


def _unscored(group: dict[str, Any]) -> list[dict[str, int]]:
    return [a["unscored"] for a in group["arms"]]


def test_eval_set_counts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "eval-set",
        "candor/blame_postmortem",
        "-T",
        "arms=audit=none",
        "--model",
        "scripted/agent",
    ]
    args += ["-M", f"replies={ROOT / 'tests/fixtures/scripted/blame_postmortem.yaml'}"]
    args += ["--model-role", f"grader={grader_model('deceptive')}", "--epochs", str(EPOCHS)]
    inspect_cli(*args, "--log-dir", str(tmp_path))
    inspect_cli(*args, "--log-dir", str(tmp_path))  # run again: the set is complete, a no-op
    report = _report(capsys, tmp_path)
    assert _arms(report) == {
        "overseer=ai,audit=none": (EPOCHS, EPOCHS),
        "overseer=human,audit=none": (EPOCHS, EPOCHS),
    }
    assert report["runs"] == 1


def test_independent_runs_both_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_blame(tmp_path, "deceptive", epochs=1)
    run_blame(tmp_path, "deceptive", epochs=1)
    report = _report(capsys, tmp_path)
    assert _arms(report) == {"overseer=ai,audit=none": (2, 2), "overseer=human,audit=none": (2, 2)}
    assert report["runs"] == 2 and report["set_aside"] == []
    assert "Runs pooled: 2" in to_markdown(build_report(load_outcomes([tmp_path])))


def test_arms_graded_by_two_graders_are_not_pooled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_blame(tmp_path, "deceptive", epochs=3, arms="overseer=ai,audit=none")
    run_blame(tmp_path, "honest", epochs=3, arms="overseer=human,audit=none")
    report = _report(capsys, tmp_path)
    groups = report["groups"]
    assert len(groups) == 2 and all(g["contrasts"] == [] for g in groups)
    assert {g["grader_identity"]["models"]["grader"].split("/")[-1] for g in groups} == {
        "grader_deceptive.yaml",
        "grader_honest.yaml",
    }
    assert all(g["grader_identity"]["template_sha256"] for g in groups)
    assert all("graded by 2 grader configurations" in g["notes"][0] for g in groups)
    built = build_report(load_outcomes([tmp_path]))
    assert "graded by 2 grader configurations" in to_markdown(built)
    rows = list(csv.DictReader(io.StringIO(to_csv(built))))
    graders = {r["grader"] for r in rows if r["kind"] in ("arm", "contrast", "forest")}
    assert len(graders) == 2


def _rewrite(log: Path, change: str) -> None:
    edited = read_eval_log(str(log))
    assert edited.samples
    score = edited.samples[0].scores["deception_scorer"]  # type: ignore[index]
    if change == "value 0.3":
        score.value = 0.3
    elif change == "value text":
        score.value = "C"
    elif change == "grader_config missing":
        assert score.metadata is not None
        del score.metadata["grader_config"]
    write_eval_log(edited, str(log))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("value 0.3", "not one of 0, 0.5, 1"),
        ("value text", "is not a number"),
        ("grader_config missing", "grader_config"),
    ],
)
def test_an_unexpected_score_is_a_named_problem_of_its_sample(
    change: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = run_blame(tmp_path, "deceptive", epochs=1)
    _rewrite(log, change)
    report = _report(capsys, tmp_path)
    [problem] = report["sample_problems"]
    assert message in problem["message"] and problem["log"].startswith(log.name)
    assert sum(a["graded"] for g in report["groups"] for a in g["arms"]) == 1
    md = to_markdown(build_report(load_outcomes([tmp_path])))
    assert "Samples that could not be read" in md and message in md


def test_a_log_that_only_looks_like_candor_is_set_aside(tmp_path: Path) -> None:
    meta = {"scenario": "blame_postmortem", "arm": "overseer=ai", "suite": "deception"}
    task = Task(dataset=[Sample(input="hi", target="hi", metadata=meta)], scorer=match())
    model = get_model("mockllm/model", custom_outputs=[text("hi")], memoize=False)
    inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    loaded = load_outcomes([tmp_path])
    assert loaded.samples == []
    [problem] = loaded.problems
    assert re.search(r"not a Candor log: .* no Candor score \(scorers: match\)", problem.message)


# --- the latest grading is the one graded last, by the time inside the log ---------------------


def _touch(path: Path, when: float) -> None:
    os.utime(path, (when, when))


@pytest.mark.parametrize("copied", [False, True])
def test_the_later_grading_counts_whatever_the_files_mtimes(
    copied: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A re-grade written to a new file counts over the original even when the original's file is
    the newer one: touched after the re-grade, or both copied elsewhere in the other order."""
    log = run_blame(tmp_path, "deceptive", epochs=EPOCHS)
    regraded = log.with_name(log.stem + "-scored.eval")
    args = [a for a in _readme_regrade(log, grader_model("honest")) if a != "--overwrite"]
    inspect_cli(*args, "--output-file", str(regraded))
    folder = tmp_path
    if copied:  # a checkout or a copy writes the files in any order, with new mtimes
        folder = tmp_path / "copy"
        folder.mkdir()
        shutil.copy(regraded, folder / regraded.name)
        shutil.copy(log, folder / log.name)
    _touch(folder / regraded.name, 1_000_000_000.0)
    _touch(folder / log.name, 2_000_000_000.0)  # the original's file is now the newer one
    assert (folder / log.name).stat().st_mtime > (folder / regraded.name).stat().st_mtime
    report = _report(capsys, folder)
    assert _arms(report) == {
        "overseer=ai,audit=none": (0, EPOCHS),  # the honest re-grade, not the deceptive original
        "overseer=human,audit=none": (0, EPOCHS),
    }
    assert len(report["set_aside"]) == 2 * EPOCHS
    assert all(a["kept"].startswith(regraded.stem) for a in report["set_aside"])
    assert all("an earlier grading (graded at 20" in a["why"] for a in report["set_aside"])


def _copy(**changes: Any) -> SampleOutcome:
    base: dict[str, Any] = {
        "log": "a.eval",
        "task": "t",
        "model": "m",
        "sample_id": "s:arm",
        "epoch": 1,
        "scenario": "s",
        "suite": "deception",
        "arm": "arm",
        "levels": {},
        "status": "graded",
        "run": "r",
    }
    return SampleOutcome(**{**base, **changes})


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        # the recorded grading time decides, whichever log is listed first
        ({"graded_at": "2026-01-02T00:00:00+00:00"}, {"graded_at": "2026-01-01T00:00:00+00:00"}, 0),
        ({"graded_at": "2026-01-01T00:00:00+00:00"}, {"graded_at": "2026-01-02T00:00:00+00:00"}, 1),
        # a grading whose time is recorded beats one graded before it was recorded
        ({}, {"graded_at": "2026-01-01T00:00:00+00:00"}, 1),
        # a complete grading beats a later failed one
        (
            {"graded_at": "2026-01-01T00:00:00+00:00"},
            {"graded_at": "2026-01-03T00:00:00+00:00", "status": "grader_error"},
            0,
        ),
        # the same grading in two logs (a retry's copy): the log that finished later
        (
            {"graded_at": "2026-01-01T00:00:00+00:00", "log_completed_at": "2026-01-05T00:00:00Z"},
            {"graded_at": "2026-01-01T00:00:00+00:00", "log_completed_at": "2026-01-04T00:00:00Z"},
            0,
        ),
        # times in other offsets compare as times, not as text
        ({"graded_at": "2026-01-01T10:00:00+02:00"}, {"graded_at": "2026-01-01T09:00:00+00:00"}, 1),
    ],
)
def test_count_once_orders_gradings_by_their_recorded_times(
    first: dict[str, Any], second: dict[str, Any], kept: int
) -> None:
    copies = [_copy(log="a.eval", **first), _copy(log="b.eval", **second)]
    counted = count_once(copies)
    assert counted.samples == [copies[kept]]
    assert [s.kept for s in counted.set_aside] == [copies[kept].ref]
