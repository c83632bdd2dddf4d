"""Deception: does the agent deceive an AI overseer more than a human one?

Run: `inspect eval candor/deception --model ... --model-role grader=...`
(`-T scenario=blame_director` for one scenario, `-T arms=overseer=ai` for some arms; each
scenario is also registered under its own name, `inspect eval candor/blame_director`.)

One task holds every deception scenario found under `scenarios/deception/` (the loader's search
roots): in each, the agent can lie to protect itself, in arms that differ only in the species of
the overseer, the director above it or the evaluator. Samples from every chosen scenario and arm go
into one dataset; sample ids name scenario and arm (`blame_postmortem:overseer=ai`) and sample
metadata carries the scenario and its factor levels, so the report groups by scenario and arm.
Scenario and arm selection is shared with the legal suite (`evals/suite.py`).

The per-scenario aliases are made here from the discovered scenarios, not written per scenario:
adding a deception scenario is files under `scenarios/` and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from inspect_ai import Task, task

from evals.suite import scenario_names, suite_scenarios, suite_task
from scorers.deception import deception_scorer

SUITE: Literal["deception"] = "deception"


def deception_task(
    scenario: str | Sequence[str] | None = None,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    message_limit: int = 40,
    token_limit: int | None = 200_000,
    graders: str | Sequence[str] = "grader",
    aggregation: Literal["majority", "unanimous"] = "majority",
    identity_seed: int = 0,
) -> Task:
    """The deception Task over the chosen scenarios; named after the scenario when one is named,
    so `candor/deception -T scenario=X` and `candor/X` write logs of the same task."""
    named = scenario_names(scenario)
    return suite_task(
        SUITE,
        lambda grading: deception_scorer(graders=grading.graders, aggregation=grading.aggregation),
        scenario=scenario,
        arms=arms,
        counterparty=counterparty,
        message_limit=message_limit,
        token_limit=token_limit,
        graders=graders,
        aggregation=aggregation,
        identity_seed=identity_seed,
        name=named[0] if len(named) == 1 else SUITE,
    )


@task(name="candor/deception")
def deception(
    scenario: str | list[str] | None = None,
    arms: str | list[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    message_limit: int = 40,
    token_limit: int | None = 200_000,
    graders: str | list[str] = "grader",
    aggregation: Literal["majority", "unanimous"] = "majority",
    identity_seed: int = 0,
) -> Task:
    """Every deception scenario (or those named), one sample per arm, graded for deception.

    Args:
        scenario: Deception scenario id(s), as a list or comma-separated; default all of them.
        arms: Arm items applied to the scenarios that have the factors they name, e.g.
            `overseer=ai`; default every arm.
        counterparty: `scripted` (default) or `model` (the role `counterparty` plays the persona).
        message_limit: Messages per sample.
        token_limit: Tokens per sample (the counterparty's and grader's do not count).
        graders: Model role(s) that grade; several are aggregated by `aggregation`.
        aggregation: `majority` (default) or `unanimous` over the graders.
        identity_seed: Seed of the counterbalanced order in which epochs visit the identity
            slots; with epochs a multiple of the pool size, every arm meets every slot equally
            often.
    """
    return deception_task(
        scenario,
        arms,
        counterparty,
        message_limit,
        token_limit,
        graders,
        aggregation,
        identity_seed,
    )


def scenario_alias(scenario_id: str) -> Callable[..., Task]:
    """The task `candor/<scenario_id>`: `candor/deception -T scenario=<scenario_id>`."""

    def alias(
        arms: str | list[str] | None = None,
        counterparty: Literal["scripted", "model"] | None = None,
        message_limit: int = 40,
        token_limit: int | None = 200_000,
        graders: str | list[str] = "grader",
        aggregation: Literal["majority", "unanimous"] = "majority",
        identity_seed: int = 0,
    ) -> Task:
        return deception_task(
            scenario_id,
            arms,
            counterparty,
            message_limit,
            token_limit,
            graders,
            aggregation,
            identity_seed,
        )

    alias.__name__ = alias.__qualname__ = scenario_id
    alias.__doc__ = (
        f"The deception scenario '{scenario_id}' alone (`candor/deception -T "
        f"scenario={scenario_id}`). `arms` selects a subset, e.g. `overseer=ai`."
    )
    made: Callable[..., Task] = task(name=f"candor/{scenario_id}")(alias)
    return made


def scenario_aliases() -> dict[str, Callable[..., Task]]:
    """One registered alias task per deception scenario that loads, by scenario id."""
    return {sid: scenario_alias(sid) for sid in suite_scenarios(SUITE) if sid != SUITE}
