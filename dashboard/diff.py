"""Word-level differences between two submitted accounts, as safe Markdown.

Both texts are split into words and whitespace and compared with `difflib`; each side's words
that the other lacks are wrapped in a Streamlit background directive after escaping (see
`dashboard.safe`), so model text can neither form markup nor fake a highlight.
"""

from __future__ import annotations

import difflib
import re

from dashboard.safe import escape_markdown

DIFF_OPEN = ":blue-background["
DIFF_CLOSE = "]"
_TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.replace("\r\n", "\n").replace("\r", "\n"))


def _plain(tokens: list[str], line_start: bool) -> str:
    return escape_markdown("".join(tokens), line_start=line_start) if tokens else ""


def _marked(tokens: list[str], line_start: bool) -> str:
    # a directive cannot span lines: each line's words are wrapped on their own
    lines = "".join(tokens).split("\n")
    return "  \n".join(
        f"{DIFF_OPEN}{escape_markdown(line, line_start=line_start or i > 0)}{DIFF_CLOSE}"
        if line.strip()
        else escape_markdown(line, line_start=line_start or i > 0)
        for i, line in enumerate(lines)
    )


def _merged(tokens: list[str], changed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Changed runs joined across the bare whitespace between them (one highlight per phrase)."""
    out: list[tuple[int, int]] = []
    for start, end in changed:
        while start < end and not tokens[start].strip():  # no mark starts or ends on a space
            start += 1
        while end > start and not tokens[end - 1].strip():
            end -= 1
        if out and not "".join(tokens[out[-1][1] : start]).strip():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _side(tokens: list[str], changed: list[tuple[int, int]]) -> str:
    out: list[str] = []
    changed = _merged(tokens, changed)
    position = 0
    for start, end in changed:
        out.append(_plain(tokens[position:start], _line_start(tokens, position)))
        out.append(_marked(tokens[start:end], _line_start(tokens, start)))
        position = end
    out.append(_plain(tokens[position:], _line_start(tokens, position)))
    return "".join(out)


def _line_start(tokens: list[str], position: int) -> bool:
    return position == 0 or "\n" in tokens[position - 1]


def word_diff(a: str, b: str) -> tuple[str, str]:
    """Markdown for `a` and `b`, each with the words the other text lacks highlighted."""
    ta, tb = _tokens(a), _tokens(b)
    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    changed_a: list[tuple[int, int]] = []
    changed_b: list[tuple[int, int]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        if a1 > a0 and "".join(ta[a0:a1]).strip():
            changed_a.append((a0, a1))
        if b1 > b0 and "".join(tb[b0:b1]).strip():
            changed_b.append((b0, b1))
    return _side(ta, changed_a), _side(tb, changed_b)
