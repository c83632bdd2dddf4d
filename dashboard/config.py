"""Where the dashboard finds its logs and its label database.

Order: arguments after `--` of `streamlit run dashboard/app.py -- LOGDIR --labels PATH --plan FILE
--prices FILE`; else the environment (`CANDOR_LOG_DIR`, `CANDOR_LABELS`, `CANDOR_PLAN`,
`CANDOR_PRICES`, set by `candor dashboard`); else the sidebar asks.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from dashboard.names import DEFAULT_NAME
from dashboard.names import ENV_LABELS as ENV_LABELS
from dashboard.names import ENV_LOG_DIR as ENV_LOG_DIR
from dashboard.names import ENV_PLAN as ENV_PLAN
from dashboard.names import ENV_PRICES as ENV_PRICES

ENV_LABELLER = "CANDOR_LABELLER"
APP_SCRIPT = "app.py"


class LaunchOptions(BaseModel):
    """What the dashboard was started with (any of it may be missing)."""

    model_config = ConfigDict(frozen=True)

    log_dir: str | None = None
    labels: str | None = None
    labeller: str = ""
    plan: str | None = None
    """A plan file (`candor plan --write`): its contrasts are confirmatory, as in `candor report
    --plan`."""
    prices: str | None = None
    """A prices file (`candor report --prices`): the cost of each role."""


def app_arguments() -> argparse.ArgumentParser:
    """The arguments `dashboard/app.py` accepts after `--`."""
    parser = argparse.ArgumentParser(prog="dashboard/app.py", add_help=False)
    parser.add_argument("log_dir", nargs="?", help="directory of Inspect logs")
    parser.add_argument("--labels", help=f"label database (default: LOGDIR/{DEFAULT_NAME})")
    parser.add_argument("--plan", help="plan file: its contrasts are confirmatory")
    parser.add_argument("--prices", help="prices file: dollars per million tokens per model")
    return parser


def launch_options(argv: Sequence[str], environ: Mapping[str, str]) -> LaunchOptions:
    """Combine the script's arguments and the environment.

    `argv` is only read when it belongs to the app script (`streamlit run` sets `sys.argv[0]` to
    it); under a test runner `sys.argv` is the runner's own and is ignored.
    """
    log_dir = labels = plan = prices = None
    if argv and Path(argv[0]).name == APP_SCRIPT:
        parsed, _ = app_arguments().parse_known_args(list(argv[1:]))
        log_dir, labels = parsed.log_dir, parsed.labels
        plan, prices = parsed.plan, parsed.prices
    return LaunchOptions(
        log_dir=log_dir or environ.get(ENV_LOG_DIR) or None,
        labels=labels or environ.get(ENV_LABELS) or None,
        labeller=environ.get(ENV_LABELLER) or _user(),
        plan=plan or environ.get(ENV_PLAN) or None,
        prices=prices or environ.get(ENV_PRICES) or None,
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return ""


def labels_path(log_dir: str | Path, labels: str | Path | None) -> Path:
    """The label database: the one given, else `candor-labels.sqlite` beside the logs."""
    return Path(labels) if labels else Path(log_dir) / DEFAULT_NAME
