"""`candor grader view`: what the grader reads of a scenario's texts, or of any text.

Every rendered text of every arm (documents, counterparty turns, prompts) is shown as the
redaction leaves it, with whether the arms agree byte for byte and any cue the leak check still
finds; with `--text`, one text as the grader would read it in the scenario's transcripts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenarios.loader import ScenarioError, all_arms, get_scenario, load_scenario, render
from scorers.redaction import cue_table, neutral_words


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="candor grader view",
        description="Show a scenario's texts, or a given text, as the grader reads them.",
    )
    parser.add_argument("scenario", help="scenario id or folder")
    parser.add_argument("--text", help="a text to redact as an agent's ('-' reads stdin)")
    args = parser.parse_args(argv)
    try:
        ref = str(args.scenario)
        loaded = load_scenario(ref) if Path(ref).exists() else get_scenario(ref)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = cue_table(loaded.spec)
    allowed = neutral_words(loaded)
    if args.text is not None:
        text = sys.stdin.read() if args.text == "-" else str(args.text)
        redacted = table.redact(text)
        print(redacted)
        leaks = table.leaks(redacted, allowed)
        print(f"\nleaks: {', '.join(leaks) if leaks else 'none'}")
        return 1 if leaks else 0
    slots = range(loaded.spec.pool_size())
    rendered = {
        f"{arm.name} slot {slot}" if len(slots) > 1 else arm.name: render(loaded, arm, slot)
        for arm in all_arms(loaded.spec)
        for slot in slots
    }
    problems = 0
    for key in next(iter(rendered.values())).texts:
        views = {name: table.redact(r.text(key)) for name, r in rendered.items()}
        leaks = sorted({leak for v in views.values() for leak in table.leaks(v, allowed)})
        same = len(set(views.values())) == 1
        problems += bool(leaks)
        verdict = (
            "identical in every arm and identity" if same else "differs between arms or identities"
        )
        print(f"=== {key} ({verdict}; leaks: {', '.join(leaks) if leaks else 'none'}) ===")
        shown = (
            list(views.items())
            if not same
            else [("every arm and identity", next(iter(views.values())))]
        )
        for name, text in shown:
            print(f"--- {name} ---\n{text}")
        print()
    return 1 if problems else 0
