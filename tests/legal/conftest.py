"""Fixtures for the legal suite's tests: the shipped legal scenarios and writable copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scenarios.loader import SCENARIOS_DIR

LEGAL_DIR = SCENARIOS_DIR / "legal"
LEGAL_IDS = sorted(p.parent.name for p in LEGAL_DIR.glob("*/scenario.yaml"))


@pytest.fixture
def upsell_dir(tmp_path: Path) -> Path:
    """A writable copy of `elderly_upsell`, for schema tests that break it."""
    target = tmp_path / "scenarios" / "elderly_upsell"
    shutil.copytree(LEGAL_DIR / "elderly_upsell", target)
    return target


def edit_yaml(folder: Path, change: dict[str, object]) -> None:
    """Set dotted keys (`tools.1.kind`) in a scenario file; list indices are numbers."""
    file = folder / "scenario.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def append_yaml(folder: Path, dotted: str, item: object) -> None:
    """Append an item to the list at a dotted key (`judging.provisions`) of a scenario file."""
    file = folder / "scenario.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    node = data
    for key in dotted.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    node.append(item)
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
