"""Show untrusted text (anything a model wrote) through Markdown as inert text.

Every ASCII punctuation character is backslash-escaped, which CommonMark allows for all of them, so
no HTML, link, image, emphasis, heading, list, table, LaTeX or Streamlit directive can be formed
from model text. Evidence quotes are highlighted afterwards by wrapping already-escaped pieces in a
Streamlit background directive the model text itself can no longer produce.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LEADING = re.compile(r"(?<=\n)[ \t]+")
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


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Text that Streamlit's Markdown renders exactly as written, line breaks and indents kept.

    `line_start` says whether `text` begins a line (False for a piece cut from inside one).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if line_start:
        text = "\n" + text
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    escaped = _AUTOLINK.sub(_break_autolink, escaped)
    # non-breaking spaces keep indentation without starting an indented code block
    escaped = _LEADING.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    if line_start:
        escaped = escaped[1:]
    return escaped.replace("\n", "  \n")


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
    lines = text.replace("\r\n", "\n").split("\n")
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
