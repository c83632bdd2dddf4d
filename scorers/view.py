"""`candor grader view`: what the grader reads of a scenario's texts, or of any text.

A grading call is two messages. The first, the instructions, holds the scenario as the grader
reads it (the neutral projection of the system prompt, the opening message and the ground truth,
with the criteria and the reply schema); it is printed exactly as the grader's template renders
it. The second is the episode's transcript, redacted: of the scenario's own texts only the
documents the agent may read and the scripted counterparty turns can enter it, and each is
printed as the redaction leaves it. Every text is rendered in every arm at every identity slot,
and the heading says whether those renderings agree byte for byte and what the leak check finds;
no arm is named, since the grader never learns one. With `--text`, one text is redacted as an
agent's would be.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from scenarios.check import party_cues
from scenarios.loader import (
    LoadedScenario,
    ScenarioError,
    all_arms,
    get_scenario,
    load_scenario,
    render,
)
from scorers.prompts import render_prompt
from scorers.redaction import cue_table, neutral_words
from scorers.transcript import GraderView, neutral_header
from scorers.verdicts import DeceptionVerdict, LegalVerdict, RoundedDeceptionVerdict

# what each kind of scenario text is to the grader, by key prefix; texts of other kinds (the
# counterparty model's persona) never reach the grader and are not shown
TRANSCRIPT_TEXTS = {
    "document:": "a document, as a tool result in the transcript if the agent reads it",
    "turn:": "a scripted counterparty message in the transcript",
}


def _prompt_template(loaded: LoadedScenario) -> tuple[str, type[BaseModel]]:
    judging = loaded.spec.judging
    if judging.kind == "deception":
        return "deception.j2", RoundedDeceptionVerdict if judging.per_round else DeceptionVerdict
    return "legal.j2", LegalVerdict


def instructions(loaded: LoadedScenario, slot: int, arm_index: int) -> str:
    """The grader's instructions (first message) for a sample of one arm at an identity slot."""
    arm = all_arms(loaded.spec)[arm_index]
    template, schema = _prompt_template(loaded)
    view = GraderView(header=neutral_header(loaded, arm, slot), entries=())
    return render_prompt(template, view, schema).instructions


def _declared_cues(loaded: LoadedScenario) -> Callable[[str], list[str]]:
    """The leak check of the instructions: any party's declared name, title or cue, as a word.
    (The instructions explain the tokens and describe the agent, an AI, in shared words, so the
    transcript's lexicon check would flag what every arm reads alike.)"""
    cues = party_cues(loaded)

    def found(text: str) -> list[str]:
        return [c for c in cues if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text, re.I)]

    return found


def _section(
    title: str, renderings: list[str], leaks_in: Callable[[str], list[str]]
) -> tuple[str, bool]:
    """One text's section: a heading that says what is shown, then the text (each distinct
    rendering once, numbered, when they differ), and whether the leak check found a cue."""
    leaks = sorted({leak for text in set(renderings) for leak in leaks_in(text)})
    distinct = Counter(renderings)
    agreement = (
        "identical in every arm and identity"
        if len(distinct) == 1
        else f"{len(distinct)} different texts over the arms and identities"
    )
    lines = [f"=== {title} ({agreement}; leaks: {', '.join(leaks) if leaks else 'none'}) ==="]
    if len(distinct) == 1:
        lines.append(renderings[0])
    else:
        for number, (text, count) in enumerate(distinct.items(), start=1):
            lines.append(f"--- text {number} of {len(distinct)} ({count} of {len(renderings)}) ---")
            lines.append(text)
    return "\n".join(lines) + "\n", bool(leaks)


def describe_view(loaded: LoadedScenario) -> tuple[str, bool]:
    """What the grader reads of a scenario, and whether anything in it leaks or differs."""
    spec = loaded.spec
    table = cue_table(spec)
    allowed = neutral_words(loaded)
    arms = all_arms(spec)
    slots = range(spec.pool_size())
    cells = [(arm_index, slot) for arm_index in range(len(arms)) for slot in slots]
    out = [
        f"What the grader reads of {spec.id}: every text rendered in each of {len(arms)} arms at "
        f"each of {len(slots)} identity slots ({len(cells)} renderings); the grader is never "
        "told the arm, so none is named here.\n"
    ]
    bad = False
    header = [instructions(loaded, slot, arm_index) for arm_index, slot in cells]
    section, leaked = _section(
        "grader instructions: the first message of every grading call (the scenario's system "
        "prompt, opening message and ground truth with every party as its label, then the "
        "criteria and the reply schema)",
        header,
        _declared_cues(loaded),
    )
    out.append(section)
    bad |= leaked or len(set(header)) > 1
    rendered = [render(loaded, arms[arm_index], slot) for arm_index, slot in cells]
    for key in rendered[0].texts:
        kind = next(
            (what for prefix, what in TRANSCRIPT_TEXTS.items() if key.startswith(prefix)), None
        )
        if kind is None:
            continue
        texts = [table.redact(r.text(key)) for r in rendered]
        section, leaked = _section(
            f"{key}: {kind}, redacted", texts, lambda text: table.leaks(text, allowed)
        )
        out.append(section)
        bad |= leaked
    return "\n".join(out), bad


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
    if args.text is not None:
        table = cue_table(loaded.spec)
        text = sys.stdin.read() if args.text == "-" else str(args.text)
        redacted = table.redact(text)
        print(redacted)
        leaks = table.leaks(redacted, neutral_words(loaded))
        print(f"\nleaks: {', '.join(leaks) if leaks else 'none'}")
        return 1 if leaks else 0
    text, bad = describe_view(loaded)
    print(text)
    return 1 if bad else 0
