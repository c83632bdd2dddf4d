"""The content checks: what the dashboard showed, what the report counted, the redacted views."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.report import ArmSummary, GroupReport, Report
from bench import dashboard, redaction
from bench.dashboard_probe import Probe, Shown
from bench.report import problems
from bench.synthetic import Synthetic
from scenarios.loader import get_scenario, species_of
from scorers.redaction import cue_table


def _shown(samples: str = "10,000", **changes: list[str]) -> Shown:
    base = {"metrics": {"Samples": samples, "Graded": "10,000"}, "captions": [], "subheaders": []}
    return Shown.model_validate({"errors": [], "exceptions": [], **base, **changes})


@pytest.mark.parametrize(
    ("shown", "problem"),
    [
        (_shown(), None),
        (_shown("2,500"), "the Overview shows Samples 2,500, expected 10,000"),
        (_shown(exceptions=["KeyError: 'arm'"]), "the Overview raised: KeyError: 'arm'"),
        (_shown(errors=["No logs found"]), "the Overview showed an error: No logs found"),
    ],
)
def test_overview(shown: Shown, problem: str | None) -> None:
    found = dashboard.overview_problems(shown, 10_000)
    assert found == ([] if problem is None else [problem])


def test_transcript_page_must_count_every_sample_and_show_the_pick() -> None:
    page = _shown(captions=["9 of 10000 samples"], subheaders=["Transcript"])
    probe = Probe(first=1.0, overview=_shown(), transcripts=page, picked="x — honest", opened="x")
    assert dashboard.transcript_problems(probe, 10_000) == []
    assert dashboard.transcript_problems(probe, 500) == [
        "the Transcripts page counts [10000] samples, expected 500"
    ]
    wrong = probe.model_copy(update={"opened": "y"})
    assert dashboard.transcript_problems(wrong, 10_000) == [
        "picked 'x — honest', the page shows 'y' open"
    ]


@pytest.mark.parametrize(
    ("filtered", "problem"),
    [
        (_shown(captions=["1,428 of 10,000 samples · select a row"]), None),
        (
            _shown(captions=["10,000 of 10,000 samples · select a row"]),
            "filtered on director=ai, the page counts [(10000, 10000)] samples, "
            "expected 1,428 of 10,000",
        ),
        (
            _shown(captions=["1,428 of 10,000 samples"], exceptions=["KeyError: 'arm'"]),
            "the filtered Transcripts page raised: KeyError: 'arm'",
        ),
        (None, "no arm filter was offered"),
    ],
)
def test_filter_change_must_count_the_arm(filtered: Shown | None, problem: str | None) -> None:
    probe = Probe(first=1.0, overview=_shown(), filtered=filtered, filtered_arm="director=ai")
    found = dashboard.filter_problems(probe, 1_428, 10_000)
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
