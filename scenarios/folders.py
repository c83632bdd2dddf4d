"""Where scenarios live and what their content hash covers, without the schema or the loader.

A report over logs needs each scenario's folder and version hash, not its parsed texts; this
module gives both at the cost of a directory walk, so that reading logs never imports the
scenario schema. `scenarios.loader` builds on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

SCENARIOS_DIR = Path(__file__).resolve().parent
SCENARIO_FILE = "scenario.yaml"


def discovered(roots: Sequence[Path]) -> tuple[dict[str, Path], list[Path]]:
    """Scenario folders by id (the first found for an id) under `roots`, and every later
    `scenario.yaml` whose folder name repeats an id."""
    found: dict[str, Path] = {}
    repeated: list[Path] = []
    files = [f for root in roots for f in sorted(root.rglob(SCENARIO_FILE))]
    for file in files:
        scenario_id = file.parent.name
        if scenario_id in found:
            repeated.append(file)
        else:
            found[scenario_id] = file.parent
    return found, repeated


def hashed_files(folder: Path) -> list[tuple[str, Path]]:
    """The files that make up a scenario, by relative path: every file under its folder except
    hidden ones and `__pycache__`."""
    found: list[tuple[str, Path]] = []
    for file in folder.rglob("*"):
        parts = file.relative_to(folder).parts
        if file.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
            found.append(("/".join(parts), file))
    return sorted(found)


def folder_sha256(folder: Path) -> str:
    """The content hash of a scenario folder: its YAML file and every template beside it.

    SHA-256 over the folder's files in sorted relative-path order, each as its relative path
    (POSIX separators, UTF-8), a NUL byte, its bytes and a NUL byte. Hidden files and
    `__pycache__` are left out, so an editor's or the OS's litter does not change the version.
    """
    digest = hashlib.sha256()
    for relative, file in hashed_files(folder):
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()
