"""Build an Inspect Task for a scenario: one Sample per arm, the episode solver, the grader.

Everything that can be wrong before a model is called fails here, as one line: `-T` values, arm
names, and every template of every selected arm, which is rendered once while the dataset is
built (a template that does not render would otherwise fail every sample, after the run began).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer

import evals.balance  # noqa: F401 -- registers the identity-balance hook
from evals.episode import episode
from evals.errors import one_line_errors
from evals.parameters import EpisodeParameters, validated
from evals.preflight import check_roles_at_creation, preflight
from records.metadata import SampleMetadata
from scenarios.loader import (
    LoadedScenario,
    ScenarioError,
    get_scenario,
    pooled_parties,
    render,
    scenario_sha256,
    select_arms,
    slot_assignments,
    species_of,
)


def sample_id(scenario_id: str, arm_name: str) -> str:
    """The sample id names scenario and arm, e.g. `blame_postmortem:overseer=ai`."""
    return f"{scenario_id}:{arm_name}"


def scenario_dataset(
    loaded: LoadedScenario,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    identity_seed: int = 0,
) -> MemoryDataset:
    """One Sample per selected arm; metadata carries every factor level and party species, the
    scenario's content hash, its headline contrasts and the identity seed. Each epoch's
    identity slot and identities are written into the sample's metadata by the episode solver
    (`evals.episode`), so every epoch of the log carries its own assignment.

    Raises:
        ScenarioError: for an arm that matches none, or a text that does not render in an arm
            (naming the file and the template variable).
    """
    spec = loaded.spec
    mode = counterparty or (spec.counterparty.mode if spec.counterparty else None)
    if mode == "model" and (spec.counterparty is None or spec.counterparty.persona is None):
        raise ScenarioError(
            f"-T counterparty=model: scenario '{spec.id}' declares no counterparty persona for a "
            f"model to play ({loaded.file}: counterparty.persona); use -T counterparty=scripted"
        )
    version = scenario_sha256(loaded)
    headline = [list(pair) for pair in spec.headline_contrasts]
    samples = []
    for arm in select_arms(spec, arms):
        for slots in slot_assignments(spec):
            render(loaded, arm, slots)  # every text of every pairing, before any model call
        meta = SampleMetadata(
            scenario=spec.id,
            suite=spec.suite,
            arm=arm.name,
            levels=arm.levels,
            species=species_of(spec, arm),
            counterparty_mode=mode,
            scenario_sha256=version,
            family=spec.family,
            headline_contrasts=headline,
            identity_seed=identity_seed,
        )
        samples.append(
            Sample(
                id=sample_id(spec.id, arm.name),
                input=f"{spec.title} ({arm.name})",
                metadata=meta.model_dump(mode="json"),
            )
        )
    return MemoryDataset(samples=samples, name=spec.id, shuffled=False)


def identity_metadata(dataset: Iterable[Sample], identity_seed: int) -> dict[str, object]:
    """The task metadata the identity-balance check reads at task start (`evals.balance`): each
    scenario's identity pool size k, how many of its parties have a pool (their identities are
    crossed), and the identity seed. The check adds `candor_balance` once the epochs are known."""
    scenarios = sorted({str((s.metadata or {})["scenario"]) for s in dataset})
    specs = {scenario: get_scenario(scenario).spec for scenario in scenarios}
    return {
        "identity_pools": {scenario: spec.pool_size() for scenario, spec in specs.items()},
        "identity_parties": {
            scenario: len(pooled_parties(spec)) for scenario, spec in specs.items()
        },
        "identity_seed": identity_seed,
    }


def episode_parameters(
    arms: object, counterparty: object, message_limit: object, token_limit: object
) -> EpisodeParameters:
    """The episode's `-T` values, validated (see `evals.parameters`)."""
    return validated(
        EpisodeParameters,
        arms=arms,
        counterparty=counterparty,
        message_limit=message_limit,
        token_limit=token_limit,
    )


def scenario_task(
    scenario_id: str,
    *,
    arms: str | Sequence[str] | None,
    counterparty: Literal["scripted", "model"] | None,
    message_limit: int,
    token_limit: int | None,
    scorer: Scorer | list[Scorer] | None,
    graders: Sequence[str] = ("grader",),
    identity_seed: int = 0,
) -> Task:
    """The Task for one scenario.

    Bad `-T` values, arm names and templates fail here, before any model is called, as a
    `TaskConfigError` that `inspect eval` prints as one line. `graders` are the roles the
    scorer calls, checked (with a warning) as each sample starts.
    """
    with one_line_errors():
        params = episode_parameters(
            list(arms) if isinstance(arms, tuple) else arms,
            counterparty,
            message_limit,
            token_limit,
        )
        loaded = get_scenario(scenario_id)
        dataset = scenario_dataset(loaded, params.arms, params.counterparty, identity_seed)
    check_roles_at_creation(params.counterparty, dataset)
    return Task(
        dataset=dataset,
        setup=preflight(params.counterparty, list(graders) if scorer else [], loaded.spec.suite),
        solver=episode(counterparty=params.counterparty),
        scorer=scorer,
        message_limit=params.message_limit,
        token_limit=params.token_limit,
        name=scenario_id,
        metadata={
            "scenario": scenario_id,
            "suite": loaded.spec.suite,
            **identity_metadata(dataset, identity_seed),
        },
    )
