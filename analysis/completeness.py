"""What a Markdown report leaves unfilled: the sections whose figures could not be computed.

A report from a few samples of a tiny model computes little: an arm with no graded sample has no
rate, a contrast with such an arm no odds ratio or p, one identity slot per arm no stratified
test. The report prints those figures as `n/a` or `not computed`, and leaves out the sections that
need more than one stratum or model. `gaps` names each, so a demo can say plainly what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# sections a study's report shows once enough samples are graded (headings as `## ...` starts)
EXPECTED_SECTIONS = (
    "Across identities",
    "Models side by side",
    "Tokens and cost per role",
)
_MISSING = re.compile(r"(?<![\w/])n/a(?![\w/])|not computed")


@dataclass(frozen=True)
class Gap:
    """A section of the report with a figure it could not compute, or a section it left out."""

    section: str
    why: str


def _sections(markdown: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [("Candor report", [])]
    for line in markdown.splitlines():
        if line.startswith(("## ", "### ")):
            sections.append((line.lstrip("#").strip().replace("**", ""), []))
        elif not line.startswith("# "):
            sections[-1][1].append(line)
    return sections


def _cells(line: str) -> list[str]:
    return [c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")]


def _why(body: list[str], index: int) -> str:
    """The missing figures of one row, named by its table's column headings ("overseer=ai: Rate
    n/a, 95% CI (Wilson) n/a; Unscored grader_unparseable: 4"), or the line itself."""
    line = body[index]
    if not line.lstrip().startswith("|"):
        return line.strip().lstrip("-> ").strip()
    header = next(
        (
            _cells(body[i])
            for i in range(index - 1, -1, -1)
            if body[i].lstrip().startswith("|") and body[i + 1].lstrip().startswith("|---")
        ),
        [],
    )
    cells = _cells(line)
    missing = [
        f"{header[i] if i < len(header) else 'column ' + str(i + 1)} {cell}"
        for i, cell in enumerate(cells)
        if i and _MISSING.search(cell)
    ]
    unscored = [
        f"Unscored {cells[i]}"
        for i, name in enumerate(header)
        if name == "Unscored" and i < len(cells) and cells[i] not in ("0", "")
    ]
    return f"{cells[0]}: " + "; ".join([", ".join(missing), *unscored])


def gaps(markdown: str) -> list[Gap]:
    """Every section with a figure shown as `n/a` or `not computed` (the first such row of
    each), then every expected section the report left out; empty when every section is filled.
    """
    found: list[Gap] = []
    sections = _sections(markdown)
    if not any(heading != "Candor report" for heading, _ in sections):
        return [Gap("Candor report", "no Candor sample was read, so there is no section at all")]
    for heading, body in sections:
        row = next((i for i, line in enumerate(body) if _MISSING.search(line)), None)
        if row is not None:
            found.append(Gap(heading, f"not computed: {_why(body, row)}"))
    headings = [heading for heading, _ in sections]
    for expected in EXPECTED_SECTIONS:
        if not any(h.startswith(expected) for h in headings):
            found.append(Gap(expected, "absent: too few graded samples to compute it"))
    return found
