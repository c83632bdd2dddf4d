"""Every read the dashboard makes, cached with bounds. Logs are read through Inspect's public API.

Headers and sample summaries are read once per log file (keyed by its modification time, so a
new or growing log is re-read alone, and kept in the same on-disk cache as `candor report`, so a
restarted app does not read unchanged logs again); a full sample is read only when its transcript
is opened. The numbers are `analysis.report.build_report` on `analysis.logs.read_log`, the same
code as `candor report`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import streamlit as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.construct import constructor
from analysis.episodes import count_once
from analysis.eval_zip import directory_sha256
from analysis.fill_cache import fill
from analysis.heap import collector_paused, keep_for_good, release_kept, settle
from analysis.log_files import TEMPORARY_PREFIX, open_private, write_atomically
from analysis.logs import (
    PARALLEL_BYTES,
    LoadResult,
    LogProblem,
    OutcomeCache,
    SampleDetail,
    SampleOutcome,
    default_cache_dir,
    file_sha256,
    local_log_files,
    read_log,
)
from analysis.plan import Plan, load_plan
from analysis.report import Report, build_report
from analysis.usage import Prices, load_prices
from dashboard.models import Catalogue, GroundTruthView, SampleRow, grader_labels, overall_label
from scenarios.loader import Arm, ScenarioError, get_scenario, render, scenario_sha256
from scenarios.schema import LegalJudging

if TYPE_CHECKING:
    from inspect_ai.log import EvalSample

    from dashboard.neutral import NeutralView
    from dashboard.transcript import Transcript

LogFingerprint = tuple[tuple[str, float | None, int | None], ...]
FileKey = tuple[str, float | None] | None
"""An optional plan or prices file and its modification time (a changed file is read again)."""


class _LogPart(BaseModel):
    loaded: LoadResult
    rows: list[SampleRow] = Field(default_factory=list)


_construct_row = constructor(SampleRow)
"""Rows are built from values already checked (the reader's outcome and detail), in dicts
sharing their keys: half the size of a validated row's, at 100,000 rows 20 MB."""


def _row(file: str, mtime: float | None, outcome: SampleOutcome, detail: SampleDetail) -> SampleRow:
    return _construct_row(
        outcome=outcome,
        file=file,
        mtime=mtime,
        raw_id=detail.raw_id,
        verdict=overall_label(outcome),
        provisions=grader_labels(outcome) if outcome.suite == "legal" else {},
        rationale=detail.rationale,
        evidence=detail.evidence,
    )


# The parts and the catalogue are read-only once built, so they are cached as shared objects
# (`cache_resource`): a rerun gets them without the copy that `cache_data` makes of 10,000 rows.
@st.cache_resource(max_entries=20_000, ttl=6 * 3600, show_spinner=False)
def _log_part(file: str, mtime: float | None, size: int | None) -> _LogPart:
    """One log's outcomes (the report's reading) and its rows (for the filters)."""
    # summaries read once, for the report and the rows (from the outcome index, if current).
    # `CANDOR_NO_CACHE`, as `candor report --no-cache`, reads the logs themselves.
    cache = _cache()
    read = read_log(file, cache, use_index=cache is not None)
    loaded = LoadResult()
    loaded.add(read)
    rows = [_row(file, mtime, o, d) for o, d in zip(read.outcomes, read.details, strict=True)]
    return _LogPart(loaded=loaded, rows=rows)


FILL_BYTES = PARALLEL_BYTES
"""Logs the cache lacks adding up to this many bytes are read by worker processes first."""


def _cache() -> OutcomeCache | None:
    """The shared on-disk cache, unless `CANDOR_NO_CACHE` is set (then no outcome index is
    read either)."""
    return None if os.environ.get("CANDOR_NO_CACHE") else OutcomeCache()


def fingerprint(log_dir: str) -> LogFingerprint:
    """The log files of a directory with their modification times and sizes (cheap: no reads)."""
    found: list[tuple[str, float | None, int | None]] = []
    for path in local_log_files(Path(log_dir)):
        try:
            stat = path.stat()
        except OSError:  # removed since listing
            continue
        found.append((str(path), stat.st_mtime, stat.st_size))
    return tuple(found)


def file_key(path: str | None) -> FileKey:
    """`path` with its modification time; None for no path (a missing file raises on reading)."""
    if not path:
        return None
    try:
        return (path, Path(path).stat().st_mtime)
    except OSError:
        return (path, None)


def _plan(key: FileKey) -> Plan | None:
    return None if key is None else load_plan(Path(key[0]))


def _prices(key: FileKey) -> Prices | None:
    return None if key is None else load_prices(Path(key[0]))


_CODE = Path(__file__).resolve().parents[1]
_CODE_PARTS = ("analysis", "dashboard", "records", "scenarios", "scorers", "evals")
"""What a catalogue is made from besides the logs: the code that reads and reports them and the
scenario files (headline contrasts, dimensions). A change to any of them is a new catalogue."""
_KEPT = 8
"""Catalogues kept on disk (the newest)."""


def _code_stamp() -> tuple[tuple[str, int, int], ...]:
    found: list[tuple[str, int, int]] = []
    for part in _CODE_PARTS:
        for path in sorted((_CODE / part).rglob("*")):
            if path.suffix in {".py", ".yaml", ".yml", ".j2"}:
                stat = path.stat()
                found.append((str(path.relative_to(_CODE)), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _content_hash(path: Path) -> str | None:
    """A zip's central-directory hash (each member's CRC-32), else every byte's; None if gone."""
    try:
        return directory_sha256(path) or file_sha256(path)
    except OSError:
        return None


def _contents(files: LogFingerprint) -> tuple[tuple[str, str | None], ...]:
    """Each log by what it holds, not by its modification time and size: a log rewritten with
    its old time and size restored (`cp -p`, `rsync -t`) is a new catalogue."""
    return tuple(sorted((name, _content_hash(Path(name))) for name, _, _ in files))


def _content(key: FileKey) -> tuple[str, str | None] | None:
    """A plan or prices file by its bytes (None for none)."""
    return None if key is None else (key[0], _content_hash(Path(key[0])))


def _disk_path(key: object) -> Path | None:
    """Where the catalogue for `key` (the log files, plan and prices with their modification
    content hashes, and the code's) is kept; None with `CANDOR_NO_CACHE`."""
    if os.environ.get("CANDOR_NO_CACHE"):
        return None
    digest = hashlib.sha256(repr((key, _code_stamp())).encode("utf-8")).hexdigest()
    return default_cache_dir() / "dashboard" / f"catalogue-{digest[:32]}.pickle"


_CHUNK_ROWS = 5_000
"""Rows per pickle in a kept catalogue. One pickle of 100,000 rows keeps a memo entry for each
of their millions of objects while it is written (about 200 MiB at its peak); a pickle per
chunk keeps a chunk's."""


class _KeptHead(BaseModel):
    """A kept catalogue's first pickle: everything but the rows, and how many chunks follow."""

    log_dir: str
    report: Report
    problems: list[LogProblem]
    chunks: int


def _load_disk(path: Path | None) -> Catalogue | None:
    """A catalogue this app wrote earlier for the same logs and code, or None."""
    handle = None if path is None else open_private(path)  # see `open_private`
    if handle is None:
        return None
    try:
        with handle:  # written by `_save_disk` alone, in the user's cache
            head = pickle.load(handle)
            if not isinstance(head, _KeptHead):
                return None
            rows: list[SampleRow] = []
            for _ in range(head.chunks):
                chunk = pickle.load(handle)
                if not isinstance(chunk, list):
                    return None
                rows += chunk
            if handle.read(1):  # more than was written
                return None
    except Exception:  # a truncated or foreign file: any unpickling error means build it again
        return None
    if not all(isinstance(row, SampleRow) for row in rows):
        return None
    return Catalogue.model_construct(
        log_dir=head.log_dir, rows=rows, report=head.report, problems=head.problems
    )


def _save_disk(path: Path | None, catalogue: Catalogue) -> None:
    """Keep the catalogue for the next server (`write_atomically`; the oldest beyond `_KEPT`
    go). A failure leaves no file and says so in one line on stderr (the next server builds
    the catalogue again)."""
    if path is None:
        return
    rows = catalogue.rows
    chunks = range(0, len(rows), _CHUNK_ROWS)
    head = _KeptHead(
        log_dir=catalogue.log_dir,
        report=catalogue.report,
        problems=catalogue.problems,
        chunks=len(chunks),
    )

    def write(handle: BinaryIO) -> None:
        pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
        for start in chunks:
            pickle.dump(rows[start : start + _CHUNK_ROWS], handle, pickle.HIGHEST_PROTOCOL)

    try:
        problem = None if write_atomically(path, write) else "OSError: the file cannot be written"
    except Exception as exc:  # noqa: BLE001 - an unpicklable value: not kept
        problem = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
    if problem is not None:
        print(
            f"Candor dashboard: the catalogue was not kept in {path.parent}: {problem}",
            file=sys.stderr,
        )
    _prune(path.parent)


_PARTIAL_AGE = 3600.0
"""Seconds after which a partial file is taken for one a killed writer left."""


def _prune(folder: Path) -> None:
    """The newest `_KEPT` catalogues stay; older ones, and partial files a killed writer left,
    go. A file another server removes meanwhile is skipped."""

    def mtime(file: Path) -> float | None:
        try:
            return file.stat().st_mtime
        except OSError:
            return None

    dated = [(t, f) for f in folder.glob("catalogue-*.pickle") if (t := mtime(f)) is not None]
    stale = [f for _, f in sorted(dated)[:-_KEPT]]
    now = time.time()
    for partial in folder.glob(f"{TEMPORARY_PREFIX}*.pickle"):
        t = mtime(partial)
        if t is not None and now - t > _PARTIAL_AGE:
            stale.append(partial)
    for file in stale:
        with contextlib.suppress(OSError):
            file.unlink()


@st.cache_resource(max_entries=8, ttl=900, show_spinner="Reading log headers and sample summaries…")
def _catalogue(
    log_dir: str, files: LogFingerprint, plan: FileKey = None, prices: FileKey = None
) -> Catalogue:
    """The catalogue, from the disk cache when the logs, plan, prices and code are unchanged
    since a server built it (a restarted server neither reads the logs nor rebuilds the
    report), else built and kept there."""
    key = (log_dir, _contents(files), _content(plan), _content(prices))
    disk = _disk_path(key) if files else None
    # every row and the report live as long as the server: made with the collector off, then
    # out of its reach, so no collection walks them again while a page is served (`heap`).
    # What the last catalogue's freezing caught and has died since (a page run's namespace, a
    # cycle holding the rows it read) is collected first, so each new catalogue frees it.
    again = release_kept()
    with collector_paused():
        found = _load_disk(disk)
        if found is None:
            found = _build_catalogue(log_dir, files, plan, prices)
            _save_later(disk, found)  # a log rewritten since changes the key (its content)
        keep_for_good()  # before the collector is on: no collection walks the new rows first
    if again:  # the page that read the last catalogue is still alive (its fragment): once
        _settle_later()  # this run has replaced it, what it held is freed too
    return found


SETTLE_AFTER = 10.0
"""Seconds after a catalogue is built again before what died meanwhile is freed (the page
that asked has drawn by then; the collection walks every row once)."""


_settling: list[threading.Timer] = []


def _settle_later() -> None:
    timer = threading.Timer(SETTLE_AFTER, settle)
    timer.name = "candor-settle-heap"
    timer.daemon = True
    with _saving_lock:
        _settling[:] = [t for t in _settling if t.is_alive()]
        _settling.append(timer)
        timer.start()


def cancel_settling() -> None:
    """Cancel the settlings not yet run (the next build collects what they would have)."""
    with _saving_lock:
        pending, _settling[:] = list(_settling), []
    for timer in pending:
        timer.cancel()


_saving: list[threading.Thread] = []
_saving_lock = threading.Lock()


def _save_later(path: Path | None, catalogue: Catalogue) -> None:
    """Keep the catalogue on disk in a thread of its own, so the page that asked for it draws
    while it is written (0.15 s at 10,000 rows, 1.5 s at 100,000). Not a daemon: a server that
    stops finishes writing it first."""
    if path is None:
        return
    thread = threading.Thread(
        target=_save_disk, args=(path, catalogue), name="candor-keep-catalogue", daemon=False
    )
    with _saving_lock:  # started under the lock: `wait_kept` never sees one not yet started
        _saving[:] = [t for t in _saving if t.is_alive()]
        _saving.append(thread)
        thread.start()


def wait_kept() -> None:
    """Wait until every catalogue being kept on disk is written."""
    with _saving_lock:
        pending = list(_saving)
    for thread in pending:
        thread.join()


def _build_catalogue(
    log_dir: str, files: LogFingerprint, plan: FileKey, prices: FileKey
) -> Catalogue:
    merged = LoadResult()
    rows: list[SampleRow] = []
    if not files:
        merged.problems.append(LogProblem(log=log_dir, message="no Inspect logs in this directory"))
    cache = _cache()
    if cache is not None:  # the logs no entry covers, read in new processes (see `fill`)
        fill([name for name, _, _ in files], cache, min_bytes=FILL_BYTES)
    for name, mtime, size in files:
        part = _log_part(name, mtime, size)
        merged.merge(part.loaded)
        rows.extend(part.rows)
    # the rows are the episodes the report counts: a re-graded or retried copy is not listed
    # (a row and its part's sample are one object: known by identity, not by a `ref` string
    # made for each of 100,000 rows)
    counted = {id(s) for s in count_once(merged.samples).samples}
    shown = [row for row in rows if id(row.outcome) in counted]
    del counted
    names = [Path(name).name for name, _, _ in files]
    listing: list[LogProblem] = []  # the dashboard's own: not in the report `candor report` makes
    if len(set(names)) < len(names):  # a row is known by its log's file name (`ref`)
        shown = _one_per_ref(shown, listing)
    return Catalogue(
        log_dir=log_dir,
        rows=shown,
        report=build_report(
            merged,
            plan=_plan(plan),
            plan_file=plan[0] if plan else "",
            prices=_prices(prices),
        ),
        problems=[*merged.problems, *listing],
    )


def _one_per_ref(rows: list[SampleRow], problems: list[LogProblem]) -> list[SampleRow]:
    """The first row of each reference, and a problem for each log whose rows share theirs
    with an earlier log of the same file name (they would open the other log's transcript)."""
    seen: set[str] = set()
    kept: list[SampleRow] = []
    hidden: dict[str, int] = {}
    for row in rows:
        if row.ref in seen:
            hidden[row.file] = hidden.get(row.file, 0) + 1
            continue
        seen.add(row.ref)
        kept.append(row)
    for file, count in hidden.items():
        problems.append(
            LogProblem(
                log=file,
                message=f"another log named {Path(file).name} holds samples with the same ids "
                f"and epochs: {count} of this log's samples are counted in the report but not "
                "listed (the dashboard knows a sample by its log's file name; rename one log)",
            )
        )
    return kept


def catalogue(log_dir: str, plan: str | None = None, prices: str | None = None) -> Catalogue:
    """Every Candor sample under `log_dir`, with the report and the problems met; the report as
    `candor report --plan PLAN --prices PRICES` makes it.

    Raises:
        ValueError: a plan or prices file that cannot be read, naming the file and the key."""
    path = Path(log_dir)
    if not path.is_dir():
        problem = LogProblem(log=log_dir, message="no such directory")
        return Catalogue(log_dir=log_dir, report=build_report(LoadResult()), problems=[problem])
    try:
        files = fingerprint(str(path))
    except OSError as exc:
        problem = LogProblem(log=log_dir, message=f"cannot list logs: {exc}")
        return Catalogue(log_dir=log_dir, report=build_report(LoadResult()), problems=[problem])
    return _catalogue(str(path), files, file_key(plan), file_key(prices))


def read_eval_log_sample(file: str, id: int | str, epoch: int, **options: Any) -> EvalSample:
    """Inspect's `read_eval_log_sample`, imported on first use so pages without a transcript
    (Overview, Labels, Calibration) render without loading Inspect."""
    from inspect_ai.log import read_eval_log_sample as read

    return read(file, id=id, epoch=epoch, **options)


_WARMING = threading.Lock()
_WARMED: list[threading.Thread] = []
WARM_THREAD = "candor-warm-transcripts"


def _import_transcript_reader() -> None:
    from dashboard import neutral, transcript  # noqa: F401 - they import Inspect's log reader


def warm_transcript_reader() -> threading.Thread:
    """Import Inspect's sample reader in a daemon thread, once per process (about two seconds
    of imports the first opened transcript would otherwise wait for); the page calls this after
    it has drawn, so the first paint does not share the processor with it."""
    with _WARMING:
        if not _WARMED:
            thread = threading.Thread(
                target=_import_transcript_reader, name=WARM_THREAD, daemon=True
            )
            thread.start()
            _WARMED.append(thread)
        return _WARMED[0]


@st.cache_data(max_entries=32, ttl=900, show_spinner="Reading the transcript…")
def _transcript(
    file: str, mtime: float | None, sample_id: int | str, epoch: int, ref: str
) -> Transcript:
    from dashboard.transcript import from_sample

    sample = read_eval_log_sample(
        file, id=sample_id, epoch=epoch, resolve_attachments=True, exclude_fields={"events"}
    )
    return from_sample(ref, sample)


def transcript(row: SampleRow) -> Transcript:
    """The full sample behind a row (only this one sample is read from its log)."""
    return _transcript(row.file, row.mtime, row.raw_id, row.outcome.epoch, row.ref)


@st.cache_data(max_entries=32, ttl=900, show_spinner="Reading the transcript…")
def _neutral(file: str, mtime: float | None, sample_id: int | str, epoch: int) -> NeutralView:
    from dashboard.neutral import from_sample

    sample = read_eval_log_sample(file, id=sample_id, epoch=epoch, resolve_attachments=True)
    return from_sample(sample)


def neutral(row: SampleRow) -> NeutralView:
    """The sample as the grader was shown it (its logged input), for blind labelling."""
    return _neutral(row.file, row.mtime, row.raw_id, row.outcome.epoch)


@st.cache_data(max_entries=4_000, ttl=900, show_spinner=False)
def _transcript_text(
    file: str, mtime: float | None, sample_id: int | str, epoch: int, ref: str
) -> str:
    return "\n".join(_transcript(file, mtime, sample_id, epoch, ref).texts()).casefold()


def transcript_text(row: SampleRow) -> str:
    """All text of a transcript, lower-cased, for the opt-in full-text search."""
    return _transcript_text(row.file, row.mtime, row.raw_id, row.outcome.epoch, row.ref)


class _RecordedGroundTruth(BaseModel):
    """`metadata["ground_truth"]` of a Candor score: what the grader was shown."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    summary: str
    facts: list[str]
    criteria: str


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _current_ground_truth(scenario: str, levels: tuple[tuple[str, str], ...]) -> GroundTruthView:
    try:
        loaded = get_scenario(scenario)
        rendered = render(loaded, Arm.model_validate({"levels": dict(levels)}))
    except (ScenarioError, ValueError) as exc:
        return GroundTruthView(scenario=scenario, problem=f"ground truth unavailable: {exc}")
    spec = loaded.spec
    judging = spec.judging
    return GroundTruthView(
        scenario=scenario,
        title=spec.title,
        summary=rendered.text("ground_truth.summary"),
        facts=[rendered.text(k) for k in rendered.keys("ground_truth.fact:")],
        criteria=rendered.text("criteria") if "criteria" in rendered.texts else "",
        honest_example=getattr(judging, "honest_example", ""),
        provisions=[(p.citation, p.text, list(p.elements)) for p in judging.provisions]
        if isinstance(judging, LegalJudging)
        else [],
    )


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _current_sha256(scenario: str) -> str | None:
    try:
        return scenario_sha256(get_scenario(scenario))
    except (ScenarioError, OSError):
        return None


def ground_truth(outcome: SampleOutcome, recorded: object) -> GroundTruthView:
    """The ground truth the grader was shown, as the score recorded it (`recorded`: the score's
    `metadata["ground_truth"]`); else the current scenario files', with a note saying so. A
    scenario whose files changed since the run says that too."""
    current = _current_ground_truth(outcome.scenario, tuple(sorted(outcome.levels.items())))
    notes = []
    now = _current_sha256(outcome.scenario)
    if outcome.scenario_sha256 is not None and now is not None and outcome.scenario_sha256 != now:
        notes.append(
            f"The scenario files have changed since this run (recorded version "
            f"{outcome.scenario_sha256[:12]}, current files {now[:12]})."
        )
    try:
        shown = _RecordedGroundTruth.model_validate(recorded)
    except ValidationError:
        shown = None
    if shown is None:
        notes.insert(
            0,
            "Not recorded in this log: shown from the current scenario files, which may differ "
            "from what the grader was shown.",
        )
        return current.model_copy(update={"note": " ".join(notes)})
    return current.model_copy(
        update={
            "problem": None,
            "summary": shown.summary,
            "facts": shown.facts,
            "criteria": shown.criteria,
            "source": "log",
            "note": " ".join(notes) or None,
        }
    )


def clear() -> None:
    """Forget every cached read (the sidebar's reload button), once every catalogue being kept
    on disk is written."""
    wait_kept()
    st.cache_data.clear()
    _log_part.clear()
    _catalogue.clear()
