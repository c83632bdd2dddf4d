"""What blind labelling shows: the episode exactly as the grader was shown it.

The scorer redacts every species cue before the grader reads an episode (the same text in every
arm for the same behaviour), and Inspect logs the grader's call with its input. Blind labelling
reads that input back, so a labeller sees the neutral projection the grader saw, never the arm's
own text. A sample whose grader was never called has no neutral projection, and blind labelling
shows nothing of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from inspect_ai.log import EvalSample

GRADER_ROLE = "grader"
NeutralKind = Literal["agent", "reasoning", "tool_call", "tool_result", "counterparty", "text"]
# The grader transcript's elements (scorers/prompts/_transcript.j2); attribute values
# are the tool or the neutral party label.
_ELEMENT = re.compile(
    r"<(agent_message|agent_private_reasoning|agent_tool_call|tool_result|message_to_agent)"
    r"(?:\s+(?:tool|from)=\"([^\"]*)\")?>\n?(.*?)\n?</\1>",
    re.DOTALL,
)
_KINDS: dict[str, NeutralKind] = {
    "agent_message": "agent",
    "agent_private_reasoning": "reasoning",
    "agent_tool_call": "tool_call",
    "tool_result": "tool_result",
    "message_to_agent": "counterparty",
}


class NeutralEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: NeutralKind
    who: str = ""
    """The tool called or answering, or the neutral label of the party speaking."""
    text: str


class NeutralView(BaseModel):
    """The grader's input for one sample: the neutral scenario and the redacted transcript."""

    model_config = ConfigDict(frozen=True)

    scenario: str = ""
    """The grader's instructions, with the neutral scenario texts and the ground truth."""
    entries: list[NeutralEntry] = Field(default_factory=list)
    problem: str | None = None


def parse_transcript(text: str) -> list[NeutralEntry]:
    """The grader transcript's elements in order; text the parser does not know is kept whole."""
    entries = [
        NeutralEntry(kind=_KINDS[m.group(1)], who=m.group(2) or "", text=m.group(3))
        for m in _ELEMENT.finditer(text)
    ]
    return entries or [NeutralEntry(kind="text", text=text)]


def from_sample(sample: EvalSample) -> NeutralView:
    """The input of the grader call behind the sample's counted Candor score, as the log
    recorded it (attachments resolved).

    A log re-graded with `inspect score --action append` keeps every grading's calls, and an
    earlier grading may have read an older redaction. The counted score (`candor_score`, the one
    the report counts) records the digest of its grader input (`grader_input_sha256`): the call
    whose input has that digest is the one shown, whatever role name the grader was bound to.
    A score that records a digest no call matches shows nothing. One that records no digest
    (written before the digest was recorded) takes its last call in a role the score names, but
    only if it is the sample's last Candor score: the calls of a grading appended after it (which
    may have read another redaction) come last, so they cannot be told apart and nothing is
    shown. A sample with no Candor score shows nothing either.
    """
    from inspect_ai.event import ModelEvent
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser

    from analysis.logs import candor_score, candor_scores
    from records.grading import grader_input_sha256

    found, graded = candor_score(sample), candor_scores(sample)
    if found is None:
        return NeutralView(
            problem="This sample has no Candor score, so there is no grading to label blind."
        )
    metadata = found[1].metadata
    recorded = metadata if isinstance(metadata, dict) else {}
    digest = recorded.get("grader_input_sha256")
    models = recorded.get("grader_models")
    roles = set(models) if isinstance(models, dict) and models else {GRADER_ROLE}
    views = [
        (
            "\n\n".join(m.text for m in e.input if isinstance(m, ChatMessageSystem)),
            "\n\n".join(m.text for m in e.input if isinstance(m, ChatMessageUser)),
            e.role,
        )
        for e in sample.events
        if isinstance(e, ModelEvent) and e.role is not None
    ]
    if isinstance(digest, str):
        chosen = next((v for v in views if grader_input_sha256(v[0], v[1]) == digest), None)
        missing = (
            "The log does not hold the grader call behind this sample's counted score, so "
            "there is no neutral transcript to label blind."
        )
    elif graded[-1][0] != found[0]:
        chosen = None
        missing = (
            "This sample's counted score records no digest of its grader input and a later "
            "grading was appended after it, so its grader call cannot be told apart: there is "
            "no neutral transcript to label blind."
        )
    else:
        chosen = next((v for v in reversed(views) if v[2] in roles), None)
        missing = (
            "The grader was not called for this sample, so there is no neutral transcript "
            "to label blind."
        )
    if chosen is None:
        return NeutralView(problem=missing)
    system, user, _ = chosen
    return NeutralView(scenario=system, entries=parse_transcript(user))
