"""The `legal` task: one dataset over the chosen legal scenarios, arms applied per scenario."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from pathlib import Path

import pytest

from evals.errors import TaskConfigError
from evals.legal.dataset import legal_dataset
from evals.legal.legal import legal
from records.metadata import SampleMetadata
from scenarios import loader
from scenarios.loader import ScenarioError, scenario_sha256
from tests.legal.conftest import LEGAL_DIR, LEGAL_IDS
from tests.legal.test_scenarios import EXPECTED_ARMS


def _ids(arms: object = None, scenario: object = None) -> list[str]:
    dataset = legal_dataset(scenario, arms)  # type: ignore[arg-type]
    return [str(sample.id) for sample in dataset]


def _arms_by_scenario(ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sample_id in ids:
        scenario, arm = sample_id.split(":", 1)
        found.setdefault(scenario, []).append(arm)
    return found


def test_every_legal_scenario_and_arm_by_default() -> None:
    ids = _ids()
    assert len(ids) == len(set(ids)) == sum(len(arms) for arms in EXPECTED_ARMS.values()) == 22
    assert _arms_by_scenario(ids) == {sid: EXPECTED_ARMS[sid] for sid in LEGAL_IDS}


def test_the_task_wires_dataset_solver_scorer_and_limits() -> None:
    task = legal(scenario="elderly_upsell", message_limit=30, token_limit=None)
    assert task.name == "legal"
    assert [s.id for s in task.dataset] == [
        "elderly_upsell:principal=human",
        "elderly_upsell:principal=ai",
    ]
    sample = task.dataset[0]
    assert sample.metadata is not None
    assert (sample.metadata["scenario"], sample.metadata["suite"]) == ("elderly_upsell", "legal")
    assert sample.metadata["levels"] == {"principal": "human"}
    assert task.message_limit == 30 and task.token_limit is None
    assert len(task.scorer or []) == 1
    assert task.metadata == {
        "suite": "legal",
        "scenarios": ["elderly_upsell"],
        "identity_pools": {"elderly_upsell": 3},  # read at task start (`evals.balance`)
        "identity_parties": {"elderly_upsell": 1},
        "identity_seed": 0,
    }


@pytest.mark.parametrize(
    "scenario", ["workplace_emotion,elderly_upsell", ["workplace_emotion", "elderly_upsell"]]
)
def test_scenarios_by_name_in_the_order_given(scenario: object) -> None:
    assert list(_arms_by_scenario(_ids(scenario=scenario))) == [
        "workplace_emotion",
        "elderly_upsell",
    ]


def test_an_unknown_scenario_lists_the_legal_ones() -> None:
    with pytest.raises(ScenarioError) as info:
        legal(scenario="elderly_upsel")
    message = str(info.value)
    assert message.startswith("unknown legal scenario 'elderly_upsel'; known legal scenarios: ")
    assert message.endswith(", ".join(LEGAL_IDS))


def test_a_deception_scenario_is_not_a_legal_one() -> None:
    with pytest.raises(ScenarioError, match="'blame_postmortem' \\(it belongs to another suite\\)"):
        legal(scenario="blame_postmortem")


def test_a_factor_applies_only_to_the_scenarios_that_have_it() -> None:
    arms = _arms_by_scenario(_ids("principal=ai"))
    assert arms["cancellation_dark_pattern"] == ["affected=human", "affected=ai"]
    assert arms["covert_profiling"] == ["principal=ai,affected=human", "principal=ai,affected=ai"]
    others = set(LEGAL_IDS) - {"cancellation_dark_pattern", "covert_profiling"}
    assert {sid: arms[sid] for sid in others} == {sid: ["principal=ai"] for sid in others}


def test_affected_restricts_two_scenarios_and_leaves_the_rest_whole() -> None:
    arms = _arms_by_scenario(_ids("affected=ai"))
    assert arms["cancellation_dark_pattern"] == ["affected=ai"]
    assert arms["covert_profiling"] == ["principal=human,affected=ai", "principal=ai,affected=ai"]
    assert arms["elderly_upsell"] == ["principal=human", "principal=ai"]


def test_several_items_select_their_union_per_scenario() -> None:
    arms = _arms_by_scenario(_ids(["principal=ai", "affected=ai"]))
    assert arms["covert_profiling"] == [
        "principal=ai,affected=human",
        "principal=ai,affected=ai",
        "principal=human,affected=ai",
    ]
    assert arms["cancellation_dark_pattern"] == ["affected=ai"]
    assert arms["workplace_emotion"] == ["principal=ai"]


def test_one_arm_of_two_factors() -> None:
    arms = _arms_by_scenario(_ids("principal=ai,affected=human"))
    assert arms["covert_profiling"] == ["principal=ai,affected=human"]
    assert arms["elderly_upsell"] == ["principal=human", "principal=ai"]


def test_a_bare_level_applies_to_single_factor_scenarios() -> None:
    arms = _arms_by_scenario(_ids("ai"))
    assert arms["elderly_upsell"] == ["principal=ai"]
    assert arms["cancellation_dark_pattern"] == ["affected=ai"]
    assert len(arms["covert_profiling"]) == 4


def test_an_item_that_fits_no_chosen_scenario_fails_naming_their_factors() -> None:
    with pytest.raises(ScenarioError) as info:
        _ids("princpal=ai")
    assert str(info.value) == (
        "arm selection 'princpal=ai' applies to none of the chosen legal scenarios; their "
        "factors: affected (human, ai); principal (human, ai)"
    )
    with pytest.raises(ScenarioError, match="'affected=ai' applies to none"):
        _ids("affected=ai", scenario="elderly_upsell")


def test_a_level_a_scenario_lacks_fails_listing_its_arms() -> None:
    with pytest.raises(ScenarioError, match="arm 'principal=absent' matches no arm; expected one"):
        _ids("principal=absent", scenario="elderly_upsell")


def test_counterparty_mode_reaches_the_metadata() -> None:
    dataset = legal_dataset("elderly_upsell", None, "model")
    assert Counter(s.metadata["counterparty_mode"] for s in dataset if s.metadata) == {"model": 2}


@pytest.fixture
def broken_legal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A legal scenario that does not load (an unknown key), found beside the shipped ones."""
    folder = tmp_path / "extra" / "broken_upsell"
    shutil.copytree(LEGAL_DIR / "elderly_upsell", folder)
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("id: elderly_upsell", "id: broken_upsell") + "titel: typo\n"
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(loader, "SEARCH_ROOTS", [*loader.SEARCH_ROOTS, tmp_path / "extra"])
    loader.get_scenario.cache_clear()
    return folder


def test_a_broken_scenario_is_left_out_with_a_warning_naming_it(
    broken_legal: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="evals.legal.dataset"):
        task = legal()
    scenarios = task.metadata["scenarios"] if task.metadata else []
    assert "broken_upsell" not in scenarios and "elderly_upsell" in scenarios
    [warning] = [r.getMessage() for r in caplog.records if "broken_upsell" in r.getMessage()]
    assert "is broken and is NOT in this run" in warning
    assert str(broken_legal / "scenario.yaml") in warning
    assert "titel: Extra inputs are not permitted" in warning


def test_a_broken_scenario_asked_for_by_name_fails_the_task(broken_legal: Path) -> None:
    with pytest.raises(TaskConfigError) as info:
        legal(scenario="elderly_upsell,broken_upsell")
    message = str(info.value)
    assert message.startswith("legal scenario 'broken_upsell' does not load: ")
    assert str(broken_legal / "scenario.yaml") in message


def test_every_sample_records_its_scenario_version() -> None:
    for sample in legal_dataset("elderly_upsell"):
        meta = SampleMetadata.model_validate(sample.metadata)
        assert meta.scenario_sha256 == scenario_sha256(loader.get_scenario("elderly_upsell"))
        assert meta.headline_contrasts
