"""The texts of the built-in tools (descriptions and parameters), from `tool_texts.yaml`.

What the agent reads about a tool is prompt text, so it lives in a data file; this module
validates the file and builds each `ToolDef` from it. A tool's declared parameters must match
its function's arguments, so a renamed argument fails loudly, naming the file and the tool.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml
from inspect_ai.tool import ToolDef, ToolParam, ToolParams
from inspect_ai.util import JSONSchema
from pydantic import BaseModel, ConfigDict, RootModel, ValidationError

from evals.tool_calls import ToolFn
from scenarios import templating
from scenarios.yaml_files import parse_yaml

TOOL_TEXTS = Path(__file__).resolve().parent / "tool_texts.yaml"


class ParameterText(BaseModel):
    """One parameter as the agent sees it. `object` maps names to strings; `array` holds strings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    type: Literal["string", "integer", "object", "array"] = "string"
    required: bool = True

    def param(self) -> ToolParam:
        if self.type == "object":
            return ToolParam(
                type="object",
                description=self.description,
                additionalProperties=JSONSchema(type="string"),
            )
        if self.type == "array":
            return ToolParam(
                type="array", description=self.description, items=JSONSchema(type="string")
            )
        return ToolParam(type=self.type, description=self.description)


class ToolText(BaseModel):
    """A tool's description (a Jinja2 template) and its parameters, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    parameters: dict[str, ParameterText] = {}


class ToolTexts(RootModel[dict[str, ToolText]]):
    """Every built-in tool's texts, by tool name."""


class ToolTextError(ValueError):
    """The tool texts file is missing a tool, malformed, or out of step with the code."""


@cache
def tool_texts(path: Path = TOOL_TEXTS) -> ToolTexts:
    """The validated texts file (read once per process)."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return ToolTexts.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ToolTextError(f"{path}: cannot read the tool texts: {exc}") from exc
    except ValidationError as exc:
        raise ToolTextError(f"{path}: invalid tool texts:\n{exc}") from exc


_ENV = templating.environment()


@cache
def _template(text: str) -> jinja2.Template:
    return _ENV.from_string(text)


def tool_def(
    fn: ToolFn, execute: ToolFn, context: Mapping[str, Any] | None = None, path: Path = TOOL_TEXTS
) -> ToolDef:
    """The `ToolDef` for `fn` (named by the function), run by `execute`, described from the file.

    Args:
        fn: The tool's function: its name and arguments are checked against the file.
        execute: What runs when the agent calls the tool (e.g. `fn` wrapped to record the call).
        context: Values for the description template (e.g. the inbox's address).
        path: The texts file.

    Raises:
        ToolTextError: the file has no entry for the tool, its parameters differ from the
            function's arguments, or its description uses an undefined value.
    """
    name = fn.__name__
    texts = tool_texts(path).root
    if name not in texts:
        raise ToolTextError(f"{path}: no entry for the tool '{name}'")
    text = texts[name]
    arguments = list(inspect.signature(fn).parameters)
    if list(text.parameters) != arguments:
        raise ToolTextError(
            f"{path}: {name}.parameters lists {list(text.parameters)}; the tool's function "
            f"takes {arguments} (same names, same order expected)"
        )
    try:
        description = _template(text.description).render(**(context or {})).strip()
    except jinja2.TemplateError as exc:
        raise ToolTextError(f"{path}: {name}.description: {exc}") from exc
    params = ToolParams(
        properties={key: p.param() for key, p in text.parameters.items()},
        required=[key for key, p in text.parameters.items() if p.required],
    )
    return ToolDef(execute, name=name, description=description, parameters=params)
