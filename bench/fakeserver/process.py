"""The fake provider in a child process, driven over HTTP (benchmarks: no shared GIL)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.fakeserver.config import FakeConfig
from bench.fakeserver.server import RequestRecord

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


class FakeServerProcess:
    """`python -m bench.fakeserver` as a child process; stopped (and waited for) on exit."""

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self._proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> FakeServerProcess:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fakeserver",
                "--latency",
                str(self.config.latency),
                "--config",
                self.config.model_dump_json(),
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line: list[str] = []
        assert self._proc.stdout is not None
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT)
        if not line or not line[0].startswith("PORT "):
            self.__exit__(None, None, None)
            raise RuntimeError(f"the fake provider did not start within {START_TIMEOUT:.0f} s")
        self.port = int(line[0].split()[1])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the child serves until its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def configure(self, **changes: Any) -> None:
        self._call("/_fake/config", changes)

    def reset(self) -> None:
        self._call("/_fake/reset", {})

    @property
    def records(self) -> list[RequestRecord]:
        raw = self._call("/_fake/stats")["records"]
        return [RequestRecord(**{**r, "tool_calls": tuple(r["tool_calls"])}) for r in raw]
