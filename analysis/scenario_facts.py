"""What a report needs from the current scenario files, kept per scenario version.

The report checks recorded versions and headline contrasts against the current scenario files
and reads each scenario's pools and factor parties. Loading a scenario means importing its
schema, lexicon and templating (a fifth of a second in a new process), for five small facts.
`scenario_facts` keeps those facts in a JSON file under the cache directory, keyed by the
scenario folder's content hash (`scenarios.folders.folder_sha256`) and by the source of the code
that derives them; a new process whose scenario files and code are unchanged reads them back
without importing the loader. Where the loader is already imported (the dashboard, the tests,
an Inspect run), it is asked directly, with its own search roots.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from analysis.log_files import default_cache_dir, read_private, write_atomically
from scenarios import folders

_KEEP: ContextVar[bool] = ContextVar("candor_keep_scenario_facts", default=True)


@contextlib.contextmanager
def nothing_kept() -> Iterator[None]:
    """Within it, facts are neither read from nor written to the cache (`--no-cache`)."""
    token = _KEEP.set(False)
    try:
        yield
    finally:
        _KEEP.reset(token)


class ScenarioFacts(BaseModel):
    """A scenario's facts as its current files give them."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    headline_contrasts: list[tuple[str, str]] = []
    pool_size: int = 1
    factor_parties: dict[str, str] = {}
    """Each species factor's name → its party."""
    pooled_parties: list[str] = []
    """The parties with a pool of more than one identity, in declaration order."""


def _source_key() -> str:
    """The code the facts derive from: every module and data file at the top of `scenarios/`
    (schema, loader, lexicon, name styles) and this module."""
    digest = hashlib.sha256()
    top = sorted(
        p for p in folders.SCENARIOS_DIR.iterdir() if p.suffix in (".py", ".yaml") and p.is_file()
    )
    for path in [*top, Path(__file__)]:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _loaded_facts(scenario_id: str) -> ScenarioFacts | None:
    """The facts through the loader (imported here if it is not yet)."""
    from scenarios.loader import ScenarioError, get_scenario, pooled_parties, scenario_sha256

    try:
        loaded = get_scenario(scenario_id)
        sha = scenario_sha256(loaded)
    except (ScenarioError, OSError):
        return None
    spec = loaded.spec
    return ScenarioFacts(
        sha256=sha,
        headline_contrasts=[(a, b) for a, b in spec.headline_contrasts],
        pool_size=spec.pool_size(),
        factor_parties={n: f.party for n, f in spec.factors.items() if f.party is not None},
        pooled_parties=pooled_parties(spec),
    )


def scenario_facts(scenario_id: str) -> ScenarioFacts | None:
    """The current files' facts of a scenario; None where they give none (an unknown id, a
    folder name used twice, a scenario that does not load: `candor scenarios check` says why)."""
    if _loader_first() or not _KEEP.get():
        return _loaded_facts(scenario_id)
    return _kept_facts(scenario_id)


@cache
def _loader_first() -> bool:
    """The loader was imported before the first facts were asked for (so its search roots and
    its cache, which tests and tools may change, are the ones to follow); decided once, so
    that the loader imported by a first miss does not turn the later ones away from the cache."""
    return "scenarios.loader" in sys.modules


@cache
def _kept_facts(scenario_id: str) -> ScenarioFacts | None:
    """The facts from the cache file of the scenario's current version, else loaded and kept."""
    known, repeated = folders.discovered([folders.SCENARIOS_DIR])
    folder = known.get(scenario_id)
    if folder is None or any(f.parent.name == scenario_id for f in repeated):
        return None
    try:
        sha = folders.folder_sha256(folder)
        entry = default_cache_dir() / "scenarios" / f"{scenario_id}-{sha[:16]}-{_source_key()}.json"
    except OSError:
        return _loaded_facts(scenario_id)
    kept = read_private(entry)  # facts others may write are not believed
    try:
        found = None if kept is None else ScenarioFacts.model_validate_json(kept)
        if found is not None and found.sha256 == sha:
            return found
    except (ValidationError, ValueError):
        pass
    facts = _loaded_facts(scenario_id)
    if facts is not None and facts.sha256 == sha:  # unchanged while it loaded
        write_atomically(entry, facts.model_dump_json().encode("utf-8"))
    return facts
