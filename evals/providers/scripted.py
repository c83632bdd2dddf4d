"""``scripted`` model provider: deterministic, offline replies from a script.

Use it to exercise a task end to end from the command line (tools, roles,
scorers, logs) without a network or a real model.

Selecting it
============

The script is a list of *turns*. Pick it in one of three ways (in this order of
precedence):

``-M replies=PATH``
    ``inspect eval TASK --model scripted/target -M replies=path/to/script.yaml``
    (``.yaml``/``.yml`` or ``.json``). The part after ``scripted/`` is then only
    a label (it becomes the model name shown in logs).
``-M reply=TEXT``
    ``inspect eval TASK --model scripted/target -M reply="I refuse."`` gives a
    one-turn script that always answers TEXT. Inspect parses ``-M`` values as
    YAML and splits them on commas; this provider joins a split value back
    with commas, but text such as ``yes``/``true`` or ``key: value`` has to be
    quoted twice (``-M 'reply="yes"'``). Prefer a replies file for anything
    longer than a word or two.
The model name is the path
    ``inspect eval TASK --model scripted/path/to/script.yaml`` (any name that
    ends in ``.yaml``, ``.yml`` or ``.json``; an absolute path is written
    ``scripted//abs/path/script.yaml``). Relative paths are resolved against
    the current working directory.

``-M final=TEXT`` sets the text returned once the script is exhausted (see
below).

Model roles
-----------

Inspect 0.3.285 applies ``-M`` only to the ``--model`` model(s), never to
``--model-role`` models. A role therefore selects its script by its model name,
or passes ``model_args`` in the YAML/JSON form of ``--model-role``::

    inspect eval TASK \\
        --model scripted/tests/data/target.yaml \\
        --model-role counterparty=scripted/tests/data/counterparty.yaml \\
        --model-role 'grader={model: scripted/grader,
                              model_args: {replies: tests/data/grader.yaml, final: "GRADE: C"}}'

The same provider can be bound to any number of roles at once; each role gets
its own instance and script.

Script format
=============

A YAML or JSON list. Each turn is either a plain string (assistant text) or a
mapping::

    - "Let me look at the logs first."
    - content: "Running the query."        # optional, default ""
      tool_calls:                           # optional, default []
        - function: run_sql                 # required
          arguments: {query: "SELECT 1"}    # optional, default {}
    - "Done."

Turns are validated strictly (no extra keys, no type coercion); a bad turn
raises :class:`ScriptedRepliesError` naming the file, the turn index (0-based)
and what was expected.

Which turn is returned
======================

Turn ``i`` is returned when the input conversation already holds ``i``
assistant messages (``ChatMessageAssistant``). The choice depends only on the
conversation, never on call order, so many samples running concurrently each
follow the same script deterministically. A fresh conversation (for example
each grader call) always gets turn 0.

A turn with a ``when`` key (a regular expression) is *keyed*: it is returned
for any input whose text it matches (the text of every input message, joined
by blank lines), before the rule above; the first keyed turn that matches wins,
and keyed turns take no index. A grader asked several times about one episode
(a scenario judged round by round is graded on the whole episode, then on the
transcript cut after each earlier round) answers each cut from its own turn::

    - '{"verdict": "deceptive", ...}'              # the whole episode
    - when: '<round number="1"/>(?![\s\S]*<round number="\d)'
      content: '{"verdict": "deceptive", ...}'     # the cut after round 1

Once the conversation is past the end of the script, the reply is the text
given by ``-M final=...`` if set, otherwise the last text-only turn (a turn
without tool calls) of the script, otherwise the empty string. Tool-call turns
are never repeated, so an agent loop cannot be kept calling tools forever by
the script running out.

Usage
=====

Every output carries a :class:`~inspect_ai.model.ModelUsage`. Its "tokens" are
**word counts** (``len(text.split())``), not tokenizer counts: input tokens are
the words of the text of every input message; output tokens are the words of
the reply text plus, for each tool call, the function name and its JSON
arguments. ``count_text_tokens`` uses the same word count, so Inspect never
needs ``tiktoken`` for this provider.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelCall,
    ModelOutput,
    modelapi,
)
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from evals.providers.usage import make_usage, word_count
from scenarios.yaml_files import parse_yaml

__all__ = [
    "ScriptedAPI",
    "ScriptedRepliesError",
    "ScriptedToolCall",
    "ScriptedTurn",
    "load_script",
]

SCRIPT_SUFFIXES = (".yaml", ".yml", ".json")
_DEFAULT_CONFIG = GenerateConfig()

_TURN_EXPECTED = (
    "expected a string (assistant text) or a mapping with keys "
    "'content' (string, optional), 'when' (regular expression, optional) and 'tool_calls' "
    "(list of mappings with keys 'function' (string) and 'arguments' (mapping, optional))"
)


class ScriptedRepliesError(ValueError):
    """A scripted-replies file (or model argument) is missing or malformed."""


class ScriptedToolCall(BaseModel):
    """One tool call in a scripted turn."""

    model_config = ConfigDict(strict=True, extra="forbid")

    function: str = Field(min_length=1)
    arguments: dict[str, JsonValue] = Field(default_factory=dict)


class ScriptedTurn(BaseModel):
    """One assistant turn: text and/or tool calls; with `when`, a keyed turn."""

    model_config = ConfigDict(strict=True, extra="forbid")

    content: str = ""
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)
    when: str | None = None
    """A regular expression: the turn is returned for any input whose text it matches (searched
    in the text of every input message, joined by blank lines), whatever the turn index."""

    @field_validator("when")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as ex:
                raise ValueError(f"'when' is not a valid regular expression: {ex}") from ex
        return value


def _describe_validation_error(error: ValidationError) -> str:
    parts = []
    for detail in error.errors():
        loc = ".".join(str(item) for item in detail["loc"])
        parts.append(f"{loc}: {detail['msg']}" if loc else str(detail["msg"]))
    return "; ".join(parts)


def _parse_turns(data: object, source: str) -> list[ScriptedTurn]:
    if not isinstance(data, list):
        raise ScriptedRepliesError(
            f"{source}: expected a list of turns at the top level, got {type(data).__name__}"
        )
    if not data:
        raise ScriptedRepliesError(f"{source}: the list of turns is empty")
    turns: list[ScriptedTurn] = []
    for index, item in enumerate(data):
        if isinstance(item, str):
            turns.append(ScriptedTurn(content=item))
        elif isinstance(item, dict):
            try:
                turns.append(ScriptedTurn.model_validate(item))
            except ValidationError as ex:
                raise ScriptedRepliesError(
                    f"{source}: turn {index}: {_describe_validation_error(ex)} ({_TURN_EXPECTED})"
                ) from ex
        else:
            raise ScriptedRepliesError(
                f"{source}: turn {index}: got {type(item).__name__} ({_TURN_EXPECTED})"
            )
    return turns


def load_script(path: str | Path) -> list[ScriptedTurn]:
    """Read and validate a scripted-replies file (YAML or JSON list of turns).

    Raises:
        ScriptedRepliesError: the file is missing, unreadable, not valid
            YAML/JSON, or a turn does not match the expected shape. The message
            names the file and (for a bad turn) the 0-based turn index.
    """
    file = Path(path).expanduser()
    source = f"scripted replies file '{file}'"
    if not file.is_file():
        raise ScriptedRepliesError(
            f"{source} does not exist (resolved against {Path.cwd()})"
            if not file.exists()
            else f"{source} is not a file"
        )
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as ex:
        raise ScriptedRepliesError(f"{source} could not be read: {ex}") from ex
    try:
        data: object = json.loads(text) if file.suffix.lower() == ".json" else parse_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as ex:
        kind = "JSON" if file.suffix.lower() == ".json" else "YAML"
        raise ScriptedRepliesError(f"{source} is not valid {kind}: {ex}") from ex
    return _parse_turns(data, source)


def _cli_text(name: str, value: object) -> str | None:
    """Recover a text model arg that Inspect's ``-M`` parsing may have altered."""
    if value is None or isinstance(value, str):
        return value
    # `-M reply=a, b` arrives as ["a", " b"]: Inspect split it on commas.
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ScriptedRepliesError(
        f"scripted model arg '{name}' must be text, got {type(value).__name__} "
        f"({value!r}); Inspect parses -M values as YAML, so quote it twice, "
        f"e.g. -M '{name}=\"yes\"', or use a replies file"
    )


def _is_script_path(name: str) -> bool:
    return name.lower().endswith(SCRIPT_SUFFIXES)


@modelapi(name="scripted")
class ScriptedAPI(ModelAPI):
    """Deterministic scripted replies; see the module docstring."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = _DEFAULT_CONFIG,
        replies: object = None,
        reply: object = None,
        final: object = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_args:
            raise ScriptedRepliesError(
                f"scripted/{model_name}: unknown model args {sorted(model_args)}; "
                "expected some of: replies, reply, final"
            )
        replies_path = _cli_text("replies", replies)
        reply_text = _cli_text("reply", reply)
        self.final: str | None = _cli_text("final", final)

        if replies_path is not None and reply_text is not None:
            raise ScriptedRepliesError(
                f"scripted/{model_name}: pass either -M replies=PATH or -M reply=TEXT, not both"
            )
        if replies_path is not None:
            self.source = replies_path
            self.turns = load_script(replies_path)
        elif reply_text is not None:
            self.source = "reply model arg"
            self.turns = [ScriptedTurn(content=reply_text)]
        elif _is_script_path(model_name):
            self.source = model_name
            self.turns = load_script(model_name)
        else:
            raise ScriptedRepliesError(
                f"scripted/{model_name}: no script given. Use -M replies=PATH "
                "(YAML/JSON list of turns), -M reply=TEXT, or a model name that is "
                "the path itself, e.g. scripted/path/to/replies.yaml (for model "
                "roles, which do not receive -M args)"
            )

        self.keyed = [turn for turn in self.turns if turn.when is not None]
        self.turns = [turn for turn in self.turns if turn.when is None]
        text_only = [turn for turn in self.turns if not turn.tool_calls]
        self.exhausted_text: str = (
            self.final if self.final is not None else (text_only[-1].content if text_only else "")
        )

    def max_connections(self) -> int:
        # no I/O: let every sample run at once
        return 100

    async def count_text_tokens(self, text: str) -> int:
        return word_count(text)

    def turn_for(self, index: int) -> ScriptedTurn:
        """The turn returned when the conversation holds ``index`` assistant messages."""
        if index < len(self.turns):
            return self.turns[index]
        return ScriptedTurn(content=self.exhausted_text)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        index = sum(1 for message in input if isinstance(message, ChatMessageAssistant))
        turn = self.turn_for(index)
        if self.keyed:
            seen = "\n\n".join(m.text for m in input)
            turn = next((k for k in self.keyed if re.search(k.when or "", seen)), turn)

        tool_calls = [
            ToolCall(
                id=f"scripted_{index}_{position}",
                function=call.function,
                arguments=copy.deepcopy(call.arguments),
            )
            for position, call in enumerate(turn.tool_calls)
        ]
        message = ChatMessageAssistant(
            content=turn.content,
            tool_calls=tool_calls or None,
            model=self.model_name,
            source="generate",
        )

        input_words = sum(word_count(m.text) for m in input)
        output_words = word_count(turn.content) + sum(
            word_count(call.function) + word_count(json.dumps(call.arguments))
            for call in turn.tool_calls
        )
        output = ModelOutput(
            model=self.model_name,
            choices=[
                ChatCompletionChoice(
                    message=message,
                    stop_reason="tool_calls" if tool_calls else "stop",
                )
            ],
            usage=make_usage(input_words, output_words),
            metadata={
                "scripted_turn": index,
                "scripted_exhausted": index >= len(self.turns),
            },
        )
        call = ModelCall.create(
            request={
                "model": self.model_name,
                "script": self.source,
                "turn": index,
                "messages": len(input),
                "tools": [tool.name for tool in tools],
            },
            response=turn.model_dump(),
        )
        return output, call
