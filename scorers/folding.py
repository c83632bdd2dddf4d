"""One folding of text, shared by the grader's view, the leak check and the quote check.

Folding removes what differs in bytes but not in what a reader sees: compatibility forms (NFKC),
invisible characters (zero-width, joiners, soft hyphens, bidi controls), look-alike letters from
other scripts, accents, and a word hyphenated across a line break. It depends on the text alone,
never on the arm, so identical agent behaviour folds to identical text in every arm.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from scorers.lexicon import lexicon

_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[a-z])")


@cache
def _table() -> dict[int, str | None]:
    lex = lexicon()
    table: dict[int, str | None] = {ord(char): None for char in [*lex.invisible, *_BIDI]}
    table.update({ord(char): latin for char, latin in lex.confusables.items()})
    return table


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def fold(text: str) -> str:
    """`text` as the redaction and every check read it (see the module docstring)."""
    if text.isascii():
        return _LINE_HYPHEN.sub("", text)
    folded = unicodedata.normalize("NFKC", text).translate(_table())
    return _LINE_HYPHEN.sub("", _strip_accents(folded))
