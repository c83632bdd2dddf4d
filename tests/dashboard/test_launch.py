"""The launcher `candor dashboard` starts Streamlit through: it reads the catalogue before the
first browser connects, with the app's own cache key, and never in the server's way."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, launch
from dashboard.config import launch_options
from dashboard.models import Catalogue

MakeApp = Callable[..., AppTest]
PLAN = Path(__file__).resolve().parents[2] / "plans" / "study.yaml"
PRICES = Path(__file__).resolve().parent / "prices.yaml"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """Every catalogue build (no disk cache, empty memory caches), slowed so that a page asking
    while the launcher builds really overlaps it."""
    monkeypatch.setenv("CANDOR_NO_CACHE", "1")
    calls: list[tuple[Any, ...]] = []
    real = data._build_catalogue

    def counted(*args: Any) -> Catalogue:
        calls.append(args)
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(data, "_build_catalogue", counted)
    data.clear()
    yield calls
    data.clear()


def _argv(log_dir: Path, *extra: str) -> list[str]:
    app = str(Path(data.__file__).with_name("app.py"))
    return ["run", app, "--server.port", "8600", "--", str(log_dir), *extra]


def _shown(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(str(c.value) for c in at.caption)


@pytest.mark.parametrize(
    ("plan", "prices"),
    [(None, None), (PLAN, PRICES), (PLAN, None)],
    ids=["logs-only", "plan-and-prices", "plan-only"],
)
def test_the_launcher_builds_the_catalogue_the_first_page_uses(
    app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    builds: list[tuple[Any, ...]],
    log_dir: Path,
    plan: Path | None,
    prices: Path | None,
) -> None:
    extra = [*(["--plan", str(plan)] if plan else [])]
    extra += ["--prices", str(prices)] if prices else []
    launch.prepare(launch_options(launch.script_arguments(_argv(log_dir, *extra)), {}))
    assert len(builds) == 1
    for name, given in (("CANDOR_PLAN", plan), ("CANDOR_PRICES", prices)):
        if given is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, str(given))
    at = app().run(timeout=60)
    assert len(builds) == 1, "the page built the catalogue again: not the launcher's cache key"
    assert str(log_dir) in builds[0][0]
    assert "samples" in _shown(at)


def test_a_page_arriving_during_the_build_waits_for_it_rather_than_building_again(
    app: MakeApp, builds: list[tuple[Any, ...]], log_dir: Path
) -> None:
    thread = launch.start_preparing(_argv(log_dir), {})
    assert thread is not None and thread.name == launch.THREAD_NAME
    at = app().run(timeout=60)  # while the thread is still inside the (slowed) build
    thread.join(timeout=60)
    assert len(builds) == 1
    assert "samples" in _shown(at)


def test_a_failed_preparation_is_reported_and_the_page_builds_it_itself(
    app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    builds: list[tuple[Any, ...]],
    log_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    counted = data._build_catalogue
    failed = threading.Event()

    def first_fails(*args: Any) -> Catalogue:
        if not failed.is_set():
            failed.set()
            raise OSError("disk on fire")
        return counted(*args)

    monkeypatch.setattr(data, "_build_catalogue", first_fails)
    thread = launch.start_preparing(_argv(log_dir), {})
    assert thread is not None
    thread.join(timeout=60)
    assert "preparing the catalogue failed (OSError: disk on fire)" in capsys.readouterr().err
    at = app().run(timeout=60)
    assert len(builds) == 1  # the page's own build
    assert "samples" in _shown(at)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "dashboard/app.py", "--", "logs", "--plan", "p.yaml"], "logs"),
        (["run", "dashboard/app.py", "--server.port", "8600", "--", "logs"], "logs"),
        (["run", "dashboard/app.py", "--server.port", "8600"], None),
        (["run", "dashboard/app.py", "--", "   "], None),
        (["hello"], None),
    ],
)
def test_only_a_run_with_a_log_directory_is_prepared(
    argv: list[str], expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(launch, "prepare", started.append)
    thread = launch.start_preparing(argv, {})
    if thread is not None:
        thread.join(timeout=10)
    assert (thread is not None) == (expected is not None)
    opts = launch_options(launch.script_arguments(argv), {})
    assert opts.log_dir == (expected or (argv[-1] if argv[-2:-1] == ["--"] else None))


def test_the_launcher_hands_streamlit_its_arguments_unchanged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import streamlit.web.cli as cli

    seen: list[tuple[list[str], str | None]] = []

    def fake_main(prog_name: str | None = None) -> None:
        seen.append((list(sys.argv), prog_name))

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(launch, "start_preparing", lambda argv: None)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    argv = _argv(tmp_path, "--labels", "l.db")
    launch.main(argv)
    assert seen == [(["streamlit", *argv], "streamlit")]


def test_filtered_rows_are_kept_per_filter_values_and_follow_them(log_dir: Path) -> None:
    from dashboard import lookups
    from dashboard.filters import Filters, apply

    rows = data.catalogue(str(log_dir)).rows
    arm = rows[0].outcome.arm
    picked = Filters(arms=(arm,))
    first = lookups.filtered(rows, picked, frozenset())
    assert first == apply(rows, picked) and {r.outcome.arm for r in first} == {arm}
    assert lookups.filtered(rows, Filters(arms=(arm,)), frozenset()) is first  # kept
    labelled = frozenset({rows[0].ref})
    only = lookups.filtered(rows, Filters(labelled="labelled"), labelled)
    assert [r.ref for r in only] == [rows[0].ref]
    assert lookups.filtered(rows, Filters(labelled="labelled"), frozenset()) == []
    assert len(lookups.filtered(rows, Filters(), frozenset())) == len(rows)


def test_a_page_run_warms_the_transcript_reader_once(app: MakeApp) -> None:
    """After a page has drawn, Inspect's sample reader is imported in one background thread
    (per process), so the first transcript opened does not wait for the import."""
    first = app().run()
    assert not first.exception
    thread = data.warm_transcript_reader()
    assert thread.name == data.WARM_THREAD
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert "dashboard.transcript" in sys.modules and "inspect_ai.log" in sys.modules
    again = app().run()
    assert not again.exception
    assert data.warm_transcript_reader() is thread
    assert [t for t in threading.enumerate() if t.name == data.WARM_THREAD] == []
