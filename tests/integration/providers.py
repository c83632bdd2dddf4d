"""Which tasks and scenarios the integration tests run (the provider paths: `bench.providers`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from inspect_ai import Task

REPO = Path(__file__).resolve().parents[2]
EVALS = REPO / "evals"


def candor_tasks() -> dict[str, Callable[..., Task]]:
    """Every task `evals/<name>/<name>.py` defining `<name>` (a new suite joins by itself)."""
    found: dict[str, Callable[..., Task]] = {}
    for folder in sorted(p for p in EVALS.iterdir() if (p / f"{p.name}.py").is_file()):
        module = importlib.import_module(f"evals.{folder.name}.{folder.name}")
        found[folder.name] = getattr(module, folder.name)
    return found


def first_legal_scenario() -> str:
    """A legal scenario id, for a fast run of the legal task (one scenario, every arm)."""
    return sorted(p.parent.name for p in (REPO / "scenarios" / "legal").glob("*/scenario.yaml"))[0]
