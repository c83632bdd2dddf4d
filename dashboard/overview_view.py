"""The Overview's headline cards on screen (the card contents are `dashboard.headline`'s).

A card is one Markdown block, so four cards fit above the fold at 1400 × 900: a line per arm
(rate, interval, graded and unscored counts), a line each for the difference, the odds ratio and
the p-values, and the flags as badges. Every value goes through `escape_markdown`.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.headline import OR_TITLE, ArmFigure, HeadlineCard
from dashboard.safe import escape_markdown

CARDS_PER_ROW = 2


def _e(text: str) -> str:
    return escape_markdown(text, line_start=False)


def _small(text: str) -> str:
    return f":small[{_e(text)}]"


def _arm_line(arm: ArmFigure, side: str) -> str:
    return f"**{side}** {_e(arm.arm)}: **{_e(arm.rate)}** " + _small(
        f"({arm.ci}) · {arm.positive}/{arm.graded} graded · {arm.unscored} unscored"
    )


def badges(c: HeadlineCard) -> list[str]:
    """The card's flags as Markdown badges: plan, missingness, grader configurations."""
    found = []
    if c.analysis == "confirmatory":
        found.append(":blue-badge[confirmatory]")
    elif c.analysis == "exploratory":
        found.append(":gray-badge[exploratory]")
    found.append(
        ":red-badge[:material/warning: missingness differs]"
        if c.missingness
        else ":green-badge[:material/check: missingness balanced]"
    )
    found.append(
        f":orange-badge[:material/warning: {c.mixed_graders} grader configurations]"
        if c.mixed_graders > 1
        else ":green-badge[:material/check: one grader configuration]"
    )
    return found


def card_markdown(c: HeadlineCard) -> str:
    """The whole card as one Markdown block."""
    lines = [
        f"**{_e(c.title)}**",
        _arm_line(c.a, "A"),
        _arm_line(c.b, "B"),
        f"Difference A − B: **{_e(c.difference)}** " + _small(f"({c.difference_ci})"),
        f"{_e(OR_TITLE)}: **{_e(c.odds_ratio)}** " + _small(f"({c.odds_ratio_ci})"),
        f"Fisher's exact p **{_e(c.p)}** · Holm-adjusted **{_e(c.p_holm)}** "
        + _small(f"({c.holm_over})"),
        " ".join(badges(c)) + " " + _small(f"{c.outcome} · grader {c.grader}"),
    ]
    lines += [_small(note) for note in c.notes]
    return "  \n".join(lines)


def cards(items: Sequence[HeadlineCard]) -> None:
    """The cards, `CARDS_PER_ROW` to a row."""
    for start in range(0, len(items), CARDS_PER_ROW):
        row = items[start : start + CARDS_PER_ROW]
        for column, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            with column, st.container(border=True):
                st.markdown(card_markdown(card))
