"""The bench's parts: their names, what each measures, and running a chosen few together."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, get_args

from bench import cost, dashboard, overhead, redaction, report, synthetic, throughput
from bench.fakeserver.config import FakeConfig
from bench.fakeserver.process import FakeServerProcess
from bench.render import Row, Section, failed
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
    """`overhead,report` -> those parts in document order; None -> every part.

    Raises:
        ValueError: naming an unknown part and the known ones, or for a text that names no part
            (`""`, `","`), which would otherwise run nothing and report success.
    """
    if text is None:
        return list(PARTS)
    wanted = [p.strip() for p in text.split(",") if p.strip()]
    if not wanted:
        raise ValueError(f"--parts {text!r} names no part; expected some of {', '.join(PARTS)}")
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        raise ValueError(
            f"unknown part(s) {', '.join(unknown)}; expected some of {', '.join(PARTS)}"
        )
    return [p for p in PARTS if p in wanted]


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _failure(exc: BaseException) -> str:
    """An exception as one line a reader of docs/bench.md can act on (a command's stderr too)."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
        lines = [line for line in str(exc.stderr).splitlines() if line.strip()]
        detail += " — " + " / ".join(lines[-3:])
    return detail.replace("|", "\\|").replace("\n", " ")


def _attempt(done: dict[Part, Section], part: Part, measure: Callable[[], Section]) -> None:
    """Run one part; a part that raises gets a failed row, and the other parts still run."""
    _say(DESCRIPTIONS[part].split(" ", 1)[0] + f" {part}…")
    try:
        done[part] = measure()
    except Exception as exc:  # one broken part must not lose the others' measurements
        _say(f"{part} failed: {exc!r}")
        row = Row(DESCRIPTIONS[part], "the part raised", "-", failed([_failure(exc)]))
        done[part] = Section(part, f"{DESCRIPTIONS[part].split(' ', 1)[0]} {part}", [row])


def run(
    parts: Sequence[Part], work: Path, per_arm: int, large_per_arm: int = 0
) -> dict[Part, Section]:
    """Run `parts` (those needing the fake share one), returning each part's section; with
    `large_per_arm`, the report and dashboard are measured on a second, larger directory too."""
    done: dict[Part, Section] = {}
    templates: list[Path] = []
    if _SERVED.intersection(parts):
        with FakeServerProcess(FakeConfig()) as server, pointed_at(server):
            if "overhead" in parts:
                _attempt(done, "overhead", lambda: overhead.section(overhead.measure(server, work)))
            if "throughput" in parts:
                _attempt(
                    done,
                    "throughput",
                    lambda: throughput.section(throughput.measure_all(server, work)),
                )
            if "cost" in parts:
                _attempt(done, "cost", lambda: cost.section(cost.measure(server, work)))
            if _SYNTHETIC.intersection(parts):
                _say("template runs for the synthetic logs…")
                templates = synthetic.templates(server, work)
    if _SYNTHETIC.intersection(parts):
        _say(f"writing synthetic logs ({per_arm} samples per arm)…")
        logs = synthetic.write(templates, work / "synthetic", per_arm=per_arm)
        large = None
        if large_per_arm:
            _say(f"writing the large synthetic logs ({large_per_arm} samples per arm)…")
            large = synthetic.write(templates, work / "synthetic-large", per_arm=large_per_arm)
        # the written gigabyte reaches the disk now, not while the first rows are timed
        _say("flushing the written logs to disk…")
        os.sync()
        if "report" in parts:
            _attempt(
                done,
                "report",
                lambda: report.section(
                    report.measure(logs, work),
                    report.measure_large(large, work) if large is not None else None,
                    report.measure_help(),
                ),
            )
        if "dashboard" in parts:
            _attempt(
                done, "dashboard", lambda: dashboard.section(dashboard.measure(logs, work, large))
            )
    if "redaction" in parts:
        _attempt(done, "redaction", lambda: redaction.section(redaction.measure()))
    return done
