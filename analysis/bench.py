"""`make bench`: what the harness costs on top of the model calls, measured offline.

Every model call goes to the fake provider (`tests/fakeserver`, in a child process so it does
not share this process's GIL) through Inspect's real `openai/` and `anthropic/` providers.

(a) overhead   - a Candor task vs a bare Inspect task making the same model calls, zero latency
(b) throughput - N samples at latency L with C connections vs the ideal N × calls × L / C
(c) dashboard  - first render and opening one transcript over 10,000 samples (AppTest)
(d) report     - `candor report` over 10,000 samples in 20 arms
(e) cost       - tokens per sample for each role, and what prompt caching saves

Writes docs/bench.md and prints it. Run from the repository root (it imports `tests.fakeserver`).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import EvalLog, EvalSample, read_eval_log, write_eval_log
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
    get_model,
)
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver, use_tools
from inspect_ai.tool import ToolDef, ToolParam, ToolParams
from inspect_ai.util import json_schema

from analysis.estimate import ROLES, Role, estimate_arm
from analysis.logs import load_outcomes
from analysis.report import build_report
from evals.blame_director.blame_director import blame_director
from evals.blame_postmortem.blame_postmortem import blame_postmortem
from evals.performance_attestation.performance_attestation import performance_attestation
from evals.tool_texts import tool_def
from scenarios.loader import all_arms, get_scenario, render
from scenarios.schema import FilesTool, SubmitTool
from scorers.verdicts import DeceptionVerdict
from tests.fakeserver.config import FakeConfig
from tests.fakeserver.process import FakeServerProcess
from tests.fakeserver.server import RequestRecord
from tests.integration.providers import (
    AI_MARKERS,
    ANTHROPIC_STREAM,
    OPENAI_CHAT,
    ProviderPath,
)

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "bench.md"
TASKS = {
    "blame_postmortem": blame_postmortem,
    "blame_director": blame_director,
    "performance_attestation": performance_attestation,
}

# sizes: chosen so the whole bench stays within about ten minutes on 2 cores
OVERHEAD_EPOCHS = 30  # × 2 arms of blame_postmortem
OVERHEAD_REPEATS = 5  # Candor's per-run time varies more than the bare task's: see the range
THROUGHPUT = {"samples": 100, "latency": 0.5, "connections": 10}
COST_EPOCHS = 3
SYNTHETIC_SAMPLES_PER_ARM = 500
SYNTHETIC_MODELS = 4  # × (2 + 3) arms of blame_postmortem and blame_director = 20 arms
REPORT_REPEATS = 3

TARGETS = {
    "overhead": 1.05,
    "throughput": 0.90,
    "dashboard_first": 2.0,
    "dashboard_transcript": 0.5,
    "report": 2.0,
}
# input-token price multipliers for cached prompts (vendors' published rates)
ANTHROPIC_CACHE = {"write": 1.25, "read": 0.10}  # 5-minute cache
OPENAI_CACHE = {"read": 0.50}  # gpt-4o family; newer families discount more


# --- machine ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """The facts a reader needs to compare numbers: CPUs, CPU model, RAM, versions, load."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": nproc or str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "inspect_ai": version("inspect_ai"),
        "load": "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()),
    }


# --- running evals against the fake -----------------------------------------------------------


@contextlib.contextmanager
def pointed_at(server: FakeServerProcess) -> Iterator[None]:
    """Both SDKs pointed at the fake through the environment, restored afterwards."""
    env = {
        "OPENAI_BASE_URL": server.openai_base_url,
        "ANTHROPIC_BASE_URL": server.anthropic_base_url,
        "OPENAI_API_KEY": "sk-fake-bench-key",
        "ANTHROPIC_API_KEY": "sk-ant-fake-bench-key",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_eval(
    task: Task,
    target: ProviderPath,
    roles: dict[str, ProviderPath],
    log_dir: Path,
    **options: Any,
) -> tuple[EvalLog, float]:
    """One eval through the real providers; returns the log and its wall time in seconds."""
    started = time.perf_counter()
    [log] = inspect_eval(
        task,
        model=target.get(),
        model_roles={role: path.get() for role, path in roles.items()},
        log_dir=str(log_dir),
        display="none",
        log_level="error",
        max_retries=0,
        timeout=120,
        **options,
    )
    elapsed = time.perf_counter() - started
    if log.status != "success":
        message = log.error.message if log.error else log.status
        raise RuntimeError(f"bench eval of {log.eval.task} failed: {message}")
    return log, elapsed


# --- (a) a bare Inspect task making the same model calls ---------------------------------------


def _bare_tools(texts: dict[str, str], names: list[str], submit: SubmitTool) -> list[ToolDef]:
    async def list_files() -> str:
        return "\n".join(names)

    async def read_file(path: str) -> str:
        return texts.get(path, "no such file")

    async def submit_fn(**fields: str) -> str:
        return submit.confirmation

    params = ToolParams(
        properties={k: ToolParam(type="string", description=v) for k, v in submit.fields.items()},
        required=list(submit.fields),
    )
    return [
        tool_def(list_files, list_files),  # the same texts the agent reads in Candor
        tool_def(read_file, read_file),
        ToolDef(submit_fn, name=submit.name, description=submit.description, parameters=params),
    ]


@solver
def _bare_solver(scenario: str) -> Solver:
    """Inspect's own tool loop (`generate()` with tools) plus the scripted follow-up turns."""
    loaded = get_scenario(scenario)
    rendered = {arm.name: render(loaded, arm) for arm in all_arms(loaded.spec)}
    files = next(t for t in loaded.spec.tools if isinstance(t, FilesTool))
    submit = next(t for t in loaded.spec.tools if isinstance(t, SubmitTool))
    names = [doc.name for doc in files.documents]
    turns = loaded.spec.counterparty.turns if loaded.spec.counterparty else []

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        r = rendered[str(state.metadata["arm"])]
        texts = {name: r.text(f"document:{name}") for name in names}
        state.messages = [
            ChatMessageSystem(content=r.text("system_prompt")),
            ChatMessageUser(content=r.text("opening")),
        ]
        state = await use_tools(_bare_tools(texts, names, submit))(state, generate)
        state = await generate(state)  # list, read each, submit, answer: until no tool call
        # Candor's episode ends the turn at the submission; the fake then answers in text once
        # per follow-up. One follow-up here makes the call counts equal (see `calls`).
        for index in range(max(len(turns) - 1, 0)):
            state.messages.append(ChatMessageUser(content=r.text(f"turn:{index}")))
            state = await generate(state, tool_calls="none")
        return state

    return solve


@scorer(metrics=[mean()])
def _bare_grader() -> Scorer:
    """One structured-output call to the grader role over the transcript, as text."""
    config = GenerateConfig(
        response_schema=ResponseSchema(
            name="deceptionverdict", json_schema=json_schema(DeceptionVerdict), strict=True
        )
    )

    async def score(state: TaskState, target: Target) -> Score:
        transcript = "\n\n".join(f"{m.role}: {m.text}" for m in state.messages)
        output = await get_model(role="grader").generate(transcript, config=config)
        verdict = json.loads(output.completion)["verdict"]
        return Score(value=1.0 if verdict == "deceptive" else 0.0, answer=verdict)

    return score


def bare_task(scenario: str, epochs: int) -> Task:
    """A bare Inspect task with the same samples, model calls and grader call as Candor's."""
    loaded = get_scenario(scenario)
    samples = [
        Sample(id=f"{scenario}:{arm.name}", input=arm.name, metadata={"arm": arm.name})
        for arm in all_arms(loaded.spec)
    ]
    return Task(
        dataset=MemoryDataset(samples),
        solver=_bare_solver(scenario),
        scorer=_bare_grader(),
        epochs=epochs,
        name=f"bare_{scenario}",
    )


@dataclass
class Overhead:
    candor: list[float] = field(default_factory=list)  # wall seconds per sample, per repeat
    bare: list[float] = field(default_factory=list)
    cpu_candor: list[float] = field(default_factory=list)  # this process's CPU s per sample
    cpu_bare: list[float] = field(default_factory=list)
    calls_candor: float = 0.0
    calls_bare: float = 0.0
    samples: int = 0

    @property
    def ratio(self) -> float:
        return min(self.candor) / min(self.bare)

    @property
    def cpu_ratio(self) -> float:
        return min(self.cpu_candor) / min(self.cpu_bare)


def bench_overhead(server: FakeServerProcess, work: Path) -> Overhead:
    """(a) Wall time per sample of blame_postmortem vs the bare task, alternating, at 0 latency."""
    server.configure(latency=0.0, deceive_if_contains=AI_MARKERS["blame_postmortem"])
    result = Overhead()
    roles = {"grader": OPENAI_CHAT}
    # warm both paths once (imports, first connections), untimed
    run_eval(blame_postmortem(), OPENAI_CHAT, roles, work / "warm")
    run_eval(bare_task("blame_postmortem", 1), OPENAI_CHAT, roles, work / "warm")
    for repeat in range(OVERHEAD_REPEATS):
        for kind in ("candor", "bare"):
            server.reset()
            task = (
                blame_postmortem()
                if kind == "candor"
                else bare_task("blame_postmortem", OVERHEAD_EPOCHS)
            )
            options = {"epochs": OVERHEAD_EPOCHS} if kind == "candor" else {}
            cpu = time.process_time()
            log, elapsed = run_eval(
                task, OPENAI_CHAT, roles, work / f"a-{kind}-{repeat}", **options
            )
            cpu = time.process_time() - cpu
            samples = len(log.samples or [])
            calls = len(server.records) / samples
            getattr(result, kind).append(elapsed / samples)
            getattr(result, f"cpu_{kind}").append(cpu / samples)
            setattr(result, f"calls_{kind}", calls)
            result.samples = samples
    return result


# --- (b) throughput ---------------------------------------------------------------------------


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
    max_samples: int | None = None

    @property
    def ideal(self) -> float:
        return self.samples * self.calls_per_sample * self.latency / self.connections

    @property
    def ratio(self) -> float:
        return self.ideal / self.window

    @property
    def ratio_end_to_end(self) -> float:
        return self.ideal / self.wall


def bench_throughput(
    server: FakeServerProcess, work: Path, bare: bool, max_samples: int | None = None
) -> Throughput:
    """(b) N samples at latency L with max_connections C (max_samples: Inspect's default, C, or
    more); the bare task alongside says how much of any shortfall is Inspect's own."""
    n, latency, c = THROUGHPUT["samples"], THROUGHPUT["latency"], THROUGHPUT["connections"]
    server.configure(latency=latency, deceive_if_contains=AI_MARKERS["blame_postmortem"])
    server.reset()
    epochs = int(n) // 2  # blame_postmortem has two arms
    task = bare_task("blame_postmortem", epochs) if bare else blame_postmortem()
    _, wall = run_eval(
        task,
        OPENAI_CHAT,
        {"grader": OPENAI_CHAT},
        work / f"b-{'bare' if bare else 'candor'}-{max_samples}",
        max_connections=int(c),
        **({} if max_samples is None else {"max_samples": max_samples}),
        **({} if bare else {"epochs": epochs}),
    )
    records = server.records
    window = max(r.finished for r in records) - min(r.started for r in records)
    server.configure(latency=0.0)
    return Throughput(
        bare=bare,
        samples=epochs * 2,
        latency=float(latency),
        connections=int(c),
        calls_per_sample=len(records) / (epochs * 2),
        wall=wall,
        window=window,
        max_in_flight=max(r.in_flight for r in records),
        max_samples=max_samples,
    )


# --- (e) cost ---------------------------------------------------------------------------------


@dataclass
class RoleCost:
    calls: int = 0
    input: int = 0  # full rate
    cache_read: int = 0
    cache_write: int = 0
    output: int = 0

    def add(self, r: RequestRecord) -> None:
        self.calls += 1
        self.input += r.input_tokens
        self.cache_read += r.cache_read
        self.cache_write += r.cache_write
        self.output += r.output_tokens

    @property
    def total_input(self) -> int:
        return self.input + self.cache_read + self.cache_write

    def input_cost(self, provider: str) -> float:
        """Input cost in units of the base input price, with the provider's cache rates."""
        if provider == "anthropic":
            return (
                self.input
                + ANTHROPIC_CACHE["write"] * self.cache_write
                + ANTHROPIC_CACHE["read"] * self.cache_read
            )
        return self.input + OPENAI_CACHE["read"] * self.cache_read

    def saving(self, provider: str) -> float:
        return 1 - self.input_cost(provider) / self.total_input if self.total_input else 0.0


@dataclass
class CostRow:
    provider: str
    variant: str
    samples: int
    roles: dict[Role, RoleCost]
    estimate: dict[Role, int]  # `candor estimate` input tokens per sample, per role


COST_VARIANTS: list[tuple[str, str, Literal["scripted", "model"] | None]] = [
    ("blame_postmortem", "blame_postmortem", None),
    ("blame_postmortem (model counterparty)", "blame_postmortem", "model"),
    ("blame_director", "blame_director", None),
    ("performance_attestation", "performance_attestation", None),
]


def bench_cost(server: FakeServerProcess, work: Path) -> tuple[list[CostRow], list[Path]]:
    """(e) Tokens per sample and role, and the caching saving, on both providers."""
    rows: list[CostRow] = []
    logs: list[Path] = []
    for provider, path in (("anthropic", ANTHROPIC_STREAM), ("openai", OPENAI_CHAT)):
        for variant, scenario, counterparty in COST_VARIANTS:
            server.configure(latency=0.0, deceive_if_contains=AI_MARKERS[scenario], vary=True)
            server.reset()  # each variant starts with a cold cache
            roles = {"grader": path, "counterparty": path}
            task = TASKS[scenario](counterparty=counterparty)
            log, _ = run_eval(task, path, roles, work / f"e-{provider}", epochs=COST_EPOCHS)
            samples = len(log.samples or [])
            by_role: dict[Role, RoleCost] = {role: RoleCost() for role in ROLES}
            for record in server.records:
                by_role[record.role].add(record)
            loaded = get_scenario(scenario)
            arms = [
                estimate_arm(loaded, arm, counterparty=counterparty)
                for arm in all_arms(loaded.spec)
            ]
            estimate = {
                role: round(statistics.mean(a.roles[role].input_tokens for a in arms))
                for role in ROLES
            }
            rows.append(CostRow(provider, variant, samples, by_role, estimate))
            if counterparty is None:
                logs.append(Path(log.location))
    server.configure(vary=False)
    return rows, logs


# --- (d) report and (c) dashboard over 10,000 synthetic samples --------------------------------


def _synthetic_log(template: str, model: int, out: str) -> tuple[int, int]:
    """One synthetic log: every arm of a real log, its first sample cloned per epoch.

    Verdicts are drawn per arm (seeded), so arms differ and the report has contrasts to compute.
    """
    source = read_eval_log(template)
    rng = random.Random(f"{source.eval.task}:{model}")
    firsts: dict[str, EvalSample] = {}
    for s in source.samples or []:
        firsts.setdefault(str(s.id), s)
    cloned: list[EvalSample] = []
    for sample_id, first in firsts.items():
        rate = rng.uniform(0.2, 0.9)
        for epoch in range(1, SYNTHETIC_SAMPLES_PER_ARM + 1):
            deceptive = rng.random() < rate
            label = "deceptive" if deceptive else "honest"
            scores = {}
            for name, score in (first.scores or {}).items():
                metadata = dict(score.metadata or {})
                metadata["verdict"] = {**dict(metadata.get("verdict") or {}), "verdict": label}
                metadata["tactics"] = ["omitted_own_role"] if deceptive else []
                scores[name] = score.model_copy(
                    update={"value": float(deceptive), "answer": label, "metadata": metadata}
                )
            cloned.append(
                first.model_copy(update={"id": sample_id, "epoch": epoch, "scores": scores})
            )
    log = source.model_copy(
        update={
            "samples": cloned,
            "eval": source.eval.model_copy(
                update={"model": f"synthetic/model-{model}", "run_id": f"bench-{model}"}
            ),
            "location": "",
        }
    )
    write_eval_log(log, out)
    return len(cloned), len(firsts)


def synthetic_logs(templates: Sequence[Path], out: Path) -> tuple[int, int]:
    """Write 10,000 samples in 20 arms: real samples from the cost runs (messages, events,
    store, scores, metadata as Candor writes them), cloned per epoch; one log per synthetic
    model × scenario. Setup, not timed; two worker processes. Returns (samples, arms)."""
    out.mkdir(parents=True, exist_ok=True)
    by_task: dict[str, str] = {}
    for path in templates:
        by_task.setdefault(read_eval_log(str(path), header_only=True).eval.task, str(path))
    jobs = [
        (by_task[task], model, str(out / f"synthetic_{task}_model-{model}.eval"))
        for model in range(1, SYNTHETIC_MODELS + 1)
        for task in ("blame_postmortem", "blame_director")
    ]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        done = list(pool.map(_synthetic_log, *zip(*jobs, strict=True)))
    return sum(n for n, _ in done), sum(arms for _, arms in done)


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


def _report_cli(log_dir: Path, *options: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "evals.cli", "report", str(log_dir), *options],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=300,
        env={**os.environ, **env},
    )
    return time.perf_counter() - started


def bench_report(log_dir: Path, samples: int, arms: int, work: Path) -> ReportTiming:
    """(d) `candor report LOGDIR` as a user runs it (new process): logs read, and logs cached."""
    env = {"CANDOR_CACHE_DIR": str(work / "report-cache")}
    cold = [_report_cli(log_dir, "--no-cache", env=env) for _ in range(REPORT_REPEATS)]
    _report_cli(log_dir, env=env)  # fills the cache, as any earlier run does
    warm = [_report_cli(log_dir, env=env) for _ in range(REPORT_REPEATS)]
    in_process: list[float] = []
    from analysis.render import to_markdown

    for _ in range(REPORT_REPEATS):
        started = time.perf_counter()
        to_markdown(build_report(load_outcomes([log_dir])))
        in_process.append(time.perf_counter() - started)
    return ReportTiming(samples, arms, cold, warm, in_process)


@dataclass
class DashboardTiming:
    present: bool
    first_render: float | None = None
    """New app, nothing cached: every log read."""
    first_render_warm: float | None = None
    """New app, every log in the outcome cache (as after a restart, or after `candor report`)."""
    transcript: float | None = None
    note: str = ""


_DASHBOARD_SCRIPT = """
import json, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=600)
started = time.perf_counter()
at.run()
first = time.perf_counter() - started
error = at.exception[0].message if at.exception else None
transcript = None
if error is None:
    at.switch_page("app_pages/transcripts.py").run()
    picker = at.selectbox(key="open_ref")
    started = time.perf_counter()
    picker.select_index(len(picker.options) - 1).run()
    transcript = time.perf_counter() - started
    error = at.exception[0].message if at.exception else None
print(json.dumps({"first": first, "transcript": transcript, "error": error}))
"""


def _dashboard_run(log_dir: Path, work: Path, cache: Path, no_cache: bool) -> dict[str, Any]:
    """One new process running the app (as a restarted server would): its timings as JSON."""
    env = {
        **os.environ,
        "CANDOR_LOG_DIR": str(log_dir),
        "CANDOR_LABELS": str(work / "labels.sqlite"),
        "CANDOR_CACHE_DIR": str(cache),
    }
    if no_cache:
        env["CANDOR_NO_CACHE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _DASHBOARD_SCRIPT, str(REPO / "dashboard" / "app.py")],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_dashboard(log_dir: Path, work: Path) -> DashboardTiming:
    """(c) First render with nothing cached, first render with the outcome cache filled (each
    in a new process, as a new or restarted app), and opening another transcript."""
    if not (REPO / "dashboard" / "app.py").is_file():
        return DashboardTiming(present=False, note="dashboard not present (no dashboard/app.py)")
    cache = work / "dashboard-cache"
    try:
        cold = _dashboard_run(log_dir, work, cache, no_cache=True)
        _dashboard_run(log_dir, work, cache, no_cache=False)  # fills the outcome cache
        warm = _dashboard_run(log_dir, work, cache, no_cache=False)
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        return DashboardTiming(True, note=f"could not drive the dashboard: {exc!r}")
    error = cold["error"] or warm["error"]
    return DashboardTiming(
        True,
        first_render=cold["first"],
        first_render_warm=warm["first"],
        transcript=warm["transcript"],
        note=f"the app raised: {error}" if error else "a full rerun of the page",
    )


# --- the table --------------------------------------------------------------------------------


def _verdict(value: float | None, target: float, higher_is_better: bool, unit: str) -> str:
    if value is None:
        return "not measured"
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    if unit == "%":
        return f"**missed** by {abs(value - target) * 100:.1f} points"
    if unit == "x":
        return f"**missed** by {(value - target) * 100:.1f} points ({value:.3f}× vs {target}×)"
    return f"**missed** by {value - target:.2f} s ({value / target:.1f}× the target)"


def _seconds_row(label: str, value: float | None, target: str, note: str = "") -> str:
    """A table row for a time against its target, in seconds."""
    measured = f"{value:.2f} s" if value is not None else "n/a"
    return (
        f"{label} | {measured}{note} | ≤ {TARGETS[target]} s | "
        f"{_verdict(value, TARGETS[target], False, 's')} |"
    )


def render_markdown(
    facts: dict[str, str],
    load_end: str,
    a: Overhead,
    bs: list[Throughput],
    c: DashboardTiming,
    d: ReportTiming,
    e: list[CostRow],
    runtime: float,
) -> str:
    ms = 1000
    lines = [
        "# Candor benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` "
        f"({runtime / 60:.1f} min).",
        "",
        f"Machine: {facts['nproc']} CPUs (`nproc`), {facts['cpu']}, {facts['ram']} RAM; "
        f"Python {facts['python']}; inspect_ai {facts['inspect_ai']}.",
        f"Load average (1/5/15 min) at start {facts['load']}, at end {load_end}: other processes "
        "share this machine, so timings are noisy; compare runs on a quiet machine.",
        "",
        "| | Benchmark | Measured | Target | Result |",
        "|---|---|---|---|---|",
        f"| a | Harness overhead: Candor `blame_postmortem` vs a bare Inspect task, wall time per "
        f"sample at zero latency ({a.samples} samples, {a.calls_candor:.0f} vs "
        f"{a.calls_bare:.0f} model calls per sample, best of {OVERHEAD_REPEATS}) | "
        f"{a.ratio:.3f}× ({min(a.candor) * ms:.0f} ms vs {min(a.bare) * ms:.0f} ms per sample); "
        f"CPU time {a.cpu_ratio:.3f}× ({min(a.cpu_candor) * ms:.0f} vs "
        f"{min(a.cpu_bare) * ms:.0f} ms); every repeat: Candor "
        f"{min(a.candor) * ms:.0f}–{max(a.candor) * ms:.0f} ms, bare "
        f"{min(a.bare) * ms:.0f}–{max(a.bare) * ms:.0f} ms | "
        f"≤ {TARGETS['overhead']}× | {_verdict(a.ratio, TARGETS['overhead'], False, 'x')} |",
    ]
    for b in bs:
        samples = (
            f"max_samples {b.max_samples}"
            if b.max_samples is not None
            else f"max_samples {b.connections} (Inspect's default: max_connections)"
        )
        lines.append(
            f"| b | Throughput{' of the bare Inspect task (for comparison)' if b.bare else ''}: "
            f"{b.samples} samples × {b.calls_per_sample:.0f} calls at "
            f"{b.latency * ms:.0f} ms latency, max_connections {b.connections}, {samples}; ideal "
            f"{b.ideal:.1f} s = N × calls × L / C | {b.ratio:.1%} of ideal over the calls' window "
            f"({b.window:.1f} s); {b.ratio_end_to_end:.1%} end to end ({b.wall:.1f} s with "
            f"start-up); most requests in flight: {b.max_in_flight} | ≥ 90% | "
            + ("-" if b.bare else _verdict(b.ratio, TARGETS["throughput"], True, "%"))
            + " |"
        )
    if c.present:
        first = f"| c | Dashboard first render (Overview), {d.samples:,} samples, new app, "
        lines += [
            _seconds_row(
                first + "nothing cached (every log read)", c.first_render, "dashboard_first"
            ),
            _seconds_row(
                first + "logs unchanged since an earlier app or `candor report` (outcome cache)",
                c.first_render_warm,
                "dashboard_first",
            ),
            _seconds_row(
                "| c | Dashboard: open one transcript (pick another sample on Transcripts)",
                c.transcript,
                "dashboard_transcript",
                f" ({c.note})",
            ),
        ]
    else:
        lines.append(f"| c | Dashboard | {c.note} | ≤ 2 s / ≤ 0.5 s | not measured |")
    cold, warm = statistics.median(d.cold), statistics.median(d.warm)
    lines += [
        f"| d | `candor report` over {d.samples:,} samples in {d.arms} arms, every log read "
        f"(`--no-cache`, new process, median of {REPORT_REPEATS}) | {cold:.2f} s "
        f"({statistics.median(d.in_process):.2f} s of it reading and computing, the rest "
        f"start-up and imports) | ≤ {TARGETS['report']} s | "
        f"{_verdict(cold, TARGETS['report'], False, 's')} |",
        f"| d | `candor report`, same logs unchanged since an earlier run (outcome cache; new "
        f"process, median of {REPORT_REPEATS}) | {warm:.2f} s | ≤ {TARGETS['report']} s | "
        f"{_verdict(warm, TARGETS['report'], False, 's')} |",
        "",
        "## (e) Cost per sample, by role",
        "",
        f"Tokens per sample as the fake provider billed them (each variant: every arm × "
        f"{COST_EPOCHS} epochs, cold cache at its start; tokens ≈ characters / 4 of the request). "
        "The fake's agent writes short scripted texts, so output tokens are far below a real "
        "model's; input tokens are the real prompts, tools, documents and transcripts. "
        "Estimate: `candor estimate` input tokens per sample for the same plan. Saving: input "
        "cost with caching vs without, at Anthropic's cache rates (write 1.25×, read 0.1× of "
        "the input price) or OpenAI's (read 0.5×, gpt-4o family).",
        "",
        "| Provider | Task | Role | Calls | Input tokens (estimate) | Cache read | Cache write "
        "| Output tokens | Caching saves |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in e:
        for role, cost in row.roles.items():
            if not cost.calls:
                continue
            n = row.samples
            lines.append(
                f"| {row.provider} | {row.variant} | {role} | {cost.calls / n:.1f} | "
                f"{cost.total_input / n:,.0f} ({row.estimate[role]:,}) | "
                f"{cost.cache_read / n:,.0f} | "
                f"{cost.cache_write / n:,.0f} | {cost.output / n:,.0f} | "
                f"{cost.saving(row.provider):.0%} |"
            )
    lines += [
        "",
        "Notes:",
        "- (a) runs each task alternately, best of the repeats (least disturbed by other load); "
        "the bare task is Inspect's own `use_tools` + `generate()` loop with the same tools, the "
        "same rendered prompts and one structured grader call.",
        "- (b) the window runs from the first request's arrival to the last reply at the fake; "
        "end to end adds Inspect's start-up and log writing. max_samples defaults to "
        "max_connections, so a connection idles while its sample works between calls; "
        "with more samples than connections (`--max-samples` 2 × `--max-connections`) another "
        "sample's request fills it. The bare task's rows show what Inspect alone reaches here. "
        f"Inspect runs every sample on one event loop, so the CPU a sample costs in this process "
        f"({min(a.cpu_candor) * ms:.0f} ms, from (a)) caps a run at "
        f"{1 / min(a.cpu_candor):.1f} samples/s whatever the connections; the ideal needs "
        f"C × {min(a.cpu_candor) * ms:.0f} ms < calls × L, i.e. at most "
        f"{bs[0].calls_per_sample * bs[0].latency / min(a.cpu_candor):.0f} connections at "
        f"{bs[0].latency * ms:.0f} ms latency on this machine.",
        "- (d) and (c) read a synthetic log directory made from real samples of the cost runs "
        "(messages, events, store, scores and metadata as Candor writes them), cloned per epoch. "
        "Reading a log's sample summaries is Inspect's own cost (it validates and thins every "
        "summary's metadata as it reads); the outcome cache keeps what was read from each "
        "finished log, keyed by its path, modification time and size, so only new or changed "
        "logs are read again.",
        "- (e) the fake varies its replies per sample (tool-call ids, a reference in each text), "
        "as a real model does, so only prefixes that real runs share are read from the cache.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    started = time.perf_counter()
    facts = machine()
    with tempfile.TemporaryDirectory(prefix="candor-bench-") as tmp:
        work = Path(tmp)
        with FakeServerProcess(FakeConfig()) as server, pointed_at(server):
            print("bench: (a) overhead…", file=sys.stderr, flush=True)
            a = bench_overhead(server, work)
            print("bench: (b) throughput…", file=sys.stderr, flush=True)
            wide = 2 * int(THROUGHPUT["connections"])
            b = [
                bench_throughput(server, work, bare=False),
                bench_throughput(server, work, bare=False, max_samples=wide),
                bench_throughput(server, work, bare=True),
                bench_throughput(server, work, bare=True, max_samples=wide),
            ]
            print("bench: (e) cost…", file=sys.stderr, flush=True)
            e, templates = bench_cost(server, work)
        print("bench: writing 10,000 synthetic samples…", file=sys.stderr, flush=True)
        synthetic = work / "synthetic"
        samples, arms = synthetic_logs(templates, synthetic)
        print("bench: (d) report…", file=sys.stderr, flush=True)
        d = bench_report(synthetic, samples, arms, work)
        print("bench: (c) dashboard…", file=sys.stderr, flush=True)
        c = bench_dashboard(synthetic, work)
    load_end = "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    text = render_markdown(facts, load_end, a, b, c, d, e, time.perf_counter() - started)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
