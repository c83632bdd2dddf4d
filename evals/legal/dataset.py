"""The legal suite's dataset: the chosen legal scenarios' samples, one per selected arm.

Arm items keep the meaning they have for one scenario (`scenarios.loader.select_arms`): an item
names an arm (`principal=ai`, or `principal=ai,affected=human` for an arm of two factors), several
items select their union, and a bare level (`ai`) stands for the level of a single factor. Across
scenarios an item applies to each scenario that has every factor it names (a bare level: each
scenario with one factor); a scenario to which no item applies keeps all its arms. An item that
applies to none of the chosen scenarios is an error, so a misspelt factor is never ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from inspect_ai.dataset import MemoryDataset, Sample

from evals.task_factory import scenario_dataset
from scenarios.loader import LoadedScenario, ScenarioError, load_all
from scenarios.schema import Scenario

SUITE = "legal"
logger = logging.getLogger(__name__)


def choose_scenarios(scenario: str | Sequence[str] | None) -> list[LoadedScenario]:
    """The named legal scenarios in the order given; every one that loads, sorted by id, when
    None.

    A scenario that does not load is left out of a run over the whole suite, with a warning
    naming its file and error, so one broken file does not stop the others; named explicitly,
    it fails the task.

    Raises:
        ScenarioError: for a name that is not a legal scenario (listing the known ones) or a
            named scenario that does not load (with its error).
    """
    everything = load_all()
    known = {
        sid: loaded
        for sid, loaded in everything.items()
        if isinstance(loaded, LoadedScenario) and loaded.spec.suite == SUITE
    }
    broken = {sid: err for sid, err in everything.items() if isinstance(err, ScenarioError)}
    raw = [scenario] if isinstance(scenario, str) else list(scenario or [])
    names = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    if not names:
        for sid, error in broken.items():
            logger.warning(
                f"scenario '{sid}' is broken and is NOT in this run (fix it, or run "
                f"`candor scenarios check`): {error}"
            )
        return [known[name] for name in sorted(known)]
    for name in names:
        if name in broken:
            raise ScenarioError(f"legal scenario '{name}' does not load: {broken[name]}")
        if name not in known:
            other = " (it belongs to another suite)" if name in everything else ""
            raise ScenarioError(
                f"unknown legal scenario '{name}'{other}; known legal scenarios: "
                f"{', '.join(sorted(known))}"
            )
    return [known[name] for name in dict.fromkeys(names)]


def arm_items(arms: str | Sequence[str] | None) -> list[str]:
    """Arm items as `select_arms` reads them: a list, or a string whose items are `;`-separated."""
    raw = [arms] if isinstance(arms, str) else list(arms or [])
    return [part.strip() for item in raw for part in item.split(";") if part.strip()]


def applies(spec: Scenario, item: str) -> bool:
    """Whether an arm item applies to a scenario: it has every factor the item names."""
    if "=" not in item:
        return len(spec.factors) == 1
    named = {pair.split("=", 1)[0].strip() for pair in item.split(",")}
    return named <= set(spec.factors)


def legal_dataset(
    scenario: str | Sequence[str] | None = None,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
) -> MemoryDataset:
    """The samples of the chosen legal scenarios, each restricted to the arm items that apply.

    Raises:
        ScenarioError: for an unknown scenario, an arm item that applies to none of the chosen
            scenarios (listing their factors), or a level a scenario does not have.
    """
    chosen = choose_scenarios(scenario)
    items = arm_items(arms)
    unused = [item for item in items if not any(applies(s.spec, item) for s in chosen)]
    if unused:
        factors = sorted(
            {
                f"{name} ({', '.join(level.value for level in factor.levels)})"
                for loaded in chosen
                for name, factor in loaded.spec.factors.items()
            }
        )
        raise ScenarioError(
            f"arm selection {', '.join(repr(item) for item in unused)} applies to none of the "
            f"chosen legal scenarios; their factors: {'; '.join(factors)}"
        )
    samples: list[Sample] = []
    for loaded in chosen:
        selection = [item for item in items if applies(loaded.spec, item)] or None
        samples.extend(scenario_dataset(loaded, selection, counterparty).samples)
    return MemoryDataset(samples=samples, name=SUITE, shuffled=False)
