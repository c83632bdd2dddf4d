"""The answer first: one card per headline contrast, and tables whose numbers come first.

Pure: the cards are built from the report (`analysis.report`), formatted as `candor report`
formats them, and drawn by `dashboard/overview_view.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from analysis.compare import fmt_ci_pct, fmt_p, fmt_pct, fmt_ratio
from analysis.report import ArmSummary, ContrastRow, GroupReport, Report
from dashboard.tables import Row, grader_tag, group_name

_LAST = ("headline", "contrast (A vs B)", "group", "test")
"""Wide text columns that go after the numbers in every Overview table (the contrast is named
by the row's scenario and model first; its arms follow the numbers)."""


class ArmFigure(BaseModel):
    """One arm of a headline contrast, as the card shows it."""

    model_config = ConfigDict(frozen=True)

    arm: str
    rate: str
    ci: str
    positive: int
    graded: int
    unscored: int


OR_TITLE = "Odds ratio (conditional MLE)"
"""The odds ratio the cards, the tables and `candor report` show, under one name."""
HOLM_FAMILY = "task × model × grader"
"""Holm's family without a plan (the report's `_apply_holm`: every contrast of a task × model ×
grader configuration)."""
HOLM_PLANNED = "planned family"
"""With a plan: the planned contrasts of the model × grader configuration (`analysis.plan`)."""
HOLM_UNPLANNED = "unplanned family"
"""With a plan: the other contrasts of the task × model × grader configuration."""


class HeadlineCard(BaseModel):
    """One headline contrast of one scenario × model × grader configuration."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    model: str
    task: str
    outcome: str
    grader: str
    """The grader configuration's short tag (`G-…`)."""
    a: ArmFigure
    b: ArmFigure
    difference: str
    """A − B in points, e.g. `+33.3 points`."""
    difference_ci: str
    """Its Newcombe interval, e.g. `95% CI -1.8 to +60.6`."""
    odds_ratio: str
    """The conditional maximum-likelihood odds ratio (as `candor report` shows it)."""
    odds_ratio_ci: str
    """Its exact conditional interval, e.g. `exact 95% CI 0.62 to 404.56`."""
    p: str
    p_holm: str
    holm_over: str
    """The family Holm adjusted over, as the report adjusts it."""
    test: str
    analysis: Literal["confirmatory", "exploratory"] | None = None
    """With a plan: whether the contrast was planned."""
    missingness: bool
    """The arms' unscored or redaction-leak shares differ (the difference may be missingness)."""
    mixed_graders: int
    """Grader configurations of this task × model × scenario in these logs (> 1: reported apart)."""
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.scenario} — {self.model}"


def _arm(arms: Sequence[ArmSummary], name: str) -> ArmFigure:
    a = next((x for x in arms if x.arm == name), None)
    if a is None:
        return ArmFigure(arm=name, rate="—", ci="—", positive=0, graded=0, unscored=0)
    return ArmFigure(
        arm=name,
        rate=fmt_pct(a.rate.rate),
        ci=fmt_ci_pct(a.rate.ci),
        positive=a.positive,
        graded=a.graded,
        unscored=sum(a.unscored.values()),
    )


def difference(c: ContrastRow) -> tuple[str, str]:
    """The difference in points and its Newcombe interval."""
    d, ci = c.result.difference_points, c.result.difference_ci_points
    if d is None or ci is None:
        return "n/a", "no interval"
    return f"{d:+.1f} points", f"95% CI {ci.low:+.1f} to {ci.high:+.1f}"


def odds_ratio(c: ContrastRow) -> tuple[str, str]:
    """The conditional MLE odds ratio and its exact interval (`analysis.compare.fmt_odds_ratio`
    in two pieces)."""
    r = c.result
    ci = "n/a" if r.or_ci is None else f"{fmt_ratio(r.or_ci.low)} to {fmt_ratio(r.or_ci.high)}"
    return fmt_ratio(r.conditional_or), f"exact 95% CI {ci}"


def holm_over(c: ContrastRow) -> str:
    if c.analysis == "confirmatory":
        return HOLM_PLANNED
    return HOLM_UNPLANNED if c.analysis == "exploratory" else HOLM_FAMILY


def _card(g: GroupReport, c: ContrastRow, configurations: int) -> HeadlineCard:
    diff, diff_ci = difference(c)
    ratio, ratio_ci = odds_ratio(c)
    return HeadlineCard(
        scenario=g.scenario,
        model=g.model,
        task=g.task,
        outcome=g.outcome,
        grader=grader_tag(g.grader),
        a=_arm(g.arms, c.arm_a),
        b=_arm(g.arms, c.arm_b),
        difference=diff,
        difference_ci=diff_ci,
        odds_ratio=ratio,
        odds_ratio_ci=ratio_ci,
        p=fmt_p(c.result.p_value),
        p_holm=fmt_p(c.p_holm),
        holm_over=holm_over(c),
        test=c.result.test,
        analysis=c.analysis,
        missingness=c.missingness.flagged,
        mixed_graders=configurations,
        # the card shows the conditional MLE, so a note on the sample odds ratio's correction
        # does not apply to it (the report's JSON keeps both)
        notes=tuple(n for n in c.result.notes if "sample odds ratio" not in n),
    )


def headline_cards(report: Report) -> list[HeadlineCard]:
    """A card per headline contrast; a group that declares none shows its first contrast."""
    configurations: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for g in report.groups:
        configurations[(g.task, g.model, g.scenario)].add(g.grader)
    cards: list[HeadlineCard] = []
    for g in report.groups:
        chosen = [c for c in g.contrasts if c.headline] or g.contrasts[:1]
        n = len(configurations[(g.task, g.model, g.scenario)])
        cards += [_card(g, c, n) for c in chosen]
    return cards


def short_model(model: str) -> str:
    """A model without its provider path (`openai/gpt-5` -> `gpt-5`)."""
    return model.rsplit("/", 1)[-1]


def numbers_first(rows: Sequence[Row], report: Report | None = None) -> list[Row]:
    """The same rows with the wide text columns (`group`, `test`) moved to the end; with the
    report, each row first names its scenario and model in short."""
    where = {
        group_name(g): (g.scenario, short_model(g.model)) for g in (report.groups if report else [])
    }
    out: list[Row] = []
    for row in rows:
        lead: Row = {}
        named = where.get(str(row.get("group")))
        if named is not None:
            lead = {"scenario": named[0], "model": named[1]}
        out.append(
            {
                **lead,
                **{k: v for k, v in row.items() if k not in _LAST},
                **{k: row[k] for k in _LAST if k in row},
            }
        )
    return out
