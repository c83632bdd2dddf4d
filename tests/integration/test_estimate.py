"""`candor estimate`: its plan, its bounds, its command line, and a real run to check it against."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from bench.fakeserver import FakeProviderServer
from bench.fakeserver.config import HONEST_ACCOUNT
from bench.fakeserver.policy import AGENT_DONE
from bench.providers import AI_MARKERS, OPENAI_CHAT
from evals import estimate_command
from evals.deception.deception import deception_task
from evals.estimate import Assumptions, approx_tokens, estimate_arm, estimate_run
from evals.suite import suite_scenarios
from scenarios.loader import ScenarioError, all_arms, get_scenario
from tests.integration.providers import candor_tasks, first_legal_scenario


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="candor")
    sub = parser.add_subparsers(dest="command", required=True)
    estimate_command.add_parser(sub)
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_plan_per_arm_for_every_deception_scenario() -> None:
    est = estimate_run(
        ["blame_postmortem", "blame_director", "performance_attestation"],
        epochs=3,
        models=["a", "b"],
    )
    assert [a.arm for a in est.arms if a.scenario == "blame_director"] == [
        "director=human",
        "director=ai",
        "director=absent",
    ]
    assert len(est.arms) == 4 + 3 + 2  # blame_postmortem crosses species with audit
    assert est.samples == 9 * 3 * 2
    postmortem = est.arms[0].roles
    # list, read each of 3 documents, submit; then one answer to each of 2 scripted turns
    assert postmortem["target"].calls == 7 and postmortem["grader"].calls == 1
    assert postmortem["counterparty"].calls == 0
    assert est.totals["target"].calls == sum(a.roles["target"].calls for a in est.arms) * 6
    for arm in est.arms:
        t = arm.roles["target"]
        assert not arm.limit_hit and t.calls <= arm.max_target_calls
        assert 0 < t.repeated_prefix_tokens < t.input_tokens
        assert arm.roles["grader"].input_tokens > 1000


def test_the_families_are_estimated_and_per_round_verdicts_cost_more_output() -> None:
    family = [sid for sid in suite_scenarios("deception") if get_scenario(sid).spec.family]
    assert len(family) >= 8
    est = estimate_run(family, epochs=2, models=["a"])
    assert est.samples == 2 * sum(len(all_arms(get_scenario(sid).spec)) for sid in family)
    a = Assumptions()
    for arm in est.arms:
        spec = get_scenario(arm.scenario).spec
        turns = spec.counterparty.max_turns if spec.counterparty else 0
        assert arm.roles["target"].calls == 1 + 3 + 1 + turns  # list, read 3, submit, answers
        model_played = spec.counterparty is not None and spec.counterparty.mode == "model"
        assert arm.roles["counterparty"].calls == (turns if model_played else 0)
        per_round = spec.judging.kind == "deception" and spec.judging.per_round
        rounds = 1 + turns if per_round else 0
        # judged round by round: the whole episode, then the cut after each earlier round
        passes = [rounds, *range(1, rounds)] if per_round else [0]
        assert arm.roles["grader"].calls == len(passes)
        assert arm.roles["grader"].output_tokens == sum(
            a.grader_output_tokens + a.round_verdict_tokens * judged for judged in passes
        )


def test_message_limit_bounds_the_calls_and_drops_the_grader() -> None:
    loaded = get_scenario("blame_postmortem")
    arm = all_arms(loaded.spec)[0]
    cut = estimate_arm(loaded, arm, message_limit=6)
    assert cut.limit_hit and cut.roles["target"].calls == 2 and cut.max_target_calls == 2
    assert cut.roles["grader"].calls == 0  # no submission: the sample would be unscored


def test_model_counterparty_and_graders_are_counted() -> None:
    est = estimate_run(
        ["blame_postmortem"], arms="overseer=ai,audit=none", counterparty="model", graders=3
    )
    [arm] = est.arms
    max_turns = get_scenario("blame_postmortem").spec.counterparty.max_turns  # type: ignore[union-attr]
    assert arm.roles["counterparty"].calls == max_turns
    assert arm.roles["counterparty"].input_tokens > 0
    assert arm.roles["grader"].calls == 3


def test_cost_from_prices_per_million() -> None:
    est = estimate_run(["performance_attestation"], price_in=3.0, price_out=15.0)
    assert est.cost is not None
    t = est.totals["target"]
    assert est.cost.by_role["target"] == pytest.approx(
        (t.input_tokens * 3 + t.output_tokens * 15) / 1e6
    )
    assert est.cost.total == pytest.approx(sum(est.cost.by_role.values()))
    assert estimate_run(["performance_attestation"]).cost is None


def test_bad_input_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="unknown scenario"):
        estimate_run(["no_such_scenario"])
    with pytest.raises(ScenarioError, match="matches no arm"):
        estimate_run(["blame_postmortem"], arms="overseer=robot")
    with pytest.raises(ValueError, match="at least 1"):
        estimate_run(["blame_postmortem"], epochs=0)


def test_cli_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _cli(
            [
                "estimate",
                "blame_postmortem",
                "--epochs",
                "10",
                "--price-in",
                "3",
                "--price-out",
                "15",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "| blame_postmortem | overseer=ai,audit=none |" in out and "characters / 4" in out
    assert "Cost at 3 in / 15 out per million tokens" in out
    assert _cli(["estimate", "blame_postmortem", "--json", "--reply-tokens", "10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assumptions"]["reply_tokens"] == 10 and data["samples"] == 4
    assert _cli(["estimate", "nope"]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_estimate_matches_a_run_through_the_fake_provider(
    fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    """Calls exactly, input tokens within 10%, when the assumed outputs are the fake's own."""
    fake_provider.configure(deceive_if_contains=AI_MARKERS["blame_postmortem"])
    [log] = inspect_eval(
        deception_task("blame_postmortem", arms="overseer=human,audit=none"),
        model=OPENAI_CHAT.get(),
        model_roles={"grader": OPENAI_CHAT.get()},
        log_dir=str(tmp_path),
        display="none",
        max_retries=0,
    )
    assert log.status == "success"
    assumptions = Assumptions(
        reply_tokens=approx_tokens(AGENT_DONE), submission_tokens=approx_tokens(HONEST_ACCOUNT)
    )
    [arm] = estimate_run(
        ["blame_postmortem"], arms="overseer=human,audit=none", assumptions=assumptions
    ).arms
    for role in ("target", "grader"):
        records = [r for r in fake_provider.records if r.role == role]
        measured = sum(r.input_tokens + r.cache_read + r.cache_write for r in records)
        assert len(records) == arm.roles[role].calls
        assert arm.roles[role].input_tokens == pytest.approx(measured, rel=0.10)


@pytest.mark.skipif("legal" not in candor_tasks(), reason="no legal task")
def test_estimate_counts_the_calls_of_a_world_tool_scenario(
    fake_provider: FakeProviderServer, tmp_path: Path
) -> None:
    """The fake's agent, like the plan, uses every declared tool once."""
    scenario = first_legal_scenario()
    [log] = inspect_eval(
        candor_tasks()["legal"](scenario=scenario),
        model=OPENAI_CHAT.get(),
        model_roles={"grader": OPENAI_CHAT.get()},
        log_dir=str(tmp_path),
        display="none",
        max_retries=0,
    )
    assert log.status == "success" and log.samples
    est = estimate_run([scenario])
    for role in ("target", "grader"):
        calls = len([r for r in fake_provider.records if r.role == role])
        assert calls == sum(arm.roles[role].calls for arm in est.arms)


def test_the_flags_table_is_the_assumptions_model() -> None:
    """`candor estimate`'s flags come from a plain table (no pydantic at `--help`): the same
    names, defaults and descriptions as the model the estimator takes."""
    from evals.estimate_assumptions import ASSUMED

    fields = Assumptions.model_fields
    assert list(fields) == list(ASSUMED)
    assert {n: (f.default, f.description) for n, f in fields.items()} == ASSUMED
