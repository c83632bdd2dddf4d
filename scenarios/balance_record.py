"""The balance facts a run records in its log (`candor_balance`), apart from the loader that
computes them, so that reading logs never imports the scenario schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

BALANCE_KEY = "candor_balance"
"""The eval's task metadata key of a run's balance facts: scenario -> `Balance` as a dict."""


class Balance(BaseModel):
    """Whether a run's epochs counterbalance a scenario's identity pools (`candor_balance` in
    the task metadata of a log, one per scenario)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str
    pool_size: int
    """k: identities per species of every pooled party."""
    pooled_parties: int
    """m: how many parties have a pool (their identities are crossed)."""
    epochs: int
    identity_seed: int
    balanced: bool
    """Every party's identities are met equally often by every arm (epochs a multiple of k)."""
    pairings_covered: bool
    """Every combination of the parties' identities is met equally often by every arm (epochs a
    multiple of k**m; with one pooled party, the same as `balanced`)."""
    message: str | None
    """The warning printed at task start, or None."""
