"""The scenario facts a report needs, kept per scenario version (`analysis.scenario_facts`).

The kept path runs only in a process that has not imported the loader, so each check runs a
new Python process, as `candor report` does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.scenario_facts import ScenarioFacts, _loaded_facts, scenario_facts
from scenarios.folders import SCENARIOS_DIR, folder_sha256
from scenarios.loader import discover, get_scenario, scenario_sha256

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from pathlib import Path
import scenarios.folders as folders
roots = [a for a in sys.argv[2:] if not a.startswith("--")]
if roots:
    folders.SCENARIOS_DIR = Path(roots[0])
from analysis import scenario_facts as sf
ids = sys.argv[1].split(",")
if "--not-kept" in sys.argv:
    with sf.nothing_kept():
        found = {i: sf.scenario_facts(i) for i in ids}
else:
    found = {i: sf.scenario_facts(i) for i in ids}
print(json.dumps({
    "facts": {i: None if f is None else f.model_dump(mode="json") for i, f in found.items()},
    "loader_imported": "scenarios.loader" in sys.modules,
}))
"""


def _probe(cache: Path, ids: list[str], *extra: str) -> dict[str, object]:
    env = {**os.environ, "CANDOR_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(ids), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout)
    return found


SHIPPED = sorted(discover([SCENARIOS_DIR]))


def test_kept_facts_are_the_loaders_and_a_second_process_reads_them_back(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    wanted = {i: _loaded_facts(i) for i in SHIPPED}
    assert all(f is not None for f in wanted.values())
    expected = {i: f.model_dump(mode="json") for i, f in wanted.items() if f is not None}
    first = _probe(cache, SHIPPED)
    assert first["facts"] == expected
    assert first["loader_imported"] is True  # nothing kept yet: loaded, then kept
    assert len(list((cache / "scenarios").glob("*.json"))) == len(SHIPPED)
    second = _probe(cache, SHIPPED)
    assert second["facts"] == expected
    assert second["loader_imported"] is False


def test_the_facts_match_the_loader_field_by_field() -> None:
    for scenario_id in SHIPPED:
        facts = scenario_facts(scenario_id)
        spec = get_scenario(scenario_id).spec
        assert facts == ScenarioFacts(
            sha256=scenario_sha256(get_scenario(scenario_id)),
            headline_contrasts=[tuple(p) for p in spec.headline_contrasts],
            pool_size=spec.pool_size(),
            factor_parties={n: f.party for n, f in spec.factors.items() if f.party is not None},
            pooled_parties=[n for n, p in spec.parties.items() if p.pool_size() > 1],
        )


@pytest.fixture
def scenarios_copy(tmp_path: Path) -> Path:
    """A copy of the shipped scenario tree (the kept path reads `SCENARIOS_DIR` only)."""
    target = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _edit_a_template(folder: Path) -> None:
    template = sorted(folder.rglob("*.j2")) or sorted(folder.rglob("*.md"))
    assert template, f"{folder}: no template to edit"
    template[0].write_text(template[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _edit_the_yaml(folder: Path) -> None:
    yaml_file = folder / "scenario.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _add_a_file(folder: Path) -> None:
    (folder / "notes.txt").write_text("a new file in the folder", encoding="utf-8")


@pytest.mark.parametrize("edit", [_edit_a_template, _edit_the_yaml, _add_a_file])
def test_an_edited_scenario_is_loaded_again(
    edit: object, scenarios_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    folder = next(scenarios_copy.rglob("blame_postmortem/scenario.yaml")).parent
    before = _probe(cache, ["blame_postmortem"], str(scenarios_copy))
    assert _probe(cache, ["blame_postmortem"], str(scenarios_copy))["loader_imported"] is False
    assert callable(edit)
    edit(folder)
    after = _probe(cache, ["blame_postmortem"], str(scenarios_copy))
    assert after["loader_imported"] is True
    facts = after["facts"]
    assert isinstance(facts, dict) and isinstance(before["facts"], dict)
    assert facts["blame_postmortem"]["sha256"] == folder_sha256(folder)
    assert facts["blame_postmortem"]["sha256"] != before["facts"]["blame_postmortem"]["sha256"]


def test_a_broken_or_unknown_scenario_has_no_facts(scenarios_copy: Path, tmp_path: Path) -> None:
    folder = next(scenarios_copy.rglob("blame_postmortem/scenario.yaml")).parent
    (folder / "scenario.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    twice = scenarios_copy / "legal" / "blame_director"
    shutil.copytree(next(scenarios_copy.rglob("blame_director/scenario.yaml")).parent, twice)
    found = _probe(
        tmp_path / "cache",
        ["blame_postmortem", "no_such_scenario", "blame_director"],
        str(scenarios_copy),
    )
    assert found["facts"] == {
        "blame_postmortem": None,
        "no_such_scenario": None,
        "blame_director": None,
    }
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_no_cache_keeps_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    found = _probe(cache, SHIPPED, "--not-kept")
    assert found["loader_imported"] is True
    assert not cache.exists()


@pytest.mark.parametrize("shared", ["file", "folder"])
def test_facts_others_may_write_are_not_believed(shared: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = _probe(cache, ["blame_postmortem"])["facts"]
    [kept] = (cache / "scenarios").glob("blame_postmortem-*.json")
    forged = json.loads(kept.read_text(encoding="utf-8"))
    forged["pool_size"] = 1
    kept.write_text(json.dumps(forged), encoding="utf-8")
    (kept if shared == "file" else kept.parent).chmod(0o666 if shared == "file" else 0o777)
    again = _probe(cache, ["blame_postmortem"])
    assert again["loader_imported"] is True
    assert again["facts"] == expected
