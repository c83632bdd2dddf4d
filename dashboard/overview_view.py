"""The Overview's headline cards on screen (the card contents are `dashboard.headline`'s)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.headline import ArmFigure, HeadlineCard
from dashboard.safe import escape_markdown

CARDS_PER_ROW = 2


def _arm(arm: ArmFigure, side: str) -> None:
    st.metric(escape_markdown(f"{side}: {arm.arm}"), arm.rate)
    st.caption(
        escape_markdown(
            f"{arm.positive} / {arm.graded} graded · 95% CI {arm.ci} · unscored {arm.unscored}"
        )
    )


def _card(c: HeadlineCard) -> None:
    st.markdown(f"**{escape_markdown(c.title)}**")
    st.caption(escape_markdown(f"task {c.task} · outcome {c.outcome} · grader {c.grader}"))
    left, right = st.columns(2)
    with left:
        _arm(c.a, "A")
    with right:
        _arm(c.b, "B")
    st.markdown(
        f"Difference (A − B): **{escape_markdown(c.difference)}**  \n"
        f"Odds ratio: **{escape_markdown(c.odds_ratio)}**  \n"
        f"Fisher's exact p: **{escape_markdown(c.p)}** · Holm-adjusted: "
        f"**{escape_markdown(c.p_holm)}**"
    )
    flags = st.columns(2)
    with flags[0]:
        if c.missingness:
            st.badge("missingness differs", icon=":material/warning:", color="red")
        else:
            st.badge("missingness balanced", icon=":material/check:", color="green")
    with flags[1]:
        if c.mixed_graders > 1:
            st.badge(
                f"{c.mixed_graders} grader configurations",
                icon=":material/warning:",
                color="orange",
            )
        else:
            st.badge("one grader configuration", icon=":material/check:", color="green")
    for note in c.notes:
        st.caption(escape_markdown(note))


def cards(items: Sequence[HeadlineCard]) -> None:
    """The cards, `CARDS_PER_ROW` to a row."""
    for start in range(0, len(items), CARDS_PER_ROW):
        row = items[start : start + CARDS_PER_ROW]
        for column, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            with column, st.container(border=True):
                _card(card)
