"""The report's sections across groups as dashboard tables and charts: the forest of the species
effect, contrasts stratified over identity slots, rates per identity, tokens and cost per role,
and the plan's confirmatory contrasts. Pure: the numbers are `analysis.report`'s, formatted as
`candor report` formats them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import altair as alt

from analysis.compare import fmt_ci_pct, fmt_odds_ratio, fmt_p, fmt_pct, fmt_ratio
from analysis.forest import ForestPlot, ForestRow
from analysis.plan import PlanReport
from analysis.report import Report
from analysis.stats import CMHResult
from analysis.strata import IdentityRate, StratifiedContrast
from analysis.usage import UsageReport, UsageRow
from dashboard.headline import short_model
from dashboard.tables import OR_COLUMN, Row, grader_tag

MH_COLUMN = "MH odds ratio (95% CI)"
POOLED_LABEL = "pooled (Mantel–Haenszel)"
_ROLE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
"""Okabe–Ito, one colour per role."""


def _mh(p: CMHResult | None) -> str:
    if p is None or p.mh_odds_ratio is None:
        return "n/a"
    ci = p.mh_or_ci
    interval = "n/a" if ci is None else f"{fmt_ratio(ci.low)} to {fmt_ratio(ci.high)}"
    return f"{fmt_ratio(p.mh_odds_ratio)} ({interval})"


def pooled_cells(p: CMHResult | None) -> Row:
    """A Mantel–Haenszel estimate, its CMH p and Breslow–Day p, as the report shows them."""
    return {
        MH_COLUMN: _mh(p),
        "CMH p": fmt_p(p.cmh.p_value if p and p.cmh else None),
        "Breslow–Day p": fmt_p(p.breslow_day.p_value if p and p.breslow_day else None),
    }


# ------------------------------------------------------------------------- models side by side


def forest_label(row: ForestRow, plot: ForestPlot) -> str:
    """A forest row's name: scenario and model (and the outcome when the plot has several)."""
    outcomes = {r.outcome for r in plot.rows}
    where = row.scenario if len(outcomes) == 1 else f"{row.scenario}/{row.outcome}"
    return f"{where} · {short_model(row.model)}"


def forest_rows(plot: ForestPlot) -> list[Row]:
    """One row per model × scenario: each arm's count, the odds ratio and Fisher's p."""
    return [
        {
            "scenario": r.scenario,
            "model": short_model(r.model),
            "AI vs human": f"{r.result.a.k}/{r.result.a.n} vs {r.result.b.k}/{r.result.b.n}",
            OR_COLUMN: fmt_odds_ratio(r.result),
            "Fisher p": fmt_p(r.result.p_value),
            "contrast (A vs B)": f"{r.arm_a} vs {r.arm_b}"
            + ("" if len({x.outcome for x in plot.rows}) == 1 else f" ({r.outcome})"),
        }
        for r in plot.rows
    ]


def forest_pooled_row(plot: ForestPlot) -> Row:
    """The plot's pooled line: rows pooled, MH odds ratio, CMH p, Breslow–Day p."""
    return {"rows pooled": len(plot.rows), **pooled_cells(plot.pooled)}


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) and x > 0 else None


def forest_points(plot: ForestPlot) -> list[Row]:
    """Each row's estimate and interval on the chart, an open end drawn to the axis's edge
    (`open_low`, `open_high`) rather than dropped; the pooled estimate last."""
    items: list[tuple[str, float | None, float | None, float | None, str]] = []
    for r in plot.rows:
        ci = r.result.or_ci
        items.append(
            (
                forest_label(r, plot),
                r.result.conditional_or,
                ci.low if ci else None,
                ci.high if ci else None,
                f"{r.result.a.k}/{r.result.a.n} vs {r.result.b.k}/{r.result.b.n}",
            )
        )
    if plot.pooled is not None:
        ci = plot.pooled.mh_or_ci
        items.append(
            (
                POOLED_LABEL,
                plot.pooled.mh_odds_ratio,
                ci.low if ci else None,
                ci.high if ci else None,
                f"{len(plot.rows)} rows",
            )
        )
    finite = [f for _, e, lo, hi, _ in items for v in (e, lo, hi) if (f := _finite(v)) is not None]
    edge_low = min([*finite, 1.0]) / 2
    edge_high = max([*finite, 1.0]) * 2
    points: list[Row] = []
    for label, estimate, low, high, counts in items:
        if estimate is None:  # no estimate (an arm without graded samples): the table says so
            continue
        lo, hi, est = _finite(low), _finite(high), _finite(estimate)
        shown = f"{fmt_ratio(estimate)} ({fmt_ratio(low)} to {fmt_ratio(high)})"
        points.append(
            {
                "row": f"{label}: {shown}",
                "pooled": label == POOLED_LABEL,
                "estimate": est if est is not None else (edge_high if estimate > 0 else edge_low),
                "low": lo if lo is not None else edge_low,
                "high": hi if hi is not None else edge_high,
                "open_low": lo is None,
                "open_high": hi is None,
                "shown": shown,
                "counts": counts,
            }
        )
    return points


def forest_chart(plot: ForestPlot) -> alt.LayerChart:
    """Odds ratio per row on a log axis with its exact interval (black), the pooled estimate as
    a diamond, a dashed line at 1 (no effect); each row's figures in its label."""
    points = forest_points(plot)
    order = [str(p["row"]) for p in points]
    data = alt.InlineData(values=points)
    y = alt.Y(
        "row:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelLimit=0, labelFontSize=12, labelOverlap=False),
    )
    x_title = "odds ratio, AI arm vs human arm (log scale; > 1: more with the AI arm)"
    log = alt.Scale(type="log")
    base = alt.Chart(data).encode(y=y)
    whiskers = base.mark_rule(color="#000000", strokeWidth=1.5).encode(
        x=alt.X("low:Q", scale=log, title=x_title), x2="high:Q"
    )
    dots = base.mark_point(filled=True, color="#000000", opacity=1).encode(
        x=alt.X("estimate:Q", scale=log, title=x_title),
        shape=alt.Shape(
            "pooled:N",
            scale=alt.Scale(domain=[False, True], range=["square", "diamond"]),
            legend=None,
        ),
        size=alt.Size(
            "pooled:N", scale=alt.Scale(domain=[False, True], range=[70, 260]), legend=None
        ),
        tooltip=["row:N", "counts:N"],
    )
    no_effect = (
        alt.Chart(alt.InlineData(values=[{"one": 1.0}]))
        .mark_rule(color="#555555", strokeDash=[4, 4])
        .encode(x=alt.X("one:Q", scale=log))
    )
    return alt.LayerChart(layer=[no_effect, whiskers, dots], height=alt.Step(34), width="container")


def forest_caption(plot: ForestPlot) -> str:
    return (
        f"Grader {grader_tag(plot.grader)} ({plot.grader}). Conditional maximum-likelihood odds "
        "ratio with its exact 95% interval per row (an interval open at one end is drawn to the "
        "axis edge); pooled by Mantel–Haenszel, Breslow–Day p for heterogeneity across rows."
    )


# ------------------------------------------------------------------------- identities


def _contrast_name(sc: StratifiedContrast) -> str:
    return f"{sc.arm_a} vs {sc.arm_b}"


def identity_balance_rows(report: Report) -> list[Row]:
    """One row per group: the identity balance its runs declared beside the counted slots."""
    return [
        {
            "scenario · model": f"{b.group.scenario} · {short_model(b.group.model)}",
            "outcome": b.group.outcome,
            "declared design": b.declared_label,
            "every sample": b.counted_label,
            "graded per slot": b.graded_label,
            "flag": "check" if b.flagged else "ok",
        }
        for b in report.identity_balance
    ]


def strata_summary_rows(report: Report) -> list[Row]:
    """One row per stratified contrast: its odds ratio unstratified and pooled over slots."""
    unstratified = {
        (g.task, g.model, g.grader, g.scenario, g.outcome, c.arm_a, c.arm_b): c.result
        for g in report.groups
        for c in g.contrasts
    }
    rows: list[Row] = []
    for sc in report.identity_strata:
        g = sc.group
        whole = unstratified.get(
            (g.task, g.model, g.grader, g.scenario, g.outcome, sc.arm_a, sc.arm_b)
        )
        rows.append(
            {
                "scenario · model": f"{g.scenario} · {short_model(g.model)}",
                "strata": sc.strata_by.split(" (")[0],  # the why is in the caption and title
                "slots": len(sc.strata),
                "OR, all slots (exact CI)": fmt_odds_ratio(whole) if whole else "n/a",
                "MH OR over slots (95% CI)": _mh(sc.pooled),
                "CMH p": fmt_p(sc.pooled.cmh.p_value if sc.pooled.cmh else None),
                "Breslow–Day p": fmt_p(
                    sc.pooled.breslow_day.p_value if sc.pooled.breslow_day else None
                ),
                "A vs B": _contrast_name(sc),
            }
        )
    return rows


def stratum_title(sc: StratifiedContrast) -> str:
    g = sc.group
    return f"{g.scenario} — {short_model(g.model)}: {_contrast_name(sc)} — by {sc.strata_by}"


def stratum_rows(sc: StratifiedContrast) -> list[Row]:
    """One row per identity slot of one contrast."""
    rows: list[Row] = []
    for s in sc.strata:
        r = s.result
        rows.append(
            {
                "identity slot": s.label,
                "A positive / graded": "-" if r is None else f"{r.a.k} / {r.a.n}",
                "B positive / graded": "-" if r is None else f"{r.b.k} / {r.b.n}",
                OR_COLUMN: "n/a" if r is None else fmt_odds_ratio(r),
                "Fisher p": fmt_p(r.p_value if r else None),
                "unscored A / B": f"{s.unscored_a} / {s.unscored_b}",
            }
        )
    return rows


def identity_rate_rows(rates: Sequence[IdentityRate]) -> list[Row]:
    """Each arm's rate per party and identity worn."""
    return [
        {
            "scenario": ir.group.scenario,
            "model": short_model(ir.group.model),
            "arm": ir.arm,
            "party": ir.party,
            "identity": ir.identity,
            "slots": ", ".join(map(str, ir.slots)) or "-",
            "positive / graded": f"{ir.rate.k} / {ir.rate.n}",
            "rate": fmt_pct(ir.rate.rate),
            "95% CI (Wilson)": fmt_ci_pct(ir.rate.ci),
            "unscored": ir.unscored,
        }
        for ir in rates
    ]


# ------------------------------------------------------------------------- tokens


def _dollars(value: float | None) -> str:
    return "-" if value is None else f"${value:,.4f}"


def _roles(rows: Sequence[UsageRow]) -> list[str]:
    return list(dict.fromkeys(r.role for u in rows for r in u.roles))


def usage_rows(rows: Sequence[UsageRow], priced: bool) -> list[Row]:
    """One row per arm or run: samples, each role's tokens per sample, all roles' tokens, and the
    cost (with prices); a role that spent nothing in a row shows `-`."""
    roles = _roles(rows)
    out: list[Row] = []
    for u in rows:
        by_role = {r.role: r for r in u.roles}
        where: Row = (
            {"scenario": u.scenario, "model": short_model(u.model), "arm": u.arm}
            if u.scope == "arm"
            else {"task": u.task, "model": short_model(u.model), "run": u.run}
        )
        cells: Row = {}
        for role in roles:
            r = by_role.get(role)
            cells[f"{role} per sample"] = "-" if r is None else f"{r.mean_total_tokens:,.0f}"
        total = sum(r.tokens.total_tokens for r in u.roles)
        cost = {"cost": _dollars(u.cost)} if priced else {}
        out.append({**where, "samples": u.samples, **cells, "total tokens": f"{total:,}", **cost})
    return out


def role_rows(rows: Sequence[UsageRow]) -> list[Row]:
    """Every role of every row in full: its model, input, output and total tokens, cost."""
    return [
        {
            "scenario" if u.scope == "arm" else "run": u.scenario if u.scope == "arm" else u.run,
            "model": short_model(u.model),
            **({"arm": u.arm} if u.scope == "arm" else {}),
            "role": r.role,
            "model of role": r.model,
            "input": f"{r.tokens.input_tokens:,}",
            "output": f"{r.tokens.output_tokens:,}",
            "total": f"{r.tokens.total_tokens:,}",
            "per sample": f"{r.mean_total_tokens:,.0f}",
            "cost": _dollars(r.cost),
        }
        for u in rows
        for r in u.roles
    ]


def usage_chart(usage: UsageReport) -> alt.Chart:
    """Tokens per sample per arm, stacked by role (Okabe–Ito colours, the legend below)."""
    roles = _roles(usage.arms)
    values: list[Row] = [
        {
            "arm": f"{u.scenario} · {short_model(u.model)} · {u.arm}",
            "role": r.role,
            "tokens": r.tokens.total_tokens / u.samples if u.samples else 0.0,
        }
        for u in usage.arms
        for r in u.roles
    ]
    colours = [_ROLE_COLOURS[i % len(_ROLE_COLOURS)] for i in range(len(roles))]
    chart: alt.Chart = (
        alt.Chart(alt.InlineData(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("arm:N", title=None, axis=alt.Axis(labelLimit=0, labelOverlap=False)),
            x=alt.X("tokens:Q", title="tokens per sample (total, by role)", stack="zero"),
            color=alt.Color(
                "role:N",
                title="role",
                scale=alt.Scale(domain=roles, range=colours),
                legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=0),
            ),
            tooltip=["arm:N", "role:N", alt.Tooltip("tokens:Q", format=",.0f")],
        )
        .properties(height=alt.Step(22), width="container")
    )
    return chart


# ------------------------------------------------------------------------- plan


def plan_caption(plan: PlanReport) -> str:
    return (
        f"Plan {plan.name} ({Path(plan.file).name}); α {plan.alpha:g}; {plan.n_per_arm} graded "
        "samples planned per arm. Holm adjusts over the planned contrasts alone, per model × "
        "grader configuration; every other contrast is exploratory (Holm over the rest)."
        + (f" Published figures: {plan.source}." if plan.source else "")
    )


def plan_rows(plan: PlanReport) -> list[Row]:
    """One row per planned contrast, as the report's planned table."""
    rows: list[Row] = []
    for r in plan.results:
        res = r.result
        if res is None:
            rows.append(
                {
                    "scenario": r.scenario,
                    "model": "-",
                    "A vs B": "not in these logs",
                    "contrast (A vs B)": f"{r.arm_a} vs {r.arm_b}",
                }
            )
            continue
        below = res.a.n < r.n_per_arm or res.b.n < r.n_per_arm
        rows.append(
            {
                "scenario": r.scenario,
                "model": short_model(r.model or "-"),
                "A vs B": f"{res.a.k}/{res.a.n} vs {res.b.k}/{res.b.n}",
                OR_COLUMN: fmt_odds_ratio(res),
                "p": fmt_p(res.p_value),
                "Holm p": fmt_p(r.p_holm),
                "rejected at α": "yes" if r.rejected else ("no" if r.rejected is False else "n/a"),
                "graded vs plan": "below plan" if below else "as planned",
                "contrast (A vs B)": f"{r.arm_a} vs {r.arm_b}",
                "test": res.test,
            }
        )
    return rows


def published_rows(plan: PlanReport) -> list[Row]:
    """Each planned arm's published rate beside the measured one (each arm once)."""
    seen: set[tuple[str | None, str | None, str, str, str]] = set()
    rows: list[Row] = []
    for r in plan.results:
        for c in r.published:
            key = (r.model, r.grader, r.scenario, r.outcome, c.arm)
            if key in seen:
                continue
            seen.add(key)
            m = c.measured
            count = f" ({c.published.k}/{c.published.n})" if c.published.k is not None else ""
            rows.append(
                {
                    "scenario": r.scenario,
                    "model": short_model(r.model or "-"),
                    "arm": c.arm,
                    "published": f"{fmt_pct(c.published.rate)}{count}",
                    "measured": f"{fmt_pct(m.rate)} ({m.k}/{m.n})" if m.n else "not in these logs",
                    "95% CI (Wilson)": fmt_ci_pct(m.ci),
                    "p": fmt_p(c.p_value),
                }
            )
    return rows
