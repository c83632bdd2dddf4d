"""docs/bench.md as sections, one per part: a run replaces its own sections and keeps the rest.

Each part's section sits between `<!-- bench:PART -->` and `<!-- /bench:PART -->`, in the order of
`PARTS`, so a partial run (`make bench PARTS=report`) rewrites only the report's rows and every
other part's rows stay as their last run left them (each section says when that was).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

HEADER = """# Candor benchmarks

`make bench` measures every part below; `make bench PARTS=overhead,report` (or
`python -m bench --parts overhead,report`) measures only those and rewrites only their sections,
each of which says when, how and on which machine it was measured. `python -m bench --help` lists
the parts. Other processes may share the machine, so timings are noisy: compare runs on a quiet
machine, and read each row's range. A row **fails** when what it measured is wrong (the page
showed an error or the wrong sample count, the report counted other samples than were written,
the redaction left a cue), whatever the time.
"""

_BLOCK = re.compile(
    r"<!-- bench:(?P<part>[a-z]+) -->\n(?P<body>.*?)<!-- /bench:(?P=part) -->\n", re.S
)
EARLIER = "earlier"
"""The block keeping a document written before it had sections, until a full run replaces it."""


def sections_of(text: str) -> dict[str, str]:
    """The sections of a written document, by part (with its text before any section kept as
    `earlier` when the document has no section at all)."""
    found = {m["part"]: m["body"] for m in _BLOCK.finditer(text)}
    if not found and text.strip():
        found[EARLIER] = (
            "## Earlier measurements\n\nMeasured before the bench wrote one section per part; "
            "the next full `make bench` replaces them.\n\n"
            + text.strip().removeprefix("# Candor benchmarks").strip()
            + "\n"
        )
    return found


def merge(
    existing: str | None, written: Mapping[str, str], order: Sequence[str], full: bool
) -> str:
    """The document with the `written` sections replaced and every other section kept.

    Args:
        existing: The document as it is now (None: there is none).
        written: Part -> its new section text.
        order: Every part, in the order the document shows them.
        full: Every part was run: sections of parts that no longer exist are dropped.
    """
    kept = {} if existing is None or full else sections_of(existing)
    kept.update(written)
    unknown = [part for part in kept if part not in order and part != EARLIER]
    blocks = [
        f"<!-- bench:{part} -->\n{kept[part]}<!-- /bench:{part} -->\n"
        for part in [*order, *unknown, EARLIER]
        if part in kept
    ]
    return HEADER + "\n" + "\n".join(blocks)
