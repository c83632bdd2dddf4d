"""The label database: persistence, concurrent saves, CSV round trip, unusable paths."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from dashboard.label_store import (
    CSV_COLUMNS,
    Label,
    LabelStore,
    LabelStoreError,
    open_store,
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
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


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
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)

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
            "line 2",
        ),
        (
            ",".join(CSV_COLUMNS) + "\nrun.eval,s,one,ann,honest,,,2026-01-01T00:00:00+00:00\n",
            "line 2",
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
