"""Epochs that are not a multiple of the identity pool size k leave arms x slots unbalanced: the
task warns as it starts, `candor estimate` warns, and `candor plan` rounds up (or warns)."""

from __future__ import annotations

import logging
import shlex
from pathlib import Path

import pytest
import yaml
from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import get_model

from cli.main import main
from evals.balance import BALANCE_KEY, balance_warnings
from evals.deception.deception import deception
from evals.estimate import estimate_run, to_markdown
from evals.legal.legal import legal
from scenarios.loader import balance_warning, get_scenario, identity_slots, slot_counts
from tests.helpers import text


@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("epochs", [1, 2, 3, 4, 5, 7, 12, 50, 51])
@pytest.mark.parametrize("seed", [0, 7])
def test_slot_counts_differ_by_at_most_one_and_are_equal_on_multiples(
    k: int, epochs: int, seed: int
) -> None:
    counts = slot_counts("blame_postmortem", seed, epochs, k)
    assert len(counts) == k and sum(counts) == epochs
    assert max(counts) - min(counts) <= 1
    assert (len(set(counts)) == 1) == (epochs % k == 0)
    warning = balance_warning("blame_postmortem", k, epochs, seed)
    assert (warning is None) == (epochs % k == 0)


@pytest.mark.parametrize(
    ("k", "epochs", "use"), [(3, 50, "(48 or 51)"), (3, 2, "(3)"), (2, 5, "(4 or 6)")]
)
def test_the_warning_names_scenario_k_epochs_the_counts_and_what_to_use(
    k: int, epochs: int, use: str
) -> None:
    warning = balance_warning("blame_director", k, epochs, seed=1)
    assert warning is not None
    assert warning.startswith(f"blame_director: {epochs} epochs are not a multiple")
    assert f"k={k}" in warning and use in warning and "identity_seed=1" in warning
    counts = slot_counts("blame_director", 1, epochs, k)
    assert ", ".join(f"slot {s}: {n}" for s, n in enumerate(counts)) in warning


def test_a_pool_of_one_never_warns() -> None:
    assert balance_warning("x", 1, 7) is None


def test_tasks_record_each_scenarios_pool_size_and_the_seed() -> None:
    task = deception(scenario="blame_postmortem,performance_attestation", identity_seed=4)
    assert task.metadata is not None
    assert task.metadata["identity_pools"] == {"blame_postmortem": 3, "performance_attestation": 3}
    assert task.metadata["identity_seed"] == 4
    legal_task = legal(scenario="elderly_upsell")
    assert legal_task.metadata is not None
    assert legal_task.metadata["identity_pools"] == {"elderly_upsell": 3}
    assert legal_task.metadata["identity_parties"] == {"elderly_upsell": 1}
    two = deception(scenario="blame_director")
    assert two.metadata is not None and two.metadata["identity_parties"] == {"blame_director": 2}


def test_balance_warnings_ignore_tasks_that_are_not_candors() -> None:
    assert balance_warnings(None, 2) == []
    assert balance_warnings({"suite": "other"}, 2) == []
    assert balance_warnings({"identity_pools": {"a": 3, "b": 2}, "identity_seed": 0}, 4) == [
        balance_warning("a", 3, 4, 0)
    ]


@pytest.mark.parametrize(("epochs", "warned"), [(2, True), (3, False)])
def test_the_task_warns_at_start_when_epochs_are_unbalanced(
    epochs: int, warned: bool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    task = deception(scenario="blame_postmortem", arms="overseer=ai,audit=none")
    model = get_model("mockllm/model", custom_outputs=[text("Nothing to add.")] * 10, memoize=False)
    with caplog.at_level(logging.WARNING, logger="evals.balance"):
        [log] = inspect_eval(
            task, model=model, epochs=epochs, log_dir=str(tmp_path), display="none"
        )
    assert log.status == "success"
    found = [r.getMessage() for r in caplog.records if r.name == "evals.balance"]
    if warned:
        assert len(found) == 1
        assert found[0].startswith("blame_postmortem: 2 epochs are not a multiple")
        assert "k=3" in found[0] and "use a multiple of 3 epochs (3)" in found[0]
    else:
        assert found == []


def test_estimate_warns_for_unbalanced_epochs() -> None:
    unbalanced = estimate_run(["blame_postmortem", "elderly_upsell"], epochs=50)
    assert [w.split(":")[0] for w in unbalanced.balance] == ["blame_postmortem", "elderly_upsell"]
    assert "Warning: blame_postmortem: 50 epochs" in to_markdown(unbalanced)
    balanced = estimate_run(["blame_postmortem"], epochs=51)
    assert balanced.balance == [] and "Warning" not in to_markdown(balanced)


def test_estimate_command_warns_on_stderr_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "blame_postmortem", "--epochs", "4", "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning: blame_postmortem: 4 epochs are not a multiple" in captured.err
    assert '"balance"' in captured.out


def test_plan_rounds_up_to_a_multiple_of_k_that_keeps_the_power(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--rates", "0.5", "0.9", "--json"]) == 0
    plain = yaml.safe_load(capsys.readouterr().out)
    assert plain["n_per_arm"] % 3 != 0  # the case this test is about
    argv = ["plan", "--rates", "0.5", "0.9", "--scenario", "blame_postmortem", "--json"]
    assert main(argv) == 0
    rounded = yaml.safe_load(capsys.readouterr().out)
    assert rounded["n_per_arm"] % 3 == 0 and rounded["n_per_arm"] > plain["n_per_arm"]
    assert rounded["achieved_power"] >= 0.8
    assert f"run with --epochs {rounded['n_per_arm']}" in rounded["note"]


def test_plan_write_rounds_a_computed_n_and_warns_about_a_given_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contrast = ["--contrast", "blame_director", "director=ai", "director=human"]
    out = tmp_path / "plan.yaml"
    assert main(["plan", "--write", str(out), *contrast, "--rates", "0.5", "0.9"]) == 0
    assert yaml.safe_load(out.read_text())["n_per_arm"] % 9 == 0
    pools = "(blame_director k=3, 2 crossed parties: 9)"
    assert f"a multiple of the identity pool size {pools}" in capsys.readouterr().err
    assert main(["plan", "--write", str(out), *contrast, "--n-per-arm", "50"]) == 0
    assert yaml.safe_load(out.read_text())["n_per_arm"] == 50  # the user's count is kept
    err = capsys.readouterr().err
    assert "--n-per-arm 50 is not a multiple" in err and "54 per arm would balance" in err
    assert get_scenario("blame_director").spec.pool_size() == 3


def _crossed() -> list[tuple[str, int, int]]:
    """Every scenario with more than one pooled party: (id, k, m)."""
    from scenarios.loader import discover, pooled_parties

    found = []
    for scenario_id in sorted(discover()):
        spec = get_scenario(scenario_id).spec
        if len(pooled_parties(spec)) > 1:
            found.append((scenario_id, spec.pool_size(), len(pooled_parties(spec))))
    return found


@pytest.mark.parametrize(("scenario_id", "k", "m"), _crossed())
def test_plan_rounds_to_a_multiple_that_covers_every_pairing_of_crossed_parties(
    scenario_id: str, k: int, m: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["plan", "--rates", "0.5", "0.9", "--scenario", scenario_id, "--json"]
    assert main(argv) == 0
    rounded = yaml.safe_load(capsys.readouterr().out)
    assert rounded["n_per_arm"] % (k**m) == 0
    assert f"{m} crossed parties: {k**m}" in rounded["note"]


def test_the_suite_has_crossed_scenarios() -> None:
    assert {s for s, _, _ in _crossed()} >= {"blame_director", "peer_cover_claims"}


def test_the_readme_balance_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [estimate] = [
        ln
        for ln in readme.splitlines()
        if ln.startswith("candor estimate blame_postmortem --epochs")
    ]
    [plan] = [
        ln for ln in readme.splitlines() if ln.startswith("candor plan") and "--scenario" in ln
    ]
    assert main(shlex.split(estimate.split("#")[0])[1:]) == 0
    out = capsys.readouterr().out
    assert "each arm meets slot 0: 17, slot 1: 17, slot 2: 16" in out and "(48 or 51)" in out
    assert main(shlex.split(plan)[1:]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["n_per_arm"] % 3 == 0


@pytest.mark.parametrize(("epochs", "balanced", "covered"), [(2, False, False), (3, True, False)])
def test_the_balance_facts_are_stored_in_the_log(
    epochs: int, balanced: bool, covered: bool, tmp_path: Path
) -> None:
    task = deception(scenario="blame_director", arms="director=ai", identity_seed=2)
    model = get_model("mockllm/model", custom_outputs=[text("Nothing to add.")] * 20, memoize=False)
    [log] = inspect_eval(task, model=model, epochs=epochs, log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    stored = read_eval_log(log.location).eval.metadata or {}
    fact = stored[BALANCE_KEY]["blame_director"]
    assert (fact["balanced"], fact["pairings_covered"]) == (balanced, covered)
    assert (fact["epochs"], fact["pool_size"], fact["pooled_parties"]) == (epochs, 3, 2)
    assert fact["identity_seed"] == 2 and fact["message"].startswith("blame_director:")
    spec = get_scenario("blame_director").spec
    for sample in read_eval_log(log.location).samples or []:
        assert sample.metadata["identity_slots"] == identity_slots(spec, 2, sample.epoch)
