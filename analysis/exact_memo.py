"""Exact results a report computed before, kept so the next report over the same tables reads
them instead of computing them.

Fisher's p-value and the conditional odds ratio with its exact interval are functions of a
table's four counts and the options alone, and finding the interval's ends costs dozens of
evaluations of the whole conditional distribution (`analysis.exact`, which needs numpy: a tenth
of a second to import in a new process). Within `kept()`, `analysis.stats` asks `remembered`
first; the results are kept in one JSON file under the cache directory, keyed by the source of
the code that computes them, so a change to that code starts a new file. Outside `kept()` (the
library, the tests, `--no-cache`) everything is computed.

A file that is not this user's, is larger than `MAX_BYTES`, does not parse or holds anything
but lists of floats is not believed (every result is then computed, and the file written again).
A kept result the code could not have computed (a p-value outside [0, 1], an interval whose
ends are out of order, a NaN: each caller says what it accepts) is computed again and the file
written again with it. Two reports ending together each write the results they used on top of
what the file holds then, so little is lost; what is lost is computed again, never wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from analysis.log_files import default_cache_dir, open_private, write_atomically

SOURCES = ("stats.py", "exact.py", "exact_memo.py")
"""The modules (in `analysis/`) whose code decides a kept result."""
MAX_ENTRIES = 20_000
"""A file grown past this keeps only the results its last report used."""
MAX_BYTES = 16 * 1024 * 1024
"""A larger file is not read (`MAX_ENTRIES` results take about 2 MiB)."""
Result = tuple[float, ...]


@dataclass
class _Memo:
    results: dict[str, Result]
    used: set[str] = field(default_factory=set)
    added: bool = False


_MEMO: ContextVar[_Memo | None] = ContextVar("candor_exact_memo", default=None)


def source_key() -> str:
    """The digest of the code the results come from (`SOURCES`)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in SOURCES:
        digest.update(name.encode("utf-8") + b"\0" + (here / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def memo_file(directory: Path | None = None) -> Path:
    """Where the results of the current code are kept."""
    return (directory or default_cache_dir()) / "exact" / f"results-{source_key()}.json"


def _read(path: Path) -> dict[str, Result]:
    handle = open_private(path)
    if handle is None:
        return {}
    try:
        with handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        return {}
    if len(raw) > MAX_BYTES:
        return {}
    try:
        found = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(found, dict):
        return {}
    results: dict[str, Result] = {}
    for key, value in found.items():
        if not (isinstance(value, list) and value and all(isinstance(x, float) for x in value)):
            return {}
        results[key] = tuple(value)
    return results


@contextlib.contextmanager
def kept(directory: Path | None = None) -> Iterator[None]:
    """Within it, exact results are read from and added to the file under `directory` (default:
    the cache directory); the file is written once, on leaving, if a result was added."""
    path = memo_file(directory)
    memo = _Memo(_read(path))
    token = _MEMO.set(memo)
    try:
        yield
    finally:
        _MEMO.reset(token)
        if memo.added:
            # what another report wrote meanwhile, under what this one used (believed as read:
            # each result is checked when it is used)
            results = {**_read(path), **memo.results}
            if len(results) > MAX_ENTRIES:
                results = {k: v for k, v in results.items() if k in memo.used}
            write_atomically(path, json.dumps(results, separators=(",", ":")).encode("utf-8"))


def remembered(
    key: str, size: int, compute: Callable[[], Result], valid: Callable[[Result], bool]
) -> Result:
    """The `size` numbers kept under `key` if `valid` accepts them, else `compute()` (kept,
    within `kept()`)."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    memo.used.add(key)
    found = memo.results.get(key)
    if found is None or len(found) != size or not valid(found):
        found = memo.results[key] = tuple(compute())
        memo.added = True
    return found
