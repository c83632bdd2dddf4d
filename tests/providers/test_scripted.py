"""The `scripted` provider: ordered replies, tool calls, validation errors, usage."""

from __future__ import annotations

import asyncio
import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageTool,
    ChatMessageUser,
    Model,
    ModelOutput,
    get_model,
)

import evals.providers.scripted  # noqa: F401  (registers scripted/ without the entry point)
from evals.providers.scripted import ScriptedRepliesError, load_script

SCRIPT: list[Any] = [
    "Let me look at the ledger first.",
    {
        "content": "Running the query.",
        "tool_calls": [
            {"function": "run_sql", "arguments": {"query": "SELECT 1", "limit": 5}},
            {"function": "list_files"},
        ],
    },
    {"tool_calls": [{"function": "submit", "arguments": {"answer": "done"}}]},
    "All finished.",
]


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "replies.yaml", SCRIPT)


def scripted(name: str = "target", **model_args: Any) -> Model:
    return get_model(f"scripted/{name}", memoize=False, **model_args)


async def play(model: Model, turns: int) -> list[ModelOutput]:
    """Run a conversation, appending each reply (and tool results) to the input."""
    conversation: list[ChatMessage] = [ChatMessageUser(content="Please reconcile the ledger.")]
    outputs = []
    for _ in range(turns):
        output = await model.generate(conversation)
        outputs.append(output)
        conversation.append(output.message)
        for call in output.message.tool_calls or []:
            conversation.append(
                ChatMessageTool(content="ok", tool_call_id=call.id, function=call.function)
            )
        conversation.append(ChatMessageUser(content="Continue."))
    return outputs


def test_entry_point_declared() -> None:
    values = [ep.value for ep in entry_points(group="inspect_ai")]
    assert "evals._registry" in values


async def test_replies_in_order(script_file: Path) -> None:
    outputs = await play(scripted(replies=str(script_file)), 4)
    assert outputs[0].completion == "Let me look at the ledger first."
    assert outputs[0].stop_reason == "stop"
    assert outputs[0].message.tool_calls is None
    assert outputs[1].completion == "Running the query."
    assert outputs[2].completion == ""
    assert outputs[3].completion == "All finished."


async def test_tool_calls_parsed(script_file: Path) -> None:
    outputs = await play(scripted(replies=str(script_file)), 3)
    calls = outputs[1].message.tool_calls
    assert calls is not None
    assert [c.function for c in calls] == ["run_sql", "list_files"]
    assert calls[0].arguments == {"query": "SELECT 1", "limit": 5}
    assert calls[1].arguments == {}
    assert all(c.parse_error is None for c in calls)
    assert len({c.id for c in calls}) == 2
    assert outputs[1].stop_reason == "tool_calls"
    submit = outputs[2].message.tool_calls
    assert submit is not None and submit[0].function == "submit"
    assert submit[0].arguments == {"answer": "done"}
    # every tool call id in the conversation is distinct
    ids = [c.id for o in outputs for c in o.message.tool_calls or []]
    assert len(ids) == len(set(ids))


async def test_exhausted_script_repeats_last_text_turn(script_file: Path) -> None:
    outputs = await play(scripted(replies=str(script_file)), 7)
    assert [o.completion for o in outputs[4:]] == ["All finished."] * 3
    assert all(o.message.tool_calls is None for o in outputs[4:])
    assert outputs[5].metadata == {"scripted_turn": 5, "scripted_exhausted": True}


async def test_exhausted_script_uses_final(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "s.yaml", [{"tool_calls": [{"function": "f"}]}])
    outputs = await play(scripted(replies=str(path), final="GRADE: C"), 3)
    assert outputs[0].message.tool_calls is not None
    assert [o.completion for o in outputs[1:]] == ["GRADE: C", "GRADE: C"]


async def test_exhausted_tool_only_script_returns_empty_text(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "s.yaml", [{"tool_calls": [{"function": "f"}]}])
    outputs = await play(scripted(replies=str(path)), 2)
    assert outputs[1].completion == ""
    assert outputs[1].message.tool_calls is None


async def test_turn_depends_on_conversation_not_call_order(script_file: Path) -> None:
    model = scripted(replies=str(script_file))
    conversations: list[list[ChatMessage]] = []
    for assistant_turns in [3, 0, 2, 1, 0, 3]:
        messages: list[ChatMessage] = [ChatMessageUser(content="start")]
        for i in range(assistant_turns):
            messages += [ChatMessageAssistant(content=f"a{i}"), ChatMessageUser(content="go")]
        conversations.append(messages)
    outputs = await asyncio.gather(*(model.generate(c) for c in conversations))
    assert [o.completion for o in outputs] == [
        "All finished.",
        "Let me look at the ledger first.",
        "",
        "Running the query.",
        "Let me look at the ledger first.",
        "All finished.",
    ]


async def test_usage_is_word_count(script_file: Path) -> None:
    model = scripted(replies=str(script_file))
    output = await model.generate("one two three")
    assert output.usage is not None
    assert output.usage.input_tokens == 3
    assert output.usage.output_tokens == 7  # "Let me look at the ledger first."
    assert output.usage.total_tokens == output.usage.input_tokens + output.usage.output_tokens
    tool_turn = await model.generate(
        [ChatMessageUser(content="x"), ChatMessageAssistant(content="y")]
    )
    assert tool_turn.usage is not None and tool_turn.usage.output_tokens > 2
    assert await model.count_tokens("a b c d") == 4


async def test_reply_arg() -> None:
    outputs = await play(scripted(reply="I refuse."), 2)
    assert [o.completion for o in outputs] == ["I refuse.", "I refuse."]


async def test_reply_arg_split_on_commas_by_cli_is_rejoined() -> None:
    # `-M reply=Yes, sir` reaches the provider as ["Yes", " sir"]
    output = await scripted(reply=["Yes", " sir"]).generate("hi")
    assert output.completion == "Yes, sir"


def test_reply_arg_parsed_as_bool_is_rejected() -> None:
    with pytest.raises(ScriptedRepliesError, match="reply.*quote it twice"):
        scripted(reply=True)


async def test_model_name_is_script_path(script_file: Path) -> None:
    model = get_model(f"scripted/{script_file}", memoize=False)
    output = await model.generate("hi")
    assert output.completion == "Let me look at the ledger first."


async def test_json_script(tmp_path: Path) -> None:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(["first", {"content": "second"}]), encoding="utf-8")
    outputs = await play(scripted(replies=str(path)), 2)
    assert [o.completion for o in outputs] == ["first", "second"]


async def test_roles_get_independent_scripts(tmp_path: Path) -> None:
    target = scripted(reply="target says")
    grader = get_model(
        "scripted/grader",
        role="grader",
        memoize=False,
        replies=str(write_yaml(tmp_path / "g.yaml", ["GRADE: I"])),
    )
    assert (await target.generate("x")).completion == "target says"
    assert (await grader.generate("x")).completion == "GRADE: I"


# -- errors ------------------------------------------------------------------


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScriptedRepliesError, match="nope.yaml.*does not exist"):
        scripted(replies=str(missing))


def test_missing_file_as_model_name(tmp_path: Path) -> None:
    with pytest.raises(ScriptedRepliesError, match="nope.yaml"):
        get_model(f"scripted/{tmp_path / 'nope.yaml'}", memoize=False)


def test_wrong_key_names_file_and_turn(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", ["ok", {"content": "x", "tool_call": []}])
    with pytest.raises(ScriptedRepliesError) as info:
        scripted(replies=str(path))
    message = str(info.value)
    assert "bad.yaml" in message
    assert "turn 1" in message
    assert "tool_call" in message
    assert "expected a string" in message


def test_wrong_type_names_file_and_turn(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", ["ok", "fine", {"content": 42}])
    with pytest.raises(ScriptedRepliesError, match=r"bad\.yaml.*turn 2.*content.*string"):
        scripted(replies=str(path))


def test_wrong_tool_call_shape(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "bad.yaml", [{"tool_calls": [{"function": "f", "arguments": "x=1"}]}]
    )
    with pytest.raises(ScriptedRepliesError, match=r"turn 0.*tool_calls\.0\.arguments"):
        scripted(replies=str(path))


def test_turn_of_wrong_kind(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", ["ok", 7])
    with pytest.raises(ScriptedRepliesError, match=r"bad\.yaml': turn 1: got int"):
        scripted(replies=str(path))


def test_top_level_must_be_list(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", {"turns": ["a"]})
    with pytest.raises(ScriptedRepliesError, match="expected a list of turns"):
        scripted(replies=str(path))


def test_empty_script(tmp_path: Path) -> None:
    with pytest.raises(ScriptedRepliesError, match="empty"):
        scripted(replies=str(write_yaml(tmp_path / "e.yaml", [])))


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- [unclosed\n", encoding="utf-8")
    with pytest.raises(ScriptedRepliesError, match=r"bad\.yaml.*not valid YAML"):
        load_script(path)


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[1,", encoding="utf-8")
    with pytest.raises(ScriptedRepliesError, match=r"bad\.json.*not valid JSON"):
        load_script(path)


def test_no_script_given() -> None:
    with pytest.raises(ScriptedRepliesError, match="no script given"):
        scripted("plain")


def test_unknown_model_arg() -> None:
    with pytest.raises(ScriptedRepliesError, match="unknown model args.*replys"):
        scripted(replys="x.yaml")


def test_reply_and_replies_together(script_file: Path) -> None:
    with pytest.raises(ScriptedRepliesError, match="not both"):
        scripted(replies=str(script_file), reply="x")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Grade rounds 1 to 3.", "whole"),  # no keyed turn matches: the index rule
        ("Grade round 1 only.", "cut 1"),
        ("Grade round 2 only.", "cut 2"),
        ("Grade round 2 only, then round 1 only.", "cut 1"),  # the first keyed match wins
    ],
)
async def test_a_keyed_turn_answers_any_input_it_matches(
    tmp_path: Path, question: str, expected: str
) -> None:
    script = [
        "whole",
        {"when": r"round 1 only", "content": "cut 1"},
        {"when": r"round \d only", "content": "cut 2"},
        "second",
    ]
    model = scripted(replies=str(write_yaml(tmp_path / "keyed.yaml", script)))
    first = await model.generate([ChatMessageUser(content=question)])
    assert first.completion == expected
    # keyed turns take no index: the unkeyed turns keep their order
    later = await model.generate(
        [ChatMessageUser(content="Go."), first.message, ChatMessageUser(content="Again.")]
    )
    assert later.completion == "second"


@pytest.mark.parametrize("when", ["round (1", "[", 3])
def test_a_bad_when_names_file_and_turn(tmp_path: Path, when: object) -> None:
    path = write_yaml(tmp_path / "bad.yaml", ["ok", {"when": when, "content": "x"}])
    with pytest.raises(ScriptedRepliesError) as info:
        scripted(replies=str(path))
    message = str(info.value)
    assert "bad.yaml" in message and "turn 1" in message and "when" in message
