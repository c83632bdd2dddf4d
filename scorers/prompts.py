"""Render the grader prompts from the Jinja2 templates in `scorers/prompts/`.

A grader prompt is two messages: the instructions (a system message: the task, the scenario's
neutral header and ground truth, the criteria, the reply schema) and the episode (a user
message: the redacted transcript). The instructions are the same for every sample of a
scenario, in every arm and epoch, so providers that cache a shared prompt prefix serve them
from the cache after the first grading call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import jinja2.meta
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.util import json_schema
from pydantic import BaseModel

from records.dimensions import declared
from records.grading import grader_input_sha256, grader_input_text
from scenarios import templating
from scorers.transcript import GraderView

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
EPISODE_TEMPLATE = "episode.j2"


@dataclass(frozen=True)
class GraderPrompt:
    """The grader's input: fixed instructions first, then the episode to grade."""

    instructions: str
    episode: str

    @property
    def text(self) -> str:
        """Both messages as one text (what is hashed and counted)."""
        return grader_input_text(self.instructions, self.episode)

    @property
    def sha256(self) -> str:
        """The digest recorded with the grading (`grader_input_sha256`): a log's grader call
        whose two messages have this digest is the call that grading made."""
        return grader_input_sha256(self.instructions, self.episode)

    def messages(self) -> list[ChatMessage]:
        return [ChatMessageSystem(content=self.instructions), ChatMessageUser(content=self.episode)]


@cache
def _environment() -> jinja2.Environment:
    return templating.environment(PROMPTS_DIR, keep_trailing_newline=True)


@cache
def schema_text(schema: type[BaseModel]) -> str:
    """The verdict's JSON schema as shown in the prompt, for providers without structured output."""
    return json.dumps(json_schema(schema).model_dump(exclude_none=True), indent=2)


def _template_files(name: str, seen: set[str]) -> None:
    if name in seen:
        return
    seen.add(name)
    source = (PROMPTS_DIR / name).read_text(encoding="utf-8")
    for included in jinja2.meta.find_referenced_templates(_environment().parse(source)):
        if included is not None:
            _template_files(included, seen)


@cache
def template_sha256(template: str) -> str:
    """The hash of a grader prompt's templates: `template`, `episode.j2` and every template they
    include, in name order, each as its name, a NUL byte, its bytes and a NUL byte; then the
    verdict dimensions' declaration, whose tactic descriptions and flag instructions the prompt
    prints (a changed instruction is a changed grader)."""
    names: set[str] = set()
    for root in (template, EPISODE_TEMPLATE):
        _template_files(root, names)
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode("utf-8") + b"\0" + (PROMPTS_DIR / name).read_bytes() + b"\0")
    digest.update(b"dimensions\0" + declared().model_dump_json().encode("utf-8") + b"\0")
    return digest.hexdigest()


def render_prompt(template: str, view: GraderView, schema: type[BaseModel]) -> GraderPrompt:
    """The grader input for one episode: `template` gives the instructions, `episode.j2` the
    transcript.

    Raises:
        jinja2.UndefinedError: if a template uses a variable that is not provided.
    """
    context = {
        "header": view.header,
        "entries": view.entries,
        "tactics": [
            {"name": name, "description": text}
            for name, text in (declared().get("tactics").values or {}).items()
        ],
        "schema": schema_text(schema),
        # every declared flag the verdict carries, with what the grader is told to record
        "flags": [
            {"name": d.name, "instruction": d.instruction}
            for d in declared().dimensions
            if d.kind == "flag" and d.name in schema.model_fields
        ],
    }
    env = _environment()
    return GraderPrompt(
        instructions=env.get_template(template).render(context).strip(),
        episode=env.get_template(EPISODE_TEMPLATE).render(context).strip(),
    )
