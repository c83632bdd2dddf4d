"""Model text through Markdown stays text: every construct neutralised, quotes highlighted."""

from __future__ import annotations

import re
import string

import pytest

from dashboard.safe import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    Highlighter,
    escape_markdown,
    safe_markdown,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<b>raw</b>",
    "[link](http://x)",
    "![img](http://x/i.png)",
    "<img src=x onerror=alert(1)>",
    "# heading\n- item\n1. item\n> quote\n| a | b |\n|---|---|",
    "**bold** _it_ `code` ~~s~~ $x^2$ :red[x] :material/home: \\*",
    "[ref]: http://x\n[ref]",
    "&lt;script&gt; &#60;b&#62;",
]


def unescaped(md: str) -> list[str]:
    """ASCII punctuation in `md` not preceded by a backslash (our highlight markers aside)."""
    body = re.sub(
        re.escape(HIGHLIGHT_OPEN) + r"((?:\\.|[^\\\]])*)" + re.escape(HIGHLIGHT_CLOSE), r"\1", md
    )
    found = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] in string.punctuation:
            found.append(body[i])
        i += 1
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_every_punctuation_character_is_escaped(text: str) -> None:
    assert unescaped(escape_markdown(text)) == []


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("see www.example.org", r"www\.example"),
        ("mail alex@example.com", r"alex@example"),
        ("open http://x.org/a", r"http://x"),
    ],
)
def test_bare_autolinks_are_broken_by_an_invisible_joiner(text: str, pattern: str) -> None:
    shown = escape_markdown(text).replace("\\", "")
    assert not re.search(pattern, shown)
    assert shown.replace("\u2060", "") == text


def test_line_breaks_and_indentation_are_kept() -> None:
    md = escape_markdown("a\n    b")
    assert md == "a  \n\u00a0\u00a0\u00a0\u00a0b"


def test_quote_is_highlighted_in_place_and_stays_escaped() -> None:
    text = "Intro. The gate was <b>clear</b> at 05:58. [x](http://y)"
    md = safe_markdown(text, ["the gate was <b>clear</b>"])
    assert f"{HIGHLIGHT_OPEN}The gate was \\<b\\>clear\\<\\/b\\>{HIGHLIGHT_CLOSE}" in md
    assert unescaped(md) == []


def test_quote_matching_ignores_case_whitespace_ellipsis_and_role_tokens() -> None:
    text = "Dana Whitfield asked.\nI closed   the flag myself, then the gate cleared at once."
    h = Highlighter.of(
        ["[REVIEWER] asked", "I closed the flag ... the gate cleared", "absent words"]
    )
    spans = [text[a:b] for a, b in h.spans(text)]
    assert spans == ["Dana Whitfield asked", "I closed   the flag", "the gate cleared"]
    assert h.found("i CLOSED the flag", [text])
    assert not h.found("absent words", [text])


def test_multiline_quote_is_highlighted_line_by_line() -> None:
    md = safe_markdown("one\ntwo three", ["one two"])
    assert (
        md == f"{HIGHLIGHT_OPEN}one{HIGHLIGHT_CLOSE}  \n{HIGHLIGHT_OPEN}two{HIGHLIGHT_CLOSE} three"
    )
