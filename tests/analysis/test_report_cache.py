"""The finished-report cache: a hit prints exactly what computing the report prints, any change
to what the report reads is a miss, and a hit imports nothing of the analysis.

Every report here runs `candor report` in a process of its own (as a user runs it), against
real logs of scripted runs, with the cache in the test's own directory.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.report_cache import INVARIANCE_SUFFIX
from records.invariance import RESULT_SUFFIX
from tests.analysis.runs import ROOT, grader_model, inspect_cli, run_blame

HEAVY = ("pydantic", "pydantic_core", "numpy", "scipy", "pandas", "matplotlib", "inspect_ai")
_ANALYSIS = ("analysis.logs", "analysis.report", "analysis.render", "analysis.stats")


def _candor(cache: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CANDOR_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "cli", "report", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )


def _entries(cache: Path) -> int:
    return len(list((cache / "reports").glob("*.json")))


def _same(a: subprocess.CompletedProcess[bytes], b: subprocess.CompletedProcess[bytes]) -> None:
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two finished runs graded deceptive."""
    folder = tmp_path_factory.mktemp("runs")
    run_blame(folder, "deceptive", epochs=2)
    run_blame(folder, "deceptive", epochs=2)
    return folder


@pytest.fixture
def logs(runs: Path, tmp_path: Path) -> Path:
    copied = tmp_path / "logs"
    shutil.copytree(runs, copied)  # copy2 keeps the modification times, so the order read
    return copied


@pytest.mark.parametrize(
    "options", [[], ["--json"], ["--csv"], ["--alternative", "greater"], ["--json", "--csv"]]
)
def test_a_hit_prints_byte_for_byte_what_the_report_computes(
    logs: Path, tmp_path: Path, options: list[str]
) -> None:
    cache = tmp_path / "cache"
    fresh = _candor(cache, str(logs), *options, "--no-cache")
    assert _entries(cache) == 0  # --no-cache neither reads nor writes the cache
    first = _candor(cache, str(logs), *options)
    hit = _candor(cache, str(logs), *options)
    _same(first, fresh)
    _same(hit, fresh)
    assert _entries(cache) == (0 if fresh.returncode == 2 else 1)  # a usage error is not kept


def _regrade(logs: Path, new_file: bool) -> None:
    """The README's `inspect score` command, graded honest, in place or into a new file."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("inspect score LOG")]
    log = sorted(logs.glob("*.eval"))[0]
    model = grader_model("honest")
    args = [str(log) if w == "LOG" else w.replace("MODEL", model) for w in shlex.split(line)[1:]]
    if new_file:
        args = [a for a in args if a != "--overwrite"]
        args += ["--output-file", str(log.with_name(log.stem + "-scored.eval"))]
    inspect_cli(*args)


def _regrade_in_place(logs: Path) -> None:
    _regrade(logs, new_file=False)


def _regrade_into_new_file(logs: Path) -> None:
    _regrade(logs, new_file=True)


def _add_log(logs: Path) -> None:
    run_blame(logs, "honest", epochs=1)


def _remove_log(logs: Path) -> None:
    sorted(logs.glob("*.eval"))[0].unlink()


def _replace_content_keep_times(logs: Path) -> None:
    """One log's bytes replaced by the other's, its name and modification time kept."""
    first, second = sorted(logs.glob("*.eval"))
    stat = first.stat()
    shutil.copyfile(second, first)
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _add_invariance_result(logs: Path) -> None:
    log = sorted(logs.glob("*.eval"))[0]
    Path(str(log) + INVARIANCE_SUFFIX).write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        _regrade_in_place,
        _regrade_into_new_file,
        _add_log,
        _remove_log,
        _replace_content_keep_times,
        _add_invariance_result,
    ],
)
def test_any_change_to_the_logs_is_a_miss(
    logs: Path, tmp_path: Path, change: Callable[[Path], None]
) -> None:
    cache = tmp_path / "cache"
    _candor(cache, str(logs))
    assert _entries(cache) == 1
    change(logs)
    after = _candor(cache, str(logs))
    assert _entries(cache) == 2  # computed again, not served
    _same(after, _candor(cache, str(logs), "--no-cache"))


@pytest.mark.parametrize("option", ["--plan", "--prices"])
def test_a_changed_plan_or_prices_file_is_a_miss(logs: Path, tmp_path: Path, option: str) -> None:
    cache = tmp_path / "cache"
    given = tmp_path / "given.yaml"
    if option == "--plan":
        contrast = "{scenario: blame_postmortem, arm_a: 'overseer=ai,audit=none', "
        contrast += "arm_b: 'overseer=human,audit=none'}"
        texts = [
            f"name: {name}\nalpha: {alpha}\nalternative: two-sided\nn_per_arm: 2\n"
            f"contrasts:\n  - {contrast}\n"
            for name, alpha in (("p", 0.05), ("q", 0.01))
        ]
    else:
        texts = [
            "models: {scripted/agent: {input: 3, output: 15}}\n",
            "models: {scripted/agent: {input: 1, output: 2}}\n",
        ]
    for count, text in enumerate(texts, start=1):
        given.write_text(text, encoding="utf-8")
        served = _candor(cache, str(logs), option, str(given))
        assert _entries(cache) == count
        _same(served, _candor(cache, str(logs), option, str(given), "--no-cache"))


def test_an_unreadable_entry_is_ignored_and_replaced(logs: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = _candor(cache, str(logs), "--no-cache")
    _candor(cache, str(logs))
    [entry] = (cache / "reports").glob("*.json")
    for broken in (b"{truncated", json.dumps({"stdout": 1, "stderr": "", "code": 0}).encode()):
        entry.write_bytes(broken)
        _same(_candor(cache, str(logs)), fresh)
        _same(_candor(cache, str(logs)), fresh)  # and the entry was written again


_PROBE = """
import contextlib, io, json, sys
import cli.main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = cli.main.main(["report", sys.argv[1]])
names = {m.split('.')[0] for m in sys.modules} | set(sys.modules)
loaded = sorted(set(json.loads(sys.argv[2])) & names)
print(json.dumps({"code": code, "loaded": loaded, "chars": len(out.getvalue())}))
"""


def test_a_hit_imports_nothing_of_the_analysis(logs: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = _candor(cache, str(logs))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CANDOR_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(logs), json.dumps([*HEAVY, *_ANALYSIS])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe == {"code": 0, "loaded": [], "chars": len(fresh.stdout.decode())}


def test_the_invariance_suffix_is_the_records_one() -> None:
    assert INVARIANCE_SUFFIX == RESULT_SUFFIX
