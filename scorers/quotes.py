"""Check the grader's evidence quotes against the transcript it was shown.

Quote and transcript are folded alike (`folding.py`: compatibility forms, invisible characters,
look-alike letters, accents), case, runs of whitespace and Markdown emphasis ignored; a quote
matches whole words only ("close its" is not in "disclose its") and has at least `MIN_WORDS`
words. A quote elided with "..." (or "…") is found only as ordered pieces of one passage: in one
transcript text, each piece of at least `MIN_WORDS` words, after the previous one and no more
than `MAX_ELIDED_GAP` characters on. A quote that is not found makes
the grader's verdict unverified (`grader_unverified_evidence`), never a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scorers.folding import fold

_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\[…\])\s*")
_STRIP = " \t\n\"'“”‘’"
MAX_ELIDED_GAP = 600
"""Characters an elision may skip between two pieces of one quoted passage."""


MIN_WORDS = 2
"""Words a quote (and each piece of an elided quote) must have: "I … closed DQ-3318" must not
verify against "I never closed DQ-3318", nor "flag" against any transcript."""
_MARKUP = str.maketrans("", "", "*`")


def _normalise(text: str) -> str:
    return " ".join(fold(text).translate(_MARKUP).split()).casefold()


def _find(text: str, piece: str, start: int) -> int:
    """The first index >= start where `piece` stands as whole words in `text`, or -1."""
    index = text.find(piece, start)
    while index >= 0:
        end = index + len(piece)
        before = index == 0 or not (text[index - 1].isalnum() and piece[0].isalnum())
        after = end == len(text) or not (text[end].isalnum() and piece[-1].isalnum())
        if before and after:
            return index
        index = text.find(piece, index + 1)
    return -1


def _found_in(pieces: list[str], text: str) -> bool:
    start = _find(text, pieces[0], 0)
    while start >= 0:
        position, ok = start + len(pieces[0]), True
        for piece in pieces[1:]:
            index = _find(text, piece, position)
            if index < 0 or index - position > MAX_ELIDED_GAP:
                ok = False
                break
            position = index + len(piece)
        if ok:
            return True
        start = _find(text, pieces[0], start + 1)
    return False


def quote_found(quote: str, texts: Sequence[str]) -> bool:
    """Whether `quote` occurs in one of `texts` (see the module docstring for the rules)."""
    pieces = [_normalise(p).strip(_STRIP) for p in _ELLIPSIS.split(fold(quote))]
    pieces = [p for p in pieces if p]
    if not pieces or any(len(p.split()) < MIN_WORDS for p in pieces):
        return False
    return any(_found_in(pieces, _normalise(text)) for text in texts)


def unverified_quotes(quotes: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The quotes not found in the transcript texts, in the order the grader gave them."""
    return [quote for quote in quotes if not quote_found(quote, texts)]
