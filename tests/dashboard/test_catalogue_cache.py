"""A restarted server reads the catalogue (rows and report) its predecessor kept in the cache
directory, and builds it again when a log, the plan or the cache setting changes."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis import logs as data_logs
from dashboard import data
from dashboard.models import SampleRow


@pytest.fixture
def logs(log_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "logs"
    shutil.copytree(log_dir, copy)
    monkeypatch.setenv("CANDOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CANDOR_NO_CACHE", raising=False)
    return copy


def _restart() -> None:
    """What a new server process starts with: no catalogue in memory."""
    data.clear()


def _counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every build of the catalogue (not served from memory or the disk)."""
    built: list[str] = []
    real = data._build_catalogue

    def counting(*args: object, **kwargs: object) -> object:
        built.append("built")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "_build_catalogue", counting)
    return built


def _no_build(*args: object) -> None:
    raise AssertionError("the catalogue was built again")


def test_the_catalogue_is_kept_while_the_page_draws(
    logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page gets the built catalogue before it is written to disk; a restart (or the
    server's stop) waits for the writing, and then reads it without building it."""
    writing = threading.Event()
    release = threading.Event()
    real = data._save_disk

    def slow(path: Path | None, catalogue: object) -> None:
        writing.set()
        release.wait(10)
        real(path, catalogue)  # type: ignore[arg-type]

    monkeypatch.setattr(data, "_save_disk", slow)
    first = data.catalogue(str(logs))  # returned while the writer waits
    assert writing.wait(10)
    assert not list((tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle"))
    release.set()
    _restart()
    assert len(list((tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle"))) == 1
    monkeypatch.setattr(data, "_build_catalogue", _no_build)
    assert data.catalogue(str(logs)).rows == first.rows


@pytest.mark.parametrize(
    "failure", [pickle.PicklingError("cannot pickle"), OSError(28, "No space left on device")]
)
def test_a_catalogue_that_cannot_be_kept_leaves_no_file_and_one_line(
    logs: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: Exception,
) -> None:
    real = pickle.dump
    calls: list[int] = []

    def failing(value: object, handle: object, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:  # after the head is written: a half-written file
            raise failure
        real(value, handle, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pickle, "dump", failing)
    first = data.catalogue(str(logs))  # the page still gets its catalogue
    data.wait_kept()
    folder = tmp_path / "cache" / "dashboard"
    assert sorted(p.name for p in folder.iterdir()) == []
    err = capsys.readouterr().err
    assert err.count("the catalogue was not kept") == 1 and type(failure).__name__ in err
    monkeypatch.setattr(pickle, "dump", real)
    _restart()
    built = _counting_builds(monkeypatch)
    assert data.catalogue(str(logs)).rows == first.rows and built == ["built"]


def test_a_restarted_server_reads_the_kept_catalogue(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = data.catalogue(str(logs))
    _restart()
    monkeypatch.setattr(data, "_build_catalogue", _no_build)
    again = data.catalogue(str(logs))
    assert [r.ref for r in again.rows] == [r.ref for r in first.rows]
    assert again.report == first.report
    assert again.problems == first.problems


def test_a_catalogue_kept_in_chunks_is_read_whole(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "_CHUNK_ROWS", 4)  # two chunks, the last one short
    first = data.catalogue(str(logs))
    assert len(first.rows) > 4 and len(first.rows) % 4 != 0
    _restart()
    monkeypatch.setattr(data, "_build_catalogue", _no_build)
    again = data.catalogue(str(logs))
    assert again.rows == first.rows
    assert again.report == first.report


def _head(kept: Path) -> bytes:
    """The kept file's first pickle (everything but the rows)."""
    with kept.open("rb") as handle:
        pickle.load(handle)
        return kept.read_bytes()[: handle.tell()]


def _rows_missing(kept: Path) -> bytes:
    return _head(kept)


def _rows_added(kept: Path) -> bytes:
    return kept.read_bytes() + pickle.dumps([])


def _rows_of_another_kind(kept: Path) -> bytes:
    head = _head(kept)
    chunks = pickle.loads(head).chunks
    return head + b"".join(pickle.dumps(["a row"]) for _ in range(chunks))


def _not_a_list(kept: Path) -> bytes:
    head = _head(kept)
    return head + b"".join(pickle.dumps({"row": 1}) for _ in range(pickle.loads(head).chunks))


@pytest.mark.parametrize("spoil", [_rows_missing, _rows_added, _rows_of_another_kind, _not_a_list])
def test_a_kept_catalogue_whose_rows_are_not_as_written_is_built_again(
    logs: Path, tmp_path: Path, spoil: Callable[[Path], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "_CHUNK_ROWS", 2)
    first = data.catalogue(str(logs))
    _restart()
    [kept] = (tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle")
    kept.write_bytes(spoil(kept))
    built = _counting_builds(monkeypatch)
    again = data.catalogue(str(logs))
    assert built == ["built"]
    assert again.rows == first.rows


def _rewrite_keeping_time(logs: Path) -> None:
    """One log's bytes replaced by another's, its modification time restored (`cp -p`)."""
    first, other = [p for p in sorted(logs.glob("*.eval")) if "broken" not in p.name][:2]
    stat = first.stat()
    first.write_bytes(other.read_bytes())
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _touch(logs: Path) -> None:
    """One log's modification time moved, its content unchanged."""
    log = next(p for p in sorted(logs.glob("*.eval")) if "broken" not in p.name)
    stat = log.stat()
    os.utime(log, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


@pytest.mark.parametrize(
    ("change", "rebuilt"),
    [("content_with_old_time", True), ("no_cache", True), ("touched_only", False)],
)
def test_a_changed_log_or_no_cache_builds_it_again(
    logs: Path, monkeypatch: pytest.MonkeyPatch, change: str, rebuilt: bool
) -> None:
    data.catalogue(str(logs))
    _restart()
    if change == "content_with_old_time":
        _rewrite_keeping_time(logs)
    elif change == "touched_only":
        _touch(logs)
    else:
        monkeypatch.setenv("CANDOR_NO_CACHE", "1")
    built = _counting_builds(monkeypatch)
    data.catalogue(str(logs))
    assert built == (["built"] if rebuilt else [])


@pytest.mark.parametrize(
    "spoilt",
    [
        b"not a pickle",
        b"\x80\x05X\x02\x00\x00\x00\xff\xfe.",  # a string that is not UTF-8
        b"\x80\x05K\x01K\x00\x86\x94.",  # a pickle of another shape
        b"\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\x7f",  # a frame longer than the file
        b"",
    ],
)
def test_an_unreadable_kept_catalogue_is_built_again(
    logs: Path, tmp_path: Path, spoilt: bytes
) -> None:
    first = data.catalogue(str(logs))
    _restart()
    [kept] = (tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle")
    kept.write_bytes(spoilt)
    again = data.catalogue(str(logs))
    assert [r.ref for r in again.rows] == [r.ref for r in first.rows]


def _others_may_write_it(kept: Path) -> None:
    kept.chmod(0o666)


def _others_may_write_its_folder(kept: Path) -> None:
    kept.parent.chmod(0o777)


@pytest.mark.parametrize("share", [_others_may_write_it, _others_may_write_its_folder])
def test_a_kept_catalogue_others_may_write_is_not_unpickled(
    share: Callable[[Path], None], logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.catalogue(str(logs))
    _restart()
    [kept] = (tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle")
    share(kept)
    unpickled: list[str] = []
    monkeypatch.setattr(pickle, "load", lambda *a: unpickled.append("loaded"))
    built = _counting_builds(monkeypatch)
    data.catalogue(str(logs))
    assert (unpickled, built) == ([], ["built"])


def test_a_kept_catalogue_is_private_to_its_user(logs: Path, tmp_path: Path) -> None:
    data.catalogue(str(logs))
    data.wait_kept()
    [kept] = (tmp_path / "cache" / "dashboard").glob("catalogue-*.pickle")
    assert kept.stat().st_mode & 0o077 == 0
    assert kept.parent.stat().st_mode & 0o077 == 0


def test_the_logs_the_cache_lacks_are_read_by_workers(
    logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cache on, a catalogue's uncached logs are read in worker processes (here every
    log, whatever its size) and the server reads only what they could not cache."""
    monkeypatch.setenv("CANDOR_NO_CACHE", "1")
    alone = data.catalogue(str(logs))
    _restart()
    monkeypatch.delenv("CANDOR_NO_CACHE")
    monkeypatch.setattr(data, "FILL_BYTES", 0)
    read: list[str] = []
    real = data_logs._read_log

    def counting(file: str, **options: bool) -> object:
        read.append(Path(file).name)
        return real(file, **options)

    monkeypatch.setattr(data_logs, "_read_log", counting)
    filled = data.catalogue(str(logs))
    assert read == ["2026-01-01T00-00-00+00-00_broken_abc.eval"]  # never cached
    assert [r.ref for r in filled.rows] == [r.ref for r in alone.rows]
    assert filled.report == alone.report
    assert filled.problems == alone.problems


def test_pruning_keeps_the_newest_skips_what_vanished_and_removes_old_partials(
    logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache" / "dashboard"
    folder.mkdir(parents=True, mode=0o700)
    old = []
    for i in range(12):
        f = folder / f"catalogue-old{i:02d}.pickle"
        f.write_bytes(b"x")
        os.utime(f, (1000 + i, 1000 + i))
        old.append(f)
    (folder / "catalogue-gone.pickle").symlink_to(folder / "nowhere")  # removed by another
    stale = folder / ".tmp-abc1.pickle"  # `write_atomically`'s temporary file
    stale.write_bytes(b"half")
    os.utime(stale, (1000, 1000))
    fresh = folder / ".tmp-abc2.pickle"  # another server writing now
    fresh.write_bytes(b"half")
    data.catalogue(str(logs))
    data.wait_kept()
    left = {p.name for p in folder.iterdir()}
    assert not stale.exists() and fresh.exists()
    assert len([n for n in left if n.startswith("catalogue-") and "gone" not in n]) == 8
    assert old[-1].name in left and old[0].name not in left  # the newest kept, the oldest gone
    assert "not kept" not in capsys.readouterr().err


def test_wait_kept_waits_for_a_writer_started_meanwhile(
    logs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer is listed only once started: `wait_kept` (the reload button) called while
    another session's writer is starting waits for it instead of failing to join it."""
    catalogue = data.catalogue(str(logs))
    data.wait_kept()
    starting = threading.Event()

    class SlowStart(threading.Thread):
        def start(self) -> None:
            starting.set()
            time.sleep(0.3)  # the window between listing the thread and starting it
            super().start()

    monkeypatch.setattr(data.threading, "Thread", SlowStart)
    target = tmp_path / "cache" / "dashboard" / "catalogue-later.pickle"
    other = threading.Thread(target=data._save_later, args=(target, catalogue))
    other.start()
    assert starting.wait(10)
    data.wait_kept()  # would raise "cannot join thread before it is started"
    assert target.exists()
    other.join()


@pytest.mark.parametrize("source", ["built", "kept"])
def test_a_catalogue_is_out_of_the_collectors_reach(logs: Path, source: str) -> None:
    """Built or read from disk, no later collection walks the catalogue's rows and report (a
    full collection over them would stall the page being served); the collector is on again."""
    if source == "kept":
        data.catalogue(str(logs))
        _restart()
    gc.unfreeze()
    try:
        cat = data.catalogue(str(logs))
        walked = {id(o) for o in gc.get_objects()}
        assert cat.rows
        assert not any(id(r) in walked or id(r.outcome) in walked for r in cat.rows)
        assert id(cat.report) not in walked
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_kept_rows_come_back_equal_field_for_field(logs: Path) -> None:
    """Rows (and their outcomes) are pickled as their values: read back, each is the row that
    was built, every field of it."""
    first = data.catalogue(str(logs))
    _restart()
    again = data.catalogue(str(logs))
    assert again.rows == first.rows
    assert [r.model_dump() for r in again.rows] == [r.model_dump() for r in first.rows]
    assert all(type(r) is type(f) for r, f in zip(again.rows, first.rows, strict=True))


def test_an_episode_whose_log_is_copied_beside_it_is_one_row(logs: Path) -> None:
    """A log and a copy of it in the same folder hold the same episodes: the rows are the
    episodes the report counts, each once, and every row is a counted copy."""
    alone = data.catalogue(str(logs))
    for log in sorted(logs.glob("*.eval")):
        shutil.copy(log, log.with_name("copy-" + log.name))
    _restart()
    both = data.catalogue(str(logs))
    assert len(both.rows) == len(alone.rows) > 0
    assert len({r.ref for r in both.rows}) == len(both.rows)
    episodes = [r.outcome.episode for r in both.rows]
    assert len(set(episodes)) == len(episodes)
    assert sorted(episodes) == sorted(r.outcome.episode for r in alone.rows)
    assert len(both.report.set_aside) == len(alone.rows)  # every copy set aside, none shown
    shown = {r.ref for r in both.rows}
    assert not shown & {s.ref for s in both.report.set_aside}


_PAGE = compile(
    """
def table_and_transcript(rows):  # a page namespace is a cycle: its functions hold it
    return len(rows)
cat = data.catalogue(LOGS)
all_rows = cat.rows
""",
    "page.py",
    "exec",
)


@pytest.mark.parametrize("how", ["the next build", "the settling after a build"])
def test_catalogues_read_by_page_runs_are_freed(
    logs: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A page run's namespace is a reference cycle holding the catalogue it read, and the
    session keeps it (its fragment) until the next run has replaced it: alive when the next
    catalogue is put out of the collector's reach. What died is freed by the next build, and
    a little after a build again (`SETTLE_AFTER`): no catalogue but the current one is held."""
    import types

    monkeypatch.setattr(data, "SETTLE_AFTER", 0.05)
    here = str(logs)  # another test's catalogues may still be cached

    def alive_rows() -> int:
        gc.unfreeze()  # counted whether kept for good or not
        found = sum(
            1 for o in gc.get_objects() if isinstance(o, SampleRow) and o.file.startswith(here)
        )
        gc.freeze()
        return found

    per_catalogue = 0
    previous: types.ModuleType | None = None
    for _ in range(4):
        data._catalogue.clear()  # its time to live ran out, or the logs changed
        page = types.ModuleType("page")
        page.__dict__.update(data=data, LOGS=here)
        exec(_PAGE, page.__dict__)  # the previous run's namespace is still alive meanwhile
        per_catalogue = len(page.__dict__["cat"].rows)
        data.wait_kept()
        previous = page
        del page
    del previous  # replaced by a next run
    assert per_catalogue > 0
    if how == "the next build":
        data._catalogue.clear()
        monkeypatch.setattr(data, "SETTLE_AFTER", 3600.0)
        data.catalogue(here)
    else:
        time.sleep(0.5)  # the last build's settling has run
    gc.collect()
    # the current catalogue's rows and the cached parts' (read back from disk, the catalogue's
    # rows are other objects); a catalogue caught while alive would be a third
    assert alive_rows() <= 2 * per_catalogue


def test_two_runs_in_logs_of_one_file_name_never_open_each_others_transcripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two independent runs whose logs share a file name (in two folders) have rows of the
    same reference: one is listed, the other log is named as a problem, and every listed row
    opens its own transcript."""
    from dashboard import lookups
    from tests.analysis.runs import run_blame

    monkeypatch.setenv("CANDOR_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "logs"
    for folder, verdict in (("a", "deceptive"), ("b", "honest")):
        log = run_blame(tmp_path / "runs" / folder, verdict=verdict)
        (root / folder).mkdir(parents=True)
        shutil.copy(log, root / folder / "results.eval")
    cat = data.catalogue(str(root))
    refs = [r.ref for r in cat.rows]
    assert len(refs) == len(set(refs)) > 0
    known = lookups.by_ref(cat.rows)
    assert all(known[r.ref] is r for r in cat.rows)
    assert {Path(r.file).parent.name for r in cat.rows} == {"a"}
    [problem] = [p for p in cat.problems if "another log named results.eval" in p.message]
    assert Path(problem.log).parent.name == "b"
    assert f"{len(cat.rows)} of this log's samples" in problem.message
    # the dashboard's own listing problem: the report stays the one `candor report` makes
    assert not [p for p in cat.report.problems if "another log named" in p.message]
