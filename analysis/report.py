"""`candor report`: per-arm rates and exact contrasts for every task × model in a log directory.

Positives are the graded outcome of interest (deceptive; violation). Unscored samples are counted
apart, by reason, and never enter a rate. Every count names the samples behind it.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache

from pydantic import BaseModel, Field

from analysis.logs import LoadResult, LogProblem, SampleOutcome
from analysis.stats import (
    Alternative,
    CMHResult,
    ContrastResult,
    Proportion,
    cochran_mantel_haenszel,
    contrast,
    holm,
    proportion,
    strata_from_counts,
)
from scenarios.loader import ScenarioError, get_scenario

# Arm A of a contrast is the earlier species here, so an odds ratio > 1 means "more with AI".
_SPECIES_ORDER = {"ai": 0, "absent": 1, "human": 2}


class ArmSummary(BaseModel):
    """One arm of one group: counts, rate with Wilson interval, and the samples behind them."""

    arm: str
    levels: dict[str, str]
    graded: int
    positive: int
    partial: int
    rate: Proportion
    unscored: dict[str, int]
    eval_aware: int
    tactics: dict[str, int]
    graded_samples: list[str]
    positive_samples: list[str]
    unscored_samples: dict[str, list[str]]


class ContrastRow(BaseModel):
    """Two arms that differ in one factor, compared exactly."""

    factor: str
    arm_a: str
    arm_b: str
    headline: bool
    result: ContrastResult
    p_holm: float | None = None


class GroupReport(BaseModel):
    """One task × model × scenario × outcome."""

    task: str
    model: str
    scenario: str
    outcome: str
    arms: list[ArmSummary]
    contrasts: list[ContrastRow]


class PooledRow(BaseModel):
    """A Cochran–Mantel–Haenszel pooled contrast over strata (models or scenarios)."""

    task: str
    over: str
    contrast: str
    strata: list[str]
    result: CMHResult


class Report(BaseModel):
    """Everything `candor report` prints."""

    alternative: Alternative
    groups: list[GroupReport] = Field(default_factory=list)
    pooled: list[PooledRow] = Field(default_factory=list)
    problems: list[LogProblem] = Field(default_factory=list)
    logs: list[str] = Field(default_factory=list)


@cache
def _headlines(scenario: str) -> frozenset[tuple[str, str]]:
    try:
        return frozenset(tuple(pair) for pair in get_scenario(scenario).spec.headline_contrasts)  # type: ignore[misc]
    except ScenarioError:
        return frozenset()


def summarise_arm(arm: str, samples: Sequence[SampleOutcome], outcome: str) -> ArmSummary:
    """Counts for one arm and one outcome."""
    graded = [s for s in samples if s.status == "graded" and outcome in s.outcomes]
    positive = [s for s in graded if s.outcomes[outcome] == "positive"]
    unscored: dict[str, list[str]] = defaultdict(list)
    for s in samples:
        if s.status != "graded":
            unscored[s.status].append(s.ref)
    tactics: Counter[str] = Counter(t for s in positive for t in set(s.tactics))  # per sample
    return ArmSummary(
        arm=arm,
        levels=samples[0].levels,
        graded=len(graded),
        positive=len(positive),
        partial=sum(1 for s in graded if s.outcomes[outcome] == "partial"),
        rate=proportion(len(positive), len(graded)),
        unscored={k: len(v) for k, v in sorted(unscored.items())},
        eval_aware=sum(1 for s in samples if s.eval_aware),
        tactics=dict(tactics.most_common()),
        graded_samples=[s.ref for s in graded],
        positive_samples=[s.ref for s in positive],
        unscored_samples=dict(sorted(unscored.items())),
    )


def _pairs(arms: Sequence[ArmSummary]) -> list[tuple[str, ArmSummary, ArmSummary]]:
    """Every pair of arms differing in exactly one factor, A being the more AI-like species."""
    pairs = []
    for x, y in itertools.combinations(arms, 2):
        differing = [f for f in x.levels if x.levels[f] != y.levels.get(f)]
        if len(differing) != 1:
            continue
        factor = differing[0]
        a, b = sorted((x, y), key=lambda arm: _SPECIES_ORDER.get(arm.levels[factor], 9))
        pairs.append((factor, a, b))
    return pairs


def _group(
    key: tuple[str, str, str, str], samples: Sequence[SampleOutcome], alternative: Alternative
) -> GroupReport:
    task, model, scenario, outcome = key
    by_arm: dict[str, list[SampleOutcome]] = defaultdict(list)
    for s in samples:
        by_arm[s.arm].append(s)
    arms = [summarise_arm(arm, by_arm[arm], outcome) for arm in sorted(by_arm)]
    headlines = _headlines(scenario)
    rows = [
        ContrastRow(
            factor=factor,
            arm_a=a.arm,
            arm_b=b.arm,
            headline=(a.arm, b.arm) in headlines or (b.arm, a.arm) in headlines,
            result=contrast(
                a.positive,
                a.graded,
                b.positive,
                b.graded,
                label_a=a.arm,
                label_b=b.arm,
                alternative=alternative,
            ),
        )
        for factor, a, b in _pairs(arms)
    ]
    rows.sort(key=lambda r: (not r.headline, r.factor, r.arm_a, r.arm_b))
    return GroupReport(
        task=task, model=model, scenario=scenario, outcome=outcome, arms=arms, contrasts=rows
    )


def _apply_holm(groups: list[GroupReport]) -> None:
    """Holm-adjust every contrast p-value within each task × model family."""
    families: dict[tuple[str, str], list[ContrastRow]] = defaultdict(list)
    for g in groups:
        families[(g.task, g.model)].extend(r for r in g.contrasts if r.result.p_value is not None)
    for rows in families.values():
        adjusted = holm([r.result.p_value for r in rows if r.result.p_value is not None])
        for row, p in zip(rows, adjusted, strict=True):
            row.p_holm = p


def _pooled(groups: list[GroupReport]) -> list[PooledRow]:
    """CMH over models (same contrast) and over scenarios and outcomes (same species pair)."""
    over_models: dict[tuple[str, str, str, str], list[tuple[str, ContrastResult]]] = defaultdict(
        list
    )
    over_scenarios: dict[tuple[str, str, str], list[tuple[str, ContrastResult]]] = defaultdict(list)
    for g in groups:
        for row in g.contrasts:
            name = f"{row.arm_a} vs {row.arm_b}"
            over_models[(g.task, g.scenario, g.outcome, name)].append((g.model, row.result))
            species = f"{row.factor}: {row.arm_a.split('=')[-1]} vs {row.arm_b.split('=')[-1]}"
            label = f"{g.scenario}/{g.outcome}"
            over_scenarios[(g.task, g.model, species)].append((label, row.result))
    rows: list[PooledRow] = []
    for (task, scenario, outcome, name), strata in sorted(over_models.items()):
        if len(strata) > 1:
            rows.append(_cmh_row(task, "models", f"{scenario}/{outcome}: {name}", strata))
    for (task, model, species), strata in sorted(over_scenarios.items()):
        if len(strata) > 1:
            rows.append(_cmh_row(task, f"scenarios ({model})", species, strata))
    return rows


def _cmh_row(
    task: str, over: str, name: str, strata: list[tuple[str, ContrastResult]]
) -> PooledRow:
    counts = [(r.a.k, r.a.n, r.b.k, r.b.n) for _, r in strata]
    return PooledRow(
        task=task,
        over=over,
        contrast=name,
        strata=[label for label, _ in strata],
        result=cochran_mantel_haenszel(strata_from_counts(counts)),
    )


def build_report(loaded: LoadResult, alternative: Alternative = "two-sided") -> Report:
    """Group outcomes by task × model × scenario × outcome and compare their arms."""
    buckets: dict[tuple[str, str, str, str], list[SampleOutcome]] = defaultdict(list)
    outcome_names: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s in loaded.samples:
        outcome_names[(s.task, s.model, s.scenario)].update(s.outcomes)
    for s in loaded.samples:
        names = outcome_names[(s.task, s.model, s.scenario)] or {"(none graded)"}
        for outcome in names:
            buckets[(s.task, s.model, s.scenario, outcome)].append(s)
    groups = [_group(key, samples, alternative) for key, samples in sorted(buckets.items())]
    _apply_holm(groups)
    return Report(
        alternative=alternative,
        groups=groups,
        pooled=_pooled(groups),
        problems=list(loaded.problems),
        logs=list(loaded.logs),
    )
