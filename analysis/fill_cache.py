"""Read the logs the outcome cache lacks in new processes, each keeping what it read there.

A long-lived server (the dashboard) cannot fork: its other threads (Streamlit's, the one that
imports Inspect in the background) may hold a lock the child would wait on for ever. So the
logs no cache entry covers are split by size between new Python processes,
`python -m analysis.fill_cache CACHE_DIR LOG...`; each reads its logs and writes their entries,
and the caller then takes every log from the cache. Whatever a worker fails to read (it died,
it ran out of memory, it could not write the cache) is simply not there: the caller reads those
logs itself, as it would have without this.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.heap import collector_paused
from analysis.logs import PARALLEL_BYTES, OutcomeCache, read_log
from analysis.outcome_index import current as index_current

_REPO = Path(__file__).resolve().parents[1]


def missing(files: Sequence[str], cache: OutcomeCache) -> list[tuple[str, int]]:
    """The local logs with neither a current entry in `cache` nor a current outcome index
    (read faster here than a worker starts), each with its size in bytes."""
    found: list[tuple[str, int]] = []
    for file in files:
        identity = cache.identity(file)
        if identity is None or cache.current(identity) or index_current(file):
            continue
        try:
            found.append((file, Path(identity[0]).stat().st_size))
        except OSError:
            continue
    return found


def split(sized: Sequence[tuple[str, int]], parts: int) -> list[list[str]]:
    """The files dealt into `parts` lists of about equal total size (largest first)."""
    loads = [0] * parts
    dealt: list[list[str]] = [[] for _ in range(parts)]
    for file, size in sorted(sized, key=lambda f: -f[1]):
        lightest = loads.index(min(loads))
        dealt[lightest].append(file)
        loads[lightest] += size
    return [files for files in dealt if files]


def fill(
    files: Sequence[str],
    cache: OutcomeCache,
    *,
    workers: int | None = None,
    min_bytes: int = PARALLEL_BYTES,
) -> int:
    """Read in worker processes the logs of `files` the cache lacks, when there are at least two
    adding up to `min_bytes`; the number of logs handed to workers that started (0: none, the
    caller reads them). It waits for the workers; a worker's failure is not raised."""
    wanted = min(2, os.cpu_count() or 1) if workers is None else workers
    sized = missing(files, cache)
    if wanted < 2 or len(sized) < 2 or sum(size for _, size in sized) < min_bytes:
        return 0
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
    }
    # absolute: the worker's own reading of a relative name must not differ from the caller's
    base = os.path.abspath(cache.directory.parent)
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    for chunk in split(sized, wanted):
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "analysis.fill_cache", base, *map(os.path.abspath, chunk)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # no interpreter to start: these logs are read by the caller
            continue
        started.append((child, len(chunk)))
    for child, _ in started:
        child.wait()
    return sum(n for _, n in started)


def main(argv: Sequence[str]) -> int:
    """A worker: read each log into the cache under `argv[0]` (problems are the caller's to
    meet again when it reads the log itself)."""
    if not argv:
        print("usage: python -m analysis.fill_cache CACHE_DIR LOG...", file=sys.stderr)
        return 2
    cache = OutcomeCache(Path(argv[0]))
    with collector_paused():  # as `candor report` does: the reads allocate much and free little
        for file in argv[1:]:
            read_log(file, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
