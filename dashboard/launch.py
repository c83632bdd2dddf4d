"""`python -m dashboard.launch run APP [STREAMLIT OPTIONS] -- LOGDIR [APP OPTIONS]`: `streamlit
run`, with the dashboard prepared before the first browser connects.

Streamlit runs the app script, and so imports the dashboard's modules and reads the logs, only
when a browser session connects. This launcher imports those modules in the server process and
reads the catalogue in a background thread while the server starts, through the function and
with the arguments the app itself uses (`dashboard.data.catalogue`, a `st.cache_resource` shared
by every session), so the first session finds it built or waits for the one build under way
(Streamlit computes a cached value once per key; other callers wait on its lock). Then it hands
its arguments, unchanged, to Streamlit's own command line.

A failure while preparing is reported on stderr and nothing else: the server starts regardless,
and the page, making the same call, reads the logs itself and shows the problem as it would
without this launcher.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from dashboard.config import LaunchOptions, launch_options

THREAD_NAME = "candor-prepare"
_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
_DATA_CACHE_LOGGER = "streamlit.runtime.caching.cache_data_api"
_DATA_CACHE_LOGGER = "streamlit.runtime.caching.cache_data_api"


def script_arguments(argv: Sequence[str]) -> list[str]:
    """`sys.argv` as the app script sees it under `streamlit run` for the launcher's `argv`
    (`run APP [OPTIONS] [-- ARGS]`): the script's path, then the arguments after `--`."""
    tokens = list(argv)
    if len(tokens) < 2 or tokens[0] != "run":
        return []
    after = tokens[tokens.index("--") + 1 :] if "--" in tokens else []
    return [tokens[1], *after]


def catalogue_arguments(opts: LaunchOptions) -> tuple[str, str | None, str | None] | None:
    """The arguments the app's first run passes to `dashboard.data.catalogue` for these launch
    options (the sidebar's log directory, and its plan and prices files where they read), or
    None when there is no log directory yet."""
    from analysis.plan import load_plan
    from analysis.usage import load_prices

    log_dir = (opts.log_dir or "").strip()
    if not log_dir:
        return None

    def readable(path: str | None, load: Callable[[Path], object]) -> str | None:
        given = (path or "").strip()
        if not given:
            return None
        try:
            load(Path(given))
        except ValueError:  # the page shows this error and reports without the file
            return None
        return given

    return log_dir, readable(opts.plan, load_plan), readable(opts.prices, load_prices)


def prepare(opts: LaunchOptions) -> None:
    """Build the catalogue the app's first run asks for (a hit for that run)."""
    from dashboard import data

    arguments = catalogue_arguments(opts)
    if arguments is not None:
        data.catalogue(*arguments)


def import_app_modules() -> None:
    """Import what the app's pages import (the dashboard and the report; the table and chart
    libraries Streamlit loads on first use), so the first run does not."""
    for name in ("streamlit", "altair", "pandas", "pyarrow"):
        importlib.import_module(name)
    # `st.cache_data` checks its options against the runtime's cache storage when a module
    # defines a cached function, and warns that there is none yet; it uses the runtime's at
    # the first call, so the warning says nothing here
    quiet = logging.getLogger(_DATA_CACHE_LOGGER)
    before = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _import_dashboard()
    finally:
        quiet.setLevel(before)


def _import_dashboard() -> None:
    from dashboard import (  # noqa: F401
        across,
        blind,
        calibration,
        families_view,
        headline,
        labelling,
        lookups,
        overview_view,
        tables,
        transcript_view,
        views,
    )


class _OwnThread(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warnings from the preparing thread (it runs
    outside any session by design)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


def _prepare_reporting(opts: LaunchOptions) -> None:
    try:
        prepare(opts)
    except Exception:  # noqa: BLE001 - the page makes the same call and shows the error
        detail = traceback.format_exc(limit=3).strip().splitlines()[-1]
        print(
            f"Candor dashboard: preparing the catalogue failed ({detail}); the page reads the "
            "logs itself.",
            file=sys.stderr,
        )


def start_preparing(
    argv: Sequence[str], environ: Mapping[str, str] = os.environ
) -> threading.Thread | None:
    """Import the app's modules, then build its catalogue in a daemon thread; None if there is
    nothing to prepare (no log directory, or the import failed: the app's run reports that)."""
    try:
        import_app_modules()
        opts = launch_options(script_arguments(argv), environ)
    except Exception:  # noqa: BLE001 - the app script imports them again and shows the error
        return None
    if catalogue_arguments(opts) is None:
        return None
    logging.getLogger(_CONTEXT_LOGGER).addFilter(_OwnThread())
    thread = threading.Thread(
        target=_prepare_reporting, args=(opts,), name=THREAD_NAME, daemon=True
    )
    thread.start()
    return thread


def main(argv: Sequence[str] | None = None) -> None:
    """Start preparing, then run Streamlit's command line with `argv` (default: ours)."""
    given = list(sys.argv[1:] if argv is None else argv)
    start_preparing(given)
    from streamlit.web import cli

    sys.argv = ["streamlit", *given]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
