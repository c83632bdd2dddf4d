"""Turn one grader reply into a validated verdict, or into the reason it is not one.

The reply must be exactly one JSON object, optionally inside one ```json fence, and nothing else:
nothing is searched for inside prose, so a reply that merely mentions a verdict is not a verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from inspect_ai.model import ContentText, ModelOutput
from pydantic import BaseModel, ValidationError

from records.statuses import GraderFailure

V = TypeVar("V", bound=BaseModel)

_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(?P<body>.*)\n[ \t]*```\Z", re.DOTALL | re.IGNORECASE)
_SHOWN = 200


@dataclass(frozen=True)
class ParseFailure:
    """Why a grader reply is not a verdict."""

    status: GraderFailure
    reason: str


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise _DuplicateKeys(duplicated)
    return dict(pairs)


class _DuplicateKeys(ValueError):
    def __init__(self, keys: list[str]) -> None:
        super().__init__(f"duplicated keys {keys}")


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def json_body(reply: str) -> str | ParseFailure:
    """The JSON text of a reply: the whole reply, or the body of one ```json fence around it."""
    text = reply.strip()
    if not text:
        return ParseFailure("grader_unparseable", "the grader's reply is empty")
    fenced = _FENCE.match(text)
    return fenced.group("body") if fenced else text


def _format_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_reply(reply: str, schema: type[V]) -> V | ParseFailure:
    """Parse and validate one reply text against a verdict schema.

    Returns:
        The verdict; or a failure with status `grader_unparseable` (empty, not JSON, truncated,
        text around the JSON) or `grader_out_of_schema` (JSON, but not an object of the schema:
        missing or extra keys, a value outside the allowed set, duplicated keys).
    """
    body = json_body(reply)
    if isinstance(body, ParseFailure):
        return body
    try:
        data = json.loads(body, object_pairs_hook=_unique_keys, parse_constant=_no_constants)
    except _DuplicateKeys as exc:
        return ParseFailure("grader_out_of_schema", f"the grader's JSON has {exc}")
    except ValueError as exc:
        return ParseFailure(
            "grader_unparseable",
            f"the grader's reply is not exactly one JSON object ({exc}): {_shown(reply)}",
        )
    if not isinstance(data, dict):
        return ParseFailure(
            "grader_out_of_schema",
            f"the grader's JSON is a {type(data).__name__}, expected an object: {_shown(reply)}",
        )
    try:
        return schema.model_validate_json(body, strict=True)
    except ValidationError as exc:
        return ParseFailure(
            "grader_out_of_schema",
            f"the grader's JSON does not match {schema.__name__}: {_format_errors(exc)}",
        )


def refusal_of(output: ModelOutput) -> ParseFailure | None:
    """A failure if the provider reports a refusal (content filter or a refusal content part).

    Refusals are recognised only from what the provider reports, never from the wording of the
    text; a refusal written as prose is `grader_unparseable`.
    """
    if output.stop_reason == "content_filter":
        return ParseFailure(
            "grader_refused",
            f"the grader's provider stopped on its content filter: {_shown(output.completion)}",
        )
    message = output.choices[0].message if output.choices else None
    if message is not None and not isinstance(message.content, str):
        for part in message.content:
            if isinstance(part, ContentText) and part.refusal:
                return ParseFailure("grader_refused", f"the grader refused: {_shown(part.text)}")
    return None


def parse_output(
    output: ModelOutput, schema: type[V], check: Callable[[V], None] | None = None
) -> V | ParseFailure:
    """Parse a grader's ModelOutput into a verdict.

    Args:
        output: What the grader returned.
        schema: The verdict model.
        check: Further validation that needs the scenario (e.g. the declared provisions);
            raises ValueError for a verdict that does not fit.
    """
    refused = refusal_of(output)
    if refused is not None:
        return refused
    parsed = parse_reply(output.completion, schema)
    if isinstance(parsed, ParseFailure):
        if parsed.status == "grader_unparseable" and output.stop_reason == "max_tokens":
            return ParseFailure(
                "grader_unparseable", f"{parsed.reason} (the reply was cut at max_tokens)"
            )
        return parsed
    if check is not None:
        try:
            check(parsed)
        except ValueError as exc:
            return ParseFailure("grader_out_of_schema", f"the grader's verdict does not fit: {exc}")
    return parsed
