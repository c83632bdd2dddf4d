"""Make the scorer fixture scenarios (and the shared `mini`) resolvable by id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scenarios import loader

SCORER_FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
SHARED_FIXTURES = Path(__file__).parents[1] / "fixtures" / "scenarios"


@pytest.fixture(autouse=True)
def scorer_scenarios(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(
        loader, "SEARCH_ROOTS", [*loader.SEARCH_ROOTS, SCORER_FIXTURES, SHARED_FIXTURES]
    )
    loader.get_scenario.cache_clear()
    yield
    loader.get_scenario.cache_clear()
