"""Inspect's hook that writes a Candor log's outcome index as its task ends.

Registered through the `inspect_ai` entry point `candor_index` (pyproject), so every `inspect
eval` / `inspect eval-set` run where Candor is installed ends each task by reading its finished
log once and keeping the index beside it (`analysis.outcome_index`): a report or dashboard that
starts cold then reads the index instead of the log. It is written at the end of the task, not
sample by sample, because an outcome depends on what only the finished log records (its
completion time, its status, the grader models seen across its samples): an index written
earlier could differ from a reading of the log. Logs of other tasks are not read (their
header names no Candor scorer); a failure to write one is a warning, never the run's error.
`CANDOR_OUTCOME_INDEX=0` turns it off.
"""

from __future__ import annotations

import logging

import anyio
from inspect_ai.hooks import Hooks, TaskEnd, hooks

from analysis.logs import _SCORE_NAME
from analysis.outcome_index import enabled, write_index
from scenarios.balance_record import BALANCE_KEY

logger = logging.getLogger(__name__)


def _looks_candor(data: TaskEnd) -> bool:
    """A Candor scorer or Candor's identity-balance facts in the log's header: other tasks'
    logs (Candor installed beside other evals) are not read at all. A Candor log with neither
    (unscored, no pooled party) gets no index and is read itself, as without this hook."""
    spec = data.log.eval
    return any(_SCORE_NAME.match(s.name) for s in spec.scorers or []) or BALANCE_KEY in (
        spec.metadata or {}
    )


@hooks(
    name="candor_outcome_index",
    description="Keeps an outcome index beside each finished Candor .eval log, so reports and "
    "the dashboard read it instead of the log's summaries.",
)
class OutcomeIndexHook(Hooks):
    """Writes `LOG.candor-index` once a Candor task's log `LOG` is finished."""

    def enabled(self) -> bool:
        return enabled()

    async def on_task_end(self, data: TaskEnd) -> None:
        location = data.log.location
        if not location or data.log.status == "started" or not _looks_candor(data):
            return
        try:
            await anyio.to_thread.run_sync(write_index, location)
        except Exception as exc:  # noqa: BLE001 - an index only saves work; the run stands
            logger.warning("Candor could not write the outcome index of %s: %s", location, exc)
