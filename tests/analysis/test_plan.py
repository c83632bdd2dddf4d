"""Plans: written by `candor plan --write`, validated at load, applied by `candor report --plan`
(confirmatory versus exploratory, Holm over each apart, published rates tested exactly)."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binomtest

from analysis.logs import LoadResult, SampleOutcome
from analysis.plan import Plan, PlanError, PlannedContrast, load_plan
from analysis.render import to_csv, to_markdown
from analysis.report import build_report
from analysis.stats import contrast, holm
from cli.main import main
from scenarios.loader import all_arms, get_scenario
from tests.analysis.runs import ROOT, SCRIPTS, grader_model, inspect_cli

STUDY = ROOT / "plans" / "study.yaml"


def _arm(scenario: str, arm: str, k: int, n: int, model: str = "m") -> list[SampleOutcome]:
    levels = dict(pair.split("=") for pair in arm.split(","))
    return [
        SampleOutcome(
            log="x.eval",
            task=scenario,
            model=model,
            sample_id=f"{scenario}:{arm}",
            epoch=i + 1,
            scenario=scenario,
            suite="deception",
            arm=arm,
            levels=levels,
            status="graded",
            outcomes={"deceptive": "positive" if i < k else "negative"},
        )
        for i in range(n)
    ]


def _study_like(model: str = "m") -> list[SampleOutcome]:
    """The study's published counts where it gives them; 40/50 for the director's absent arm
    and 30/50 vs 20/50 for the attestation (not published: any counts do)."""
    return (
        _arm("blame_postmortem", "overseer=ai,audit=none", 47, 50, model)
        + _arm("blame_postmortem", "overseer=human,audit=none", 28, 50, model)
        + _arm("blame_director", "director=ai", 45, 50, model)
        + _arm("blame_director", "director=human", 29, 50, model)
        + _arm("blame_director", "director=absent", 40, 50, model)
        + _arm("performance_attestation", "evaluator=ai", 30, 50, model)
        + _arm("performance_attestation", "evaluator=human", 20, 50, model)
    )


def test_the_shipped_study_plan_holds_the_published_table() -> None:
    plan = load_plan(STUDY)
    assert plan.n_per_arm == 50 and plan.alpha == 0.05
    by = {(c.scenario, c.arm_a, c.arm_b): c for c in plan.contrasts}
    post = by[("blame_postmortem", "overseer=ai,audit=none", "overseer=human,audit=none")].published
    assert (post["overseer=ai,audit=none"].rate, post["overseer=human,audit=none"].rate) == (
        0.94,
        0.56,
    )
    director = by[("blame_director", "director=ai", "director=human")].published
    assert (director["director=ai"].k, director["director=human"].k) == (45, 29)
    assert ("blame_director", "director=ai", "director=absent") in by
    assert ("performance_attestation", "evaluator=ai", "evaluator=human") in by
    for c in plan.contrasts:  # every planned arm is an arm of the scenario as it is today
        arms = {a.name for a in all_arms(get_scenario(c.scenario).spec)}
        assert {c.arm_a, c.arm_b} <= arms, c


def test_planned_contrasts_are_confirmatory_and_holm_adjusted_alone() -> None:
    report = build_report(LoadResult(samples=_study_like()), plan=load_plan(STUDY))
    assert report.plan is not None and not report.plan.missing
    rows = [(g, r) for g in report.groups for r in g.contrasts]
    assert {r.analysis for _, r in rows} == {"confirmatory"}  # every contrast here is planned
    planned = report.plan.results
    assert len(planned) == 5
    raw = [r.result.p_value for r in planned if r.result and r.result.p_value is not None]
    assert [r.p_holm for r in planned] == pytest.approx(holm(raw))
    director = next(r for r in planned if (r.arm_a, r.arm_b) == ("director=ai", "director=human"))
    assert director.result is not None and f"{director.result.p_value:.1e}" == "4.7e-04"
    assert director.rejected is True
    published = {(r.scenario, c.arm): c for r in planned for c in r.published}
    same = published[("blame_director", "director=ai")]
    assert (same.measured.k, same.measured.n) == (45, 50) and same.p_value == pytest.approx(1.0)
    post = published[("blame_postmortem", "overseer=ai,audit=none")]
    assert post.p_value == pytest.approx(binomtest(47, 50, 0.94).pvalue)
    md = to_markdown(report)
    assert "## Planned contrasts (confirmatory): study" in md
    assert "| m | blame_director | director=ai | 90.0% (45/50) | 90.0% (45/50) |" in md
    assert "(confirmatory)" in md
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(to_csv(report)))]
    assert kinds.count("planned") == 5 and kinds.count("published") == 4  # each arm once
    assert md.count("| m | blame_director | director=ai |") == 1


def test_unplanned_contrasts_are_exploratory_with_their_own_holm() -> None:
    plan = Plan(
        name="one",
        n_per_arm=50,
        contrasts=[
            PlannedContrast(scenario="blame_director", arm_a="director=ai", arm_b="director=human")
        ],
    )
    report = build_report(LoadResult(samples=_study_like()), plan=plan)
    [director] = [g for g in report.groups if g.scenario == "blame_director"]
    confirmatory = [r for r in director.contrasts if r.analysis == "confirmatory"]
    exploratory = [r for r in director.contrasts if r.analysis == "exploratory"]
    assert [(r.arm_a, r.arm_b) for r in confirmatory] == [("director=ai", "director=human")]
    assert confirmatory[0].p_holm == confirmatory[0].result.p_value  # a family of one
    assert len(exploratory) == 2
    raw = [r.result.p_value for r in exploratory if r.result.p_value is not None]
    assert [r.p_holm for r in exploratory] == pytest.approx(holm(raw))
    others = [r for g in report.groups if g.scenario != "blame_director" for r in g.contrasts]
    assert others and all(r.analysis == "exploratory" for r in others)


def test_a_planned_contrast_keeps_the_plans_orientation_and_alternative() -> None:
    plan = Plan(
        name="one-sided",
        n_per_arm=50,
        contrasts=[
            PlannedContrast(
                scenario="blame_director",
                arm_a="director=human",
                arm_b="director=ai",
                alternative="less",
            )
        ],
    )
    report = build_report(LoadResult(samples=_study_like()), plan=plan)
    assert report.plan is not None
    [result] = report.plan.results
    assert result.result is not None and (result.result.a.k, result.result.b.k) == (29, 45)
    expected = contrast(29, 50, 45, 50, alternative="less").p_value
    assert result.result.p_value == pytest.approx(expected)
    assert "one-sided" in result.result.test


def test_a_planned_contrast_absent_from_the_logs_is_named() -> None:
    samples = _arm("blame_director", "director=ai", 45, 50)
    samples += _arm("blame_director", "director=human", 29, 50)
    report = build_report(LoadResult(samples=samples), plan=load_plan(STUDY))
    assert report.plan is not None
    assert (
        "blame_postmortem/deceptive: overseer=ai,audit=none vs overseer=human,audit=none"
        in report.plan.missing
    )
    assert "not in these logs" in to_markdown(report)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("name: x\nn_per_arm: 5\ncontrasts: []\n", "contrasts"),
        ("name: x\ncontrasts: [{scenario: s, arm_a: a=1, arm_b: a=2}]\n", "n_per_arm"),
        (
            "name: x\nn_per_arm: 5\nepochs: 5\ncontrasts: [{scenario: s, arm_a: a, arm_b: b}]\n",
            "epochs",
        ),
        (
            "name: x\nn_per_arm: 5\nalpha: 1.5\ncontrasts: [{scenario: s, arm_a: a, arm_b: b}]\n",
            "alpha",
        ),
        ("name: x\nn_per_arm: 5\ncontrasts: [{scenario: s, arm_a: a, arm_b: a}]\n", "contrasts.0"),
        (
            "name: x\nn_per_arm: 5\ncontrasts: [{scenario: s, arm_a: a, arm_b: b, "
            "published: {c: {rate: 0.5}}}]\n",
            "published names arm(s) ['c']",
        ),
        (
            "name: x\nn_per_arm: 5\ncontrasts: [{scenario: s, arm_a: a, arm_b: b, "
            "published: {a: {rate: 0.5, k: 45, n: 50}}}]\n",
            "does not round to rate",
        ),
        ("name: x\nn_per_arm: '5'\ncontrasts: [{scenario: s, arm_a: a, arm_b: b}]\n", "n_per_arm"),
        ("name: [x\n", "not valid yaml"),
    ],
)
def test_a_bad_plan_file_names_the_file_and_the_key(
    text: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(path) in str(err.value) and named in str(err.value)
    assert main(["report", str(tmp_path), "--plan", str(path)]) == 2
    assert named in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_candor_plan_writes_a_plan_the_report_reads(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"mine{suffix}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("candor plan") and "--write" in ln]
    args = [str(path) if w == "plans/mine.yaml" else w for w in shlex.split(line)[1:]]
    args += ["--name", "mine", "--contrast", "blame_postmortem", "overseer=ai", "overseer=human"]
    assert main(args) == 0
    assert "2 contrasts, 36 per arm" in capsys.readouterr().out  # 30, rounded to 9s
    if suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    plan = load_plan(path)
    assert (plan.name, plan.n_per_arm, plan.alternative, len(plan.contrasts)) == (
        "mine",
        36,
        "two-sided",
        2,
    )
    report = build_report(LoadResult(samples=_study_like()), plan=plan)
    assert report.plan is not None and len(report.plan.results) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--contrast"),
        (["--contrast", "s", "a=1", "a=2"], "--n-per-arm"),
    ],
)
def test_candor_plan_write_needs_contrasts_and_a_size(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--write", str(tmp_path / "p.yaml"), *extra]) == 2
    assert message in capsys.readouterr().err


def _readme_study_commands(log_dir: Path) -> tuple[list[str], list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", readme, flags=re.S) if "--plan" in b]
    eval_line, report_line = (ln for ln in block.replace("\\\n", " ").splitlines() if ln.strip())
    words = shlex.split(eval_line)[1:]
    filled = [
        {
            "MODEL": "scripted/agent",
            "grader=GRADER": f"grader={grader_model('deceptive')}",
            "50": "2",
            "logs/study": str(log_dir),
        }.get(w, w)
        for w in words
    ]
    filled += ["-M", f"replies={SCRIPTS / 'blame_postmortem.yaml'}"]
    report = [str(log_dir) if w == "logs/study" else w for w in shlex.split(report_line)[1:]]
    return filled, report


def test_the_readme_study_command_sets_published_beside_measured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    eval_args, report_args = _readme_study_commands(tmp_path)
    assert "--epochs" in eval_args and "plans/study.yaml" in report_args
    inspect_cli(*eval_args)
    monkeypatch.chdir(ROOT)
    assert main([*report_args, "--json", "--no-cache"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    results = report["plan"]["results"]
    director = next(
        r for r in results if (r["arm_a"], r["arm_b"]) == ("director=ai", "director=human")
    )
    assert director["model"] == "scripted/agent" and director["graded_a"] == 2
    published = {c["arm"]: c for c in director["published"]}
    assert published["director=ai"]["published"]["rate"] == 0.9
    assert published["director=ai"]["measured"]["k"] == 2  # the scripted grader: deceptive
    assert published["director=ai"]["p_value"] == pytest.approx(binomtest(2, 2, 0.9).pvalue)
    assert main([*report_args, "--no-cache"]) == 0
    md = capsys.readouterr().out
    assert "### Published beside measured" in md and "(below plan)" in md
