"""A finished `.eval` log's header and sample summaries, read straight from its zip.

Inspect's own `read_eval_log_sample_summaries` validates every summary into pydantic models and
thins it again (`textwrap.shorten` over every text, a JSON size check over every metadata value)
although Inspect thinned it when it wrote it: at 10,000 samples that costs seconds, and importing
Inspect costs seconds more. This reader takes the same two members Inspect reads for a finished
log (`header.json` and `summaries.json`, the last row per sample id and epoch winning, as
Inspect's dedupe keeps it) with `json` alone, and returns plain records with the attributes
`analysis.logs` reads, so the outcomes are the same whichever path read them.

It answers only where its answer is Inspect's: a log without both members (still running, or a
`.json` log), a member named twice, a compression it does not know, a field of an unexpected
type, or a text Inspect would thin on reading (longer than 1,024 characters, or whitespace that
`textwrap.shorten` would collapse) makes `read_eval_zip` return None, and the caller reads the
log through Inspect. A member that does not decompress to the size and CRC-32 the zip directory
records raises `DamagedLog`: Inspect does not check a Zstandard member's CRC-32, and would count
whatever the damaged bytes still parse as. A metadata value that is a mapping or
a list is taken as written: Inspect replaced any over 1,024 characters of JSON when it wrote the
summary, so only a summary written by another tool could hold one Inspect would replace again.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

HEADER = "header.json"
SUMMARIES = "summaries.json"
_THIN_TEXT_WIDTH = 1024  # Inspect's `thin_text` width: a longer text is shortened on reading
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_ZSTD = 93  # the zip method number of Zstandard, which Inspect writes


class UsageLike(Protocol):
    """The token counts of one model or role (Inspect's `ModelUsage`)."""

    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def total_tokens(self) -> int: ...
    @property
    def input_tokens_cache_read(self) -> int | None: ...
    @property
    def input_tokens_cache_write(self) -> int | None: ...
    @property
    def reasoning_tokens(self) -> int | None: ...


class ScoreLike(Protocol):
    """What Candor reads of a score (Inspect's `Score`)."""

    @property
    def value(self) -> object: ...
    @property
    def explanation(self) -> str | None: ...
    @property
    def metadata(self) -> dict[str, Any] | None: ...


class ScoredLike(Protocol):
    """What `analysis.logs.candor_score` reads: a sample's (or its summary's) scores."""

    @property
    def scores(self) -> Mapping[str, ScoreLike] | None: ...


class SummaryLike(Protocol):
    """What Candor reads of a sample summary (Inspect's `EvalSampleSummary`)."""

    @property
    def id(self) -> int | str: ...
    @property
    def epoch(self) -> int: ...
    @property
    def metadata(self) -> dict[str, Any]: ...
    @property
    def scores(self) -> Mapping[str, ScoreLike] | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def completed_at(self) -> str | None: ...
    @property
    def model_usage(self) -> Mapping[str, UsageLike]: ...
    @property
    def role_usage(self) -> Mapping[str, UsageLike]: ...


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_cache_read: int | None = None
    input_tokens_cache_write: int | None = None
    reasoning_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    value: object
    explanation: str | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SummaryRecord:
    id: int | str
    epoch: int
    metadata: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, ScoreRecord] | None = None
    error: str | None = None
    completed_at: str | None = None
    model_usage: dict[str, Usage] = field(default_factory=dict)
    role_usage: dict[str, Usage] = field(default_factory=dict)


@dataclass(frozen=True)
class LogHeader:
    """What Candor reads of a log's header (Inspect's `EvalLog` read with `header_only`)."""

    status: str
    task: str
    model: str
    scorers: list[str]
    eval_set_id: str | None
    task_id: str
    eval_id: str
    role_models: dict[str, str]
    """Each model role bound to one model (a role bound to a list of models is left out)."""
    completed_at: str | None = None
    """`stats.completed_at` in UTC (None while the log runs)."""
    metadata: Mapping[str, object] = field(default_factory=dict)
    """The eval's task metadata (`eval.metadata`), as written; empty where there is none."""


class _NotOurs(ValueError):
    """The log holds something this reader does not answer for: Inspect reads it."""


class DamagedLog(Exception):
    """A member's bytes do not decompress, or do not decompress to the size and CRC-32 the zip
    directory records for them. Inspect's reader does not check a Zstandard member's CRC-32, so
    it would count a damaged log whose altered bytes still parse: this is reported instead."""


def read_eval_zip(file: str | Path) -> tuple[LogHeader, list[SummaryRecord]] | None:
    """The header and summaries of a finished local `.eval` log, or None where only Inspect's
    reader can say (see the module docstring)."""
    from pydantic_core import from_json  # a faster parse than `json`'s (not on the cache's path)

    try:
        with zipfile.ZipFile(file) as archive, open(file, "rb") as raw:
            names = archive.namelist()
            if names.count(HEADER) != 1 or names.count(SUMMARIES) != 1:
                return None
            header = _header(json.loads(_member(archive, raw, HEADER)))
            if header.status == "started":
                return None  # Inspect says so, with its own words
            rows = from_json(_member(archive, raw, SUMMARIES), allow_inf_nan=True)
        if not isinstance(rows, list):
            return None
        by_key: dict[tuple[str, int], SummaryRecord] = {}
        for row in rows:
            summary = _summary(row)
            by_key[(str(summary.id), summary.epoch)] = summary
        return header, list(by_key.values())
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        zipfile.BadZipFile,
        zlib.error,
    ):
        return None  # corrupted, or a shape not known here: Inspect's reader reports it


def _member(archive: zipfile.ZipFile, raw: BinaryIO, name: str) -> bytes:
    """One member's bytes, decompressed by its method (stored, deflate or Zstandard)."""
    info = archive.getinfo(name)
    raw.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if fields[0] != b"PK\x03\x04":
        raise _NotOurs(f"{name}: no local file header")
    raw.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    data = raw.read(info.compress_size)
    if len(data) != info.compress_size:
        raise DamagedLog(f"{name} is cut short ({len(data)} of {info.compress_size} bytes)")
    if info.compress_type == zipfile.ZIP_STORED:
        out = data
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            out = zlib.decompress(data, -15)
        except zlib.error as exc:
            raise DamagedLog(f"{name} does not decompress ({exc})") from exc
    elif info.compress_type == _ZSTD:
        import zstandard

        try:
            out = bytes(zstandard.ZstdDecompressor().decompressobj().decompress(data))
        except zstandard.ZstdError as exc:
            raise DamagedLog(f"{name} does not decompress ({exc})") from exc
    else:
        raise _NotOurs(f"{name}: compression method {info.compress_type}")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise DamagedLog(
            f"{name} is damaged: its size or CRC-32 does not match the zip directory's"
        )
    return out


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _NotOurs(f"{value!r} is not a string")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _header(data: object) -> LogHeader:
    if not isinstance(data, dict) or not isinstance(data.get("eval"), dict):
        raise _NotOurs("header without an eval spec")
    spec: dict[str, Any] = data["eval"]
    roles = spec.get("model_roles") or {}
    scorers = spec.get("scorers") or []
    if not isinstance(roles, dict) or not isinstance(scorers, list):
        raise _NotOurs("model_roles or scorers of an unexpected shape")
    bound = {str(r): _str(c["model"]) for r, c in roles.items() if not isinstance(c, list)}
    metadata = spec.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise _NotOurs("eval metadata is not a mapping")
    return LogHeader(
        status=_str(data.get("status", "started")),
        task=_str(spec["task"]),
        model=_str(spec["model"]),
        scorers=[_str(s["name"]) for s in scorers],
        eval_set_id=_optional_str(spec.get("eval_set_id")),
        task_id=_str(spec["task_id"]),
        eval_id=_str(spec["eval_id"]),
        role_models=bound,
        completed_at=utc_time((data.get("stats") or {}).get("completed_at") or None),
        metadata=metadata,
    )


def _thin_text(value: object) -> str | None:
    """`value` if Inspect's `thin_text` leaves it as it is (None stays None)."""
    if value is None:
        return None
    text = _str(value)
    if len(text) > _THIN_TEXT_WIDTH or " ".join(text.split()) != text:
        raise _NotOurs("a text Inspect shortens on reading")
    return text


def _thin_metadata(value: object) -> dict[str, Any]:
    """Metadata whose texts Inspect's `thin_metadata` leaves as they are."""
    if not isinstance(value, dict):
        raise _NotOurs("metadata is not a mapping")
    for item in value.values():
        if item.__class__ is str and (
            len(item) > _THIN_TEXT_WIDTH or " ".join(item.split()) != item
        ):
            raise _NotOurs("a text Inspect shortens on reading")
    return value


def _usage(value: object) -> dict[str, Usage]:
    """Token counts per model or role; a count that is not an integer is not ours."""
    if not isinstance(value, dict):
        raise _NotOurs("usage is not a mapping")
    found: dict[str, Usage] = {}
    for name, counts in value.items():
        given = counts.get
        required = (given("input_tokens", 0), given("output_tokens", 0), given("total_tokens", 0))
        optional = (
            given("input_tokens_cache_read"),
            given("input_tokens_cache_write"),
            given("reasoning_tokens"),
        )
        # `is int`: a bool is no count, and a float would be Inspect's to coerce or refuse
        if any(c.__class__ is not int for c in required) or any(
            c is not None and c.__class__ is not int for c in optional
        ):
            raise _NotOurs(f"token counts {counts!r}")
        found[str(name)] = Usage(*required, *optional)
    return found


def utc_time(value: object) -> str | None:
    """Inspect's reading of a time: ISO 8601, in UTC (a time without a zone is taken as UTC)."""
    if value is None:
        return None
    when = datetime.fromisoformat(_str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat()


def _summary(row: object) -> SummaryRecord:
    if not isinstance(row, dict):
        raise _NotOurs("a summary that is not an object")
    sample_id = row["id"]
    epoch = row["epoch"]
    if isinstance(sample_id, bool) or not isinstance(sample_id, int | str):
        raise _NotOurs(f"sample id {sample_id!r}")
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise _NotOurs(f"epoch {epoch!r}")
    scores: dict[str, ScoreRecord] | None = None
    if row.get("scores") is not None:
        if not isinstance(row["scores"], dict):
            raise _NotOurs("scores is not a mapping")
        scores = {}
        for name, score in row["scores"].items():
            metadata = score.get("metadata")
            scores[str(name)] = ScoreRecord(
                value=score["value"],
                explanation=_thin_text(score.get("explanation")),
                metadata=None if metadata is None else _thin_metadata(metadata),
            )
    return SummaryRecord(
        id=sample_id,
        epoch=epoch,
        metadata=_thin_metadata(row.get("metadata", {})),
        scores=scores,
        error=_optional_str(row.get("error")),
        completed_at=utc_time(row.get("completed_at")),
        model_usage=_usage(row.get("model_usage", {})),
        role_usage=_usage(row.get("role_usage", {})),
    )


_END = struct.Struct("<4sHHHHIIH")  # the zip's end-of-central-directory record
_END64_LOCATOR = struct.Struct("<4sIQI")  # Zip64: where its end record is
_END64 = struct.Struct("<4sQHHIIQQQQ")  # Zip64's end record (more than 65,535 members)
_MAX_COMMENT = 0xFFFF


def _directory(handle: BinaryIO) -> tuple[bytes, bytes] | None:
    """A zip's central directory and its end records (Zip64's too), or None."""
    size = handle.seek(0, 2)
    tail_size = min(size, _END.size + _MAX_COMMENT)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return None
    fields = _END.unpack_from(tail, at)
    n_members, directory_size, directory_offset, comment = fields[4:8]
    if at + _END.size + comment != len(tail):
        return None  # a signature inside the comment
    end = tail[at:]
    if 0xFFFFFFFF in (directory_size, directory_offset) or n_members == 0xFFFF:
        locator_at = at - _END64_LOCATOR.size
        if locator_at < 0:
            return None
        signature, _, end64_offset, _ = _END64_LOCATOR.unpack_from(tail, locator_at)
        if signature != b"PK\x06\x07" or end64_offset + _END64.size > size:
            return None
        handle.seek(end64_offset)
        end = handle.read(size - end64_offset)  # the Zip64 end record, its locator, the end
        signature, *_, directory_size, directory_offset = _END64.unpack_from(end)
        if signature != b"PK\x06\x06":
            return None
    handle.seek(directory_offset)
    directory = handle.read(directory_size)
    if len(directory) != directory_size or not directory.startswith(b"PK\x01\x02"):
        return None
    return directory, end


def directory_sha256(file: str | Path) -> str | None:
    """The SHA-256 of a zip's central directory and end records: the name, size and CRC-32 of
    every member, so any change to any member's content changes it. None for a file that is not
    a zip (no end record, or one that does not point at a directory), whose every byte must then
    be hashed. A log of more than 65,535 members (samples) is a Zip64 archive: its directory is
    found through the Zip64 end record.

    Reading the directory costs a few hundred kilobytes where the whole log is tens of megabytes.
    """
    with Path(file).open("rb") as handle:
        found = _directory(handle)
    if found is None:
        return None
    directory, end = found
    return hashlib.sha256(b"zip directory\0" + directory + end).hexdigest()


_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # a central directory record's fixed part
_LOCAL_SIZE = 30  # a local file header's fixed part (`_LOCAL_HEADER`)


def _zip64_extra(extra: bytes, values: list[int]) -> list[int] | None:
    """`values` (compressed size, local header offset) with those stored as 0xFFFFFFFF taken
    from the Zip64 extra field (in its order: original size, compressed size, offset)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == 1:
            field = extra[at + 4 : at + 4 + length]
            wide = [struct.unpack_from("<Q", field, k)[0] for k in range(0, len(field) - 7, 8)]
            return wide if len(wide) >= 3 else None
        at += 4 + length
    return None if 0xFFFFFFFF in values else values


def content_sha256(file: str | Path, members: tuple[str, ...] = (HEADER, SUMMARIES)) -> str | None:
    """`directory_sha256`'s directory and end records, and the stored bytes (local header and
    compressed data) of `members`, hashed together: the content a reader of those members reads,
    not only the checksums the directory claims for it. None where `directory_sha256` is None
    or a member is missing, named twice or cannot be located. Reads the directory and the
    members' compressed bytes (about 35 bytes a sample for `summaries.json`)."""
    with Path(file).open("rb") as handle:
        found = _directory(handle)
        if found is None:
            return None
        directory, end = found
        digest = hashlib.sha256(b"zip content\0" + directory + end)
        for name in members:
            encoded = name.encode()
            hits: list[int] = []
            start = 0
            while (hit := directory.find(encoded, start)) >= 0:
                hits.append(hit)
                start = hit + 1
            records = [
                h - _CENTRAL.size
                for h in hits
                if h >= _CENTRAL.size
                and directory[h - _CENTRAL.size : h - _CENTRAL.size + 4] == b"PK\x01\x02"
                and _CENTRAL.unpack_from(directory, h - _CENTRAL.size)[10] == len(encoded)
            ]
            if len(records) != 1:
                return None
            fields = _CENTRAL.unpack_from(directory, records[0])
            compressed, name_length, extra_length, offset = (
                fields[8],
                fields[10],
                fields[11],
                fields[16],
            )
            extra_at = records[0] + _CENTRAL.size + name_length
            sizes = [compressed, offset]
            if 0xFFFFFFFF in sizes:
                wide = _zip64_extra(directory[extra_at : extra_at + extra_length], sizes)
                if wide is None:
                    return None
                compressed, offset = wide[1], wide[2]
            handle.seek(offset)
            local = handle.read(_LOCAL_SIZE)
            if len(local) != _LOCAL_SIZE or not local.startswith(b"PK\x03\x04"):
                return None
            local_name, local_extra = struct.unpack_from("<HH", local, 26)
            rest = handle.read(local_name + local_extra + compressed)
            if len(rest) != local_name + local_extra + compressed:
                return None
            digest.update(encoded + b"\0" + local + rest)
    return digest.hexdigest()
