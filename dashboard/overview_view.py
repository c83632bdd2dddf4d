"""The Overview's headline cards on screen (the card contents are `dashboard.headline`'s).

A card is one Markdown block, so four cards fit above the fold at 1400 × 900: a line per arm
(rate, interval, graded and unscored counts), a line each for the difference, the odds ratio and
the p-values, and the flags as badges. With more than `MAX_CARDS` headline contrasts the answer
is one compact table instead (Markdown, so it draws with the page's text), a row per contrast
with every card's figure (so a dozen fit above the fold), and the cards follow in an expander.
Every value goes through `escape_markdown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from dashboard.headline import OR_TITLE, ArmFigure, HeadlineCard, short_model
from dashboard.safe import escape_markdown, markdown_table

CARDS_PER_ROW = 2
MAX_CARDS = 4
"""More headline contrasts than this are shown as one table (two rows of cards fill the fold)."""
TABLE_COLUMNS = (
    "Scenario · model",
    "A vs B",
    "A rate (95% CI)",
    "B rate (95% CI)",
    "A − B, points (95% CI)",
    "Odds ratio (exact 95% CI)",
    "Holm p (Fisher p)",
    "positive/graded A · B; unscored",
    "Flags",
)
"""The compact table's columns: every figure of a card, the intervals without their prefixes."""
TABLE_STYLE = Path(__file__).with_name("headline_table.css")
"""The compact table's look (a style sheet: `st.html` applies it and draws nothing)."""


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


def arm_pair(a: str, b: str) -> tuple[str, str, str]:
    """Two arms by the factor levels they differ in, and the levels they share
    (`overseer=ai,audit=none`, `overseer=human,audit=none` -> `overseer=ai`, `overseer=human`,
    `audit=none`)."""
    pa, pb = a.split(","), b.split(",")
    shared = [x for x in pa if x in pb]
    only_a = [x for x in pa if x not in shared] or pa
    only_b = [x for x in pb if x not in shared] or pb
    return ",".join(only_a), ",".join(only_b), ",".join(shared)


def _interval(text: str) -> str:
    """An interval without its `95% CI` / `exact 95% CI` prefix (the column names it)."""
    for prefix in ("exact 95% CI ", "95% CI "):
        text = text.removeprefix(prefix)
    return text


def _span(ci: str) -> str:
    """A percentage interval in short (`20.8% to 93.9%` -> `20.8–93.9`)."""
    return ci.replace("%", "").replace(" to ", "–")


def flag_words(c: HeadlineCard) -> list[str]:
    """The card's flags in words, as the table shows them (the cards' badges say the same)."""
    found: list[str] = [c.analysis] if c.analysis else []
    found.append("⚠ missingness differs" if c.missingness else "missingness balanced")
    found.append(
        f"⚠ {c.mixed_graders} grader configs" if c.mixed_graders > 1 else "1 grader config"
    )
    return found


def table_row(c: HeadlineCard) -> dict[str, str]:
    """One contrast as a row of `TABLE_COLUMNS`, in plain text (`markdown_table` escapes it)."""
    a, b, shared = arm_pair(c.a.arm, c.b.arm)
    cells = [
        f"{c.scenario} · {short_model(c.model)}",
        f"{a} vs {b}" + (f" ({shared})" if shared else ""),
        f"{c.a.rate} ({_span(c.a.ci)})",
        f"{c.b.rate} ({_span(c.b.ci)})",
        f"{c.difference.removesuffix(' points')} ({_interval(c.difference_ci)})",
        f"{c.odds_ratio} ({_interval(c.odds_ratio_ci)})",
        f"{c.p_holm} ({c.p})",
        f"{c.a.positive}/{c.a.graded} · {c.b.positive}/{c.b.graded}; "
        f"{c.a.unscored} · {c.b.unscored} unscored",
        " · ".join(flag_words(c)),
    ]
    return dict(zip(TABLE_COLUMNS, cells, strict=True))


def headline(items: Sequence[HeadlineCard]) -> None:
    """The headline contrasts: cards for a few, a compact table (cards on expand) for more."""
    if len(items) <= MAX_CARDS:
        cards(items)
        return
    with st.container(key="headline_table"):
        # Markdown, drawn with the page's text: the answer does not wait for the browser to
        # load a table component (about 1.5 MB of script on a first visit)
        rows = [list(table_row(c).values()) for c in items]
        st.html(TABLE_STYLE)  # as compact as Streamlit's own tables (styles only: no space)
        st.markdown(markdown_table(TABLE_COLUMNS, rows))
        st.caption(
            "A row per headline contrast (A vs B named by the factor levels they differ in, "
            "shared levels in brackets); Holm's family is the cards' (open them below)."
        )
    # drawn when opened: a dozen hidden cards would otherwise be drawn with the first paint
    with st.expander(
        f"The {len(items)} headline contrasts as cards (with any notes)",
        key="headline_cards_open",
        on_change="rerun",
    ) as box:
        if box.open:
            cards(items)


def cards(items: Sequence[HeadlineCard]) -> None:
    """The cards, `CARDS_PER_ROW` to a row."""
    for start in range(0, len(items), CARDS_PER_ROW):
        row = items[start : start + CARDS_PER_ROW]
        for column, card in zip(st.columns(CARDS_PER_ROW), row, strict=False):
            with column, st.container(border=True):
                st.markdown(card_markdown(card))
