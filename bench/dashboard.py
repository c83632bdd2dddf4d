"""(c) The dashboard over the synthetic logs: first render, and opening one transcript.

Each run is a new process (`bench.dashboard_probe`), as a new or restarted app. A row passes only
if the page showed what the logs hold: no exception or error block, the Overview's Samples (and
Graded) metric equal to the samples written, the Transcripts page counting them all and showing
the transcript picked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.dashboard_probe import Probe, Shown
from bench.render import Row, Section, failed, seconds_row
from bench.synthetic import MODELS, Synthetic

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
TARGET_FIRST = 2.0
TARGET_TRANSCRIPT = 0.5
TARGET_FILTER = 0.5
TARGET_LARGE_FIRST = 3.0
TARGET_LARGE_MIB = 500.0
_COUNT = re.compile(r"\b([\d,]+) of ([\d,]+) samples\b")


@dataclass
class DashboardTiming:
    samples: int
    present: bool
    first_render: float | None = None
    """New app, nothing cached: every log read."""
    first_render_warm: float | None = None
    """New app, every log in the outcome cache (as after a restart, or after `candor report`)."""
    transcript: float | None = None
    filter_change: float | None = None
    problems_filter: list[str] = field(default_factory=list)
    large_samples: int | None = None
    large_first: float | None = None
    """New app over the large directory, nothing cached: the Overview's first render."""
    large_peak_mib: float | None = None
    """That app's process: its peak resident memory."""
    problems_large: list[str] = field(default_factory=list)
    problems_cold: list[str] = field(default_factory=list)
    problems_warm: list[str] = field(default_factory=list)
    problems_transcript: list[str] = field(default_factory=list)
    note: str = ""


def _blocks(page: str, shown: Shown) -> list[str]:
    found = [f"{page} raised: {message}" for message in shown.exceptions]
    return found + [f"{page} showed an error: {message}" for message in shown.errors]


def _number(text: str | None) -> int | None:
    try:
        return int((text or "").replace(",", ""))
    except ValueError:
        return None


def overview_problems(shown: Shown, expected: int) -> list[str]:
    """What is wrong with the Overview: an error block, or counts other than the logs hold."""
    found = _blocks("the Overview", shown)
    for metric in ("Samples", "Graded"):
        value = _number(shown.metrics.get(metric))
        if value != expected:
            found.append(
                f"the Overview shows {metric} {shown.metrics.get(metric, 'nowhere')}, "
                f"expected {expected:,}"
            )
    return found


def transcript_problems(probe: Probe, expected: int) -> list[str]:
    """What is wrong with the Transcripts page after opening one."""
    shown = probe.transcripts
    if shown is None:
        return ["the Transcripts page was not reached"]
    found = _blocks("the Transcripts page", shown)
    totals = [_number(m.group(2)) for c in shown.captions for m in _COUNT.finditer(c)]
    if totals != [expected]:
        found.append(f"the Transcripts page counts {totals or 'no'} samples, expected {expected:,}")
    if probe.picked is None or probe.opened is None or not probe.picked.startswith(probe.opened):
        found.append(f"picked {probe.picked!r}, the page shows {probe.opened!r} open")
    if "Transcript" not in shown.subheaders:
        found.append("no transcript shown")
    return found


def filter_problems(probe: Probe, expected: int, total: int) -> list[str]:
    """What is wrong with the Transcripts page after filtering on one arm: an error, or a count
    other than the arm's samples (`expected`) of every sample (`total`)."""
    shown = probe.filtered
    if shown is None or probe.filtered_arm is None:
        return ["no arm filter was offered"]
    found = _blocks("the filtered Transcripts page", shown)
    counts = [
        (_number(m.group(1)), _number(m.group(2)))
        for c in shown.captions
        for m in _COUNT.finditer(c)
    ]
    if counts != [(expected, total)]:
        found.append(
            f"filtered on {probe.filtered_arm}, the page counts {counts or 'no'} samples, "
            f"expected {expected:,} of {total:,}"
        )
    return found


def _run(
    log_dir: Path, work: Path, cache: Path, no_cache: bool, first_only: bool = False
) -> tuple[Probe, float]:
    """One new app process: what it showed, and its peak resident memory in MiB."""
    env = {
        **os.environ,
        "CANDOR_LOG_DIR": str(log_dir),
        "CANDOR_LABELS": str(work / "labels.sqlite"),
        "CANDOR_CACHE_DIR": str(cache),
    }
    if no_cache:
        env["CANDOR_NO_CACHE"] = "1"
    args = [sys.executable, "-m", "bench.dashboard_probe", str(APP)]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            args + (["--first-only"] if first_only else []),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert child.stdout is not None
        out = child.stdout.read().decode("utf-8")
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise subprocess.CalledProcessError(
                child.returncode, args, out, errors.read().decode("utf-8", "replace")
            )
    return Probe.model_validate_json(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def measure(synthetic: Synthetic, work: Path, large: Synthetic | None = None) -> DashboardTiming:
    """First render with nothing cached, first render with the outcome cache filled, opening
    another transcript and changing a filter; with `large`, its first render and memory."""
    n = synthetic.samples
    if not APP.is_file():
        return DashboardTiming(n, present=False, note=f"dashboard not present (no {APP.name})")
    cache = work / "dashboard-cache"
    try:
        cold, _ = _run(synthetic.log_dir, work, cache, no_cache=True)
        _run(synthetic.log_dir, work, cache, no_cache=False)  # fills the outcome cache
        warm, _ = _run(synthetic.log_dir, work, cache, no_cache=False)
        big = None
        if large is not None:
            big = _run(large.log_dir, work, work / "dashboard-cache-large", True, first_only=True)
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        return DashboardTiming(n, True, note=f"could not drive the dashboard: {exc!r}")
    return DashboardTiming(
        n,
        True,
        first_render=cold.first,
        first_render_warm=warm.first,
        transcript=warm.transcript,
        filter_change=warm.filter_change,
        # every synthetic model runs every arm, so one arm's filter keeps its samples in all models
        problems_filter=filter_problems(warm, n // synthetic.arms * MODELS, n),
        large_samples=large.samples if large is not None else None,
        large_first=big[0].first if big is not None else None,
        large_peak_mib=big[1] if big is not None else None,
        problems_large=overview_problems(big[0].overview, large.samples)
        if big is not None and large is not None
        else [],
        problems_cold=overview_problems(cold.overview, n),
        problems_warm=overview_problems(warm.overview, n),
        problems_transcript=transcript_problems(warm, n),
        note="a full rerun of the page",
    )


def _large_rows(c: DashboardTiming) -> list[Row]:
    if c.large_samples is None or c.large_first is None or c.large_peak_mib is None:
        return []
    shows = f"; the page shows {c.large_samples:,} samples, all graded, no error"
    memory = (
        "met"
        if c.large_peak_mib <= TARGET_LARGE_MIB
        else (f"**missed** by {c.large_peak_mib - TARGET_LARGE_MIB:.0f} MiB")
    )
    return [
        seconds_row(
            f"Dashboard first render (Overview), {c.large_samples:,} samples, new app, nothing "
            "cached (every log read)",
            c.large_first,
            TARGET_LARGE_FIRST,
            shows if not c.problems_large else "",
            c.problems_large,
        ),
        Row(
            f"peak memory of that app's process ({c.large_samples:,} samples)",
            f"{c.large_peak_mib:.0f} MiB (the kernel's maximum resident set of the process)",
            f"≤ {TARGET_LARGE_MIB:.0f} MiB",
            failed(c.problems_large) if c.problems_large else memory,
        ),
    ]


def section(c: DashboardTiming) -> Section:
    notes = [
        "Each render is a new process driving the app with Streamlit's AppTest "
        "(`bench/dashboard_probe.py`), which reports what the page showed; the bench compares "
        "it with the synthetic logs (see (d) for how they are made).",
    ]
    if not c.present or c.first_render is None:
        row = Row(
            "Dashboard", c.note, f"≤ {TARGET_FIRST} s / ≤ {TARGET_TRANSCRIPT} s", "not measured"
        )
        return Section("dashboard", "(c) Dashboard", [row], notes=notes)
    first = f"Dashboard first render (Overview), {c.samples:,} samples, new app, "
    shows = f"; the page shows {c.samples:,} samples, all graded, no error"
    return Section(
        "dashboard",
        "(c) Dashboard",
        [
            seconds_row(
                first + "nothing cached (every log read)",
                c.first_render,
                TARGET_FIRST,
                shows if not c.problems_cold else "",
                c.problems_cold,
            ),
            seconds_row(
                first + "logs unchanged since an earlier app or `candor report` (outcome cache)",
                c.first_render_warm,
                TARGET_FIRST,
                shows if not c.problems_warm else "",
                c.problems_warm,
            ),
            seconds_row(
                "Dashboard: open one transcript (pick another sample on Transcripts)",
                c.transcript,
                TARGET_TRANSCRIPT,
                f" ({c.note}; the picked transcript is shown)" if not c.problems_transcript else "",
                c.problems_transcript,
            ),
            seconds_row(
                "Dashboard: change a filter (one arm, on Transcripts)",
                c.filter_change,
                TARGET_FILTER,
                f" ({c.note}; the page counts that arm's samples)" if not c.problems_filter else "",
                c.problems_filter,
            ),
            *_large_rows(c),
        ],
        notes=notes,
    )
