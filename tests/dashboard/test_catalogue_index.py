"""The dashboard over logs with outcome indexes shows what it shows over the logs alone: the same
rows, report and problems (the suite's real log folder, good and bad logs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import logs as analysis_logs
from analysis.outcome_index import index_state, write_index
from dashboard import data
from dashboard.models import Catalogue


def _built(folder: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    data.clear()  # a new server: nothing in memory, and an empty cache dir
    monkeypatch.setenv("CANDOR_CACHE_DIR", str(cache))
    return data.catalogue(str(folder))


def test_a_catalogue_from_indexes_is_the_catalogue_from_the_logs(
    log_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "logs"
    shutil.copytree(log_dir, folder)
    monkeypatch.delenv("CANDOR_NO_CACHE", raising=False)
    itself = _built(folder, tmp_path / "cache-1", monkeypatch)
    written = [log for log in sorted(folder.rglob("*.eval")) if write_index(log) is not None]
    assert len(written) >= 2  # the good logs; a running or broken one gets none
    assert all(index_state(log) == "current" for log in written)
    read_itself: list[str] = []
    real = analysis_logs.read_eval_zip

    def recording(file: str | Path) -> object:
        read_itself.append(Path(file).name)
        return real(file)

    monkeypatch.setattr(analysis_logs, "read_eval_zip", recording)
    indexed = _built(folder, tmp_path / "cache-2", monkeypatch)
    assert not set(read_itself) & {log.name for log in written}  # read from their indexes
    assert indexed.rows == itself.rows
    assert indexed.report == itself.report
    assert indexed.problems == itself.problems
    data.clear()
    # `CANDOR_NO_CACHE` reads the logs themselves, as `candor report --no-cache`
    read_itself.clear()
    monkeypatch.setenv("CANDOR_NO_CACHE", "1")
    assert _built(folder, tmp_path / "cache-3", monkeypatch).rows == itself.rows
    assert {log.name for log in written} <= set(read_itself)
    data.clear()
