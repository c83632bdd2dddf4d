"""Fixtures shared by the whole suite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scenarios import loader

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the minimal fixture scenario."""
    target = tmp_path / "scenarios" / "mini"
    shutil.copytree(FIXTURES / "scenarios" / "mini", target)
    return target


@pytest.fixture
def fixture_scenarios(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the fixture scenarios resolvable by id (e.g. `mini`) for tasks and scorers."""
    monkeypatch.setattr(loader, "SEARCH_ROOTS", [*loader.SEARCH_ROOTS, FIXTURES / "scenarios"])
    loader.get_scenario.cache_clear()
    yield
    loader.get_scenario.cache_clear()
