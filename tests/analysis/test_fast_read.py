"""The direct zip read of `.eval` logs gives exactly what Inspect's own reader gives.

On real logs of real (scripted) runs, re-graded with the README's `inspect score` command in
place and into a new file; and on logs changed in ways the direct read must leave to Inspect
(texts Inspect would shorten, a running log's journal, a count of the wrong type), where the
outcomes must still be Inspect's.
"""

from __future__ import annotations

import io
import json
import shlex
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analysis import logs
from analysis.eval_zip import directory_sha256, read_eval_zip
from analysis.logs import LoadResult, load_outcomes, local_log_files
from analysis.report import build_report
from tests.analysis.runs import ROOT, grader_model, inspect_cli, run_blame


def _through_inspect(monkeypatch: pytest.MonkeyPatch, paths: list[Path]) -> LoadResult:
    with monkeypatch.context() as patched:
        patched.setattr(logs, "read_eval_zip", lambda file: None)
        return load_outcomes(paths)


def _regrade(log: Path, grader: str, new_file: bool) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = [ln for ln in readme.splitlines() if ln.startswith("inspect score LOG")]
    args = [str(log) if w == "LOG" else w.replace("MODEL", grader) for w in shlex.split(line)[1:]]
    if new_file:
        args = [a for a in args if a != "--overwrite"]
        args += ["--output-file", str(log.with_name(log.stem + "-scored.eval"))]
    inspect_cli(*args)


@pytest.fixture(scope="module")
def regraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of a run graded deceptive, re-graded honest into a new file, and a second run
    re-graded honest in place."""
    folder = tmp_path_factory.mktemp("regraded")
    first = run_blame(folder, "deceptive", epochs=2)
    _regrade(first, grader_model("honest"), new_file=True)
    second = run_blame(folder, "deceptive", epochs=2)
    _regrade(second, grader_model("honest"), new_file=False)
    return folder


def test_a_regraded_folder_reads_the_same_both_ways(
    regraded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = local_log_files(regraded)
    assert len(files) == 3
    assert all(read_eval_zip(f) is not None for f in files)  # every log took the direct read
    fast = load_outcomes([regraded])
    full = _through_inspect(monkeypatch, [regraded])
    assert fast == full
    assert build_report(fast) == build_report(full)
    # the re-grade is what both count: each episode once, honest
    report = build_report(fast)
    assert report.set_aside and {a.arm for g in report.groups for a in g.arms}
    assert all(a.positive == 0 for g in report.groups for a in g.arms)


def _rewrite(log: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """`log` repacked member by member; `change` returns a member's new bytes (None drops it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(log) as zin, zipfile.ZipFile(buffer, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data, compress_type=info.compress_type)
    out.write_bytes(buffer.getvalue())


def _summaries(edit: Callable[[list[dict[str, Any]]], None]) -> Callable[[str, bytes], bytes]:
    def change(name: str, data: bytes) -> bytes:
        if name != "summaries.json":
            return data
        rows: list[dict[str, Any]] = json.loads(data)
        edit(rows)
        return json.dumps(rows).encode()

    return change


def _explain(text: str) -> Callable[[list[dict[str, Any]]], None]:
    def edit(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for score in row["scores"].values():
                score["explanation"] = text

    return edit


def _reason(text: str) -> Callable[[list[dict[str, Any]]], None]:
    def edit(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            for score in row["scores"].values():
                score["metadata"]["unscored_reason"] = text

    return edit


def _float_tokens(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for usage in row["model_usage"].values():
            usage["input_tokens"] = float(usage["input_tokens"])


def _naive_time(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["completed_at"] = "2026-03-01T10:00:00"


def _superseded(rows: list[dict[str, Any]]) -> None:
    first = json.loads(json.dumps(rows[0]))
    for score in first["scores"].values():
        score["value"] = 1.0 - score["value"]
    rows.insert(0, first)  # an earlier attempt of the same sample and epoch: the later row wins


def _journal_only(name: str, data: bytes) -> bytes | None:
    return None if name in ("summaries.json", "header.json") else data


def _stored(name: str, data: bytes) -> bytes:
    return data


# (case, change, whether the direct read answers: False means it must leave the log to Inspect)
CASES: list[tuple[str, Callable[[str, bytes], bytes | None], bool]] = [
    ("repacked unchanged", _stored, True),
    ("an earlier row of the same sample", _summaries(_superseded), True),
    ("a time without a zone", _summaries(_naive_time), True),
    ("an explanation Inspect shortens", _summaries(_explain("a  b\n\nc " * 300)), False),
    ("a reason with a newline", _summaries(_reason("grader said\nno")), False),
    ("a reason too long", _summaries(_reason("x" * 2000)), False),
    ("a token count as a float", _summaries(_float_tokens), False),
    ("a running log (journal only)", _journal_only, False),
]


@pytest.mark.parametrize(("case", "change", "direct"), CASES, ids=[c[0] for c in CASES])
def test_logs_the_direct_read_leaves_to_inspect_read_as_inspect_reads_them(
    case: str,
    change: Callable[[str, bytes], bytes | None],
    direct: bool,
    regraded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = next(f for f in local_log_files(regraded) if "-scored" not in f.name)
    changed = tmp_path / source.name
    _rewrite(source, changed, change)
    assert (read_eval_zip(changed) is not None) == direct
    fast, full = load_outcomes([changed]), _through_inspect(monkeypatch, [changed])
    assert fast == full
    assert fast.samples or fast.problems  # something was read, or said


def test_the_directory_hash_follows_every_member(regraded: Path, tmp_path: Path) -> None:
    source = local_log_files(regraded)[0]
    same, touched = tmp_path / "same.eval", tmp_path / "touched.eval"
    _rewrite(source, same, _stored)
    _rewrite(source, touched, lambda n, d: d + b" " if n == "summaries.json" else d)
    assert directory_sha256(same) == directory_sha256(same)
    assert directory_sha256(same) != directory_sha256(touched)
    assert directory_sha256(source) is not None
    (tmp_path / "plain.json").write_text("{}")
    assert directory_sha256(tmp_path / "plain.json") is None


@pytest.mark.parametrize("workers", [2, 3])
def test_logs_read_in_worker_processes_are_read_the_same(regraded: Path, workers: int) -> None:
    here = load_outcomes([regraded], workers=1)
    assert load_outcomes([regraded], workers=workers) == here
    assert build_report(load_outcomes([regraded], workers=workers)) == build_report(here)
