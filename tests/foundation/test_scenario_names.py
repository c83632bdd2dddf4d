"""Scenario names that would clash in Inspect's registry or in discovery fail as a broken
scenario with a message naming the file, and never hide the other scenarios or the tasks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scenarios import loader
from scenarios.loader import RESERVED_IDS, LoadedScenario, ScenarioError, load_all

SOURCE = loader.SCENARIOS_DIR / "deception" / "blame_postmortem"


def _copy(root: Path, suite: str, new_id: str) -> Path:
    folder = root / suite / new_id
    shutil.copytree(SOURCE, folder)
    spec = folder / loader.SCENARIO_FILE
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("id: blame_postmortem\n", f"id: {new_id}\n"), "utf-8")
    return folder


@pytest.fixture
def extra_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "more"
    monkeypatch.setattr(loader, "SEARCH_ROOTS", [*loader.SEARCH_ROOTS, root])
    loader.get_scenario.cache_clear()
    yield root
    loader.get_scenario.cache_clear()


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_a_registered_name_is_not_a_scenario_id(extra_root: Path, reserved: str) -> None:
    folder = _copy(extra_root, "deception", reserved)
    found = load_all()
    broken = found[reserved]
    assert isinstance(broken, ScenarioError)
    assert str(folder / loader.SCENARIO_FILE) in str(broken)
    assert f"candor/{reserved}" in str(broken)
    assert isinstance(found["blame_postmortem"], LoadedScenario)


@pytest.mark.parametrize("suite", ["deception", "legal"])
def test_a_folder_name_used_twice_breaks_only_that_name(extra_root: Path, suite: str) -> None:
    repeat = _copy(extra_root, suite, "blame_director")
    found = load_all()
    errors = {k: v for k, v in found.items() if isinstance(v, ScenarioError)}
    assert set(errors) == {"blame_director", f"blame_director ({repeat / loader.SCENARIO_FILE})"}
    assert all("used twice" in str(e) for e in errors.values())
    assert isinstance(found["blame_postmortem"], LoadedScenario)
    with pytest.raises(ScenarioError, match="used twice"):
        loader.get_scenario("blame_director")
    assert loader.get_scenario("blame_postmortem").id == "blame_postmortem"


def test_a_repeated_folder_name_leaves_the_registry_working(tmp_path: Path) -> None:
    """The registry imports the scenario list at entry-point time: a duplicate in a shipped root
    must not unregister the tasks and the offline providers."""
    root = tmp_path / "more"
    _copy(root, "legal", "blame_postmortem")
    code = (
        "import sys; from scenarios import loader; "
        f"loader.SEARCH_ROOTS.append(__import__('pathlib').Path({str(root)!r})); "
        "import evals._registry as r; "
        "print(sorted(r.SCENARIO_ALIASES)); "
        "from inspect_ai._util.registry import registry_lookup; "
        "print(registry_lookup('task', 'candor/legal') is not None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    aliases, legal = done.stdout.strip().splitlines()
    assert "blame_postmortem" not in aliases and "blame_director" in aliases
    assert legal == "True"
