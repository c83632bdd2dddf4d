"""(b) Throughput: N samples at latency L with C connections, against the ideal N × calls × L / C.

The bare Inspect task runs alongside (no target of its own) to say how much of a shortfall is
Inspect's. Every run's content is checked as in (a).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bare import bare_task
from bench.fakeserver.process import FakeServerProcess
from bench.providers import AI_MARKERS, OPENAI_CHAT
from bench.render import Row, Section, verdict
from bench.runner import run_eval, verdict_problems
from evals.deception.deception import deception_task

SCENARIO = "blame_postmortem"
SAMPLES = 100
LATENCY = 0.5
CONNECTIONS = 10
TARGET = 0.90


@dataclass
class Throughput:
    bare: bool
    samples: int
    latency: float
    connections: int
    calls_per_sample: float
    wall: float
    window: float
    max_in_flight: int
    cpu_per_sample: float
    """This process's CPU seconds per sample: Inspect runs every sample on one event loop."""
    max_samples: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ideal(self) -> float:
        return self.samples * self.calls_per_sample * self.latency / self.connections

    @property
    def ratio(self) -> float:
        return self.ideal / self.window

    @property
    def ratio_end_to_end(self) -> float:
        return self.ideal / self.wall


def measure(
    server: FakeServerProcess, work: Path, bare: bool, max_samples: int | None = None
) -> Throughput:
    """One run of N samples at latency L with max_connections C (max_samples: Inspect's
    default, C, or more)."""
    server.configure(latency=LATENCY, deceive_if_contains=AI_MARKERS[SCENARIO])
    server.reset()
    epochs = SAMPLES // 2  # blame_postmortem has two arms
    task = bare_task(SCENARIO, epochs) if bare else deception_task("blame_postmortem")
    cpu = time.process_time()
    log, wall = run_eval(
        task,
        OPENAI_CHAT,
        {"grader": OPENAI_CHAT},
        work / f"b-{'bare' if bare else 'candor'}-{max_samples}",
        max_connections=CONNECTIONS,
        **({} if max_samples is None else {"max_samples": max_samples}),
        **({} if bare else {"epochs": epochs}),
    )
    cpu = time.process_time() - cpu
    records = server.records
    server.configure(latency=0.0)
    return Throughput(
        bare=bare,
        samples=epochs * 2,
        latency=LATENCY,
        connections=CONNECTIONS,
        calls_per_sample=len(records) / (epochs * 2),
        wall=wall,
        window=max(r.finished for r in records) - min(r.started for r in records),
        max_in_flight=max(r.in_flight for r in records),
        cpu_per_sample=cpu / (epochs * 2),
        max_samples=max_samples,
        problems=verdict_problems(log, SCENARIO, epochs * 2),
    )


def measure_all(server: FakeServerProcess, work: Path) -> list[Throughput]:
    """Candor and the bare task, each at Inspect's default max_samples and at twice C."""
    wide = 2 * CONNECTIONS
    return [
        measure(server, work, bare, max_samples)
        for bare in (False, True)
        for max_samples in (None, wide)
    ]


def _row(b: Throughput) -> Row:
    ms = 1000
    samples = (
        f"max_samples {b.max_samples}"
        if b.max_samples is not None
        else f"max_samples {b.connections} (Inspect's default: max_connections)"
    )
    checked = "; every sample graded as the fake answered" if not b.problems else ""
    return Row(
        f"Throughput{' of the bare Inspect task (for comparison)' if b.bare else ''}: "
        f"{b.samples} samples × {b.calls_per_sample:.0f} calls at {b.latency * ms:.0f} ms "
        f"latency, max_connections {b.connections}, {samples}; ideal {b.ideal:.1f} s = "
        "N × calls × L / C",
        f"{b.ratio:.1%} of ideal over the calls' window ({b.window:.1f} s); "
        f"{b.ratio_end_to_end:.1%} end to end ({b.wall:.1f} s with start-up); most requests in "
        f"flight: {b.max_in_flight}; CPU {b.cpu_per_sample * ms:.0f} ms per sample{checked}",
        f"≥ {TARGET:.0%}",
        ("-" if not b.problems else verdict(None, 0, True, "%", b.problems))
        if b.bare
        else verdict(b.ratio, TARGET, True, "%", b.problems),
    )


def section(bs: list[Throughput]) -> Section:
    ms = 1000
    cpu = min(b.cpu_per_sample for b in bs if not b.bare)
    first = bs[0]
    return Section(
        "throughput",
        "(b) Throughput",
        [_row(b) for b in bs],
        notes=[
            "The window runs from the first request's arrival to the last reply at the fake; end "
            "to end adds Inspect's start-up and log writing.",
            "max_samples defaults to max_connections, so a connection idles while its sample "
            "works between calls; with more samples than connections (`--max-samples` 2 × "
            "`--max-connections`) another sample's request fills it. The bare task's rows show "
            "what Inspect alone reaches here.",
            f"Inspect runs every sample on one event loop, so the CPU a Candor sample costs in "
            f"this process ({cpu * ms:.0f} ms, the least of the Candor rows) caps a run at "
            f"{1 / cpu:.1f} samples/s whatever the connections; the ideal needs "
            f"C × {cpu * ms:.0f} ms < calls × L, i.e. at most "
            f"{first.calls_per_sample * first.latency / cpu:.0f} connections at "
            f"{first.latency * ms:.0f} ms latency on this machine.",
        ],
    )
