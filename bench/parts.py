"""The bench's parts: their names, what each measures, and running a chosen few together."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

from bench import cost, dashboard, overhead, redaction, report, synthetic, throughput
from bench.fakeserver.config import FakeConfig
from bench.fakeserver.process import FakeServerProcess
from bench.render import Section
from bench.runner import pointed_at

Part = Literal["overhead", "throughput", "dashboard", "report", "cost", "redaction"]
PARTS: tuple[Part, ...] = get_args(Part)
"""Every part, in the order docs/bench.md shows them."""

DESCRIPTIONS: dict[Part, str] = {
    "overhead": "(a) a Candor task vs a bare Inspect task making the same calls, zero latency "
    "(median of paired runs)",
    "throughput": "(b) N samples at latency L with C connections vs the ideal N × calls × L / C",
    "dashboard": "(c) dashboard first render and opening one transcript (AppTest), checked "
    "against the logs",
    "report": "(d) `candor report` over the synthetic logs, checked against what was written",
    "cost": "(e) tokens per sample for each role, and what prompt caching saves",
    "redaction": "(f) redaction cost per sample over every shipped scenario, checked for "
    "identical views and no leak",
}
_SERVED: frozenset[Part] = frozenset({"overhead", "throughput", "cost", "dashboard", "report"})
_SYNTHETIC: frozenset[Part] = frozenset({"dashboard", "report"})


def parse_parts(text: str | None) -> list[Part]:
    """`overhead,report` -> those parts in document order; None or empty -> every part.

    Raises:
        ValueError: naming an unknown part and the known ones.
    """
    if not text:
        return list(PARTS)
    wanted = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        raise ValueError(
            f"unknown part(s) {', '.join(unknown)}; expected some of {', '.join(PARTS)}"
        )
    return [p for p in PARTS if p in wanted]


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(parts: Sequence[Part], work: Path, per_arm: int) -> dict[Part, Section]:
    """Run `parts` (those needing the fake share one), returning each part's section."""
    done: dict[Part, Section] = {}
    templates: list[Path] = []
    if _SERVED.intersection(parts):
        with FakeServerProcess(FakeConfig()) as server, pointed_at(server):
            if "overhead" in parts:
                _say("(a) overhead…")
                done["overhead"] = overhead.section(overhead.measure(server, work))
            if "throughput" in parts:
                _say("(b) throughput…")
                done["throughput"] = throughput.section(throughput.measure_all(server, work))
            if "cost" in parts:
                _say("(e) cost…")
                done["cost"] = cost.section(cost.measure(server, work))
            if _SYNTHETIC.intersection(parts):
                _say("template runs for the synthetic logs…")
                templates = synthetic.templates(server, work)
    if _SYNTHETIC.intersection(parts):
        _say(f"writing synthetic logs ({per_arm} samples per arm)…")
        logs = synthetic.write(templates, work / "synthetic", per_arm=per_arm)
        if "report" in parts:
            _say("(d) report…")
            done["report"] = report.section(report.measure(logs, work))
        if "dashboard" in parts:
            _say("(c) dashboard…")
            done["dashboard"] = dashboard.section(dashboard.measure(logs, work))
    if "redaction" in parts:
        _say("(f) redaction…")
        started = time.perf_counter()
        done["redaction"] = redaction.section(redaction.measure())
        _say(f"(f) took {time.perf_counter() - started:.1f} s")
    return done
