"""The legal suite's dataset: the chosen legal scenarios' samples, one per selected arm.

How scenarios and arm items are chosen across a suite is `evals.suite`, shared with deception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from inspect_ai.dataset import MemoryDataset

from evals.suite import suite_dataset

SUITE: Literal["legal"] = "legal"


def legal_dataset(
    scenario: str | Sequence[str] | None = None,
    arms: str | Sequence[str] | None = None,
    counterparty: Literal["scripted", "model"] | None = None,
) -> MemoryDataset:
    """The samples of the chosen legal scenarios (`evals.suite.suite_dataset`)."""
    return suite_dataset(SUITE, scenario, arms, counterparty)
