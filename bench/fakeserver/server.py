"""The fake provider's HTTP server: stdlib `http.server`, one thread per connection, 127.0.0.1.

Endpoints (what Inspect's providers call):
- `POST /v1/chat/completions`  OpenAI Chat Completions (`openai/<model>`)
- `POST /v1/responses`         OpenAI Responses (`openai/<model> -M responses_api=true`)
- `POST /v1/messages`          Anthropic Messages, plain or `"stream": true` (SSE)
Control (for a server run in another process):
- `GET /_fake/stats` every request served; `POST /_fake/config` change the `FakeConfig`;
  `POST /_fake/reset` forget the records and the prompt caches.

Usage is reported in every reply (input/output tokens, OpenAI `cached_tokens`, Anthropic
`cache_creation_input_tokens` / `cache_read_input_tokens`), so a run's costs can be measured.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

from bench.fakeserver import anthropic_api, openai_api
from bench.fakeserver.caching import AnthropicCache, OpenAICache
from bench.fakeserver.config import FakeConfig
from bench.fakeserver.conversation import Conversation, Reply, Role, Usage
from bench.fakeserver.policy import decide

Endpoint = Literal["chat.completions", "responses", "messages"]


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake answered."""

    endpoint: Endpoint
    model: str
    role: Role
    stream: bool
    input_tokens: int
    """Input at the full rate (the uncached rest)."""
    output_tokens: int
    cache_read: int
    cache_write: int
    started: float
    finished: float
    in_flight: int
    """Requests being answered when this one arrived (itself included)."""
    tool_calls: tuple[str, ...]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512  # many clients connect at once when a run starts
    allow_reuse_address = True


class FakeProviderServer:
    """A fake OpenAI + Anthropic server in a background thread.

    Use as a context manager (or `start()` / `stop()`); `stop()` closes the listening socket
    and every open connection, and joins the serving thread.

    Example:
        with FakeProviderServer(FakeConfig(latency=0.05)) as server:
            monkeypatch.setenv("OPENAI_BASE_URL", server.openai_base_url)
    """

    def __init__(self, config: FakeConfig | None = None, host: str = "127.0.0.1", port: int = 0):
        self.config = config or FakeConfig()
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._connections: set[socket.socket] = set()
        self._in_flight = 0
        self._serial = 0
        self._anthropic_cache = AnthropicCache(self.config.anthropic_min_cache_tokens)
        self._openai_cache = OpenAICache(self.config.openai_min_cache_tokens)

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeProviderServer:
        if self._httpd is not None:
            raise RuntimeError("the fake provider server is already running")
        self._httpd = _HTTPServer(self._address, _handler_for(self))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-provider",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive connections would hold handler threads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the fake provider server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """For `OPENAI_BASE_URL` (the SDK appends `/chat/completions`, `/responses`)."""
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """For `ANTHROPIC_BASE_URL` (the SDK appends `/v1/messages`)."""
        return self.url

    # --- state --------------------------------------------------------------------------------

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def configure(self, **changes: Any) -> None:
        """Change the configuration (validated); prompt-cache minimums apply to new caches."""
        self.config = FakeConfig.model_validate({**self.config.model_dump(), **changes})
        self._anthropic_cache.min_tokens = self.config.anthropic_min_cache_tokens
        self._openai_cache.min_tokens = self.config.openai_min_cache_tokens

    def reset(self) -> None:
        """Forget every record and every cached prefix."""
        with self._lock:
            self._records.clear()
        self._anthropic_cache.clear()
        self._openai_cache.clear()

    # --- answering ----------------------------------------------------------------------------

    def answer(
        self, endpoint: Endpoint, body: dict[str, Any]
    ) -> tuple[Conversation, Reply, Usage, int, float]:
        """Decide and bill one request (before its latency)."""
        started = time.time()
        conv = (
            openai_api.parse_chat(body)
            if endpoint == "chat.completions"
            else openai_api.parse_responses(body)
            if endpoint == "responses"
            else anthropic_api.parse_messages(body)
        )
        reply = decide(conv, self.config)
        cache = self._anthropic_cache if endpoint == "messages" else self._openai_cache
        usage = cache.account(conv.model, conv.blocks, reply.output_tokens)
        with self._lock:
            self._serial += 1
            serial = self._serial
        return conv, reply, usage, serial, started

    def record(
        self,
        endpoint: Endpoint,
        stream: bool,
        conv: Conversation,
        reply: Reply,
        usage: Usage,
        started: float,
        in_flight: int,
    ) -> None:
        with self._lock:
            self._records.append(
                RequestRecord(
                    endpoint=endpoint,
                    model=conv.model,
                    role=reply.role,
                    stream=stream,
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cache_read=usage.cache_read,
                    cache_write=usage.cache_write,
                    started=started,
                    finished=time.time(),
                    in_flight=in_flight,
                    tool_calls=tuple(call.name for call in reply.tool_calls),
                )
            )

    def enter(self) -> int:
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


_ENDPOINTS: dict[str, Endpoint] = {
    "/v1/chat/completions": "chat.completions",
    "/chat/completions": "chat.completions",
    "/v1/responses": "responses",
    "/responses": "responses",
    "/v1/messages": "messages",
}


def _handler_for(server: FakeProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs' connection pools expect
    timeout = 60  # an idle keep-alive connection frees its thread after this
    fake: FakeProviderServer

    def setup(self) -> None:
        super().setup()
        self.fake.track(self.connection, True)

    def finish(self) -> None:
        self.fake.track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests and benchmarks read the records instead

    # --- plumbing -----------------------------------------------------------------------------

    def _send_json(self, status: int, value: Any) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, param: str | None = None) -> None:
        # Anthropic and OpenAI error envelopes both parse from this shape
        self._send_json(
            status,
            {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": message, "param": param},
            },
        )

    def _send_stream(self, events: Iterator[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        value = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(value, dict):
            raise ValueError("the request body is not a JSON object")
        return value

    # --- routes -------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        if path == "/_fake/stats":
            self._send_json(200, {"records": [asdict(r) for r in self.fake.records]})
        elif path == "/_fake/config":
            self._send_json(200, self.fake.config.model_dump())
        else:
            self._send_error(404, f"the fake provider has no GET {path}")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        try:
            body = self._body()
        except ValueError as exc:
            self._send_error(400, f"fake provider: bad JSON body: {exc}")
            return
        if path == "/_fake/reset":
            self.fake.reset()
            self._send_json(200, {"ok": True})
        elif path == "/_fake/config":
            try:
                self.fake.configure(**body)
            except ValueError as exc:
                self._send_error(400, f"fake provider: bad config: {exc}")
                return
            self._send_json(200, self.fake.config.model_dump())
        elif path in _ENDPOINTS:
            self._model_call(_ENDPOINTS[path], body)
        else:
            self._send_error(404, f"the fake provider has no POST {path}")

    def _model_call(self, endpoint: Endpoint, body: dict[str, Any]) -> None:
        stream = bool(body.get("stream"))
        if stream and endpoint != "messages":
            # Inspect retries a display-only stream request without streaming on this error
            self._send_error(400, "the fake provider streams Anthropic messages only", "stream")
            return
        in_flight = self.fake.enter()
        try:
            try:
                conv, reply, usage, serial, started = self.fake.answer(endpoint, body)
            except (KeyError, TypeError, ValueError) as exc:
                # 400, not 500: the SDKs and Inspect retry 5xx for minutes
                self._send_error(400, f"fake provider could not read the request: {exc!r}")
                return
            config = self.fake.config
            if config.latency:
                time.sleep(config.latency)
            render: Callable[[Conversation, Reply, Usage, int], dict[str, Any]] = (
                openai_api.chat_completion
                if endpoint == "chat.completions"
                else openai_api.response_object
                if endpoint == "responses"
                else anthropic_api.message
            )
            # recorded before the reply is sent: a client that has its reply sees the record
            self.fake.record(endpoint, stream, conv, reply, usage, started, in_flight)
            if stream:
                self._send_stream(
                    anthropic_api.stream_events(
                        conv, reply, usage, serial, config.stream_chunk_chars
                    )
                )
            else:
                self._send_json(200, render(conv, reply, usage, serial))
        finally:
            self.fake.leave()
