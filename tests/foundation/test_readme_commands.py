"""Every command the README shows, run as a user types it.

The README's shell blocks are read here, command by command (a `\\` continuation joined, a `#`
comment dropped), and each one is run in a fresh working folder with only what no offline test
can have filled in: a real model becomes a scripted one (`MODEL`, `GRADER` and the `...` the
README leaves to the reader included), `--epochs 50` becomes a few epochs, `LOG` a log of a run
made here, a fixed port a free one. Nothing else of the command changes. An `inspect eval` is
then read back by `candor report`, which must count every sample of its logs exactly once.

Three commands are not run as typed, each for a reason a test pins down: `make test` is the
command CI runs (`.ci/run`), `make demo` is run with the scripted models in place of the
embedded one (which takes minutes), and `make bench` is expanded by `make -n` and one of its
parts run with its smallest settings (a full run takes most of an hour)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.analysis.runs import ROOT, SCRIPTS, grader_model, run_blame

README = ROOT / "README.md"
BIN = Path(sys.executable).parent
EPOCHS = "3"
"""In place of `--epochs 50`: one of each identity slot of the shipped pools."""
AGENT_SCRIPT = SCRIPTS / "blame_postmortem.yaml"
"""The agent's script in place of every `--model` (named `scripted/agent-N`, given by
`-M replies=`): the post-mortem's (in another scenario its tool calls fail as a model's wrong
calls do, and it goes on to its last reply)."""
AGENT = f"scripted/{AGENT_SCRIPT}"
"""The same script as one model name (`make demo DEMO_MODEL=`, which takes no `-M`)."""
COUNTERPARTY = f"scripted/{SCRIPTS / 'counterparty.yaml'}"
GRADER = grader_model("deceptive")


@dataclass(frozen=True)
class Command:
    line: int
    """Where it starts in README.md."""
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return shlex.join(self.words)


def readme_commands() -> list[Command]:
    """Every command of the README's ```sh blocks, in order."""
    lines = README.read_text(encoding="utf-8").splitlines()
    commands: list[Command] = []
    inside, start, pending = False, 0, ""
    for number, line in enumerate(lines, start=1):
        if line.startswith("```"):
            inside = line == "```sh" and not inside
            continue
        if not inside:
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        words = shlex.split(pending + line, comments=True)
        pending = ""
        if words:
            commands.append(Command(start, tuple(words)))
    return commands


COMMANDS = readme_commands()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _model_value(role: str) -> str:
    if role == "counterparty":
        return COUNTERPARTY
    assert role.startswith("grader"), f"the README binds a role this test does not know: {role}"
    return GRADER


def fill_inspect(words: tuple[str, ...]) -> list[str]:
    """An `inspect eval` / `eval-set` / `score` command with scripted models in place of real
    ones and a few epochs in place of many; every other word as the README has it."""
    out: list[str] = []
    before = ""
    agent = False
    for word in words:
        if word == "..." and before != "--model-role":  # "the rest of the command"
            out += ["--model", "scripted/agent"]
            agent = True
        elif before == "--model":
            count = len(word.split(","))
            out.append(",".join(f"scripted/agent-{i + 1}" for i in range(count)))
            agent = True
        elif before == "--model-role":
            role, _, value = word.partition("=")
            out.append(f"{role}={_model_value(role) if value else value}")
        elif before == "--epochs":
            out.append(EPOCHS)
        else:
            out.append(word)
        before = word
    return [*out, "-M", f"replies={AGENT_SCRIPT}"] if agent else out


def _logs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.eval"))


def expected_arms(words: tuple[str, ...]) -> set[tuple[str, str]]:
    """Every (scenario, arm) an `inspect eval` of `words` runs: each scenario of the task (its
    suite's, or those of `-T scenario=`) on every arm."""
    from scenarios.loader import all_arms, discover, get_scenario

    task = next(w for w in words if w.startswith("candor/")).removeprefix("candor/")
    folders = discover()
    chosen = [w.split("=", 1)[1] for w in words if w.startswith("scenario=")]
    if chosen:
        ids = chosen[0].split(",")
    elif task in folders:
        ids = [task]
    else:
        ids = [i for i, folder in folders.items() if folder.parent.name == task]
    assert ids, f"no scenario of {task}"
    return {(i, a.name) for i in ids for a in all_arms(get_scenario(i).spec)}


def _counted_once(folder: Path) -> set[tuple[str, str]]:
    """`candor report` counts every sample of the folder's logs exactly once; the (scenario,
    arm) pairs it reports."""
    from inspect_ai.log import read_eval_log

    logs = _logs(folder)
    assert logs, f"no log was written under {folder}"
    samples = 0
    for log in logs:
        header = read_eval_log(str(log), header_only=True)
        assert header.status == "success", (log.name, header.status, header.error)
        samples += header.results.total_samples if header.results else 0
    done = _run([str(BIN / "candor"), "report", str(folder), "--json", "--no-cache"], folder)
    report = json.loads(done.stdout)
    reported: set[str] = set()
    arms: set[tuple[str, str]] = set()
    for group in report["groups"]:
        arms |= {(group["scenario"], arm["arm"]) for arm in group["arms"]}
        refs = [
            ref
            for arm in group["arms"]
            for ref in [*arm["graded_samples"], *sum(arm["unscored_samples"].values(), [])]
        ]
        assert len(refs) == len(set(refs)), f"a sample counted twice in {group['scenario']}"
        reported |= set(refs)
    assert len(reported) == samples, (len(reported), samples, report["problems"])
    return arms


def _run(
    args: list[str], cwd: Path, timeout: int = 900, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`args` run in `cwd`, Candor's cache in `cache` (default: `cwd`'s `.cache`)."""
    env = {**os.environ, "CANDOR_CACHE_DIR": str(cache or cwd / ".cache")}
    done = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        env=env,
    )
    assert done.returncode == 0, (shlex.join(args), done.stdout[-2000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def a_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished log for the commands that read one (`logs/`, `LOG`)."""
    from analysis.outcome_index import write_index

    folder = tmp_path_factory.mktemp("a-run")
    assert write_index(run_blame(folder, "deceptive", epochs=3)) is not None  # as the hook does
    return folder


@pytest.fixture
def workdir(tmp_path: Path, a_run: Path) -> Path:
    """A user's folder: the README's relative paths (`logs/`, `plans/study.yaml`, `prices.yaml`,
    `scenarios/...`) find what they name."""
    shutil.copytree(a_run, tmp_path / "logs")
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    prices = re.search(r"```yaml\n(models:\n.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert prices, "the README's prices file"
    (tmp_path / "prices.yaml").write_text(prices.group(1), encoding="utf-8")
    return tmp_path


def _log(workdir: Path) -> str:
    [log] = [p for p in (workdir / "logs").glob("*.eval")]
    return str(log)


def kind(command: Command) -> str:
    w = command.words
    if w[0] == "inspect" and w[1] in ("eval", "eval-set"):
        return "inspect eval"
    if w[0] == "inspect":
        return f"inspect {w[1]}"
    if w[0] == "candor" and w[1] == "dashboard" or w[0] == "streamlit":
        return "server"
    if w[0] == "make":
        return f"make {w[1]}"
    return w[0]


BY_KIND = {k: [c for c in COMMANDS if kind(c) == k] for k in {kind(c) for c in COMMANDS}}
KNOWN = {
    "inspect eval",
    "inspect score",
    "candor",
    "server",
    "make demo",
    "make test",
    "make bench",
}


def test_every_readme_command_is_one_this_module_runs() -> None:
    assert len(COMMANDS) > 30, "the README's commands were not found"
    assert set(BY_KIND) <= KNOWN, set(BY_KIND) - KNOWN
    assert all(BY_KIND.get(k) for k in KNOWN), "a kind no README command has any more"


def _ids(k: str) -> list[str]:
    return [f"README:{c.line} {c.text[:60]}" for c in BY_KIND.get(k, [])]


@pytest.mark.slow
@pytest.mark.parametrize("command", BY_KIND["inspect eval"], ids=_ids("inspect eval"))
def test_an_inspect_eval_command(command: Command, tmp_path: Path) -> None:
    args = fill_inspect(command.words)
    assert args[:2] == list(command.words[:2])
    _run([str(BIN / "inspect"), *args[1:], "--display", "none"], tmp_path)
    log_dir = args[args.index("--log-dir") + 1] if "--log-dir" in args else "logs"
    assert _counted_once(tmp_path / log_dir) == expected_arms(command.words)


@pytest.mark.parametrize("command", BY_KIND["inspect score"], ids=_ids("inspect score"))
def test_an_inspect_score_command(command: Command, workdir: Path) -> None:
    log = _log(workdir)
    args = [log if w == "LOG" else w for w in fill_inspect(command.words)]
    before = {p.name for p in _logs(workdir / "logs")}
    _run([str(BIN / "inspect"), *args[1:], "--display", "none"], workdir)
    assert {p.name for p in _logs(workdir / "logs")} == before  # re-graded in place
    _counted_once(workdir / "logs")


@pytest.mark.parametrize("command", BY_KIND["candor"], ids=_ids("candor"))
def test_a_candor_command(command: Command, workdir: Path, a_run: Path) -> None:
    for word in command.words:  # `logs/models`, `logs/study`: a run's folder of their own
        if word.startswith("logs/") and word.rstrip("/") != "logs":
            shutil.copytree(a_run, workdir / word)
    done = _run([str(BIN / "candor"), *fill_placeholders(command.words, workdir)[1:]], workdir)
    assert done.stdout.strip() or done.stderr.strip(), "the command said nothing"
    if "--figures" in command.words:
        figures = workdir / command.words[command.words.index("--figures") + 1]
        assert any(figures.glob("*.png")), "no figure was written"
    if "--write" in command.words:
        assert (workdir / command.words[command.words.index("--write") + 1]).is_file()
    if "--json" in command.words:
        json.loads(done.stdout)


@pytest.mark.parametrize("command", BY_KIND["server"], ids=_ids("server"))
def test_a_dashboard_command_serves_the_dashboard(command: Command, workdir: Path) -> None:
    words = list(command.words)
    port = str(_free_port())
    if "--server.port" in words:
        words[words.index("--server.port") + 1] = port
    else:
        words += ["--server.port", port] if words[0] == "candor" else []
        if words[0] == "streamlit":
            at = words.index("--")
            words[at:at] = ["--server.port", port]
    words += ["--server.headless", "true"] if "--server.headless" not in words else []
    if words[0] == "streamlit":  # `dashboard/app.py` is the repository's
        words = [str(BIN / "streamlit"), words[1], str(ROOT / words[2]), *words[3:]]
        words = [w if w != "logs/" else str(workdir / "logs") for w in words]
    else:
        words = [str(BIN / "candor"), *words[1:]]
    server = subprocess.Popen(
        words,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the dashboard did not start in 60 s"
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert r.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _make(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-C", str(ROOT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )


def test_make_test_is_what_ci_runs() -> None:
    [command] = BY_KIND["make test"]
    assert command.words == ("make", "test")
    steps = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines() if ln and ln[0] != "#"]
    assert steps[-1] == "make test", steps
    dry = _make("-n", "test")
    assert f"{BIN.parent.name}/bin/python -m pytest -q" in dry.stdout, dry.stdout


@pytest.mark.slow
def test_make_demo_runs_check_run_and_report(tmp_path: Path) -> None:
    """`make demo` with the scripted models in place of the embedded one (whose build and run
    take minutes): the check, the run on every arm and a report whose numbers are there."""
    [command] = BY_KIND["make demo"]
    assert command.words == ("make", "demo")
    logs = tmp_path / "logs"
    done = _make(
        "demo",
        f"DEMO_MODEL={AGENT}",
        f"DEMO_GRADER={GRADER}",
        "DEMO_EPOCHS=3",
        f"DEMO_LOGS={logs}",
    )
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    assert "[3/3]" in done.stdout, done.stdout[-2000:]
    assert "Fisher" in done.stdout or "p =" in done.stdout, done.stdout[-2000:]
    _counted_once(logs)


@pytest.mark.parametrize("command", BY_KIND["make bench"], ids=_ids("make bench"))
def test_make_bench_runs_the_bench_with_the_parts_named(command: Command) -> None:
    variables = [w for w in command.words[2:] if "=" in w]
    dry = _make("-n", "bench", *variables)
    assert dry.returncode == 0, dry.stderr
    [line] = [ln for ln in dry.stdout.splitlines() if "-m bench" in ln]
    parts = dict(v.split("=", 1) for v in variables).get("PARTS")
    assert line.rstrip().endswith("-m bench" + (f" --parts {parts}" if parts else "")), line


@pytest.mark.slow
def test_a_bench_part_runs_and_checks_what_it_timed(tmp_path: Path) -> None:
    """What `make bench PARTS=redaction` runs, printed instead of written: a failed check shows
    as a failed row."""
    done = _run(
        [str(BIN / "python"), "-m", "bench", "--parts", "redaction", "--stdout"],
        ROOT,
        1200,
        cache=tmp_path / ".cache",
    )
    rows = [ln for ln in done.stdout.splitlines() if ln.startswith("| Redaction cost")]
    assert rows, done.stdout
    assert not [r for r in rows if "**failed**" in r.rsplit("|", 2)[-2]], rows


# --- commands written in the README's prose --------------------------------------------------

PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*(?:\.\.\.)?$")


def inline_commands() -> list[Command]:
    """The prose's `candor ...` and `python -m ...` commands that take arguments (a placeholder
    such as `LOG` or `SCENARIO` for what the reader fills in); a bare name (`candor report`) is
    not a command to run."""
    text = README.read_text(encoding="utf-8")
    found: list[Command] = []
    for match in re.finditer(r"`((?:candor|python -m) [^`]+)`", text):
        words = tuple(shlex.split(match.group(1)))
        if words[0] == "python" or any(PLACEHOLDER.match(w) for w in words):
            found.append(Command(text.count("\n", 0, match.start()) + 1, words))
    return found


INLINE = inline_commands()
FORMS = {
    ("candor", "plan", "--write", "FILE"): "the full command: a shell block's `candor plan`",
    ("candor", "report", "--plan", "FILE", "--prices", "FILE"): "a form of two shell blocks'",
}
"""Inline commands that are a form, not a command (a shell block runs the full command)."""
SAME_AS = {
    ("python", "-m", "tests.dashboard.screenshots"): (
        "python",
        "-m",
        "tests.dashboard.screenshots",
        "LOGS",
        "--out",
        "DIR",
    ),
}
"""Inline commands run in the form beside them: without arguments, the screenshot tool writes
the study and rewrites the repository's own pictures, which a test must not do."""
RUN_ELSEWHERE = {
    ("python", "-m", "tests.scorers.blinding"): (
        "tests/scorers/test_blind_adversarial.py",
        "test_the_count_command_runs",
    ),
}
"""Inline commands a test elsewhere runs as typed: (file, test)."""
STARTED_BY_CANDOR = {
    ("python", "-m", "analysis.fill_cache"): (
        "tests/dashboard/test_outcome_cache.py",
        "test_workers_fill_the_cache_and_the_caller_reads_only_what_they_could_not",
    ),
}
"""Inline commands the README names as what Candor starts itself (a user never types them),
each with the test that has Candor start it."""


def fill_placeholders(words: tuple[str, ...], workdir: Path) -> list[str]:
    """A `candor` command with each placeholder filled from the user's folder (`workdir`); a
    placeholder not known here fails the test rather than run as a word."""
    by_flag = {"--plan": str(workdir / "plans" / "study.yaml"), "--prices": "prices.yaml"}
    out: list[str] = []
    for before, word in zip(("", *words), words, strict=False):
        if word == "FILE":
            word = by_flag[before]
        elif word == "LOG":
            word = _log(workdir)
        elif word in ("LOGS", "LOGDIR", "LOG_OR_DIR...", "DIR"):
            word = "logs"
        elif word == "SCENARIO":
            word = "blame_postmortem"
        elif word == "ID":
            word = "blame_director"
        elif word == "MODEL":
            word = GRADER
        else:
            assert not PLACEHOLDER.match(word), f"a placeholder this test does not fill: {word}"
        out.append(word)
    return out


def _inline(kind: str) -> list[Command]:
    return [
        c
        for c in INLINE
        if c.words not in FORMS
        and c.words not in RUN_ELSEWHERE
        and c.words not in SAME_AS
        and c.words not in STARTED_BY_CANDOR
        and (c.words[:2] == ("candor", "dashboard")) == (kind == "server")
        and (c.words[0] == "python") == (kind == "python")
    ]


def test_every_inline_command_is_run_or_named() -> None:
    assert len(INLINE) > 8, "the README's inline commands were not found"
    assert set(FORMS) <= {c.words for c in INLINE}, "a form the README no longer has"
    for words, (file, test) in {**RUN_ELSEWHERE, **STARTED_BY_CANDOR}.items():
        assert any(c.words == words for c in INLINE), words
        source = (ROOT / file).read_text(encoding="utf-8")
        module = words[2].rsplit(".", 1)[-1]
        assert f"def {test}(" in source and module in source, (file, test)
    runs = {c.words for k in ("candor", "server", "python") for c in _inline(k)}
    assert set(SAME_AS.values()) <= runs
    named = set(FORMS) | set(RUN_ELSEWHERE) | set(SAME_AS) | set(STARTED_BY_CANDOR)
    assert runs | named == {c.words for c in INLINE}
    assert [c.words[:3] for c in _inline("python")] == [
        ("python", "-m", "tests.dashboard.realistic"),
        ("python", "-m", "tests.dashboard.screenshots"),
    ], "the study is written before its pictures are taken"


@pytest.mark.slow
def test_the_realistic_study_and_its_screenshots(tmp_path: Path) -> None:
    """`python -m tests.dashboard.realistic DIR`, then the pictures of it taken by
    `python -m tests.dashboard.screenshots LOGS --out DIR`: one picture per README picture of
    the study, 1400 px wide."""
    study, pictures = tmp_path / "study", tmp_path / "pictures"
    filled = {"DIR": [str(study), str(pictures)], "LOGS": [str(study)]}
    for command in _inline("python"):
        words = [
            filled[w].pop(0) if w in filled else str(BIN / "python") if w == "python" else w
            for w in command.words
        ]
        _run(words, ROOT, 1500, cache=tmp_path / ".cache")  # nothing written in the repository
    assert _logs(study), "the study wrote no log"
    shown = set(re.findall(r"\(docs/(dashboard-[\w-]+\.png)\)", README.read_text("utf-8")))
    written = {p.name for p in pictures.glob("dashboard-*.png")}
    # the Rounds and families picture is of the inquiry family's logs, which the tool writes
    # only when it writes the study itself (without LOGS)
    assert shown and written == shown - {"dashboard-rounds-families.png"}, shown ^ written
    for picture in pictures.glob("*.png"):
        width = int.from_bytes(picture.read_bytes()[16:20], "big")  # the PNG header's width
        assert width == 1400, (picture.name, width)


@pytest.mark.parametrize("command", _inline("candor"), ids=lambda c: f"README:{c.line} {c.text}")
def test_an_inline_candor_command(command: Command, workdir: Path) -> None:
    done = _run([str(BIN / "candor"), *fill_placeholders(command.words, workdir)[1:]], workdir)
    assert done.stdout.strip() or done.stderr.strip(), "the command said nothing"


@pytest.mark.parametrize("command", _inline("server"), ids=lambda c: f"README:{c.line} {c.text}")
def test_an_inline_dashboard_command_serves(command: Command, workdir: Path) -> None:
    filled = Command(command.line, tuple(fill_placeholders(command.words, workdir)))
    test_a_dashboard_command_serves_the_dashboard(filled, workdir)
