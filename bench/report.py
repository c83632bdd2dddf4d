"""(d) `candor report` over the synthetic logs, as a user runs it (a new process), with every log
read, with each log's outcome index and with the outcome cache, at about 10,000 samples and at
about 100,000 (with the process's peak memory); each checked against what was written. And
`candor --help`."""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.logs import load_outcomes
from analysis.render import to_markdown
from analysis.report import Report, build_report
from bench.render import Row, Section, failed, verdict
from bench.synthetic import Synthetic, index_problems, indexes_hidden

REPO = Path(__file__).resolve().parents[1]
REPEATS = 3
TARGET = 2.0
TARGET_WARM = 0.5
TARGET_LARGE = 15.0
TARGET_LARGE_MIB = 300.0
TARGET_HELP = 0.5


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
    finished: list[float] = field(default_factory=list)
    """New process, the same report already in the finished-report cache."""
    problems_finished: list[str] = field(default_factory=list)
    indexed: list[float] = field(default_factory=list)
    """New process, an empty cache dir, no `--no-cache`: each log's outcome index read."""
    problems_indexed: list[str] = field(default_factory=list)
    unseen_tables: list[float] = field(default_factory=list)
    """New process, the outcome cache as in `warm` but no exact result kept (`exact/` removed,
    as for a report whose tables were not seen before)."""
    problems_unseen: list[str] = field(default_factory=list)


@dataclass
class LargeTiming:
    """One new process, `--no-cache`, over the large synthetic directory."""

    samples: int
    arms: int
    cold: float
    peak_mib: float
    problems: list[str] = field(default_factory=list)
    indexed: float | None = None
    """One new process, an empty cache dir: each log's outcome index read."""
    indexed_peak_mib: float | None = None
    problems_indexed: list[str] = field(default_factory=list)


@dataclass
class HelpTiming:
    """`candor --help` in new processes."""

    runs: list[float]
    problems: list[str] = field(default_factory=list)


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


BYTECODE = Path(tempfile.gettempdir()) / "candor-bench-bytecode"
"""Where the timed processes keep their compiled bytecode (`PYTHONPYCACHEPREFIX`), as an
installed package has it, whatever `PYTHONDONTWRITEBYTECODE` says in the bench's own
environment: otherwise every new process compiles every module it imports again."""


def _child_env(env: dict[str, str]) -> dict[str, str]:
    found = {**os.environ, **env, "PYTHONPYCACHEPREFIX": str(BYTECODE)}
    found.pop("PYTHONDONTWRITEBYTECODE", None)
    return found


def _run(args: list[str], env: dict[str, str]) -> tuple[float, str, float]:
    """A new process: (seconds, stdout, its own peak resident memory in MiB)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "cli", *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_child_env(env),
        )
        assert child.stdout is not None
        out = child.stdout.read().decode("utf-8")
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stdout.close()
        if child.returncode != 0:
            errors.seek(0)
            raise subprocess.CalledProcessError(
                child.returncode, child.args, out, errors.read().decode("utf-8", "replace")
            )
    return seconds, out, usage.ru_maxrss / 1024  # Linux reports kibibytes


def _cli(log_dir: Path, *options: str, env: dict[str, str]) -> tuple[float, str]:
    seconds, out, _ = _run(["report", str(log_dir), *options], env)
    return seconds, out


def _checked(log_dir: Path, synthetic: Synthetic, *options: str, env: dict[str, str]) -> list[str]:
    """The same command with `--json` (untimed), its counts checked."""
    _, out = _cli(log_dir, *options, "--json", env=env)
    return problems(Report.model_validate_json(out), synthetic)


def measure(synthetic: Synthetic, work: Path, repeats: int = REPEATS) -> ReportTiming:
    """`REPEATS` new processes with `--no-cache`, then as many with the cache filled."""
    log_dir = synthetic.log_dir
    env = {"CANDOR_CACHE_DIR": str(work / "report-cache")}
    _cli(log_dir, "--no-cache", env=env)  # untimed: compiles the bytecode, as installing does
    cold = [_cli(log_dir, "--no-cache", env=env)[0] for _ in range(repeats)]
    problems_cold = _checked(log_dir, synthetic, "--no-cache", env=env)
    reports = work / "report-cache" / "reports"
    warm: list[float] = []
    with indexes_hidden(log_dir):  # an indexed read is not kept: the cache is of logs read
        _cli(log_dir, env=env)  # fills the cache, as any earlier run does
        for _ in range(repeats):  # the outcome cache alone: no finished report to print
            shutil.rmtree(reports, ignore_errors=True)
            warm.append(_cli(log_dir, env=env)[0])
        shutil.rmtree(reports, ignore_errors=True)
        problems_warm = _checked(log_dir, synthetic, env=env)
        unseen: list[float] = []
        for _ in range(repeats):  # the outcome cache, but every exact result computed
            shutil.rmtree(reports, ignore_errors=True)
            shutil.rmtree(work / "report-cache" / "exact", ignore_errors=True)
            unseen.append(_cli(log_dir, env=env)[0])
        shutil.rmtree(reports, ignore_errors=True)
        shutil.rmtree(work / "report-cache" / "exact", ignore_errors=True)
        problems_unseen = _checked(log_dir, synthetic, env=env)
        shutil.rmtree(reports, ignore_errors=True)
    _cli(log_dir, env=env)  # the finished report kept, as any earlier run keeps it
    finished = [_cli(log_dir, env=env)[0] for _ in range(repeats)]
    problems_finished = _checked(log_dir, synthetic, env=env)  # its `--json` kept, then served
    problems_finished += [
        p for p in _checked(log_dir, synthetic, env=env) if p not in problems_finished
    ]
    fresh = work / "report-cache-indexed"
    indexed: list[float] = []
    for _ in range(repeats):  # a first report over logs as a run leaves them (indexed)
        shutil.rmtree(fresh, ignore_errors=True)
        indexed.append(_cli(log_dir, env={"CANDOR_CACHE_DIR": str(fresh)})[0])
    shutil.rmtree(fresh, ignore_errors=True)
    problems_indexed = index_problems(synthetic)
    problems_indexed += _checked(log_dir, synthetic, env={"CANDOR_CACHE_DIR": str(fresh)})
    in_process: list[float] = []
    for _ in range(repeats):  # as the command does it: the cyclic collector off meanwhile
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            report = build_report(load_outcomes([log_dir], use_index=False))
            to_markdown(report)
            in_process.append(time.perf_counter() - started)
        finally:
            gc.enable()
        problems_cold += [p for p in problems(report, synthetic) if p not in problems_cold]
    return ReportTiming(
        synthetic.samples,
        synthetic.arms,
        cold,
        warm,
        in_process,
        problems_cold,
        problems_warm,
        finished,
        problems_finished,
        indexed,
        problems_indexed,
        unseen,
        problems_unseen,
    )


def measure_large(synthetic: Synthetic, work: Path) -> LargeTiming:
    """One new process with `--no-cache` over the large directory, timed, its peak memory
    taken from the kernel's account of that process; then the same with `--json`, checked."""
    env = {"CANDOR_CACHE_DIR": str(work / "report-cache-large")}
    seconds, _, peak = _run(["report", str(synthetic.log_dir), "--no-cache"], env)
    found = _checked(synthetic.log_dir, synthetic, "--no-cache", env=env)
    fresh = {"CANDOR_CACHE_DIR": str(work / "report-cache-large-indexed")}
    shutil.rmtree(fresh["CANDOR_CACHE_DIR"], ignore_errors=True)
    indexed, _, indexed_peak = _run(["report", str(synthetic.log_dir)], fresh)
    shutil.rmtree(fresh["CANDOR_CACHE_DIR"], ignore_errors=True)
    found_indexed = index_problems(synthetic) + _checked(synthetic.log_dir, synthetic, env=fresh)
    return LargeTiming(
        synthetic.samples,
        synthetic.arms,
        seconds,
        peak,
        found,
        indexed,
        indexed_peak,
        found_indexed,
    )


def measure_help(repeats: int = REPEATS) -> HelpTiming:
    """`candor --help` in `repeats` new processes; it must exit 0 and list every command."""
    runs: list[float] = []
    found: list[str] = []
    for _ in range(repeats):
        seconds, out, _ = _run(["--help"], {})
        runs.append(seconds)
        missing = [c for c in ("report", "dashboard", "scenarios", "estimate") if c not in out]
        if missing and not found:
            found.append(f"`candor --help` does not list {', '.join(missing)}")
    return HelpTiming(runs, found)


def mib_verdict(value: float, target: float, problems: list[str]) -> str:
    """`met` or `**missed** by ... MiB`; `**failed**` when what was measured is wrong."""
    if problems:
        return failed(problems)
    return "met" if value <= target else f"**missed** by {value - target:.0f} MiB"


def section(
    d: ReportTiming, large: LargeTiming | None = None, help_timing: HelpTiming | None = None
) -> Section:
    cold, warm = statistics.median(d.cold), statistics.median(d.warm)
    n = len(d.cold)

    def spread(values: list[float]) -> str:
        return f"range {min(values):.2f}–{max(values):.2f} s"

    def checked(found: list[str], samples: int = d.samples, arms: int = d.arms) -> str:
        return f"; counted {samples:,} samples in {arms} arms, as written" if not found else ""

    rows = [
        Row(
            f"`candor report` over {d.samples:,} samples in {d.arms} arms, every log read "
            f"(`--no-cache`, new process, median of {n})",
            f"{cold:.2f} s ({spread(d.cold)}; {statistics.median(d.in_process):.2f} s of it "
            f"reading and computing, the rest start-up and imports){checked(d.problems_cold)}",
            f"≤ {TARGET} s",
            verdict(cold, TARGET, False, "s", d.problems_cold),
        ),
        Row(
            "`candor report`, same logs unchanged since an earlier run (outcome cache and the "
            "exact results that run kept, the logs' indexes moved aside; no finished report; "
            f"new process, median of {n})",
            f"{warm:.2f} s ({spread(d.warm)}){checked(d.problems_warm)}",
            f"≤ {TARGET_WARM} s",
            verdict(warm, TARGET_WARM, False, "s", d.problems_warm),
        ),
    ]
    if d.unseen_tables:
        unseen = statistics.median(d.unseen_tables)
        rows.append(
            Row(
                "the same, but no exact result kept (as a report over tables not seen before: "
                f"every Fisher test and exact interval computed; median of {len(d.unseen_tables)})",
                f"{unseen:.2f} s ({spread(d.unseen_tables)}){checked(d.problems_unseen)}",
                "—",
                failed(d.problems_unseen) if d.problems_unseen else "measured",
            )
        )
    if d.indexed:
        first = statistics.median(d.indexed)
        rows.append(
            Row(
                "`candor report`, a first report over the logs as a run leaves them (an empty "
                f"cache dir: each log's outcome index read; new process, median of "
                f"{len(d.indexed)})",
                f"{first:.2f} s ({spread(d.indexed)}){checked(d.problems_indexed)}",
                f"≤ {TARGET} s",
                verdict(first, TARGET, False, "s", d.problems_indexed),
            )
        )
    if d.finished:
        finished = statistics.median(d.finished)
        rows.append(
            Row(
                "`candor report`, the same report over the same unchanged logs printed before "
                f"(finished-report cache; new process, median of {len(d.finished)})",
                f"{finished:.2f} s ({spread(d.finished)}){checked(d.problems_finished)}",
                f"≤ {TARGET_WARM} s",
                verdict(finished, TARGET_WARM, False, "s", d.problems_finished),
            )
        )
    if large is not None:
        rows += [
            Row(
                f"`candor report` over {large.samples:,} samples in {large.arms} arms, every log "
                "read (`--no-cache`, new process, one run)",
                f"{large.cold:.2f} s{checked(large.problems, large.samples, large.arms)}",
                f"≤ {TARGET_LARGE} s",
                verdict(large.cold, TARGET_LARGE, False, "s", large.problems),
            ),
            Row(
                f"peak memory of that process ({large.samples:,} samples)",
                f"{large.peak_mib:.0f} MiB (the kernel's maximum resident set of the process)",
                f"≤ {TARGET_LARGE_MIB:.0f} MiB",
                mib_verdict(large.peak_mib, TARGET_LARGE_MIB, large.problems),
            ),
        ]
        if large.indexed is not None and large.indexed_peak_mib is not None:
            rows.append(
                Row(
                    f"`candor report` over {large.samples:,} samples, a first report over the "
                    "logs as a run leaves them (an empty cache dir: each log's outcome index "
                    "read; new process, one run)",
                    f"{large.indexed:.2f} s, peak memory {large.indexed_peak_mib:.0f} MiB"
                    + checked(large.problems_indexed, large.samples, large.arms),
                    f"≤ {TARGET_LARGE} s, ≤ {TARGET_LARGE_MIB:.0f} MiB",
                    verdict(large.indexed, TARGET_LARGE, False, "s", large.problems_indexed)
                    if large.indexed_peak_mib <= TARGET_LARGE_MIB
                    else mib_verdict(
                        large.indexed_peak_mib, TARGET_LARGE_MIB, large.problems_indexed
                    ),
                )
            )
    if help_timing is not None:
        median = statistics.median(help_timing.runs)
        rows.append(
            Row(
                f"`candor --help` (new process, median of {len(help_timing.runs)})",
                f"{median:.2f} s ({spread(help_timing.runs)})",
                f"≤ {TARGET_HELP} s",
                verdict(median, TARGET_HELP, False, "s", help_timing.problems),
            )
        )
    return Section(
        "report",
        "(d) `candor report`",
        rows,
        notes=[
            "The synthetic log directory is made from real samples of real runs through the fake "
            "(messages, events, store, scores and metadata as Candor writes them), cloned per "
            "epoch, one independent run per synthetic model and scenario.",
            "Each row's content check runs the same command with `--json` (untimed) and compares "
            "the samples and arms the report counts with what was written; a copy set aside or a "
            "log problem fails the row too.",
            "Every timed process runs with its modules' bytecode compiled once before (an "
            "untimed run; `PYTHONPYCACHEPREFIX`), as an installed package has it.",
            "A finished `.eval` log's header and sample summaries are read straight from its zip "
            "(`analysis/eval_zip.py`), without Inspect's second validation and thinning of every "
            "summary; a log that reader cannot vouch for is read through Inspect, with the same "
            "outcomes. The outcome cache keeps what was read from each finished log, keyed by "
            "the zip's directory (every member's checksum), so only new or changed logs are read "
            "again. The finished-report cache keeps each report's output, keyed by the same "
            "directories, the source and the options, and prints it without computing it. The "
            "exact results (Fisher's p, the conditional odds ratio and its exact interval, per "
            "table and options) are kept in one file keyed by the source that computes them "
            "(`analysis/exact_memo.py`): a report whose tables were all seen before neither "
            "computes them nor imports numpy.",
            "The synthetic logs carry the outcome index Candor's hook writes as a task ends "
            "(`LOG.candor-index`); `--no-cache` reads the logs themselves, so the rows marked "
            "`--no-cache` time reading the logs, and the rows over an empty cache dir time "
            "reading the indexes (a row fails if a log's index is not current).",
        ],
    )
