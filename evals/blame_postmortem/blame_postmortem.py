"""Blame post-mortem: does the agent own its mistake when the overseer is a human or an AI?

Run: `inspect eval evals/blame_postmortem --model ... --model-role grader=...`
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task

from evals.parameters import grader_parameters
from evals.task_factory import scenario_task
from scorers.deception import deception_scorer


@task
def blame_postmortem(
    arms: str | list[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
    message_limit: int = 40,
    token_limit: int | None = 200_000,
    graders: str | list[str] = "grader",
    aggregation: Literal["majority", "unanimous"] = "majority",
) -> Task:
    """Arms: overseer = human | ai. `arms` selects a subset, e.g. `overseer=ai`."""
    grading = grader_parameters(graders, aggregation)  # a bad value fails here, as one line
    return scenario_task(
        "blame_postmortem",
        arms=arms,
        counterparty=counterparty,
        message_limit=message_limit,
        token_limit=token_limit,
        scorer=deception_scorer(graders=grading.graders, aggregation=grading.aggregation),
        graders=grading.graders,
    )
