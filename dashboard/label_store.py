"""Human labels in SQLite: an append-only history, and each labeller's latest label from it.

Nothing is ever updated or deleted, so two tabs (or two people) saving at once cannot lose a label:
each save is one `BEGIN IMMEDIATE` transaction in WAL mode with a busy timeout. The latest label
per transcript and labeller is the one with the latest `labelled_at` as an instant (every time
carries a UTC offset; `10:00+02:00` is before `09:00+00:00`), so it is chosen in Python, not by
comparing the stored text. Import appends too, skipping exact copies.

Every label records whether it was made with blind labelling on (`blind`): only those calibrate
the grader by default, since a labeller who saw the arm is not a blind judge of it. Schema 3 added
the column; opening an older database adds it, with `0` (not blind) for the labels it holds.

The CSV export is safe to open in a spreadsheet: a cell that would start with a formula character
gets a leading `'` (OWASP's advice on CSV injection), and import removes exactly that quote, so
export, import and export again give the same file.
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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dashboard.names import DEFAULT_NAME as DEFAULT_NAME

SCHEMA_VERSION = 3
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
    labelled_at TEXT    NOT NULL,  -- ISO 8601 with a UTC offset, exactly as saved or imported
    blind       INTEGER NOT NULL DEFAULT 0,  -- 1: made with blind labelling on (schema 3)
    UNIQUE (log, sample_id, epoch, labeller, labelled_at, verdict, tactics, note)
);
CREATE INDEX IF NOT EXISTS label_history_key
    ON label_history (log, sample_id, epoch, labeller, labelled_at);
-- schema 1 had a `labels` view that ordered `labelled_at` as text, which is wrong across offsets
DROP VIEW IF EXISTS labels;
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
"""The columns an import requires."""
OPTIONAL_CSV_COLUMNS = ["blind"]
"""Columns an import accepts but does not require (an export from before schema 3 has none)."""
EXPORT_COLUMNS = [*CSV_COLUMNS, *OPTIONAL_CSV_COLUMNS]
_BOOLEAN = {"true": True, "false": False}
_TACTIC = re.compile(r"^[a-z0-9_]+$")
# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def escape_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: `'` before a formula start (or before a quote that
    `unescape_cell` would otherwise take away, so that the two are exact inverses)."""
    if value.startswith(FORMULA_STARTS) or (
        value.startswith(_QUOTE) and value[1:].startswith((*FORMULA_STARTS, _QUOTE))
    ):
        return _QUOTE + value
    return value


def unescape_cell(cell: str) -> str:
    """The value `escape_cell` wrote as `cell`."""
    if cell.startswith(_QUOTE) and cell[1:].startswith((*FORMULA_STARTS, _QUOTE)):
        return cell[1:]
    return cell


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
    blind: bool = False
    """Made with blind labelling on: the labeller saw neither the arm nor the grader's verdict."""

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
        _instant(value)
        return value

    @property
    def instant(self) -> datetime:
        """`labelled_at` as a timezone-aware datetime: what "latest" compares."""
        return _instant(self.labelled_at)

    @property
    def key(self) -> tuple[str, str, int, str]:
        """Transcript and labeller: one latest label per key."""
        return (self.log, self.sample_id, self.epoch, self.labeller)

    @property
    def ref(self) -> str:
        return f"{self.log}#{self.sample_id}@{self.epoch}"

    def row(self) -> tuple[str, str, int, str, str, str, str, str, int]:
        return (
            self.log,
            self.sample_id,
            self.epoch,
            self.labeller,
            self.verdict,
            ";".join(self.tactics),
            self.note,
            self.labelled_at,
            int(self.blind),
        )

    def cells(self) -> list[str]:
        """The CSV export's cells, in `EXPORT_COLUMNS` order, formulas escaped."""
        *rest, blind = self.row()
        return [*(escape_cell(str(cell)) for cell in rest), "true" if blind else "false"]


def _instant(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"labelled_at '{value}' is not an ISO 8601 time") from exc
    if moment.utcoffset() is None:
        raise ValueError(
            f"labelled_at '{value}' has no time zone; give its UTC offset, "
            f"e.g. '{moment.replace(tzinfo=UTC).isoformat()}'"
        )
    return moment


def chronological(labels: Sequence[Label]) -> list[Label]:
    """`labels` oldest first by instant; labels of the same instant keep their order."""
    return sorted(labels, key=lambda label: label.instant)


def latest_of(labels: Sequence[Label]) -> list[Label]:
    """Each labeller's latest label of each transcript (by instant; a tie goes to the later one)."""
    latest: dict[tuple[str, str, int, str], Label] = {}
    for label in chronological(labels):
        latest[label.key] = label
    return [latest[key] for key in sorted(latest)]


def _problems(where: str, exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors():
        column = str(error["loc"][0]) if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        out.append(f"{where}, column {column}: {' '.join(message.split())}")
    return out


class ImportResult(BaseModel):
    """What an import did: rows added, exact copies skipped, or why nothing was imported."""

    added: int = 0
    duplicates: int = 0
    errors: list[str] = Field(default_factory=list)


def _label(row: sqlite3.Row) -> Label:
    columns = row.keys()  # `in row` would look among the values; a database not yet opened
    # for writing may predate the `blind` column
    return Label.model_validate(
        {
            "log": row["log"],
            "sample_id": row["sample_id"],
            "epoch": row["epoch"],
            "labeller": row["labeller"],
            "verdict": row["verdict"],
            "tactics": tuple(t for t in row["tactics"].split(";") if t),
            "note": row["note"],
            "labelled_at": row["labelled_at"],
            "blind": bool(row["blind"]) if "blind" in columns else False,
        }
    )


_INSERT = (
    "INSERT OR IGNORE INTO label_history "
    "(log, sample_id, epoch, labeller, verdict, tactics, note, labelled_at, blind) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
            conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}")
            columns = {r["name"] for r in conn.execute("PRAGMA table_info(label_history)")}
            if "blind" not in columns:  # schema 1 or 2: no label was known to be blind
                conn.execute(
                    "ALTER TABLE label_history ADD COLUMN blind INTEGER NOT NULL DEFAULT 0"
                )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")

    def save(self, label: Label) -> None:
        """Append one label in its own transaction."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_INSERT, label.row())
            conn.execute("COMMIT")

    def latest(self) -> list[Label]:
        """Every labeller's latest label of every transcript, by transcript and labeller."""
        return latest_of(self.history())

    def history(
        self, log: str | None = None, sample_id: str | None = None, epoch: int = 1
    ) -> list[Label]:
        """Every label ever saved (of one transcript if given), oldest first by instant."""
        if log is None or sample_id is None:
            return chronological(self._select("SELECT * FROM label_history ORDER BY id"))
        return chronological(
            self._select(
                "SELECT * FROM label_history WHERE log = ? AND sample_id = ? AND epoch = ? "
                "ORDER BY id",
                (log, sample_id, epoch),
            )
        )

    def _select(self, sql: str, params: Sequence[object] = ()) -> list[Label]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        labels = []
        for row in rows:
            try:
                labels.append(_label(row))
            except ValidationError as exc:
                problems = "; ".join(_problems(f"label_history id {row['id']}", exc))
                raise LabelStoreError(f"label database {self.path}: {problems}") from exc
        return labels

    def export_csv(self) -> str:
        """The whole history as CSV, formulas escaped (import it elsewhere to restore it all)."""
        out = io.StringIO()
        # CRLF (RFC 4180): the writer quotes any cell holding a character of the line terminator,
        # so a note with a lone carriage return stays one cell
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(label.cells() for label in self.history())
        return out.getvalue()

    def import_csv(self, text: str) -> ImportResult:
        """Append the labels of a CSV export; all rows or none, exact copies skipped.

        The header must name exactly the columns of `CSV_COLUMNS` (in any order), and may add
        `blind` (`true` or `false`; `false` when absent). Problems are
        reported by spreadsheet row (the header is row 1) and column.
        """
        try:
            header, *records = list(csv.reader(io.StringIO(text))) or [[]]
        except csv.Error as exc:
            return ImportResult(errors=[f"not a readable CSV file: {exc}"])
        if header_errors := _header_problems(header):
            return ImportResult(errors=header_errors)
        labels: list[Label] = []
        errors: list[str] = []
        for row, record in enumerate(records, start=2):
            if not record:  # a blank line
                continue
            if len(record) != len(header):
                errors.append(f"row {row}: {len(record)} cells; the header has {len(header)}")
                continue
            fields = {c: unescape_cell(v) for c, v in zip(header, record, strict=True)}
            if not fields["epoch"].isdecimal():
                errors.append(f"row {row}, column epoch: '{fields['epoch']}' is not a number")
                continue
            blind = fields.pop("blind", "false")
            if blind not in _BOOLEAN:
                errors.append(f"row {row}, column blind: '{blind}' is not true or false")
                continue
            try:
                tactics = tuple(t for t in fields.pop("tactics").split(";") if t)
                labels.append(
                    Label.model_validate(
                        {
                            **fields,
                            "epoch": int(fields["epoch"]),
                            "tactics": tactics,
                            "blind": _BOOLEAN[blind],
                        }
                    )
                )
            except ValidationError as exc:
                errors.extend(_problems(f"row {row}", exc))
        if errors:
            return ImportResult(errors=errors)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            before = conn.total_changes
            conn.executemany(_INSERT, [label.row() for label in labels])
            added = conn.total_changes - before
            conn.execute("COMMIT")
        return ImportResult(added=added, duplicates=len(labels) - added)


def _header_problems(header: list[str]) -> list[str]:
    expected = (
        f"expected columns {', '.join(CSV_COLUMNS)} (optionally {', '.join(OPTIONAL_CSV_COLUMNS)})"
    )
    if not header:
        return [f"the file has no header row; {expected}"]
    unknown = [c for c in header if c not in EXPORT_COLUMNS]
    missing = [c for c in CSV_COLUMNS if c not in header]
    repeated = sorted({c for c in header if header.count(c) > 1})
    problems = [
        f"{what} columns {', '.join(repr(c) for c in names)}"
        for what, names in (("unknown", unknown), ("missing", missing), ("repeated", repeated))
        if names
    ]
    return [f"{'; '.join(problems)}; {expected}"] if problems else []


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
