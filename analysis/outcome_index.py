"""The outcome index: what Candor reads from a finished `.eval` log, written beside it once.

Reading a log means decompressing its `summaries.json` (about 3 KB a sample) and interpreting
every summary: at 100,000 samples, seconds of work each time a report or dashboard starts cold.
The index holds the result of that reading (the log's `LogRead`: outcomes, details, problems),
written when the log is finished (`analysis.index_hook`, at the end of each task Inspect runs;
`candor index LOG...` for any log), as `LOG.candor-index` beside `LOG`.

It is used in place of the log only while it is the log's: its first line names the log's file
name, the SHA-256 of the log's zip directory when it was written (every member's size and
CRC-32: a re-grade in place, `inspect score --overwrite`, changes it) and a hash of the code
that read it and wrote it. Anything else (a stale, foreign, truncated or malformed index, a log
whose zip directory cannot be read) and the log is read as it would be without one; an index
never changes what is counted, only how fast it is read. A log re-graded into a new file has no
index until `candor index` writes one.

The format is JSON, not pickle (an index travels with shared logs; reading it runs nothing).
Each outcome field is stored as a table of its distinct values and a column of indices into
it: the values repeat from sample to sample (the log, model, arm, levels, grader), so each is
validated once, against the field's own type, and every row holding it shares one object. The
writer reads what it wrote back and compares it with what it read from the log before keeping
it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from analysis.eval_zip import content_sha256
from analysis.log_files import is_remote, write_atomically
from analysis.logs import (
    LogRead,
    SampleDetail,
    SampleOutcome,
    _read_log,
    _source_key,
    _unpickled_detail,
    _unpickled_outcome,
)

INDEX_SUFFIX = ".candor-index"
"""The index of `LOG` is `LOG` + this suffix, beside it (not `.json`: Inspect would list it)."""

FORMAT: Literal["candor-outcome-index"] = "candor-outcome-index"
VERSION: Literal[1] = 1
_HEAD_BYTES = 4096
"""A head line longer than this is not an index's."""


def _reader_key() -> str:
    digest = hashlib.sha256(_source_key().encode())  # the reading's files and its dimensions
    for name in ("analysis/outcome_index.py", "scenarios/yaml_files.py"):
        digest.update(name.encode() + b"\0" + (_ROOT / name).read_bytes())
    for package in ("inspect_ai", "pydantic", "pydantic_core", "PyYAML"):
        with contextlib.suppress(PackageNotFoundError):  # a log read through Inspect too
            digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()[:16]


_ROOT = Path(__file__).resolve().parents[1]
READER_KEY = _reader_key()
"""The code that reads logs and writes indexes (`analysis.logs.READING_SOURCES`, the verdict
dimensions, this module, the YAML reader, and the versions of the libraries a log is read
with): an index written by other code, or read by other libraries, is not used."""

DISABLE_ENV = "CANDOR_OUTCOME_INDEX"
"""Set to `0` and Inspect runs write no index (`analysis.index_hook`)."""


class IndexHead(BaseModel):
    """An index's first line: whose it is and of which content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["candor-outcome-index"]
    version: Literal[1]
    reader: str
    log: str
    """The log's file name (its outcomes carry it)."""
    content_sha256: str
    """`analysis.eval_zip.content_sha256` of the log when the index was written: its zip
    directory (every member's size and CRC-32) and the stored bytes of the members the reading
    reads (`header.json`, `summaries.json`)."""
    samples: int


def _columns(model: type[BaseModel]) -> tuple[type[BaseModel], type[BaseModel]]:
    """Pydantic models of `model`'s distinct values per field and of its index columns."""
    fields = model.model_fields
    # each field's table of values, validated against the field's own type
    tables: dict[str, Any] = {name: (list[info.annotation], ...) for name, info in fields.items()}  # type: ignore[name-defined]
    columns: dict[str, Any] = {name: (list[int], ...) for name in fields}
    values = create_model(
        f"{model.__name__}Values", __config__=ConfigDict(extra="forbid"), **tables
    )
    rows = create_model(
        f"{model.__name__}Rows", __config__=ConfigDict(extra="forbid", strict=True), **columns
    )
    return values, rows


_OutcomeValues, _OutcomeRows = _columns(SampleOutcome)
_DetailValues, _DetailRows = _columns(SampleDetail)
_body_fields: dict[str, Any] = {
    "read": (LogRead, ...),  # the log's read without its samples
    "outcome_values": (_OutcomeValues, ...),
    "outcome_rows": (_OutcomeRows, ...),
    "detail_values": (_DetailValues, ...),
    "detail_rows": (_DetailRows, ...),
}
_Body = create_model("IndexBody", __config__=ConfigDict(extra="forbid"), **_body_fields)
"""An index's second line: the log's read without its samples, then the samples' columns."""


def index_path(log: str | Path) -> Path:
    """Where the index of `log` is (or would be) kept."""
    path = Path(str(log).removeprefix("file://"))
    return path.with_name(path.name + INDEX_SUFFIX)


# --- writing -------------------------------------------------------------------------------


def _key(value: object) -> object:
    """A hashable key telling apart every JSON value (`1`, `1.0`, `True` and `"1"` too)."""
    if value is None or isinstance(value, str | int | float | bool):
        return type(value).__name__, value
    return "json", json.dumps(value, ensure_ascii=False, allow_nan=False)


def _encode(
    model: type[BaseModel], items: Sequence[BaseModel]
) -> tuple[dict[str, list[Any]], dict[str, list[int]]]:
    tables: dict[str, list[Any]] = {}
    rows: dict[str, list[int]] = {}
    for name, info in model.model_fields.items():
        dumped = TypeAdapter(list[info.annotation]).dump_python(  # type: ignore[name-defined]
            [getattr(item, name) for item in items], mode="json"
        )
        seen: dict[object, int] = {}
        table: list[Any] = []
        column: list[int] = []
        for value in dumped:
            key = _key(value)
            at = seen.get(key)
            if at is None:
                at = seen[key] = len(table)
                table.append(value)
            column.append(at)
        tables[name], rows[name] = table, column
    return tables, rows


def encode(read: LogRead, log_name: str, directory: str) -> bytes:
    """The index of a log read as `read`, whose zip directory hashed to `directory`.

    Raises:
        ValueError: a value JSON cannot hold exactly (a NaN or infinity)."""
    head = IndexHead(
        format=FORMAT,
        version=VERSION,
        reader=READER_KEY,
        log=log_name,
        content_sha256=directory,
        samples=len(read.outcomes),
    )
    outcome_values, outcome_rows = _encode(SampleOutcome, read.outcomes)
    detail_values, detail_rows = _encode(SampleDetail, read.details)
    body = {
        "read": read.model_dump(mode="json", exclude={"outcomes", "details"}),
        "outcome_values": outcome_values,
        "outcome_rows": outcome_rows,
        "detail_values": detail_values,
        "detail_rows": detail_rows,
    }
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return head.model_dump_json().encode() + b"\n" + text.encode()


def write_index(log: str | Path) -> Path | None:
    """Read a finished local `.eval` log and keep its index beside it; the index's path, or
    None where none is written (`index_log` says why; the log is then read itself, as
    without an index). An index already there is replaced, whether it was current or not."""
    return index_log(log)[0]


def index_log(log: str | Path) -> tuple[Path | None, str]:
    """`write_index`, with what was done: the index's path and its sample count, or None and
    why none was written (then any index already beside the log is removed: it is not the
    log's reading now)."""
    written, what = _index_log(log)
    file = str(log).removeprefix("file://")
    if written is None and file.endswith(".eval") and not is_remote(file):
        with contextlib.suppress(OSError):
            index_path(file).unlink()
    return written, what


def _index_log(log: str | Path) -> tuple[Path | None, str]:
    """`write_index`, with what was done: the index's path and its sample count, or None and
    why none was written (a log still running or not a Candor log, a log that is not a local
    zip whose directory can be read, one rewritten while it was read, a read the index would
    not give back exactly, a folder that cannot be written)."""
    file = str(log).removeprefix("file://")
    if is_remote(file) or not file.endswith(".eval"):
        return None, "not a local .eval log"
    path = Path(file)
    try:
        before = content_sha256(path)
    except OSError as exc:
        return None, f"cannot read it: {exc.strerror or exc}"
    if before is None:
        return None, "its zip directory cannot be read (not a zip, or damaged)"
    read = _read_log(file, use_index=False)
    if not read.finished:
        reason = read.problems[0].message if read.problems else "not finished"
        return None, f"not read as a finished log ({reason})"
    if not read.outcomes:
        reason = read.problems[0].message if read.problems else "no samples"
        return None, f"no Candor samples ({reason})"
    try:
        data = encode(read, path.name, before)
        if content_sha256(path) != before:
            return None, "rewritten while it was read (read it again once it is finished)"
    except ValueError as exc:
        return None, f"a value JSON cannot hold exactly ({exc})"
    except OSError as exc:
        return None, f"cannot read it: {exc.strerror or exc}"
    if decode(data) != read:
        return None, "its index would not give back what the log gives (please report this)"
    target = index_path(path)
    if not write_atomically(target, data):
        return None, f"cannot write {target}"
    with contextlib.suppress(OSError):  # readable by whoever may read the log (it holds no more)
        os.chmod(target, stat.S_IMODE(path.stat().st_mode) & 0o666)
    return target, f"{len(read.outcomes)} samples"


IndexState = Literal["current", "stale", "absent"]


def index_state(log: str | Path) -> IndexState:
    """Whether `log` has an index that is its own and reads whole (`current`), one that is not
    (`stale`: the log changed since, another version of Candor or another log wrote it, or it
    is damaged) or none (`absent`). The whole index is read."""
    if read_index(log) is not None:
        return "current"
    return "stale" if index_path(log).exists() else "absent"


# --- reading -------------------------------------------------------------------------------


def _open_index(log: Path) -> BinaryIO:
    """The index of `log`, open for reading, if it is a regular file (a FIFO or device there
    would block a reader or never end): OSError otherwise."""
    fd = os.open(index_path(log), os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{index_path(log)} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _head(handle: Any, log: Path) -> IndexHead | None:
    line = handle.readline(_HEAD_BYTES)
    if not line.endswith(b"\n"):
        return None
    try:
        head = IndexHead.model_validate_json(line)
    except ValidationError:
        return None
    if head.reader != READER_KEY or head.log != log.name:
        return None
    return head


def current(log: str | Path) -> bool:
    """Whether `log` has an index whose head is its own (only the head is read: whether the
    rest is whole is known when it is read, and a damaged index is then not used)."""
    path = Path(str(log).removeprefix("file://"))
    try:
        with _open_index(path) as handle:
            head = _head(handle, path)
        return head is not None and head.content_sha256 == content_sha256(path)
    except OSError:
        return False


def _rows(
    values: BaseModel, rows: BaseModel, n: int, build: Callable[..., Any]
) -> list[Any] | None:
    columns: list[list[Any]] = []
    for name in type(values).model_fields:
        table: list[Any] = getattr(values, name)
        column: list[int] = getattr(rows, name)
        if len(column) != n or (n and (min(column) < 0 or max(column) >= len(table))):
            return None
        columns.append(list(map(table.__getitem__, column)))
    return list(map(build, *columns)) if columns else []


def decode(data: bytes, log: Path | None = None) -> LogRead | None:
    """The read an index holds; None if it is not a whole, well-formed index (of `log`'s name,
    when given)."""
    head_end = data.find(b"\n")
    if head_end < 0:
        return None
    try:
        head = IndexHead.model_validate_json(data[:head_end])
        body = _Body.model_validate_json(data[head_end + 1 :])
    except ValidationError:
        return None
    if log is not None and head.log != log.name:
        return None
    return _assemble(head, body)


def _assemble(head: IndexHead, body: BaseModel) -> LogRead | None:
    n = head.samples
    part = body.__dict__
    outcomes = _rows(part["outcome_values"], part["outcome_rows"], n, _unpickled_outcome)
    details = _rows(part["detail_values"], part["detail_rows"], n, _unpickled_detail)
    if outcomes is None or details is None:
        return None
    read: LogRead = part["read"]
    read.outcomes, read.details = outcomes, details
    return read


def read_index(log: str | Path, *, details: bool = True) -> LogRead | None:
    """The read of `log` its index holds, while the index is the log's own; else None (the
    caller reads the log). With `details=False` the details are left out, as a read of the log
    without them leaves them."""
    path = Path(str(log).removeprefix("file://"))
    try:
        with _open_index(path) as handle:
            head = _head(handle, path)
            if head is None or head.content_sha256 != content_sha256(path):
                return None
            rest = handle.read()
    except OSError:
        return None
    try:
        body = _Body.model_validate_json(rest)
    except ValidationError:
        return None
    read = _assemble(head, body)
    if read is not None and not details:
        read.details = []
    return read


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether Inspect runs write indexes (`CANDOR_OUTCOME_INDEX` is not `0`)."""
    return environ.get(DISABLE_ENV, "1").strip() != "0"
