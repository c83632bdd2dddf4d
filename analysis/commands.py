"""`candor compare` and `candor plan`: statistics for a published table, and run sizing."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.heap import collector_paused, keep_for_good

if TYPE_CHECKING:
    from analysis.report import Report

_ALTERNATIVES = ["two-sided", "greater", "less"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `candor compare`, `candor plan`, `candor report` and `candor index`."""
    compare = sub.add_parser(
        "compare",
        help="statistics for a 2x2 given as counts, e.g. `candor compare 45/50 29/50`",
        description="Arm A first: positives/total. Odds ratio > 1 means A has higher odds.",
    )
    compare.add_argument("a", help="arm A as k/n, e.g. 45/50")
    compare.add_argument("b", help="arm B as k/n, e.g. 29/50")
    compare.add_argument("--labels", nargs=2, metavar=("A", "B"), default=["A", "B"])
    compare.add_argument("--alternative", choices=_ALTERNATIVES, default="two-sided")
    compare.add_argument("--json", action="store_true", help="machine-readable output")
    compare.set_defaults(handler=run_compare)

    plan = sub.add_parser(
        "plan",
        help="samples per arm for Fisher's exact test, e.g. `--rates 0.56 0.90 --power 0.8`",
        description="Samples per arm for Fisher's exact test; with --write, a plan file of the "
        "confirmatory contrasts for `candor report --plan FILE`.",
    )
    plan.add_argument("--rates", nargs=2, type=float, metavar=("P1", "P2"))
    plan.add_argument("--power", type=float, default=0.8)
    plan.add_argument("--alpha", type=float, default=0.05)
    plan.add_argument("--alternative", choices=_ALTERNATIVES, default="two-sided")
    plan.add_argument("--max-n", type=int, default=2000)
    plan.add_argument("--json", action="store_true")
    plan.add_argument(
        "--write", type=Path, metavar="FILE", help="write a plan file (.yaml, .yml or .json)"
    )
    plan.add_argument(
        "--contrast",
        nargs=3,
        action="append",
        metavar=("SCENARIO", "ARM_A", "ARM_B"),
        help="a confirmatory contrast of the plan (repeatable), e.g. "
        "`--contrast blame_director director=ai director=human`",
    )
    plan.add_argument("--outcome", default="deceptive", help="the contrasts' outcome")
    plan.add_argument(
        "--n-per-arm", type=int, help="graded samples per arm (default: from --rates and --power)"
    )
    plan.add_argument("--name", default="plan", help="the plan's name")
    plan.add_argument(
        "--scenario",
        action="append",
        metavar="ID",
        help="round samples per arm up to a multiple of this scenario's identity pool size k "
        "(k**m with m crossed parties), so every arm meets every identity slot equally often "
        "(repeatable; with --write, the contrasts' scenarios are used)",
    )
    plan.set_defaults(handler=run_plan)

    report = sub.add_parser("report", help="per-arm rates and exact contrasts from Inspect logs")
    report.add_argument(
        "logs", nargs="+", help="log directories or log files (local paths or Inspect URIs)"
    )
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON, naming the samples behind counts")
    fmt.add_argument("--csv", action="store_true", help="one CSV row per arm and per contrast")
    report.add_argument("--alternative", choices=_ALTERNATIVES, default="two-sided")
    report.add_argument(
        "--figures", type=Path, metavar="DIR", help="write PNG bar charts and forest plots here"
    )
    report.add_argument(
        "--plan",
        type=Path,
        metavar="FILE",
        help="a plan file (`candor plan --write`): its contrasts are confirmatory, Holm over "
        "them alone; every other contrast is exploratory",
    )
    report.add_argument(
        "--prices",
        type=Path,
        metavar="FILE",
        help="dollars per million tokens per model (`models: {MODEL: {input: 3, output: 15}}`, "
        "YAML or JSON): the cost of each role",
    )
    report.add_argument(
        "--no-cache",
        action="store_true",
        help="read every log itself instead of reusing what was read from unchanged logs "
        "(cache: $CANDOR_CACHE_DIR, else ~/.cache/candor) or the outcome index beside a log",
    )
    report.set_defaults(handler=run_report)

    index = sub.add_parser(
        "index",
        help="write the outcome index beside each finished Candor .eval log",
        description="Read each finished Candor .eval log once and keep what Candor reads from "
        "it in LOG.candor-index beside it, so `candor report` and the dashboard read that "
        "instead of the log's summaries. Inspect runs write it as each task ends; run this "
        "for logs written before, or re-graded since (`inspect score`). An index that is not "
        "the log's own (the log changed since) is never used.",
    )
    index.add_argument("logs", nargs="+", help="log directories or .eval log files")
    index.add_argument(
        "--check",
        action="store_true",
        help="say which logs have a current index (exit 1 if any has not); write none",
    )
    index.set_defaults(handler=run_index)


def run_compare(args: argparse.Namespace) -> int:
    """Print the contrast of two `k/n` counts."""
    from analysis.compare import compare_counts, render_contrast_json, render_contrast_markdown

    try:
        result = compare_counts(
            args.a,
            args.b,
            alternative=args.alternative,
            label_a=args.labels[0],
            label_b=args.labels[1],
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render_contrast_json(result) if args.json else render_contrast_markdown(result))
    return 0


def pool_sizes(scenarios: Iterable[str]) -> dict[str, tuple[int, int]]:
    """The identity pool size k of each known scenario and how many of its parties have a pool
    (m, their identities crossed); unknown ids are left out."""
    from scenarios.loader import discover, get_scenario, pooled_parties

    known = discover()
    found: dict[str, tuple[int, int]] = {}
    for s in dict.fromkeys(scenarios):
        if s in known:
            spec = get_scenario(s).spec
            found[s] = (spec.pool_size(), len(pooled_parties(spec)))
    return found


def _cycle(k: int, parties: int) -> int:
    """Epochs in which every arm meets every identity of every pooled party, and every pairing
    of the parties' identities, equally often: k**m (1 without a pool)."""
    return k ** max(parties, 1) if k > 1 else 1


def _pools_text(pools: dict[str, tuple[int, int]]) -> str:
    return ", ".join(
        f"{s} k={k}" + (f", {m} crossed parties: {_cycle(k, m)}" if m > 1 and k > 1 else "")
        for s, (k, m) in sorted(pools.items())
    )


def balanced_n(
    n: int, pools: dict[str, tuple[int, int]], enough: Callable[[int], bool] = lambda _: True
) -> tuple[int, str | None]:
    """`n` rounded up to a multiple of every scenario's identity cycle (k, or k**m where m
    parties have a pool, so every pairing of their identities is met too; the least common
    multiple over scenarios) for which `enough` holds (exact power is not monotone in n), and
    the note that says so (None when `n` is already balanced)."""
    k = math.lcm(*(_cycle(size, m) for size, m in pools.values())) if pools else 1
    if n % k == 0:
        return n, None
    rounded = -(-n // k) * k
    while not enough(rounded) and rounded < n + 100 * k:
        rounded += k
    where = _pools_text(pools)
    return rounded, (
        f"{n} per arm rounded up to {rounded}, a multiple of the identity pool size ({where}), "
        "so every arm meets every identity slot (and every pairing of crossed parties' "
        f"identities) equally often; run with --epochs {rounded}"
    )


def run_plan(args: argparse.Namespace) -> int:
    """Print the smallest per-arm sample size reaching the requested power; with `--write`,
    write a plan file."""
    if args.write is not None:
        return _write_plan(args)
    if args.rates is None:
        print("error: --rates P1 P2 is required (or --write FILE to write a plan)", file=sys.stderr)
        return 2
    from analysis.power import METHOD, samples_per_arm  # scipy's binomials, only for this command

    p1, p2 = args.rates
    try:
        plan = samples_per_arm(
            p1,
            p2,
            power=args.power,
            alpha=args.alpha,
            alternative=args.alternative,
            max_n=args.max_n,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from analysis.power import power_at

    def reaches(n: int) -> bool:
        return bool(power_at(n, p1, p2, args.alpha, plan.alternative) >= args.power)

    rounded, balance_note = balanced_n(plan.n_per_arm, pool_sizes(args.scenario or []), reaches)
    if balance_note is not None:
        plan = plan.model_copy(
            update={
                "n_per_arm": rounded,
                "achieved_power": power_at(rounded, p1, p2, args.alpha, plan.alternative),
                "note": f"{plan.note}; {balance_note}" if plan.note else balance_note,
            }
        )
    if args.json:
        print(plan.model_dump_json(indent=2))
        return 0
    print(
        f"{plan.n_per_arm} samples per arm ({2 * plan.n_per_arm} in all) give power "
        f"{plan.achieved_power:.3f} (target {plan.power_target}) to detect {p1:.2f} vs {p2:.2f}\n"
        f"with Fisher's exact test ({plan.alternative}, alpha {plan.alpha}).\n"
        f"Method: {METHOD}; no simulation, so no seed."
        + (f"\nNote: {plan.note}" if plan.note else "")
    )
    return 0


def _write_plan(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from analysis.plan import Plan, PlannedContrast, dump_plan

    if not args.contrast:
        print("error: --write needs at least one --contrast SCENARIO ARM_A ARM_B", file=sys.stderr)
        return 2
    n = args.n_per_arm
    pools = pool_sizes([s for s, _, _ in args.contrast] + (args.scenario or []))
    if n is not None:
        rounded, unbalanced = balanced_n(n, pools)
        if unbalanced is not None:  # the user's own count is kept, and said to be unbalanced
            print(
                f"warning: --n-per-arm {n} is not a multiple of the identity pool sizes "
                f"({_pools_text(pools)}): arms x identity slots will be unbalanced; {rounded} "
                "per arm would balance them",
                file=sys.stderr,
            )
    if n is None:
        if args.rates is None:
            print("error: --write needs --n-per-arm N or --rates P1 P2", file=sys.stderr)
            return 2
        from analysis.power import power_at, samples_per_arm

        try:
            n = samples_per_arm(
                *args.rates,
                power=args.power,
                alpha=args.alpha,
                alternative=args.alternative,
                max_n=args.max_n,
            ).n_per_arm
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        p1, p2 = args.rates
        n, note = balanced_n(
            n, pools, lambda m: power_at(m, p1, p2, args.alpha, args.alternative) >= args.power
        )
        if note is not None:
            print(f"note: {note}", file=sys.stderr)
    if args.write.suffix not in (".yaml", ".yml", ".json"):
        print(
            f"error: plan file {args.write}: expected a .yaml, .yml or .json name", file=sys.stderr
        )
        return 2
    try:
        plan = Plan(
            name=args.name,
            alpha=args.alpha,
            alternative=args.alternative,
            n_per_arm=n,
            contrasts=[
                PlannedContrast(scenario=s, arm_a=a, arm_b=b, outcome=args.outcome)
                for s, a, b in args.contrast
            ],
        )
    except ValidationError as exc:
        print(f"error: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    dump_plan(plan, args.write)
    print(f"plan: {args.write} ({len(plan.contrasts)} contrasts, {n} per arm)")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Print the report; problems with single logs are warnings, not failures.

    Exit status 1 when no log yielded a Candor sample at all. A report over unchanged logs,
    source and options is printed from the finished-report cache (`analysis.report_cache`)
    without being computed; `--no-cache` computes it, and `--figures` always does.
    """
    if args.no_cache or args.figures is not None:
        return _compute_report(args)
    import contextlib
    import io

    from analysis.report_cache import CachedReport, ReportCache, report_key

    options: dict[str, str | None] = {
        "format": "json" if args.json else "csv" if args.csv else "markdown",
        "alternative": args.alternative,
        "plan": None if args.plan is None else str(args.plan),
        "prices": None if args.prices is None else str(args.prices),
    }
    logs = [str(given) for given in args.logs]
    cache = ReportCache()
    key = report_key(logs, options)
    if key is not None and (hit := cache.get(key)) is not None:
        sys.stderr.write(hit.stderr)
        sys.stdout.write(hit.stdout)
        return hit.code
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _compute_report(args)
    sys.stderr.write(err.getvalue())
    sys.stdout.write(out.getvalue())
    # kept only for a full report over inputs that did not change while it was computed
    if key is not None and code in (0, 1) and report_key(logs, options) == key:
        cache.put(key, CachedReport(stdout=out.getvalue(), stderr=err.getvalue(), code=code))
    return code


def run_index(args: argparse.Namespace) -> int:
    """Write (or with `--check`, assess) the outcome index of every local `.eval` log named.

    Exit status 1 when a named path holds no `.eval` log, with `--check` when any log's index is
    not current, and without it when no index could be written at all."""
    from analysis.logs import _log_files
    from analysis.outcome_index import index_log, index_state

    files, problems = _log_files(args.logs)
    for problem in problems:
        print(f"error: {problem.log}: {problem.message}", file=sys.stderr)
    logs = [f for f in files if f.endswith(".eval")]
    if not logs:
        print("error: no .eval logs in " + ", ".join(map(str, args.logs)), file=sys.stderr)
        return 1
    if args.check:
        states = [index_state(file) for file in logs]
        for file, state in zip(logs, states, strict=True):
            print(f"{state}\t{file}")
        return 1 if problems or any(state != "current" for state in states) else 0
    written = 0
    for file in logs:
        path, what = index_log(file)
        written += path is not None
        print(f"indexed\t{file} ({what})" if path else f"skipped\t{file}: {what}")
    return 0 if written and not problems else 1


def _built_report(args: argparse.Namespace) -> Report | int:
    """The report `args` ask for, or exit status 2 after naming a bad plan or prices file."""

    from analysis import exact_memo
    from analysis.logs import OutcomeCache, load_outcomes
    from analysis.report import build_report
    from analysis.scenario_facts import nothing_kept

    plan = None
    if args.plan is not None:
        from analysis.plan import PlanError, load_plan

        try:
            plan = load_plan(args.plan)
        except PlanError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    prices = None
    if args.prices is not None:
        from analysis.usage import load_prices

        try:
            prices = load_prices(args.prices)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    cache = None if args.no_cache else OutcomeCache()
    # with the cache: the scenario facts and the exact results kept before are read, and kept
    with exact_memo.kept() if cache is not None else nothing_kept():
        return build_report(
            load_outcomes(args.logs, cache, use_index=cache is not None),
            alternative=args.alternative,
            plan=plan,
            plan_file=str(args.plan or ""),
            prices=prices,
        )


def _compute_report(args: argparse.Namespace) -> int:
    # Importing the report's modules, reading and counting allocate objects kept until the
    # process ends: the cyclic collector, run again and again over a growing heap, costs a third
    # of the time at 100,000 samples and finds nothing to free (`analysis.heap`).
    with collector_paused():
        report = _built_report(args)
        keep_for_good()  # they live until the process ends: its last collection need not walk them
    if isinstance(report, int):  # a plan or prices file that cannot be read
        return report
    from analysis.render import to_csv, to_markdown

    if args.json or args.csv:  # the Markdown report shows its warnings itself
        for problem in report.problems:
            print(f"warning: {problem.log}: {problem.message}", file=sys.stderr)
    if args.json:
        print(report.model_dump_json(indent=2))
    elif args.csv:
        print(to_csv(report), end="")
    else:
        print(to_markdown(report))
    if args.figures is not None:
        from analysis.figures import write_figures  # matplotlib only when figures are asked for

        for path in write_figures(report, args.figures):
            print(f"figure: {path}", file=sys.stderr)
    return 0 if report.groups else 1
