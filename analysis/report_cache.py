"""Finished `candor report` outputs, kept so an unchanged report is printed without being
computed again.

An entry is the report's exact output (stdout, stderr, exit status) for one key: every log file
the report reads (its resolved path, in the order read, and its content identity: the SHA-256 of
its zip's central directory, which holds every member's CRC-32, or of its bytes), the grader
invariance result beside each log, the source of everything the report is computed from (the
`analysis`, `records` and `scenarios` packages, every file of them: code, YAML, templates), the
Python and library versions, and the options (output format, alternative, the plan and prices
files' paths and contents). Any change to any of them (a log re-graded with `inspect score` or
`candor grade`, a log added or removed, a scenario edited) is another key, so a miss.

This module uses the standard library only: a hit lists the logs, hashes their zip directories,
reads one file and prints it, without importing pydantic, numpy or the analysis itself.
An entry that cannot be read is ignored; one that cannot be written is skipped; writes are
atomic (a reader sees the old entry or the new one).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from analysis.eval_zip import directory_sha256
from analysis.log_files import (
    default_cache_dir,
    file_sha256,
    is_remote,
    local_log_files,
    read_private,
    write_atomically,
)

INVARIANCE_SUFFIX = ".invariance.json"
"""`records.invariance.RESULT_SUFFIX` (a test keeps them equal): importing it imports pydantic."""

_FORMAT = "candor-report-cache/1"
_PACKAGES = ("analysis", "records", "scenarios")
_LIBRARIES = ("pydantic", "pydantic_core", "numpy", "scipy", "pyyaml", "jinja2", "inspect_ai")
"""The installed distributions the report is computed with, by normalised name."""
_KEEP = 64
"""Entries kept: the oldest beyond this many are removed when one is written."""


@dataclass(frozen=True)
class CachedReport:
    """One finished report as it was printed."""

    stdout: str
    stderr: str
    code: int


def _source_sha256(root: Path) -> str:
    """Every file of the packages the report is computed from, by relative path and content."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for folder, dirs, names in os.walk(root / package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(names):
                if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                    continue
                path = Path(folder) / name
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    for installed in _installed_versions():
        digest.update(installed.encode() + b"\0")
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _installed_versions() -> list[str]:
    """The `*.dist-info` folders of the libraries in `_LIBRARIES` on `sys.path` (their names
    carry the versions): a listing, where `importlib.metadata` costs a tenth of a second to
    import."""
    found: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project = name.split("-", 1)[0].lower().replace(".", "_")
                if project in _LIBRARIES:
                    found.append(f"{entry}/{name}")
    return sorted(found)


def _content(path: Path) -> str:
    """A local file's content identity: its zip directory's SHA-256, else its bytes'."""
    return directory_sha256(path) or file_sha256(path)


def _optional_file(path: str | None) -> list[str] | None:
    if path is None:
        return None
    file = Path(path)
    try:
        return [path, file_sha256(file)]
    except OSError:
        return [path, "unreadable"]  # the report itself says what is wrong with it


def report_key(logs: list[str], options: dict[str, str | None]) -> str | None:
    """The cache key of a report over `logs` (as given) with `options`; None when the report
    cannot be cached (a remote log, or a file that cannot be read while hashing)."""
    if any(is_remote(given) for given in logs):
        return None
    root = Path(__file__).resolve().parents[1]
    inputs: list[object] = []
    try:
        for given in logs:
            path = Path(given.removeprefix("file://"))
            if path.is_file():
                files = [path]
            elif path.is_dir():
                files = local_log_files(path)
            else:
                inputs.append([given, "missing"])
                continue
            entries: list[object] = []
            for file in files:
                beside = Path(str(file) + INVARIANCE_SUFFIX)
                entries.append(
                    [
                        str(file),
                        str(file.resolve()),
                        _content(file),
                        file_sha256(beside) if beside.is_file() else None,
                    ]
                )
            inputs.append([given, "file" if path.is_file() else "dir", entries])
        shaped = {
            "format": _FORMAT,
            "source": _source_sha256(root),
            "logs": inputs,
            "options": {k: v for k, v in sorted(options.items()) if k not in ("plan", "prices")},
            "plan": _optional_file(options.get("plan")),
            "prices": _optional_file(options.get("prices")),
        }
    except OSError:
        return None
    return hashlib.sha256(json.dumps(shaped, sort_keys=True).encode()).hexdigest()


class ReportCache:
    """Finished reports, one JSON file per key under `directory/reports`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or default_cache_dir()) / "reports"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, key: str) -> CachedReport | None:
        """The report kept under `key`, or None if absent or unreadable."""
        try:
            raw = read_private(self._path(key))  # a report others may write is not printed
            if raw is None:
                return None
            data = json.loads(raw)
            report = CachedReport(stdout=data["stdout"], stderr=data["stderr"], code=data["code"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (
            isinstance(report.stdout, str)
            and isinstance(report.stderr, str)
            and isinstance(report.code, int)
            and not isinstance(report.code, bool)
        ):
            return None
        return report

    def put(self, key: str, report: CachedReport) -> None:
        """Keep `report` under `key` atomically, and drop the oldest entries beyond the limit."""
        body = {"stdout": report.stdout, "stderr": report.stderr, "code": report.code}
        if write_atomically(self._path(key), json.dumps(body).encode("utf-8")):
            self._prune()

    def _prune(self) -> None:
        entries: list[tuple[float, Path]] = []
        for path in self.directory.glob("*.json"):
            with contextlib.suppress(OSError):
                entries.append((path.stat().st_mtime, path))
        for _, path in sorted(entries)[:-_KEEP]:
            with contextlib.suppress(OSError):
                path.unlink()
