"""Exact results kept between reports: a kept result is the computed one, bit for bit; a file
that cannot be believed is ignored and written again; outside `kept()` nothing is kept; a
second `candor report` over the same tables imports no numpy and prints the same bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest

from analysis import exact, exact_memo
from analysis.stats import Alternative, ContrastResult, contrast, fisher_test, odds_ratio_estimate
from tests.analysis.runs import ROOT, run_blame

# (k1, n1, k2, n2, alternative): ordinary tables, zero cells, both ends of the support (an
# infinite or zero odds ratio and interval end), one-sided alternatives, a large table
TABLES = [
    (29, 50, 45, 50, "two-sided"),
    (28, 50, 47, 50, "two-sided"),
    (0, 10, 7, 10, "two-sided"),
    (10, 10, 3, 10, "two-sided"),
    (5, 5, 0, 5, "two-sided"),
    (3, 12, 9, 12, "greater"),
    (9, 12, 3, 12, "less"),
    (1, 1, 0, 1, "two-sided"),
    (271, 357, 126, 357, "two-sided"),
    (4_012, 5_000, 3_390, 5_000, "two-sided"),
]


def _all(tables: list[tuple[int, int, int, int, str]]) -> list[ContrastResult]:
    return [contrast(k1, n1, k2, n2, alternative=alt) for k1, n1, k2, n2, alt in tables]  # type: ignore[arg-type]


@pytest.fixture
def computed() -> list[ContrastResult]:
    return _all(TABLES)


def test_a_kept_result_is_the_computed_one(
    tmp_path: Path, computed: list[ContrastResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    with exact_memo.kept(tmp_path):
        assert _all(TABLES) == computed
    assert exact_memo.memo_file(tmp_path).is_file()

    class Refused:
        def __init__(self, *args: object) -> None:
            raise AssertionError(f"computed, not read: {args}")

    monkeypatch.setattr(exact, "ConditionalDistribution", Refused)
    with exact_memo.kept(tmp_path):
        again = _all(TABLES)
        fisher = [fisher_test(k1, n1, k2, n2, alternative=a) for k1, n1, k2, n2, a in TABLES]  # type: ignore[arg-type]
    assert again == computed  # every number, infinities and zeros included
    assert [f.p_value for f in fisher] == [c.p_value for c in computed]
    with pytest.raises(AssertionError, match="computed, not read"):
        odds_ratio_estimate(29, 50, 45, 50)  # outside kept(): computed


def test_outside_kept_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDOR_CACHE_DIR", str(tmp_path))
    _all(TABLES)
    assert not (tmp_path / "exact").exists()


def _unbelievable(path: Path) -> dict[str, bytes]:
    real = path.read_bytes()
    first = next(iter(json.loads(real)))
    return {
        "not JSON": b"{truncated",
        "cut short": real[: len(real) // 2],
        "a list": b"[]",
        "a number": json.dumps({first: 0.5}).encode(),
        "text in the list": json.dumps({first: ["0.5"]}).encode(),
        "a boolean in the list": json.dumps({first: [True]}).encode(),
        "an empty list": json.dumps({first: []}).encode(),
        "too few numbers": json.dumps(
            {k: v[:1] if len(v) == 3 else v for k, v in json.loads(real).items()}
        ).encode(),
        "too many numbers": json.dumps({k: [0.5] * 4 for k in json.loads(real)}).encode(),
        "an integer in the list": json.dumps({first: [1]}).encode(),
        "a 401-digit integer": b'{"%s": [%s]}' % (first.encode(), b"9" * 401),
        "nested past the parser's depth": b"[" * 200_000 + b"]" * 200_000,
        "larger than it may be": b'{"x": [' + b"0.5," * (exact_memo.MAX_BYTES // 4) + b"0.5]}",
    }


@pytest.mark.parametrize(
    "damage",
    [
        "not JSON",
        "cut short",
        "a list",
        "a number",
        "text in the list",
        "a boolean in the list",
        "an empty list",
        "too few numbers",
        "too many numbers",
        "an integer in the list",
        "a 401-digit integer",
        "nested past the parser's depth",
        "larger than it may be",
        "shared with the group",
    ],
)
def test_a_file_that_cannot_be_believed_is_ignored_and_written_again(
    tmp_path: Path, computed: list[ContrastResult], damage: str
) -> None:
    with exact_memo.kept(tmp_path):
        _all(TABLES)
    path = exact_memo.memo_file(tmp_path)
    if damage == "shared with the group":
        kept = json.loads(path.read_bytes())
        path.write_text(json.dumps({k: [0.5] * len(v) for k, v in kept.items()}))
        path.chmod(0o664)  # others may have written it: not believed
    else:
        path.write_bytes(_unbelievable(path)[damage])
    with exact_memo.kept(tmp_path):
        assert _all(TABLES) == computed
    with exact_memo.kept(tmp_path / "clean"):
        _all(TABLES)
    clean = json.loads(exact_memo.memo_file(tmp_path / "clean").read_bytes())
    assert json.loads(path.read_bytes()) == clean  # written again, whole
    assert path.stat().st_mode & 0o077 == 0


def _impossible(kind: str) -> list[list[float]]:
    """Kept values of `kind` (`fisher`: (p,), `conditional`: (MLE, low, high)) the code could
    not have computed."""
    nan, inf = float("nan"), float("inf")
    if kind == "fisher":
        return [[nan], [-0.5], [-3.0], [1.5], [7.0], [inf], [-inf]]
    return [
        [nan, 0.1, 2.0],
        [1.0, nan, 2.0],
        [1.0, 0.1, nan],
        [nan, 5.0, 1.0],
        [1.0, 5.0, 1.0],  # ends out of order
        [-1.0, 0.1, 2.0],
        [1.0, -0.1, 2.0],
        [inf, inf, inf],  # an infinite lower end
        [-inf, 0.0, inf],
    ]


@pytest.mark.parametrize("kind", ["fisher", "conditional"])
def test_a_kept_result_the_code_could_not_give_is_computed_again(
    tmp_path: Path, computed: list[ContrastResult], kind: str
) -> None:
    """Each impossible value, in every entry of its kind, is computed again and written again;
    a report over it gives the computed results (no crash in Holm over a NaN p)."""
    with exact_memo.kept(tmp_path):
        _all(TABLES)
    path = exact_memo.memo_file(tmp_path)
    real = json.loads(path.read_bytes())
    for bad in _impossible(kind):
        damaged = {k: (bad if k.startswith(kind + " ") else v) for k, v in real.items()}
        path.write_text(json.dumps(damaged))
        with exact_memo.kept(tmp_path):
            assert _all(TABLES) == computed, bad
        assert json.loads(path.read_bytes()) == real, bad


ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "less", "greater")


def test_every_computed_result_is_one_the_check_accepts() -> None:
    """The checks never refuse what the code computes (else a kept result would be computed
    every time): every table up to 8 per arm, three alternatives, two levels."""
    from analysis import stats

    tables = [
        (k1, n1, k2, n2)
        for n1, n2 in product(range(9), repeat=2)
        for k1 in range(n1 + 1)
        for k2 in range(n2 + 1)
    ]
    for (k1, n1, k2, n2), alt in product(tables, ALTERNATIVES):
        p = stats._fisher_p(k1, n1, k1 + k2, n2, alt)
        assert stats._possible_p((p,)), (k1, n1, k2, n2, alt, p)
        for level in (0.9, 0.95):
            mle, ci = stats._conditional(k1, n1, k1 + k2, n2, level, alt)
            kept = (mle, ci.low, ci.high)
            assert stats._possible_conditional(kept), (k1, n1, k2, n2, kept)


def test_two_reports_ending_together_keep_both_reports_results(tmp_path: Path) -> None:
    """A report writes what it used on top of what the file holds when it ends, so a report
    that ended meanwhile loses nothing."""
    first, second = TABLES[:5], TABLES[5:]
    with exact_memo.kept(tmp_path):
        _all(first)
        with exact_memo.kept(tmp_path):  # another report, started later, ends first
            _all(second)
    with exact_memo.kept(tmp_path / "one"):
        _all(first)
    with exact_memo.kept(tmp_path / "both"):
        _all(TABLES)
    kept = json.loads(exact_memo.memo_file(tmp_path).read_bytes())
    assert kept == json.loads(exact_memo.memo_file(tmp_path / "both").read_bytes())


def test_a_file_grown_past_its_limit_keeps_what_its_last_report_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with exact_memo.kept(tmp_path):
        _all(TABLES[:-1])
    many = len(json.loads(exact_memo.memo_file(tmp_path).read_bytes()))
    monkeypatch.setattr(exact_memo, "MAX_ENTRIES", many)
    with exact_memo.kept(tmp_path):
        _all(TABLES[-1:])  # adds two: past the limit
    kept = json.loads(exact_memo.memo_file(tmp_path).read_bytes())
    k1, n1, k2, n2, _ = TABLES[-1]
    assert sorted(kept) == sorted(
        [
            f"conditional {k1} {n1} {k1 + k2} {n2} 0.95 two-sided",
            f"fisher {k1} {n1} {k1 + k2} {n2} two-sided",
        ]
    )


def test_the_file_is_named_by_the_code_that_computes_its_results(tmp_path: Path) -> None:
    name = exact_memo.memo_file(tmp_path).name
    assert name == f"results-{exact_memo.source_key()}.json"
    for module in exact_memo.SOURCES:
        assert (ROOT / "analysis" / module).is_file()
    assert set(exact_memo.SOURCES) >= {"stats.py", "exact.py"}


_PROBE = """
import contextlib, io, json, sys
import cli.main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = cli.main.main(["report", *sys.argv[1:]])
print(json.dumps({"code": code, "numpy": "numpy" in sys.modules, "out": out.getvalue()}))
"""


def _report(cache: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CANDOR_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_second_report_over_the_same_tables_imports_no_numpy(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    run_blame(logs, "deceptive", epochs=2)
    run_blame(logs, "honest", epochs=2)  # two runs pooled: tables with both outcomes
    cache = tmp_path / "cache"
    computed = _report(cache, str(logs), "--no-cache")
    assert computed["numpy"] is True and computed["code"] == 0
    assert not (cache / "exact").exists()  # --no-cache keeps nothing
    first = _report(cache, str(logs))
    assert exact_memo.memo_file(cache).is_file()
    for entry in (cache / "reports").glob("*"):
        entry.unlink()  # the finished report is not printed again: the report is computed
    second = _report(cache, str(logs))
    assert first["out"] == second["out"] == computed["out"]
    assert "Odds ratio" in str(second["out"])
    assert (first["numpy"], second["numpy"]) == (True, False)
