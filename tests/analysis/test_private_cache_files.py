"""Cache files are read only when what is opened belongs to this user and no one else may write
it (`analysis.log_files.open_private`): a cache folder shared with others is read as if empty."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.log_files import open_private, read_private, write_atomically
from analysis.report_cache import CachedReport, ReportCache


def _written(tmp_path: Path) -> Path:
    target = tmp_path / "cache" / "logs" / "entry.pickle"
    assert write_atomically(target, b"kept")
    return target


def test_a_file_written_by_a_function_is_kept_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "dashboard" / "catalogue-a.pickle"
    assert write_atomically(target, lambda handle: handle.write(b"in parts") and None)
    assert read_private(target) == b"in parts"

    def half(handle: object) -> None:
        assert hasattr(handle, "write")
        handle.write(b"half")
        raise ValueError("cannot pickle")

    with pytest.raises(ValueError, match="cannot pickle"):
        write_atomically(target, half)
    assert read_private(target) == b"in parts"  # the old content, nothing beside it

    def full(handle: object) -> None:
        raise OSError(28, "No space left on device")

    assert not write_atomically(target, full)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_private_file_is_read(tmp_path: Path) -> None:
    target = _written(tmp_path)
    assert read_private(target) == b"kept"
    assert target.stat().st_mode & 0o077 == 0 and target.parent.stat().st_mode & 0o077 == 0


def _file_others_may_write(target: Path) -> None:
    target.chmod(0o666)


def _file_group_may_write(target: Path) -> None:
    target.chmod(0o620)


def _folder_others_may_write(target: Path) -> None:
    target.parent.chmod(0o777)


def _file_is_a_link(target: Path) -> None:
    elsewhere = target.parent.parent / "elsewhere.pickle"
    target.rename(elsewhere)
    target.symlink_to(elsewhere)


def _folder_is_a_link(target: Path) -> None:
    folder = target.parent
    moved = folder.parent / "moved"
    folder.rename(moved)
    folder.symlink_to(moved, target_is_directory=True)


def _not_a_file(target: Path) -> None:
    target.unlink()
    os.mkfifo(target)


def _gone(target: Path) -> None:
    target.unlink()


@pytest.mark.parametrize(
    "spoil",
    [
        _file_others_may_write,
        _file_group_may_write,
        _folder_others_may_write,
        _file_is_a_link,
        _folder_is_a_link,
        _not_a_file,
        _gone,
    ],
)
def test_a_file_it_cannot_vouch_for_is_not_read(
    spoil: Callable[[Path], None], tmp_path: Path
) -> None:
    target = _written(tmp_path)
    spoil(target)
    assert open_private(target) is None
    assert read_private(target) is None


@pytest.mark.parametrize("spoil", [_file_others_may_write, _folder_others_may_write])
def test_a_kept_report_others_may_write_is_not_printed(
    spoil: Callable[[Path], None], tmp_path: Path
) -> None:
    cache = ReportCache(tmp_path / "cache")
    cache.put("k" * 16, CachedReport(stdout="FORGED REPORT", stderr="", code=0))
    [kept] = cache.directory.glob("*.json")
    assert cache.get("k" * 16) is not None
    spoil(kept)
    assert cache.get("k" * 16) is None
