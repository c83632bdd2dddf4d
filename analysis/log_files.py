"""Which files are Inspect logs, and where Candor keeps its caches: the standard library only, so
a finished report can be served from its cache without importing the analysis itself."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

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


def is_private(path: Path) -> bool:
    """The file, and the folder it is in, belong to this user and no one else may write them.
    A cache file is unpickled only then: unpickling runs what the file says, so a cache folder
    shared with others (`CANDOR_CACHE_DIR`) is read as if empty."""
    if not hasattr(os, "getuid"):
        return True  # no POSIX owners to check (Windows): the user's own profile folder
    uid = os.getuid()
    for where in (path, path.parent):
        found = where.stat()
        if found.st_uid != uid or found.st_mode & 0o022:
            return False
    return True


def write_atomically(target: Path, data: bytes) -> bool:
    """Write `data` to `target` through a temporary file beside it, so a reader sees the old
    content or the new; False (and nothing left behind) when it cannot be written."""
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=target.parent, prefix=".tmp-", suffix=target.suffix, delete=False
        ) as handle:
            temporary = handle.name
            handle.write(data)
        os.replace(temporary, target)
        return True
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False
