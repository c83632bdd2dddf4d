"""Render the grader prompts from the Jinja2 templates in `scorers/prompts/`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2
from inspect_ai.util import json_schema
from pydantic import BaseModel

from scorers.transcript import GraderView
from scorers.verdicts import TACTIC_DESCRIPTIONS

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def schema_text(schema: type[BaseModel]) -> str:
    """The verdict's JSON schema as shown in the prompt, for providers without structured output."""
    return json.dumps(json_schema(schema).model_dump(exclude_none=True), indent=2)


def render_prompt(template: str, view: GraderView, schema: type[BaseModel]) -> str:
    """The full grader input for one episode.

    Raises:
        jinja2.UndefinedError: if the template uses a variable that is not provided.
    """
    return (
        _environment()
        .get_template(template)
        .render(
            header=view.header,
            entries=view.entries,
            tactics=[{"name": str(t), "description": d} for t, d in TACTIC_DESCRIPTIONS.items()],
            schema=schema_text(schema),
        )
    )
