"""The Anthropic Messages wire format (`POST /v1/messages`), plain and streamed (SSE)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bench.fakeserver.conversation import (
    Block,
    Conversation,
    Reply,
    ToolCall,
    ToolOffer,
    Turn,
    Usage,
)


def _without_cache_control(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k != "cache_control"}


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(str(part.get("text", "")) for part in content or [] if isinstance(part, dict))


def _block_text(role: str, block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return f"{role}:{block.get('text', '')}"
    if kind == "tool_result":
        return f"tool:{_result_text(block.get('content'))}"
    return _dump(_without_cache_control(block))


def parse_messages(body: dict[str, Any]) -> Conversation:
    """A Messages request as a conversation. Prefix blocks follow Anthropic's cache order
    (tools, system, messages) and keep each block's `cache_control` as a breakpoint."""
    tools = tuple(
        ToolOffer(
            name=t["name"],
            description=t.get("description") or "",
            parameters=t.get("input_schema") or {},
        )
        for t in body.get("tools") or []
        if "input_schema" in t
    )
    blocks = [
        Block(_dump(_without_cache_control(t)), breakpoint="cache_control" in t)
        for t in body.get("tools") or []
    ]
    turns: list[Turn] = []
    system = body.get("system")
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for part in system or []:
        turns.append(Turn("system", str(part.get("text", ""))))
        blocks.append(Block("system:" + str(part.get("text", "")), "cache_control" in part))
    for message in body["messages"]:
        role = message["role"]
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in content:
            kind = block.get("type")
            blocks.append(Block(_block_text(role, block), "cache_control" in block))
            if kind == "text":
                texts.append(str(block.get("text", "")))
            elif kind == "tool_use":
                calls.append(ToolCall(block["id"], block["name"], dict(block.get("input") or {})))
            elif kind == "tool_result":
                turns.append(
                    Turn(
                        "tool",
                        _result_text(block.get("content")),
                        tool_call_id=block["tool_use_id"],
                    )
                )
        if role == "assistant":
            turns.append(Turn("assistant", "\n".join(texts), tool_calls=tuple(calls)))
        elif texts:
            turns.append(Turn("user", "\n".join(texts)))
    if "cache_control" in body and blocks:  # automatic caching marks the last block
        blocks[-1] = Block(blocks[-1].text, breakpoint=True)
    schema = None
    for fmt in (
        (body.get("output_format") or {}),
        (body.get("output_config") or {}).get("format") or {},
    ):
        if fmt.get("type") == "json_schema":
            schema = fmt.get("schema") or {}
            blocks.insert(0, Block(_dump(fmt)))
    return Conversation(
        model=body["model"], turns=tuple(turns), tools=tools, schema=schema, blocks=tuple(blocks)
    )


def _content(reply: Reply) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        content.append(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        )
    return content


def _usage(usage: Usage) -> dict[str, int]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_creation_input_tokens": usage.cache_write,
        "cache_read_input_tokens": usage.cache_read,
    }


def message(conv: Conversation, reply: Reply, usage: Usage, serial: int) -> dict[str, Any]:
    """The Messages response body."""
    return {
        "id": f"msg_fake{serial}",
        "type": "message",
        "role": "assistant",
        "model": conv.model,
        "content": _content(reply),
        "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": _usage(usage),
    }


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def _chunks(text: str, size: int) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


def stream_events(
    conv: Conversation, reply: Reply, usage: Usage, serial: int, chunk_chars: int
) -> Iterator[bytes]:
    """The SSE events of a streamed reply: message_start, per block content_block_start /
    content_block_delta (text_delta or input_json_delta) / content_block_stop, message_delta
    (stop reason and output tokens), message_stop."""
    head = message(conv, reply, usage, serial)
    head.update(content=[], stop_reason=None)
    head["usage"] = {**_usage(usage), "output_tokens": 1}
    yield _event("message_start", {"message": head})
    yield _event("ping", {})
    for index, block in enumerate(_content(reply)):
        if block["type"] == "text":
            yield _event(
                "content_block_start",
                {"index": index, "content_block": {"type": "text", "text": ""}},
            )
            for piece in _chunks(block["text"], chunk_chars):
                yield _event(
                    "content_block_delta",
                    {"index": index, "delta": {"type": "text_delta", "text": piece}},
                )
        else:
            start = {**block, "input": {}}
            yield _event("content_block_start", {"index": index, "content_block": start})
            for piece in _chunks(json.dumps(block["input"]), chunk_chars):
                yield _event(
                    "content_block_delta",
                    {"index": index, "delta": {"type": "input_json_delta", "partial_json": piece}},
                )
        yield _event("content_block_stop", {"index": index})
    yield _event(
        "message_delta",
        {
            "delta": {
                "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                "stop_sequence": None,
            },
            "usage": {"output_tokens": usage.output_tokens},
        },
    )
    yield _event("message_stop", {})
