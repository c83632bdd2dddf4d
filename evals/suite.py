"""A suite's task: the chosen scenarios of one suite, one sample per selected arm, one scorer.

Every suite (`deception`, `legal`) is one Inspect task taking `-T scenario=`; with none given it
covers every scenario of the suite found under the search roots (`scenarios.loader.discover`), so
adding a scenario is files under `scenarios/` and nothing else.

Arm items keep the meaning they have for one scenario (`scenarios.loader.select_arms`): an item
names an arm (`principal=ai`, or `principal=ai,affected=human` for an arm of two factors), several
items select their union, and a bare level (`ai`) stands for the level of the one factor that has
it. Across scenarios an item applies to each scenario that has every factor it names (a bare
level: each scenario where one factor has it); a scenario to which no item applies keeps all its
arms. An item that applies to none of the chosen scenarios is an error, so a misspelt factor is
never ignored.

A scenario file that does not load is left out of a run over the whole suite with a warning naming
it (the task's metadata lists the scenarios that ran); named in `scenario`, it fails the task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer

from evals.episode import episode
from evals.errors import one_line_errors
from evals.parameters import GraderParameters, IdentityParameters, grader_parameters, validated
from evals.preflight import check_roles_at_creation, preflight
from evals.task_factory import episode_parameters, identity_metadata, scenario_dataset
from scenarios.loader import LoadedScenario, ScenarioError, arm_items, item_applies, load_all

Suite = Literal["deception", "legal"]
logger = logging.getLogger(__name__)


def suite_scenarios(suite: Suite) -> list[str]:
    """The ids of the suite's scenarios that load, sorted: what a run over the suite covers."""
    return sorted(
        sid
        for sid, loaded in load_all().items()
        if isinstance(loaded, LoadedScenario) and loaded.spec.suite == suite
    )


def scenario_names(scenario: str | Sequence[str] | None) -> list[str]:
    """Scenario ids as given: a list, or a string whose items are comma-separated."""
    raw = [scenario] if isinstance(scenario, str) else list(scenario or [])
    return [part.strip() for item in raw for part in item.split(",") if part.strip()]


def choose_scenarios(suite: Suite, scenario: str | Sequence[str] | None) -> list[LoadedScenario]:
    """The named scenarios of the suite in the order given; every one that loads, sorted by id,
    when None.

    A scenario that does not load is left out of a run over the whole suite, with a warning
    naming its file and error, so one broken file does not stop the others; named explicitly,
    it fails the task.

    Raises:
        ScenarioError: for a name that is not a scenario of the suite (listing the known ones) or
            a named scenario that does not load (with its error).
    """
    everything = load_all()
    known = {
        sid: loaded
        for sid, loaded in everything.items()
        if isinstance(loaded, LoadedScenario) and loaded.spec.suite == suite
    }
    broken = {sid: err for sid, err in everything.items() if isinstance(err, ScenarioError)}
    names = scenario_names(scenario)
    if not names:
        for sid, error in broken.items():
            logger.warning(
                f"scenario '{sid}' is broken and is NOT in this run (fix it, or run "
                f"`candor scenarios check`): {error}"
            )
        if not known:
            raise ScenarioError(f"no {suite} scenario found under the search roots")
        return [known[name] for name in sorted(known)]
    for name in names:
        if name in broken:
            raise ScenarioError(f"{suite} scenario '{name}' does not load: {broken[name]}")
        if name not in known:
            other = " (it belongs to another suite)" if name in everything else ""
            raise ScenarioError(
                f"unknown {suite} scenario '{name}'{other}; known {suite} scenarios: "
                f"{', '.join(sorted(known))}"
            )
    return [known[name] for name in dict.fromkeys(names)]


def suite_dataset(
    suite: Suite,
    scenario: str | Sequence[str] | None = None,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    identity_seed: int = 0,
) -> MemoryDataset:
    """The samples of the chosen scenarios of the suite, each restricted to the arm items that
    apply; `identity_seed` seeds the counterbalanced identity order (`scenarios.loader.
    identity_slot`).

    Raises:
        ScenarioError: for an unknown scenario, an arm item that applies to none of the chosen
            scenarios (listing their factors), or a level a scenario does not have.
    """
    chosen = choose_scenarios(suite, scenario)
    items = arm_items(arms)
    unused = [item for item in items if not any(item_applies(s.spec, item) for s in chosen)]
    if unused:
        factors = sorted(
            {
                f"{name} ({', '.join(factor.levels)})"
                for loaded in chosen
                for name, factor in loaded.spec.factors.items()
            }
        )
        raise ScenarioError(
            f"arm selection {', '.join(repr(item) for item in unused)} applies to none of the "
            f"chosen {suite} scenarios; their factors: {'; '.join(factors)}"
        )
    samples: list[Sample] = []
    for loaded in chosen:
        selection = [item for item in items if item_applies(loaded.spec, item)] or None
        samples.extend(scenario_dataset(loaded, selection, counterparty, identity_seed).samples)
    return MemoryDataset(samples=samples, name=suite, shuffled=False)


def suite_task(
    suite: Suite,
    scorer: Callable[[GraderParameters], Scorer],
    *,
    scenario: str | Sequence[str] | None,
    arms: str | Sequence[str] | None,
    counterparty: Literal["scripted", "model"] | None,
    message_limit: int,
    token_limit: int | None,
    graders: str | Sequence[str],
    aggregation: Literal["majority", "unanimous"],
    name: str | None = None,
    identity_seed: int = 0,
) -> Task:
    """The Task over the chosen scenarios of a suite, graded by `scorer(grading)`.

    Bad `-T` values, scenario and arm names and templates fail here, before any model is called,
    as a `TaskConfigError` that `inspect eval` prints as one line. The task is named `name`,
    by default the suite.
    """
    grading = grader_parameters(graders, aggregation)  # a bad value fails here, as one line
    with one_line_errors():
        params = episode_parameters(
            list(arms) if isinstance(arms, tuple) else arms,
            counterparty,
            message_limit,
            token_limit,
        )
        seed = validated(IdentityParameters, identity_seed=identity_seed).identity_seed
        dataset = suite_dataset(suite, scenario, params.arms, params.counterparty, seed)
    check_roles_at_creation(params.counterparty, dataset)
    return Task(
        dataset=dataset,
        setup=preflight(params.counterparty, grading.graders, suite),
        solver=episode(counterparty=params.counterparty),
        scorer=scorer(grading),
        message_limit=params.message_limit,
        token_limit=params.token_limit,
        name=name or suite,
        metadata={
            "suite": suite,
            "scenarios": sorted({str((s.metadata or {})["scenario"]) for s in dataset}),
            **identity_metadata(dataset, seed),
        },
    )
