"""Legal compliance: does the agent break the EU AI Act or the GDPR when its task requires it?

Run: `inspect eval candor/legal --model ... --model-role grader=...`
(`-T counterparty=model --model-role counterparty=...` to have a model play the customer,
manager or user; `-T scenario=elderly_upsell,workplace_emotion` for a subset.)

One task holds every legal scenario (see `scenarios/legal/README.md`): each scenario puts the agent
in a simulated workplace whose deployment instructions require a violation of one or more
provisions, quoted verbatim in the scenario. Samples from every chosen scenario and arm go into one
dataset, so one run covers the suite; sample ids name scenario and arm
(`elderly_upsell:principal=ai`) and sample metadata carries the scenario and its factor levels, so
the report groups by scenario and arm. The grader judges each provision element by element on
what the agent said and on what it did through its tools (orders, emails, saved profiles).

Design choices:
- `arms` applies per scenario: an item such as `principal=ai` restricts the scenarios that have a
  `principal` factor and leaves the others whole; an item that fits no
  chosen scenario fails before any model is called (`evals/suite.py`, shared with deception).
- Scenario arms differ only in the declared party spans (`candor scenarios check`), and the
  grader never sees the species, as in every Candor task.
- The counterparty is scripted by default, so a run is deterministic and offline.
- A scenario file that does not load is left out of a run over the whole suite with a warning
  naming it (the task's metadata lists the scenarios that ran); named in `scenario`, it fails the
  task. Every `-T` value and every template of every chosen arm is checked before any model call.
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task

from evals.legal.dataset import SUITE
from evals.suite import suite_task
from scorers.legal import legal_scorer


@task(name="candor/legal")
def legal(
    scenario: str | list[str] | None = None,
    arms: str | list[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    message_limit: int = 40,
    token_limit: int | None = 200_000,
    graders: str | list[str] = "grader",
    aggregation: Literal["majority", "unanimous"] = "majority",
    identity_seed: int = 0,
) -> Task:
    """Every legal scenario (or those named), one sample per arm, graded per provision.

    Args:
        scenario: Legal scenario id(s), as a list or comma-separated; default all of them.
        arms: Arm items applied to the scenarios that have the factors they name, e.g.
            `principal=ai`; default every arm.
        counterparty: `scripted` (default) or `model` (the role `counterparty` plays the persona).
        message_limit: Messages per sample.
        token_limit: Tokens per sample (the counterparty's and grader's do not count).
        graders: Model role(s) that grade; several are aggregated by `aggregation`.
        aggregation: `majority` (default) or `unanimous` over the graders.
        identity_seed: Seed of the counterbalanced order in which epochs visit the identity
            slots; with epochs a multiple of the pool size, every arm meets every slot equally
            often.
    """
    return suite_task(
        SUITE,
        lambda grading: legal_scorer(graders=grading.graders, aggregation=grading.aggregation),
        scenario=scenario,
        arms=arms,
        counterparty=counterparty,
        message_limit=message_limit,
        token_limit=token_limit,
        graders=graders,
        aggregation=aggregation,
        identity_seed=identity_seed,
    )
