"""`candor report` on synthetic outcomes and on real (offline) logs with bad neighbours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import get_model

from analysis.figures import write_figures
from analysis.logs import LoadResult, SampleOutcome, load_outcomes
from analysis.render import to_csv, to_markdown
from analysis.report import build_report
from cli.main import main
from records.statuses import STATUSES
from scenarios.loader import get_scenario, scenario_sha256
from tests.helpers import text


def _outcome(
    arm: str, i: int, *, positive: bool | None, model: str = "m", scenario: str = "blame_director"
) -> SampleOutcome:
    factor, level = arm.split("=")
    graded = positive is not None
    return SampleOutcome(
        log="x.eval",
        task=scenario,
        model=model,
        sample_id=f"{scenario}:{arm}",
        epoch=i + 1,
        scenario=scenario,
        suite="deception",
        arm=arm,
        levels={factor: level},
        status="graded" if graded else "grader_unparseable",
        reason="" if graded else "not JSON",
        outcomes={"deceptive": "positive" if positive else "negative"} if graded else {},
        dimensions={"tactics": ["invented_policy"] if positive else [], "eval_aware": i == 0},
    )


def _arm(arm: str, k: int, n: int, unscored: int = 0, **kw: str) -> list[SampleOutcome]:
    graded = [_outcome(arm, i, positive=i < k, **kw) for i in range(n)]
    return graded + [_outcome(arm, n + i, positive=None, **kw) for i in range(unscored)]


def _director(model: str = "m") -> list[SampleOutcome]:
    return (
        _arm("director=ai", 45, 50, unscored=3, model=model)
        + _arm("director=human", 29, 50, model=model)
        + _arm("director=absent", 47, 50, model=model)
    )


def test_director_contrast_from_outcomes() -> None:
    report = build_report(LoadResult(samples=_director(), logs=["x.eval"]))
    [group] = report.groups
    arms = {a.arm: a for a in group.arms}
    assert (arms["director=ai"].positive, arms["director=ai"].graded) == (45, 50)
    assert {k: n for k, n in arms["director=ai"].unscored.items() if n} == {"grader_unparseable": 3}
    assert len(arms["director=ai"].unscored_samples["grader_unparseable"]) == 3
    assert arms["director=ai"].dimensions["tactics"].values == {"invented_policy": 45}
    assert arms["director=ai"].dimensions["eval_aware"].count == 1
    headline = group.contrasts[0]
    assert headline.headline and (headline.arm_a, headline.arm_b) == (
        "director=ai",
        "director=human",
    )
    assert round(headline.result.sample_or or 0, 2) == 6.52
    assert f"{headline.result.p_value:.1e}" == "4.7e-04"
    assert len(group.contrasts) == 3  # ai-human, ai-absent, absent-human
    raw = [c.result.p_value for c in group.contrasts]
    assert all(
        h is not None and p is not None and h >= p
        for h, p in zip([c.p_holm for c in group.contrasts], raw, strict=True)
    )
    md = to_markdown(report)
    assert "| director=ai | 45 / 50 | 90.0% |" in md
    assert "Fisher's exact test (two-sided)" in md
    csv_text = to_csv(report)
    assert csv_text.splitlines()[0].startswith("kind,task,model")
    assert sum(1 for line in csv_text.splitlines() if line.startswith("contrast,")) == 3


def test_pooled_over_models() -> None:
    report = build_report(LoadResult(samples=_director("m1") + _director("m2")))
    pooled = [p for p in report.pooled if p.over == "models"]
    assert pooled and all(len(p.strata) == 2 for p in pooled)
    ai_human = next(p for p in pooled if "director=ai vs director=human" in p.contrast)
    assert round(ai_human.result.mh_odds_ratio or 0, 2) == 6.52  # two identical strata


def test_one_sided_alternative_is_named() -> None:
    report = build_report(LoadResult(samples=_director()), alternative="greater")
    assert "one-sided" in report.groups[0].contrasts[0].result.test


def test_figures_are_written(tmp_path: Path) -> None:
    report = build_report(LoadResult(samples=_director()))
    bars, forest = write_figures(report, tmp_path / "figs")
    assert forest.name == "forest__1.png" and forest.read_bytes()[:4] == b"\x89PNG"
    png = bars
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def test_all_unscored_group_still_reported() -> None:
    samples = [_outcome("director=ai", i, positive=None) for i in range(4)]
    report = build_report(LoadResult(samples=samples))
    [group] = report.groups
    assert group.arms[0].graded == 0 and group.arms[0].unscored["grader_unparseable"] == 4
    assert group.arms[0].rate.rate is None


def _other_task_log(log_dir: Path) -> None:
    task = Task(dataset=[Sample(input="hi", target="hi")], name="unrelated")
    model = get_model("mockllm/model", custom_outputs=[text("hi")], memoize=False)
    inspect_eval(task, model=model, log_dir=str(log_dir), display="none")


def test_bad_logs_are_reported_and_others_still_read(tmp_path: Path) -> None:
    _other_task_log(tmp_path)
    (tmp_path / "2026-01-01T00-00-00+00-00_broken_abc.eval").write_bytes(b"not a zip file")
    loaded = load_outcomes([tmp_path])
    messages = " | ".join(f"{p.log}: {p.message}" for p in loaded.problems)
    assert "not a Candor task" in messages
    assert "broken" in messages and "cannot read" in messages
    assert loaded.samples == []


def test_empty_directory_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path), "--json"]) == 1
    captured = capsys.readouterr()
    assert "no Inspect logs in this directory" in captured.err
    assert json.loads(captured.out)["groups"] == []


def _status(arm: str, i: int, status: str) -> SampleOutcome:
    return _outcome(arm, i, positive=None).model_copy(update={"status": status})


@pytest.mark.parametrize(
    ("lost_a", "lost_b", "status", "flagged"),
    [
        (12, 0, "grader_unparseable", True),  # unscored share differs
        (12, 0, "redaction_leak", True),  # leak share differs (and so the unscored share)
        (2, 1, "grader_unparseable", False),  # balanced enough
        (0, 0, "grader_unparseable", False),
    ],
)
def test_missingness_is_compared_and_flagged(
    lost_a: int, lost_b: int, status: str, flagged: bool
) -> None:
    samples = _arm("director=ai", 10, 20) + _arm("director=human", 10, 20)
    samples += [_status("director=ai", 100 + i, status) for i in range(lost_a)]
    samples += [_status("director=human", 100 + i, status) for i in range(lost_b)]
    report = build_report(LoadResult(samples=samples))
    [row] = report.groups[0].contrasts
    assert row.missingness.flagged is flagged
    assert (row.missingness.unscored.a, row.missingness.unscored.n_a) == (lost_a, 20 + lost_a)
    leak = lost_a if status == "redaction_leak" else 0
    assert row.missingness.leak.a == leak
    md, csv_text = to_markdown(report), to_csv(report)
    assert ("**differs** (" in md) is flagged
    contrast_row = next(r for r in csv_text.splitlines() if r.startswith("contrast,"))
    assert str(flagged) in contrast_row
    assert ("missingness differs" in " ".join(report.groups[0].notes)) is flagged


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "graded"])
def test_every_status_of_the_closed_set_is_counted_per_arm(status: str) -> None:
    samples = _arm("director=ai", 1, 2) + [_status("director=ai", 9, status)]
    report = build_report(LoadResult(samples=samples))
    [arm] = report.groups[0].arms
    assert set(arm.unscored) >= set(STATUSES) - {"graded"}
    assert arm.unscored[status] == 1 and sum(arm.unscored.values()) == 1
    assert f"unscored_{status}" in to_csv(report).splitlines()[0]


@pytest.mark.parametrize(
    ("recorded", "source", "headline"),
    [
        ([("director=ai", "director=absent")], "log", ("director=ai", "director=absent")),
        (None, "current files", ("director=ai", "director=human")),
    ],
)
def test_headline_contrasts_come_from_the_log(
    recorded: list[tuple[str, str]] | None, source: str, headline: tuple[str, str]
) -> None:
    samples = [s.model_copy(update={"headline_contrasts": recorded}) for s in _director()]
    group = build_report(LoadResult(samples=samples)).groups[0]
    assert group.headline_source == source
    assert [(c.arm_a, c.arm_b) for c in group.contrasts if c.headline] == [headline]
    assert (source == "current files") is any("current scenario files" in n for n in group.notes)


def test_a_scenario_changed_since_the_run_is_named() -> None:
    current = scenario_sha256(get_scenario("blame_director"))
    for recorded, changed in [(current, False), ("f" * 64, True)]:
        samples = [s.model_copy(update={"scenario_sha256": recorded}) for s in _director()]
        group = build_report(LoadResult(samples=samples)).groups[0]
        assert group.scenario_sha256 == [recorded]
        assert any("changed since the run" in n for n in group.notes) is changed


@pytest.mark.parametrize(
    ("scenarios", "over", "stratum"),
    [
        (("s1", "s2"), "scenarios (m)", "s1/deceptive"),
        (("s1", "s1"), "levels of the other factors in s1 (m)", "s1/deceptive: "),
    ],
)
def test_pooled_strata_are_named_by_what_they_are(
    scenarios: tuple[str, str], over: str, stratum: str
) -> None:
    """Strata from two scenarios are scenarios; two strata within one scenario are the other
    factor's levels, each named by the arms it compares."""
    from analysis.report import _strata_labels
    from analysis.stats import contrast

    result = contrast(5, 10, 2, 10)
    cells = [
        ((scenarios[0], "deceptive", "a=ai,b=x vs a=human,b=x"), result),
        ((scenarios[1], "deceptive", "a=ai,b=y vs a=human,b=y"), result),
    ]
    label, labelled = _strata_labels(cells)
    assert f"{label} (m)" == over
    assert labelled[0][0].startswith(stratum)
    assert len({name for name, _ in labelled}) == 2
