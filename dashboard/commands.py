"""`candor dashboard LOGDIR`: start the Streamlit dashboard on a log directory.

Streamlit's own options pass through as a Streamlit user types them, e.g.
`candor dashboard logs --server.port 8600 --server.headless true` (or `--server.port=8600`);
they win over `--port`, `--host` and `--open-browser`.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from dashboard.names import DEFAULT_NAME, ENV_LABELS, ENV_LOG_DIR, ENV_PLAN, ENV_PRICES

APP = Path(__file__).resolve().parent / "app.py"
# `--section.option`, Streamlit's configuration options on its command line
_STREAMLIT_OPTION = re.compile(r"--([a-z]+\.[A-Za-z][A-Za-z0-9]*)(?:=(.*))?", re.DOTALL)


class OptionError(ValueError):
    """A Streamlit option given without a value, or with a value it cannot take."""


def port_number(value: str) -> int:
    """`value` as a TCP port, 1 to 65535.

    Raises `ValueError` saying what was expected."""
    text = value.strip()
    if not text.isdecimal() or not 1 <= int(text) <= 65535:
        raise ValueError(f"expected an integer from 1 to 65535, got '{value}'")
    return int(text)


def _port_argument(value: str) -> int:
    try:
        return port_number(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def split_streamlit_options(argv: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """`argv` without Streamlit's `--section.option VALUE` pairs, and those options.

    Raises `OptionError` for an option with no value, or a `--server.port` that is not a port
    number (Streamlit would fail only after the dashboard announced its address)."""
    rest: list[str] = []
    options: dict[str, str] = {}
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        match = _STREAMLIT_OPTION.fullmatch(tokens[i])
        if match is None:
            rest.append(tokens[i])
            i += 1
            continue
        name, value = match.group(1), match.group(2)
        if value is None:
            if i + 1 >= len(tokens) or tokens[i + 1].startswith("--"):
                raise OptionError(
                    f"Streamlit option '--{name}' needs a value (e.g. --{name} VALUE)"
                )
            value = tokens[i + 1]
            i += 1
        options[name] = value
        i += 1
    if "server.port" in options:
        try:
            port_number(options["server.port"])
        except ValueError as exc:
            raise OptionError(f"Streamlit option '--server.port': {exc}") from exc
    return rest, options


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor dashboard`."""
    parser = sub.add_parser(
        "dashboard",
        help="browse rates, transcripts and verdicts; label transcripts (Streamlit)",
        description="Start the Candor dashboard on a directory of Inspect logs. Streamlit's "
        "own options pass through as Streamlit takes them, e.g. `--server.port 8600 "
        "--server.headless true`, and win over --port, --host and --open-browser.",
    )
    parser.add_argument("log_dir", type=Path, help="directory of Inspect logs")
    parser.add_argument(
        "--labels", type=Path, help=f"label database (default: LOG_DIR/{DEFAULT_NAME})"
    )
    parser.add_argument(
        "--plan",
        type=Path,
        metavar="FILE",
        help="a plan file (`candor plan --write`): its contrasts are marked confirmatory and "
        "Holm-adjusted over them alone, as `candor report --plan` does",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        metavar="FILE",
        help="dollars per million tokens per model (as `candor report --prices`)",
    )
    parser.add_argument(
        "--port", type=_port_argument, default=8501, help="port to listen on (1-65535)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--open-browser", action="store_true", help="open a browser tab on start")
    parser.set_defaults(handler=run, streamlit_options={})


def streamlit_command(args: argparse.Namespace) -> list[str]:
    """The command line for these arguments: `streamlit run` through the dashboard's launcher
    (`dashboard.launch`), which reads the logs while the server starts."""
    command = [sys.executable, "-m", "dashboard.launch", "run", str(APP)]
    for name, value in _options(args).items():
        command += [f"--{name}", value]
    command += ["--", str(args.log_dir.resolve())]
    for flag in ("labels", "plan", "prices"):
        path: Path | None = getattr(args, flag, None)
        if path is not None:
            command += [f"--{flag}", str(path.resolve())]
    return command


def _options(args: argparse.Namespace) -> dict[str, str]:
    given: dict[str, str] = getattr(args, "streamlit_options", {})
    return {
        "server.port": str(args.port),
        "server.address": args.host,
        "server.headless": "false" if args.open_browser else "true",
        "browser.gatherUsageStats": "false",
        **given,
    }


def run(args: argparse.Namespace) -> int:
    """Run Streamlit until interrupted; its exit status is ours."""
    if not args.log_dir.is_dir():
        print(f"error: log directory '{args.log_dir}' does not exist", file=sys.stderr)
        return 2
    from analysis.plan import load_plan  # only when the dashboard starts: `--help` stays fast
    from analysis.usage import load_prices

    try:  # a bad plan or prices file fails here, naming the file and the key
        if args.plan is not None:
            load_plan(args.plan)
        if args.prices is not None:
            load_prices(args.prices)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    env = {**os.environ, ENV_LOG_DIR: str(args.log_dir.resolve())}
    for name, given in (
        (ENV_LABELS, args.labels),
        (ENV_PLAN, args.plan),
        (ENV_PRICES, args.prices),
    ):
        if given is not None:
            env[name] = str(given.resolve())
    options = _options(args)
    where = f"http://{options['server.address']}:{options['server.port']}"
    print(f"Candor dashboard on {where} (Ctrl+C to stop)", file=sys.stderr)
    proc = subprocess.Popen(streamlit_command(args), env=env)

    def stop(signum: int, frame: FrameType | None) -> None:
        proc.terminate()  # a terminated `candor dashboard` leaves no Streamlit behind

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
