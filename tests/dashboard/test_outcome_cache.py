"""The outcome cache and the log listing shared by `candor report` and the dashboard.

Run on the dashboard's directory of real logs (good, another task's, corrupted).
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs

from analysis import fill_cache, logs
from analysis.logs import LogRead, OutcomeCache, load_outcomes, local_log_files
from analysis.report import build_report
from cli.main import main


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every log actually read (not served from the cache)."""
    read: list[str] = []
    real = logs._read_log

    def counting(file: str, **options: bool) -> LogRead:
        read.append(Path(file).name)
        return real(file, **options)

    monkeypatch.setattr(logs, "_read_log", counting)
    return read


@pytest.fixture
def copied(log_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "logs"
    shutil.copytree(log_dir, target)
    return target


def test_listing_matches_inspect(copied: Path) -> None:
    nested = copied / "nested" / "deeper"
    nested.mkdir(parents=True)
    shutil.copy(next(copied.glob("*blame-postmortem*.eval")), nested / "copy.eval")
    (copied / "notes.json").write_text("{}")  # not a log name: ignored by both
    (copied / "2026-02-02T10-00-00+00-00_task_abc.json").write_text("{}")  # a JSON log name
    (copied / "readme.txt").write_text("x")
    ours = [str(p) for p in local_log_files(copied)]
    theirs = [i.name.removeprefix("file://") for i in list_eval_logs(str(copied), descending=False)]
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == len(list(copied.glob("*.eval"))) + 2


def test_second_read_comes_from_the_cache(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = OutcomeCache(tmp_path / "cache")
    first = load_outcomes([copied], cache)
    read = _counting(monkeypatch)
    again = load_outcomes([copied], OutcomeCache(tmp_path / "cache"))
    # The corrupted log is never cached: it may be a log still being written.
    assert read == ["2026-01-01T00-00-00+00-00_broken_abc.eval"]
    assert again == first
    assert build_report(again) == build_report(first)
    assert cache.misses == len(list(copied.glob("*.eval")))


def _same_size_rewrite(target: Path, source: Path) -> None:
    """Rewrite `target` with `source`'s bytes as `cp -p` would leave it: same size (the two
    differ only in their grades), modification time restored."""
    stat = target.stat()
    data = source.read_bytes()
    assert len(data) == stat.st_size and data != target.read_bytes()
    target.write_bytes(data)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _repacked(source: Path, flip: bool) -> bytes:
    """The log's zip rewritten entry by entry (verdict values 1.0 → 0.0 if `flip`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if flip:
                data = data.replace(b'"value":1.0', b'"value":0.0')
            zout.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()


def _padded(data: bytes, size: int) -> bytes:
    """A zip padded to `size` bytes with its archive comment (what Inspect never reads)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as z:
        z.comment = b" " * (size - len(data))
    return out.getvalue()


@pytest.fixture
def regraded_pair(tmp_path: Path) -> tuple[Path, Path]:
    """A real log, and the same log with every verdict flipped deceptive → honest, padded to the
    same size."""
    from tests.analysis.runs import run_blame

    target = run_blame(tmp_path / "runs", verdict="deceptive")
    original, flipped = _repacked(target, flip=False), _repacked(target, flip=True)
    assert original != flipped
    size = max(len(original), len(flipped))
    target.write_bytes(_padded(original, size))
    other = tmp_path / "flipped.eval"
    other.write_bytes(_padded(flipped, size))
    assert other.stat().st_size == target.stat().st_size
    return target, other


@pytest.mark.parametrize("change", ["content, same size and mtime", "mtime only"])
def test_a_log_is_read_again_exactly_when_its_content_changes(
    change: str,
    regraded_pair: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target, flipped = regraded_pair
    cache = OutcomeCache(tmp_path / "cache")
    before = load_outcomes([target], cache)
    if change == "mtime only":
        stat = target.stat()
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    else:
        _same_size_rewrite(target, flipped)
    read = _counting(monkeypatch)
    after = load_outcomes([target], cache)
    if change == "mtime only":
        assert read == [] and after.samples == before.samples
    else:
        assert read == [target.name]
        assert after.samples != before.samples
        assert {s.outcomes["deceptive"] for s in after.samples} == {"negative"}


def test_a_bad_cache_entry_is_ignored_and_replaced(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = OutcomeCache(tmp_path / "cache")
    first = load_outcomes([copied], cache)
    for entry in cache.directory.glob("*.pickle"):
        entry.write_text('{"source": "truncated', encoding="utf-8")
    read = _counting(monkeypatch)
    assert load_outcomes([copied], cache) == first
    assert len(read) == len(list(copied.glob("*.eval")))
    read.clear()
    load_outcomes([copied], cache)
    assert read == ["2026-01-01T00-00-00+00-00_broken_abc.eval"]


def test_an_unwritable_cache_only_costs_time(copied: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    cache = OutcomeCache(blocker)
    assert load_outcomes([copied], cache) == load_outcomes([copied])
    assert blocker.read_text() == "a file where the cache directory should be"


def test_report_cli_uses_the_cache_unless_told_not_to(
    copied: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cache_dir = tmp_path / "cli-cache"
    monkeypatch.setenv("CANDOR_CACHE_DIR", str(cache_dir))
    assert main(["report", str(copied), "--no-cache", "--json"]) == 0
    assert not cache_dir.exists()
    uncached = capsys.readouterr().out
    assert main(["report", str(copied), "--json"]) == 0
    assert len(list((cache_dir / "logs").glob("*.pickle"))) == len(list(copied.glob("*.eval"))) - 1
    read = _counting(monkeypatch)
    assert main(["report", str(copied), "--json"]) == 0
    assert read == []  # the finished report, kept by the run before, is printed as it was
    shutil.rmtree(cache_dir / "reports")  # without it: the outcome cache
    assert main(["report", str(copied), "--json"]) == 0
    assert read == ["2026-01-01T00-00-00+00-00_broken_abc.eval"]
    assert capsys.readouterr().out == uncached * 3


def test_a_log_rewritten_while_it_is_read_is_read_again(
    regraded_pair: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log rewritten during the read (e.g. by `inspect score`) must not be cached under its
    new content with what was read from the old one."""
    target, flipped = regraded_pair
    cache = OutcomeCache(tmp_path / "cache")
    real = logs._read_log

    def rewritten_meanwhile(file: str, **options: bool) -> LogRead:
        read = real(file, **options)
        _same_size_rewrite(target, flipped)
        return read

    monkeypatch.setattr(logs, "_read_log", rewritten_meanwhile)
    load_outcomes([target], cache)
    monkeypatch.setattr(logs, "_read_log", real)
    read = _counting(monkeypatch)
    assert {s.outcomes["deceptive"] for s in load_outcomes([target], cache).samples} == {"negative"}
    assert read == [target.name]


def _entries(cache: OutcomeCache) -> list[Path]:
    found = sorted(cache.directory.glob("*.pickle"))
    assert found
    return found


def _written_by_others(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        entry.chmod(0o666)


def _in_a_shared_folder(cache: OutcomeCache) -> None:
    cache.directory.chmod(0o777)


def _truncated(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        entry.write_bytes(entry.read_bytes()[:100])


def _not_pickle(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        entry.write_text('{"source": "an older JSON entry"}', encoding="utf-8")


def _split(entry: Path) -> tuple[bytes, tuple[str, object]]:
    """An entry's header (its first line without the length) and its unpickled `(path, read)`."""
    line, rest = entry.read_bytes().split(b"\n", 1)
    header = line.rsplit(b" ", 1)[0] + b" "
    path, read = pickle.loads(rest)
    assert isinstance(path, str)
    return header, (path, read)


def _entry(header: bytes, value: object) -> bytes:
    payload = pickle.dumps(value)
    return header + str(len(payload)).encode() + b"\n" + payload


def _another_shape(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        header, _ = _split(entry)
        entry.write_bytes(_entry(header, {"read": "not a tuple"}))


def _another_source(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        _, (path, read) = _split(entry)
        entry.write_bytes(_entry(b"candor-outcomes 1 " + b"0" * 64 + b" ", (path, read)))


def _another_log(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        _, (path, read) = _split(entry)
        entry.write_bytes(_entry(logs.entry_header(path, "0" * 64), (path, read)))


def _another_path_inside(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        header, (_, read) = _split(entry)
        entry.write_bytes(_entry(header, ("/elsewhere/log.eval", read)))


def _not_a_read(cache: OutcomeCache) -> None:
    for entry in _entries(cache):
        header, (path, _) = _split(entry)
        entry.write_bytes(_entry(header, (path, ["an outcome"])))


@pytest.mark.parametrize(
    "spoil",
    [
        _written_by_others,
        _in_a_shared_folder,
        _truncated,
        _not_pickle,
        _another_shape,
        _another_source,
        _another_log,
        _another_path_inside,
        _not_a_read,
    ],
)
def test_an_entry_it_cannot_vouch_for_is_read_again(
    spoil: Callable[[OutcomeCache], None],
    copied: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry others may write is not unpickled; a foreign or stale one is a miss; either way
    every log is read again, with the same outcomes."""
    cache = OutcomeCache(tmp_path / "cache")
    first = load_outcomes([copied], cache)
    spoil(cache)
    if spoil in (_another_source, _another_log, _truncated, _not_pickle):
        # a stale or foreign first line: not current, known without unpickling it
        assert not any(
            cache.current(i)
            for i in map(OutcomeCache.identity, map(str, copied.glob("*.eval")))
            if i is not None
        )
    read = _counting(monkeypatch)
    again = OutcomeCache(tmp_path / "cache")
    assert load_outcomes([copied], again) == first
    assert sorted(read) == sorted(p.name for p in copied.glob("*.eval"))
    assert again.hits == 0


def test_entries_are_private_to_their_user(copied: Path, tmp_path: Path) -> None:
    cache = OutcomeCache(tmp_path / "cache")
    load_outcomes([copied], cache)
    assert cache.directory.stat().st_mode & 0o077 == 0
    for entry in _entries(cache):
        assert entry.stat().st_mode & 0o077 == 0
        assert entry.stat().st_uid == os.getuid()


def test_workers_fill_the_cache_and_the_caller_reads_only_what_they_could_not(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = OutcomeCache(tmp_path / "cache")
    files = [str(p) for p in sorted(copied.glob("*.eval"))]
    handed = fill_cache.fill(files, cache, workers=2, min_bytes=0)
    assert handed == len(files)
    finished = [f for f in files if "broken" not in f]
    identities = [OutcomeCache.identity(f) for f in finished]
    assert all(i is not None and cache.current(i) for i in identities)
    expected = load_outcomes([copied], OutcomeCache(tmp_path / "elsewhere"))
    read = _counting(monkeypatch)
    assert load_outcomes([copied], OutcomeCache(tmp_path / "cache")) == expected
    assert read == ["2026-01-01T00-00-00+00-00_broken_abc.eval"]  # never cached: read here
    # nothing more to hand over once every finished log is in
    assert fill_cache.missing(finished, cache) == []
    assert fill_cache.fill(files, cache, workers=2, min_bytes=0) == 0


@pytest.mark.parametrize(
    ("sizes", "parts", "expected"),
    [
        ([("a", 5), ("b", 4), ("c", 3), ("d", 2)], 2, [["a", "d"], ["b", "c"]]),
        ([("a", 1), ("b", 1), ("c", 1)], 2, [["a", "c"], ["b"]]),
        ([("a", 9)], 2, [["a"]]),
        ([("a", 9), ("b", 1), ("c", 1)], 3, [["a"], ["b"], ["c"]]),
    ],
)
def test_logs_are_dealt_by_size(
    sizes: list[tuple[str, int]], parts: int, expected: list[list[str]]
) -> None:
    assert fill_cache.split(sizes, parts) == expected


def test_a_worker_that_dies_costs_only_time(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    cache = OutcomeCache(tmp_path / "cache")
    files = [str(p) for p in sorted(copied.glob("*.eval"))]
    assert fill_cache.fill(files, cache, workers=2, min_bytes=0) == 0  # none started
    (tmp_path / "false").write_text("#!/bin/sh\nexit 3\n")
    (tmp_path / "false").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "false"))
    assert fill_cache.fill(files, cache, workers=2, min_bytes=0) == len(files)
    expected = load_outcomes([copied], OutcomeCache(tmp_path / "elsewhere"))
    read = _counting(monkeypatch)
    assert load_outcomes([copied], cache) == expected
    assert sorted(read) == sorted(Path(f).name for f in files)


def test_workers_read_relative_names_as_the_caller_does(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative cache folder and relative log names (`streamlit run dashboard/app.py -- logs`)
    mean the same files in the workers as in the caller."""
    monkeypatch.chdir(copied.parent)
    cache = OutcomeCache(Path("relative-cache"))
    files = [f"{copied.name}/{p.name}" for p in sorted(copied.glob("*.eval"))]
    assert fill_cache.fill(files, cache, workers=2, min_bytes=0) == len(files)
    finished = [f for f in files if "broken" not in f]
    assert fill_cache.missing(finished, cache) == []
    assert (copied.parent / "relative-cache" / "logs").is_dir()


def test_a_log_rewritten_while_it_is_read_is_not_kept(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identity is taken before and after the read: a log re-graded in place meanwhile is
    not kept under its old content's hash (to be served if its old bytes came back)."""
    target, other = [p for p in sorted(copied.glob("*.eval")) if "broken" not in p.name][:2]
    before = target.read_bytes()
    real = logs._read_log

    def rewritten_meanwhile(file: str, **options: bool) -> LogRead:
        read = real(file, **options)
        if Path(file) == target:
            target.write_bytes(other.read_bytes())
        return read

    monkeypatch.setattr(logs, "_read_log", rewritten_meanwhile)
    cache = OutcomeCache(tmp_path / "cache")
    identity = OutcomeCache.identity(str(target))
    assert identity is not None
    logs.read_log(str(target), cache)
    assert not cache.current(identity)
    target.write_bytes(before)  # the old bytes restored: read again, not served
    assert OutcomeCache.identity(str(target)) == identity
    assert cache.get(identity) is None
