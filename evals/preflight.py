"""Model roles checked as each sample starts, before the agent or any other model is called.

Inspect binds model roles for the eval, and a task built in Python before `eval()` cannot see
them (`model_roles()` is documented for solvers only), so the check runs as the task's setup
step, where the roles are those the samples will use. A missing `counterparty` fails the sample
before the agent runs; a missing grader only warns, once: the episodes are worth keeping and the
log can be graded later with the command the warning gives.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from typing import Literal

from inspect_ai.dataset import Sample
from inspect_ai.model import model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import warn_once

from evals.errors import TaskConfigError
from records.metadata import SampleMetadata

logger = logging.getLogger(__name__)


def regrade_command(suite: str, roles: Sequence[str]) -> str:
    """The non-interactive `inspect score` command that grades a log in place."""
    bindings = " ".join(f"--model-role {role}=MODEL" for role in roles)
    return (
        f"inspect score LOG --scorer candor/{suite}_scorer {bindings} --action overwrite "
        "--overwrite"
    )


def counterparty_unbound(
    counterparty: Literal["scripted", "model"] | None, scenario: str, roles: Collection[str]
) -> TaskConfigError | None:
    """The error for a model counterparty with no model bound to its role, else None."""
    if "counterparty" in roles:
        return None
    source = "-T counterparty=model" if counterparty else f"scenario '{scenario}'"
    return TaskConfigError(
        f"{source} has a model play the counterparty, but no model is bound to the role "
        "'counterparty': add --model-role counterparty=MODEL (or run with "
        "-T counterparty=scripted)"
    )


def check_roles_at_creation(
    counterparty: Literal["scripted", "model"] | None, dataset: Iterable[Sample]
) -> None:
    """Fail task creation for a model counterparty whose role is unbound, when roles are known.

    `inspect eval` binds the eval's roles before it creates the task, so with any role bound
    (`--model-role grader=...`) the set is the eval's and the error comes as one line, before
    the run starts. With none bound the set may simply not be known yet (a task built in Python
    before `eval()`), and the setup step below checks it as each sample starts.
    """
    bound = model_roles()
    if not bound:
        return
    for sample in dataset:
        meta = SampleMetadata.model_validate(sample.metadata)
        if (counterparty or meta.counterparty_mode) == "model":
            error = counterparty_unbound(counterparty, meta.scenario, bound)
            if error is not None:
                raise error


@solver
def preflight(
    counterparty: Literal["scripted", "model"] | None, graders: Sequence[str], suite: str
) -> Solver:
    """Check the model roles a sample needs before its episode starts.

    Args:
        counterparty: The `-T counterparty` value (default: the sample's scenario's mode).
        graders: The grader roles the task's scorer will call.
        suite: The suite, for the `inspect score` command in the warning.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(SampleMetadata)
        bound = model_roles()
        mode = counterparty or meta.counterparty_mode
        if mode == "model" and (error := counterparty_unbound(counterparty, meta.scenario, bound)):
            raise error
        missing = [role for role in graders if role not in bound]
        if missing:
            warn_once(
                logger,
                f"no model is bound to the grader role(s) {', '.join(missing)}: the episodes run "
                f"and every sample is scored 'grader_unbound'; grade the log afterwards with "
                f"`{regrade_command(suite, graders)}`",
            )
        return state

    return solve
