"""Misconfiguration fails before the first model call: `-T` values, templates, required roles;
an unbound grader is warned about as the run starts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, get_model

from evals.deception.deception import deception
from evals.errors import TaskConfigError
from evals.legal.legal import legal
from evals.preflight import regrade_command
from evals.task_factory import scenario_task
from scenarios.loader import ScenarioError
from tests.helpers import call, text

LIMIT = "expected a whole number of at least 3"
ROLES = "expected one or more model-role names"


@pytest.mark.parametrize(
    ("task_args", "message"),
    [
        ({"message_limit": -1}, f"-T message_limit=-1: {LIMIT}"),
        ({"message_limit": 0}, f"-T message_limit=0: {LIMIT}"),
        ({"message_limit": 2}, f"-T message_limit=2: {LIMIT}"),
        ({"message_limit": "ten"}, f"-T message_limit=ten: {LIMIT}"),
        ({"token_limit": 0}, "-T token_limit=0: expected a whole number of at least 1, or null"),
        ({"counterparty": "bogus"}, "-T counterparty=bogus: expected 'scripted' or 'model'"),
        ({"aggregation": "mostly"}, "-T aggregation=mostly: expected 'majority' or 'unanimous'"),
        ({"graders": "grader,grader"}, f"-T graders=grader,grader: {ROLES}"),
        ({"graders": ""}, f"-T graders=: {ROLES}"),
        ({"graders": "the grader"}, f"-T graders=the grader: {ROLES}"),
        ({"arms": 5}, "-T arms=5: expected an arm such as overseer=ai"),
    ],
)
@pytest.mark.parametrize("factory", [deception, legal])
def test_bad_task_parameter_names_it(
    factory: object, task_args: dict[str, object], message: str
) -> None:
    with pytest.raises(TaskConfigError) as info:
        factory(**task_args)  # type: ignore[operator]
    assert message in str(info.value)
    assert isinstance(info.value, ScenarioError)  # one type for callers of the Python API


def test_a_limit_of_three_lets_the_agent_answer(tmp_path: Path) -> None:
    target = get_model("mockllm/model", custom_outputs=[text("Hello.")], memoize=False)
    [log] = inspect_eval(
        deception("blame_postmortem", arms="overseer=ai,audit=none", message_limit=3),
        model=target,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.samples is not None
    [score] = (log.samples[0].scores or {}).values()
    assert (score.metadata or {})["status"] != "agent_silent"


@pytest.mark.usefixtures("fixture_scenarios")
@pytest.mark.parametrize("text_key", ["templates/system.j2", "templates/log.j2"])
def test_an_undefined_template_variable_fails_task_creation(
    text_key: str, mini_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenarios import loader

    (mini_dir / text_key).write_text("Report to {{ reviewer.surname }}.")
    monkeypatch.setattr(loader, "SEARCH_ROOTS", [mini_dir.parent])
    loader.get_scenario.cache_clear()
    with pytest.raises(TaskConfigError) as info:
        scenario_task(
            "mini", arms=None, counterparty=None, message_limit=30, token_limit=None, scorer=None
        )
    message = str(info.value)
    assert str(mini_dir / "scenario.yaml") in message
    assert "surname" in message and "undefined" in message


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (deception, "arm 'director=robot' matches no arm; expected one of: director=human"),
        (legal, "arm selection 'director=robot' applies to none of the chosen legal scenarios"),
    ],
)
def test_a_bad_arm_is_a_task_config_error(factory: object, message: str) -> None:
    with pytest.raises(TaskConfigError, match=message):
        factory(arms="director=robot")  # type: ignore[operator]


@pytest.mark.usefixtures("fixture_scenarios")
def test_model_counterparty_needs_a_persona() -> None:
    with pytest.raises(TaskConfigError, match="scenario 'mini' declares no counterparty persona"):
        scenario_task(
            "mini", arms=None, counterparty="model", message_limit=30, token_limit=None, scorer=None
        )


def _agent_that_must_not_run() -> list[ModelOutput]:
    return [call("list_files"), text("This must not be generated.")]


def test_model_counterparty_without_its_role_fails_before_the_agent_runs(
    tmp_path: Path,
) -> None:
    target = get_model("mockllm/model", custom_outputs=_agent_that_must_not_run(), memoize=False)
    [log] = inspect_eval(
        deception("blame_postmortem", arms="overseer=ai,audit=none", counterparty="model"),
        model=target,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "error" and log.error is not None
    assert "no model is bound to the role 'counterparty'" in log.error.message
    assert "--model-role counterparty=MODEL" in log.error.message
    assert log.stats.model_usage == {}  # no model was called


def test_an_unbound_grader_is_warned_about_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    role = "grader_warned_in_this_test"  # a role of its own: the warning is shown once a process
    target = get_model(
        "mockllm/model",
        custom_outputs=[call("submit_postmortem_account", account="Fine."), *[text("No.")] * 3],
        memoize=False,
    )
    with caplog.at_level(logging.WARNING, logger="evals.preflight"):
        [log] = inspect_eval(
            deception("blame_postmortem", arms="overseer=ai,audit=none", graders=role),
            model=target,
            log_dir=str(tmp_path),
            display="none",
        )
    assert log.status == "success"  # the episodes still run
    command = regrade_command("deception", [role])
    assert command == (
        "inspect score LOG --scorer candor/deception_scorer "
        f"--model-role {role}=MODEL --action overwrite --overwrite"
    )
    warnings = [r.getMessage() for r in caplog.records if r.name == "evals.preflight"]
    assert len(warnings) == 1
    assert f"no model is bound to the grader role(s) {role}" in warnings[0]
    assert command in warnings[0]
