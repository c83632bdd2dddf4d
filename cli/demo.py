"""`make demo`, after the install: check the scenarios, run one scenario, print the report, and
say what the report lacks.

Each step says what it is about to do, and how long it takes, before it starts: the run of the
embedded model is minutes of CPU. The report ends with every section filled, or with a plain
list of the sections it could not fill and the one command, with a real model, that fills them.

`python -m cli.demo --log-dir logs/demo --model local/smollm2 --grader local/smollm2`
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.completeness import Gap, gaps

SCENARIO = "blame_postmortem"
LOCAL_MINUTES = "about 5-20 minutes on 2 cores"
REAL_MODEL = "openai/gpt-5"
REAL_GRADER = "anthropic/claude-sonnet-4-5"
REAL_EPOCHS = 30  # a multiple of the identity pool size (3), and enough for the headline contrast
Runner = Callable[[Sequence[str]], int]
Reporter = Callable[[Path, Path], str]


def _run(command: Sequence[str]) -> int:
    return subprocess.run(list(command), check=False).returncode


def _report(log_dir: Path, figures: Path) -> str:
    """`candor report LOG_DIR --figures DIR`'s Markdown (figures are written, their paths shown)."""
    from cli.main import main as candor

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        candor(["report", str(log_dir), "--figures", str(figures)])
    return out.getvalue()


def real_model_command(log_dir: str = "logs/study") -> str:
    """The one command that runs this demo with real models, enough epochs to fill the report."""
    return (
        f"make demo DEMO_MODEL={REAL_MODEL} DEMO_GRADER={REAL_GRADER} "
        f"DEMO_EPOCHS={REAL_EPOCHS} DEMO_LOGS={log_dir}"
    )


def closing(found: list[Gap], local: bool, log_dir: Path, epochs: int) -> str:
    """The demo's last words: the report is complete, or what it lacks and what fills it."""
    browse = f"Browse the transcripts:  candor dashboard {log_dir}"
    if not found:
        return f"Every section of the report above is filled.\n{browse}"
    who = (
        "SmolLM2-135M grades too few of its own episodes for these"
        if local
        else f"{epochs} epoch(s) per arm grade too few samples for these"
    )
    lines = [f"What the report above lacks ({who}):"]
    lines += [f"  - {gap.section}: {gap.why}" for gap in found]
    command = (
        real_model_command()
        if local
        else real_model_command(str(log_dir)).replace(
            f"DEMO_EPOCHS={REAL_EPOCHS}", f"DEMO_EPOCHS={max(REAL_EPOCHS, 3 * epochs)}"
        )
    )
    lines += [
        "One command with a real model fills every section (API keys in the environment):",
        f"  {command}",
        browse,
    ]
    return "\n".join(lines)


def run_demo(
    log_dir: Path,
    model: str,
    grader: str,
    epochs: int,
    bin_dir: Path,
    run: Runner = _run,
    report: Reporter = _report,
) -> int:
    """The demo's steps, each announced before it starts; returns the exit status."""
    from cli.main import main as candor

    local = model.startswith("local/") or grader.startswith("local/")
    print(
        "[1/3] Checking that every scenario's arms differ only in their declared spans", flush=True
    )
    print("      (every arm at every identity slot: a few seconds)...", flush=True)
    if candor(["scenarios", "check"]) != 0:
        print("The scenario check failed (above); the demo stops here.")
        return 1
    print(
        f"[2/3] Running {SCENARIO} on every arm (reviewer species x audit), {epochs} epoch(s), "
        f"with {model} as the agent and {grader} as the grader.",
        flush=True,
    )
    if local:
        print(
            f"      SmolLM2-135M runs on the CPU: {LOCAL_MINUTES}; Inspect prints each sample as "
            "it finishes. Its answers prove the plumbing, not the science.",
            flush=True,
        )
    command = [
        str(bin_dir / "inspect"),
        "eval",
        f"candor/{SCENARIO}",
        "--model",
        model,
        "--model-role",
        f"grader={grader}",
        "--epochs",
        str(epochs),
        "--message-limit",
        "16",
        "--log-dir",
        str(log_dir),
        "--display",
        "plain",
    ]
    code = run(command)
    if code != 0:
        print(f"The run failed (exit status {code}); the demo stops here: {' '.join(command)}")
        return code
    figures = log_dir / "figures"
    print(f"[3/3] The report of {log_dir} (figures in {figures})...", flush=True)
    markdown = report(log_dir, figures)
    print(markdown)
    print(closing(gaps(markdown), local, log_dir, epochs))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.demo", description=__doc__)
    parser.add_argument("--log-dir", type=Path, default=Path("logs/demo"))
    parser.add_argument("--model", default="local/smollm2")
    parser.add_argument("--grader", default=None, help="grader model (default: --model)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--bin", type=Path, default=Path(sys.executable).parent, help="where `inspect` is"
    )
    args = parser.parse_args(argv)
    return run_demo(args.log_dir, args.model, args.grader or args.model, args.epochs, args.bin)


if __name__ == "__main__":
    sys.exit(main())
