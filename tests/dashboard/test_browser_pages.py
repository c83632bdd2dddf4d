"""Every page in a real Chromium at 1400 × 900 on a realistic study (`realistic.yaml`), as a
researcher comparing a human arm with an AI arm: every headline card's numbers inside the
viewport without scrolling, no horizontal scroll on any page, the forest, identity strata and
token sections with their numbers, and in blind mode nothing that names the arm or the grader's
judgement.

The server is `candor dashboard LOGS --plan plans/study.yaml --prices … --server.port P`, started
by `tests/dashboard/screenshots.py` (which also rewrites the README's pictures).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from dashboard import across, data, headline, views
from dashboard.diff import word_diff
from dashboard.headline import HeadlineCard, short_model
from dashboard.models import Catalogue, SampleRow
from dashboard.tables import OR_COLUMN
from records.statuses import STATUSES
from scenarios.loader import get_scenario
from tests.dashboard import realistic, screenshots
from tests.dashboard.screenshots import CHROMIUM, CHROMIUM_ARGS, HEIGHT, TIMEOUT_MS, WIDTH
from tests.dashboard.test_browser import _need
from tests.dashboard.test_diff import marked as marked_pieces

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
MAIN = '[data-testid="stMain"]'


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The realistic study's logs, with blind human labels for a share of its transcripts."""
    logs = realistic.write(tmp_path_factory.mktemp("study"))
    screenshots.seed_labels(logs)
    return logs


@pytest.fixture(scope="session")
def catalogue(study: Path) -> Catalogue:
    """The study as the server reads it: its report made with the plan and the prices."""
    return data.catalogue(str(study), str(screenshots.PLAN), str(screenshots.PRICES))


@pytest.fixture(scope="session")
def study_server(study: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with screenshots.serve(study, tmp_path_factory.mktemp("server") / "dashboard.log") as url:
        yield url


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


def _in_view(locator: Any, what: str) -> None:
    """The element is drawn inside the 1400 × 900 viewport, with no scrolling."""
    locator.wait_for(state="visible", timeout=TIMEOUT_MS)
    box = locator.bounding_box()
    assert box is not None, what
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (what, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (what, box)


def _card_figures(card: HeadlineCard) -> list[str]:
    """What a researcher reads off a card: rates, intervals, counts, difference, odds ratio,
    p-values, flags."""
    figures = [
        card.title,
        card.difference,
        card.difference_ci,
        card.odds_ratio,
        card.odds_ratio_ci,
        f"p {card.p}",
        f"Holm-adjusted {card.p_holm}",
        "missingness differs" if card.missingness else "missingness balanced",
        "grader configurations" if card.mixed_graders > 1 else "one grader configuration",
    ]
    for arm in (card.a, card.b):
        figures += [
            f"{arm.arm}:",
            arm.rate,
            arm.ci,
            f"{arm.positive}/{arm.graded} graded",
            f"{arm.unscored} unscored",
        ]
    if card.analysis:
        figures.append(card.analysis)
    return figures


def test_every_headline_card_is_read_without_scrolling(
    catalogue: Catalogue, study_server: str, browser_page: Any, sync_api: Any
) -> None:
    page = browser_page
    cards = headline.headline_cards(catalogue.report)
    assert len(cards) == 4 and all(c.analysis == "confirmatory" for c in cards)
    screenshots.open_page(page, study_server, "Headline contrasts")
    for card in cards:
        box = page.locator('[data-testid="stColumn"]').filter(has_text=card.title).first
        _in_view(box, card.title)
        for figure in _card_figures(card):
            _in_view(box.get_by_text(figure, exact=False).first, f"{card.title}: {figure}")
    assert page.evaluate(NO_SCROLL)
    # the chart below is drawn within the page's width, its legend too
    chart = page.locator(".vega-embed").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert page.evaluate(NO_SCROLL)


def _grid_text(page: Any) -> str:
    """The text of every table cell the data grids draw (their accessible tables)."""
    page.locator('[data-testid="stDataFrame"] [role=gridcell]').first.wait_for(
        state="attached", timeout=TIMEOUT_MS
    )
    return "\n".join(
        page.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stDataFrame"] [role=gridcell]')]
                .map(c => c.textContent.trim())"""
        )
    )


def _tables_fit(page: Any) -> None:
    for table in page.locator('[data-testid="stDataFrame"]').all():
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH, box


def test_models_page_shows_the_forest_with_pooled_estimate_and_heterogeneity(
    catalogue: Catalogue, study_server: str, browser_page: Any
) -> None:
    page = browser_page
    [plot] = catalogue.report.forest
    assert plot.pooled is not None and len(plot.rows) == 4
    screenshots.open_page(page, f"{study_server}/models", "Models side by side")
    pooled = across.pooled_cells(plot.pooled)
    for label, key in (
        ("Pooled odds ratio", across.MH_COLUMN),
        ("CMH p", "CMH p"),
        ("Breslow–Day p", "Breslow–Day p"),
    ):
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
        _in_view(metric.get_by_text(str(pooled[key]), exact=True), label)
    _in_view(page.locator(".vega-embed").first, "the forest")
    cells = _grid_text(page)
    for row in across.forest_rows(plot):
        assert str(row[OR_COLUMN]) in cells and str(row["AI vs human"]) in cells, row
    _tables_fit(page)
    assert page.evaluate(NO_SCROLL)


def test_identities_page_shows_strata_pooled_and_per_identity(
    catalogue: Catalogue, study_server: str, browser_page: Any
) -> None:
    page = browser_page
    report = catalogue.report
    assert report.identity_strata and report.identity_rates
    screenshots.open_page(page, f"{study_server}/identities", "Rate per identity")
    cells = _grid_text(page)
    for row in across.strata_summary_rows(report):
        for key in ("MH OR over slots (95% CI)", "CMH p", "Breslow–Day p"):
            assert str(row[key]) in cells, (key, row)
    _tables_fit(page)
    assert page.evaluate(NO_SCROLL)


def test_tokens_page_shows_tokens_and_cost_per_role(
    catalogue: Catalogue, study_server: str, browser_page: Any
) -> None:
    page = browser_page
    usage = catalogue.report.usage
    assert usage.priced and not usage.unpriced_models
    screenshots.open_page(page, f"{study_server}/tokens", "Per run")
    cells = _grid_text(page)
    for row in across.usage_rows(usage.arms, usage.priced)[:4]:
        for key in ("target per sample", "grader per sample", "cost"):
            assert str(row[key]) in cells, (key, row)
    _in_view(page.locator(".vega-embed").first, "tokens per arm")
    _tables_fit(page)
    assert page.evaluate(NO_SCROLL)


def test_transcript_opens_with_heading_verdict_and_report_above_the_fold(
    catalogue: Catalogue, study_server: str, browser_page: Any, sync_api: Any
) -> None:
    page, expect = browser_page, sync_api.expect
    ref = screenshots.headline_ref(catalogue.rows)
    screenshots.open_page(page, f"{study_server}/transcripts?ref={quote(ref)}", "Submitted report")
    heading = page.get_by_role(
        "heading", name="blame_postmortem · overseer=ai,audit=none · epoch", exact=False
    )
    expect(heading.first).to_be_visible()
    verdict = page.get_by_text("verdict: deceptive", exact=True).first
    for element, what in (
        (heading.first, "heading"),
        (verdict, "verdict"),
        (page.get_by_text("Submitted report", exact=True).first, "report"),
    ):
        _in_view(element, what)
    # the table: verdict and status in view, no log reference column
    table = page.locator('[data-testid="stDataFrame"]').first
    table.locator("[role=columnheader]").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    columns = [(c.text_content() or "").strip() for c in table.locator("[role=columnheader]").all()]
    assert "ref" not in columns and "log" not in columns, columns
    assert "verdict" in columns[:5] and "status" in columns[:5], columns
    _tables_fit(page)
    assert page.evaluate(NO_SCROLL)


def test_side_by_side_opens_on_the_headline_pair_with_differences_marked(
    catalogue: Catalogue, study_server: str, browser_page: Any, sync_api: Any
) -> None:
    page, expect = browser_page, sync_api.expect
    screenshots.open_page(page, f"{study_server}/side_by_side", "The scenario's headline contrast.")
    epoch = screenshots.contrasting_epoch(catalogue.rows)
    shot = screenshots.Shot(name="", path="side_by_side", heading="", epoch=epoch)
    screenshots.prepare(page, shot)
    expect(
        page.get_by_role(
            "heading", name=f"blame_postmortem · overseer=human,audit=none · epoch {epoch}"
        ).first
    ).to_be_visible()
    a, b = (
        next(
            r
            for r in catalogue.rows
            if r.outcome.scenario == "blame_postmortem"
            and r.outcome.model.endswith("frontier-a")
            and r.outcome.arm == arm
            and r.outcome.epoch == epoch
        )
        for arm in ("overseer=ai,audit=none", "overseer=human,audit=none")
    )
    assert (a.verdict, b.verdict) == ("deceptive", "honest")
    accounts = [_account(r) for r in (a, b)]
    marked = page.evaluate(
        """() => [...document.querySelectorAll('span.stMarkdownColoredBackground')]
            .map(s => s.textContent.trim())"""
    )
    first = marked_pieces(word_diff(*accounts)[0])[0]
    assert first in marked, (first, marked)
    assert page.evaluate(NO_SCROLL)


def _account(row: SampleRow) -> str:
    t = data.transcript(row)
    assert t.episode is not None and t.episode.submissions
    return t.episode.submissions[-1].fields["account"]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("labels", "Latest label per transcript and labeller"),
        ("calibration", "Agreement per arm"),
    ],
)
def test_labels_and_calibration_pages_fit(
    study_server: str, browser_page: Any, path: str, heading: str
) -> None:
    screenshots.open_page(browser_page, f"{study_server}/{path}", heading)
    assert browser_page.evaluate(NO_SCROLL)


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
    statuses = ["Status", "status: ", *(s for s in STATUSES if s != "graded")]
    return sorted(w for w in arms | names if w.strip()) + verdicts + statuses


PAGE_LINKS = {
    "labels": "Labels",
    "overview": "Overview",
    "models": "Models",
    "identities": "Identities",
    "tokens": "Tokens and cost",
    "side_by_side": "Side by side",
    "calibration": "Calibration",
    "rounds_families": "Rounds and families",
}


@pytest.mark.parametrize("path", ["transcripts", *PAGE_LINKS])
def test_blind_mode_shows_nothing_of_the_arm_in_the_browser(
    catalogue: Catalogue, study_server: str, browser_page: Any, sync_api: Any, path: str
) -> None:
    page, expect = browser_page, sync_api.expect
    rows = catalogue.rows
    ref = screenshots.headline_ref(rows)
    # open the transcript in the open view first, then switch blind labelling on
    screenshots.open_page(page, f"{study_server}/transcripts?ref={quote(ref)}", "Submitted report")
    page.get_by_text("Blind labelling", exact=True).click()
    expect(page.get_by_text("Transcript (as the grader read it)")).to_be_visible(timeout=TIMEOUT_MS)
    if path != "transcripts":
        page.get_by_role("link", name=PAGE_LINKS[path], exact=True).click()
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
    elif path != "labels":  # the Labels page lists the labeller's own labels
        assert "Blind labelling is on" in text


def test_screenshots_of_every_page(study: Path, study_server: str, tmp_path: Path) -> None:
    """`python -m tests.dashboard.screenshots` draws every page of the README at 1400 × 900."""
    from PIL import Image

    written = screenshots.take(study_server, study, tmp_path)
    assert [p.name for p in written] == [s.name for s in screenshots.shots(study)]
    for path in written:
        with Image.open(path) as image:
            assert image.size == (WIDTH, HEIGHT), path


@pytest.fixture(scope="session")
def wide_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four models × two two-arm scenarios, three epochs per arm: eight headline contrasts."""
    study = realistic.wide(4, 3, ("blame_postmortem", "performance_attestation"))
    return realistic.write(tmp_path_factory.mktemp("wide"), study)


def test_eight_headline_contrasts_are_read_without_scrolling(
    wide_study: Path, tmp_path: Path, browser_page: Any
) -> None:
    page = browser_page
    cards = headline.headline_cards(data.catalogue(str(wide_study)).report)
    assert len(cards) == 8
    with screenshots.serve(wide_study, tmp_path / "dashboard.log", plan=None) as url:
        screenshots.open_page(page, url, "Headline contrasts")
        table = page.locator(".st-key-headline_table")
        for card in cards:
            row = table.locator("tr").filter(
                has_text=f"{card.scenario} · {short_model(card.model)}"
            )
            _in_view(row.first, card.title)
            for figure in _row_figures(card):
                _in_view(
                    row.first.get_by_text(figure, exact=False).first, f"{card.title}: {figure}"
                )
        assert page.evaluate(NO_SCROLL)
        # the table itself does not scroll sideways either
        assert page.evaluate(
            """() => [...document.querySelectorAll('.st-key-headline_table *')]
                .every(e => e.scrollWidth <= e.clientWidth + 1 || e.clientWidth === 0)"""
        )


def _row_figures(card: HeadlineCard) -> list[str]:
    """What a researcher reads off a contrast's row: the card's figures, intervals in short."""
    a, b = (arm.ci.replace("%", "").replace(" to ", "–") for arm in (card.a, card.b))
    return [
        f"{card.a.rate} ({a})",
        f"{card.b.rate} ({b})",
        card.difference.removesuffix(" points"),
        card.difference_ci.removeprefix("95% CI "),
        f"{card.odds_ratio} ({card.odds_ratio_ci.removeprefix('exact 95% CI ')})",
        f"{card.p_holm} ({card.p})",
        f"{card.a.positive}/{card.a.graded} · {card.b.positive}/{card.b.graded}; "
        f"{card.a.unscored} · {card.b.unscored} unscored",
        "missingness differs" if card.missingness else "missingness balanced",
        "grader configs" if card.mixed_graders > 1 else "1 grader config",
    ]


GRID_FITS = """(m) => [...document.querySelectorAll(m + ' [data-testid=stDataFrame]')].map(t => {
    const s = t.querySelector('.dvn-scroller');
    return s ? [s.scrollHeight, s.clientHeight, s.scrollWidth, s.clientWidth] : null;
})"""


@pytest.mark.parametrize(
    ("path", "heading", "rows"),
    [
        ("transcripts", "Submitted report", "TABLE_ROWS"),
        ("labels", "Latest label per transcript and labeller", "LABEL_ROWS"),
    ],
)
def test_transcripts_and_labels_tables_show_their_page_without_inner_scrolling(
    study_server: str, browser_page: Any, path: str, heading: str, rows: str
) -> None:
    page = browser_page
    screenshots.open_page(page, f"{study_server}/{path}", heading)
    [fits] = page.evaluate(GRID_FITS, MAIN)
    assert fits is not None
    height, client, width, client_width = fits
    assert height <= client, fits  # every row of the page drawn, no inner scrollbar
    assert width <= client_width, fits  # every column drawn, verdict and status among them
    # the page's rows are all in the grid's accessible table, each inside the viewport
    table = page.locator('[data-testid="stDataFrame"]').first
    cells = table.locator("[role=row]")
    # the grid fills its accessible table after it draws: wait for the page's last row
    cells.nth(getattr(views, rows)).wait_for(state="attached", timeout=30_000)
    assert cells.count() == getattr(views, rows) + 1  # the header row and a page of rows
    columns = [(c.text_content() or "").strip() for c in table.locator("[role=columnheader]").all()]
    wanted = ("verdict", "status") if path == "transcripts" else ("transcript", "verdict", "grader")
    assert set(wanted) <= set(columns), columns
    _in_view(table, "the table")
    assert page.evaluate(NO_SCROLL)
