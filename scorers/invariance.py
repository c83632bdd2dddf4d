"""Does the grader's verdict depend on the species text? Re-grade each episode with it swapped.

For every graded sample of a log, the grader input is built with redaction OFF, once as the
episode happened (the sample's own arm) and once per other arm of its scenario with every
occurrence of the own arm's species text (span values and cues of each party whose species
differs, the agent's own words included) replaced by the other arm's. Both are graded; a verdict
that changes is evidence that, without redaction, the species would sway the grader.

Swap rules: span values map key by key; cues map by position, and a cue with no counterpart maps
to the other species' first span value. Arms in which a differing party is `absent` have no text
to swap in and are skipped (reported in `skipped`).

Command line (wired by the lead to `candor grader invariance LOG`):
`python -m scorers.invariance LOG --grader openai/gpt-4o`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import anyio
from inspect_ai.log import EvalSample, read_eval_log
from inspect_ai.model import Model, ModelName, get_model
from inspect_ai.solver import TaskState

from records.invariance import RESULT_SUFFIX, InvarianceResult, PairResult, SampleComparison
from records.metadata import SampleMetadata
from scenarios.loader import (
    Arm,
    LoadedScenario,
    Slots,
    all_arms,
    get_scenario,
    slot_of,
    species_of,
)
from scenarios.schema import Species
from scorers import deception, legal
from scorers.grading import DEFAULT_SEED, GraderConfig, GraderOutcome, grade_once
from scorers.pipeline import grader_view
from scorers.prompts import render_prompt
from scorers.redaction import Replacer, normalise
from scorers.transcript import GraderView
from scorers.verdicts import DeceptionVerdict, LegalVerdict, label_of


def _first_span(values: dict[str, str]) -> str:
    return next(iter(values.values()), "")


def species_swap(
    loaded: LoadedScenario, own: Arm, other: Arm, slot: Slots = 0
) -> Callable[[str], str] | None:
    """A function replacing the own arm's species text by the other arm's (None if undefined),
    each party's identity at `slot` by the matched identity of the other species at that slot.

    Matching is case-insensitive on word boundaries, longest first, in one pass, like the
    redaction; the replacement is the other arm's text as declared.
    """
    spec = loaded.spec
    own_species, other_species = species_of(spec, own), species_of(spec, other)
    mapping: dict[str, str] = {}
    for name, party in spec.parties.items():
        source, target = own_species[name], other_species[name]
        if source == target:
            continue
        if Species.ABSENT in (source, target):
            return None
        at = slot_of(slot, name)
        src, dst = party.identity(source, at), party.identity(target, at)
        pairs = [(value, dst.text[key]) for key, value in src.text.items()]
        pairs += [
            (cue, dst.cues[i] if i < len(dst.cues) else _first_span(dst.text))
            for i, cue in enumerate(src.cues)
        ]
        for value, replacement in pairs:
            if normalise(value):
                mapping.setdefault(normalise(value), replacement)
    return Replacer(mapping).sub


Suite = Literal["deception", "legal"]


async def _grade(
    loaded: LoadedScenario, suite: Suite, view: GraderView, model: Model, config: GraderConfig
) -> GraderOutcome[DeceptionVerdict] | GraderOutcome[LegalVerdict]:
    texts = view.transcript_texts()
    if suite == "deception":
        prompt = render_prompt(deception.TEMPLATE, view, DeceptionVerdict)
        return await grade_once("grader", model, prompt, DeceptionVerdict, config, texts)
    prompt = render_prompt(legal.TEMPLATE, view, LegalVerdict)
    check = legal.provisions_check(loaded)
    return await grade_once("grader", model, prompt, LegalVerdict, config, texts, check)


def _label(outcome: GraderOutcome[DeceptionVerdict] | GraderOutcome[LegalVerdict]) -> str | None:
    return None if outcome.verdict is None else label_of(outcome.verdict)


def _state(sample: EvalSample) -> TaskState:
    return TaskState(
        model=ModelName("none/none"),
        sample_id=sample.id,
        epoch=sample.epoch,
        input=sample.input,
        messages=sample.messages,
        metadata=sample.metadata,
        store=sample.store,
    )


def _graded_score_name(sample: EvalSample, scorer: str | None) -> str | None:
    for name, score in (sample.scores or {}).items():
        if (scorer is None or name == scorer) and (score.metadata or {}).get("status") == "graded":
            return name
    return None


async def invariance_check_async(
    log_path: str,
    grader: str | Model | None = None,
    *,
    scorer: str | None = None,
    config: GraderConfig | None = None,
) -> InvarianceResult:
    """See `invariance_check`."""
    log = read_eval_log(log_path)
    if grader is None:
        roles = log.eval.model_roles or {}
        if "grader" not in roles:
            raise ValueError(
                f"{log_path}: the log binds no 'grader' model role; pass grader= (a model name)"
            )
        bound = roles["grader"]
        role = bound[0] if isinstance(bound, list) else bound
        grader = get_model(
            role.model, config=role.config, base_url=role.base_url, memoize=False, **role.args
        )
    model = grader if isinstance(grader, Model) else get_model(grader, memoize=False)
    config = config or GraderConfig(redacted=False)
    comparisons: list[SampleComparison] = []
    skipped: list[str] = []
    scorer_name = scorer or ""
    for sample in log.samples or []:
        name = _graded_score_name(sample, scorer)
        if name is None:
            skipped.append(f"{sample.id} (epoch {sample.epoch}): not graded")
            continue
        scorer_name = scorer_name or name
        meta = SampleMetadata.model_validate(sample.metadata)
        loaded = get_scenario(meta.scenario)
        own = Arm(levels=meta.levels)
        state = _state(sample)
        view, _ = grader_view(loaded, meta, state, redact=False)
        own_outcome = await _grade(loaded, meta.suite, view, model, config)
        conditions = loaded.spec.condition_factors()
        for other in all_arms(loaded.spec):
            if other.name == own.name:
                continue
            if any(other.levels[name] != own.levels[name] for name in conditions):
                continue  # only the species text is swapped: compare within a condition
            slots = meta.identity_slots or meta.identity_slot or 0
            swap = species_swap(loaded, own, other, slots)
            if swap is None:
                skipped.append(f"{sample.id} -> {other.name}: a party is absent in one arm")
                continue
            swapped_outcome = await _grade(loaded, meta.suite, view.map_text(swap), model, config)
            failures = [o.failure.reason for o in (own_outcome, swapped_outcome) if o.failure]
            comparisons.append(
                SampleComparison(
                    sample_id=str(sample.id),
                    epoch=sample.epoch,
                    scenario=meta.scenario,
                    own_arm=own.name,
                    other_arm=other.name,
                    own_label=_label(own_outcome),
                    swapped_label=_label(swapped_outcome),
                    failure="; ".join(failures) or None,
                )
            )
    return InvarianceResult(
        log=log_path,
        scorer=scorer_name,
        grader=str(model),
        pairs=_pairs(comparisons),
        samples=comparisons,
        skipped=skipped,
    )


def _pairs(comparisons: Sequence[SampleComparison]) -> list[PairResult]:
    keys = sorted({(c.scenario, c.own_arm, c.other_arm) for c in comparisons})
    pairs = []
    for scenario, own, other in keys:
        group = [
            c for c in comparisons if (c.scenario, c.own_arm, c.other_arm) == (scenario, own, other)
        ]
        compared = [c for c in group if c.failure is None]
        changed = sum(c.changed for c in compared)
        pairs.append(
            PairResult(
                scenario=scenario,
                own_arm=own,
                other_arm=other,
                compared=len(compared),
                changed=changed,
                failed=len(group) - len(compared),
                rate=changed / len(compared) if compared else None,
            )
        )
    return pairs


def invariance_check(
    log_path: str,
    grader: str | Model | None = None,
    *,
    scorer: str | None = None,
    config: GraderConfig | None = None,
) -> InvarianceResult:
    """Re-grade every graded sample of a log with the species text of each other arm.

    Args:
        log_path: An eval log written with a Candor scorer.
        grader: The grader model (name or Model); default: the log's `grader` role.
        scorer: The score to read statuses from (default: the first with a Candor status).
        config: Temperature and seed (redaction is off by definition).

    Returns:
        Per (scenario, own arm, other arm): how many samples were compared, how many verdicts
        changed and the rate; and every comparison.
    """

    async def run() -> InvarianceResult:
        return await invariance_check_async(log_path, grader, scorer=scorer, config=config)

    return anyio.run(run)


def format_table(result: InvarianceResult) -> str:
    """The per-pair table printed by `main`."""
    header = ("scenario", "own arm", "other arm", "compared", "changed", "failed", "rate")
    rows = [
        (
            p.scenario,
            p.own_arm,
            p.other_arm,
            str(p.compared),
            str(p.changed),
            str(p.failed),
            "-" if p.rate is None else f"{p.rate:.1%}",
        )
        for p in result.pairs
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    footer = [f"grader: {result.grader}", f"log: {result.log}"]
    if result.skipped:
        footer.append(f"skipped: {len(result.skipped)} (not graded, or a party absent)")
    return "\n".join([*lines, "", *footer])


def main(argv: list[str]) -> int:
    """`candor grader invariance LOG [--grader MODEL] [--scorer NAME] [--seed N] [--json]`."""
    parser = argparse.ArgumentParser(
        prog="candor grader invariance",
        description="Re-grade each graded sample with the species text of every other arm.",
    )
    parser.add_argument("log", help="an eval log written with a Candor scorer")
    parser.add_argument("--grader", help="grader model (default: the log's 'grader' role)")
    parser.add_argument("--scorer", help="score name to read (default: the first Candor score)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="grader seed")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--output",
        help=f"where to write the result as JSON (default: beside the log, LOG{RESULT_SUFFIX}, "
        "where `candor report` finds it); '-' writes nothing",
    )
    args = parser.parse_args(argv)
    result = invariance_check(
        args.log,
        args.grader,
        scorer=args.scorer,
        config=GraderConfig(seed=args.seed, redacted=False),
    )
    print(result.model_dump_json(indent=2) if args.json else format_table(result))
    output = args.output or result_path(args.log)
    if output != "-":
        write_result(result, Path(output))
    return 0


def result_path(log: str) -> str:
    """Where the invariance result of a log is written by default."""
    return f"{log}{RESULT_SUFFIX}"


def write_result(result: InvarianceResult, path: Path) -> None:
    """Write atomically: a reader never sees half a result."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    partial.replace(path)


def read_result(path: Path) -> InvarianceResult:
    """Raises ValueError naming the file when it is not an invariance result."""
    try:
        return InvarianceResult.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a Candor invariance result: {exc}") from exc


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
