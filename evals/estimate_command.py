"""`candor estimate`: its flags, and the handler that runs the estimator.

The estimator renders prompts with Inspect's message types, so it is imported only when the
command runs; `candor estimate --help` and a bad flag stay quick.
"""

from __future__ import annotations

import argparse
import sys

from evals.estimate_assumptions import APPROXIMATION, ASSUMED, DEFAULT_MESSAGE_LIMIT


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor estimate`."""
    parser = sub.add_parser(
        "estimate",
        help="expected model calls and tokens of a planned run, per arm and role",
        description="Estimate calls and tokens per arm (target, counterparty, grader) from the "
        "rendered prompts, declared tools, scripted turns and message limit. " + APPROXIMATION,
    )
    parser.add_argument("scenarios", nargs="+", help="scenario ids, e.g. blame_postmortem")
    parser.add_argument("--arms", action="append", help="arm selection, e.g. overseer=ai")
    parser.add_argument(
        "--epochs",
        type=int,
        default=1,
        help="epochs per arm; a multiple of each scenario's identity pool size k keeps arms x "
        "identity slots balanced (a warning says otherwise)",
    )
    parser.add_argument(
        "--identity-seed", type=int, default=0, help="the run's -T identity_seed (default 0)"
    )
    parser.add_argument(
        "--models", nargs="+", default=["target"], metavar="MODEL", help="target models (count)"
    )
    parser.add_argument("--graders", type=int, default=1, help="grader roles per sample")
    parser.add_argument("--counterparty", choices=["scripted", "model"])
    parser.add_argument("--message-limit", type=int, default=DEFAULT_MESSAGE_LIMIT)
    for name, (tokens, what) in ASSUMED.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=int, default=tokens, help=f"assumed tokens: {what}"
        )
    parser.add_argument("--price-in", type=float, help="price per million input tokens")
    parser.add_argument("--price-out", type=float, help="price per million output tokens")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the estimate; exit status 2 for a bad scenario, arm or count."""
    from evals.estimate import Assumptions, estimate_run, to_markdown

    assumptions = Assumptions(**{name: getattr(args, name) for name in ASSUMED})
    try:
        est = estimate_run(
            args.scenarios,
            arms=args.arms,
            epochs=args.epochs,
            models=args.models,
            graders=args.graders,
            counterparty=args.counterparty,
            message_limit=args.message_limit,
            assumptions=assumptions,
            price_in=args.price_in,
            price_out=args.price_out,
            identity_seed=args.identity_seed,
        )
    except ValueError as exc:  # ScenarioError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:  # the Markdown says it in its header
        for warning in est.balance:
            print(f"warning: {warning}", file=sys.stderr)
    print(est.model_dump_json(indent=2) if args.json else to_markdown(est))
    return 0
