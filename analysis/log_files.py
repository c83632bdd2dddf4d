"""Which files are Inspect logs, and where Candor keeps its caches: the standard library only, so
a finished report can be served from its cache without importing the analysis itself."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

# Inspect's rule for which files in a log directory are logs (`inspect_ai.log.list_eval_logs`):
# every `.eval` file, and `.json` files whose names start with an ISO timestamp.
JSON_LOG_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*\.json$")

_CHUNK = 1 << 20


def is_remote(path: str) -> bool:
    """An Inspect URI other than a local `file://` one (e.g. `s3://…`)."""
    return "://" in path and not path.startswith("file://")


def local_log_files(directory: Path) -> list[Path]:
    """The Inspect logs under a local directory, oldest first, as `list_eval_logs` lists them.

    A plain directory walk, so listing needs no Inspect import.
    """
    found: list[tuple[float, str, Path]] = []
    for root, _, names in os.walk(directory):
        for name in names:
            if name.endswith(".eval") or JSON_LOG_NAME.match(name):
                path = Path(root) / name
                try:
                    found.append((path.stat().st_mtime, str(path), path))
                except OSError:  # removed while listing
                    continue
    return [path for _, _, path in sorted(found)]


def default_cache_dir() -> Path:
    """`$CANDOR_CACHE_DIR`, else `$XDG_CACHE_HOME/candor`, else `~/.cache/candor`."""
    if os.environ.get("CANDOR_CACHE_DIR"):
        return Path(os.environ["CANDOR_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "candor"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _owned(found: os.stat_result) -> bool:
    return found.st_uid == os.getuid() and not found.st_mode & 0o022


def open_private(path: Path) -> BinaryIO | None:
    """`path` opened for reading if it and its folder belong to this user and no one else may
    write them; else None. A cache file is read only so, since unpickling runs what the file says
    (and a kept report or fact is printed as it is): a cache folder shared with others is read as
    if empty.

    The checks are of what is opened, not of the names: the folder is opened first (not through
    a symbolic link) and checked, then the file inside that open folder (not through a link) and
    checked, so a folder or file swapped in between cannot be read instead."""
    if not hasattr(os, "getuid") or os.open not in os.supports_dir_fd:
        try:  # no POSIX owners or no opening relative to a folder (Windows)
            return path.open("rb")
        except OSError:
            return None
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        folder = os.open(path.parent, os.O_RDONLY | nofollow | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        if not _owned(os.fstat(folder)):
            return None
        # non-blocking: a FIFO put in its place must not hang the reader (it is refused below)
        handle = os.open(path.name, os.O_RDONLY | nofollow | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        found = os.fstat(handle)
        if not _owned(found) or not stat.S_ISREG(found.st_mode):
            os.close(handle)
            return None
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except OSError:
        os.close(handle)
        return None


def read_private(path: Path) -> bytes | None:
    """The bytes of `path` if `open_private` opens it, else None."""
    handle = open_private(path)
    if handle is None:
        return None
    try:
        with handle:
            return handle.read()
    except OSError:
        return None


TEMPORARY_PREFIX = ".tmp-"
"""How `write_atomically` names a file it is writing (a killed writer leaves one behind)."""


def write_atomically(target: Path, data: bytes | Callable[[BinaryIO], None]) -> bool:
    """Write `data` to `target` through a temporary file beside it, so a reader sees the old
    content or the new; False (and nothing left behind) when it cannot be written. The file is
    readable by its user alone (and a folder made for it, private too).

    `data` may be a function writing to the open file, for content too large to hold twice in
    memory; an exception it raises other than `OSError` is raised again, once the temporary file
    is removed."""
    temporary: str | None = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: see open_private
        with tempfile.NamedTemporaryFile(
            "wb", dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=target.suffix, delete=False
        ) as handle:
            temporary = handle.name
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(cast(BinaryIO, handle))  # the wrapper forwards every file method
        os.replace(temporary, target)
        return True
    except BaseException as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(exc, OSError):
            return False
        raise
