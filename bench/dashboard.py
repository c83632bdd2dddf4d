"""(c) The dashboard in a real Chromium, started as a user starts it: `candor dashboard LOGDIR`.

Each run is a new server (`python -m cli.main dashboard LOGDIR --server.port P`), cold (an empty
`CANDOR_CACHE_DIR`) or cached (the same cache dir a previous server filled), driven by Playwright
on `/usr/bin/chromium` at 1400 × 900. Timed: first content (from navigation until the Overview's
headline contrasts show their odds ratio and the page's sample count; the count must equal the
samples written), opening a transcript (a click on the Transcripts table's second row until its
heading and verdict show), and changing a filter (one arm picked until the table's count is that
arm's). Each wait for a text runs in the page at every animation frame (`shown`), so a step ends
in the first frame that shows its text; Playwright's own waits poll with a backoff that would
add up to half a second. First content is timed from the browser's navigation to a server
already healthy, so Streamlit's own server start is not in it; Streamlit's frontend start
(loading and running its JavaScript, opening the websocket) is, and its floor is measured apart:
the same browser on an empty Streamlit page that shows the same two texts (`floor`). A row
passes only if the page showed what the logs hold: no exception, no error block other than the
missingness warning, the right counts. The server's peak memory is the kernel's maximum resident
set (VmHWM) of its processes. (The filter is the search box, not the Arm multiselect: that
list's first option is Streamlit's "Select all", which keeps every arm, so clicking it does not
narrow the count.)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from analysis.log_files import TEMPORARY_PREFIX
from bench.render import Row, Section, failed, seconds_row
from bench.synthetic import MODELS, Synthetic, index_problems, indexes_hidden

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTH, HEIGHT = 1400, 900
TIMEOUT_MS = int(os.environ.get("CANDOR_BENCH_TIMEOUT_MS", "120000"))
TARGET_FIRST = 2.0
TARGET_TRANSCRIPT = 0.5
TARGET_FILTER = 0.5
TARGET_LARGE_FIRST = 3.0
TARGET_LARGE_MIB = 500.0
_COUNT = re.compile(r"\b([\d,]+) of ([\d,]+) samples\b")
_SAMPLES = re.compile(r"· ([\d,]+) samples ·")
_MISSINGNESS = "lose samples unevenly"
"""The Overview's missingness warning: content, not a failure."""


VISITS = 3
"""New servers per timed row (cold and cached); each row gives their median and range."""


@dataclass
class DashboardTiming:
    samples: int
    present: bool
    first_render: float | None = None
    """New app, nothing cached: every log read."""
    first_render_warm: float | None = None
    """New app, every log in the outcome cache (as after a restart, or after `candor report`)."""
    transcript: float | None = None
    filter_change: float | None = None
    problems_filter: list[str] = field(default_factory=list)
    large_samples: int | None = None
    large_first: float | None = None
    """New app over the large directory, nothing cached: the Overview's first render."""
    large_peak_mib: float | None = None
    """That app's process: its peak resident memory."""
    problems_large: list[str] = field(default_factory=list)
    large_first_logs: float | None = None
    """The same without the logs' outcome indexes (every log's summaries read)."""
    large_peak_logs_mib: float | None = None
    problems_large_logs: list[str] = field(default_factory=list)
    problems_cold: list[str] = field(default_factory=list)
    problems_warm: list[str] = field(default_factory=list)
    problems_transcript: list[str] = field(default_factory=list)
    peak_mib: float | None = None
    """The largest peak resident set of the 10k servers."""
    floor: float | None = None
    """An empty Streamlit page's first content in the same browser: Streamlit's own floor."""
    transcript_cold: float | None = None
    filter_cold: float | None = None
    note: str = ""
    spreads: dict[str, list[float]] = field(default_factory=dict)
    """Each timed step's value in every visit: `cold`, `warm`, `transcript`, `filter`."""


def _number(text: str | None) -> int | None:
    try:
        return int((text or "").replace(",", ""))
    except ValueError:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (from /proc)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(x) for x in child.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += _tree(kid)
    return found


def _peak_mib(pids: list[int]) -> float:
    """The largest peak resident set (VmHWM) among `pids`, in MiB: the Streamlit server's."""
    peaks = [0.0]
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]

    def peak_mib(self) -> float:
        return _peak_mib(_tree(self.proc.pid))


@contextmanager
def serve(log_dir: Path, cache: Path, work: Path) -> Iterator[Server]:
    """`candor dashboard LOG_DIR` on a free port, with `cache` as its outcome cache."""
    port = _free_port()
    env = {
        **os.environ,
        "CANDOR_CACHE_DIR": str(cache),
        "CANDOR_LABELS": str(work / "labels.sqlite"),
        "CANDOR_LABELLER": "bench",
        "PYTHONPATH": str(REPO),
    }
    env.pop("CANDOR_LOG_DIR", None)
    env.pop("CANDOR_NO_CACHE", None)
    command = [sys.executable, "-m", "cli.main", "dashboard", str(log_dir)]
    command += ["--server.port", str(port), "--server.headless", "true"]
    command += ["--server.fileWatcherType", "none"]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.seek(0)
                    raise RuntimeError(
                        "the dashboard did not start: " + out.read().decode("utf-8", "replace")
                    )
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.2)
            yield Server(url, proc)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server process: terminate, then kill if it has not exited in 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Visit:
    """What one server showed, and how long each step took."""

    first: float | None = None
    transcript: float | None = None
    filter_change: float | None = None
    filtered: tuple[int, int] | None = None
    peak_mib: float | None = None
    problems: list[str] = field(default_factory=list)
    transcript_problems: list[str] = field(default_factory=list)
    filter_problems: list[str] = field(default_factory=list)


def alert_problems(
    where: str, exceptions: list[str], errors: list[str], warnings: list[str]
) -> list[str]:
    """What the page's exception, error and warning blocks say is wrong (the missingness
    warning is content; a warning of unreadable logs or samples is a failure)."""
    found = [f"{where} raised: {t.strip()[:200]}" for t in exceptions]
    found += [
        f"{where} showed an error: {t.strip()[:200]}" for t in errors if _MISSINGNESS not in t
    ]
    return found + [
        f"{where} warned: {t.strip()[:200]}"
        for t in warnings
        if "could not be read" in t or "problem" in t
    ]


def count_problems(caption: str | None, expected: int) -> list[str]:
    """The Overview's count caption (`… · N samples · …`) against the samples written."""
    shown = _SAMPLES.search(caption or "")
    n = _number(shown.group(1)) if shown else None
    return [] if n == expected else [f"the Overview counts {n} samples, expected {expected:,}"]


def filter_problems(arm: str, got: tuple[int, int], expected: int, total: int) -> list[str]:
    """The Transcripts count after searching for one arm, against that arm's samples."""
    if got == (expected, total):
        return []
    return [
        f"searched for the arm {arm}, the page counts {got[0]:,} of {got[1]:,} samples, "
        f"expected {expected:,} of {total:,}"
    ]


def _page_problems(page: Any, where: str) -> list[str]:
    def texts(testid: str) -> list[str]:
        return [str(t) for t in page.locator(f'[data-testid="{testid}"]').all_inner_texts()]

    return alert_problems(
        where, texts("stException"), texts("stAlertContentError"), texts("stAlertContentWarning")
    )


_SHOWN = """
(wanted) => {
  const squeeze = (t) => (t || "").replace(/\\s+/g, " ").trim();
  const found = [];
  for (const [selector, text, how] of wanted) {
    const pattern = how === "regex" ? new RegExp(text) : null;
    const fits = (t) => (pattern ? pattern.test(t) : t.includes(text));
    const matches = (el) => fits(squeeze(el.textContent));
    // one pass while the page lacks the text (a pattern's anchors are the element's)
    const page = squeeze(document.body.textContent);
    const anywhere = pattern ? new RegExp(text.replace(/^\\^/, "").replace(/\\$$/, "")) : null;
    if (anywhere ? !anywhere.test(page) : !page.includes(text)) return false;
    let hit = null;
    for (const el of document.querySelectorAll(selector)) {
      // the innermost element of the selector's that matches, as Playwright's locators choose
      const inner = (c) => c.matches(selector) && matches(c);
      if (!matches(el) || Array.from(el.children).some(inner)) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") {
        continue;
      }
      // innerText leaves out what is not rendered (a display:none part of the element)
      const rendered = squeeze(el.innerText);
      if (fits(rendered)) {
        hit = rendered;
        break;
      }
    }
    if (hit === null) return false;
    found.push(hit);
  }
  return found;
}
"""
"""The page's test, run at every animation frame: each wanted `(selector, text, how)` has a
visible element (a non-empty box, not hidden) whose text matches; the texts found, or false."""

Wanted = tuple[str, str, Literal["contains", "regex"]]
"""A CSS selector, a text, and how an element's text (whitespace collapsed) must match it: hold
it, or match it as a JavaScript regular expression (anchor it for the whole text)."""


def shown(page: Any, wanted: list[Wanted]) -> list[str]:
    """Wait until every wanted text is visible on the page, checked in the page at every
    animation frame (`requestAnimationFrame`), so the wait ends in the first frame that shows
    it; the texts found, in order.

    Playwright's own `locator.wait_for` polls with a growing backoff (after 0, 20, 100, 100 and
    then 500 ms), so a text that shows at 280 ms is seen at 770 ms: too coarse to time a step
    of half a second.
    """
    handle = page.wait_for_function(_SHOWN, arg=wanted, polling="raf", timeout=TIMEOUT_MS)
    return [str(t) for t in handle.json_value()]


_HEADINGS = "h1, h2, h3, h4, h5, h6"


def _first_content(page: Any, url: str, expected: int, visit: Visit) -> None:
    start = time.perf_counter()
    page.goto(url)
    wanted: list[Wanted] = [
        ("body *", _SAMPLES.pattern, "regex"),
        ("body *", "Odds ratio", "contains"),
    ]
    caption, _ = shown(page, wanted)
    visit.first = time.perf_counter() - start
    visit.problems += count_problems(caption, expected)
    _settle(page)  # untimed: an error drawn below the caption counts too
    visit.problems += _page_problems(page, "the Overview")


def _wait_count(page: Any, total: int, want: int | None) -> tuple[int, int]:
    """The Transcripts caption's `X of Y samples` once X is `want` (None: any)."""
    caption = page.get_by_text(_COUNT).first
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        caption.wait_for(state="visible", timeout=TIMEOUT_MS)
        m = _COUNT.search(caption.inner_text())
        got = (_number(m.group(1)) or -1, _number(m.group(2)) or -1) if m else (-1, -1)
        done = got[1] == total and (got[0] == total if want is None else got[0] != total)
        if done or time.monotonic() > deadline:
            return got
        page.wait_for_timeout(20)


def _settle(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=TIMEOUT_MS,
    )


def transcript_heading(
    scenario: str, arm: str, epoch: str, verdict: str, status: str, model: str
) -> list[Wanted]:
    """A transcript as `dashboard.render.header` writes it, from its row's cells: the heading
    whole (its title, `task / ` first where the task is not the scenario, the model (the
    synthetic models share scenarios, arms and epochs), then the verdict and status badges).
    A row without a verdict shows "—"; its badge says "no verdict"."""
    title = re.escape(f"{scenario} · {arm} · epoch {epoch} · {model}")
    word = re.escape("no verdict" if verdict == "—" else verdict)
    heading = f"^(?:\\S+ / )?{title} verdict: {word} status: {re.escape(status)}$"
    return [(_HEADINGS, heading, "regex")]


def _open_transcript(page: Any, url: str, total: int, visit: Visit) -> None:
    page.goto(f"{url}/transcripts")
    _wait_count(page, total, None)
    page.get_by_text("Submitted report", exact=False).first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    cells = grid.locator("[role=row]").nth(2).locator("[role=gridcell]")
    cells.first.wait_for(state="attached", timeout=TIMEOUT_MS)
    box = steady_box(page, grid)  # the rows read are the rows drawn where the click lands
    values = [c.strip() for c in cells.all_text_contents()]
    # scenario, arm, epoch, verdict, status, model, … (`dashboard.views.row_table`)
    scenario, arm, epoch, verdict, status, model = values[:6]
    title = f"{scenario} · {arm} · epoch {epoch} · {model}"
    wanted = transcript_heading(scenario, arm, epoch, verdict, status, model)
    if page.evaluate(_SHOWN, wanted) is not False:  # the row opened already: nothing to time
        visit.transcript_problems.append(f"the transcript {title} was shown before the click")
        return
    start = time.perf_counter()
    page.mouse.click(box["x"] + 18, box["y"] + 35 * 2 + 17)  # the second row's checkbox
    try:
        shown(page, wanted)
        visit.transcript = time.perf_counter() - start
    except Exception as exc:  # Playwright's timeout: the page never showed it
        visit.transcript_problems.append(f"the transcript {title}: {exc}")
    _settle(page)  # untimed: an error drawn in the transcript's body counts too
    visit.transcript_problems += _page_problems(page, "the Transcripts page")


def steady_box(page: Any, locator: Any, frames: int = 5) -> dict[str, float]:
    """The element's box once it has not moved for `frames` animation frames. The table is
    clicked by position (its rows are drawn on a canvas): a box read while the page still
    settles its layout put the click a row too high (the first row opened, not the second)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    last, still = None, 0
    while still < frames:
        box = locator.bounding_box()
        if box is not None and box == last:
            still += 1
        else:
            still = 0
        last = box
        if time.monotonic() > deadline:
            raise RuntimeError("the table kept moving" if last else "the table has no box")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
    assert last is not None
    return dict(last)


def _change_filter(page: Any, total: int, expected: int, visit: Visit) -> None:
    """Search for the first row's arm (the filter bar's search box), until the count is its."""
    _settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    arm = grid.locator("[role=row]").nth(1).locator("[role=gridcell]").nth(1).text_content()
    page.get_by_text("Filters", exact=True).first.click()
    search = page.get_by_role("textbox", name="Search")
    search.wait_for(state="visible", timeout=TIMEOUT_MS)
    search.fill(arm or "")
    start = time.perf_counter()
    search.press("Enter")
    got = _wait_count(page, total, expected)
    visit.filter_change = time.perf_counter() - start
    visit.filtered = got
    visit.filter_problems += filter_problems(arm or "", got, expected, total)
    visit.filter_problems += _page_problems(page, "the filtered Transcripts page")


_EMPTY_APP = (
    "import streamlit as st\n"
    "st.title('Overview')\n"
    "st.caption('1 logs · 1 runs pooled · 10 samples · 10 graded · 0 unscored')\n"
    "st.markdown('Odds ratio 1.00')\n"
)


def floor(work: Path) -> float:
    """First content of an empty Streamlit page (the texts `_first_content` waits for, nothing
    else) on a new server, in the same browser: what Streamlit's frontend start costs alone."""
    from playwright.sync_api import sync_playwright

    app = work / "empty_app.py"
    app.write_text(_EMPTY_APP, encoding="utf-8")
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the empty Streamlit page did not start")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        seen = Visit()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                _first_content(page, url, 10, seen)
            finally:
                browser.close()
        if seen.first is None or seen.problems:
            raise RuntimeError(f"the empty Streamlit page showed: {seen.problems}")
        return seen.first
    finally:
        _stop(proc)


def visit(
    log_dir: Path, cache: Path, work: Path, expected: int, per_arm: int, full: bool = True
) -> Visit:
    """One new server and browser: first content, then (with `full`) a transcript and a filter."""
    from playwright.sync_api import sync_playwright

    seen = Visit()
    with serve(log_dir, cache, work) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            _first_content(page, server.url, expected, seen)
            if full:
                _open_transcript(page, server.url, expected, seen)
                _change_filter(page, expected, per_arm, seen)
        finally:
            browser.close()
            if not kept(cache):
                seen.problems.append("the server did not keep its catalogue within 120 s")
            seen.peak_mib = server.peak_mib()
    return seen


def kept(cache: Path, timeout: float = 120.0) -> bool:
    """Wait until the server has kept its catalogue (written in a thread of its own while the
    page draws), so that its peak memory includes the writing; False if it has not in time."""
    folder = cache / "dashboard"
    deadline = time.monotonic() + timeout
    while True:
        writing = any(folder.glob(f"{TEMPORARY_PREFIX}*"))
        if any(folder.glob("catalogue-*.pickle")) and not writing:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def measure(synthetic: Synthetic, work: Path, large: Synthetic | None = None) -> DashboardTiming:
    """First content cold (empty cache dir) and cached (the same cache dir, a new server),
    opening a transcript and changing a filter; with `large`, its cold first content and memory."""
    n = synthetic.samples
    if not APP.is_file():
        return DashboardTiming(n, present=False, note=f"dashboard not present (no {APP.name})")
    if not CHROMIUM.is_file():
        return DashboardTiming(n, present=False, note=f"no {CHROMIUM} (apt-get install chromium)")
    cache = work / "dashboard-cache"
    shutil.rmtree(cache, ignore_errors=True)
    # every synthetic model runs every arm, so one arm's filter keeps its samples in all models
    per_arm = n // synthetic.arms * MODELS
    try:
        empty = floor(work)
        colds: list[Visit] = []
        for _ in range(VISITS):  # each on an empty cache dir
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(visit(synthetic.log_dir, cache, work, n, per_arm))
        warms = [visit(synthetic.log_dir, cache, work, n, per_arm) for _ in range(VISITS)]
        cold, warm = median_visit(colds), median_visit(warms)
        big = big_logs = None
        if large is not None:
            big_cache = work / "dashboard-cache-large"
            shutil.rmtree(big_cache, ignore_errors=True)
            unindexed = index_problems(large)  # as a run leaves them: each with its index
            big = visit(large.log_dir, big_cache, work, large.samples, 0, full=False)
            big.problems += unindexed
            shutil.rmtree(big_cache, ignore_errors=True)
            with indexes_hidden(large.log_dir):  # for comparison: the logs' summaries read
                big_logs = visit(large.log_dir, big_cache, work, large.samples, 0, full=False)
    except (subprocess.SubprocessError, RuntimeError, ImportError, ValueError) as exc:
        return DashboardTiming(n, True, note=f"could not drive the dashboard: {exc!r}")
    return DashboardTiming(
        n,
        True,
        first_render=cold.first,
        first_render_warm=warm.first,
        transcript=warm.transcript,
        filter_change=warm.filter_change,
        problems_filter=warm.filter_problems,
        large_samples=large.samples if large is not None else None,
        large_first=big.first if big is not None else None,
        large_peak_mib=big.peak_mib if big is not None else None,
        problems_large=big.problems if big is not None else [],
        large_first_logs=big_logs.first if big_logs is not None else None,
        large_peak_logs_mib=big_logs.peak_mib if big_logs is not None else None,
        problems_large_logs=big_logs.problems if big_logs is not None else [],
        problems_cold=cold.problems,
        problems_warm=warm.problems,
        problems_transcript=warm.transcript_problems,
        peak_mib=max(cold.peak_mib or 0, warm.peak_mib or 0),
        floor=empty,
        transcript_cold=cold.transcript,
        filter_cold=cold.filter_change,
        note=f"in Chromium, a new server each, median of {VISITS}",
        spreads={
            "cold": [v.first for v in colds if v.first is not None],
            "warm": [v.first for v in warms if v.first is not None],
            "transcript": [v.transcript for v in warms if v.transcript is not None],
            "filter": [v.filter_change for v in warms if v.filter_change is not None],
        },
    )


def median_visit(visits: list[Visit]) -> Visit:
    """The visits' median of each timed step, every problem any of them met, the largest peak."""

    def middle(values: list[float | None]) -> float | None:
        found = [v for v in values if v is not None]
        return statistics.median(found) if found else None

    def every(lists: list[list[str]]) -> list[str]:
        return list(dict.fromkeys(p for found in lists for p in found))

    peaks = [v.peak_mib for v in visits if v.peak_mib is not None]
    return Visit(
        first=middle([v.first for v in visits]),
        transcript=middle([v.transcript for v in visits]),
        filter_change=middle([v.filter_change for v in visits]),
        filtered=visits[0].filtered if visits else None,
        peak_mib=max(peaks) if peaks else None,
        problems=every([v.problems for v in visits]),
        transcript_problems=every([v.transcript_problems for v in visits]),
        filter_problems=every([v.filter_problems for v in visits]),
    )


def _range(c: DashboardTiming, step: str) -> str:
    found = c.spreads.get(step, [])
    return f" (range {min(found):.2f}–{max(found):.2f} s)" if len(found) > 1 else ""


def _large_rows(c: DashboardTiming) -> list[Row]:
    if c.large_samples is None or c.large_first is None or c.large_peak_mib is None:
        return []
    shows = f"; the page shows {c.large_samples:,} samples, all graded, no error"
    memory = (
        "met"
        if c.large_peak_mib <= TARGET_LARGE_MIB
        else (f"**missed** by {c.large_peak_mib - TARGET_LARGE_MIB:.0f} MiB")
    )
    without = (
        []
        if c.large_first_logs is None or c.large_peak_logs_mib is None
        else [
            Row(
                f"the same without the logs' outcome indexes ({c.large_samples:,} samples, every "
                "log's summaries read), for comparison",
                f"{c.large_first_logs:.2f} s; peak memory {c.large_peak_logs_mib:.0f} MiB",
                "—",
                failed(c.problems_large_logs) if c.problems_large_logs else "measured",
            )
        ]
    )
    return [
        seconds_row(
            f"Dashboard first render (Overview), {c.large_samples:,} samples, new app, nothing "
            "cached (the logs as a run leaves them: each log's outcome index read)",
            c.large_first,
            TARGET_LARGE_FIRST,
            shows if not c.problems_large else "",
            c.problems_large,
        ),
        Row(
            f"peak memory of that app's process ({c.large_samples:,} samples)",
            f"{c.large_peak_mib:.0f} MiB (the kernel's maximum resident set of the process)",
            f"≤ {TARGET_LARGE_MIB:.0f} MiB",
            failed(c.problems_large) if c.problems_large else memory,
        ),
        *without,
    ]


def section(c: DashboardTiming) -> Section:
    notes = [
        "Each run is a new `candor dashboard LOGDIR` server driven by Playwright in Chromium "
        "(1400 × 900); the bench reads what the page showed and compares it with the synthetic "
        "logs (see (d) for how they are made). Cold: an empty `CANDOR_CACHE_DIR`; cached: the "
        "same cache dir, a new server. First content is timed from navigation to a healthy server "
        "(Streamlit's server start excluded, its frontend start included: see the floor row). "
        "A step ends in the first animation frame whose page shows its text in a visible "
        "element (checked in the page at every frame, not by Playwright's polling, which backs "
        "off to 500 ms). "
        "The filter row types in the filter bar's search box; a multiselect's first option is "
        "Streamlit's *Select all*, which keeps every sample and so cannot time a narrowing.",
        "The synthetic logs are as an Inspect run leaves them: each with the outcome index "
        "Candor's hook writes as the task ends (`LOG.candor-index`, written by the same "
        "`analysis.outcome_index.write_index`); a row over them fails if any log's index is "
        "not current. The 100,000-sample row is also run with the indexes moved aside, for "
        "comparison.",
    ]
    if not c.present or c.first_render is None:
        row = Row(
            "Dashboard", c.note, f"≤ {TARGET_FIRST} s / ≤ {TARGET_TRANSCRIPT} s", "not measured"
        )
        return Section("dashboard", "(c) Dashboard", [row], notes=notes)
    first = f"Dashboard first render (Overview), {c.samples:,} samples, new app, "
    shows = f"; the page shows {c.samples:,} samples, all graded, no error"
    return Section(
        "dashboard",
        "(c) Dashboard",
        [
            seconds_row(
                first + f"empty cache dir (each log's outcome index read; median of {VISITS} "
                "servers)",
                c.first_render,
                TARGET_FIRST,
                _range(c, "cold") + (shows if not c.problems_cold else ""),
                c.problems_cold,
            ),
            seconds_row(
                first + f"same cache dir as an earlier server (logs unchanged; median of {VISITS})",
                c.first_render_warm,
                TARGET_FIRST,
                _range(c, "warm") + (shows if not c.problems_warm else ""),
                c.problems_warm,
            ),
            seconds_row(
                "Dashboard: open one transcript (click a row of the Transcripts table)",
                c.transcript,
                TARGET_TRANSCRIPT,
                _range(c, "transcript")
                + (
                    f" ({c.note}; its heading and verdict show)"
                    if not c.problems_transcript
                    else ""
                ),
                c.problems_transcript,
            ),
            seconds_row(
                "Dashboard: change a filter (search for one arm, on Transcripts)",
                c.filter_change,
                TARGET_FILTER,
                _range(c, "filter")
                + (
                    f" ({c.note}; the page counts that arm's samples)"
                    if not c.problems_filter
                    else ""
                ),
                c.problems_filter,
            ),
            *(
                [
                    Row(
                        f"peak memory of a dashboard server ({c.samples:,} samples)",
                        f"{c.peak_mib:.0f} MiB (the kernel's maximum resident set, VmHWM)",
                        "—",
                        "measured",
                    )
                ]
                if c.peak_mib
                else []
            ),
            *(
                [
                    Row(
                        "Streamlit's own floor: an empty Streamlit page's first content, same "
                        "browser, new server",
                        f"{c.floor:.2f} s (the frontend's start; no Candor code)",
                        "—",
                        "measured",
                    )
                ]
                if c.floor is not None
                else []
            ),
            *_large_rows(c),
        ],
        notes=notes,
    )
