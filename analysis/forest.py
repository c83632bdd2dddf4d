"""The species effect side by side: one row per model × scenario × outcome, pooled by CMH.

Each row is a group's AI-versus-human contrast (arm A the AI arm, so an odds ratio above 1 means
"more with an AI"), with the conditional maximum-likelihood odds ratio and its exact interval.
Rows are pooled by Mantel–Haenszel only within one grader configuration, and Breslow–Day says
whether the effect differs between the models and scenarios pooled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from analysis.stats import CMHResult, ContrastResult, cochran_mantel_haenszel, strata_from_counts

SPECIES_EFFECT = ("ai", "human")
"""The level pair of the species effect: arm A is AI, arm B human."""


class ForestRow(BaseModel):
    """One model × scenario × outcome: the species contrast of one group."""

    task: str
    model: str
    scenario: str
    outcome: str
    factor: str
    arm_a: str
    arm_b: str
    headline: bool
    result: ContrastResult


class ForestPlot(BaseModel):
    """Every row of one effect under one grader configuration, and their pooled estimate."""

    grader: str
    effect: str
    """E.g. `ai vs human`."""
    rows: list[ForestRow]
    pooled: CMHResult | None
    """Mantel–Haenszel over the rows (None with a single row); Breslow–Day for heterogeneity."""


class ForestInput(BaseModel):
    """What the forest needs of one contrast of one group."""

    task: str
    model: str
    grader: str
    scenario: str
    outcome: str
    factor: str
    level_a: str
    level_b: str
    arm_a: str
    arm_b: str
    headline: bool
    result: ContrastResult


def forest_plots(contrasts: Sequence[ForestInput]) -> list[ForestPlot]:
    """A forest per grader configuration, over every group's AI-versus-human contrast."""
    rows: dict[str, list[ForestRow]] = defaultdict(list)
    for c in contrasts:
        if (c.level_a, c.level_b) != SPECIES_EFFECT:
            continue
        rows[c.grader].append(
            ForestRow(
                task=c.task,
                model=c.model,
                scenario=c.scenario,
                outcome=c.outcome,
                factor=c.factor,
                arm_a=c.arm_a,
                arm_b=c.arm_b,
                headline=c.headline,
                result=c.result,
            )
        )
    plots = []
    for grader, found in sorted(rows.items()):
        found.sort(key=lambda r: (r.scenario, r.outcome, r.arm_a, r.model))
        counts = [(r.result.a.k, r.result.a.n, r.result.b.k, r.result.b.n) for r in found]
        pooled = cochran_mantel_haenszel(strata_from_counts(counts)) if len(found) > 1 else None
        plots.append(
            ForestPlot(grader=grader, effect=" vs ".join(SPECIES_EFFECT), rows=found, pooled=pooled)
        )
    return plots
