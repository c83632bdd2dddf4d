"""The `candor` command line: scenarios, statistics, reports, grader checks, the dashboard."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis import commands as analysis_commands
from analysis import estimate as estimate_command
from dashboard import commands as dashboard_commands
from scenarios import commands as scenario_commands


def build_parser() -> argparse.ArgumentParser:
    """The full `candor` argument parser."""
    parser = argparse.ArgumentParser(
        prog="candor",
        description="Candor: do LLM agents break the law, and do they lie more to an AI?",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    scenario_commands.add_parser(sub)
    analysis_commands.add_parsers(sub)
    estimate_command.add_parser(sub)
    dashboard_commands.add_parser(sub)
    grader = sub.add_parser(
        "grader",
        help="checks of the grader itself",
        description="`candor grader invariance LOG`: re-grade each graded sample with the "
        "species text of every other arm (redaction off) and report how often the verdict "
        "changes: the grader's own species bias.",
    )
    grader.add_argument("verb", choices=["invariance"])
    grader.add_argument("args", nargs=argparse.REMAINDER, help="see `candor grader invariance -h`")
    grader.set_defaults(handler=_run_grader)
    return parser


def _run_grader(args: argparse.Namespace) -> int:
    from scorers.invariance import main as invariance_main  # imports Inspect's model stack

    return invariance_main(list(args.args))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `candor` console script."""
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
