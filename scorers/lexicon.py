"""The shared species lexicon, as the scorers read it (it lives in `scenarios.lexicon`, so the
scenario check can read it too)."""

from __future__ import annotations

from scenarios.lexicon import LEXICON_FILE, Fuzzy, Lexicon, Pronouns, lexicon

__all__ = ["LEXICON_FILE", "Fuzzy", "Lexicon", "Pronouns", "lexicon"]
