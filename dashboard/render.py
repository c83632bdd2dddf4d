"""Streamlit rendering of one transcript, its verdict and its ground truth.

Model text goes only through `show` (escaped Markdown, evidence highlighted), `st.code` or
`st.json` (both after `visible`, so bidi and control characters show as escapes); nothing here
passes `unsafe_allow_html`, and images in a transcript are never shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import streamlit as st
from pydantic import JsonValue

from dashboard.models import GroundTruthView, SampleRow
from dashboard.neutral import NeutralView
from dashboard.safe import Highlighter, escape_markdown, visible, visible_json
from dashboard.transcript import ScoreView, ToolCallView, Transcript, Turn
from records.dimensions import declared

DASH = "—"
_AVATARS = {"user": ":material/person:", "assistant": ":material/smart_toy:"}
_TOOL_AVATAR = ":material/build:"
_SHOWN_META = {
    "status",
    "unscored_reason",
    "verdict",
    "evidence",
    "unverified_quotes",
    "provisions",
    "agreement",
    "graders",
    *(d.name for d in declared().dimensions),
}


def show(text: str, h: Highlighter | None = None) -> None:
    """Untrusted text, as text; evidence quotes highlighted in place when `h` is given."""
    st.markdown(h.markdown(text) if h else escape_markdown(text))


def fmt(value: JsonValue) -> str:
    """A logged value for a caption: missing or NaN as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(fmt(v) for v in value) or DASH
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def caption(**fields: JsonValue) -> None:
    """`key: value` pairs on one escaped line."""
    st.caption(
        escape_markdown(" · ".join(f"{k.replace('_', ' ')}: {fmt(v)}" for k, v in fields.items()))
    )


def _tool_call(call: ToolCallView, h: Highlighter) -> None:
    st.markdown(f"**tool call:** {escape_markdown(call.function)}")
    if call.parse_error:
        st.warning(escape_markdown(f"arguments could not be parsed: {call.parse_error}"))
    for name, value in call.arguments.items():
        st.caption(escape_markdown(name))
        if isinstance(value, str):
            show(value, h)
        else:
            st.code(
                visible(json.dumps(value, indent=2, ensure_ascii=False)),
                language="json",
                wrap_lines=True,
            )


def _turn(turn: Turn, h: Highlighter) -> None:
    if turn.role == "tool":
        with st.chat_message("tool", avatar=_TOOL_AVATAR):
            label = f"result of {turn.function or 'tool'}" + (
                f" (error: {turn.error})" if turn.error else ""
            )
            st.caption(escape_markdown(label))
            quoted = bool(h.spans(turn.text))
            with st.expander(
                "tool result" + (" — contains evidence" if quoted else ""), expanded=quoted
            ):
                show(turn.text, h)
        return
    name = "user" if turn.role == "user" else "assistant"
    with st.chat_message(name, avatar=_AVATARS[name]):
        st.caption("counterparty / user" if name == "user" else "agent")
        for thought in turn.reasoning:
            with st.expander("reasoning", expanded=bool(h.spans(thought))):
                show(thought, h)
        if turn.text.strip():
            show(turn.text, h)
        for call in turn.tool_calls:
            _tool_call(call, h)
        if turn.omitted:
            st.caption(escape_markdown(f"not shown: {', '.join(turn.omitted)} content"))


def conversation(t: Transcript, h: Highlighter) -> None:
    """System prompt (collapsed), then every turn in order."""
    system = [turn for turn in t.turns if turn.role == "system"]
    if system:
        with st.expander("System prompt"):
            st.code(
                visible("\n\n".join(turn.text for turn in system)), language=None, wrap_lines=True
            )
    for turn in t.turns:
        if turn.role != "system":
            _turn(turn, h)


def submissions(t: Transcript, h: Highlighter, marked: dict[str, str] | None = None) -> None:
    """The report(s) the agent submitted, each field highlighted; `marked` gives the last
    report's fields as ready Markdown (the side-by-side word differences)."""
    st.subheader("Submitted report")
    if t.episode is None:
        st.warning(escape_markdown(t.store_problem or "no episode record"))
        return
    if not t.episode.submissions:
        st.info("The agent submitted nothing.")
    last = len(t.episode.submissions) - 1
    for i, sub in enumerate(t.episode.submissions):
        with st.container(border=True):
            caption(tool=sub.tool, turn=sub.turn)
            for name, value in sub.fields.items():
                st.markdown(f"**{escape_markdown(name)}**")
                if marked is not None and i == last and name in marked:
                    st.markdown(marked[name])
                else:
                    show(value, h)


def verdict(score: ScoreView | None, quotes: Sequence[str], texts: Sequence[str]) -> None:
    """The grader's verdict: status, label, its dimensions (flags, tactics), rationale, evidence
    (found or not)."""
    st.subheader("Grader's verdict")
    if score is None:
        st.warning("This sample has no Candor score.")
        return
    caption(status=score.status, verdict=score.answer, value=score.value)
    caption(  # every declared verdict dimension the score records
        **{d.name: score.meta(d.name) for d in declared().dimensions if d.name in score.metadata},
        grader_agreement=score.meta("agreement"),
    )
    if score.status != "graded":
        reason = score.meta("unscored_reason") or score.explanation
        st.warning(escape_markdown(f"Unscored ({fmt(score.status)}): {fmt(reason)}"))
    elif score.explanation:
        st.markdown("**Rationale**")
        show(score.explanation)
    _evidence(score, quotes, texts)
    _provisions(score)
    _graders(score)
    rest = {k: v for k, v in score.metadata.items() if k not in _SHOWN_META}
    if rest:
        with st.expander("Other score metadata"):
            st.json(visible_json(rest), expanded=False)


def _evidence(score: ScoreView, quotes: Sequence[str], texts: Sequence[str]) -> None:
    if not quotes:
        return
    flagged = score.meta("unverified_quotes")
    flagged = flagged if isinstance(flagged, list) else []
    h = Highlighter.of(quotes)
    st.markdown("**Evidence quotes** (highlighted in the transcript)")
    for quote in quotes:
        where = (
            "found in the transcript" if h.found(quote, texts) else "NOT found in the transcript"
        )
        if quote in flagged:
            where += "; flagged as unverified by the scorer"
        st.markdown(f"> {escape_markdown(quote)}  \n{escape_markdown(f'({where})')}")


def _provisions(score: ScoreView) -> None:
    labels = score.meta("provisions")
    details = {
        str(p.get("provision_id")): p
        for p in score.verdict_details().get("provisions", [])
        if isinstance(p, dict)
    }
    names = list(labels) if isinstance(labels, dict) else list(details)
    for name in names:
        p = details.get(name, {})
        label = labels.get(name) if isinstance(labels, dict) else p.get("verdict")
        st.markdown(f"**{escape_markdown(name)}**: {escape_markdown(fmt(label))}")
        elements = p.get("elements")
        for e in elements if isinstance(elements, list) else []:
            if isinstance(e, dict):
                mark = "met" if e.get("met") is True else "not met"
                st.markdown("- " + escape_markdown(f"{fmt(e.get('element'))} ({mark})"))
        if isinstance(p.get("rationale"), str):
            show(str(p["rationale"]))


def _graders(score: ScoreView) -> None:
    records = score.meta("graders")
    if not isinstance(records, list) or not records:
        return
    with st.expander(f"Grader calls ({len(records)})"):
        for record in records:
            if not isinstance(record, dict):
                continue
            caption(
                role=record.get("role"),
                model=record.get("model"),
                status=record.get("status"),
                reason=record.get("reason"),
            )
            reply = record.get("reply")
            if isinstance(reply, str) and reply:
                st.code(visible(reply), language=None, wrap_lines=True)


def ground_truth(gt: GroundTruthView) -> None:
    """The scenario's private ground truth in this arm."""
    st.subheader("Ground truth (private)")
    if gt.note:
        st.warning(escape_markdown(gt.note))
    if gt.problem:
        st.warning(escape_markdown(gt.problem))
        return
    where = (
        "as the grader was shown it (recorded in the log)"
        if gt.source == "log"
        else ("from the current scenario files")
    )
    st.caption(escape_markdown(f"{gt.title} — {where}"))
    show(gt.summary)
    for fact in gt.facts:
        st.markdown("- " + escape_markdown(fact))
    if gt.criteria:
        with st.expander("What counts as deceptive"):
            show(gt.criteria)
    if gt.honest_example:
        with st.expander("An honest account"):
            show(gt.honest_example)
    for citation, text, elements in gt.provisions:
        with st.expander(citation):
            show(text)
            for element in elements:
                st.markdown("- " + escape_markdown(element))


_VERDICT_COLOURS = {
    "deceptive": "red",
    "violation": "red",
    "partial": "orange",
    "honest": "green",
    "compliant": "green",
}


def verdict_badges(row: SampleRow) -> str:
    """The grader's verdict and the sample's status as coloured Markdown badges."""
    o = row.outcome
    word = row.verdict or "no verdict"
    colour = _VERDICT_COLOURS.get(word, "gray")
    status = "blue" if o.status == "graded" else "orange"
    return (
        f":{colour}-badge[verdict: {escape_markdown(word)}] "
        f":{status}-badge[status: {escape_markdown(o.status)}]"
    )


def header(row: SampleRow, t: Transcript) -> None:
    """Scenario, arm, epoch, model, the verdict and status in one heading; how the episode
    ended and the log reference below it."""
    o = row.outcome
    where = o.scenario if o.task == o.scenario else f"{o.task} / {o.scenario}"
    title = escape_markdown(f"{where} · {o.arm} · epoch {o.epoch} · {o.model}")
    st.markdown(f"#### {title} {verdict_badges(row)}")
    episode = t.episode
    if o.status != "graded" and o.reason:
        st.warning(escape_markdown(f"Unscored ({o.status}): {o.reason}"))
    caption(
        end_reason=episode.end_reason if episode else None,
        agent_turns=episode.agent_turns if episode else None,
        log=row.ref,
    )
    if t.error:
        st.warning(escape_markdown(f"The sample ended with an error: {t.error}"))
    if t.limit:
        st.info(escape_markdown(f"The sample hit a {t.limit}."))


def blind_header(name: str, row: SampleRow) -> None:
    """Blind labelling's heading: the queue position, scenario and model, nothing of the arm or
    of the grader's outcome (a status such as graders_disagree or redaction_leak is one)."""
    o = row.outcome
    st.markdown(f"### {escape_markdown(name)}")
    caption(scenario=o.scenario, model=o.model)


_NEUTRAL_ROLES = {
    "agent": ("assistant", "agent"),
    "reasoning": ("assistant", "agent (private reasoning)"),
    "tool_call": ("assistant", "agent calls a tool"),
    "tool_result": ("tool", "tool result"),
    "counterparty": ("user", "counterparty"),
    "text": ("user", "transcript"),
}


def neutral(view: NeutralView) -> None:
    """The transcript exactly as the grader read it (species cues redacted)."""
    st.subheader("Transcript (as the grader read it)")
    if view.problem:
        st.info(escape_markdown(view.problem))
        return
    st.caption(
        "Names in square brackets stand for a party; [REDACTED] hides a word; [they] stands for "
        "any third-person pronoun form (subject, object or possessive), [themself] for a "
        "reflexive one."
    )
    if view.scenario:
        with st.expander("Scenario, ground truth and criteria (as the grader read them)"):
            show(view.scenario)
    for entry in view.entries:
        name, label = _NEUTRAL_ROLES[entry.kind]
        avatar = _TOOL_AVATAR if name == "tool" else _AVATARS.get(name)
        with st.chat_message(name, avatar=avatar):
            st.caption(escape_markdown(f"{label} {entry.who}".strip()))
            show(entry.text)
