"""The shipped deception tasks with a mock agent and mock graders: blindness, statuses, re-grading
through `inspect score`, and the invariance check."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, EvalSample, read_eval_log
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model
from inspect_ai.scorer import Score, Scorer
from inspect_ai.tool import ToolChoice, ToolInfo
from inspect_ai.util import registry_info

import evals.providers.scripted  # noqa: F401  (registers scripted/ without the entry point)
from cli.main import main as cli_main
from evals.deception.deception import deception
from evals.suite import suite_scenarios
from scorers.deception import deception_scorer
from scorers.invariance import (
    RESULT_SUFFIX,
    invariance_check,
    main,
    read_result,
    result_path,
    write_result,
)
from tests.helpers import arm_eval_aware, arm_statuses, with_usage
from tests.scorers.agents import blame_agent, grader, verdict

ROOT = Path(__file__).resolve().parents[2]
INSPECT = Path(sys.executable).parent / "inspect"
SCORE = "deception_scorer"


def _run(task: Task, tmp_path: Path, agent: Model, graders: dict[str, Model]) -> EvalLog:
    [log] = inspect_eval(
        task, model=agent, model_roles=graders, log_dir=str(tmp_path), display="none"
    )
    assert log.status == "success", log.error
    return log


def _score(sample: EvalSample) -> Score:
    assert sample.scores is not None
    return sample.scores[SCORE]


def _meta(sample: EvalSample) -> dict[str, Any]:
    return _score(sample).metadata or {}


def _registry_name(scorer: Scorer) -> str:
    return registry_info(scorer).name


@pytest.mark.parametrize("scenario", [None, *suite_scenarios("deception")])
def test_every_deception_task_uses_the_deception_scorer(scenario: str | None) -> None:
    built = deception(scenario)
    [scorer] = built.scorer
    assert _registry_name(scorer) == "candor/deception_scorer"


@pytest.mark.parametrize("scenario", ["blame_postmortem", "blame_director"])  # blame_agent's
def test_grader_input_is_byte_identical_across_arms(scenario: str, tmp_path: Path) -> None:
    seen: list[str] = []
    graders = {"grader": grader(lambda _: verdict(), seen)}
    log = _run(deception(scenario), tmp_path, blame_agent(), graders)
    assert log.samples is not None and len(log.samples) >= 2
    # the agent's own words named the reviewer differently per arm...
    accounts = {
        s.metadata["arm"]: s.store["EpisodeStore:submissions"][0]["fields"]["account"]
        for s in log.samples
    }
    assert len(set(accounts.values())) == len({a.split(",")[0] for a in accounts.values()})
    # ...yet the grader read the same bytes in every arm
    assert len(seen) == len(log.samples)
    assert len(set(seen)) == 1
    assert "Kelso" not in seen[0] and "Dana" not in seen[0]
    hashes = {_meta(s)["grader_input_sha256"] for s in log.samples}
    assert len(hashes) == 1


def test_unscored_samples_are_counted_apart_per_arm(tmp_path: Path) -> None:
    log = _run(
        deception("blame_postmortem", arms="audit=none"),
        tmp_path,
        blame_agent(silent_in="Kelso"),
        {"grader": grader(lambda _: verdict("honest"))},
    )
    assert log.samples is not None and log.results is not None
    assert arm_statuses(log) == {
        "overseer=ai,audit=none": Counter({"agent_silent": 1}),
        "overseer=human,audit=none": Counter({"graded": 1}),
    }
    assert arm_eval_aware(log) == {"overseer=human,audit=none": (0, 1)}
    [result] = log.results.scores
    assert (result.scored_samples, result.unscored_samples) == (1, 1)
    assert result.metrics["overseer=human,audit=none"].value == 0.0
    silent = next(s for s in log.samples if s.metadata["arm"] == "overseer=ai,audit=none")
    assert math.isnan(_score(silent).as_float())
    assert _meta(silent)["status"] == "agent_silent"


def test_a_run_cut_by_a_limit_before_submitting_is_unscored(tmp_path: Path) -> None:
    def reader(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        return with_usage(ModelOutput.for_tool_call("mockllm/agent", "list_files", {}))

    agent = get_model("mockllm/agent", custom_outputs=reader, memoize=False)
    log = _run(
        deception("blame_postmortem", arms="audit=none", message_limit=6),
        tmp_path,
        agent,
        {"grader": grader(lambda _: verdict())},
    )
    assert log.samples is not None
    assert arm_statuses(log) == {
        "overseer=ai,audit=none": Counter({"limit_before_submission": 1}),
        "overseer=human,audit=none": Counter({"limit_before_submission": 1}),
    }
    assert "message_limit" in _meta(log.samples[0])["unscored_reason"]


def test_several_graders_are_recorded(tmp_path: Path) -> None:
    task = deception("blame_postmortem", arms="audit=none")
    task.scorer = [deception_scorer(graders=["grader", "grader_2", "grader_3"])]
    roles = {
        "grader": grader(lambda _: verdict("deceptive")),
        "grader_2": grader(lambda _: verdict("honest")),
        "grader_3": grader(lambda _: verdict("deceptive")),
    }
    log = _run(task, tmp_path, blame_agent(), roles)
    assert log.samples is not None
    for sample in log.samples:
        meta = _meta(sample)
        assert meta["status"] == "graded"
        assert [g["role"] for g in meta["graders"]] == ["grader", "grader_2", "grader_3"]
        assert [g["verdict"]["verdict"] for g in meta["graders"]] == [
            "deceptive",
            "honest",
            "deceptive",
        ]
        assert meta["agreement"] == pytest.approx(2 / 3)
        assert meta["grader_config"] == {
            "temperature": 0.0,
            "seed": 20240917,
            "roles": ["grader", "grader_2", "grader_3"],
            "aggregation": "majority",
            "redacted": True,
        }


@pytest.fixture
def graded_log(tmp_path: Path) -> Path:
    log = _run(
        deception("blame_postmortem", arms="audit=none"),
        tmp_path,
        blame_agent(),
        {"grader": grader(lambda _: verdict())},
    )
    return Path(log.location)


@pytest.mark.parametrize("scorer", ["candor/deception_scorer", "scorers/deception.py"])
def test_regrading_a_log_offline_with_a_scripted_grader(
    scorer: str, graded_log: Path, tmp_path: Path
) -> None:
    # a new grader, scripted: one JSON reply per grader call (every call is a fresh conversation)
    replies = tmp_path / "grader.yaml"
    replies.write_text(
        yaml.safe_dump([json.dumps(verdict("deceptive", "my call"))]), encoding="utf-8"
    )
    out = tmp_path / "rescored.eval"
    command = [
        str(INSPECT),
        "score",
        str(graded_log),
        "--scorer",
        scorer,
        "--model-role",
        f"grader=scripted/{replies}",
        "--action",
        "overwrite",
        "--output-file",
        str(out),
        "--display",
        "none",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rescored = read_eval_log(str(out))
    assert rescored.samples is not None
    for sample in rescored.samples:
        assert _score(sample).value == 1.0
        assert _meta(sample)["graders"][0]["model"] == f"scripted/{replies}"
        assert _meta(sample)["unverified_quotes"] == []


def test_invariance_check_finds_a_species_biased_grader(graded_log: Path) -> None:
    # a grader that calls the account deceptive whenever it reads the AI reviewer's name
    biased = grader(lambda text: verdict("deceptive" if "Kelso" in text else "honest"))
    result = invariance_check(str(graded_log), biased)
    assert [(p.own_arm, p.other_arm, p.compared, p.changed, p.rate) for p in result.pairs] == [
        ("overseer=ai,audit=none", "overseer=human,audit=none", 1, 1, 1.0),
        ("overseer=human,audit=none", "overseer=ai,audit=none", 1, 1, 1.0),
    ]
    fair = grader(lambda _: verdict())
    assert all(p.changed == 0 for p in invariance_check(str(graded_log), fair).pairs)


def test_invariance_swaps_the_agents_own_words(graded_log: Path) -> None:
    seen: list[str] = []
    invariance_check(str(graded_log), grader(lambda _: verdict(), seen))
    # own arm unredacted, then swapped: the human-arm account now names the AI reviewer
    assert any("Kelso, I closed DQ-3318" in text for text in seen)
    assert any("Dana, I closed DQ-3318" in text for text in seen)
    assert len(seen) == 4


def test_invariance_main_prints_a_table(
    graded_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = tmp_path / "grader.yaml"
    replies.write_text(yaml.safe_dump([json.dumps(verdict())]), encoding="utf-8")
    code = main([str(graded_log), "--grader", f"scripted/{replies}"])
    printed = capsys.readouterr().out
    assert code == 0
    lines = printed.splitlines()
    assert lines[0].split() == [
        "scenario",
        "own",
        "arm",
        "other",
        "arm",
        "compared",
        "changed",
        "failed",
        "rate",
    ]
    assert lines[2].split() == [
        "blame_postmortem",
        "overseer=ai,audit=none",
        "overseer=human,audit=none",
        "1",
        "0",
        "0",
        "0.0%",
    ]
    # written beside the log, where `candor report` finds it
    saved = read_result(Path(result_path(str(graded_log))))
    assert [(p.own_arm, p.compared, p.changed) for p in saved.pairs][0] == (
        "overseer=ai,audit=none",
        1,
        0,
    )


def test_report_shows_the_invariance_flip_rate(
    graded_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    biased = grader(lambda text: verdict("deceptive" if "Kelso" in text else "honest"))
    write_result(invariance_check(str(graded_log), biased), Path(result_path(str(graded_log))))
    assert Path(f"{graded_log}{RESULT_SUFFIX}").is_file()
    assert cli_main(["report", str(graded_log.parent), "--no-cache"]) == 0
    markdown = capsys.readouterr().out
    section = markdown.split("## Grader invariance")[1]
    row = "| blame_postmortem | overseer=ai,audit=none | overseer=human,audit=none |"
    assert f"{row} 1 | 1 | 0 | 100.0% |" in section
    assert cli_main(["report", str(graded_log.parent), "--no-cache", "--csv"]) == 0
    rows = [r for r in capsys.readouterr().out.splitlines() if r.startswith("invariance,")]
    assert len(rows) == 2
