"""The report as table rows and a chart: the numbers of `candor report`, formatted the same way."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import altair as alt

from analysis.compare import fmt_ci_pct, fmt_odds_ratio, fmt_p, fmt_pct, fmt_ratio
from analysis.render import dimension_cell, dimension_heading, dimension_names
from analysis.report import GroupReport, Report

Row = dict[str, str | int | float | bool | None]
# Okabe–Ito, safe for the common colour-vision deficiencies; interval whiskers are black, so
# they never share an arm's colour.
_SPECIES_COLOURS = {"human": "#0072B2", "ai": "#D55E00", "absent": "#009E73", "mixed": "#CC79A7"}
_WHISKER = "#000000"
OR_COLUMN = "OR, conditional MLE (exact CI)"
"""The odds ratio's column: the estimate `candor report` prints, with its exact interval."""


def grader_tag(label: str) -> str:
    """A short, stable name for a grader configuration (its label is long)."""
    return "G-" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:6]


def group_name(g: GroupReport) -> str:
    """`task / scenario — model — outcome — grader`, the scenario left out when it is the task."""
    where = g.task if g.scenario == g.task else f"{g.task} / {g.scenario}"
    return f"{where} — {g.model} — {g.outcome} — {grader_tag(g.grader)}"


def grader_rows(report: Report) -> list[Row]:
    """Each grader configuration in the report: its short name, in full, and its groups."""
    labels: dict[str, list[str]] = {}
    for g in report.groups:
        labels.setdefault(g.grader, []).append(group_name(g))
    return [
        {"grader": grader_tag(label), "configuration": label, "groups": len(groups)}
        for label, groups in labels.items()
    ]


def missingness_rows(report: Report) -> list[Row]:
    """Contrasts whose arms' unscored or redaction-leak shares differ (flagged ones only)."""
    return [
        {
            "group": group_name(g),
            "contrast (A vs B)": f"{c.arm_a} vs {c.arm_b}",
            "unscored A": f"{c.missingness.unscored.a}/{c.missingness.unscored.n_a}",
            "unscored B": f"{c.missingness.unscored.b}/{c.missingness.unscored.n_b}",
            "p (unscored)": fmt_p(c.missingness.unscored.p_value),
            "leak A": f"{c.missingness.leak.a}/{c.missingness.leak.n_a}",
            "leak B": f"{c.missingness.leak.b}/{c.missingness.leak.n_b}",
            "p (leak)": fmt_p(c.missingness.leak.p_value),
        }
        for g in report.groups
        for c in g.contrasts
        if c.missingness.flagged
    ]


def note_rows(report: Report) -> list[Row]:
    """Every group's notes: grader configurations, scenario versions, headline sources."""
    return [{"group": group_name(g), "note": n} for g in report.groups for n in g.notes]


def set_aside_rows(report: Report) -> list[Row]:
    """Copies of an episode that do not count, and the copy counted instead."""
    return [{"set aside": a.ref, "counted instead": a.kept, "why": a.why} for a in report.set_aside]


def _species(levels: dict[str, str]) -> str:
    """The species an arm varies (its species factors' levels; a condition such as `audit` is
    not a species)."""
    values = {v for v in levels.values() if v in _SPECIES_COLOURS and v != "mixed"}
    return values.pop() if len(values) == 1 else "mixed"


def arm_rows(report: Report) -> list[Row]:
    """One row per arm: counts, rate and Wilson interval, partial, unscored, and every verdict
    dimension (`records/dimensions.yaml`), headed and shown as in the report; `-` in a group
    whose suite does not have it (every row has every column)."""
    names = list(dict.fromkeys(n for g in report.groups for n in dimension_names(g)))
    return [
        {
            "group": group_name(g),
            "arm": a.arm,
            "positive / graded": f"{a.positive} / {a.graded}",
            "rate": fmt_pct(a.rate.rate),
            "95% CI (Wilson)": fmt_ci_pct(a.rate.ci),
            "partial": a.partial,
            "unscored": sum(a.unscored.values()),
            **{dimension_heading(n).lower(): dimension_cell(a, n) for n in names},
        }
        for g in report.groups
        for a in g.arms
    ]


def contrast_rows(report: Report) -> list[Row]:
    """One row per contrast, headline contrasts first within each group."""
    rows: list[Row] = []
    for g in report.groups:
        for c in g.contrasts:
            r = c.result
            diff, ci = r.difference_points, r.difference_ci_points
            rows.append(
                {
                    "group": group_name(g),
                    "headline": c.headline,
                    "contrast (A vs B)": f"{c.arm_a} vs {c.arm_b}",
                    "A vs B": f"{r.a.k}/{r.a.n} vs {r.b.k}/{r.b.n}",
                    "difference (95% CI)": "n/a"
                    if diff is None or ci is None
                    else f"{diff:+.1f} ({ci.low:+.1f} to {ci.high:+.1f})",
                    OR_COLUMN: fmt_odds_ratio(r),
                    "p": fmt_p(r.p_value),
                    "Holm p": fmt_p(c.p_holm),
                    "missingness": "differs" if c.missingness.flagged else "balanced",
                    **({"analysis": c.analysis} if c.analysis else {}),
                    "test": r.test,
                }
            )
    return rows


def pooled_rows(report: Report) -> list[Row]:
    """Cochran–Mantel–Haenszel rows, as in the report's pooled section."""
    rows: list[Row] = []
    for p in report.pooled:
        r = p.result
        ci = (
            "n/a"
            if r.mh_or_ci is None
            else f"{fmt_ratio(r.mh_or_ci.low)} to {fmt_ratio(r.mh_or_ci.high)}"
        )
        rows.append(
            {
                "task": p.task,
                "grader": grader_tag(p.grader),
                "over": p.over,
                "strata": len(p.strata),
                "MH odds ratio (95% CI)": f"{fmt_ratio(r.mh_odds_ratio)} ({ci})",
                "p": fmt_p(r.cmh.p_value if r.cmh else None),
                "Breslow–Day p": fmt_p(r.breslow_day.p_value) if r.breslow_day else "n/a",
                "contrast": p.contrast,
            }
        )
    return rows


def unscored_rows(report: Report) -> list[Row]:
    """Unscored samples per arm and reason (status), one row per arm that has any."""
    rows: list[Row] = []
    for g in report.groups:
        for a in g.arms:
            if any(a.unscored.values()):
                counts = {k: n for k, n in a.unscored.items() if n}
                rows.append({"group": group_name(g), "arm": a.arm, **counts})
    return rows


def flag_rows(report: Report) -> list[Row]:
    """Every flag dimension (eval-awareness, refusal, ...) per arm: the samples that raised it
    and their share of the graded samples."""
    rows: list[Row] = []
    for g in report.groups:
        for a in g.arms:
            for name, found in a.dimensions.items():
                if found.kind != "flag":
                    continue
                rows.append(
                    {
                        "group": group_name(g),
                        "arm": a.arm,
                        "flag": dimension_heading(name),
                        "raised": found.count,
                        "graded": a.graded,
                        "share of graded": fmt_pct(found.count / a.graded if a.graded else None),
                    }
                )
    return rows


def panel_title(g: GroupReport) -> str:
    """A chart panel's title: scenario and model, and its headline contrast's OR and p."""
    head = next((c for c in g.contrasts if c.headline), g.contrasts[0] if g.contrasts else None)
    where = f"{g.scenario} — {g.model} ({grader_tag(g.grader)})"
    if head is None:
        return where
    r = head.result
    return f"{where}: OR {fmt_ratio(r.conditional_or)}, p {fmt_p(r.p_value)}"


def chart_rows(groups: Sequence[GroupReport]) -> list[Row]:
    """Rate and interval per arm in percent; arms without a graded sample have no bar."""
    return [
        {
            "group": group_name(g),
            "panel": panel_title(g),
            "arm": a.arm,
            "species": _species(a.levels),
            "rate": None if a.rate.rate is None else 100 * a.rate.rate,
            "low": None if a.rate.ci is None else 100 * a.rate.ci.low,
            "high": None if a.rate.ci is None else 100 * a.rate.ci.high,
            "count": f"{a.positive}/{a.graded}" if a.graded else "no graded",
        }
        for g in groups
        for a in g.arms
    ]


def rates_chart(groups: Sequence[GroupReport]) -> alt.FacetChart:
    """Bars of the rate per arm with 95% Wilson intervals (black whiskers with short caps), one
    panel per group titled with its headline contrast's odds ratio and p; the legend below."""
    rows = chart_rows(groups)
    present = {r["species"] for r in rows}
    species = [s for s in _SPECIES_COLOURS if s in present]
    data = alt.InlineData(values=rows)
    base = alt.Chart(data).encode(
        x=alt.X("arm:N", title="arm", axis=alt.Axis(labelAngle=0, labelLimit=160))
    )
    y_title = "positive rate (%), 95% Wilson CI"
    colour = alt.Color(
        "species:N",
        title="species of the party",
        scale=alt.Scale(domain=species, range=[_SPECIES_COLOURS[s] for s in species]),
        legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=0, titleLimit=0),
    )
    bars = base.mark_bar(width={"band": 0.7}).encode(
        y=alt.Y("rate:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=colour,
        tooltip=["arm:N", "count:N", "rate:Q", "low:Q", "high:Q"],
    )
    whisker = base.mark_rule(color=_WHISKER, strokeWidth=1.5).encode(
        y=alt.Y("low:Q", title=y_title), y2="high:Q"
    )
    caps = [
        base.mark_tick(color=_WHISKER, size=16, thickness=1.5).encode(y=alt.Y(f"{end}:Q"))
        for end in ("low", "high")
    ]
    counts = base.mark_text(dy=-8).encode(y=alt.Y("high:Q"), text="count:N")
    chart: alt.FacetChart = (
        alt.layer(bars, whisker, *caps, counts)
        .properties(width=300, height=220)
        .facet(
            facet=alt.Facet(
                "panel:N", title=None, header=alt.Header(labelLimit=0, labelFontSize=12)
            ),
            columns=2,
        )
        .resolve_scale(x="independent")
    )
    return chart
