"""The OpenAI wire formats: Chat Completions (`POST /v1/chat/completions`) and Responses
(`POST /v1/responses`), non-streaming."""

from __future__ import annotations

import json
import time
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


def _text_of(content: Any) -> str:
    """Text of a message content: a string, or a list of text parts (`text`, `input_text`...)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = [part.get("text", "") for part in content if isinstance(part, dict)]
    return "\n".join(p for p in parts if isinstance(p, str))


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _arguments(raw: str) -> dict[str, Any]:
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {"value": value}


# --- Chat Completions -------------------------------------------------------------------------


def parse_chat(body: dict[str, Any]) -> Conversation:
    """A Chat Completions request as a conversation (tools, schema and messages as prefix
    blocks, in the order OpenAI caches them)."""
    tools = tuple(
        ToolOffer(
            name=t["function"]["name"],
            description=t["function"].get("description", ""),
            parameters=t["function"].get("parameters") or {},
        )
        for t in body.get("tools") or []
        if t.get("type") == "function"
    )
    blocks = [Block(_dump(t)) for t in body.get("tools") or []]
    schema = None
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt["json_schema"].get("schema") or {}
        blocks.append(Block(_dump(fmt)))
    turns: list[Turn] = []
    for message in body["messages"]:
        role = message["role"]
        text = _text_of(message.get("content"))
        if role in ("system", "developer"):
            turns.append(Turn("system", text))
        elif role == "user":
            turns.append(Turn("user", text))
        elif role == "assistant":
            calls = tuple(
                ToolCall(c["id"], c["function"]["name"], _arguments(c["function"]["arguments"]))
                for c in message.get("tool_calls") or []
            )
            turns.append(Turn("assistant", text, tool_calls=calls))
        elif role == "tool":
            turns.append(Turn("tool", text, tool_call_id=message.get("tool_call_id", "")))
        blocks.append(
            Block(role + ":" + text + "".join(_dump(c) for c in message.get("tool_calls") or []))
        )
    return Conversation(
        model=body["model"], turns=tuple(turns), tools=tools, schema=schema, blocks=tuple(blocks)
    )


def chat_completion(conv: Conversation, reply: Reply, usage: Usage, serial: int) -> dict[str, Any]:
    """The Chat Completions response body."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json},
            }
            for call in reply.tool_calls
        ]
    return {
        "id": f"chatcmpl-fake{serial}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": conv.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": usage.total_input,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_input + usage.output_tokens,
            "prompt_tokens_details": {"cached_tokens": usage.cache_read},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


# --- Responses --------------------------------------------------------------------------------


def parse_responses(body: dict[str, Any]) -> Conversation:
    """A Responses API request as a conversation."""
    tools = tuple(
        ToolOffer(
            name=t["name"],
            description=t.get("description") or "",
            parameters=t.get("parameters") or {},
        )
        for t in body.get("tools") or []
        if t.get("type") == "function"
    )
    blocks = [Block(_dump(t)) for t in body.get("tools") or []]
    schema = None
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema") or {}
        blocks.append(Block(_dump(fmt)))
    turns: list[Turn] = []
    if body.get("instructions"):
        turns.append(Turn("system", str(body["instructions"])))
        blocks.append(Block("system:" + str(body["instructions"])))
    items = body["input"]
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    for item in items:
        kind = item.get("type", "message")
        if kind == "message":
            role = item["role"]
            text = _text_of(item.get("content"))
            turns.append(Turn("system" if role in ("system", "developer") else role, text))
            blocks.append(Block(role + ":" + text))
        elif kind == "function_call":
            call = ToolCall(item["call_id"], item["name"], _arguments(item.get("arguments", "")))
            if turns and turns[-1].role == "assistant":
                last = turns.pop()
                turns.append(Turn("assistant", last.text, tool_calls=(*last.tool_calls, call)))
            else:
                turns.append(Turn("assistant", tool_calls=(call,)))
            blocks.append(Block(_dump(item)))
        elif kind == "function_call_output":
            output = item.get("output", "")
            text = output if isinstance(output, str) else _text_of(output)
            turns.append(Turn("tool", text, tool_call_id=item["call_id"]))
            blocks.append(Block("tool:" + text))
        # reasoning and other items carry nothing the fake needs
    return Conversation(
        model=body["model"], turns=tuple(turns), tools=tools, schema=schema, blocks=tuple(blocks)
    )


def response_object(conv: Conversation, reply: Reply, usage: Usage, serial: int) -> dict[str, Any]:
    """The Responses API response body."""
    output: list[dict[str, Any]] = []
    if reply.text:
        output.append(
            {
                "type": "message",
                "id": f"msg_fake{serial}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
            }
        )
    for call in reply.tool_calls:
        output.append(
            {
                "type": "function_call",
                "id": f"fc_fake{serial}_{call.id}",
                "call_id": call.id,
                "name": call.name,
                "arguments": call.arguments_json,
                "status": "completed",
            }
        )
    return {
        "id": f"resp_fake{serial}",
        "object": "response",
        "created_at": int(time.time()),
        "model": conv.model,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": usage.total_input,
            "input_tokens_details": {"cached_tokens": usage.cache_read},
            "output_tokens": usage.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": usage.total_input + usage.output_tokens,
        },
    }
