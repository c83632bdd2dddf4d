"""(d) `candor report` over the synthetic logs, as a user runs it (a new process), with every log
read and with the outcome cache; each checked against what was written."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.logs import load_outcomes
from analysis.render import to_markdown
from analysis.report import Report, build_report
from bench.render import Row, Section, verdict
from bench.synthetic import Synthetic

REPO = Path(__file__).resolve().parents[1]
REPEATS = 3
TARGET = 2.0


@dataclass
class ReportTiming:
    samples: int
    arms: int
    cold: list[float]
    """New process, `--no-cache`: every log read."""
    warm: list[float]
    """New process, every log already in the outcome cache (unchanged since a previous run)."""
    in_process: list[float]
    """Reading (no cache) and computing, in this process (imports excluded)."""
    problems_cold: list[str] = field(default_factory=list)
    problems_warm: list[str] = field(default_factory=list)


def counted(report: Report) -> tuple[int, int]:
    """(samples, arms) the report counts: every arm's graded and unscored samples."""
    arms = [arm for group in report.groups for arm in group.arms]
    return sum(a.graded + sum(a.unscored.values()) for a in arms), len(arms)


def problems(report: Report, synthetic: Synthetic) -> list[str]:
    """How the report's counts differ from what was written (none: it counted them all)."""
    samples, arms = counted(report)
    found: list[str] = []
    if samples != synthetic.samples or arms != synthetic.arms:
        found.append(
            f"the report counts {samples:,} samples in {arms} arms; {synthetic.samples:,} in "
            f"{synthetic.arms} were written"
        )
    if report.set_aside:
        found.append(f"{len(report.set_aside)} copies set aside, none expected")
    if report.problems or report.sample_problems:
        first = [*report.problems, *report.sample_problems][0]
        found.append(f"a log problem: {first.log}: {first.message}")
    return found


def _cli(log_dir: Path, *options: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "report", str(log_dir), *options],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    return time.perf_counter() - started, done.stdout


def _checked(log_dir: Path, synthetic: Synthetic, *options: str, env: dict[str, str]) -> list[str]:
    """The same command with `--json` (untimed), its counts checked."""
    _, out = _cli(log_dir, *options, "--json", env=env)
    return problems(Report.model_validate_json(out), synthetic)


def measure(synthetic: Synthetic, work: Path, repeats: int = REPEATS) -> ReportTiming:
    """`REPEATS` new processes with `--no-cache`, then as many with the cache filled."""
    log_dir = synthetic.log_dir
    env = {"CANDOR_CACHE_DIR": str(work / "report-cache")}
    cold = [_cli(log_dir, "--no-cache", env=env)[0] for _ in range(repeats)]
    problems_cold = _checked(log_dir, synthetic, "--no-cache", env=env)
    _cli(log_dir, env=env)  # fills the cache, as any earlier run does
    warm = [_cli(log_dir, env=env)[0] for _ in range(repeats)]
    problems_warm = _checked(log_dir, synthetic, env=env)
    in_process: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        report = build_report(load_outcomes([log_dir]))
        to_markdown(report)
        in_process.append(time.perf_counter() - started)
        problems_cold += [p for p in problems(report, synthetic) if p not in problems_cold]
    return ReportTiming(
        synthetic.samples, synthetic.arms, cold, warm, in_process, problems_cold, problems_warm
    )


def section(d: ReportTiming) -> Section:
    cold, warm = statistics.median(d.cold), statistics.median(d.warm)
    n = len(d.cold)

    def spread(values: list[float]) -> str:
        return f"range {min(values):.2f}–{max(values):.2f} s"

    def checked(found: list[str]) -> str:
        return f"; counted {d.samples:,} samples in {d.arms} arms, as written" if not found else ""

    return Section(
        "report",
        "(d) `candor report`",
        [
            Row(
                f"`candor report` over {d.samples:,} samples in {d.arms} arms, every log read "
                f"(`--no-cache`, new process, median of {n})",
                f"{cold:.2f} s ({spread(d.cold)}; {statistics.median(d.in_process):.2f} s of it "
                f"reading and computing, the rest start-up and imports){checked(d.problems_cold)}",
                f"≤ {TARGET} s",
                verdict(cold, TARGET, False, "s", d.problems_cold),
            ),
            Row(
                "`candor report`, same logs unchanged since an earlier run (outcome cache; new "
                f"process, median of {n})",
                f"{warm:.2f} s ({spread(d.warm)}){checked(d.problems_warm)}",
                f"≤ {TARGET} s",
                verdict(warm, TARGET, False, "s", d.problems_warm),
            ),
        ],
        notes=[
            "The synthetic log directory is made from real samples of real runs through the fake "
            "(messages, events, store, scores and metadata as Candor writes them), cloned per "
            "epoch, one independent run per synthetic model and scenario.",
            "Each row's content check runs the same command with `--json` (untimed) and compares "
            "the samples and arms the report counts with what was written; a copy set aside or a "
            "log problem fails the row too.",
            "Reading a log's sample summaries is Inspect's own cost (it validates and thins every "
            "summary's metadata as it reads); the outcome cache keeps what was read from each "
            "finished log, so only new or changed logs are read again.",
        ],
    )
