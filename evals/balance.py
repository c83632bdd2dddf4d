"""A warning at task start when the epochs do not counterbalance the identity pools.

A task's epoch count is the eval's (`--epochs`), which the task itself cannot see when it is
built, so the check runs as an Inspect hook when each task starts. Candor's tasks record their
scenarios' pool sizes and the identity seed in the task metadata (`identity_pools`,
`identity_seed`); a task without them (not Candor's) is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from inspect_ai.hooks import Hooks, TaskStart, hooks

from scenarios.loader import balance_warning

logger = logging.getLogger(__name__)


def balance_warnings(metadata: Mapping[str, object] | None, epochs: int) -> list[str]:
    """One warning per scenario of the task whose pool size does not divide `epochs`."""
    pools = (metadata or {}).get("identity_pools")
    seed = (metadata or {}).get("identity_seed", 0)
    if not isinstance(pools, Mapping) or not isinstance(seed, int):
        return []
    found: list[str] = []
    for scenario, k in sorted(pools.items()):
        if isinstance(scenario, str) and isinstance(k, int):
            warning = balance_warning(scenario, k, epochs, seed)
            if warning is not None:
                found.append(warning)
    return found


@hooks(
    name="candor_identity_balance",
    description="Warns when a Candor task's epochs are not a multiple of an identity pool size.",
)
class IdentityBalance(Hooks):
    """Logs a warning per unbalanced scenario as a Candor task starts."""

    async def on_task_start(self, data: TaskStart) -> None:
        for warning in balance_warnings(data.spec.metadata, data.spec.config.epochs or 1):
            logger.warning(warning)
