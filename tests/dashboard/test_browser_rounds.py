"""The Rounds and families page in a real Chromium at 1400 px, on real logs of the inquiry family
(`family_logs`): each arm's trajectory shares and the family's pooled odds ratio on screen, and
no horizontal scroll."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analysis.logs import load_outcomes
from analysis.report import build_report
from dashboard import families_view
from tests.dashboard import family_logs
from tests.dashboard.serving import free_port, served
from tests.dashboard.test_browser import CHROMIUM, CHROMIUM_ARGS, _need

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 1400, 900
TIMEOUT_MS = 90_000
NO_SCROLL = "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"


@pytest.fixture(scope="session")
def family_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    logs = family_logs.write(tmp_path_factory.mktemp("family_study"))
    port = free_port()
    log = tmp_path_factory.mktemp("family_server") / "candor-dashboard.log"
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "dashboard",
        str(logs),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "CANDOR_LABELLER": "ann"}
    env.pop("CANDOR_LOG_DIR", None)
    with served(command, port, log, env) as url:
        yield url, logs


@pytest.fixture
def browser_page() -> Iterator[Any]:
    _need(CHROMIUM.is_file(), f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
    api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}), api.expect
        browser.close()


def test_rounds_and_families_show_their_numbers_at_1400_px(
    family_server: tuple[str, Path], browser_page: tuple[Any, Any]
) -> None:
    url, logs = family_server
    page, expect = browser_page
    report = build_report(load_outcomes([logs]))
    page.goto(f"{url}/rounds_families")
    expect(page.get_by_text("Round by round", exact=True).first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)
    tables = page.locator('[data-testid="stTable"]')
    trajectories = tables.first
    for row in families_view.trajectory_rows(report.rounds):
        line = (
            trajectories.locator("tr")
            .filter(has_text=str(row["scenario"]))
            .filter(has_text=str(row["arm"]))
        )
        for name in families_view.TRAJECTORY_NAMES.values():
            expect(line.get_by_text(str(row[name]), exact=True).first).to_be_visible()
    lab_ai = (
        trajectories.locator("tr")
        .filter(has_text="inquiry_rounds_lab")
        .filter(has_text="overseer=ai")
    )
    expect(lab_ai.get_by_text("2 (100.0%)", exact=True)).to_be_visible()
    [family] = [r for r in families_view.family_table_rows(report.families) if r["headline"]]
    pooled = tables.last
    pooled.scroll_into_view_if_needed()
    for key in ("MH odds ratio", "CMH p"):
        expect(pooled.get_by_text(str(family[key]), exact=True).first).to_be_visible()
    expect(
        pooled.get_by_text("inquiry_rounds_lab: 100.0% vs 0.0% (n 2/2)", exact=False)
    ).to_be_visible()
    for table in tables.all():
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
    assert page.evaluate(NO_SCROLL)
