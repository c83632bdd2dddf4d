"""The `candor` command line: scenarios, statistics, reports, grader checks, the dashboard."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis import commands as analysis_commands
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `candor` console script."""
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
