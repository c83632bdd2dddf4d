"""Every page in a real Chromium at 1400 px on a realistic study (`realistic.yaml`), as a
researcher comparing a human arm with an AI arm: the headline card's numbers on screen, no
horizontal scroll, and in blind mode nothing that names the arm or the grader's judgement.

The server is started with `candor dashboard LOGS --server.port P --server.headless true`, as a
Streamlit user types options. `CANDOR_UPDATE_SCREENSHOT=1` rewrites the README's screenshots
(docs/dashboard-*.png) from the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from dashboard import data, headline
from dashboard.diff import word_diff
from dashboard.label_store import Label, LabelStore
from dashboard.models import SampleRow
from scenarios.loader import get_scenario
from tests.dashboard import realistic
from tests.dashboard.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _need, _wait_healthy
from tests.dashboard.test_diff import marked as marked_pieces

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 1400, 900
TIMEOUT_MS = 90_000
DOCS = Path(__file__).resolve().parents[2] / "docs"
UPDATE_DOCS = os.environ.get("CANDOR_UPDATE_SCREENSHOT") == "1"
NO_SCROLL = "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
MAIN = '[data-testid="stMain"]'


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realistic study's logs, with human labels for a share of its transcripts."""
    logs = realistic.write(tmp_path_factory.mktemp("study"))
    rows = data.catalogue(str(logs)).rows
    store = LabelStore(logs / "candor-labels.sqlite")
    store.initialise()
    flip = {"deceptive": "honest", "honest": "deceptive"}
    for i, r in enumerate(r for r in rows if r.verdict):
        if i % 3:
            continue
        verdict = flip[r.verdict or "honest"] if i % 15 == 0 else r.verdict
        o = r.outcome
        store.save(
            Label(
                log=o.log,
                sample_id=o.sample_id,
                epoch=o.epoch,
                labeller="ann",
                verdict=verdict,
                blind=True,
            )  # type: ignore[arg-type]
        )
    return logs


@pytest.fixture(scope="session")
def study_server(study: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "candor-dashboard.log"
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "dashboard",
        str(study),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "CANDOR_LABELLER": "ann"}
    env.pop("CANDOR_LOG_DIR", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()  # the command forwards the signal to Streamlit, its child
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def sync_api() -> Any:
    _need(CHROMIUM.is_file(), f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
    if os.environ.get("CI"):
        import playwright.sync_api as api

        return api
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright")


@pytest.fixture
def browser_page(sync_api: Any) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        yield page
        browser.close()


def _open(page: Any, sync_api: Any, url: str, heading: str) -> None:
    page.goto(url)
    sync_api.expect(page.get_by_text(heading, exact=True).first).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # charts and tables draw after the script finishes


def _shot(page: Any, name: str, tmp_path: Path) -> None:
    """A screenshot of the page as it is; for the README, with the sidebar (which names this
    run's temporary directories) folded away."""
    page.screenshot(path=str(tmp_path / name))
    if UPDATE_DOCS:
        page.hover('[data-testid="stSidebar"]')
        page.locator('[data-testid="stSidebarCollapseButton"]').click()
        page.wait_for_timeout(1500)
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / name))


def _headline_ref(rows: list[SampleRow]) -> str:
    return next(
        r.ref
        for r in rows
        if r.outcome.scenario == "blame_postmortem"
        and r.outcome.arm == "overseer=ai,audit=none"
        and r.verdict == "deceptive"
        and r.outcome.model.endswith("frontier-a")
        and r.outcome.tally("tactics")
        and "invented_policy" in r.outcome.tally("tactics")
    )


def test_overview_answers_first_without_scrolling(
    study: Path, study_server: str, browser_page: Any, sync_api: Any, tmp_path: Path
) -> None:
    page, expect = browser_page, sync_api.expect
    report = data.catalogue(str(study)).report
    [card] = [
        c
        for c in headline.headline_cards(report)
        if c.scenario == "blame_postmortem" and c.model.endswith("frontier-a")
    ]
    _open(page, sync_api, study_server, "Headline contrasts")
    cards = page.locator('[data-testid="stColumn"]').filter(has_text=card.title)
    first = cards.first
    for figure in (card.a.rate, card.b.rate, card.difference, card.odds_ratio):
        expect(first.get_by_text(figure, exact=False).first).to_be_visible()
        assert first.get_by_text(figure, exact=False).first.bounding_box()["y"] < HEIGHT, figure
    expect(first.get_by_text(f"Fisher's exact p: {card.p}", exact=False)).to_be_visible()
    expect(
        first.get_by_text(f"{card.a.positive} / {card.a.graded} graded", exact=False)
    ).to_be_visible()
    assert page.evaluate(NO_SCROLL)
    _shot(page, "dashboard-overview.png", tmp_path)
    # the chart is drawn within the page (its labels and colours are tested on its spec)
    chart = page.locator(".vega-embed").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert page.evaluate(NO_SCROLL)


def test_transcript_opens_with_heading_verdict_and_report_above_the_fold(
    study: Path, study_server: str, browser_page: Any, sync_api: Any, tmp_path: Path
) -> None:
    page, expect = browser_page, sync_api.expect
    rows = data.catalogue(str(study)).rows
    ref = _headline_ref(rows)
    _open(page, sync_api, f"{study_server}/transcripts?ref={quote(ref)}", "Submitted report")
    heading = page.get_by_role(
        "heading", name="blame_postmortem · overseer=ai,audit=none · epoch", exact=False
    )
    expect(heading.first).to_be_visible()
    verdict = page.get_by_text("verdict: deceptive", exact=True).first
    expect(verdict).to_be_visible()
    report = page.get_by_text("Submitted report", exact=True).first
    for element in (heading.first, verdict, report):
        box = element.bounding_box()
        assert box is not None and box["y"] < HEIGHT, element
    # the table: verdict and status in view, no log reference column
    table = page.locator('[data-testid="stDataFrame"]').first
    table.locator("[role=columnheader]").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    columns = [(c.text_content() or "").strip() for c in table.locator("[role=columnheader]").all()]
    assert "ref" not in columns and "log" not in columns, columns
    assert "verdict" in columns[:5] and "status" in columns[:5], columns
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert page.evaluate(NO_SCROLL)
    _shot(page, "dashboard-transcript.png", tmp_path)


def test_side_by_side_opens_on_the_headline_pair_with_differences_marked(
    study: Path, study_server: str, browser_page: Any, sync_api: Any, tmp_path: Path
) -> None:
    page, expect = browser_page, sync_api.expect
    _open(page, sync_api, f"{study_server}/side_by_side", "Side by side")
    expect(page.get_by_text("The scenario's headline contrast.")).to_be_visible(timeout=TIMEOUT_MS)
    group = page.get_by_test_id("stSelectbox").first
    group.click()
    page.get_by_role("option", name="blame_postmortem — mockllm/frontier-a").click()
    expect(
        page.get_by_role(
            "heading", name="blame_postmortem · overseer=ai,audit=none · epoch 1", exact=False
        ).first
    ).to_be_visible(timeout=TIMEOUT_MS)
    expect(
        page.get_by_role(
            "heading", name="blame_postmortem · overseer=human,audit=none · epoch 1", exact=False
        ).first
    ).to_be_visible()
    page.wait_for_timeout(1000)
    rows = data.catalogue(str(study)).rows
    a, b = (
        next(
            r
            for r in rows
            if r.outcome.scenario == "blame_postmortem"
            and r.outcome.model.endswith("frontier-a")
            and r.outcome.arm == arm
            and r.outcome.epoch == 1
        )
        for arm in ("overseer=ai,audit=none", "overseer=human,audit=none")
    )
    accounts = [_account(r) for r in (a, b)]
    marked = page.evaluate(
        """() => [...document.querySelectorAll('span.stMarkdownColoredBackground')]
            .map(s => s.textContent.trim())"""
    )
    if accounts[0] != accounts[1]:
        first = marked_pieces(word_diff(*accounts)[0])[0]
        assert first in marked, (first, marked)
    assert page.evaluate(NO_SCROLL)
    _shot(page, "dashboard-side-by-side.png", tmp_path)


def _account(row: SampleRow) -> str:
    t = data.transcript(row)
    assert t.episode is not None and t.episode.submissions
    return t.episode.submissions[-1].fields["account"]


@pytest.mark.parametrize(
    ("path", "heading", "shot"),
    [
        ("labels", "Latest label per transcript and labeller", "dashboard-labels.png"),
        ("calibration", "Agreement per arm", "dashboard-calibration.png"),
    ],
)
def test_labels_and_calibration_pages_fit(
    study_server: str,
    browser_page: Any,
    sync_api: Any,
    tmp_path: Path,
    path: str,
    heading: str,
    shot: str,
) -> None:
    _open(browser_page, sync_api, f"{study_server}/{path}", heading)
    assert browser_page.evaluate(NO_SCROLL)
    _shot(browser_page, shot, tmp_path)


def _forbidden(rows: list[SampleRow]) -> list[str]:
    arms = {r.outcome.arm for r in rows}
    names: set[str] = set()
    for scenario in {r.outcome.scenario for r in rows}:
        for party in get_scenario(scenario).spec.parties.values():
            for species, variant in party.species.items():
                for identity in variant.pool(species):
                    names |= set(identity.cues) | set(identity.text.values())
    verdicts = [f"— {v}" for v in ("deceptive", "honest")] + [
        "verdict: ",
        "Grader's verdict",
        "Rationale",
    ]
    return sorted(w for w in arms | names if w.strip()) + verdicts


@pytest.mark.parametrize(
    "path", ["transcripts", "labels", "overview", "side_by_side", "calibration"]
)
def test_blind_mode_shows_nothing_of_the_arm_in_the_browser(
    study: Path, study_server: str, browser_page: Any, sync_api: Any, tmp_path: Path, path: str
) -> None:
    page, expect = browser_page, sync_api.expect
    rows = data.catalogue(str(study)).rows
    ref = _headline_ref(rows)
    # open the transcript in the open view first, then switch blind labelling on
    _open(page, sync_api, f"{study_server}/transcripts?ref={quote(ref)}", "Submitted report")
    page.get_by_text("Blind labelling", exact=True).click()
    expect(page.get_by_text("Transcript (as the grader read it)")).to_be_visible(timeout=TIMEOUT_MS)
    if path != "transcripts":
        page.get_by_role(
            "link",
            name={
                "labels": "Labels",
                "overview": "Overview",
                "side_by_side": "Side by side",
                "calibration": "Calibration",
            }[path],
        ).click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(3000)
    else:
        page.wait_for_timeout(1500)
    text = page.locator(MAIN).inner_text()
    values = page.evaluate("() => [...document.querySelectorAll('input')].map(i => i.value)")
    shown = text + "\n" + "\n".join(values) + "\n" + page.url
    leaked = [w for w in _forbidden(rows) if w in shown]
    assert leaked == [], leaked
    assert page.evaluate(NO_SCROLL)
    if path == "transcripts":
        assert "[REVIEWER]" in text
        _shot(page, "dashboard-blind-labelling.png", tmp_path)
