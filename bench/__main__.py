"""`python -m bench [--parts a,b] [--stdout]`: measure parts and write their sections.

A run rewrites only the sections of the parts it ran in docs/bench.md (every other part's section
is kept as its last run left it); `--stdout` prints them and writes nothing; `--help` runs nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.document import merge
from bench.machine import load_average, machine
from bench.parts import DESCRIPTIONS, PARTS, parse_parts, run
from bench.render import Stamp, section_markdown
from bench.synthetic import LARGE_PER_ARM, SAMPLES_PER_ARM

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "bench.md"


def build_parser() -> argparse.ArgumentParser:
    parts = "\n".join(f"  {name:<11} {DESCRIPTIONS[name]}" for name in PARTS)
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure what Candor costs on top of the model calls, offline (every model "
        "call goes to the fake provider, bench/fakeserver, in a child process).",
        epilog=f"parts (all by default, `make bench PARTS=overhead,report` for some):\n{parts}\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--parts",
        metavar="A,B",
        help=f"comma-separated parts to run (default: all of {', '.join(PARTS)})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=OUTPUT,
        help="the document whose sections the run rewrites (default: docs/bench.md)",
    )
    parser.add_argument(
        "--stdout", action="store_true", help="print the sections only; write no file"
    )
    parser.add_argument(
        "--synthetic-per-arm",
        type=int,
        default=SAMPLES_PER_ARM,
        metavar="N",
        help=f"samples per arm of the synthetic logs for report and dashboard (default "
        f"{SAMPLES_PER_ARM}: about 10,000 samples in 28 arms)",
    )
    parser.add_argument(
        "--large-per-arm",
        type=int,
        default=LARGE_PER_ARM,
        metavar="N",
        help=f"samples per arm of the large synthetic logs for the report's 100,000-sample rows "
        f"(default {LARGE_PER_ARM}; 0 leaves those rows out)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        parts = parse_parts(args.parts)
    except ValueError as exc:
        parser.error(str(exc))
    if args.large_per_arm < 0:
        parser.error(f"--large-per-arm must be 0 or more, got {args.large_per_arm}")
    if args.synthetic_per_arm < 1:
        parser.error(f"--synthetic-per-arm must be at least 1, got {args.synthetic_per_arm}")
    started = time.perf_counter()
    facts, load_start = machine(), load_average()
    with tempfile.TemporaryDirectory(prefix="candor-bench-") as tmp:
        sections = run(parts, Path(tmp), args.synthetic_per_arm, args.large_per_arm)
    command = "make bench" if parts == list(PARTS) else f"make bench PARTS={','.join(parts)}"
    if args.synthetic_per_arm != SAMPLES_PER_ARM or args.large_per_arm != LARGE_PER_ARM:
        per_arm = f"--synthetic-per-arm {args.synthetic_per_arm}"
        per_arm += f" --large-per-arm {args.large_per_arm}"
        command = f"python -m bench --parts {','.join(parts)} {per_arm}"
    stamp = Stamp(
        when=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        command=command,
        minutes=(time.perf_counter() - started) / 60,
        machine=facts.describe(),
        load_start=load_start,
        load_end=load_average(),
    )
    written: dict[str, str] = {
        p: section_markdown(sections[p], stamp) for p in PARTS if p in sections
    }
    print("\n".join(written.values()))
    if not args.stdout:
        existing = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        text = merge(existing, written, PARTS, full=parts == list(PARTS))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"bench: wrote {', '.join(parts)} to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
