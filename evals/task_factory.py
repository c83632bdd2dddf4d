"""Build an Inspect Task for a scenario: one Sample per arm, the episode solver, the grader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer

from evals.episode import episode
from evals.metadata import SampleMetadata
from scenarios.loader import LoadedScenario, get_scenario, select_arms, species_of


def sample_id(scenario_id: str, arm_name: str) -> str:
    """The sample id names scenario and arm, e.g. `blame_postmortem:overseer=ai`."""
    return f"{scenario_id}:{arm_name}"


def scenario_dataset(
    loaded: LoadedScenario,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
) -> MemoryDataset:
    """One Sample per selected arm; metadata carries every factor level and party species."""
    spec = loaded.spec
    mode = counterparty or (spec.counterparty.mode if spec.counterparty else None)
    samples = []
    for arm in select_arms(spec, arms):
        meta = SampleMetadata(
            scenario=spec.id,
            suite=spec.suite,
            arm=arm.name,
            levels=arm.levels,
            species=species_of(spec, arm),
            counterparty_mode=mode,
        )
        samples.append(
            Sample(
                id=sample_id(spec.id, arm.name),
                input=f"{spec.title} ({arm.name})",
                metadata=meta.model_dump(mode="json"),
            )
        )
    return MemoryDataset(samples=samples, name=spec.id, shuffled=False)


def scenario_task(
    scenario_id: str,
    *,
    arms: str | Sequence[str] | None,
    counterparty: Literal["scripted", "model"] | None,
    message_limit: int,
    token_limit: int | None,
    scorer: Scorer | list[Scorer] | None,
) -> Task:
    """The Task for one scenario. Bad arm names fail here, before any model is called."""
    loaded = get_scenario(scenario_id)
    return Task(
        dataset=scenario_dataset(loaded, arms, counterparty),
        solver=episode(counterparty=counterparty),
        scorer=scorer,
        message_limit=message_limit,
        token_limit=token_limit,
        name=scenario_id,
        metadata={"scenario": scenario_id, "suite": loaded.spec.suite},
    )
