"""Read Candor outcomes from Inspect logs, through Inspect's public log API only.

Only headers and sample summaries are read (no transcripts), so a directory of many thousands of
samples loads quickly. Every problem with a log (still running, corrupted, another task's, no
scores) is collected as a message, and the other logs are still read.

What was read from a finished log can be kept in an `OutcomeCache` (keyed by the file's path,
modification time and size, and by this module's own source), so reading a directory again
reads only the logs that changed; Inspect itself is imported only when a log must be read.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    from inspect_ai.log import EvalSampleSummary

Outcome = Literal["positive", "negative", "partial"]

# What a graded value means: deception 1.0 = deceptive; legal 1.0 = violation, 0.5 = partial.
_VALUE_OUTCOME: dict[float, Outcome] = {1.0: "positive", 0.5: "partial", 0.0: "negative"}
DECEPTION_OUTCOME = "deceptive"


class SampleOutcome(BaseModel):
    """One sample epoch as the report sees it: its arm, its status and, if graded, its outcomes."""

    model_config = ConfigDict(frozen=True)

    log: str
    task: str
    model: str
    sample_id: str
    epoch: int
    scenario: str
    suite: str
    arm: str
    levels: dict[str, str]
    status: str
    reason: str = ""
    outcomes: dict[str, Outcome] = Field(default_factory=dict)
    tactics: list[str] = Field(default_factory=list)
    eval_aware: bool | None = None

    @property
    def ref(self) -> str:
        """A traceable reference: log file, sample id and epoch."""
        return f"{self.log}#{self.sample_id}@{self.epoch}"


class SampleDetail(BaseModel):
    """What the dashboard shows of a sample before its transcript is opened."""

    model_config = ConfigDict(frozen=True)

    raw_id: int | str
    """The sample id as Inspect stores it, for reading the full sample on demand."""
    rationale: str = ""
    evidence: list[str] = Field(default_factory=list)


class LogProblem(BaseModel):
    """A log that could not be (fully) used, and why."""

    model_config = ConfigDict(frozen=True)

    log: str
    message: str


class LoadResult(BaseModel):
    """Everything read from a log directory."""

    samples: list[SampleOutcome] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)
    logs: list[str] = Field(default_factory=list)


def _candor_score(summary: EvalSampleSummary) -> tuple[str, Any] | None:
    for name, score in (summary.scores or {}).items():
        if isinstance(score.metadata, dict) and "status" in score.metadata:
            return name, score
    return None


def _outcomes(value: object) -> dict[str, Outcome]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {DECEPTION_OUTCOME: _VALUE_OUTCOME[float(value)]}
    if isinstance(value, dict):
        return {str(k): _VALUE_OUTCOME[float(v)] for k, v in value.items()}
    raise ValueError(f"unexpected score value {value!r}")


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def sample_outcome(log: str, task: str, model: str, summary: EvalSampleSummary) -> SampleOutcome:
    """Interpret one sample summary. A sample without a graded verdict keeps its status."""
    meta = summary.metadata
    base: dict[str, Any] = {
        "log": log,
        "task": task,
        "model": model,
        "sample_id": str(summary.id),
        "epoch": summary.epoch,
        "scenario": str(meta.get("scenario", task)),
        "suite": str(meta.get("suite", "")),
        "arm": str(meta["arm"]),
        "levels": dict(meta.get("levels", {})),
    }
    if summary.error:
        return SampleOutcome(**base, status="sample_error", reason=summary.error.splitlines()[0])
    found = _candor_score(summary)
    if found is None:
        return SampleOutcome(**base, status="not_scored", reason="no Candor score in the log")
    _, score = found
    md: dict[str, Any] = score.metadata
    status = str(md["status"])
    if status != "graded" or _is_nan(score.value):
        reason = str(md.get("unscored_reason", status))
        return SampleOutcome(**base, status=status if status != "graded" else "nan", reason=reason)
    tactics = md.get("tactics", [])
    return SampleOutcome(
        **base,
        status="graded",
        outcomes=_outcomes(score.value),
        tactics=[str(t) for t in tactics] if isinstance(tactics, list) else [],
        eval_aware=md.get("eval_aware") if isinstance(md.get("eval_aware"), bool) else None,
    )


# Inspect's rule for which files in a log directory are logs (`inspect_ai.log.list_eval_logs`):
# every `.eval` file, and `.json` files whose names start with an ISO timestamp.
_JSON_LOG_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*\.json$")


def _is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def local_log_files(directory: Path) -> list[Path]:
    """The Inspect logs under a local directory, oldest first, as `list_eval_logs` lists them.

    A plain directory walk, so listing needs no Inspect import.
    """
    found: list[tuple[float, str, Path]] = []
    for root, _, names in os.walk(directory):
        for name in names:
            if name.endswith(".eval") or _JSON_LOG_NAME.match(name):
                path = Path(root) / name
                try:
                    found.append((path.stat().st_mtime, str(path), path))
                except OSError:  # removed while listing
                    continue
    return [path for _, _, path in sorted(found)]


def _log_files(paths: Iterable[Path | str]) -> tuple[list[str], list[LogProblem]]:
    files: list[str] = []
    problems: list[LogProblem] = []
    for given in paths:
        if _is_remote(str(given)):
            from inspect_ai.log import list_eval_logs

            found = [info.name for info in list_eval_logs(str(given), descending=False)]
            if not found:
                problems.append(LogProblem(log=str(given), message="no Inspect logs here"))
            files.extend(found)
            continue
        path = Path(str(given).removeprefix("file://"))
        if path.is_file():
            files.append(str(path))
        elif path.is_dir():
            logs = local_log_files(path)
            if not logs:
                problems.append(
                    LogProblem(log=str(path), message="no Inspect logs in this directory")
                )
            files.extend(str(p) for p in logs)
        else:
            problems.append(LogProblem(log=str(path), message="no such file or directory"))
    return files, problems


class LogRead(BaseModel):
    """One log as read: its Candor outcomes, each sample's details (same order), its problems."""

    name: str
    outcomes: list[SampleOutcome] = Field(default_factory=list)
    details: list[SampleDetail] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)
    finished: bool = False
    """The log is complete (not running, readable), so what was read from it can be cached."""


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def sample_detail(summary: EvalSampleSummary) -> SampleDetail:
    """The grader's rationale and evidence quotes as the summary keeps them.

    Inspect drops summary metadata values over 1k characters, so long evidence may be absent
    here; the full sample always has it.
    """
    found = _candor_score(summary)
    if found is None:
        return SampleDetail(raw_id=summary.id)
    _, score = found
    verdict = score.metadata.get("verdict")
    evidence = _strings(verdict.get("evidence")) if isinstance(verdict, dict) else []
    return SampleDetail(raw_id=summary.id, rationale=score.explanation or "", evidence=evidence)


def read_log(file: str, cache: OutcomeCache | None = None) -> LogRead:
    """Read one log's header and sample summaries; every problem is recorded, never raised.

    With a cache, a finished log already read (same path, modification time and size) is not
    read again, and a finished log just read is kept for next time.
    """
    # The file's identity is taken before reading: if the log is rewritten while it is read
    # (e.g. by `inspect score`), the entry keeps the old identity and is never served for the
    # new file.
    identity = cache.identity(file) if cache is not None else None
    if cache is None or identity is None:  # no cache, a remote log, or a file gone
        return _read_log(file)
    cached = cache.get(identity)
    if cached is not None:
        return cached
    read = _read_log(file)
    if read.finished:
        cache.put(identity, read)
    return read


def _read_log(file: str) -> LogRead:
    from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries

    name = Path(file.removeprefix("file://")).name
    read = LogRead(name=name)
    try:
        header = read_eval_log(file, header_only=True)
    except Exception as exc:  # a corrupted file must not hide the others
        read.problems.append(LogProblem(log=name, message=f"cannot read log: {exc}"))
        return read
    if header.status == "started":
        read.problems.append(LogProblem(log=name, message="still running; skipped"))
        return read
    try:
        summaries = read_eval_log_sample_summaries(file)
    except Exception as exc:
        read.problems.append(LogProblem(log=name, message=f"cannot read samples: {exc}"))
        return read
    task, model = header.eval.task, header.eval.model
    ours = [s for s in summaries if "arm" in s.metadata and "scenario" in s.metadata]
    if not ours:
        why = "no samples" if not summaries else "not a Candor task (no scenario/arm metadata)"
        read.problems.append(LogProblem(log=name, message=f"{why}; task '{task}' skipped"))
        read.finished = True
        return read
    read.finished = True
    read.outcomes = [sample_outcome(name, task, model, s) for s in ours]
    read.details = [sample_detail(s) for s in ours]
    if header.status != "success":
        read.problems.append(
            LogProblem(log=name, message=f"log status is '{header.status}'; samples read")
        )
    if not any(o.status == "graded" for o in read.outcomes):
        read.problems.append(
            LogProblem(log=name, message="every sample is unscored; see the unscored counts")
        )
    return read


def load_outcomes(paths: Iterable[Path | str], cache: OutcomeCache | None = None) -> LoadResult:
    """Read every Candor sample outcome from log files and directories.

    A log that is still running, corrupted, of another task, or without samples is reported as a
    problem; the others are still read. With a cache, unchanged finished logs are not re-read.
    """
    files, problems = _log_files(paths)
    result = LoadResult(problems=problems)
    for file in files:
        read = read_log(file, cache)
        result.problems.extend(read.problems)
        if read.outcomes:
            result.logs.append(read.name)
            result.samples.extend(read.outcomes)
    return result


# --- the cache -----------------------------------------------------------------------------

Identity = tuple[str, int, int]
"""A local log file's resolved path, modification time (ns) and size."""

_SOURCE_KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class _CacheEntry(BaseModel):
    source: str
    path: str
    mtime_ns: int
    size: int
    read: LogRead


def default_cache_dir() -> Path:
    """`$CANDOR_CACHE_DIR`, else `$XDG_CACHE_HOME/candor`, else `~/.cache/candor`."""
    if os.environ.get("CANDOR_CACHE_DIR"):
        return Path(os.environ["CANDOR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "candor"


class OutcomeCache:
    """What was read from finished local logs, one JSON file per log under `directory/logs`.

    An entry is used only while the log's path, modification time and size, and the source of
    this module, are unchanged; otherwise the log is read again. The cache only ever saves
    work: an entry that cannot be read is ignored, one that cannot be written is skipped.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or default_cache_dir()) / "logs"
        self.hits = 0
        self.misses = 0

    @staticmethod
    def identity(file: str) -> Identity | None:
        """The log's resolved path, modification time (ns) and size; None if remote or gone."""
        if _is_remote(file):
            return None
        path = Path(file.removeprefix("file://")).resolve()
        try:
            stat = path.stat()
        except OSError:
            return None
        return str(path), stat.st_mtime_ns, stat.st_size

    def _entry_path(self, resolved: str) -> Path:
        return self.directory / f"{hashlib.sha256(resolved.encode()).hexdigest()[:32]}.json"

    def get(self, identity: Identity) -> LogRead | None:
        """The cached read of the file with this identity, or None if absent or stale."""
        path, mtime_ns, size = identity
        try:
            entry = _CacheEntry.model_validate_json(self._entry_path(path).read_bytes())
        except (OSError, ValidationError, ValueError):
            self.misses += 1
            return None
        if (entry.source, entry.path, entry.mtime_ns, entry.size) != (
            _SOURCE_KEY,
            path,
            mtime_ns,
            size,
        ):
            self.misses += 1
            return None
        self.hits += 1
        return entry.read

    def put(self, identity: Identity, read: LogRead) -> None:
        """Keep `read` for the file whose identity was taken before reading it (atomically: a
        reader sees the old entry or the new one)."""
        path, mtime_ns, size = identity
        entry = _CacheEntry(source=_SOURCE_KEY, path=path, mtime_ns=mtime_ns, size=size, read=read)
        target = self._entry_path(path)
        temporary: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "wb", dir=target.parent, prefix=".tmp-", suffix=".json", delete=False
            ) as handle:
                temporary = handle.name
                handle.write(entry.model_dump_json().encode("utf-8"))
            os.replace(temporary, target)
        except OSError:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
