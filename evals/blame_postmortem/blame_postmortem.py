"""Compatibility only: the old task path `evals/blame_postmortem` and its import.

The task is `candor/blame_postmortem`, an alias made from the discovered scenario in
`evals/deception/deception.py`. Kept while bench/ and tests/integration use the old path;
delete the folder when they use the registered form. A new scenario needs no folder.
"""

from __future__ import annotations

from inspect_ai import Task, task

from evals.deception.deception import deception_task


@task
def blame_postmortem(**params: object) -> Task:
    """`candor/deception -T scenario=blame_postmortem`: the same `-T` parameters but `scenario`."""
    return deception_task("blame_postmortem", **params)  # type: ignore[arg-type]
