"""Fixtures shared by the whole suite."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.outcome_index import DISABLE_ENV
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


@pytest.fixture(autouse=True)
def _private_outcome_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test gets its own outcome cache, never the user's `~/.cache/candor`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CANDOR_CACHE_DIR", str(tmp_path_factory.mktemp("candor-cache")))
        yield


@pytest.fixture(autouse=True, scope="session")
def _no_outcome_index() -> Iterator[None]:
    """Runs write no outcome index unless a test asks for one (`outcome_index_on`): the suite's
    tests of reading logs read the logs themselves. `tests/analysis/test_outcome_index.py` runs
    the same kinds of runs with the index on and compares."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DISABLE_ENV, "0")
        yield


@pytest.fixture
def outcome_index_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inspect runs in this test (in this process or started by it) write outcome indexes."""
    monkeypatch.setenv(DISABLE_ENV, "1")


@pytest.fixture(autouse=True)
def _collector_given_back() -> Iterator[None]:
    """What a test's `candor report` (run in this process) or catalogue put out of the
    collector's reach (`analysis.heap.keep_for_good`) is given back after it."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True, scope="session")
def _inspect_banner_first(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Inspect prints a banner naming the enabled hooks (Candor's identity-balance check) on a
    process's first eval; one eval here, before any test, keeps it out of every test's output."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import get_model

    import evals.balance  # noqa: F401 -- the hook Inspect names in its banner
    from tests.helpers import text

    model = get_model("mockllm/model", custom_outputs=[text("ok")], memoize=False)
    inspect_eval(
        Task(dataset=[Sample(input="hello")]),
        model=model,
        log_dir=str(tmp_path_factory.mktemp("banner")),
        display="none",
    )
