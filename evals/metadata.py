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
    levels: dict[str, Species]
    species: dict[str, Species]
    counterparty_mode: Literal["scripted", "model"] | None
