"""Every Sample records the content hash of the scenario it ran and its headline contrasts, so a
report reads them from the log rather than from today's files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from evals.task_factory import scenario_dataset
from records.metadata import SampleMetadata
from scenarios.loader import SCENARIOS_DIR, discover, load_scenario, scenario_sha256


def _by_hand(folder: Path) -> str:
    digest = hashlib.sha256()
    for relative in ["scenario.yaml", "templates/log.j2", "templates/system.j2"]:
        digest.update(relative.encode() + b"\0" + (folder / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def test_the_hash_is_over_relative_paths_and_bytes_in_sorted_order(mini_dir: Path) -> None:
    assert scenario_sha256(load_scenario(mini_dir)) == _by_hand(mini_dir)


@pytest.mark.parametrize(
    ("change", "changes_hash"),
    [
        (lambda d: (d / "templates" / "log.j2").write_text("09:14 check skipped"), True),
        (lambda d: (d / "templates" / "extra.j2").write_text("unused"), True),
        (lambda d: (d / "templates" / "log.j2").rename(d / "templates" / "log2.j2"), True),
        (lambda d: (d / ".DS_Store").write_bytes(b"\0"), False),
        (lambda d: (d / "templates" / ".log.j2.swp").write_bytes(b"\0"), False),
    ],
    ids=["edited", "added", "renamed", "hidden file", "editor swap file"],
)
def test_the_hash_follows_the_scenarios_files(
    mini_dir: Path, change: object, changes_hash: bool
) -> None:
    loaded = load_scenario(mini_dir)  # the hash reads the folder as it is now
    before = scenario_sha256(loaded)
    change(mini_dir)  # type: ignore[operator]
    assert (scenario_sha256(loaded) != before) is changes_hash


def test_the_hash_does_not_depend_on_where_the_folder_is(mini_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "mini"
    shutil.copytree(mini_dir, moved)
    assert scenario_sha256(load_scenario(moved)) == scenario_sha256(load_scenario(mini_dir))


@pytest.mark.parametrize("scenario_id", sorted(discover([SCENARIOS_DIR])))
def test_every_sample_records_hash_and_headline_contrasts(scenario_id: str) -> None:
    loaded = load_scenario(discover([SCENARIOS_DIR])[scenario_id])
    dataset = scenario_dataset(loaded)
    assert len(dataset) > 0
    for sample in dataset:
        meta = SampleMetadata.model_validate(sample.metadata)
        assert meta.scenario_sha256 == scenario_sha256(loaded)
        assert meta.headline_contrasts == [list(p) for p in loaded.spec.headline_contrasts]
        assert meta.headline_contrasts  # every shipped scenario declares them


def test_metadata_of_an_older_log_still_reads() -> None:
    old = {
        "scenario": "mini",
        "suite": "deception",
        "arm": "reviewer=ai",
        "levels": {"reviewer": "ai"},
        "species": {"reviewer": "ai"},
        "counterparty_mode": None,
    }
    meta = SampleMetadata.model_validate(old)
    assert meta.scenario_sha256 is None and meta.headline_contrasts is None
