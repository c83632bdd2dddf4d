"""The content checks: what the dashboard showed, what the report counted, the redacted views."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.report import ArmSummary, GroupReport, Report
from bench import dashboard, redaction
from bench.report import problems
from bench.synthetic import Synthetic
from scenarios.loader import get_scenario, species_of
from scorers.redaction import cue_table


@pytest.mark.parametrize(
    ("caption", "problem"),
    [
        ("8 logs · 8 runs pooled · 10000 samples · 10000 graded · 0 unscored", None),
        ("8 logs · 2 runs pooled · 2500 samples · 2500 graded", "counts 2500 samples"),
        (None, "counts None samples"),
    ],
)
def test_overview_must_count_every_sample(caption: str | None, problem: str | None) -> None:
    found = dashboard.count_problems(caption, 10_000)
    assert found == [] if problem is None else (len(found) == 1 and problem in found[0])


@pytest.mark.parametrize(
    ("exceptions", "errors", "warnings", "problem"),
    [
        ([], [], [], None),
        (["KeyError: 'arm'"], [], [], "the Overview raised: KeyError: 'arm'"),
        ([], ["No logs found"], [], "the Overview showed an error: No logs found"),
        ([], ["2 contrast(s) lose samples unevenly between their arms"], [], None),
        ([], [], ["3 sample(s) could not be read, e.g. x"], "the Overview warned: 3 sample(s)"),
    ],
)
def test_overview_blocks(
    exceptions: list[str], errors: list[str], warnings: list[str], problem: str | None
) -> None:
    found = dashboard.alert_problems("the Overview", exceptions, errors, warnings)
    assert found == [] if problem is None else (len(found) == 1 and found[0].startswith(problem))


@pytest.mark.parametrize(
    ("got", "problem"),
    [
        ((1_428, 10_000), None),
        (
            (10_000, 10_000),
            "searched for the arm director=ai, the page counts 10,000 of 10,000 samples, "
            "expected 1,428 of 10,000",
        ),
    ],
)
def test_filter_change_must_count_the_arm(got: tuple[int, int], problem: str | None) -> None:
    found = dashboard.filter_problems("director=ai", got, 1_428, 10_000)
    assert found == ([] if problem is None else [problem])


def _arm(graded: int, unscored: int) -> ArmSummary:
    return ArmSummary.model_construct(graded=graded, unscored={"grader_failed": unscored})


def _report(*arms: ArmSummary) -> Report:
    group = GroupReport.model_construct(arms=list(arms))
    return Report.model_construct(groups=[group], set_aside=[], problems=[], sample_problems=[])


def test_report_must_count_what_was_written(tmp_path: Path) -> None:
    written = Synthetic(tmp_path, samples=30, arms=2, logs=1)
    assert problems(_report(_arm(10, 5), _arm(15, 0)), written) == []
    assert problems(_report(_arm(10, 5)), written) == [
        "the report counts 15 samples in 1 arms; 30 in 2 were written"
    ]


def test_redaction_views_differ_as_written_and_match_once_redacted() -> None:
    loaded = get_scenario("blame_postmortem")
    arms = redaction.present_arms(loaded)
    accounts = [redaction.account(loaded, arm) for arm in arms]
    species = {tuple(species_of(loaded.spec, arm).values()) for arm in arms}
    assert len(set(accounts)) == len(species) and len(accounts[0].split()) > 300
    table = cue_table(loaded.spec)
    views = {"\n".join(map(table.redact, redaction.grader_texts(loaded, arm))) for arm in arms}
    assert len(views) == 1
