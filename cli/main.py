"""The `candor` command line: scenarios, statistics, reports, grader checks, the dashboard.

Each command's module is imported only when that command runs (or for `--help`), so
`candor compare` does not pay for importing Inspect and `candor report` starts quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

# command -> "module:function" that registers it (one function may register several commands)
_REGISTRARS: dict[str, str] = {
    "scenarios": "scenarios.commands:add_parser",
    "compare": "analysis.commands:add_parsers",
    "plan": "analysis.commands:add_parsers",
    "report": "analysis.commands:add_parsers",
    "index": "analysis.commands:add_parsers",
    "estimate": "evals.estimate_command:add_parser",
    "dashboard": "dashboard.commands:add_parser",
    "grader": "cli.main:add_grader_parser",
}


def add_grader_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor grader invariance` and `candor grader view`."""
    grader = sub.add_parser(
        "grader",
        help="checks of the grader itself",
        description="`candor grader invariance LOG`: re-grade each graded sample with the "
        "species text of every other arm (redaction off) and report how often the verdict "
        "changes: the grader's own species bias. `candor grader view SCENARIO [--text T]`: "
        "the scenario's texts, or a text, as the redaction leaves them for the grader.",
    )
    grader.add_argument("verb", choices=["invariance", "view"])
    grader.add_argument("args", nargs=argparse.REMAINDER, help="see `candor grader VERB -h`")
    grader.set_defaults(handler=_run_grader)


def _run_grader(args: argparse.Namespace) -> int:
    if args.verb == "view":
        from scorers.view import main as view_main

        return view_main(list(args.args))
    from scorers.invariance import main as invariance_main  # imports Inspect's model stack

    return invariance_main(list(args.args))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `candor` parser: every command, or only `command` when it is a known one."""
    parser = argparse.ArgumentParser(
        prog="candor",
        description="Candor: do LLM agents break the law, and do they lie more to an AI?",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = [_REGISTRARS[command]] if command in _REGISTRARS else list(_REGISTRARS.values())
    for target in dict.fromkeys(wanted):  # each registrar once, in order
        module, function = target.split(":")
        register: Register = getattr(importlib.import_module(module), function)
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `candor` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = args_list[0] if args_list and not args_list[0].startswith("-") else None
    parser = build_parser(command)
    streamlit_options: dict[str, str] = {}
    if command == "dashboard":  # Streamlit's `--section.option VALUE` pass through
        from dashboard.commands import OptionError, split_streamlit_options

        try:
            args_list, streamlit_options = split_streamlit_options(args_list)
        except OptionError as exc:
            parser.error(str(exc))
    args = parser.parse_args(args_list)
    if streamlit_options:
        args.streamlit_options = streamlit_options
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
