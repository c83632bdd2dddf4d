"""The outcome index (`analysis.outcome_index`): written by the hook as a real run ends, it reads
back as its log reads, in every kind of run the report meets; it is never used once it is not
its log's own (a family of changes to the log and to the index); `candor index` as the README
shows it; the dashboard and the report's workers read it too."""

from __future__ import annotations

import json
import logging
import math
import shlex
import shutil
import stat
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from analysis import logs
from analysis import outcome_index as oi
from analysis.fill_cache import missing
from analysis.identity import GraderIdentity
from analysis.index_hook import OutcomeIndexHook
from analysis.logs import LoadResult, LogRead, OutcomeCache, SampleDetail, load_outcomes
from analysis.report import build_report
from cli.main import main
from scenarios.balance_record import BALANCE_KEY
from tests.analysis.runs import (
    ROOT,
    grader_model,
    inspect_cli,
    run_blame,
    run_blame_failing,
)
from tests.analysis.test_construct import FULL_OUTCOME, OUTCOME

EPOCHS = 2


def _log_read(file: Path) -> LogRead:
    return logs._read_log(str(file), use_index=False)


def _regrade(log: Path, grader: str, *, new_file: bool) -> Path:
    """The README's re-grade command, in place or (`--output-file`) into a new log."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("inspect score LOG")]
    args = [str(log) if w == "LOG" else w.replace("MODEL", grader) for w in shlex.split(line)[1:]]
    target = log
    if new_file:
        target = log.with_name(log.stem + "-scored.eval")
        args = [a for a in args if a != "--overwrite"] + ["--output-file", str(target)]
    inspect_cli(*args)
    return target


def _candor_index(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "index", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _both_ways(paths: list[Path]) -> tuple[LoadResult, LoadResult]:
    return load_outcomes(paths, use_index=True), load_outcomes(paths, use_index=False)


# --- written by the hook -------------------------------------------------------------------


def test_a_run_leaves_an_index_that_reads_as_its_log(
    outcome_index_on: None, tmp_path: Path
) -> None:
    log = run_blame(tmp_path, "deceptive", epochs=EPOCHS)
    assert oi.index_state(log) == "current"
    indexed = oi.read_index(log)
    assert indexed is not None
    assert indexed == _log_read(log)
    assert len(indexed.outcomes) == 2 * EPOCHS and len(indexed.details) == 2 * EPOCHS
    # readable by whoever may read the log, no more
    assert stat.S_IMODE(oi.index_path(log).stat().st_mode) == stat.S_IMODE(log.stat().st_mode)
    assert oi.read_index(log, details=False) == logs._read_log(str(log), details=False)


def test_runs_write_no_index_when_turned_off(tmp_path: Path) -> None:
    log = run_blame(tmp_path, "deceptive", epochs=1)  # the suite's default: CANDOR_OUTCOME_INDEX=0
    assert oi.index_state(log) == "absent"
    assert list(tmp_path.iterdir()) == [log]


def test_a_json_log_and_another_task_get_no_index(outcome_index_on: None, tmp_path: Path) -> None:
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import get_model

    from tests.helpers import text

    json_log = run_blame(tmp_path / "json", "deceptive", epochs=1, log_format="json")
    assert list(json_log.parent.iterdir()) == [json_log]
    model = get_model("mockllm/model", custom_outputs=[text("ok")], memoize=False)
    [other] = inspect_eval(
        Task(dataset=[Sample(input="hello")]),
        model=model,
        log_dir=str(tmp_path / "other"),
        display="none",
    )
    assert other.location and oi.index_state(other.location) == "absent"
    assert oi.index_log(other.location)[1].startswith("no Candor samples")


def _task_end(scorers: list[str], metadata: dict[str, Any] | None = None) -> Any:
    spec = SimpleNamespace(scorers=[SimpleNamespace(name=n) for n in scorers], metadata=metadata)
    return SimpleNamespace(log=SimpleNamespace(location="/x/a.eval", status="success", eval=spec))


@pytest.mark.asyncio
async def test_a_hook_that_cannot_write_warns_and_the_run_stands(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(location: str) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("analysis.index_hook.write_index", broken)
    with caplog.at_level(logging.WARNING, logger="analysis.index_hook"):
        await OutcomeIndexHook().on_task_end(_task_end(["candor/deception_scorer"]))
    assert "could not write the outcome index of /x/a.eval: disk on fire" in caplog.text


@pytest.mark.parametrize(
    ("scorers", "metadata", "read"),
    [
        (["candor/deception_scorer"], None, True),
        (["legal_scorer"], None, True),
        (["deception_scorer-2"], None, True),
        ([], {BALANCE_KEY: {}}, True),
        (["match"], None, False),
        (["includes"], {"other": 1}, False),
        ([], None, False),
    ],
)
@pytest.mark.asyncio
async def test_the_hook_reads_candor_logs_alone(
    scorers: list[str], metadata: dict[str, Any] | None, read: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr("analysis.index_hook.write_index", seen.append)
    await OutcomeIndexHook().on_task_end(_task_end(scorers, metadata))
    assert seen == (["/x/a.eval"] if read else [])


@pytest.mark.parametrize(("value", "on"), [("0", False), (" 0 ", False), ("1", True), ("", True)])
def test_the_hook_is_turned_off_by_zero_alone(value: str, on: bool) -> None:
    assert oi.enabled({oi.DISABLE_ENV: value}) is on
    assert oi.enabled({}) is True


# --- every kind of run reads the same with and without indexes -----------------------------


def _plain(folder: Path) -> dict[str, str]:
    log = run_blame(folder, "deceptive", epochs=EPOCHS)
    return {log.name: "current"}


def _in_place(folder: Path) -> dict[str, str]:
    log = run_blame(folder, "deceptive", epochs=EPOCHS)
    _regrade(log, grader_model("honest"), new_file=False)
    return {log.name: "stale"}


def _new_file(folder: Path) -> dict[str, str]:
    log = run_blame(folder, "deceptive", epochs=EPOCHS)
    scored = _regrade(log, grader_model("honest"), new_file=True)
    return {log.name: "current", scored.name: "absent"}


def _in_place_then_indexed(folder: Path) -> dict[str, str]:
    log = run_blame(folder, "deceptive", epochs=EPOCHS)
    _regrade(log, grader_model("honest"), new_file=False)
    done = _candor_index(str(log))
    assert done.returncode == 0, done.stderr
    return {log.name: "current"}


def _sample_errors_then_retried(folder: Path) -> dict[str, str]:
    failed = run_blame_failing(folder, "overseer=human,audit=none", epochs=EPOCHS)
    inspect_cli("eval-retry", str(failed), "--log-dir", str(folder))
    return {p.name: "current" for p in folder.glob("*.eval")}


RUNS: list[tuple[str, Callable[[Path], dict[str, str]]]] = [
    ("one run", _plain),
    ("re-graded in place", _in_place),
    ("re-graded into a new file", _new_file),
    ("re-graded in place, then `candor index`", _in_place_then_indexed),
    ("sample errors, then eval-retry", _sample_errors_then_retried),
]


@pytest.mark.parametrize("make", [m for _, m in RUNS], ids=[n for n, _ in RUNS])
def test_every_kind_of_run_reads_the_same_with_its_indexes(
    make: Callable[[Path], dict[str, str]],
    outcome_index_on: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    states = make(tmp_path)
    logs_here = sorted(tmp_path.glob("*.eval"))
    assert {p.name: oi.index_state(p) for p in logs_here} == states
    read_itself: list[str] = []
    real = logs.read_eval_zip

    def recording(file: str | Path) -> Any:
        read_itself.append(Path(file).name)
        return real(file)

    monkeypatch.setattr(logs, "read_eval_zip", recording)
    indexed, itself = _both_ways([tmp_path])
    assert indexed == itself
    assert build_report(indexed) == build_report(itself)
    # `use_index=False` read every log itself; with indexes, only those without a current one
    assert {n: read_itself.count(n) for n in states} == {
        n: 1 if state == "current" else 2 for n, state in states.items()
    }


# --- never used once it is not the log's own -----------------------------------------------


@pytest.fixture(scope="module")
def indexed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("indexed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(oi.DISABLE_ENV, "1")
        log = run_blame(folder, "deceptive", epochs=EPOCHS)
    assert oi.index_state(log) == "current"
    return log


def _head_and_body(index: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    head, body = index.read_bytes().split(b"\n", 1)
    return json.loads(head), json.loads(body)


def _write(index: Path, head: dict[str, Any], body: dict[str, Any]) -> None:
    index.write_bytes(json.dumps(head).encode() + b"\n" + json.dumps(body).encode())


def _edit(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(log: Path) -> None:
        index = oi.index_path(log)
        head, body = _head_and_body(index)
        change(head, body)
        _write(index, head, body)

    return edit


def _set_head(key: str, value: object) -> Callable[[Path], None]:
    return _edit(lambda head, body: head.__setitem__(key, value))


def _log_regraded(log: Path) -> None:
    _regrade(log, grader_model("honest"), new_file=False)


def _another_logs_index(log: Path) -> None:
    other = json.loads(oi.index_path(log).read_bytes().split(b"\n", 1)[0])
    other["content_sha256"] = "0" * 64  # as another log's would be
    _edit(lambda head, body: head.update(other))(log)


def _truncated(log: Path) -> None:
    index = oi.index_path(log)
    index.write_bytes(index.read_bytes()[:-40])


def _row_out_of_range(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["outcome_rows"]["status"][0] = len(body["outcome_values"]["status"])


def _negative_row(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["detail_rows"]["raw_id"][0] = -1


def _wrong_type(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["outcome_values"]["epoch"][0] = "one"


def _row_as_float(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["outcome_rows"]["epoch"][0] = 0.0


def _missing_field(head: dict[str, Any], body: dict[str, Any]) -> None:
    del body["outcome_values"]["arm"], body["outcome_rows"]["arm"]


def _extra_field(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["outcome_values"]["species"] = ["ai"]
    body["outcome_rows"]["species"] = [0] * head["samples"]


def _short_column(head: dict[str, Any], body: dict[str, Any]) -> None:
    body["outcome_rows"]["arm"].pop()


def _more_samples(head: dict[str, Any], body: dict[str, Any]) -> None:
    head["samples"] += 1


TAMPERED: list[tuple[str, Callable[[Path], None]]] = [
    ("the log re-graded in place", _log_regraded),
    ("another log's name", _set_head("log", "renamed.eval")),
    ("another log's directory hash", _another_logs_index),
    ("another reading code", _set_head("reader", "0" * 16)),
    ("another format version", _set_head("version", 2)),
    ("another format", _set_head("format", "something-else")),
    ("a head with an unknown key", _set_head("note", "x")),
    ("truncated", _truncated),
    ("empty", lambda log: oi.index_path(log).write_bytes(b"")),
    ("not JSON", lambda log: oi.index_path(log).write_bytes(b"\x00\xff pickle?\n\x80\x05")),
    ("a head line without its end", lambda log: oi.index_path(log).write_bytes(b'{"format":')),
    ("a head line too long", lambda log: oi.index_path(log).write_bytes(b" " * 5000 + b"\n{}")),
    ("a row index out of range", _edit(_row_out_of_range)),
    ("a negative row index", _edit(_negative_row)),
    ("a value of the wrong type", _edit(_wrong_type)),
    ("a row index that is a float", _edit(_row_as_float)),
    ("a field missing", _edit(_missing_field)),
    ("a field the model does not have", _edit(_extra_field)),
    ("a column shorter than the samples", _edit(_short_column)),
    ("a sample count that is not the columns'", _edit(_more_samples)),
    ("a folder where the index is", lambda log: _swap_for_folder(oi.index_path(log))),
    ("a FIFO where the index is", lambda log: _swap_for_fifo(oi.index_path(log))),
]


def _swap_for_fifo(index: Path) -> None:
    import os

    index.unlink()
    os.mkfifo(index)


def _swap_for_folder(index: Path) -> None:
    index.unlink()
    index.mkdir()


@pytest.mark.parametrize("tamper", [t for _, t in TAMPERED], ids=[n for n, _ in TAMPERED])
def test_an_index_that_is_not_its_logs_own_is_never_used(
    tamper: Callable[[Path], None], indexed_run: Path, tmp_path: Path
) -> None:
    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    shutil.copy2(oi.index_path(indexed_run), oi.index_path(log))
    assert oi.read_index(log) is not None  # the copy, with its index, is still its own
    tamper(log)
    assert oi.read_index(log) is None
    assert oi.index_state(log) == "stale"
    indexed, itself = _both_ways([log])
    assert indexed == itself and itself.samples
    assert logs.read_log(str(log), OutcomeCache(tmp_path / "cache")) == _log_read(log)


def test_a_log_copied_without_its_index_is_read_itself(indexed_run: Path, tmp_path: Path) -> None:
    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    assert oi.index_state(log) == "absent"
    assert load_outcomes([log]) == load_outcomes([indexed_run], use_index=False)


# --- the encoding --------------------------------------------------------------------------


def _read_of(outcomes: list[Any], details: list[SampleDetail]) -> LogRead:
    return LogRead(name="a.eval", outcomes=outcomes, details=details, finished=True, run="r1")


ALIKE = [  # values a careless table would take for one another
    pytest.param([1, "1"], id="an int id and its string"),
    pytest.param([0, "0", ""], id="zero, its string and the empty string"),
    pytest.param(["\u00e9", "e\u0301"], id="composed and decomposed"),
    pytest.param(["a\nb", "a b", "a\u2028b"], id="line breaks"),
]


@pytest.mark.parametrize("raw_ids", ALIKE)
def test_values_alike_stay_apart(raw_ids: list[int | str]) -> None:
    outcomes = [FULL_OUTCOME.model_copy(update={"sample_id": str(i)}) for i in range(len(raw_ids))]
    details = [SampleDetail(raw_id=r, rationale=str(r), evidence=[str(r)]) for r in raw_ids]
    read = _read_of(outcomes, details)
    back = oi.decode(oi.encode(read, "a.eval", "0" * 64))
    assert back == read
    assert back is not None and [d.raw_id for d in back.details] == raw_ids
    assert [type(d.raw_id) for d in back.details] == [type(r) for r in raw_ids]


def test_every_field_comes_back_and_repeated_values_are_one_object() -> None:
    plain = logs.SampleOutcome(**OUTCOME)
    outcomes = [FULL_OUTCOME, plain, FULL_OUTCOME.model_copy(update={"epoch": 4}), plain]
    details = [SampleDetail(raw_id=i) for i in range(4)]
    read = _read_of(outcomes, details)
    back = oi.decode(oi.encode(read, "a.eval", "0" * 64))
    assert back == read
    assert back is not None
    assert back.outcomes[0].model_dump() == FULL_OUTCOME.model_dump()
    assert back.outcomes[0].headline_contrasts == [("director=ai", "director=human")]
    assert back.outcomes[0].usage is back.outcomes[2].usage  # one table entry, one object
    assert back.outcomes[1].levels is back.outcomes[3].levels


def test_a_value_json_cannot_hold_exactly_writes_no_index() -> None:
    grader = GraderIdentity(
        models={"grader": "m"},
        template_sha256=None,
        temperature=math.nan,
        seed=1,
        aggregation="single",
        redacted=True,
    )
    read = _read_of([FULL_OUTCOME.model_copy(update={"grader": grader})], [SampleDetail(raw_id=1)])
    with pytest.raises(ValueError, match="JSON compliant"):
        oi.encode(read, "a.eval", "0" * 64)


def test_an_empty_index_reads_as_no_samples() -> None:
    read = _read_of([], [])
    assert oi.decode(oi.encode(read, "a.eval", "0" * 64)) == read


# --- `candor index` ------------------------------------------------------------------------


def test_the_readme_index_command_refreshes_a_regraded_log(
    outcome_index_on: None, tmp_path: Path
) -> None:
    log = run_blame(tmp_path, "deceptive", epochs=EPOCHS)
    _regrade(log, grader_model("honest"), new_file=False)
    assert oi.index_state(log) == "stale"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("candor index LOG")]
    words = [str(log) if w == "LOG" else w for w in shlex.split(line)[1:]]
    done = _candor_index(*words[1:])
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"indexed\t{log} ({2 * EPOCHS} samples)\n"
    assert oi.index_state(log) == "current"
    indexed = oi.read_index(log)
    assert indexed == _log_read(log)
    assert indexed is not None and all(
        o.outcomes == {"deceptive": "negative"} for o in indexed.outcomes
    )
    check = _candor_index("--check", str(tmp_path))
    assert (check.returncode, check.stdout) == (0, f"current\t{log}\n")


def test_candor_index_names_what_it_skipped(indexed_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    good = folder / indexed_run.name
    shutil.copy2(indexed_run, good)
    (folder / "broken.eval").write_bytes(b"not a zip")
    check = _candor_index("--check", str(folder))  # oldest first, as logs are listed
    assert check.stdout.splitlines() == [f"absent\t{good}", f"absent\t{folder / 'broken.eval'}"]
    done = _candor_index(str(folder))
    assert done.returncode == 0
    lines = sorted(done.stdout.splitlines())
    assert lines[0].startswith(f"indexed\t{good} (")
    assert lines[1].startswith(f"skipped\t{folder / 'broken.eval'}: ")
    nothing = _candor_index(str(tmp_path / "none"))
    assert nothing.returncode == 1 and "no such file or directory" in nothing.stderr
    only_broken = _candor_index(str(folder / "broken.eval"))
    assert only_broken.returncode == 1 and only_broken.stdout.startswith("skipped\t")


def test_candor_index_in_process_prints_the_same(
    indexed_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    assert main(["index", str(log)]) == 0
    assert capsys.readouterr().out == f"indexed\t{log} ({2 * EPOCHS} samples)\n"


# --- the readers that use it ----------------------------------------------------------------


def test_the_dashboard_and_the_workers_read_it(indexed_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    for n in range(3):  # three logs: enough for the workers
        shutil.copy2(indexed_run, folder / f"run-{n}.eval")
        assert oi.write_index(folder / f"run-{n}.eval") is not None
    files = [str(p) for p in sorted(folder.glob("*.eval"))]
    cache = OutcomeCache(tmp_path / "cache")
    assert missing(files, cache) == []  # no worker starts for logs with a current index
    assert load_outcomes([folder], workers=2) == load_outcomes([folder], use_index=False)
    # read from its index, a log is not kept in the outcome cache (the entry would outlive a
    # change to the index); read itself, it is
    logs.read_log(files[0], cache)
    assert not cache.current(cache.identity(files[0]) or ("", ""))
    logs.read_log(files[1], cache, use_index=False)
    assert cache.current(cache.identity(files[1]) or ("", ""))


def _flip_stored_byte(log: Path, member: str, where: float = 0.5) -> None:
    """One byte of `member`'s compressed data, `where` of the way through it, changed in place:
    the zip directory (its CRC-32) is left as it was, as a damaged copy or an interrupted
    in-place sync leaves it."""
    import zipfile

    with zipfile.ZipFile(log) as archive:
        info = archive.getinfo(member)
    with log.open("r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack("<HH", handle.read(4))
        offset = min(int(info.compress_size * where), info.compress_size - 1)
        at = info.header_offset + 30 + name_length + extra_length + offset
        handle.seek(at)
        byte = handle.read(1)
        handle.seek(at)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("member", ["summaries.json", "header.json"])
def test_a_log_damaged_under_an_unchanged_directory_is_not_read_from_its_index(
    member: str, indexed_run: Path, tmp_path: Path
) -> None:
    from analysis.eval_zip import directory_sha256

    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    shutil.copy2(oi.index_path(indexed_run), oi.index_path(log))
    directory = directory_sha256(log)
    _flip_stored_byte(log, member)
    assert directory_sha256(log) == directory  # the directory alone cannot tell
    assert oi.read_index(log) is None and oi.index_state(log) == "stale"
    indexed, itself = _both_ways([log])
    assert indexed == itself  # the damage is reported, not counted from the index
    assert not itself.samples and itself.problems
    path, why = oi.index_log(log)
    assert path is None and why
    assert oi.index_state(log) == "absent"  # declined: the index beside it is removed


# Where a flipped byte lands decides what the damage does: a Zstandard frame header or block
# header that no longer decodes, a literal that still parses as JSON with one character changed
# (which Inspect's reader, not checking a Zstandard member's CRC-32, would count), a checksum.
DAMAGE_AT = [0.0, 0.02, 0.25, 0.5, 0.75, 0.98, 1.0]


@pytest.mark.parametrize("where", DAMAGE_AT, ids=[f"at {w:.0%}" for w in DAMAGE_AT])
@pytest.mark.parametrize("member", ["summaries.json", "header.json"])
def test_a_damaged_log_is_reported_wherever_the_damage_lands(
    member: str, where: float, indexed_run: Path, tmp_path: Path
) -> None:
    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    _flip_stored_byte(log, member, where)
    for read in _both_ways([log]):
        assert not read.samples, "a damaged log was counted"
        assert [member in p.message for p in read.problems] == [True], read.problems


def test_an_index_repaired_by_candor_index_is_what_the_next_report_reads(
    indexed_run: Path, tmp_path: Path
) -> None:
    log = tmp_path / indexed_run.name
    shutil.copy2(indexed_run, log)
    shutil.copy2(oi.index_path(indexed_run), oi.index_path(log))
    cache = OutcomeCache(tmp_path / "cache")
    truth = _log_read(log)
    flipped = _edit(
        lambda head, body: body["outcome_values"].__setitem__(
            "outcomes", [{"deceptive": "negative"}] * len(body["outcome_values"]["outcomes"])
        )
    )
    flipped(log)  # a hand-edited index with a matching head is trusted, as the log is
    assert logs.read_log(str(log), cache) != truth
    assert oi.write_index(log) is not None
    assert logs.read_log(str(log), cache) == truth  # nothing of the edited index was kept


# --- the code that reads -------------------------------------------------------------------

NOT_READING = {
    "analysis/outcome_index.py": "the index's own code: hashed into the index's reader key",
    "analysis/invariance.py": "invariance results beside the logs, read apart from any log",
    "records/invariance.py": "the same results' record",
    "analysis/log_files.py": "listing and private file access: no outcome depends on it",
    "scenarios/yaml_files.py": "the YAML parser the dimensions file is read with",
}


def _closure(start: str) -> set[str]:
    """The first-party module files `start` imports, directly or not (lazy imports too)."""
    import ast

    from tests.layers import imported_modules

    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        path = ROOT / (name.replace(".", "/") + ".py")
        if not path.is_file():
            path = ROOT / name.replace(".", "/") / "__init__.py"
        rel = str(path.relative_to(ROOT))
        if rel in seen or not path.is_file():
            continue
        seen.add(rel)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        todo += [
            m
            for _, m in imported_modules(tree)
            if m.split(".")[0] in {"analysis", "records", "scenarios"}
        ]
    return {p for p in seen if not p.endswith("__init__.py")}


def test_every_file_the_reading_depends_on_keys_the_cache_and_the_index() -> None:
    reading = _closure("analysis.logs")
    listed = set(logs.READING_SOURCES)
    assert reading - listed <= set(NOT_READING), sorted(reading - listed - set(NOT_READING))
    assert {s for s in listed if s.endswith(".py")} <= reading
    data_files = {s for s in listed if not s.endswith(".py")}
    assert data_files == {"records/dimensions.yaml"}
    assert all((ROOT / s).is_file() for s in listed)


# --- logs of more than 65,535 members (Zip64) ------------------------------------------------


def _repacked(log: Path, out: Path, pad: int, change: bytes = b"") -> Path:
    """`log`'s members, then `pad` more (a log of that many samples is a Zip64 archive)."""
    import zipfile

    with zipfile.ZipFile(log) as zin, zipfile.ZipFile(out, "w") as zout:
        # fixed times: a directory records each member's, and two repacks must be equal
        for info in zin.infolist():
            kept = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zout.writestr(kept, zin.read(info.filename))
        for n in range(pad):
            padding = zipfile.ZipInfo(f"padding/{n}.json", date_time=(2026, 1, 1, 0, 0, 0))
            zout.writestr(padding, b"{}" if n else b"{}" + change)
    return out


def test_a_zip64_log_is_hashed_by_its_directory_and_gets_an_index(
    indexed_run: Path, tmp_path: Path
) -> None:
    from analysis.eval_zip import directory_sha256

    big = _repacked(indexed_run, tmp_path / indexed_run.name, 65_536)
    assert b"PK\x06\x06" in big.read_bytes()[-200:]  # a Zip64 end record
    same = _repacked(indexed_run, tmp_path / "same.eval", 65_536)
    other = _repacked(indexed_run, tmp_path / "other.eval", 65_536, change=b" ")
    assert directory_sha256(big) is not None
    assert directory_sha256(big) == directory_sha256(same) != directory_sha256(other)
    assert oi.write_index(big) is not None
    assert oi.read_index(big) == _log_read(big)
    assert oi.read_index(big) is not None
