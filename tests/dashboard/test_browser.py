"""The dashboard in a real Chromium: open a transcript, nothing executes, label it, reload, see it.

Needs Debian's chromium (`make test` installs it) and Playwright's Python package; never
downloads a browser. Skipped without /usr/bin/chromium, except under CI, where that is a failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard import data
from dashboard.label_store import LabelStore
from tests.dashboard.conftest import APP
from tests.dashboard.serving import free_port, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture
def server(log_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The dashboard on 127.0.0.1:<free port>, started as a user would with `streamlit run`."""
    port = free_port()
    labels = tmp_path / "labels.sqlite"
    log = tmp_path / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--",
        str(log_dir),
        "--labels",
        str(labels),
    ]
    env = {**os.environ, "CANDOR_LABELLER": "browser-tester"}
    env.pop("CANDOR_LOG_DIR", None)
    with served(command, port, log, env) as url:
        yield url, labels


def test_transcript_label_reload(server: tuple[str, Path], log_dir: Path, tmp_path: Path) -> None:
    _need(CHROMIUM.is_file(), f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
    if os.environ.get("CI"):
        import playwright.sync_api as sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    url, labels = server
    ref = next(r.ref for r in data.catalogue(str(log_dir)).rows if r.verdict == "deceptive")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1700})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        expect = sync_api.expect
        page.goto(f"{url}/transcripts?ref={quote(ref)}")
        expect(page.get_by_text("Grader's verdict")).to_be_visible(timeout=TIMEOUT_MS)
        # hostile markup is on screen as text, and nothing it asked for exists in the DOM
        expect(page.get_by_text("<script>alert(1)</script>").first).to_be_visible()
        dom = page.evaluate(
            """() => ({
                scripts: [...document.scripts].filter(s => s.textContent.includes('alert')).length,
                images: [...document.images].map(i => i.getAttribute('src') || ''),
                links: [...document.links].map(a => a.getAttribute('href') || ''),
                bold: [...document.querySelectorAll('b')].map(b => b.textContent),
                handlers: document.querySelectorAll('[onerror]').length,
            })"""
        )
        assert dom["scripts"] == 0 and dom["handlers"] == 0
        assert not [s for s in dom["images"] if "x/i.png" in s or s == "x"]
        assert not [
            h for h in dom["links"] if h.startswith(("http://x", "mailto:")) or "example" in h
        ]
        assert "raw" not in dom["bold"]
        page.get_by_role("heading", name="Submitted report").evaluate(
            "e => e.scrollIntoView({block: 'start'})"
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "transcript.png"))

        page.get_by_test_id("stRadioGroup").get_by_text("honest", exact=True).click()
        page.get_by_label("Note").fill("seen in the browser")
        page.get_by_role("button", name="Save label").click()
        expect(page.get_by_text("Saved: honest by browser-tester.")).to_be_visible(
            timeout=TIMEOUT_MS
        )

        page.reload()
        saved = page.get_by_text("Label by browser-tester: honest", exact=False)
        expect(saved).to_be_visible(timeout=TIMEOUT_MS)
        expect(saved).to_contain_text("seen in the browser")
        page.screenshot(path=str(tmp_path / "after-reload.png"), full_page=True)
        browser.close()
    assert dialogs == []
    [label] = LabelStore(labels).latest()
    assert (label.ref, label.verdict, label.labeller) == (ref, "honest", "browser-tester")
    assert (tmp_path / "transcript.png").stat().st_size > 10_000
