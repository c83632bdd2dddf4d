"""What every Sample carries in its metadata: the scenario and the arm's factor levels."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from scenarios.schema import Species


class SampleMetadata(BaseModel):
    """Sample metadata: enough to re-render the scenario and to group by arm."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario: str
    suite: Literal["deception", "legal"]
    arm: str
    levels: dict[str, str]
    """Factor -> level: a species ("human", "ai", "absent") or a condition's level name."""
    species: dict[str, Species]
    counterparty_mode: Literal["scripted", "model"] | None
    scenario_sha256: str | None = None
    """The scenario's content hash when the sample was created (`scenarios.loader.
    scenario_sha256`); None in logs written before it was recorded."""
    family: str | None = None
    """The scenario family this scenario is a variant of (`Scenario.family`); None when it
    declares none, and in logs written before it was recorded."""
    headline_contrasts: list[list[str]] | None = None
    """The scenario's declared headline contrasts (pairs of arm names; empty: none declared)
    when the sample was created, so a report reads them from the log, not today's files."""
    identity_seed: int | None = None
    """The run's identity seed (`-T identity_seed=`); None in logs written before pools."""
    identity_slot: int | None = None
    """This epoch's identity slot (0..k-1), written by the episode solver as the epoch starts;
    None in logs written before pools."""
    identity_slots: dict[str, int] = {}
    """Party name -> its identity slot in this epoch (parties' slots are crossed, so they may
    differ: `scenarios.loader.identity_slots`); {} in logs written before it was recorded, where
    every party was at `identity_slot`."""
    identities: dict[str, str] = {}
    """Party name -> the id of its identity in this epoch (`{"overseer": "h2"}`); {} in logs
    written before pools."""
