"""Start the dashboard as a process on a free loopback port, wait until it is healthy, stop it.

Shared by the browser tests and the screenshot module, which differ only in the command they run.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(
    url: str, proc: subprocess.Popen[bytes], log: Path, *, timeout: float = 90
) -> None:
    """Return once Streamlit's health endpoint answers 200; raise with the process's output if
    it exits or does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not become healthy:\n{log.read_text()}")


@contextmanager
def served(
    command: Sequence[str],
    port: int,
    log: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> Iterator[str]:
    """Run `command` (which serves on `port`) with its output in `log`; yield its URL once healthy,
    and stop it when the block ends (`candor dashboard` forwards the signal to Streamlit)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
