"""`candor dashboard LOGDIR`: start the Streamlit dashboard on a log directory."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from dashboard.config import ENV_LABELS, ENV_LOG_DIR
from dashboard.label_store import DEFAULT_NAME

APP = Path(__file__).resolve().parent / "app.py"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor dashboard`."""
    parser = sub.add_parser(
        "dashboard",
        help="browse rates, transcripts and verdicts; label transcripts (Streamlit)",
        description="Start the Candor dashboard on a directory of Inspect logs.",
    )
    parser.add_argument("log_dir", type=Path, help="directory of Inspect logs")
    parser.add_argument(
        "--labels", type=Path, help=f"label database (default: LOG_DIR/{DEFAULT_NAME})"
    )
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--open-browser", action="store_true", help="open a browser tab on start")
    parser.set_defaults(handler=run)


def streamlit_command(args: argparse.Namespace) -> list[str]:
    """The `streamlit run` command line for these arguments."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(args.port),
        "--server.address",
        args.host,
        "--server.headless",
        "false" if args.open_browser else "true",
        "--browser.gatherUsageStats",
        "false",
        "--",
        str(args.log_dir.resolve()),
    ]
    if args.labels is not None:
        command += ["--labels", str(args.labels.resolve())]
    return command


def run(args: argparse.Namespace) -> int:
    """Run Streamlit until interrupted; its exit status is ours."""
    if not args.log_dir.is_dir():
        print(f"error: log directory '{args.log_dir}' does not exist", file=sys.stderr)
        return 2
    env = {**os.environ, ENV_LOG_DIR: str(args.log_dir.resolve())}
    if args.labels is not None:
        env[ENV_LABELS] = str(args.labels.resolve())
    print(f"Candor dashboard on http://{args.host}:{args.port} (Ctrl+C to stop)", file=sys.stderr)
    try:
        return subprocess.call(streamlit_command(args), env=env)
    except KeyboardInterrupt:
        return 0
