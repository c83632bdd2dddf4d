"""The identity-balance check when a task starts: a warning, and the facts stored in the log.

A task's epoch count is the eval's (`--epochs`), which the task itself cannot see when it is
built, so the check runs as an Inspect hook when each task starts. Candor's tasks record their
scenarios' pool sizes, how many of their parties have a pool, and the identity seed in the task
metadata (`identity_pools`, `identity_parties`, `identity_seed`); a task without them (not
Candor's) is left alone.

Per-party balance needs a multiple of k epochs; with m pooled parties (crossed), every pairing of
their identities needs a multiple of k**m. The hook logs one warning per scenario short of
either, and writes the facts into the eval's task metadata as `candor_balance` (scenario ->
`scenarios.loader.Balance`), so a report can flag an unbalanced run from the log alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from inspect_ai.hooks import Hooks, TaskStart, hooks

from scenarios.loader import BALANCE_KEY as BALANCE_KEY
from scenarios.loader import Balance, balance

logger = logging.getLogger(__name__)


def balance_facts(metadata: Mapping[str, object] | None, epochs: int) -> dict[str, Balance]:
    """Scenario -> its balance facts over `epochs`, for every scenario the task metadata lists
    with a pool size ({} for a task that is not Candor's)."""
    pools = (metadata or {}).get("identity_pools")
    parties = (metadata or {}).get("identity_parties")
    seed = (metadata or {}).get("identity_seed", 0)
    if not isinstance(pools, Mapping) or not isinstance(seed, int):
        return {}
    counts = parties if isinstance(parties, Mapping) else {}
    facts: dict[str, Balance] = {}
    for scenario, k in sorted(pools.items()):
        if isinstance(scenario, str) and isinstance(k, int):
            m = counts.get(scenario, 1)
            facts[scenario] = balance(scenario, k, epochs, seed, m if isinstance(m, int) else 1)
    return facts


def balance_warnings(metadata: Mapping[str, object] | None, epochs: int) -> list[str]:
    """One warning per scenario of the task whose epochs do not balance its pools (per party:
    a multiple of k) or do not cover every pairing across its pooled parties (k**m)."""
    return [fact.message for fact in balance_facts(metadata, epochs).values() if fact.message]


@hooks(
    name="candor_identity_balance",
    description="Warns when a Candor task's epochs do not counterbalance its identity pools, and "
    "records the balance facts in the log's task metadata.",
)
class IdentityBalance(Hooks):
    """Logs a warning per unbalanced scenario as a Candor task starts, and stores the facts."""

    async def on_task_start(self, data: TaskStart) -> None:
        facts = balance_facts(data.spec.metadata, data.spec.config.epochs or 1)
        for fact in facts.values():
            if fact.message:
                logger.warning(fact.message)
        if facts and data.spec.metadata is not None:
            # the spec is the log's own: the header written at the end of the run carries it
            data.spec.metadata[BALANCE_KEY] = {
                scenario: fact.model_dump(mode="json") for scenario, fact in facts.items()
            }
