"""A partial run rewrites its own sections of docs/bench.md and keeps every other one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.__main__ import main
from bench.document import EARLIER, merge, sections_of

ORDER = ["overhead", "report", "redaction"]


def test_a_partial_run_keeps_the_other_sections() -> None:
    first = merge(None, {"overhead": "## a\nold a\n", "report": "## d\nold d\n"}, ORDER, full=True)
    again = merge(first, {"report": "## d\nnew d\n", "redaction": "## f\nf\n"}, ORDER, full=False)
    assert sections_of(again) == {
        "overhead": "## a\nold a\n",
        "report": "## d\nnew d\n",
        "redaction": "## f\nf\n",
    }
    assert again.index("## a") < again.index("## d") < again.index("## f")


def test_a_document_without_sections_is_kept_until_a_full_run() -> None:
    legacy = "# Candor benchmarks\n\n| a | old row |\n"
    partial = merge(legacy, {"report": "## d\n"}, ORDER, full=False)
    assert "| a | old row |" in sections_of(partial)[EARLIER]
    full = merge(partial, {p: f"## {p}\n" for p in ORDER}, ORDER, full=True)
    assert EARLIER not in sections_of(full)


def test_help_runs_nothing_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.md"
    with pytest.raises(SystemExit) as exit_:
        main(["--help", "--output", str(out)])
    assert exit_.value.code == 0
    assert "redaction" in capsys.readouterr().out
    assert not out.exists()


def test_an_unknown_part_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--parts", "overhead,nope", "--output", str(tmp_path / "bench.md")])
    assert exit_.value.code == 2
    assert "unknown part(s) nope; expected some of overhead" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["", ",", " , ,"])
def test_parts_that_name_nothing_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    out = tmp_path / "bench.md"
    with pytest.raises(SystemExit) as exit_:
        main(["--parts", given, "--output", str(out)])
    assert exit_.value.code == 2
    assert "names no part" in capsys.readouterr().err
    assert not out.exists()
