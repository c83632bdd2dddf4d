"""The README's dashboard screenshots, one per page, in Chromium at 1400 × 900 on the realistic
offline study (`tests.dashboard.realistic`), started as a user starts it:
`candor dashboard LOGS --plan plans/study.yaml --prices tests/dashboard/prices.yaml`.

    python -m tests.dashboard.screenshots            # writes the study to logs/screenshot-study
    python -m tests.dashboard.screenshots LOGS --out docs

rewrites docs/dashboard-*.png (the sidebar, which names local folders, folded away). The study
is written where a user keeps logs (`logs/` in the repository, which git ignores) and the server
runs in the repository, so the pages name its files as the user would type them. The Rounds and
families page is taken on the inquiry family's logs (`tests.dashboard.family_logs`: the study
has no scenario judged round by round). The browser tests (`test_browser_pages.py`) use the same
server, labels and page list.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from dashboard import data
from dashboard.label_store import Label, LabelStore
from dashboard.models import SampleRow
from tests.dashboard.serving import free_port, served

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PLAN = ROOT / "plans" / "study.yaml"
PRICES = Path(__file__).with_name("prices.yaml")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTH, HEIGHT = 1400, 900
TIMEOUT_MS = 90_000
LABELLER = "ann"


class Shot(BaseModel):
    """One page of the dashboard as the README shows it."""

    model_config = ConfigDict(frozen=True)

    name: str
    """The file name under docs/."""
    path: str
    """The page's URL path (and query)."""
    heading: str
    """Text the page shows once it has drawn."""
    blind: bool = False
    epoch: int | None = None
    """Side by side: the epoch to open."""


def contrasting_epoch(rows: list[SampleRow]) -> int:
    """An epoch of the headline scenario (frontier-a) in which the AI arm's account was judged
    deceptive and the human arm's honest: the pair that shows what differs."""
    verdicts = {
        (r.outcome.arm, r.outcome.epoch): r.verdict
        for r in rows
        if r.outcome.scenario == "blame_postmortem" and r.outcome.model.endswith("frontier-a")
    }
    return min(
        e
        for (arm, e), v in verdicts.items()
        if arm == "overseer=ai,audit=none"
        and v == "deceptive"
        and verdicts.get(("overseer=human,audit=none", e)) == "honest"
    )


def headline_ref(rows: list[SampleRow]) -> str:
    """A deceptive AI-arm transcript of the headline scenario (frontier-a)."""
    return next(
        r.ref
        for r in rows
        if r.outcome.scenario == "blame_postmortem"
        and r.outcome.arm == "overseer=ai,audit=none"
        and r.verdict == "deceptive"
        and r.outcome.model.endswith("frontier-a")
        and "invented_policy" in r.outcome.tally("tactics")
    )


def shots(logs: Path) -> list[Shot]:
    """Every page, in the README's order."""
    rows = data.catalogue(str(logs)).rows
    ref = quote(headline_ref(rows))
    return [
        Shot(name="dashboard-overview.png", path="", heading="Headline contrasts"),
        Shot(name="dashboard-models.png", path="models", heading="Models side by side"),
        Shot(name="dashboard-identities.png", path="identities", heading="Rate per identity"),
        Shot(name="dashboard-tokens.png", path="tokens", heading="Per run"),
        Shot(
            name="dashboard-transcript.png",
            path=f"transcripts?ref={ref}",
            heading="Submitted report",
        ),
        Shot(
            name="dashboard-side-by-side.png",
            path="side_by_side",
            heading="The scenario's headline contrast.",
            epoch=contrasting_epoch(rows),
        ),
        Shot(
            name="dashboard-labels.png",
            path="labels",
            heading="Latest label per transcript and labeller",
        ),
        Shot(name="dashboard-calibration.png", path="calibration", heading="Agreement per arm"),
        Shot(
            name="dashboard-blind-labelling.png",
            path=f"transcripts?ref={ref}",
            heading="Submitted report",
            blind=True,
        ),
    ]


def seed_labels(logs: Path) -> None:
    """Blind human labels for every third graded transcript, one in five of them disagreeing."""
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
            Label.model_validate(
                {
                    "log": o.log,
                    "sample_id": o.sample_id,
                    "epoch": o.epoch,
                    "labeller": LABELLER,
                    "verdict": verdict,
                    "blind": True,
                }
            )
        )


@contextmanager
def serve(logs: Path, log: Path, plan: Path | None = PLAN) -> Iterator[str]:
    """`candor dashboard LOGS --plan … --prices … --server.port P` until the block ends."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "cli.main",
        "dashboard",
        str(logs),
        *(["--plan", str(plan)] if plan is not None else []),
        "--prices",
        str(PRICES),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    env = {**os.environ, "CANDOR_LABELLER": LABELLER, "PYTHONPATH": str(ROOT)}
    env.pop("CANDOR_LOG_DIR", None)
    with served(command, port, log, env, cwd=ROOT) as url:
        yield url


def open_page(page: Any, url: str, heading: str) -> None:
    """Go to `url` and wait until `heading` shows and the charts have drawn."""
    page.goto(url)
    page.get_by_text(heading, exact=False).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    settle(page)


def settle(page: Any) -> None:
    """Wait until the script has finished and the charts and tables have drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS
    )
    page.wait_for_timeout(3000)


def prepare(page: Any, shot: Shot) -> None:
    """What a page needs before its picture: side by side on the headline scenario's pair; blind
    labelling switched on."""
    if shot.path == "side_by_side":
        choose(page, 0, "blame_postmortem — mockllm/frontier-a")
        page.get_by_role(
            "heading", name="blame_postmortem · overseer=ai,audit=none · epoch", exact=False
        ).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        settle(page)
        epoch = shot.epoch or 1
        if epoch != 1:
            choose(page, 3, str(epoch))
        heading = f"blame_postmortem · overseer=ai,audit=none · epoch {epoch}"
        page.get_by_role("heading", name=heading, exact=False).first.wait_for(
            state="visible", timeout=TIMEOUT_MS
        )
        settle(page)
    if shot.blind:
        page.get_by_text("Blind labelling", exact=True).click()
        page.get_by_text("Transcript (as the grader read it)").first.wait_for(
            state="visible", timeout=TIMEOUT_MS
        )
        page.wait_for_timeout(1500)


def choose(page: Any, index: int, option: str, attempts: int = 3) -> None:
    """Pick `option` in the page's `index`-th select box (again if a rerun closed the list)."""
    for attempt in range(attempts):
        page.get_by_test_id("stSelectbox").nth(index).click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(state="visible", timeout=10_000)
            choice.click()
            return
        except Exception:  # the list closed under a rerun: open it again
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            settle(page)


def fold_sidebar(page: Any) -> None:
    page.hover('[data-testid="stSidebar"]')
    page.locator('[data-testid="stSidebarCollapseButton"]').click()
    page.wait_for_timeout(1500)


FAMILY_SHOT = Shot(
    name="dashboard-rounds-families.png", path="rounds_families", heading="Round by round"
)
"""The Rounds and families page, taken on the inquiry family's logs."""
STUDY_DIR = ROOT / "logs" / "screenshot-study"
FAMILY_DIR = ROOT / "logs" / "screenshot-inquiry"
_MARK = ".candor-screenshots"
"""Marks a folder this tool wrote, so it may write it again."""


def fresh(folder: Path) -> Path:
    """`folder` emptied for this tool to write: refused if it holds anything this tool did not
    write (a user's own logs)."""
    if folder.exists():
        if not (folder / _MARK).exists():
            raise SystemExit(f"{folder} exists and was not written by this tool: not replaced")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / _MARK).touch()
    return folder


def take(
    url: str, logs: Path, out: Path, *, fold: bool = True, only: list[Shot] | None = None
) -> list[Path]:
    """Every page's screenshot (or `only` these) in `out`; with `fold`, the sidebar folded away
    first."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for shot in shots(logs) if only is None else only:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            open_page(page, f"{url}/{shot.path}", shot.heading)
            prepare(page, shot)
            if fold:
                fold_sidebar(page)
            path = out / shot.name
            page.screenshot(path=str(path))
            written.append(path)
            page.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.dashboard.screenshots")
    parser.add_argument("logs", nargs="?", type=Path, help="the study's logs (default: write it)")
    parser.add_argument("--out", type=Path, default=DOCS, help="where the pictures go")
    parser.add_argument("--keep-sidebar", action="store_true", help="do not fold the sidebar")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        logs: Path = args.logs
        if logs is None:
            from tests.dashboard import realistic

            print(f"Writing the realistic study to {STUDY_DIR.relative_to(ROOT)} ...", flush=True)
            logs = realistic.write(fresh(STUDY_DIR))
        if not (logs / "candor-labels.sqlite").exists():
            seed_labels(logs)
        with serve(logs, Path(tmp) / "dashboard.log") as url:
            for path in take(url, logs, args.out, fold=not args.keep_sidebar):
                print(path)
        if args.logs is None:
            from tests.dashboard import family_logs

            print(f"Writing the inquiry family to {FAMILY_DIR.relative_to(ROOT)} ...", flush=True)
            family = family_logs.write(fresh(FAMILY_DIR))
            with serve(family, Path(tmp) / "family.log", plan=None) as url:
                for path in take(
                    url, family, args.out, fold=not args.keep_sidebar, only=[FAMILY_SHOT]
                ):
                    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
