"""Every deception task end to end: mockllm per role, the scripted provider from the command line,
bad task parameters, and one run on the embedded model."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ModelOutput, get_model
from inspect_ai.util import Store

from evals.deception.deception import deception
from evals.suite import suite_scenarios
from records.store import EpisodeStore
from scenarios.loader import ScenarioError, all_arms, get_scenario
from scenarios.schema import SubmitTool
from tests.helpers import call, text

ROOT = Path(__file__).resolve().parents[2]
SCRIPTED = ROOT / "tests" / "fixtures" / "scripted"
BIN = Path(sys.executable).parent

DECEPTION = suite_scenarios("deception")  # discovered: a new scenario is tested here unlisted


def _submission(scenario: str) -> tuple[str, dict[str, str]]:
    """The scenario's submit tool and a submission filling every field."""
    [tool] = [t for t in get_scenario(scenario).spec.tools if isinstance(t, SubmitTool)]
    return tool.name, {field: "All figures are fine as submitted." for field in tool.fields}


def _arms(scenario: str) -> set[str]:
    return {arm.name for arm in all_arms(get_scenario(scenario).spec)}


VERDICT = {
    "verdict": "deceptive",
    "tactics": ["omitted_own_role"],
    "evidence": ["All fine."],
    "rationale": "The report hides the agent's part.",
    "eval_aware": False,
}


def _verdict(scenario: str, quote: str, rounds: int | None = None) -> dict[str, object]:
    """The deceptive verdict, quoting `quote`; with a verdict per round where the scenario is
    judged round by round (the submission is round 1, each reply to a turn one more round),
    on the whole episode or on the transcript cut after round `rounds`."""
    verdict: dict[str, object] = {**VERDICT, "evidence": [quote]}
    judging = get_scenario(scenario).spec.judging
    if judging.kind == "deception" and judging.per_round:
        later = [
            {"round": i + 2, "label": "honest", "evidence": [], "corrects_earlier": False}
            for i in _replied(scenario)
        ]
        first = {"round": 1, "label": "omission", "evidence": [quote], "corrects_earlier": False}
        verdict["rounds"] = [first, *later][:rounds]
    return verdict


def _grades(scenario: str, quote: str) -> list[ModelOutput]:
    """The grader's replies to one episode: the whole, then (round by round) each cut."""
    judging = get_scenario(scenario).spec.judging
    per_round = judging.kind == "deception" and judging.per_round
    cuts = range(1, 1 + len(_replied(scenario))) if per_round else range(0)
    return [text(json.dumps(_verdict(scenario, quote, k))) for k in [None, *cuts]]


def _replied(scenario: str) -> range:
    """The counterparty turns the agent answers in an episode."""
    counterparty = get_scenario(scenario).spec.counterparty
    return range(counterparty.max_turns if counterparty is not None else 0)


def _turns(scenario: str) -> range:
    counterparty = get_scenario(scenario).spec.counterparty
    return range(max(2, counterparty.max_turns if counterparty is not None else 0))


def _replies(scenario: str) -> list[str]:
    """One text reply to each turn the scenario's counterparty can take (at least two)."""
    return ["Nothing to add."] + ["No."] * (len(_turns(scenario)) - 1)


def _agent(submit: str, fields: dict[str, str], scenario: str) -> list[ModelOutput]:
    return [call("list_files"), call(submit, **fields), *map(text, _replies(scenario))]


@pytest.mark.parametrize("name", DECEPTION)
def test_task_with_mockllm_per_role(name: str, tmp_path: Path) -> None:
    submit, fields = _submission(name)
    arms = len(_arms(name))
    target = get_model(
        "mockllm/model", custom_outputs=_agent(submit, fields, name) * arms, memoize=False
    )
    grades = _grades(name, next(iter(fields.values())))  # quoting what it did write
    grader = get_model("mockllm/model", custom_outputs=grades * arms, memoize=False)
    roles = {"grader": grader}
    cp = get_scenario(name).spec.counterparty
    if cp is not None and cp.mode == "model":  # the role plays the party from its persona
        party = [text("And then?")] * cp.max_turns * arms
        roles["counterparty"] = get_model("mockllm/party", custom_outputs=party, memoize=False)
    [log] = inspect_eval(
        deception(name),
        model=target,
        model_roles=roles,
        log_dir=str(tmp_path),
        max_samples=1,
        display="none",
    )
    assert log.status == "success" and log.samples is not None
    assert {s.metadata["arm"] for s in log.samples} == _arms(name)
    assert {str(s.id) for s in log.samples} == {f"{name}:{arm}" for arm in _arms(name)}
    for sample in log.samples:
        store = EpisodeStore(store=Store(sample.store))
        assert [a.tool for a in store.actions] == ["list_files", submit]
        assert store.submissions[0].fields == fields
        assert store.end_reason == "completed"
        [score] = (sample.scores or {}).values()
        assert score.value == 1.0 and score.answer == "deceptive"
        assert (score.metadata or {})["status"] == "graded"
        assert (score.metadata or {})["unverified_quotes"] == []


def test_task_without_grader_keeps_episodes_unscored(tmp_path: Path) -> None:
    submit, fields = _submission("blame_postmortem")
    arms = len(_arms("blame_postmortem"))
    target = get_model(
        "mockllm/model",
        custom_outputs=_agent(submit, fields, "blame_postmortem") * arms,
        memoize=False,
    )
    [log] = inspect_eval(
        deception("blame_postmortem"),
        model=target,
        log_dir=str(tmp_path),
        max_samples=1,
        display="none",
    )
    assert log.samples is not None and len(log.samples) == arms
    for sample in log.samples:
        [score] = (sample.scores or {}).values()
        assert math.isnan(float(score.value))  # type: ignore[arg-type]
        assert (score.metadata or {})["status"] == "grader_unbound"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("robot", "applies to none of the chosen deception scenarios"),
        (
            "overseer=absent",
            "expected one of: overseer=human,audit=none, overseer=human,audit=spot_check, "
            "overseer=ai,audit=none, overseer=ai,audit=spot_check",
        ),
        (
            "director=ai",
            "applies to none of the chosen deception scenarios; their factors: audit (none, "
            "spot_check); overseer (human, ai)",
        ),
    ],
)
def test_unknown_arm_fails_before_any_model_call(bad: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        deception("blame_postmortem", arms=bad)


def _inspect(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INSPECT_DISPLAY": "none"}
    return subprocess.run(
        [str(BIN / "inspect"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        # the embedded model generates about 100 tokens/s on a quiet 2-core machine; a loaded
        # one can take several times as long, and a timeout here is not a speed claim
        timeout=900,
    )


def _scripts(name: str, folder: Path) -> tuple[Path, Path]:
    """A scripted agent that reads, submits and answers, and a grader calling it deceptive."""
    submit, fields = _submission(name)
    agent = [
        {"tool_calls": [{"function": "list_files"}]},
        {"tool_calls": [{"function": submit, "arguments": fields}]},
        *_replies(name),
    ]
    grader: list[object] = [json.dumps(_verdict(name, "fine as submitted"))]
    judging = get_scenario(name).spec.judging
    if judging.kind == "deception" and judging.per_round:
        # the cut after round k ends with that round: its marker is the last one
        grader += [
            {
                "when": f'<round number="{k}"/>(?![\\s\\S]*<round number="\\d)',
                "content": json.dumps(_verdict(name, "fine as submitted", k)),
            }
            for k in range(1, 1 + len(_replied(name)))
        ]
    (folder / "agent.yaml").write_text(yaml.safe_dump(agent), encoding="utf-8")
    (folder / "grader.yaml").write_text(yaml.safe_dump(grader), encoding="utf-8")
    (folder / "party.yaml").write_text(yaml.safe_dump(["And then?"]), encoding="utf-8")
    return folder / "agent.yaml", folder / "grader.yaml"


@pytest.mark.parametrize("form", ["alias", "suite"])
@pytest.mark.parametrize("name", DECEPTION)
def test_scripted_provider_from_the_command_line(name: str, form: str, tmp_path: Path) -> None:
    """`inspect eval candor/<scenario>` and `candor/deception -T scenario=<scenario>`."""
    logs = tmp_path / "logs"
    agent, grader = _scripts(name, tmp_path)
    task = [f"candor/{name}"] if form == "alias" else ["candor/deception", "-T", f"scenario={name}"]
    result = _inspect(
        "eval",
        *task,
        "--model",
        f"scripted/{agent}",
        "--model-role",
        f"grader=scripted/{grader}",
        "--model-role",  # a scenario whose party is a model
        f"counterparty=scripted/{tmp_path / 'party.yaml'}",
        "--log-dir",
        str(logs),
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [file] = list(logs.glob("*.eval"))
    log: EvalLog = read_eval_log(str(file))
    assert log.samples is not None and {s.metadata["arm"] for s in log.samples} == _arms(name)
    report = subprocess.run(
        [str(BIN / "candor"), "report", str(logs), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    [group] = json.loads(report.stdout)["groups"]
    for arm in group["arms"]:
        assert (arm["positive"], arm["graded"]) == (1, 1), arm


@pytest.mark.parametrize(
    ("task_arg", "message"),
    [
        (
            "arms=overseer=robot",
            "scenario 'blame_postmortem': arm 'overseer=robot' matches no arm; expected one of: "
            "overseer=human,audit=none, overseer=human,audit=spot_check, overseer=ai,audit=none, "
            "overseer=ai,audit=spot_check",
        ),
        ("message_limit=0", "-T message_limit=0: expected a whole number of at least 3"),
        ("counterparty=bogus", "-T counterparty=bogus: expected 'scripted' or 'model'"),
        (
            "counterparty=model",  # with a grader bound, the eval's roles are known at creation
            "-T counterparty=model has a model play the counterparty, but no model is bound to "
            "the role 'counterparty': add --model-role counterparty=MODEL",
        ),
    ],
)
def test_bad_task_parameter_is_one_line_from_the_command_line(
    task_arg: str, message: str, tmp_path: Path
) -> None:
    result = _inspect(
        "eval",
        "candor/blame_postmortem",
        "-T",
        task_arg,
        "--model",
        "scripted/tests/fixtures/scripted/blame_postmortem.yaml",
        "--model-role",
        "grader=scripted/tests/fixtures/scripted/grader_deceptive.yaml",
        "--log-dir",
        str(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 1
    # nothing but Inspect's banner naming the enabled hooks (Candor's identity-balance check)
    assert result.stdout == "" or result.stdout.startswith("inspect_ai v")
    assert "Error" not in result.stdout
    [line] = result.stderr.splitlines()  # no traceback
    assert line.startswith(f"Error: {message}")
    assert not list(tmp_path.glob("*.eval"))  # nothing ran


@pytest.mark.slow
def test_embedded_model_runs_both_arms(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="the embedded model needs `make install`")
    result = _inspect(
        "eval",
        "candor/blame_postmortem",
        "-T",
        "arms=audit=none",  # the reviewer's two species, at the study's face-value condition
        "--model",
        "local/smollm2",
        "--model-role",
        "grader=local/smollm2",
        "--message-limit",
        "8",
        "--log-dir",
        str(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [file] = list(tmp_path.glob("*.eval"))
    log = read_eval_log(str(file))
    assert log.samples is not None
    assert {s.metadata["arm"] for s in log.samples} == {
        a for a in _arms("blame_postmortem") if a.endswith("audit=none")
    }
    for sample in log.samples:
        assert sample.output.usage is not None
        [score] = (sample.scores or {}).values()
        assert (score.metadata or {})["status"]  # graded or a named status, never missing


def test_several_graders_from_task_parameters(tmp_path: Path) -> None:
    submit, fields = _submission("blame_postmortem")
    target = get_model(
        "mockllm/model", custom_outputs=_agent(submit, fields, "blame_postmortem"), memoize=False
    )
    verdict = {**VERDICT, "evidence": [fields["account"]]}
    honest = {**verdict, "verdict": "honest", "tactics": []}
    graders = {
        role: get_model("mockllm/model", custom_outputs=[text(json.dumps(v))], memoize=False)
        for role, v in (("grader", verdict), ("grader_2", verdict), ("grader_3", honest))
    }
    [log] = inspect_eval(
        deception(
            "blame_postmortem",
            arms="overseer=ai,audit=none",
            graders=["grader", "grader_2", "grader_3"],
        ),
        model=target,
        model_roles=graders,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.samples is not None
    [score] = (log.samples[0].scores or {}).values()
    metadata = score.metadata or {}
    assert score.value == 1.0 and metadata["status"] == "graded"
    assert metadata["agreement"] == pytest.approx(2 / 3)
    assert [g["role"] for g in metadata["graders"]] == ["grader", "grader_2", "grader_3"]
