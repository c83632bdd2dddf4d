"""Compatibility only: the old task path `evals/performance_attestation` and its import.

The task is `candor/performance_attestation`, an alias made from the discovered scenario in
`evals/deception/deception.py`. Kept while bench/ and tests/integration use the old path;
delete the folder when they use the registered form. A new scenario needs no folder.
"""

from __future__ import annotations

from inspect_ai import Task, task

from evals.deception.deception import deception_task


@task
def performance_attestation(**params: object) -> Task:
    """`candor/deception -T scenario=performance_attestation`, same `-T` but `scenario`."""
    return deception_task("performance_attestation", **params)  # type: ignore[arg-type]
