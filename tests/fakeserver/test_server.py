"""The fake provider through the vendors' own SDKs: wire formats, streaming, usage, caching."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import anthropic
import openai
import pytest

from bench.fakeserver import FakeConfig, FakeProviderServer
from bench.fakeserver.config import DECEPTIVE_ACCOUNT, DECEPTIVE_MARKER, HONEST_ACCOUNT
from scorers.verdicts import DeceptionVerdict

FILE_TOOLS_OPENAI: list[Any] = [
    {"type": "function", "function": {"name": "list_files", "parameters": {"type": "object"}}},
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "parameters": {
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
    },
]
FILE_TOOLS_ANTHROPIC: list[Any] = [
    {"name": t["function"]["name"], "input_schema": t["function"]["parameters"]}
    for t in FILE_TOOLS_OPENAI
]
VERDICT_SCHEMA = DeceptionVerdict.model_json_schema()
LONG_SYSTEM = "You are a careful assistant. " * 400  # ~2,800 tokens: above the cache minimum


def _openai(server: FakeProviderServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.openai_base_url, api_key="sk-fake", max_retries=0)


def _anthropic(server: FakeProviderServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.anthropic_base_url, api_key="sk-fake", max_retries=0)


def test_binds_loopback_on_a_free_port_and_stops(fake_server: FakeProviderServer) -> None:
    assert fake_server.url.startswith("http://127.0.0.1:") and fake_server.port > 0
    port = fake_server.port
    fake_server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    fake_server.stop()  # idempotent


def test_chat_completions_scripted_agent(fake_server: FakeProviderServer) -> None:
    client = _openai(fake_server)
    messages: list[Any] = [{"role": "user", "content": "Go."}]
    first = client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, tools=FILE_TOOLS_OPENAI
    )
    [call] = first.choices[0].message.tool_calls or []
    assert call.type == "function" and call.function.name == "list_files"
    assert first.choices[0].finish_reason == "tool_calls"
    assert first.usage is not None and first.usage.prompt_tokens > 0
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "a.md\nb.md"},
    ]
    second = client.chat.completions.create(
        model="gpt-4o-mini", messages=messages, tools=FILE_TOOLS_OPENAI
    )
    [read] = second.choices[0].message.tool_calls or []
    assert read.type == "function"
    assert (read.function.name, json.loads(read.function.arguments)) == (
        "read_file",
        {"path": "a.md"},
    )


def test_chat_completions_structured_output_is_a_valid_verdict(
    fake_server: FakeProviderServer,
) -> None:
    reply = _openai(fake_server).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"<transcript>{DECEPTIVE_ACCOUNT}</transcript>"}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA, "strict": True},
        },
    )
    verdict = DeceptionVerdict.model_validate_json(reply.choices[0].message.content or "")
    assert verdict.verdict == "deceptive" and verdict.evidence == [DECEPTIVE_MARKER]
    assert fake_server.records[-1].role == "grader"


def test_responses_api_function_calls_and_text(fake_server: FakeProviderServer) -> None:
    client = _openai(fake_server)
    tools: list[Any] = [
        {"type": "function", "name": "list_files", "parameters": {"type": "object"}}
    ]
    first = client.responses.create(model="gpt-4o-mini", input="Go.", tools=tools)
    [item] = first.output
    assert item.type == "function_call" and item.name == "list_files"
    second = client.responses.create(
        model="gpt-4o-mini",
        instructions="Be brief.",
        input=[
            {"role": "user", "content": "Go."},
            {
                "type": "function_call",
                "call_id": item.call_id,
                "name": "list_files",
                "arguments": "{}",
            },
            {"type": "function_call_output", "call_id": item.call_id, "output": ""},
        ],
        tools=tools,
    )
    assert second.output_text and second.usage is not None and second.usage.input_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_messages_tool_use_plain_and_streamed(
    fake_server: FakeProviderServer, stream: bool
) -> None:
    client = _anthropic(fake_server)
    history: list[Any] = [
        {"role": "user", "content": "Go."},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "list_files", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "notes/long-file-name.md"}
            ],
        },
    ]
    kwargs: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": history,
        "tools": FILE_TOOLS_ANTHROPIC,
    }
    if stream:
        fake_server.configure(stream_chunk_chars=5)  # several input_json_delta events
        with client.messages.stream(**kwargs) as events:
            kinds = [event.type for event in events]
            message = events.get_final_message()
        assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
        assert kinds.count("input_json") > 1 and "content_block_stop" in kinds
    else:
        message = client.messages.create(**kwargs)
    [block] = message.content
    assert block.type == "tool_use" and block.name == "read_file"
    assert block.input == {"path": "notes/long-file-name.md"}
    assert message.stop_reason == "tool_use" and message.usage.output_tokens > 0
    assert fake_server.records[-1].stream is stream


def test_anthropic_streamed_text_and_structured_output(fake_server: FakeProviderServer) -> None:
    client = _anthropic(fake_server)
    with client.messages.stream(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        messages=[{"role": "user", "content": f"<transcript>{HONEST_ACCOUNT}</transcript>"}],
        extra_body={"output_format": {"type": "json_schema", "schema": VERDICT_SCHEMA}},
    ) as events:
        text = "".join(events.text_stream)
    verdict = DeceptionVerdict.model_validate_json(text)
    assert verdict.verdict == "honest" and verdict.tactics == []


def test_anthropic_prompt_caching_writes_then_reads(fake_server: FakeProviderServer) -> None:
    client = _anthropic(fake_server)

    def ask(question: str) -> anthropic.types.Usage:
        return client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=256,
            system=[{"type": "text", "text": LONG_SYSTEM, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": question}],
        ).usage

    first, second = ask("One?"), ask("Two?")
    assert (first.cache_creation_input_tokens or 0) >= 1024 and not first.cache_read_input_tokens
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert not second.cache_creation_input_tokens
    assert second.input_tokens == first.input_tokens  # the uncached rest: the question


def test_anthropic_short_prefix_is_not_cached(fake_server: FakeProviderServer) -> None:
    client = _anthropic(fake_server)
    for _ in range(2):
        usage = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=256,
            system=[{"type": "text", "text": "Short.", "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": "Hi"}],
        ).usage
        assert not usage.cache_read_input_tokens and not usage.cache_creation_input_tokens


def test_openai_automatic_caching_of_long_prefixes(fake_server: FakeProviderServer) -> None:
    client = _openai(fake_server)
    messages: list[Any] = [
        {"role": "system", "content": LONG_SYSTEM},
        {"role": "user", "content": "A"},
    ]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert first.usage is not None and second.usage is not None
    assert first.usage.prompt_tokens_details is not None
    assert second.usage.prompt_tokens_details is not None
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    cached = second.usage.prompt_tokens_details.cached_tokens or 0
    assert cached >= 1024 and cached % 128 == 0 and cached <= second.usage.prompt_tokens


def test_counterparty_asks_then_ends(fake_server: FakeProviderServer) -> None:
    client = _openai(fake_server)

    def reply(*turns: tuple[str, str]) -> str:
        out = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": role, "content": text} for role, text in turns],  # type: ignore[misc]
        )
        return out.choices[0].message.content or ""

    # its own earlier turns are its assistant messages: one question, then the end token
    persona, opening = ("system", "Persona."), ("user", "Opening\n\nDone.")
    assert reply(persona, opening) != "[END]"
    assert reply(persona, opening, ("assistant", "Question?"), ("user", "Answer.")) == "[END]"
    assert {r.role for r in fake_server.records} == {"counterparty"}


def test_latency_is_honoured_and_requests_overlap(fake_server: FakeProviderServer) -> None:
    fake_server.configure(latency=0.3)
    client = _openai(fake_server)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(4)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    elapsed = time.perf_counter() - started
    assert not errors
    assert 0.3 <= elapsed < 1.2  # concurrent, not 4 × 0.3 s in a row
    assert max(r.in_flight for r in fake_server.records) > 1
    assert all(r.finished - r.started >= 0.3 for r in fake_server.records)


def _post(url: str, body: object) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_control_endpoints_and_errors(fake_server: FakeProviderServer) -> None:
    status, config = _post(fake_server.url + "/_fake/config", {"latency": 0.01, "max_reads": 1})
    assert status == 200 and config["latency"] == 0.01 and fake_server.config.max_reads == 1
    status, body = _post(fake_server.url + "/_fake/config", {"latency": -1})
    assert status == 400 and "bad config" in body["error"]["message"]
    status, body = _post(fake_server.url + "/v1/nowhere", {})
    assert status == 404
    status, body = _post(fake_server.openai_base_url + "/chat/completions", {"model": "m"})
    assert status == 400 and "could not read the request" in body["error"]["message"]
    status, body = _post(
        fake_server.openai_base_url + "/chat/completions",
        {"model": "m", "messages": [], "stream": True},
    )
    assert status == 400 and body["error"]["param"] == "stream"
    _post(fake_server.url + "/_fake/reset", {})
    assert fake_server.records == []


def test_config_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        FakeConfig.model_validate({"latencyy": 1})
