"""One transcript on screen: full (with ground truth and label form), compact (side by side),
or blind (as the grader read it, with the label form)."""

from __future__ import annotations

import streamlit as st

from dashboard import blind, data, render
from dashboard.diff import word_diff
from dashboard.label_store import LabelStore
from dashboard.labelling import label_form
from dashboard.models import SampleRow
from dashboard.safe import Highlighter, escape_markdown
from dashboard.transcript import Transcript

Marked = dict[str, str]


def read(row: SampleRow) -> Transcript | None:
    """The transcript of a row, or None (with a warning) when it cannot be read."""
    return _read(row)


def _read(row: SampleRow) -> Transcript | None:
    try:
        return data.transcript(row)
    except Exception as exc:  # a damaged sample must not take the page down
        st.warning(escape_markdown(f"Cannot read {row.ref}: {exc}"))
        return None


def _ground_truth(row: SampleRow, t: Transcript) -> None:
    score = t.candor_score
    recorded = score.meta("ground_truth") if score is not None else None
    render.ground_truth(data.ground_truth(row.outcome, recorded))


def full(row: SampleRow, store: LabelStore, warning: str | None, tactics: list[str]) -> None:
    """Heading, verdict and status; the report and transcript on the left; verdict, ground
    truth and the label form on the right."""
    t = _read(row)
    if t is None:
        return
    score = t.candor_score
    quotes = [] if score is None else score.quotes()
    h = Highlighter.of(quotes)
    render.header(row, t)
    left, right = st.columns([3, 2], gap="large")
    with left:
        render.submissions(t, h)
        st.subheader("Transcript")
        render.conversation(t, h)
    with right:
        render.verdict(score, quotes, t.texts())
        _ground_truth(row, t)
        label_form(row, store, warning, tactics)


def blind_full(
    row: SampleRow,
    all_rows: list[SampleRow],
    store: LabelStore,
    warning: str | None,
    tactics: list[str],
) -> None:
    """The neutral transcript and the label form: no arm, no verdict, no grader output."""
    seed = str(st.session_state.get("labeller", "")).strip()
    name = blind.position_names(all_rows, seed).get(row.ref, "Transcript")
    render.blind_header(name, row)
    try:
        view = data.neutral(row)
    except Exception as exc:  # a damaged sample must not take the page down
        st.warning(escape_markdown(f"Cannot read this transcript: {type(exc).__name__}"))
        return
    if view.problem is not None:  # nothing was shown blind: no label can be made blind
        st.info("This transcript cannot be shown blind. Pick another one.")
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        render.neutral(view)
    with right:
        label_form(row, store, warning, tactics, blind=True)


def diffs(a: Transcript | None, b: Transcript | None) -> tuple[Marked, Marked]:
    """Word-level differences between the two last submitted reports, field by field."""
    ea = a.episode if a is not None else None
    eb = b.episode if b is not None else None
    if ea is None or eb is None or not ea.submissions or not eb.submissions:
        return {}, {}
    fa, fb = ea.submissions[-1].fields, eb.submissions[-1].fields
    ma: Marked = {}
    mb: Marked = {}
    for name in fa.keys() & fb.keys():
        ma[name], mb[name] = word_diff(fa[name], fb[name])
    return ma, mb


def compact(row: SampleRow, t: Transcript | None, marked: Marked) -> None:
    """Verdict, submitted report (differences marked) and conversation, for one column of the
    side-by-side page."""
    if t is None:
        return
    score = t.candor_score
    quotes = [] if score is None else score.quotes()
    h = Highlighter.of(quotes)
    render.header(row, t)
    render.submissions(t, h, marked)
    with st.expander("Grader's verdict"):
        render.verdict(score, quotes, t.texts())
    with st.expander("Ground truth (private)"):
        _ground_truth(row, t)
    st.subheader("Transcript")
    render.conversation(t, h)
