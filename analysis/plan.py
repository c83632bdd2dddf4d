"""Analysis plans: the contrasts declared before a run, tested confirmatorily.

A plan file (YAML or JSON) names the headline contrasts, their alternative, α and the samples
per arm, and may store a published study's rates beside them. `candor report --plan FILE`
marks each planned contrast *confirmatory* (Holm-adjusted over the planned contrasts alone,
per model × grader configuration) and every other contrast *exploratory* (Holm over the rest,
as without a plan), and sets each published rate beside the measured one with the exact
binomial test of the measured count against the published rate.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.stats import Alternative, ContrastResult, Proportion, contrast, holm, proportion
from scenarios.yaml_files import parse_yaml

if TYPE_CHECKING:
    from analysis.report import ContrastRow, GroupReport

BINOMIAL_TEST = "exact binomial test (two-sided) of the measured count against the published rate"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class PublishedRate(_Strict):
    """One arm's rate as a study published it: a rate, and its count where the study gives it."""

    rate: float = Field(ge=0, le=1)
    k: int | None = Field(default=None, ge=0)
    n: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _count_matches_rate(self) -> Self:
        if (self.k is None) != (self.n is None):
            raise ValueError("give both k and n, or neither")
        if self.k is not None and self.n is not None:
            if self.k > self.n:
                raise ValueError(f"k {self.k} is more than n {self.n}")
            if abs(self.k / self.n - self.rate) > 0.005:
                raise ValueError(f"k/n {self.k}/{self.n} does not round to rate {self.rate}")
        return self


class PlannedContrast(_Strict):
    """One confirmatory contrast: arm A against arm B of one scenario and outcome."""

    scenario: str
    arm_a: str
    arm_b: str
    outcome: str = "deceptive"
    alternative: Alternative | None = None
    """None: the plan's alternative. `greater` means arm A's rate is higher."""
    published: dict[str, PublishedRate] = Field(default_factory=dict)
    """Arm name → the published rate of that arm (only arms of this contrast)."""

    @model_validator(mode="after")
    def _published_arms(self) -> Self:
        if self.arm_a == self.arm_b:
            raise ValueError(f"arm_a and arm_b are both '{self.arm_a}'")
        unknown = sorted(set(self.published) - {self.arm_a, self.arm_b})
        if unknown:
            raise ValueError(
                f"published names arm(s) {unknown}; expected '{self.arm_a}' or '{self.arm_b}'"
            )
        return self

    @property
    def arms(self) -> frozenset[str]:
        """Both arms, unordered."""
        return frozenset((self.arm_a, self.arm_b))


class Plan(_Strict):
    """A plan file's content."""

    name: str
    description: str = ""
    source: str = ""
    """Where the published rates come from."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    alternative: Alternative = "two-sided"
    n_per_arm: int = Field(gt=0)
    """Graded samples planned per arm (one per epoch: `--epochs` of the run)."""
    contrasts: list[PlannedContrast] = Field(min_length=1)


class PlanError(ValueError):
    """A plan file that cannot be read, naming the file and what is wrong."""


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file (`.yaml`/`.yml` or `.json`).

    Raises:
        PlanError: naming the file, and the key and what was expected.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"plan file {path}: cannot be read ({exc.strerror})") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else parse_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise PlanError(f"plan file {path}: not valid {path.suffix.lstrip('.')}: {exc}") from exc
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PlanError(f"plan file {path}: {where}: {first['msg']}") from exc


def dump_plan(plan: Plan, path: Path) -> None:
    """Write a plan as YAML (or JSON for a `.json` path)."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    data["n_per_arm"], data["alternative"], data["alpha"] = (
        plan.n_per_arm,
        plan.alternative,
        plan.alpha,
    )
    text = (
        json.dumps(data, indent=2) + "\n"
        if path.suffix == ".json"
        else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    path.write_text(text, encoding="utf-8")


class PublishedComparison(BaseModel):
    """A published rate beside the measured one, and the exact test of one against the other."""

    arm: str
    published: PublishedRate
    measured: Proportion
    p_value: float | None
    """None when the arm has no graded sample."""
    test: str = BINOMIAL_TEST


class PlannedResult(BaseModel):
    """One planned contrast in one model × grader configuration, or not found in the logs."""

    scenario: str
    outcome: str
    arm_a: str
    arm_b: str
    alternative: Alternative
    task: str | None = None
    model: str | None = None
    grader: str | None = None
    result: ContrastResult | None = None
    """The planned test (arm A vs arm B as planned); None when the logs lack the contrast."""
    p_holm: float | None = None
    """Holm over the planned contrasts of the same model × grader configuration only."""
    rejected: bool | None = None
    """Holm p < α."""
    n_per_arm: int
    graded_a: int = 0
    graded_b: int = 0
    published: list[PublishedComparison] = Field(default_factory=list)


class PlanReport(BaseModel):
    """The plan as applied to a report."""

    name: str
    description: str
    source: str
    file: str
    alpha: float
    n_per_arm: int
    results: list[PlannedResult]
    missing: list[str] = Field(default_factory=list)
    """Planned contrasts no group of these logs holds."""


_FLIP: dict[Alternative, Alternative] = {
    "two-sided": "two-sided",
    "greater": "less",
    "less": "greater",
}


def binomial_p(k: int, n: int, rate: float) -> float:
    """Two-sided exact binomial p of `k` of `n` under `rate` (scipy's `binomtest`)."""
    from scipy.stats import binomtest

    return float(binomtest(k, n, rate, alternative="two-sided").pvalue)


def _planned_test(row: ContrastRow, planned: PlannedContrast, alternative: Alternative) -> None:
    """Recompute `row` with the plan's alternative, oriented as the row is (AI-like first)."""
    r = row.result
    same = (row.arm_a, row.arm_b) == (planned.arm_a, planned.arm_b)
    row.result = contrast(
        r.a.k,
        r.a.n,
        r.b.k,
        r.b.n,
        label_a=row.arm_a,
        label_b=row.arm_b,
        alternative=alternative if same else _FLIP[alternative],
    )


def _as_planned(
    row: ContrastRow, planned: PlannedContrast, alternative: Alternative
) -> ContrastResult:
    r = row.result
    if (row.arm_a, row.arm_b) == (planned.arm_a, planned.arm_b):
        return r
    return contrast(
        r.b.k, r.b.n, r.a.k, r.a.n, label_a=row.arm_b, label_b=row.arm_a, alternative=alternative
    )


def apply_plan(groups: Sequence[GroupReport], plan: Plan, file: str) -> PlanReport:
    """Mark every contrast confirmatory (planned) or exploratory, test the planned ones as the
    plan says, Holm-adjust them per model × grader configuration over the planned alone, and
    compare each published rate with the measured one.

    The exploratory rows keep their own Holm adjustment (`analysis.report._apply_holm` skips
    the confirmatory rows).
    """
    results: list[PlannedResult] = []
    found: set[int] = set()
    for g in groups:
        for row in g.contrasts:
            row.analysis = "exploratory"
            for i, planned in enumerate(plan.contrasts):
                if (g.scenario, g.outcome) != (planned.scenario, planned.outcome):
                    continue
                if frozenset((row.arm_a, row.arm_b)) != planned.arms:
                    continue
                alternative = planned.alternative or plan.alternative
                row.analysis = "confirmatory"
                _planned_test(row, planned, alternative)
                found.add(i)
                result = _as_planned(row, planned, alternative)
                arms = {row.arm_a: row.result.a, row.arm_b: row.result.b}
                results.append(
                    PlannedResult(
                        scenario=planned.scenario,
                        outcome=planned.outcome,
                        arm_a=planned.arm_a,
                        arm_b=planned.arm_b,
                        alternative=alternative,
                        task=g.task,
                        model=g.model,
                        grader=g.grader,
                        result=result,
                        n_per_arm=plan.n_per_arm,
                        graded_a=result.a.n,
                        graded_b=result.b.n,
                        published=[
                            _published(arm, rate, arms[arm])
                            for arm, rate in planned.published.items()
                        ],
                    )
                )
    _holm_confirmatory(results, plan.alpha)
    missing = [
        f"{p.scenario}/{p.outcome}: {p.arm_a} vs {p.arm_b}"
        for i, p in enumerate(plan.contrasts)
        if i not in found
    ]
    for i, p in enumerate(plan.contrasts):
        if i not in found:
            results.append(
                PlannedResult(
                    scenario=p.scenario,
                    outcome=p.outcome,
                    arm_a=p.arm_a,
                    arm_b=p.arm_b,
                    alternative=p.alternative or plan.alternative,
                    n_per_arm=plan.n_per_arm,
                    published=[
                        _published(arm, rate, proportion(0, 0)) for arm, rate in p.published.items()
                    ],
                )
            )
    _copy_holm(groups, results)
    return PlanReport(
        name=plan.name,
        description=plan.description,
        source=plan.source,
        file=file,
        alpha=plan.alpha,
        n_per_arm=plan.n_per_arm,
        results=results,
        missing=missing,
    )


def _published(arm: str, rate: PublishedRate, measured: Proportion) -> PublishedComparison:
    p = binomial_p(measured.k, measured.n, rate.rate) if measured.n else None
    return PublishedComparison(arm=arm, published=rate, measured=measured, p_value=p)


def _holm_confirmatory(results: list[PlannedResult], alpha: float) -> None:
    families: dict[tuple[str | None, str | None], list[PlannedResult]] = defaultdict(list)
    for r in results:
        if r.result is not None and r.result.p_value is not None:
            families[(r.model, r.grader)].append(r)
    for rows in families.values():
        adjusted = holm(
            [r.result.p_value for r in rows if r.result and r.result.p_value is not None]
        )
        for row, p in zip(rows, adjusted, strict=True):
            row.p_holm = p
            row.rejected = p < alpha


def _copy_holm(groups: Sequence[GroupReport], results: list[PlannedResult]) -> None:
    """The confirmatory Holm p onto the report's own contrast rows."""
    by_key = {
        (r.task, r.model, r.grader, r.scenario, r.outcome, frozenset((r.arm_a, r.arm_b))): r
        for r in results
        if r.result is not None
    }
    for g in groups:
        for row in g.contrasts:
            if row.analysis != "confirmatory":
                continue
            key = (
                g.task,
                g.model,
                g.grader,
                g.scenario,
                g.outcome,
                frozenset((row.arm_a, row.arm_b)),
            )
            row.p_holm = by_key[key].p_holm
