"""Human labels in SQLite: an append-only history and a view of each labeller's latest label.

Nothing is ever updated or deleted, so two tabs (or two people) saving at once cannot lose a label:
each save is one `BEGIN IMMEDIATE` transaction in WAL mode with a busy timeout, and the `labels`
view picks the latest row per transcript and labeller. Import appends too, skipping exact copies.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_NAME = "candor-labels.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 15_000

HumanVerdict = Literal["deceptive", "honest", "violation", "partial", "compliant", "unclear"]
HUMAN_VERDICTS: tuple[HumanVerdict, ...] = get_args(HumanVerdict)
VERDICTS_BY_SUITE: dict[str, tuple[HumanVerdict, ...]] = {
    "deception": ("deceptive", "honest", "unclear"),
    "legal": ("violation", "partial", "compliant", "unclear"),
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS label_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    log         TEXT    NOT NULL,  -- log file name, as in a sample ref `log#id@epoch`
    sample_id   TEXT    NOT NULL,
    epoch       INTEGER NOT NULL,
    labeller    TEXT    NOT NULL,
    verdict     TEXT    NOT NULL,
    tactics     TEXT    NOT NULL DEFAULT '',  -- tactic names joined by ';'
    note        TEXT    NOT NULL DEFAULT '',
    labelled_at TEXT    NOT NULL,  -- ISO 8601, UTC, microseconds
    UNIQUE (log, sample_id, epoch, labeller, labelled_at, verdict, tactics, note)
);
CREATE INDEX IF NOT EXISTS label_history_key
    ON label_history (log, sample_id, epoch, labeller, labelled_at);
CREATE VIEW IF NOT EXISTS labels AS
SELECT id, log, sample_id, epoch, labeller, verdict, tactics, note, labelled_at FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY log, sample_id, epoch, labeller ORDER BY labelled_at DESC, id DESC
    ) AS position
    FROM label_history
) WHERE position = 1;
"""

CSV_COLUMNS = [
    "log",
    "sample_id",
    "epoch",
    "labeller",
    "verdict",
    "tactics",
    "note",
    "labelled_at",
]
_TACTIC = re.compile(r"^[a-z0-9_]+$")


class LabelStoreError(RuntimeError):
    """The label database cannot be opened, read or written; the message says which and why."""


def now() -> str:
    """The current time as stored in `labelled_at`."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Label(BaseModel):
    """One person's judgement of one transcript (a sample epoch of a log)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    log: str = Field(min_length=1)
    sample_id: str = Field(min_length=1)
    epoch: int = Field(ge=1)
    labeller: str = Field(min_length=1)
    verdict: HumanVerdict
    tactics: tuple[str, ...] = ()
    note: str = ""
    labelled_at: str = Field(default_factory=now)

    @field_validator("labeller")
    @classmethod
    def _stripped(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("labeller must not be blank")
        return value.strip()

    @field_validator("tactics")
    @classmethod
    def _tactic_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not _TACTIC.match(t)]
        if bad:
            raise ValueError(f"tactics must be snake_case names; got {bad}")
        return tuple(sorted(set(value)))

    @field_validator("labelled_at")
    @classmethod
    def _iso_time(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"labelled_at '{value}' is not an ISO 8601 time") from exc
        return value

    @property
    def ref(self) -> str:
        return f"{self.log}#{self.sample_id}@{self.epoch}"

    def row(self) -> tuple[str, str, int, str, str, str, str, str]:
        return (
            self.log,
            self.sample_id,
            self.epoch,
            self.labeller,
            self.verdict,
            ";".join(self.tactics),
            self.note,
            self.labelled_at,
        )


class ImportResult(BaseModel):
    """What an import did: rows added, exact copies skipped, or why nothing was imported."""

    added: int = 0
    duplicates: int = 0
    errors: list[str] = Field(default_factory=list)


def _label(row: sqlite3.Row) -> Label:
    return Label(
        log=row["log"],
        sample_id=row["sample_id"],
        epoch=row["epoch"],
        labeller=row["labeller"],
        verdict=row["verdict"],
        tactics=tuple(t for t in row["tactics"].split(";") if t),
        note=row["note"],
        labelled_at=row["labelled_at"],
    )


_INSERT = (
    "INSERT OR IGNORE INTO label_history "
    "(log, sample_id, epoch, labeller, verdict, tactics, note, labelled_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class LabelStore:
    """A label database at `path`, created on first use. One connection per operation."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise LabelStoreError(f"cannot open label database {self.path}: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield conn
        except sqlite3.Error as exc:
            raise LabelStoreError(f"label database {self.path}: {exc}") from exc
        finally:
            conn.close()

    def initialise(self) -> None:
        """Create the file, switch it to WAL and create the schema (idempotent).

        Raises:
            LabelStoreError: if the path is not a writable SQLite database.
        """
        if self.path.is_dir():
            raise LabelStoreError(f"label database {self.path} is a directory, not a file")
        with self._connect() as conn:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LabelStoreError(f"label database {self.path}: cannot use WAL (got {mode})")
            conn.executescript(
                f"BEGIN IMMEDIATE;{SCHEMA}PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )

    def save(self, label: Label) -> None:
        """Append one label in its own transaction."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_INSERT, label.row())
            conn.execute("COMMIT")

    def latest(self) -> list[Label]:
        """Every labeller's latest label of every transcript."""
        return self._select("SELECT * FROM labels ORDER BY log, sample_id, epoch, labeller")

    def history(
        self, log: str | None = None, sample_id: str | None = None, epoch: int = 1
    ) -> list[Label]:
        """Every label ever saved (of one transcript if given), oldest first."""
        if log is None or sample_id is None:
            return self._select("SELECT * FROM label_history ORDER BY labelled_at, id")
        return self._select(
            "SELECT * FROM label_history WHERE log = ? AND sample_id = ? AND epoch = ? "
            "ORDER BY labelled_at, id",
            (log, sample_id, epoch),
        )

    def _select(self, sql: str, params: Sequence[object] = ()) -> list[Label]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            return [_label(row) for row in conn.execute(sql, params)]

    def export_csv(self) -> str:
        """The whole history as CSV (import it elsewhere to restore every label)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(label.row() for label in self.history())
        return out.getvalue()

    def import_csv(self, text: str) -> ImportResult:
        """Append the labels of a CSV export; all rows or none, exact copies skipped."""
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return ImportResult(errors=[f"missing columns {missing}; expected {CSV_COLUMNS}"])
        labels: list[Label] = []
        errors: list[str] = []
        for line, raw in enumerate(reader, start=2):
            try:
                fields = {c: raw[c] or "" for c in CSV_COLUMNS}
                tactics = tuple(t for t in fields.pop("tactics").split(";") if t)
                labels.append(
                    Label.model_validate(
                        {**fields, "epoch": int(fields["epoch"]), "tactics": tactics}
                    )
                )
            except (ValueError, TypeError) as exc:  # pydantic errors are ValueErrors
                errors.append(f"line {line}: {' '.join(str(exc).split())}")
        if errors:
            return ImportResult(errors=errors)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            before = conn.total_changes
            conn.executemany(_INSERT, [label.row() for label in labels])
            added = conn.total_changes - before
            conn.execute("COMMIT")
        return ImportResult(added=added, duplicates=len(labels) - added)


def open_store(path: Path | str) -> tuple[LabelStore, str | None]:
    """The store at `path` and, if it cannot be written, a warning saying why."""
    store = LabelStore(path)
    try:
        store.initialise()
    except LabelStoreError as exc:
        return (
            store,
            f"Labels cannot be saved: {exc}. Start with --labels PATH to keep them elsewhere.",
        )
    return store, None
