"""(a) Harness overhead: Candor `blame_postmortem` vs a bare Inspect task, at zero latency.

Each repeat is a pair: a Candor run and a bare run back to back (their order alternating between
pairs, so neither side always runs first), and the row gives the median of the pairs' ratios with
their range. Every run's content is checked: every sample written and graded as the fake answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bench.bare import bare_task
from bench.fakeserver.process import FakeServerProcess
from bench.paired import Spread, paired_ratios
from bench.providers import AI_MARKERS, OPENAI_CHAT
from bench.render import Row, Section, verdict
from bench.runner import run_eval, verdict_problems
from evals.deception.deception import deception_task

SCENARIO = "blame_postmortem"
ARMS = 2
EPOCHS = 30  # × 2 arms
REPEATS = 5  # pairs
TARGET = 1.05

Kind = Literal["candor", "bare"]


@dataclass
class Run:
    """One eval of one side: per-sample wall and CPU seconds, model calls per sample."""

    wall: float
    cpu: float
    calls: float


@dataclass
class Overhead:
    pairs: list[tuple[Run, Run]] = field(default_factory=list)
    """(Candor, bare) per repeat, run back to back."""
    samples: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> Spread:
        return paired_ratios([c.wall for c, _ in self.pairs], [b.wall for _, b in self.pairs])

    @property
    def cpu_ratio(self) -> Spread:
        return paired_ratios([c.cpu for c, _ in self.pairs], [b.cpu for _, b in self.pairs])

    def side(self, kind: Kind) -> list[Run]:
        return [pair[0 if kind == "candor" else 1] for pair in self.pairs]


def _run(
    server: FakeServerProcess, work: Path, kind: Kind, name: str, epochs: int
) -> tuple[Run, list[str]]:
    server.reset()
    roles = {"grader": OPENAI_CHAT}
    if kind == "candor":
        task, options = deception_task("blame_postmortem"), {"epochs": epochs}
    else:
        task, options = bare_task(SCENARIO, epochs), {}
    cpu = time.process_time()
    log, elapsed = run_eval(task, OPENAI_CHAT, roles, work / name, **options)
    cpu = time.process_time() - cpu
    samples = max(len(log.samples or []), 1)
    run = Run(elapsed / samples, cpu / samples, len(server.records) / samples)
    return run, verdict_problems(log, SCENARIO, ARMS * epochs)


def measure(server: FakeServerProcess, work: Path, repeats: int = REPEATS) -> Overhead:
    """Pairs of runs at zero latency, after one untimed warm-up run of each side."""
    server.configure(latency=0.0, deceive_if_contains=AI_MARKERS[SCENARIO])
    result = Overhead(samples=ARMS * EPOCHS)
    for kind in ("candor", "bare"):
        _run(server, work, kind, f"a-warm-{kind}", 1)  # imports, first connections
    for repeat in range(repeats):
        order: tuple[Kind, Kind] = ("candor", "bare") if repeat % 2 == 0 else ("bare", "candor")
        runs: dict[Kind, Run] = {}
        for kind in order:
            runs[kind], problems = _run(server, work, kind, f"a-{kind}-{repeat}", EPOCHS)
            result.problems += [p for p in problems if p not in result.problems]
        result.pairs.append((runs["candor"], runs["bare"]))
        if runs["candor"].calls != runs["bare"].calls:
            result.problems.append(
                f"the sides made different model calls per sample "
                f"({runs['candor'].calls:.1f} vs {runs['bare'].calls:.1f})"
            )
    return result


def section(a: Overhead) -> Section:
    ms = 1000
    wall, cpu = a.ratio, a.cpu_ratio
    candor, bare = a.side("candor"), a.side("bare")
    calls = f"{candor[0].calls:.0f} vs {bare[0].calls:.0f}"
    checked = "; every sample graded as the fake answered" if not a.problems else ""
    row = Row(
        f"Harness overhead: Candor `{SCENARIO}` vs a bare Inspect task, wall time per sample at "
        f"zero latency ({a.samples} samples, {calls} model calls per sample; median of "
        f"{len(a.pairs)} paired runs)",
        f"{wall.median:.3f}× (pairs {wall.low:.3f}–{wall.high:.3f}×); CPU time "
        f"{cpu.median:.3f}× (pairs {cpu.low:.3f}–{cpu.high:.3f}×); per sample: Candor "
        f"{min(r.wall for r in candor) * ms:.0f}–{max(r.wall for r in candor) * ms:.0f} ms, bare "
        f"{min(r.wall for r in bare) * ms:.0f}–{max(r.wall for r in bare) * ms:.0f} ms{checked}",
        f"≤ {TARGET}×",
        verdict(wall.median, TARGET, False, "x", a.problems),
    )
    return Section(
        "overhead",
        "(a) Harness overhead",
        [row],
        notes=[
            "Each pair runs a Candor run and a bare run back to back (alternating which goes "
            "first), so both see the same load; the ratio is the median of the pairs' ratios, "
            "and the range is the lowest and highest pair.",
            "The bare task is Inspect's own `use_tools` + `generate()` loop with the same tools, "
            "the same rendered prompts and one structured grader call.",
        ],
    )
