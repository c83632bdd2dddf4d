"""One transcript on screen: full (with ground truth and label form) or compact (side by side)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, render
from dashboard.label_store import LabelStore
from dashboard.labelling import label_form, saved_labels
from dashboard.models import SampleRow
from dashboard.safe import Highlighter, escape_markdown
from dashboard.transcript import Transcript

_BLIND_NOTE = "Blind labelling: the grader's verdict and evidence stay hidden until you label."


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


def _hidden(labelled_by_me: bool) -> bool:
    return bool(st.session_state.get("blind")) and not labelled_by_me


def full(row: SampleRow, store: LabelStore, warning: str | None, tactics: list[str]) -> None:
    """Transcript on the left; verdict, ground truth and the label form on the right."""
    t = _read(row)
    if t is None:
        return
    me = str(st.session_state.get("labeller", "")).strip()
    hidden = _hidden(any(label.labeller == me for label in saved_labels(store, row)))
    score = t.candor_score
    quotes = [] if hidden or score is None else score.quotes()
    h = Highlighter.of(quotes)
    render.header(row, t)
    left, right = st.columns([3, 2], gap="large")
    with left:
        render.submissions(t, h)
        st.subheader("Transcript")
        render.conversation(t, h)
    with right:
        if hidden:
            st.info(_BLIND_NOTE)
        else:
            render.verdict(score, quotes, t.texts())
        _ground_truth(row, t)
        label_form(row, store, warning, tactics)


def compact(row: SampleRow) -> None:
    """Verdict, submitted report and conversation, for a column of the side-by-side page."""
    t = _read(row)
    if t is None:
        return
    score = t.candor_score
    hidden = bool(st.session_state.get("blind"))
    quotes = [] if hidden or score is None else score.quotes()
    h = Highlighter.of(quotes)
    render.header(row, t)
    if hidden:
        st.info(_BLIND_NOTE)
    else:
        render.verdict(score, quotes, t.texts())
    with st.expander("Ground truth (private)"):
        _ground_truth(row, t)
    render.submissions(t, h)
    st.subheader("Transcript")
    render.conversation(t, h)
