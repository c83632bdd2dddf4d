"""`candor report`: per-arm rates and exact contrasts for every task × model in a log directory.

Positives are the graded outcome of interest (deceptive; violation). Unscored samples are counted
apart, by reason, and never enter a rate. Every count names the samples behind it.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from analysis.answers import AnswerRow, answer_rows
from analysis.design import IdentityBalance, identity_balance
from analysis.episodes import SetAside, count_once
from analysis.families import ContrastEntry, FamilyRow, family_rows
from analysis.forest import ForestInput, ForestPlot, forest_plots
from analysis.identity import GraderIdentity, RecordedBalance
from analysis.logs import READER_STATUSES, LoadResult, LogProblem, SampleOutcome
from analysis.plan import Plan, PlanReport, apply_plan
from analysis.rounds import RoundsTable, rounds_tables
from analysis.scenario_facts import scenario_facts
from analysis.stats import (
    Alternative,
    CMHResult,
    ContrastResult,
    Proportion,
    cochran_mantel_haenszel,
    contrast,
    fisher_test,
    holm,
    proportion,
    strata_from_counts,
)
from analysis.strata import (
    GroupRef,
    IdentityRate,
    StratifiedContrast,
    identity_rates,
    stratify,
)
from analysis.usage import Prices, UsageReport, usage_report
from records.dimensions import Dimension, DimensionKind, declared
from records.invariance import InvarianceResult
from records.statuses import STATUSES

MISSINGNESS_ALPHA = 0.05
"""A contrast is flagged when its arms' unscored (or leak) shares differ at this level (Fisher's
exact test, two-sided): dropping samples unevenly could make, or hide, an effect."""

UNSCORED_STATUSES: tuple[str, ...] = (*(s for s in STATUSES if s != "graded"), *READER_STATUSES)
"""Every status counted per arm: the scorers' closed set, then the reader's own."""
LEAK_STATUS = "redaction_leak"
NOT_RECORDED = "not recorded"

HeadlineSource = Literal["log", "current files", "none"]

# Arm A of a contrast is the earlier species here, so an odds ratio > 1 means "more with AI".
_SPECIES_ORDER = {"ai": 0, "absent": 1, "human": 2}


class DimensionCount(BaseModel):
    """One declared verdict dimension (`records/dimensions.yaml`) counted in one arm."""

    kind: DimensionKind
    count: int
    """A flag: the samples that raised it. A tally: the positive samples with any value."""
    values: dict[str, int] = Field(default_factory=dict)
    """A tally: each value -> the positive samples citing it (once per sample), most common
    first. Empty for a flag."""


class ArmSummary(BaseModel):
    """One arm of one group: counts, rate with Wilson interval, and the samples behind them."""

    arm: str
    levels: dict[str, str]
    graded: int
    positive: int
    partial: int
    rate: Proportion
    unscored: dict[str, int]
    """Every unscored status of `UNSCORED_STATUSES` with its count (zeros included)."""
    dimensions: dict[str, DimensionCount] = Field(default_factory=dict)
    """Every verdict dimension of the group (declared for its suite, or recorded by a sample),
    by name, in declared order."""
    graded_samples: list[str]
    positive_samples: list[str]
    unscored_samples: dict[str, list[str]]


class ShareTest(BaseModel):
    """One share (unscored, or leaked) in both arms of a contrast, compared exactly."""

    a: int
    n_a: int
    b: int
    n_b: int
    p_value: float | None
    """Fisher's exact test, two-sided; None when an arm has no sample."""


class Missingness(BaseModel):
    """Whether the two arms of a contrast lost samples at different rates."""

    unscored: ShareTest
    leak: ShareTest
    alpha: float = MISSINGNESS_ALPHA
    flagged: bool

    @property
    def note(self) -> str:
        """One line for a flagged contrast."""
        u, k = self.unscored, self.leak
        return (
            f"unscored {u.a}/{u.n_a} vs {u.b}/{u.n_b} (p {_p(u.p_value)}), "
            f"{LEAK_STATUS} {k.a}/{k.n_a} vs {k.b}/{k.n_b} (p {_p(k.p_value)})"
        )


def _p(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.2g}"


class ContrastRow(BaseModel):
    """Two arms that differ in one factor, compared exactly."""

    factor: str
    arm_a: str
    arm_b: str
    headline: bool
    result: ContrastResult
    missingness: Missingness
    p_holm: float | None = None
    level_a: str = ""
    """Arm A's level of `factor` (the more AI-like species for a species factor)."""
    level_b: str = ""
    analysis: Literal["confirmatory", "exploratory"] | None = None
    """With a plan (`candor report --plan`): confirmatory when planned, else exploratory;
    Holm then adjusts each kind apart. None without a plan."""


class GroupReport(BaseModel):
    """One task × model × grader configuration × scenario × outcome."""

    task: str
    model: str
    scenario: str
    outcome: str
    grader: str
    """The grader configuration's label (`GraderIdentity.label`), or `not recorded`."""
    grader_identity: GraderIdentity | None
    arms: list[ArmSummary]
    contrasts: list[ContrastRow]
    runs: int = 1
    """Distinct runs pooled in this group."""
    headline_source: HeadlineSource = "none"
    scenario_sha256: list[str] = Field(default_factory=list)
    """The scenario versions its samples recorded (empty: not recorded)."""
    scenario_current_sha256: str | None = None
    """The current scenario files' hash (None: the scenario is not found)."""
    notes: list[str] = Field(default_factory=list)


class PooledRow(BaseModel):
    """A Cochran–Mantel–Haenszel pooled contrast over strata (models or scenarios)."""

    task: str
    over: str
    grader: str
    """The one grader configuration of every stratum."""
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
    runs: int = 0
    """Distinct runs pooled over the whole report (a re-grade or retry is the same run)."""
    set_aside: list[SetAside] = Field(default_factory=list)
    """Copies of an episode that do not count, each naming the copy that does."""
    sample_problems: list[LogProblem] = Field(default_factory=list)
    """Samples whose score or metadata the reader does not know (`unreadable`), by reference."""
    missingness_alpha: float = MISSINGNESS_ALPHA
    invariance: list[InvarianceResult] = Field(default_factory=list)
    """The grader's own species bias, where `candor grader invariance` was run on a log."""
    identity_balance: list[IdentityBalance] = Field(default_factory=list)
    """Per group: the identity balance its runs declared (`candor_balance`) beside the counted
    samples per slot, every sample and graded only (groups without slots or facts: absent)."""
    identity_strata: list[StratifiedContrast] = Field(default_factory=list)
    """Every contrast stratified over identity slots (groups whose samples record slots)."""
    identity_rates: list[IdentityRate] = Field(default_factory=list)
    """Each arm's rate per party and identity worn."""
    forest: list[ForestPlot] = Field(default_factory=list)
    """The species effect (AI vs human) per model × scenario, pooled per grader configuration."""
    plan: PlanReport | None = None
    """With `--plan`: the planned (confirmatory) contrasts, their Holm p and published rates."""
    usage: UsageReport = Field(default_factory=UsageReport)
    """Tokens (and cost, with prices) per role, per arm and per run; each episode once."""
    rounds: list[RoundsTable] = Field(default_factory=list)
    """Round-by-round verdicts, for scenarios judged round by round (`analysis.rounds`)."""
    families: list[FamilyRow] = Field(default_factory=list)
    """Contrasts pooled over a scenario family's variants (`analysis.families`)."""
    answers: list[AnswerRow] = Field(default_factory=list)
    """The scorer's own answer check per arm, whatever the grader's status (`analysis.answers`)."""


def _current_headlines(scenario: str) -> frozenset[tuple[str, str]] | None:
    facts = scenario_facts(scenario)
    return None if facts is None else frozenset(facts.headline_contrasts)


def _current_sha256(scenario: str) -> str | None:
    facts = scenario_facts(scenario)
    return None if facts is None else facts.sha256


def _headlines(
    scenario: str, samples: Sequence[SampleOutcome]
) -> tuple[frozenset[tuple[str, str]], HeadlineSource, list[str]]:
    """The headline contrasts the samples recorded; the current files only when none did."""
    recorded = {
        frozenset(s.headline_contrasts) for s in samples if s.headline_contrasts is not None
    }
    notes: list[str] = []
    if recorded:
        if len(recorded) > 1:
            notes.append(
                f"the samples recorded {len(recorded)} different sets of headline contrasts "
                "(the scenario changed between runs); every recorded one is in bold"
            )
        if any(s.headline_contrasts is None for s in samples):
            notes.append("some samples recorded no headline contrasts (older logs)")
        return frozenset().union(*recorded), "log", notes
    current = _current_headlines(scenario)
    if current is None:
        notes.append(
            f"headline contrasts not recorded in the log and scenario '{scenario}' is not "
            "found; none is marked"
        )
        return frozenset(), "none", notes
    notes.append(
        "headline contrasts not recorded in the log (older log); taken from the current "
        "scenario files"
    )
    return current, "current files", notes


def _version_notes(scenario: str, recorded: list[str], current: str | None) -> list[str]:
    if not recorded:
        return ["scenario version not recorded in the log (older log)"]
    notes = []
    if len(recorded) > 1:
        versions = ", ".join(h[:12] for h in recorded)
        notes.append(f"the samples ran {len(recorded)} versions of the scenario ({versions})")
    if current is None:
        notes.append(f"scenario '{scenario}' is not found: the recorded version is not checked")
    elif any(h != current for h in recorded):
        notes.append(
            f"scenario files changed since the run: recorded "
            f"{', '.join(h[:12] for h in recorded)}, current files {current[:12]}"
        )
    return notes


def group_dimensions(samples: Sequence[SampleOutcome]) -> tuple[Dimension, ...]:
    """The declared dimensions of the samples' suites, and any other declared one a sample
    records, in declared order."""
    suites = {s.suite for s in samples}
    recorded = {name for s in samples for name in s.dimensions}
    return tuple(
        d
        for d in declared().dimensions
        if d.name in recorded or any(suite in d.suites for suite in suites)
    )


def count_dimension(
    d: Dimension, samples: Sequence[SampleOutcome], positive: Sequence[SampleOutcome]
) -> DimensionCount:
    """A flag over every sample of the arm; a tally over its positive samples."""
    if d.kind == "flag":
        return DimensionCount(kind="flag", count=sum(1 for s in samples if s.flag(d.name)))
    values: Counter[str] = Counter(v for s in positive for v in set(s.tally(d.name)))
    return DimensionCount(
        kind="tally",
        count=sum(1 for s in positive if s.tally(d.name)),
        values=dict(values.most_common()),
    )


def summarise_arm(
    arm: str,
    samples: Sequence[SampleOutcome],
    outcome: str,
    dimensions: Sequence[Dimension] | None = None,
) -> ArmSummary:
    """Counts for one arm and one outcome; `dimensions` defaults to `group_dimensions(samples)`."""
    graded = [s for s in samples if s.status == "graded" and outcome in s.outcomes]
    positive = [s for s in graded if s.outcomes[outcome] == "positive"]
    unscored: dict[str, list[str]] = defaultdict(list)
    for s in samples:
        if s.status != "graded":
            unscored[s.status].append(s.ref)
    counts = {status: len(unscored.get(status, [])) for status in UNSCORED_STATUSES}
    counts.update({k: len(v) for k, v in unscored.items() if k not in counts})  # future statuses
    chosen = group_dimensions(samples) if dimensions is None else dimensions
    graded_refs = [s.ref for s in graded]  # one string per sample, in both lists it is in
    return ArmSummary(
        arm=arm,
        levels=samples[0].levels,
        graded=len(graded),
        positive=len(positive),
        partial=sum(1 for s in graded if s.outcomes[outcome] == "partial"),
        rate=proportion(len(positive), len(graded)),
        unscored=counts,
        dimensions={d.name: count_dimension(d, samples, positive) for d in chosen},
        graded_samples=graded_refs,
        positive_samples=[
            ref
            for s, ref in zip(graded, graded_refs, strict=True)
            if s.outcomes[outcome] == "positive"
        ],
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


def _share(a: int, n_a: int, b: int, n_b: int) -> ShareTest:
    p = fisher_test(a, n_a, b, n_b).p_value if n_a and n_b else None
    return ShareTest(a=a, n_a=n_a, b=b, n_b=n_b, p_value=p)


def missingness(a: ArmSummary, b: ArmSummary) -> Missingness:
    """The unscored and leak shares of two arms, compared with Fisher's exact test."""
    n_a, n_b = a.graded + sum(a.unscored.values()), b.graded + sum(b.unscored.values())
    unscored = _share(sum(a.unscored.values()), n_a, sum(b.unscored.values()), n_b)
    leak = _share(a.unscored.get(LEAK_STATUS, 0), n_a, b.unscored.get(LEAK_STATUS, 0), n_b)
    flagged = any(t.p_value is not None and t.p_value < MISSINGNESS_ALPHA for t in (unscored, leak))
    return Missingness(unscored=unscored, leak=leak, flagged=flagged)


GroupKey = tuple[str, str, str, str, str]
"""task, model, grader label, scenario, outcome."""


def _group(
    key: GroupKey, samples: Sequence[SampleOutcome], alternative: Alternative
) -> GroupReport:
    task, model, grader, scenario, outcome = key
    by_arm: dict[str, list[SampleOutcome]] = defaultdict(list)
    for s in samples:
        by_arm[s.arm].append(s)
    dimensions = group_dimensions(samples)
    arms = [summarise_arm(arm, by_arm[arm], outcome, dimensions) for arm in sorted(by_arm)]
    headlines, source, notes = _headlines(scenario, samples)
    rows = [
        ContrastRow(
            factor=factor,
            arm_a=a.arm,
            arm_b=b.arm,
            headline=(a.arm, b.arm) in headlines or (b.arm, a.arm) in headlines,
            level_a=a.levels[factor],
            level_b=b.levels.get(factor, ""),
            result=contrast(
                a.positive,
                a.graded,
                b.positive,
                b.graded,
                label_a=a.arm,
                label_b=b.arm,
                alternative=alternative,
            ),
            missingness=missingness(a, b),
        )
        for factor, a, b in _pairs(arms)
    ]
    rows.sort(key=lambda r: (not r.headline, r.factor, r.arm_a, r.arm_b))
    recorded = sorted({s.scenario_sha256 for s in samples if s.scenario_sha256 is not None})
    current = _current_sha256(scenario)
    notes += _version_notes(scenario, recorded, current)
    notes += [
        f"missingness differs (p < {MISSINGNESS_ALPHA}) in {r.arm_a} vs {r.arm_b}: "
        f"{r.missingness.note}"
        for r in rows
        if r.missingness.flagged
    ]
    identity = next((s.grader for s in samples if s.grader is not None), None)
    return GroupReport(
        task=task,
        model=model,
        scenario=scenario,
        outcome=outcome,
        grader=grader,
        grader_identity=identity if grader != NOT_RECORDED else None,
        arms=arms,
        contrasts=rows,
        runs=len({s.run for s in samples}),
        headline_source=source,
        scenario_sha256=recorded,
        scenario_current_sha256=current,
        notes=notes,
    )


def _apply_holm(groups: list[GroupReport]) -> None:
    """Holm-adjust every contrast p-value within each task × model × grader family."""
    families: dict[tuple[str, str, str], list[ContrastRow]] = defaultdict(list)
    for g in groups:
        families[(g.task, g.model, g.grader)].extend(
            r for r in g.contrasts if r.result.p_value is not None and r.analysis != "confirmatory"
        )
    for rows in families.values():
        adjusted = holm([r.result.p_value for r in rows if r.result.p_value is not None])
        for row, p in zip(rows, adjusted, strict=True):
            row.p_holm = p


def _pooled(groups: list[GroupReport]) -> list[PooledRow]:
    """CMH over models (same contrast) and over scenarios and outcomes (same species pair),
    only ever within one grader configuration."""
    over_models: dict[tuple[str, str, str, str, str], list[tuple[str, ContrastResult]]] = (
        defaultdict(list)
    )
    over_scenarios: dict[
        tuple[str, str, str, str], list[tuple[tuple[str, str, str], ContrastResult]]
    ] = defaultdict(list)
    for g in groups:
        for row in g.contrasts:
            name = f"{row.arm_a} vs {row.arm_b}"
            key = (g.task, g.grader, g.scenario, g.outcome, name)
            over_models[key].append((g.model, row.result))
            species = f"{row.factor}: {row.level_a} vs {row.level_b}"
            where = (g.scenario, g.outcome, name)
            over_scenarios[(g.task, g.grader, g.model, species)].append((where, row.result))
    rows: list[PooledRow] = []
    for (task, grader, scenario, outcome, name), strata in sorted(over_models.items()):
        if len(strata) > 1:
            rows.append(_cmh_row(task, "models", f"{scenario}/{outcome}: {name}", strata, grader))
    for (task, grader, model, species), cells in sorted(over_scenarios.items()):
        if len(cells) > 1:
            over, labelled = _strata_labels(cells)
            rows.append(_cmh_row(task, f"{over} ({model})", species, labelled, grader))
    return rows


def _strata_labels(
    cells: list[tuple[tuple[str, str, str], ContrastResult]],
) -> tuple[str, list[tuple[str, ContrastResult]]]:
    """What a species contrast's strata are, and each stratum's label.

    Strata from distinct scenarios are scenarios (or scenario × outcome cells); strata within one
    scenario and outcome are the levels of the other factors, named by the arm pair they compare.
    """
    places = [(scenario, outcome) for (scenario, outcome, _), _ in cells]
    scenarios = {scenario for scenario, _ in places}
    outcomes = {outcome for _, outcome in places}
    if len(set(places)) == len(places):
        over = "scenarios" if len(outcomes) == 1 else "scenarios and outcomes"
        if len(scenarios) == 1:
            over = "outcomes"
        return over, [(f"{s}/{o}", r) for (s, o, _), r in cells]
    if len(scenarios) == 1 and len(outcomes) == 1:
        over = f"levels of the other factors in {next(iter(scenarios))}"
    else:
        over = "scenarios and levels of the other factors"
    return over, [(f"{s}/{o}: {name}", r) for (s, o, name), r in cells]


def _cmh_row(
    task: str, over: str, name: str, strata: list[tuple[str, ContrastResult]], grader: str
) -> PooledRow:
    counts = [(r.a.k, r.a.n, r.b.k, r.b.n) for _, r in strata]
    return PooledRow(
        task=task,
        over=over,
        grader=grader,
        contrast=name,
        strata=[label for label, _ in strata],
        result=cochran_mantel_haenszel(strata_from_counts(counts)),
    )


def _grader_labels(samples: Sequence[SampleOutcome]) -> dict[int, str]:
    """Each sample's grader label. A sample the log records no grading for (an error, an
    unreadable score) takes the one configuration of its run and scenario, else of its task ×
    model × scenario, so it is counted in its arm's unscored share beside the graded samples."""
    by_run: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    by_group: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    labels: dict[int, str] = {}
    label_of: dict[int, str] = {}  # a run's samples share one identity object: labelled once
    for s in samples:
        if s.grader is not None:
            label = label_of.get(id(s.grader))
            if label is None:
                label = label_of[id(s.grader)] = s.grader.label
            labels[id(s)] = label
            by_run[(s.run, s.task, s.model, s.scenario)].add(label)
            by_group[(s.task, s.model, s.scenario)].add(label)
    for s in samples:
        if s.grader is not None:
            continue
        options = by_run.get((s.run, s.task, s.model, s.scenario)) or by_group.get(
            (s.task, s.model, s.scenario), set()
        )
        labels[id(s)] = next(iter(options)) if len(options) == 1 else NOT_RECORDED
    return labels


def build_report(
    loaded: LoadResult,
    alternative: Alternative = "two-sided",
    *,
    plan: Plan | None = None,
    plan_file: str = "",
    prices: Prices | None = None,
) -> Report:
    """Count each episode once, then group outcomes by task × model × grader configuration ×
    scenario × outcome and compare their arms.

    Arms graded by different grader configurations are never in one group, one contrast or one
    pooled row; a task × model × scenario graded more than one way says so in every group.
    """
    counted = count_once(loaded.samples)
    labels = _grader_labels(counted.samples)
    buckets: dict[GroupKey, list[SampleOutcome]] = defaultdict(list)
    outcome_names: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for s in counted.samples:
        outcome_names[(s.task, s.model, labels[id(s)], s.scenario)].update(s.outcomes)
    for s in counted.samples:
        grader = labels[id(s)]
        names = outcome_names[(s.task, s.model, grader, s.scenario)] or {"(none graded)"}
        for outcome in names:
            buckets[(s.task, s.model, grader, s.scenario, outcome)].append(s)
    groups = [_group(key, samples, alternative) for key, samples in sorted(buckets.items())]
    configurations: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for g in groups:
        configurations[(g.task, g.model, g.scenario)].add(g.grader)
    for g in groups:
        n = len(configurations[(g.task, g.model, g.scenario)])
        if n > 1:
            g.notes.insert(
                0,
                f"graded by {n} grader configurations in these logs: each is reported as its "
                "own group and never pooled with another",
            )
    forest = forest_plots(_forest_inputs(groups))  # the report's alternative, before the plan's
    planned = None if plan is None else apply_plan(groups, plan, plan_file)
    _apply_holm(groups)
    strata, rates, balances = _identity_analysis(groups, buckets, loaded.declared_balance)
    entries = [
        ContrastEntry(
            task=g.task,
            model=g.model,
            grader=g.grader,
            scenario=g.scenario,
            outcome=g.outcome,
            contrast=f"{row.arm_a} vs {row.arm_b}",
            headline=row.headline,
            result=row.result,
        )
        for g in groups
        for row in g.contrasts
    ]
    families = {s.scenario: s.family for s in counted.samples if s.family is not None}
    return Report(
        identity_balance=balances,
        identity_strata=strata,
        identity_rates=rates,
        forest=forest,
        plan=planned,
        usage=usage_report(counted.samples, prices),
        rounds=rounds_tables(counted.samples, labels),
        families=family_rows(entries, families),
        answers=answer_rows(counted.samples),
        alternative=alternative,
        groups=groups,
        pooled=_pooled(groups),
        problems=list(loaded.problems),
        logs=list(loaded.logs),
        runs=counted.runs,
        set_aside=counted.set_aside,
        invariance=list(loaded.invariance),
        sample_problems=[
            LogProblem(log=s.ref, message=s.reason)
            for s in counted.samples
            if s.status == "unreadable"
        ],
    )


def _pool_size(scenario: str) -> int | None:
    """The scenario's identity pool size where its files are known (None for an unknown id)."""
    facts = scenario_facts(scenario)
    return None if facts is None else facts.pool_size


def _factor_parties(scenario: str) -> tuple[dict[str, str] | None, str | None]:
    """Each species factor's party and the first pooled party, where the scenario's files are
    known; (None, None) for an unknown id."""
    facts = scenario_facts(scenario)
    if facts is None:
        return None, None
    pooled = facts.pooled_parties
    return dict(facts.factor_parties), pooled[0] if pooled else None


def _identity_analysis(
    groups: Sequence[GroupReport],
    buckets: dict[GroupKey, list[SampleOutcome]],
    declared: Mapping[str, Mapping[str, RecordedBalance]],
) -> tuple[list[StratifiedContrast], list[IdentityRate], list[IdentityBalance]]:
    strata: list[StratifiedContrast] = []
    rates: list[IdentityRate] = []
    balances: list[IdentityBalance] = []
    for g in groups:
        key = GroupRef(
            task=g.task, model=g.model, grader=g.grader, scenario=g.scenario, outcome=g.outcome
        )
        samples = buckets[(g.task, g.model, g.grader, g.scenario, g.outcome)]
        pairs = [(r.factor, r.arm_a, r.arm_b, r.headline) for r in g.contrasts]
        factor_parties, first_pooled = _factor_parties(g.scenario)
        rows = stratify(key, pairs, samples, factor_parties, first_pooled)
        strata += rows
        parties = [row.party for row in rows] or [first_pooled]
        found = identity_balance(key, samples, _pool_size(g.scenario), parties, declared)
        if found is not None:
            balances.append(found)
            g.notes[:0] = found.notes
        rates += identity_rates(key, samples)
    return strata, rates, balances


def _forest_inputs(groups: Sequence[GroupReport]) -> list[ForestInput]:
    return [
        ForestInput(
            task=g.task,
            model=g.model,
            grader=g.grader,
            scenario=g.scenario,
            outcome=g.outcome,
            factor=r.factor,
            level_a=r.level_a,
            level_b=r.level_b,
            arm_a=r.arm_a,
            arm_b=r.arm_b,
            headline=r.headline,
            result=r.result,
        )
        for g in groups
        for r in g.contrasts
    ]
