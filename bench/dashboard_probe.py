"""Drive the dashboard in this process with Streamlit's AppTest and print what the pages showed.

`python -m bench.dashboard_probe APP [--first-only]`: the Overview's first render (timed), then
(unless `--first-only`) the Transcripts page, the opening of its last transcript (timed) and a
change of filter, one arm (timed). Prints one JSON line (`Probe`): the times, and what each page
showed (metrics, captions, subheaders, error blocks and exceptions), so the bench judges the
content, not only the time. The environment names the logs (`CANDOR_LOG_DIR`), the label store
and the cache, as for `candor dashboard`.
"""

from __future__ import annotations

import sys
import time

from pydantic import BaseModel
from streamlit.testing.v1 import AppTest

TIMEOUT = 600


class Shown(BaseModel):
    """What one page showed after a run."""

    metrics: dict[str, str]
    captions: list[str]
    subheaders: list[str]
    errors: list[str]
    exceptions: list[str]

    @classmethod
    def of(cls, at: AppTest) -> Shown:
        return cls(
            metrics={m.label: m.value for m in at.metric},
            captions=[c.value for c in at.caption],
            subheaders=[s.value for s in at.subheader],
            errors=[e.value for e in at.error],
            exceptions=[e.message for e in at.exception],
        )


class Probe(BaseModel):
    first: float
    overview: Shown
    transcript: float | None = None
    transcripts: Shown | None = None
    """The Transcripts page after opening a transcript."""
    picked: str | None = None
    opened: str | None = None
    """The picker's text for the transcript it shows open after the pick."""
    filter_change: float | None = None
    filtered_arm: str | None = None
    filtered: Shown | None = None
    """The Transcripts page after the arm filter was set to `filtered_arm`."""


def probe(app: str, first_only: bool = False) -> Probe:
    at = AppTest.from_file(app, default_timeout=TIMEOUT)
    started = time.perf_counter()
    at.run()
    result = Probe(first=time.perf_counter() - started, overview=Shown.of(at))
    if result.overview.exceptions or first_only:
        return result
    at.switch_page("app_pages/transcripts.py").run()
    picker = at.selectbox(key="open_ref")
    if not picker.options:
        result.transcripts = Shown.of(at)
        return result
    result.picked = str(picker.options[-1])
    started = time.perf_counter()
    picker.select_index(len(picker.options) - 1).run()
    result.transcript = time.perf_counter() - started
    result.transcripts = Shown.of(at)
    opened = at.selectbox(key="open_ref")
    result.opened = str(opened.format_func(opened.value))  # the option text, as picked
    arms = at.multiselect(key="filter_arms")
    if arms.options:
        result.filtered_arm = str(arms.options[0])
        started = time.perf_counter()
        arms.select(arms.options[0]).run()
        result.filter_change = time.perf_counter() - started
        result.filtered = Shown.of(at)
    return result


def main(argv: list[str]) -> int:
    first_only = argv[1:] == ["--first-only"]
    if len(argv) != 1 and not first_only:
        print("usage: python -m bench.dashboard_probe APP [--first-only]", file=sys.stderr)
        return 2
    print(probe(argv[0], first_only).model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
