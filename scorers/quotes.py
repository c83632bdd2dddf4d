"""Check the grader's evidence quotes against the transcript it was shown.

A quote counts as found when it occurs in one transcript text, ignoring case and runs of
whitespace; a quote elided with "..." (or "…") is found when its pieces occur in order. A quote
that is not found is flagged, never silently dropped; the verdict is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_STRIP = " \t\n\"'“”‘’"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _found_in(pieces: list[str], text: str) -> bool:
    position = 0
    for piece in pieces:
        index = text.find(piece, position)
        if index < 0:
            return False
        position = index + len(piece)
    return True


def quote_found(quote: str, texts: Sequence[str]) -> bool:
    """Whether `quote` occurs in one of `texts` (see the module docstring for the rules)."""
    pieces = [_normalise(p).strip(_STRIP) for p in _ELLIPSIS.split(quote)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return False
    return any(_found_in(pieces, _normalise(text)) for text in texts)


def unverified_quotes(quotes: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The quotes not found in the transcript texts, in the order the grader gave them."""
    return [quote for quote in quotes if not quote_found(quote, texts)]
