"""Read Candor outcomes from Inspect logs, through Inspect's public log API only.

Only headers and sample summaries are read (no transcripts), so a directory of many thousands of
samples loads quickly. Every problem with a log (still running, corrupted, another task's, no
scores) is collected as a message, and the other logs are still read; a sample whose score or
metadata has a shape the reader does not know is `unreadable`, with the reason. A log is taken
as Candor's only when it is recognised positively (a Candor scorer and a status of the closed
set in `records.statuses`).

What was read from a finished log can be kept in an `OutcomeCache` (keyed by the file's path
and a SHA-256 of its content, and by this module's own source), so reading a directory again
reads only the logs that changed; Inspect itself is imported only when a log must be read.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import math
import operator
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_args

from pydantic import BaseModel, ConfigDict, Field

from analysis.construct import constructor, positional
from analysis.eval_zip import (
    DamagedLog,
    LogHeader,
    ScoredLike,
    ScoreLike,
    SummaryLike,
    directory_sha256,
    read_eval_zip,
    utc_time,
)
from analysis.identity import (
    GraderIdentity,
    RecordedBalance,
    called_models,
    grader_identity,
    recorded_balance,
    run_key,
)
from analysis.invariance import read_invariance
from analysis.log_files import default_cache_dir as default_cache_dir
from analysis.log_files import file_sha256 as file_sha256
from analysis.log_files import is_remote, read_private, write_atomically
from analysis.log_files import local_log_files as local_log_files
from analysis.usage import TokenUsage, usage_by_role
from records.dimensions import declared
from records.invariance import InvarianceResult
from records.statuses import STATUSES
from scenarios.balance_record import BALANCE_KEY

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog

Outcome = Literal["positive", "negative", "partial"]
T = TypeVar("T")

# What a graded value means: deception 1.0 = deceptive; legal 1.0 = violation, 0.5 = partial.
_VALUE_OUTCOME: dict[float, Outcome] = {1.0: "positive", 0.5: "partial", 0.0: "negative"}
DECEPTION_OUTCOME = "deceptive"


# A Candor score is recognised positively: its name is a Candor scorer's (Inspect appends `1`,
# `2`... when `inspect score --action append` adds a score of the same name; `-1` elsewhere)
# and its status is one of the closed set in `records.statuses`.
CANDOR_SCORERS = ("deception_scorer", "legal_scorer")
_SCORE_NAME = re.compile(rf"^(?:candor/)?({'|'.join(CANDOR_SCORERS)})(?:-?\d+)?$")
_SUITES = ("deception", "legal")

ReaderStatus = Literal["sample_error", "not_scored", "unreadable"]
"""Statuses the reader gives where the log holds no usable Candor score."""
READER_STATUSES: tuple[ReaderStatus, ...] = get_args(ReaderStatus)
INCOMPLETE_STATUSES = frozenset(
    {
        *READER_STATUSES,
        "grader_unbound",
        "grader_error",
        "grader_refused",
        "grader_unparseable",
        "grader_out_of_schema",
    }
)
"""A copy with one of these holds no complete grading: another copy of the same episode wins."""


class AnswerCheck(BaseModel):
    """The scorer's answer check of one sample, as its score recorded it."""

    model_config = ConfigDict(frozen=True)

    all_correct: bool | None = None
    """Every declared answer correct (None: not recorded)."""
    correct: int | None = None
    """The items marked correct."""
    wrong: int | None = None
    """The items stating another value, or a unit that does not convert (None: a log written
    before the check counted them apart)."""
    unreadable: int | None = None
    """The items holding no one readable value (None as for `wrong`)."""
    missing: int | None = None
    """The items never submitted (None as for `wrong`)."""
    total: int | None = None
    """The items (None: not recorded)."""


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
    dimensions: dict[str, bool | list[str]] = Field(default_factory=dict)
    """Each declared verdict dimension the score records (`records/dimensions.yaml`): a flag's
    truth, a tally's values. A dimension the log does not record (older logs) is absent."""
    run: str = ""
    """The run this episode belongs to (see `analysis.identity.run_key`)."""
    completed_at: str | None = None
    graded_at: str | None = None
    """When the counted Candor score was written (its metadata's `graded_at`, UTC ISO 8601); None
    where the log records none (graded before it was recorded, or never graded)."""
    log_completed_at: str | None = None
    """When the log's eval finished, as its header records it (`stats.completed_at`)."""
    grader: GraderIdentity | None = None
    """How it was graded; None when the log records no Candor grading for it."""
    scenario_sha256: str | None = None
    """The scenario version the sample ran, as recorded; None in older logs."""
    headline_contrasts: list[tuple[str, str]] | None = None
    """The scenario's headline contrasts as recorded when it ran; None in older logs."""
    identity_slot: int | None = None
    """The counterbalancing identity slot of this epoch (the first pooled party's); None where
    the log records none."""
    identity_slots: dict[str, int] = Field(default_factory=dict)
    """Party → its identity slot in this epoch (pooled parties' slots are crossed, so they
    differ); empty in logs that record only `identity_slot`, where every party wore that slot."""
    identities: dict[str, str] = Field(default_factory=dict)
    """Party → identity id met in this epoch (e.g. `{"overseer": "h2"}`); empty where none."""
    usage: dict[str, TokenUsage] = Field(default_factory=dict)
    """Role (`target`, `grader`, `counterparty`, …) → the tokens it spent on this sample
    (`analysis.usage.usage_by_role`); empty where the log records none."""

    def flag(self, name: str) -> bool | None:
        """A flag dimension's truth; None when not recorded."""
        value = self.dimensions.get(name)
        return value if isinstance(value, bool) else None

    def tally(self, name: str) -> list[str]:
        """A tally dimension's values; empty when not recorded."""
        value = self.dimensions.get(name)
        return value if isinstance(value, list) else []

    family: str | None = None
    """The scenario family recorded in the sample metadata; None when not recorded."""
    round_verdicts: list[str | None] | None = None
    """The grader's label for every round, where the scenario is judged round by round; None
    for a round that could not be decided (its cut tied or failed)."""
    round_corrections: list[bool | None] | None = None
    """For every round, whether it explicitly corrects an earlier lapse (None: undecided, or
    not recorded by the log)."""
    answers: AnswerCheck | None = None
    """The scorer's own answer check (None: no answer key). Read whatever the grader's status:
    the check needs no model. One field, not six: an outcome of 30 fields or fewer keeps them
    in a dict sharing its keys with every other outcome's (a third of the size)."""

    @property
    def ref(self) -> str:
        """A traceable reference: log file, sample id and epoch."""
        return f"{self.log}#{self.sample_id}@{self.epoch}"

    @property
    def episode(self) -> tuple[str, str, str, str, int]:
        """One episode of one run: every copy of it (re-graded, retried) has the same key."""
        return self.run, self.task, self.model, self.sample_id, self.epoch

    @property
    def complete(self) -> bool:
        """The copy holds a complete grading (see `INCOMPLETE_STATUSES`)."""
        return self.status not in INCOMPLETE_STATUSES

    def __reduce__(self) -> tuple[Callable[..., SampleOutcome], tuple[object, ...]]:
        # pickled as its values in field order, not as a dict of names: a fifth smaller, and
        # an outcome cache entry is read back in two thirds of the time
        return _unpickled_outcome, _outcome_values(self)


class SampleDetail(BaseModel):
    """What the dashboard shows of a sample before its transcript is opened."""

    model_config = ConfigDict(frozen=True)

    raw_id: int | str
    """The sample id as Inspect stores it, for reading the full sample on demand."""
    rationale: str = ""
    evidence: list[str] = Field(default_factory=list)

    def __reduce__(self) -> tuple[Callable[..., SampleDetail], tuple[object, ...]]:
        return _unpickled_detail, _detail_values(self)  # as `SampleOutcome` is pickled


class LogProblem(BaseModel):
    """A log (or one sample of it, named in `log` as `file#id@epoch`) that could not be (fully)
    used, and why."""

    model_config = ConfigDict(frozen=True)

    log: str
    message: str


class LoadResult(BaseModel):
    """Everything read from a log directory."""

    samples: list[SampleOutcome] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)
    logs: list[str] = Field(default_factory=list)
    invariance: list[InvarianceResult] = Field(default_factory=list)
    """`candor grader invariance` results found beside the logs."""
    declared_balance: dict[str, dict[str, RecordedBalance]] = Field(default_factory=dict)
    """Run -> scenario -> the identity balance the run declared (`candor_balance` in its log's
    task metadata); a run whose logs do not record it is absent."""

    def add(self, read: LogRead) -> None:
        """Take in one log as read (its outcomes, problems and declared balance)."""
        self.problems.extend(read.problems)
        if read.outcomes:
            self.logs.append(read.name)
            self.samples.extend(read.outcomes)
            if read.balance:
                self.declared_balance.setdefault(read.run, {}).update(read.balance)

    def merge(self, other: LoadResult) -> None:
        """Take in another result's logs (the invariance results are not merged)."""
        self.samples.extend(other.samples)
        self.problems.extend(other.problems)
        self.logs.extend(other.logs)
        for run, facts in other.declared_balance.items():
            self.declared_balance.setdefault(run, {}).update(facts)


def candor_scores(summary: ScoredLike) -> list[tuple[str, ScoreLike]]:
    """A sample's Candor scores in the order they were added (each grading's, a re-grade
    appended with `inspect score --action append` after the grading before it)."""
    found: list[tuple[str, ScoreLike]] = []
    for name, score in (summary.scores or {}).items():
        metadata = score.metadata if isinstance(score.metadata, dict) else {}
        if _SCORE_NAME.match(name) and metadata.get("status") in STATUSES:
            found.append((name, score))
    return found


def candor_score(summary: ScoredLike) -> tuple[str, ScoreLike] | None:
    """The most recent complete Candor score of a sample (scores are kept in the order they
    were added), else the most recent Candor score, if any: a re-grade appended with `inspect
    score --action append` that failed does not hide the grading before it."""
    found = candor_scores(summary)
    for name, score in reversed(found):
        metadata = score.metadata if isinstance(score.metadata, dict) else {}
        if metadata.get("status") not in INCOMPLETE_STATUSES:
            return name, score
    return found[-1] if found else None


def _value_outcome(value: object) -> Outcome:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"score value {value!r} is not a number")
    outcome = _VALUE_OUTCOME.get(float(value))
    if outcome is None:
        raise ValueError(f"score value {value!r} is not one of 0, 0.5, 1")
    return outcome


def _outcomes(value: object) -> dict[str, Outcome]:
    if isinstance(value, dict):
        if not value:
            raise ValueError("score value is an empty mapping")
        found = {str(k): _value_outcome(v) for k, v in value.items()}
    else:
        found = {DECEPTION_OUTCOME: _value_outcome(value)}
    return _shared(("outcomes", *found.items()), found)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _pairs(value: object) -> list[tuple[str, str]] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(a, str) for a in p)
        for p in value
    ):
        raise ValueError(f"headline_contrasts {value!r} is not a list of arm pairs")
    return [(str(a), str(b)) for a, b in value]


_SHARED: dict[tuple[object, ...], Any] = {}
_KEPT_SHARED = 1 << 16


def _shared(key: tuple[object, ...], value: T) -> T:
    """One object for every equal value of `key` (a kind and the value's items, hashable).

    A sample's levels, identities, slots, headline contrasts, outcomes and dimensions repeat
    from sample to sample of an arm: at 100,000 samples a copy each is a third of the memory.
    The models holding them are frozen and nothing changes them, so equal values share one
    object. The first value seen for a key is kept (a copy, so the caller's may change)."""
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _KEPT_SHARED:
            _SHARED.clear()
        found = _SHARED[key] = copy.copy(value)
    return cast(T, found)


def _headline_pairs(value: object) -> list[tuple[str, str]] | None:
    pairs = _pairs(value)
    return None if pairs is None else _shared(("headline", *pairs), pairs)


def _sample_base(log: str, task: str, model: str, summary: SummaryLike) -> dict[str, Any]:
    meta = summary.metadata
    levels = meta.get("levels", {})
    if not isinstance(levels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in levels.items()
    ):
        raise ValueError(f"metadata 'levels' {levels!r} is not a mapping of factor to level")
    sha = meta.get("scenario_sha256")
    if sha is not None and not isinstance(sha, str):
        raise ValueError(f"metadata 'scenario_sha256' {sha!r} is not a string")
    slot = meta.get("identity_slot")
    if slot is not None and (isinstance(slot, bool) or not isinstance(slot, int) or slot < 0):
        raise ValueError(f"metadata 'identity_slot' {slot!r} is not a non-negative integer")
    identities = meta.get("identities") or {}
    if not isinstance(identities, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in identities.items()
    ):
        raise ValueError(f"metadata 'identities' {identities!r} is not a mapping of party to id")
    slots = meta.get("identity_slots") or {}
    if not isinstance(slots, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in slots.items()
    ):
        raise ValueError(
            f"metadata 'identity_slots' {slots!r} is not a mapping of party to a non-negative "
            "integer slot"
        )
    return {
        "identity_slot": slot,
        "identity_slots": _shared(("slots", *slots.items()), slots),
        "identities": _shared(("identities", *identities.items()), identities),
        "log": log,
        "task": task,
        "model": model,
        "sample_id": str(summary.id),
        "epoch": summary.epoch,
        "scenario": str(meta.get("scenario", task)),
        "suite": str(meta.get("suite", "")),
        "arm": str(meta["arm"]),
        "levels": _shared(("levels", *levels.items()), levels),
        "completed_at": summary.completed_at,
        "scenario_sha256": None if sha is None else sys.intern(sha),  # one per scenario
        "headline_contrasts": _headline_pairs(meta.get("headline_contrasts")),
        "family": meta["family"] if isinstance(meta.get("family"), str) else None,
    }


_construct_outcome = constructor(SampleOutcome)
_construct_detail = constructor(SampleDetail)
_construct_answers = constructor(AnswerCheck)
_outcome_values = operator.attrgetter(*SampleOutcome.model_fields)
_detail_values = operator.attrgetter(*SampleDetail.model_fields)
_unpickled_outcome = positional(SampleOutcome, "_unpickled_outcome", __name__)
"""A pickled `SampleOutcome` built again from its values (every field, in order)."""
_unpickled_detail = positional(SampleDetail, "_unpickled_detail", __name__)
"""A pickled `SampleDetail` built again from its values (every field, in order)."""


def _built(**fields: Any) -> SampleOutcome:
    """A `SampleOutcome` from fields `sample_outcome` has already checked one by one (each of its
    type: the reader's checks above, models built by their own constructors), without
    validating them a second time: at 100,000 samples validation is most of the reading."""
    return _construct_outcome(**fields)


def sample_outcome(
    log: str,
    task: str,
    model: str,
    summary: SummaryLike,
    *,
    run: str = "",
    grader_models: dict[str, str] | None = None,
    role_models: dict[str, str] | None = None,
    log_completed_at: str | None = None,
) -> SampleOutcome:
    """Interpret one sample summary. A sample without a graded verdict keeps its status; one
    whose score or metadata has a shape the reader does not know is `unreadable`, with the
    reason naming what was found.

    Args:
        log: The log's file name.
        task: The task name.
        model: The model under test.
        summary: The sample summary.
        run: The run key (`analysis.identity.run_key`).
        grader_models: Role → model seen in this log, for samples that reached no grader.
        role_models: Role → model bound in the log header, to tell the target's tokens from
            a role's on the same model.
        log_completed_at: The log header's completion time.
    """
    try:
        base = _sample_base(log, task, model, summary)
    except ValueError as exc:
        return _built(
            log=log,
            task=task,
            model=model,
            sample_id=str(summary.id),
            epoch=summary.epoch,
            scenario=str(summary.metadata.get("scenario", task)),
            suite=str(summary.metadata.get("suite", "")),
            arm=str(summary.metadata.get("arm", "")),
            levels={},
            status="unreadable",
            reason=str(exc),
            run=run,
        )
    base["run"] = run
    base["log_completed_at"] = log_completed_at or None
    base["usage"] = usage_by_role(summary.model_usage, summary.role_usage, model, role_models or {})
    if summary.error:
        return _built(**base, status="sample_error", reason=summary.error.splitlines()[0])
    found = candor_score(summary)
    if found is None:
        return _built(**base, status="not_scored", reason="no Candor score in the log")
    name, score = found
    md: dict[str, Any] = score.metadata or {}
    graded_at = md.get("graded_at")
    base["graded_at"] = graded_at if isinstance(graded_at, str) else None
    try:
        base["grader"] = grader_identity(md, grader_models or {})
        status = str(md["status"])
        if status != "graded":
            if not _is_nan(score.value):
                raise ValueError(f"unscored status '{status}' with score value {score.value!r}")
            return _built(
                **base,
                **_answer_check(md),
                status=status,
                reason=str(md.get("unscored_reason", "")),
            )
        outcomes = _outcomes(score.value)
    except ValueError as exc:
        return _built(**base, status="unreadable", reason=f"score '{name}': {exc}")
    rounds = md.get("round_verdicts")
    return _built(
        **base,
        **_answer_check(md),
        status="graded",
        outcomes=outcomes,
        dimensions=_dimensions(md),
        round_verdicts=_round_labels(rounds),
        round_corrections=_round_corrections(md.get("round_corrections"), rounds),
    )


def _round_labels(rounds: object) -> list[str | None] | None:
    """Each round's label (None: the round was undecided), or None without rounds."""
    if not isinstance(rounds, list):
        return None
    return [None if r is None else str(r) for r in rounds]


def _round_corrections(corrections: object, rounds: object) -> list[bool | None] | None:
    """Each round's correction flag; None per round where it is not recorded."""
    if not isinstance(rounds, list):
        return None
    if not isinstance(corrections, list) or len(corrections) != len(rounds):
        return [None] * len(rounds)
    return [c if isinstance(c, bool) else None for c in corrections]


def _answer_check(md: dict[str, Any]) -> dict[str, Any]:
    """The scorer's own answer check from the score metadata, whatever the grader's status
    (fields of the expected type only; none without a check)."""
    answers = md.get("answer_check")
    if not isinstance(answers, dict):
        return {}
    found: dict[str, Any] = {}
    if isinstance(answers.get("all_correct"), bool):
        found["all_correct"] = answers["all_correct"]
    items = answers.get("items")
    results = list(items.values()) if isinstance(items, dict) else []
    for key in ("correct", "wrong", "unreadable", "missing", "total"):
        value = answers.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            found[key] = value
        elif key != "total" and results and all(isinstance(r, str) for r in results):
            # a log written before the check counted its results apart still lists every item's
            found[key] = sum(r == key for r in results)
    return {"answers": _construct_answers(**found)} if found else {}


def _dimensions(md: dict[str, Any]) -> dict[str, bool | list[str]]:
    """Every declared dimension of the score metadata that has its kind's shape."""
    found: dict[str, bool | list[str]] = {}
    for d in declared().dimensions:
        value = md.get(d.name)
        if d.kind == "flag" and isinstance(value, bool):
            found[d.name] = value
        elif d.kind == "tally" and isinstance(value, list):
            found[d.name] = [str(v) for v in value]
    key = tuple((k, v if isinstance(v, bool) else ("tally", *v)) for k, v in found.items())
    return _shared(("dimensions", *key), found)


def _log_files(paths: Iterable[Path | str]) -> tuple[list[str], list[LogProblem]]:
    files: list[str] = []
    problems: list[LogProblem] = []
    for given in paths:
        if is_remote(str(given)):
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
    run: str = ""
    """The run the log belongs to (`analysis.identity.run_key`)."""
    balance: dict[str, RecordedBalance] = Field(default_factory=dict)
    """Scenario -> the identity balance the run declared (`candor_balance` in the eval's task
    metadata); empty for a log written before it was recorded."""


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def sample_detail(summary: SummaryLike) -> SampleDetail:
    """The grader's rationale and evidence quotes as the summary keeps them.

    Inspect drops summary metadata values over 1k characters, so long evidence may be absent
    here; the full sample always has it.
    """
    found = candor_score(summary)
    if found is None:
        return _construct_detail(raw_id=summary.id)
    _, score = found
    verdict = (score.metadata or {}).get("verdict")
    evidence = _strings(verdict.get("evidence")) if isinstance(verdict, dict) else []
    rationale = score.explanation if isinstance(score.explanation, str) else ""
    return _construct_detail(raw_id=summary.id, rationale=rationale, evidence=evidence)


def read_log(
    file: str,
    cache: OutcomeCache | None = None,
    *,
    details: bool = True,
    use_index: bool = True,
) -> LogRead:
    """Read one log's header and sample summaries; every problem is recorded, never raised.

    A log with a current outcome index beside it (`analysis.outcome_index`) is read from the
    index (unless `use_index` is False). With a cache, a finished log already read (same path
    and same content) is not read again, and a finished log just read is kept for next time
    (with its details, whatever `details` says; one read from its index is not: the cache
    entry would outlive a change to the index). Without one, `details=False` leaves
    `LogRead.details` empty (the report never reads them: at 100,000 samples they are a sixth
    of the memory).
    """
    # The file's identity is taken before reading: if the log is rewritten while it is read
    # (e.g. by `inspect score`), the entry keeps the old content's hash and is never served for
    # the new file.
    identity = cache.identity(file) if cache is not None else None
    if cache is None or identity is None:  # no cache, a remote log, or a file gone
        return _read_log(file, details=details, use_index=use_index)
    cached = cache.get(identity)
    if cached is not None:
        return cached
    from analysis.outcome_index import read_index  # imports this module

    indexed = read_index(file) if use_index else None
    if indexed is not None:
        return indexed
    read = _read_log(file, use_index=False)
    # kept only if the log still holds what it held before the read: a log re-graded in place
    # while it was read (and later restored to its old bytes) must not get the new outcomes
    if read.finished and cache.identity(file) == identity:
        cache.put(identity, read)
    return read


def _is_candor(header: LogHeader, summaries: list[SummaryLike]) -> bool:
    """Recognised positively: a Candor scorer in the header or a Candor score on a sample, or,
    for a log scored by nothing, samples whose metadata names a Candor suite."""
    scorers = header.scorers
    if any(_SCORE_NAME.match(name) for name in scorers):
        return True
    if any(candor_score(s) is not None for s in summaries):
        return True
    return not scorers and all(s.metadata.get("suite") in _SUITES for s in summaries)


def _log_grader_models(summaries: list[SummaryLike]) -> dict[str, str]:
    """Role → model over every grader call in the log, where each role had one model."""
    seen: dict[str, set[str]] = {}
    for summary in summaries:
        found = candor_score(summary)
        if found is not None:
            for role, model in called_models(found[1].metadata or {}).items():
                seen.setdefault(role, set()).add(model)
    return {role: next(iter(models)) for role, models in seen.items() if len(models) == 1}


def _header(log: EvalLog) -> LogHeader:
    spec = log.eval
    return LogHeader(
        status=log.status,
        task=spec.task,
        model=spec.model,
        scorers=[s.name for s in spec.scorers or []],
        eval_set_id=spec.eval_set_id,
        task_id=spec.task_id,
        eval_id=spec.eval_id,
        role_models={
            role: config.model
            for role, config in (spec.model_roles or {}).items()
            if not isinstance(config, list)
        },
        completed_at=utc_time(log.stats.completed_at or None),
        metadata=dict(spec.metadata or {}),
    )


def _read_log(file: str, *, details: bool = True, use_index: bool = True) -> LogRead:
    name = Path(file.removeprefix("file://")).name
    local_zip = file.endswith(".eval") and not is_remote(file)
    if local_zip and use_index:
        from analysis.outcome_index import read_index  # imports this module

        indexed = read_index(file, details=details)
        if indexed is not None:
            return indexed
    read = LogRead(name=name)
    try:
        fast = read_eval_zip(file) if local_zip else None
    except DamagedLog as exc:  # never left to Inspect, which would count what still parses
        read.problems.append(LogProblem(log=name, message=f"cannot read log: {exc}"))
        return read
    if fast is not None:  # the same members Inspect reads, without its second thinning
        header, summaries = fast
        return _interpret(read, header, list(summaries), details=details)
    from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries

    try:
        header = _header(read_eval_log(file, header_only=True))
    except Exception as exc:  # a corrupted file must not hide the others
        read.problems.append(LogProblem(log=name, message=f"cannot read log: {exc}"))
        return read
    if header.status == "started":
        read.problems.append(LogProblem(log=name, message="still running; skipped"))
        return read
    try:
        inspected: list[SummaryLike] = list(read_eval_log_sample_summaries(file))
    except Exception as exc:
        read.problems.append(LogProblem(log=name, message=f"cannot read samples: {exc}"))
        return read
    return _interpret(read, header, inspected, details=details)


def _interpret(
    read: LogRead, header: LogHeader, summaries: list[SummaryLike], *, details: bool = True
) -> LogRead:
    """The Candor outcomes of one finished log's summaries, however they were read."""
    name = read.name
    task, model = header.task, header.model
    read.finished = True
    ours = [s for s in summaries if "arm" in s.metadata and "scenario" in s.metadata]
    if not ours:
        why = "no samples" if not summaries else "not a Candor task (no scenario/arm metadata)"
        read.problems.append(LogProblem(log=name, message=f"{why}; task '{task}' skipped"))
        return read
    if not _is_candor(header, ours):
        scorers = ", ".join(header.scorers) or "none"
        read.problems.append(
            LogProblem(
                log=name,
                message=f"not a Candor log: its samples carry scenario/arm metadata but no "
                f"Candor score (scorers: {scorers}); {len(ours)} sample(s) of task '{task}' "
                "set aside",
            )
        )
        return read
    run = run_key(header.eval_set_id, header.task_id, header.eval_id)
    read.run = run
    try:
        read.balance = recorded_balance(header.metadata.get(BALANCE_KEY))
    except ValueError as exc:
        read.problems.append(
            LogProblem(
                log=name,
                message=f"eval metadata '{BALANCE_KEY}' has an unexpected shape ({exc}); its "
                "declared identity balance reads 'not recorded'",
            )
        )
    models = _log_grader_models(ours)
    bound = header.role_models
    finished = header.completed_at
    read.outcomes = [
        sample_outcome(
            name,
            task,
            model,
            s,
            run=run,
            grader_models=models,
            role_models=bound,
            log_completed_at=finished,
        )
        for s in ours
    ]
    read.details = [sample_detail(s) for s in ours] if details else []
    if header.status != "success":
        read.problems.append(
            LogProblem(log=name, message=f"log status is '{header.status}'; samples read")
        )
    if not any(o.status == "graded" for o in read.outcomes):
        read.problems.append(
            LogProblem(log=name, message="every sample is unscored; see the unscored counts")
        )
    return read


PARALLEL_BYTES = 32 << 20
"""Without a cache, local `.eval` logs adding up to this many bytes are read by worker
processes (one per core, at most two), each log whole in one of them."""


def _read_detailless(file: str, use_index: bool = True) -> LogRead:
    return _read_log(file, details=False, use_index=use_index)


def _read_all(
    files: list[str], cache: OutcomeCache | None, workers: int | None, use_index: bool = True
) -> list[LogRead]:
    """Every log read, in `files`' order: in worker processes where that pays (no cache, two or
    more large local logs, a platform that forks), else here."""
    wanted = min(2, os.cpu_count() or 1) if workers is None else workers
    if cache is None and wanted > 1 and len(files) > 1:
        from analysis.outcome_index import current  # imports this module

        local = [f.removeprefix("file://") for f in files if not is_remote(f)]
        try:  # a log read from its outcome index is read here faster than a worker starts
            size = sum(os.path.getsize(f) for f in local if not (use_index and current(f)))
        except OSError:
            size = 0
        large = size >= PARALLEL_BYTES or workers is not None
        # imported here: a report from the cache never starts a worker (about 10 ms of imports)
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if len(local) == len(files) and large and "fork" in mp.get_all_start_methods():
            try:
                # fork: the workers start with this process's modules already imported
                with ProcessPoolExecutor(wanted, mp_context=mp.get_context("fork")) as pool:
                    return list(pool.map(_read_detailless, files, [use_index] * len(files)))
            except (BrokenProcessPool, OSError):
                pass  # a worker died (e.g. out of memory): read them here instead
    return [read_log(file, cache, details=False, use_index=use_index) for file in files]


def load_outcomes(
    paths: Iterable[Path | str],
    cache: OutcomeCache | None = None,
    *,
    workers: int | None = None,
    use_index: bool = True,
) -> LoadResult:
    """Read every Candor sample outcome from log files and directories.

    A log that is still running, corrupted, of another task, or without samples is reported as a
    problem; the others are still read. With a cache, unchanged finished logs are not re-read.
    Every copy of an episode is kept here; `analysis.episodes.count_once` chooses one.
    Without a cache, large logs are read in parallel (`PARALLEL_BYTES`); `workers` sets the
    number of worker processes and reads in them whatever the size (1: all in this process).
    A log with a current outcome index is read from it (`analysis.outcome_index`) unless
    `use_index` is False; either way the outcomes are the same.
    """
    files, problems = _log_files(paths)
    result = LoadResult(problems=problems)
    for read in _read_all(files, cache, workers, use_index):
        result.add(read)
    result.invariance, unreadable = read_invariance(files)
    result.problems.extend(LogProblem(log=f, message=m) for f, m in unreadable)
    return result


# --- the cache -----------------------------------------------------------------------------

Identity = tuple[str, str]
"""A local log file's resolved path and the SHA-256 of its bytes."""

_ROOT = Path(__file__).resolve().parents[1]
READING_SOURCES = (
    "analysis/logs.py",
    "analysis/identity.py",
    "analysis/usage.py",
    "analysis/construct.py",
    "analysis/eval_zip.py",
    "records/dimensions.py",
    "records/dimensions.yaml",
    "records/statuses.py",
    "scenarios/balance_record.py",
)
"""Every file whose content decides what reading a log gives (the reader, the models it builds,
the verdict dimensions and statuses it knows): a cached or indexed read made by other files is
not used."""

_SOURCE_KEY = hashlib.sha256(
    b"".join(
        name.encode() + b"\0" + (_ROOT / name).read_bytes() + b"\0" for name in READING_SOURCES
    )
).hexdigest()[:16]


def _source_key() -> str:
    """This module's source and the dimension declaration it reads by: either changed, a cached
    read is stale."""
    declaration = declared().model_dump_json().encode("utf-8")
    return hashlib.sha256(_SOURCE_KEY.encode("utf-8") + declaration).hexdigest()[:16]


_ENTRY_SUFFIX = ".pickle"
_ENTRY_MAGIC = b"candor-outcomes 1 "


def entry_header(path: str, sha256: str) -> bytes:
    """The start of a cache entry's plain first line: what it was read from, by which source.
    The line goes on with the pickle's length, so an entry's currency (and completeness) is
    checked from this line without unpickling anything."""
    key = hashlib.sha256(f"{_source_key()}\0{path}\0{sha256}".encode()).hexdigest()
    return _ENTRY_MAGIC + key.encode("ascii") + b" "


def _payload_at(start: bytes, header: bytes, size: int) -> int | None:
    """Where the pickle begins in an entry of `size` bytes whose first bytes are `start`: None
    unless its first line starts with `header` and gives the pickle's length, which fits."""
    end = start.find(b"\n", len(header))
    digits = start[len(header) : end]
    if not start.startswith(header) or end < 0 or not digits.isdigit():
        return None
    return end + 1 if int(digits) == size - end - 1 else None


class OutcomeCache:
    """What was read from finished local logs, one pickle file per log under `directory/logs`.

    An entry is used only while the log's path and content (a SHA-256 of its zip directory,
    which holds every member's checksum, or of its bytes), and the source of this module, are
    unchanged; otherwise the log is read again. Content, not modification time
    and size: a log rewritten with the same size and its old modification time restored
    (`cp -p`, `rsync -t`) is read again. The cache only ever saves work: an entry that cannot
    be read is ignored, one that cannot be written is skipped.

    An entry is a plain header line (`entry_header`: a hash of the source, the path and the
    content hash) then a pickle of `(path, read)`: reading 10,000 outcomes back from it takes
    half the time of validating them from JSON, the file is a fifth of the size, and whether an
    entry is current is read from its first line (`current`).
    Since unpickling a file runs what it says, an entry is read only when it and its folder
    belong to this user and no one else may write them (`CANDOR_CACHE_DIR` on a shared folder
    reads every log again instead); the folder is created private.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or default_cache_dir()) / "logs"
        self.hits = 0
        self.misses = 0

    @staticmethod
    def identity(file: str) -> Identity | None:
        """The log's resolved path and content hash; None if remote or unreadable.

        For a zip (every `.eval` log) the hash is of its central directory, which holds each
        member's CRC-32 (`analysis.eval_zip.directory_sha256`); otherwise of every byte."""
        if is_remote(file):
            return None
        path = Path(file.removeprefix("file://")).resolve()
        try:
            return str(path), directory_sha256(path) or file_sha256(path)
        except OSError:
            return None

    def _entry_path(self, resolved: str) -> Path:
        digest = hashlib.sha256(resolved.encode()).hexdigest()[:32]
        return self.directory / f"{digest}{_ENTRY_SUFFIX}"

    def current(self, identity: Identity) -> bool:
        """Whether the cache holds a whole entry for the file with this identity (its first
        line is read, and its size taken: nothing is unpickled)."""
        path, sha256 = identity
        header = entry_header(path, sha256)
        file = self._entry_path(path)
        try:
            with file.open("rb") as handle:
                start = handle.read(len(header) + 24)
            size = file.stat().st_size
        except OSError:
            return False
        return _payload_at(start, header, size) is not None

    def get(self, identity: Identity) -> LogRead | None:
        """The cached read of the file with this identity, or None if absent or stale."""
        path, sha256 = identity
        file = self._entry_path(path)
        header = entry_header(path, sha256)
        try:
            data = read_private(file)
            at = None if data is None else _payload_at(data[: len(header) + 24], header, len(data))
            entry = None if data is None or at is None else pickle.loads(data[at:])
        except Exception:  # a truncated or foreign entry: any unpickling error is a miss
            entry = None
        if (
            not isinstance(entry, tuple)
            or len(entry) != 2
            or entry[0] != path
            or not isinstance(entry[1], LogRead)
        ):
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def put(self, identity: Identity, read: LogRead) -> None:
        """Keep `read` for the file whose identity was taken before reading it (atomically: a
        reader sees the old entry or the new one)."""
        path, sha256 = identity
        payload = pickle.dumps((path, read), protocol=5)
        data = entry_header(path, sha256) + str(len(payload)).encode("ascii") + b"\n" + payload
        with contextlib.suppress(OSError):
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(self._entry_path(path), data)
