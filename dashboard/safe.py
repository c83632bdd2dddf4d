"""Show untrusted text (anything a model wrote) through Markdown as inert text.

Every ASCII punctuation character is backslash-escaped, which CommonMark allows for all of them, so
no HTML, link, image, emphasis, heading, list, table, LaTeX or Streamlit directive can be formed
from model text. Evidence quotes are highlighted afterwards by wrapping already-escaped pieces in a
Streamlit background directive the model text itself can no longer produce.

Characters a reader cannot see, or that change what the reader sees (bidi overrides and isolates,
ANSI and other control codes, zero-width and tag characters, lone surrogates), are written out as
visible escapes such as `\\u202e` or `\\x1b` before anything is shown, so a labeller reads the
text in the order it was written and sees that it holds them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import JsonValue

# Unicode categories Cc (controls), Cf (format: bidi, zero-width, tags), Cs (surrogates), Zl and Zp
# (line and paragraph separators), as ranges; tab and line breaks are layout and stay.
# tests/dashboard/test_safe.py checks this against `unicodedata` for the running Python.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LEADING = re.compile(r"(?<=\n)[ \t]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# GFM links bare `www.x.org`, `http://x.org` and `a@b.org` after parsing, on the decoded text, so
# escaping cannot stop it; an invisible word joiner inside each pattern does.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(www)(\\\.)|(\\:)(\\/\\/)|(\\@)(?=(?:\w|\\[-.])*\w\\\.\w)", re.IGNORECASE)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
# The grader reads a redacted transcript: `[REVIEWER]` in a quote stands for the party's name.
_ROLE_TOKEN = re.compile(r"\[[A-Z][A-Z0-9 _-]*\]")
_STRIP = " \t\n\"'“”‘’"
_MIN_PIECE = 4
HIGHLIGHT_OPEN = ":orange-background["
HIGHLIGHT_CLOSE = "]"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """`text` with every invisible or reordering character written as a Python-style escape.

    Bidi controls (U+202A-U+202E, U+2066-U+2069, U+200E/F), ANSI escapes (`\\x1b`), other
    control, format and separator characters and lone surrogates become `\\u202e`, `\\x1b` and so
    on; tabs and line breaks are kept. For text shown without Markdown (`st.code`, tables).
    """
    return _HIDDEN.sub(_escape, text)


def visible_json(value: JsonValue) -> JsonValue:
    """A JSON value with `visible` applied to every string in it, keys included."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list):
        return [visible_json(v) for v in value]
    if isinstance(value, dict):
        return {visible(k): visible_json(v) for k, v in value.items()}
    return value


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Text that Streamlit's Markdown renders exactly as written, line breaks and indents kept.

    Invisible and reordering characters are shown as escapes (see `visible`). `line_start` says
    whether `text` begins a line (False for a piece cut from inside one).
    """
    text = visible(text.replace("\r\n", "\n").replace("\r", "\n"))
    if line_start:
        text = "\n" + text
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    escaped = _AUTOLINK.sub(_break_autolink, escaped)
    # non-breaking spaces keep indentation without starting an indented code block
    escaped = _LEADING.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    if line_start:
        escaped = escaped[1:]
    return escaped.replace("\n", "  \n")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table of plain-text cells, each escaped (`escape_markdown`) on one line: a
    table drawn with the page's text, not by a component the browser loads first."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row needs {len(columns)} cells")

    def cell(text: str) -> str:  # other separators (U+2028, \x1c…) are shown as escapes
        return escape_markdown(" ".join(_LINE_BREAK.split(text)), line_start=False)

    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(cell(c) for c in row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def _break_autolink(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + _JOINER + match.group(2)
    if match.group(3):
        return match.group(3) + _JOINER + match.group(4)
    return match.group(5) + _JOINER


def _piece_pattern(piece: str) -> str:
    parts = _ROLE_TOKEN.split(piece)
    literal = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    return r".{1,80}?".join(literal)


def quote_patterns(quote: str) -> list[re.Pattern[str]]:
    """Case- and whitespace-insensitive patterns for a quote's pieces (split at ellipses)."""
    pieces = [piece.strip(_STRIP) for piece in _ELLIPSIS.split(quote)]
    return [
        re.compile(_piece_pattern(piece), re.IGNORECASE | re.DOTALL)
        for piece in pieces
        if len(piece) >= _MIN_PIECE
    ]


@dataclass(frozen=True)
class Highlighter:
    """Finds evidence quotes in texts; remembers nothing, so it is safe to share."""

    quotes: tuple[str, ...]

    @classmethod
    def of(cls, quotes: Sequence[str]) -> Highlighter:
        return cls(tuple(q for q in quotes if q.strip()))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Merged, sorted character spans of `text` that match a quote piece."""
        found = sorted(
            (m.start(), m.end())
            for quote in self.quotes
            for pattern in quote_patterns(quote)
            for m in pattern.finditer(text)
            if m.end() > m.start()
        )
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def found(self, quote: str, texts: Sequence[str]) -> bool:
        """Whether every piece of `quote` occurs in one of `texts`."""
        patterns = quote_patterns(quote)
        return bool(patterns) and all(any(p.search(t) for t in texts) for p in patterns)

    def markdown(self, text: str) -> str:
        """`text` escaped for Markdown, every quote occurrence on a highlighted background."""
        out: list[str] = []
        position = 0
        for start, end in self.spans(text):
            out.append(
                escape_markdown(text[position:start], line_start=_starts_line(text, position))
            )
            out.append(_highlight(text[start:end], line_start=_starts_line(text, start)))
            position = end
        out.append(escape_markdown(text[position:], line_start=_starts_line(text, position)))
        return "".join(out)


def _starts_line(text: str, position: int) -> bool:
    return position == 0 or text[position - 1] in "\r\n"


def _highlight(text: str, *, line_start: bool) -> str:
    # a directive cannot span lines, so each line is wrapped on its own
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    wrapped = [
        f"{HIGHLIGHT_OPEN}{escape_markdown(line, line_start=line_start or i > 0)}{HIGHLIGHT_CLOSE}"
        if line.strip()
        else ""
        for i, line in enumerate(lines)
    ]
    return "  \n".join(wrapped)


def safe_markdown(text: str, quotes: Sequence[str] = ()) -> str:
    """Escape `text` for `st.markdown`, highlighting any of `quotes` in place."""
    return Highlighter.of(quotes).markdown(text)
