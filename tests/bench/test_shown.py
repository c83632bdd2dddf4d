"""The bench's in-page wait: it ends only once the wanted text is on screen, in the innermost
element that holds it, and never on a hidden or absent one. Drives Debian's Chromium on static
pages (no server); skipped without it, except under CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from bench.dashboard import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEIGHT,
    WIDTH,
    Wanted,
    shown,
    steady_box,
    transcript_heading,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (required under CI)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        finally:
            browser.close()


# each page shows its text when `reveal` is called (150 ms after the test has seen it hidden),
# in a way that hides it until then
LATE = {
    "added": """<body><script>window.reveal = () => {
        const h = document.createElement('h4'); h.textContent = 'blame · human · epoch 2 ';
        const b = document.createElement('span'); b.textContent = 'verdict: honest';
        h.appendChild(b); document.body.appendChild(h);}</script></body>""",
    "as Streamlit writes a heading": """<body><script>window.reveal = () => {
        document.body.innerHTML = '<h4 id=t><span data-heading-text="">blame · human · epoch 2 '
          + '<span class="stMarkdownBadge">verdict: honest</span> <span>status: graded</span>'
          + '</span><span><a href="#t">link</a></span></h4>'}</script></body>""",
    "display none": """<body><h4 id=x style="display:none">blame · human · epoch 2
        <span>verdict: honest</span></h4>
        <script>window.reveal = () => { x.style.display = 'block' }</script></body>""",
    "visibility hidden": """<body><h4 id=x style="visibility:hidden">blame · human · epoch 2
        <span>verdict: honest</span></h4>
        <script>window.reveal = () => { x.style.visibility = 'visible' }</script></body>""",
}
WANTED: list[Wanted] = [
    ("h1, h2, h3, h4", "blame · human · epoch 2", "contains"),
    ("body *", "^verdict: honest$", "regex"),
]
VISIBLE = """() => { const s = [...document.querySelectorAll('span')]
    .find(e => e.textContent === 'verdict: honest');
    const r = s && s.getBoundingClientRect(); return !!r && r.width > 0 && r.height > 0
    && getComputedStyle(s).visibility !== 'hidden'; }"""


@pytest.mark.parametrize("html", LATE.values(), ids=LATE.keys())
def test_the_wait_ends_when_the_text_is_visible(page: Any, html: str) -> None:
    page.set_content(html)
    assert not page.evaluate(VISIBLE)
    page.evaluate("setTimeout(window.reveal, 150)")
    found = shown(page, WANTED)
    assert page.evaluate(VISIBLE)
    assert found[0].startswith("blame · human · epoch 2") and found[1] == "verdict: honest"


@pytest.mark.parametrize(
    ("html", "wanted"),
    [
        ("<p>verdict: honest, or not</p>", ("body *", "^verdict: honest$", "regex")),
        ("<p>blame · human · epoch 2</p>", ("h1, h2, h3, h4", "blame · human", "contains")),
        ("<p>· 9,996 sample ·</p>", ("body *", r"· ([\d,]+) samples ·", "regex")),
        ("<p hidden>· 9,996 samples ·</p>", ("body *", r"· ([\d,]+) samples ·", "regex")),
        (
            '<h4>Transcript <span style="display:none">blame · human · epoch 2</span></h4>',
            ("h1, h2, h3, h4", "blame · human · epoch 2", "contains"),
        ),
    ],
    ids=["not the whole text", "not a heading", "no match", "hidden", "a hidden part"],
)
def test_a_text_that_is_not_shown_never_ends_the_wait(
    page: Any, html: str, wanted: Wanted, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    monkeypatch.setattr("bench.dashboard.TIMEOUT_MS", 300)
    page.set_content(f"<body>{html}</body>")
    with pytest.raises(PlaywrightTimeout):
        shown(page, [wanted])


def test_the_innermost_match_is_returned(page: Any) -> None:
    page.set_content(
        "<body><div><section><p>1 logs · 8 runs pooled · 9,996 samples · 9,996 graded</p>"
        "</section><p>Odds ratio</p></div></body>"
    )
    caption, odds = shown(
        page, [("body *", r"· ([\d,]+) samples ·", "regex"), ("body *", "Odds", "contains")]
    )
    assert caption == "1 logs · 8 runs pooled · 9,996 samples · 9,996 graded"
    assert odds == "Odds ratio"


def _heading(title: str, verdict: str = "honest", model: str = "synthetic/model-1") -> str:
    return (
        f'<h4><span data-heading-text="">{title} · {model} <span class="stMarkdownBadge">'
        f"verdict: {verdict}</span> <span>status: graded</span></span></h4>"
        "<p>end reason: report · log: a.eval#1</p>"
    )


OTHER_TRANSCRIPTS = {
    "a later epoch": _heading("blame · director=ai · epoch 12"),
    "another scenario ending the same": _heading("x_blame · director=ai · epoch 1"),
    "another verdict": _heading("blame · director=ai · epoch 1", "deceptive"),
    "the verdict elsewhere": _heading("blame · director=ai · epoch 1").replace("verdict", "v")
    + '<span class="stMarkdownBadge">verdict: honest</span>',
    "another model": _heading("blame · director=ai · epoch 1", model="synthetic/model-10"),
    "another status": _heading("blame · director=ai · epoch 1").replace("graded", "error"),
}


@pytest.mark.parametrize("html", OTHER_TRANSCRIPTS.values(), ids=OTHER_TRANSCRIPTS.keys())
def test_the_open_transcript_of_another_row_is_not_the_one_waited_for(
    page: Any, html: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    monkeypatch.setattr("bench.dashboard.TIMEOUT_MS", 300)
    page.set_content(f"<body>{html}</body>")
    with pytest.raises(PlaywrightTimeout):
        shown(page, transcript_heading("blame", "director=ai", "1", "honest", "graded", MODEL))


MODEL = "synthetic/model-1"


@pytest.mark.parametrize(
    ("heading", "cells"),
    [
        (_heading("blame (v2) · director=ai · epoch 1"), ("blame (v2)", "honest")),
        (_heading("t / blame · director=ai · epoch 1"), ("blame", "honest")),
        (_heading("blame · director=ai · epoch 1", "no verdict"), ("blame", "—")),
    ],
    ids=["special characters", "a task apart from its scenario", "no verdict"],
)
def test_the_transcript_waited_for_is_seen(
    page: Any, heading: str, cells: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bench.dashboard.TIMEOUT_MS", 5000)
    page.set_content(f"<body><h1>Transcripts</h1>{heading}</body>")
    scenario, verdict = cells
    (found,) = shown(
        page, transcript_heading(scenario, "director=ai", "1", verdict, "graded", MODEL)
    )
    assert found.endswith(
        f"· director=ai · epoch 1 · {MODEL} verdict: "
        + ("no verdict" if verdict == "—" else verdict)
        + " status: graded"
    )


MOVING = """<body><div id=pad style="height:100px"></div><div id=grid style="height:50px">t</div>
<script>let n = 0; const step = () => { if (++n <= 6) { pad.style.height = (100 + 35 * n) + 'px';
  setTimeout(step, 60) } }; setTimeout(step, 60)</script></body>"""


def test_a_box_is_read_once_the_element_has_stopped_moving(page: Any) -> None:
    """The table is clicked by position: its box is the one it keeps, not one read while the
    layout still moves it (the click would open another row)."""
    page.set_content(MOVING)
    box = steady_box(page, page.locator("#grid"))
    assert box["y"] == pytest.approx(100 + 35 * 6 + 8, abs=1)  # body margin 8 px
    assert page.locator("#grid").bounding_box()["y"] == pytest.approx(box["y"], abs=1)
