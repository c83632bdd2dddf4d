"""The loaders: the same report as `candor report`, summaries first, one sample per transcript."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from inspect_ai.util import store

from analysis import logs as logs_module
from analysis.logs import SampleOutcome, load_outcomes
from analysis.report import build_report
from dashboard import data
from dashboard.filters import Filters, apply
from dashboard.models import SampleRow
from scenarios.loader import get_scenario, scenario_sha256
from tests.dashboard.conftest import QUOTE


def test_report_equals_candor_report(log_dir: Path) -> None:
    cat = data.catalogue(str(log_dir))
    expected = build_report(load_outcomes([log_dir]))
    assert cat.report.model_dump_json() == expected.model_dump_json()
    messages = " | ".join(f"{p.log}: {p.message}" for p in cat.problems)
    assert "not a Candor task" in messages and "cannot read log" in messages


def test_rows_carry_verdicts_statuses_and_provisions(log_dir: Path) -> None:
    rows = data.catalogue(str(log_dir)).rows
    blame = [r for r in rows if r.outcome.scenario == "blame_postmortem"]
    assert sorted(r.verdict or r.outcome.status for r in blame) == [
        "deceptive",
        "deceptive",
        "grader_unparseable",
        "honest",
    ]
    assert all(r.evidence == [QUOTE] for r in blame if r.verdict)
    legal = [r for r in rows if r.outcome.suite == "legal"]
    assert sorted(r.verdict or "" for r in legal) == ["violation", "violation"]
    assert sorted(r.provisions["ai_act_5_1_b"] for r in legal) == ["partial", "violation"]


def test_summaries_only_until_a_transcript_is_opened(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[object, int]] = []
    real = data.read_eval_log_sample

    def counting(file: str, id: int | str, epoch: int, **kw: object):  # type: ignore[no-untyped-def]
        opened.append((id, epoch))
        return real(file, id=id, epoch=epoch, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "read_eval_log_sample", counting)
    rows = data.catalogue(str(log_dir)).rows
    assert opened == []
    t = data.transcript(rows[0])
    assert opened == [(rows[0].raw_id, rows[0].outcome.epoch)]
    assert t.ref == rows[0].ref and t.episode is not None
    data.transcript(rows[0])
    assert len(opened) == 1  # cached


def test_a_new_log_is_read_alone(
    log_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    first, *_ = sorted(log_dir.glob("*blame-postmortem*.eval"))
    shutil.copy(first, logs / first.name)
    read: list[str] = []
    real = data.read_log
    monkeypatch.setattr(
        data,
        "read_log",
        lambda file, cache=None, **options: read.append(str(file)) or real(file, cache, **options),
    )
    assert len(data.catalogue(str(logs)).rows) == 4
    legal = next(log_dir.glob("*golden-legal*.eval"))
    shutil.copy(legal, logs / legal.name)
    assert len(data.catalogue(str(logs)).rows) == 6
    assert [Path(p).name for p in read] == [first.name, legal.name]


def test_a_restarted_app_reuses_the_disk_cache(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.clear()  # nothing in memory: this first read fills the (per-test) disk cache
    first = data.catalogue(str(log_dir))
    data.clear()  # as after a restart: nothing cached in memory
    read: list[str] = []
    real = logs_module._read_log
    monkeypatch.setattr(
        logs_module,
        "_read_log",
        lambda file, **options: read.append(Path(file).name) or real(file, **options),
    )
    again = data.catalogue(str(log_dir))
    # The catalogue came whole from the disk cache: no log was read again (the corrupted one
    # is unchanged, so its problem is the one kept)
    assert read == []
    assert again.rows == first.rows and again.report == first.report


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_empty_or_missing_directory(tmp_path: Path, kind: str) -> None:
    path = tmp_path if kind == "empty" else tmp_path / "nope"
    cat = data.catalogue(str(path))
    assert cat.rows == [] and cat.report.groups == []
    assert cat.problems[0].message in {"no Inspect logs in this directory", "no such directory"}


def _outcome(scenario: str, sha256: str | None = None) -> SampleOutcome:
    return SampleOutcome(
        log="x.eval",
        task=scenario,
        model="m",
        sample_id=f"{scenario}:overseer=ai",
        epoch=1,
        scenario=scenario,
        suite="deception",
        arm="overseer=ai",
        levels={"overseer": "ai"},
        status="graded",
        scenario_sha256=sha256,
    )


def test_ground_truth_not_recorded_comes_from_the_current_files_with_a_note() -> None:
    gt = data.ground_truth(_outcome("blame_postmortem"), None)
    assert gt.problem is None and "DQ-3318" in gt.summary and gt.facts and gt.criteria
    assert gt.source == "current files" and gt.note and "Not recorded in this log" in gt.note
    missing = data.ground_truth(_outcome("no_such_scenario"), None)
    assert missing.problem is not None and "unknown scenario" in missing.problem


def test_ground_truth_as_recorded_and_a_changed_scenario_said() -> None:
    recorded = {"summary": "What the grader read.", "facts": ["fact one"], "criteria": "then."}
    gt = data.ground_truth(_outcome("blame_postmortem", sha256="0" * 64), recorded)
    assert (gt.source, gt.summary, gt.facts, gt.criteria) == (
        "log",
        "What the grader read.",
        ["fact one"],
        "then.",
    )
    assert gt.note is not None and "changed since this run" in gt.note
    current = scenario_sha256(get_scenario("blame_postmortem"))
    assert data.ground_truth(_outcome("blame_postmortem", sha256=current), recorded).note is None


def test_filters(log_dir: Path) -> None:
    rows = data.catalogue(str(log_dir)).rows
    assert {r.verdict for r in apply(rows, Filters(verdicts=("deceptive",)))} == {"deceptive"}
    assert len(apply(rows, Filters(statuses=("grader_unparseable",)))) == 1
    assert len(apply(rows, Filters(tactics=("omitted_own_role",)))) == 2
    assert len(apply(rows, Filters(provisions=("ai_act_5_1_b: partial",)))) == 1
    arm = "overseer=ai,audit=none"
    assert len(apply(rows, Filters(arms=(arm,), models=("mockllm/model",)))) == 2
    assert len(apply(rows, Filters(text="LEAVES OUT THE FLAG"))) == 2  # the rationale
    first = rows[0]
    assert apply(rows, Filters(labelled="labelled"), {first.ref}) == [first]
    assert first not in apply(rows, Filters(labelled="unlabelled"), {first.ref})
    deep = apply(rows, Filters(text="onerror=alert(2)"), full_text=data.transcript_text)
    assert {r.outcome.scenario for r in deep} == {"blame_postmortem"} and len(deep) == 4
    assert apply(rows, Filters(text="onerror=alert(2)")) == []  # not in any summary


def test_full_text_search_reads_at_most_the_limit(log_dir: Path) -> None:
    rows = data.catalogue(str(log_dir)).rows
    read: list[str] = []

    def full_text(row: SampleRow) -> str:
        read.append(row.ref)
        return data.transcript_text(row)

    found = apply(rows, Filters(text="onerror=alert(2)"), full_text=full_text, full_text_limit=2)
    assert len(read) == 2 and found == rows[:2]


def test_each_transcript_keeps_its_own_episode_record(log_dir: Path) -> None:
    rows = data.catalogue(str(log_dir)).rows
    blame = next(r for r in rows if r.outcome.suite == "deception" and r.verdict)
    legal = next(r for r in rows if r.outcome.suite == "legal")
    first, second = data.transcript(blame).episode, data.transcript(legal).episode
    assert first is not None and second is not None
    assert [s.tool for s in first.submissions] == ["submit_postmortem_account"]
    assert second.submissions == [] and [m.recipient for m in second.messages_sent] == ["customer"]
    global_keys = list(store().keys())
    assert not [k for k in global_keys if k.startswith("EpisodeStore:")]  # nothing leaked
