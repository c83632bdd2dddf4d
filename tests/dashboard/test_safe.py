"""Model text through Markdown stays text: every construct neutralised, quotes highlighted,
invisible and reordering characters shown as escapes."""

from __future__ import annotations

import re
import string
import sys
import unicodedata

import pytest
from pydantic import JsonValue

from dashboard.safe import (
    _HIDDEN,
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    Highlighter,
    escape_markdown,
    markdown_table,
    safe_markdown,
    visible,
    visible_json,
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


# (character, how a labeller sees it): bidi embeddings, overrides, isolates and marks, ANSI and
# other C0/C1 controls, zero-width and tag characters, separators, a lone surrogate
CONTROLS = [
    ("\u202a", "\\u202a"),
    ("\u202b", "\\u202b"),
    ("\u202c", "\\u202c"),
    ("\u202d", "\\u202d"),
    ("\u202e", "\\u202e"),
    ("\u2066", "\\u2066"),
    ("\u2067", "\\u2067"),
    ("\u2068", "\\u2068"),
    ("\u2069", "\\u2069"),
    ("\u200e", "\\u200e"),
    ("\u200f", "\\u200f"),
    ("\u061c", "\\u061c"),
    ("\x1b", "\\x1b"),
    ("\x00", "\\x00"),
    ("\x07", "\\x07"),
    ("\x08", "\\x08"),
    ("\x0b", "\\x0b"),
    ("\x7f", "\\x7f"),
    ("\x9b", "\\x9b"),
    ("\u200b", "\\u200b"),
    ("\u2060", "\\u2060"),
    ("\ufeff", "\\ufeff"),
    ("\u2028", "\\u2028"),
    ("\U000e0041", "\\U000e0041"),
    ("\ud800", "\\ud800"),
]


def shown(md: str) -> str:
    """What Markdown displays: each backslash escape reduced to the character it escapes."""
    return re.sub(r"\\(.)", r"\1", md, flags=re.DOTALL)


@pytest.mark.parametrize(("char", "escape"), CONTROLS)
def test_invisible_and_reordering_characters_are_shown_escaped(char: str, escape: str) -> None:
    text = f"the gate{char}was clear"
    assert visible(text) == f"the gate{escape}was clear"
    md = escape_markdown(text)
    assert char not in md and shown(md) == f"the gate{escape}was clear"
    # inside a highlighted evidence quote as well
    highlighted = safe_markdown(f"Intro. {text}.", [text])
    assert char not in highlighted
    assert f"{HIGHLIGHT_OPEN}the gate\\{escape}was clear{HIGHLIGHT_CLOSE}" in highlighted
    assert unescaped(highlighted) == []


def test_ansi_sequence_is_readable_as_written() -> None:
    md = escape_markdown("\x1b[31mALERT\x1b[0m ok")
    assert shown(md) == "\\x1b[31mALERT\\x1b[0m ok"


def test_right_to_left_override_cannot_reorder_what_the_labeller_reads() -> None:
    # "exe.txt" reversed by U+202E would display as "...txt.exe"; escaped, it reads as stored
    assert shown(escape_markdown("invoice\u202etxt.exe")) == "invoice\\u202etxt.exe"


@pytest.mark.parametrize(
    "text",
    [
        "tab\tand\nnew line",
        "café naïve façade",
        "日本語のテキスト",
        "مرحبا بالعالم",  # right-to-left script without any control character
        "שלום",
        "thumbs 👍🏽 up",
        "non\u00a0breaking",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert visible(text) == text


def test_every_control_format_and_separator_character_is_caught() -> None:
    hidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in hidden
        and chr(code) not in "\t\n\r"
        and not _HIDDEN.fullmatch(chr(code))
    ]
    assert missed == [], f"unicodedata {unicodedata.unidata_version}"
    assert not any(_HIDDEN.match(c) for c in "\t\n\r")


def test_json_values_are_escaped_keys_included() -> None:
    value: JsonValue = {"k\u202e": ["a\x1b", 1, None, {"n": "b\u2066"}], "ok": True}
    assert visible_json(value) == {
        "k\\u202e": ["a\\x1b", 1, None, {"n": "b\\u2066"}],
        "ok": True,
    }


def test_a_literal_backslash_stays_one_backslash() -> None:
    assert shown(escape_markdown("C:\\temp")) == "C:\\temp"


@pytest.mark.parametrize(
    "cell",
    [
        "a | b",
        "line one\nline two",
        "**bold** [link](http://x.org)",
        "<script>x</script>",
        "\u202e",
    ],
    ids=["pipe", "line break", "markdown", "html", "bidi control"],
)
def test_a_markdown_table_cell_stays_one_plain_cell(cell: str) -> None:
    """Whatever a cell holds, the table keeps its shape (one row, two cells) and the cell is
    escaped as all Markdown text is."""
    table = markdown_table(["name", "value"], [["x", cell]])
    lines = table.split("\n")
    assert len(lines) == 3
    body = lines[2]
    assert body.startswith("| x | ") and body.endswith(" |")
    unescaped_pipes = re.findall(r"(?<!\\)\|", body)
    assert len(unescaped_pipes) == 3  # the row's own: no cell adds one
    assert escape_markdown(" ".join(cell.splitlines()), line_start=False) in body


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x1c", "\x85", "\x0b", "\x0c"])
def test_a_separator_that_is_not_a_line_break_is_shown_as_an_escape(separator: str) -> None:
    body = markdown_table(["v"], [[f"a{separator}b"]]).split("\n")[2]
    assert separator not in body
    assert visible(separator).replace("\\", "\\\\") in body


def test_a_markdown_table_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b"], [["only one"]])
