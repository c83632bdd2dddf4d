"""The `legal` task: one dataset over the chosen legal scenarios, arms applied per scenario."""

from __future__ import annotations

from collections import Counter

import pytest

from evals.legal.dataset import legal_dataset
from evals.legal.legal import legal
from scenarios.loader import ScenarioError
from tests.legal.conftest import LEGAL_IDS
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
    assert task.metadata == {"suite": "legal", "scenarios": ["elderly_upsell"]}


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
