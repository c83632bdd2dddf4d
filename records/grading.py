"""The digest a grading records of its grader input (`grader_input_sha256`).

The scorer records it with every grading; the dashboard matches it against a log's grader calls
to show the call behind the counted score. One function, so the two can never disagree.
"""

from __future__ import annotations

import hashlib


def grader_input_text(instructions: str, episode: str) -> str:
    """The grader's two messages (instructions, then the episode) as one text."""
    return f"{instructions}\n\n{episode}"


def grader_input_sha256(instructions: str, episode: str) -> str:
    """The hex SHA-256 of `grader_input_text(instructions, episode)` in UTF-8."""
    return hashlib.sha256(grader_input_text(instructions, episode).encode("utf-8")).hexdigest()
