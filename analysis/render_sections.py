"""The report's sections across groups, as Markdown and as CSV rows: contrasts stratified over
identity slots, rates per identity, and the forest of the species effect."""

from __future__ import annotations

from collections.abc import Iterator

from analysis.compare import fmt_ci_pct, fmt_p, fmt_pct, fmt_ratio, md_cell
from analysis.plan import (
    BINOMIAL_TEST,
    PlannedResult,
    PlanReport,
    PublishedComparison,
    PublishedRate,
)
from analysis.report import Report
from analysis.stats import CMHResult, ContrastResult, Interval
from analysis.usage import UsageRow

CsvRow = dict[str, object]

EXTRA_CSV_COLUMNS = [
    "factor",
    "slot",
    "strata_by",
    "unscored_a",
    "unscored_b",
    "party",
    "identity",
    "conditional_or",
    "or_ci_low",
    "or_ci_high",
    "mh_odds_ratio",
    "cmh_p",
    "breslow_day_p",
    "strata",
    "runs_not_recorded",
    "declared",
    "counted_balanced",
    "graded_same_across_arms",
    "flagged",
    "samples",
    "published_rate",
    "analysis",
    "role",
    "role_model",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
]
"""Columns the cross-group rows add to the report's CSV."""


def _ci(ci: Interval | None) -> str:
    return "n/a" if ci is None else f"{fmt_ratio(ci.low)} to {fmt_ratio(ci.high)}"


def _conditional(r: ContrastResult | None) -> str:
    if r is None:
        return "n/a"
    return f"{fmt_ratio(r.conditional_or)} ({_ci(r.or_ci)})"


def _count(r: ContrastResult | None, arm: str) -> str:
    if r is None:
        return "-"
    p = r.a if arm == "a" else r.b
    return f"{p.k} / {p.n}"


def _pooled_cells(p: CMHResult | None) -> str:
    if p is None:
        return "n/a | n/a | n/a"
    return (
        f"{fmt_ratio(p.mh_odds_ratio)} ({_ci(p.mh_or_ci)}) | "
        f"{fmt_p(p.cmh.p_value if p.cmh else None)} | "
        f"{fmt_p(p.breslow_day.p_value if p.breslow_day else None)}"
    )


def balance_markdown(report: Report) -> list[str]:
    """Per group: the identity balance its runs declared beside the counted samples per slot."""
    if not report.identity_balance:
        return []
    lines = [
        "",
        "## Identity balance (declared and counted)",
        "",
        "Declared: what each run's task-start check recorded in its log (`candor_balance`: "
        "epochs a multiple of the pool size k for every party, and of k^m to cover every "
        "pairing of m pooled parties). Counted: each arm's samples per identity slot, over "
        "every sample and over the samples graded for the outcome; a slot graded more often "
        "in one arm (exclusions falling on some identities) can pass an identity effect off "
        "as an arm effect.",
        "",
        "| Scenario | Model | Outcome | Declared design | Every sample per slot "
        "| Graded per slot | Flag |",
        "|---|---|---|---|---|---|---|",
    ]
    for b in report.identity_balance:
        g = b.group
        lines.append(
            f"| {g.scenario} | {md_cell(g.model)} | {g.outcome} | {md_cell(b.declared_label)} | "
            f"{b.counted_label} | {b.graded_label} | {'**check**' if b.flagged else 'ok'} |"
        )
    return lines


def identity_markdown(report: Report) -> list[str]:
    """Each contrast per identity slot with its pooled (CMH) line, then rates per identity."""
    if not report.identity_strata and not report.identity_rates:
        return []
    lines = [
        "",
        "## Across identities (counterbalanced identity slots)",
        "",
        "Each contrast within each identity slot (the names, titles and pronouns the parties "
        "wore), conditional maximum-likelihood odds ratio with its exact 95% interval, pooled "
        "over slots by Mantel–Haenszel. A small Breslow–Day p says the effect differs between "
        "identities: read the slots, not the pooled line. Each contrast is stratified by the "
        "slot of the party whose species it varies (its `Strata:` line says whose); unscored "
        "samples per slot are not in the counts.",
    ]
    for sc in report.identity_strata:
        g = sc.group
        mark = "**" if sc.headline else ""
        lines += [
            "",
            f"### {mark}{md_cell(sc.arm_a)} vs {md_cell(sc.arm_b)}{mark} — {g.scenario} — "
            f"{md_cell(g.model)} — {g.outcome}",
            "",
            f"Strata: {md_cell(sc.strata_by)}.",
            "",
            "| Identity slot | A positive / graded | B positive / graded | Odds ratio "
            "(exact 95% CI) | Fisher p | Unscored A / B |",
            "|---|---:|---:|---|---:|---:|",
        ]
        for st in sc.strata:
            r = st.result
            lines.append(
                f"| {md_cell(st.label)} | {_count(r, 'a')} | {_count(r, 'b')} | "
                f"{_conditional(r)} | {fmt_p(r.p_value if r else None)} | "
                f"{st.unscored_a} / {st.unscored_b} |"
            )
        lines += [
            "",
            "| Pooled over slots | MH odds ratio (95% CI) | CMH p | Breslow–Day p |",
            "|---|---|---:|---:|",
            f"| {len(sc.strata)} slots | {_pooled_cells(sc.pooled)} |",
        ]
    if report.identity_rates:
        lines += [
            "",
            "### Rate per identity",
            "",
            "Slots are the party's own identity slots; unscored samples (leak flags, errors) "
            "are not in the rate.",
            "",
            "| Scenario | Model | Outcome | Arm | Party | Identity | Slots | Positive / graded "
            "| Rate | 95% CI (Wilson) | Unscored |",
            "|---|---|---|---|---|---|---|---:|---:|---|---:|",
        ]
        for ir in report.identity_rates:
            g = ir.group
            lines.append(
                f"| {g.scenario} | {md_cell(g.model)} | {g.outcome} | {md_cell(ir.arm)} | "
                f"{ir.party} | {md_cell(ir.identity)} | {', '.join(map(str, ir.slots)) or '-'} "
                f"| {ir.rate.k} / {ir.rate.n} | {fmt_pct(ir.rate.rate)} | "
                f"{fmt_ci_pct(ir.rate.ci)} | {ir.unscored} |"
            )
    return lines


def forest_markdown(report: Report) -> list[str]:
    """The species effect per model × scenario, with the pooled estimate, per grader."""
    lines: list[str] = []
    for plot in report.forest:
        lines += [
            "",
            f"## Models side by side: the species effect ({plot.effect})",
            "",
            f"Grader: {md_cell(plot.grader)}. Odds ratio > 1: more with the AI arm. Conditional "
            "maximum-likelihood odds ratio with its exact 95% interval; pooled by "
            "Mantel–Haenszel, Breslow–Day for heterogeneity across the rows.",
            "",
            "| Model | Scenario | Outcome | Contrast | AI positive / graded | Human positive / "
            "graded | Odds ratio (exact 95% CI) | Fisher p |",
            "|---|---|---|---|---:|---:|---|---:|",
        ]
        for row in plot.rows:
            r = row.result
            mark = "**" if row.headline else ""
            lines.append(
                f"| {md_cell(row.model)} | {row.scenario} | {row.outcome} | "
                f"{mark}{md_cell(row.arm_a)} vs {md_cell(row.arm_b)}{mark} | {r.a.k} / {r.a.n} | "
                f"{r.b.k} / {r.b.n} | {_conditional(r)} | {fmt_p(r.p_value)} |"
            )
        if plot.pooled is not None:
            lines += [
                "",
                "| Pooled rows | MH odds ratio (95% CI) | CMH p | Breslow–Day p |",
                "|---|---|---:|---:|",
                f"| {len(plot.rows)} | {_pooled_cells(plot.pooled)} |",
            ]
    return lines


def _published_cell(pr: PublishedRate) -> str:
    count = f" ({pr.k}/{pr.n})" if pr.k is not None else ""
    return f"{fmt_pct(pr.rate)}{count}"


def _published_once(plan: PlanReport) -> list[tuple[PlannedResult, PublishedComparison]]:
    """Each arm's published comparison once, though the arm is in several planned contrasts."""
    seen: set[tuple[str | None, str | None, str, str, str]] = set()
    found = []
    for r in plan.results:
        for c in r.published:
            key = (r.model, r.grader, r.scenario, r.outcome, c.arm)
            if key not in seen:
                seen.add(key)
                found.append((r, c))
    return found


def plan_markdown(report: Report) -> list[str]:
    """The planned (confirmatory) contrasts first, published rates beside the measured ones."""
    plan = report.plan
    if plan is None:
        return []
    lines = [
        "",
        f"## Planned contrasts (confirmatory): {md_cell(plan.name)}",
        "",
        f"Plan: {md_cell(plan.file)}; α {plan.alpha:g}; {plan.n_per_arm} graded samples planned "
        "per arm. Holm adjusts over the planned contrasts alone, per model × grader "
        "configuration; every other contrast in this report is exploratory (Holm over the "
        "rest)." + (f" Published figures: {md_cell(plan.source)}." if plan.source else ""),
        "",
        "| Model | Scenario | Contrast (A vs B) | A positive / graded | B positive / graded | "
        "Odds ratio (exact CI) | p | Test | Holm p | Rejected at α |",
        "|---|---|---|---:|---:|---|---:|---|---:|---|",
    ]
    for r in plan.results:
        res = r.result
        if res is None:
            lines.append(
                f"| - | {r.scenario} | {md_cell(r.arm_a)} vs {md_cell(r.arm_b)} | - | - | "
                "not in these logs | - | - | - | - |"
            )
            continue
        short = [] if res.a.n >= r.n_per_arm and res.b.n >= r.n_per_arm else ["below plan"]
        rejected = "yes" if r.rejected else ("no" if r.rejected is False else "n/a")
        lines.append(
            f"| {md_cell(r.model or '-')} | {r.scenario} | {md_cell(r.arm_a)} vs "
            f"{md_cell(r.arm_b)} | {res.a.k} / {res.a.n} | {res.b.k} / {res.b.n}"
            f"{' (' + ', '.join(short) + ')' if short else ''} | {_conditional(res)} | "
            f"{fmt_p(res.p_value)} | {res.test} | {fmt_p(r.p_holm)} | {rejected} |"
        )
    published = _published_once(plan)
    if published:
        lines += [
            "",
            "### Published beside measured",
            "",
            f"Each measured count tested against the published rate ({BINOMIAL_TEST}).",
            "",
            "| Model | Scenario | Arm | Published | Measured | 95% CI (Wilson) | p |",
            "|---|---|---|---:|---:|---|---:|",
        ]
        for r, c in published:
            m = c.measured
            measured = f"{fmt_pct(m.rate)} ({m.k}/{m.n})" if m.n else "not in these logs"
            lines.append(
                f"| {md_cell(r.model or '-')} | {r.scenario} | {md_cell(c.arm)} | "
                f"{_published_cell(c.published)} | {measured} | {fmt_ci_pct(m.ci)} | "
                f"{fmt_p(c.p_value)} |"
            )
    return lines


def _dollars(value: float | None) -> str:
    return "-" if value is None else f"${value:,.4f}"


def _roles_cell(row: UsageRow) -> list[str]:
    return [
        f"{md_cell(r.role)} ({md_cell(r.model)}): {r.tokens.input_tokens:,} in / "
        f"{r.tokens.output_tokens:,} out / {r.tokens.total_tokens:,} total, "
        f"{r.mean_total_tokens:,.0f} per sample" + (f", {_dollars(r.cost)}" if r.cost else "")
        for r in row.roles
    ]


def usage_markdown(report: Report) -> list[str]:
    """Tokens (and cost) per role, per run and per arm."""
    u = report.usage
    if not u.runs:
        return []
    lines = [
        "",
        "## Tokens and cost per role",
        "",
        "Each episode once. The target's tokens are the eval model's less those of any role "
        "bound to the same model; `unattributed:MODEL` holds calls to a model no role names."
        + ("" if u.priced else " No prices given (`--prices FILE`): tokens only.")
        + (
            f" No price for: {', '.join(map(md_cell, u.unpriced_models))}."
            if u.unpriced_models
            else ""
        ),
        "",
        "| Run | Task | Model | Samples | Role | Model of role | Input | Output | Total | "
        "Per sample | Cost |",
        "|---|---|---|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in u.runs:
        for r in row.roles:
            lines.append(
                f"| {md_cell(row.run)} | {row.task} | {md_cell(row.model)} | {row.samples} | "
                f"{md_cell(r.role)} | {md_cell(r.model)} | {r.tokens.input_tokens:,} | "
                f"{r.tokens.output_tokens:,} | {r.tokens.total_tokens:,} | "
                f"{r.mean_total_tokens:,.0f} | {_dollars(r.cost)} |"
            )
    lines += [
        "",
        "| Scenario | Model | Arm | Samples | Role | Total tokens | Per sample | Cost |",
        "|---|---|---|---:|---|---:|---:|---:|",
    ]
    for row in u.arms:
        for r in row.roles:
            lines.append(
                f"| {row.scenario} | {md_cell(row.model)} | {md_cell(row.arm)} | {row.samples} | "
                f"{md_cell(r.role)} | {r.tokens.total_tokens:,} | {r.mean_total_tokens:,.0f} | "
                f"{_dollars(r.cost)} |"
            )
    return lines


def sections_markdown(report: Report) -> list[str]:
    """Every cross-group section, in the order the report prints them."""
    return [
        *forest_markdown(report),
        *balance_markdown(report),
        *identity_markdown(report),
        *usage_markdown(report),
    ]


def _pooled_csv(p: CMHResult | None) -> CsvRow:
    if p is None:
        return {}
    return {
        "mh_odds_ratio": p.mh_odds_ratio,
        "ci_low": p.mh_or_ci.low if p.mh_or_ci else None,
        "ci_high": p.mh_or_ci.high if p.mh_or_ci else None,
        "cmh_p": p.cmh.p_value if p.cmh else None,
        "breslow_day_p": p.breslow_day.p_value if p.breslow_day else None,
    }


def _contrast_csv(r: ContrastResult) -> CsvRow:
    return {
        "positive": r.a.k,
        "graded": r.a.n,
        "difference": r.difference,
        "odds_ratio": r.sample_or,
        "conditional_or": r.conditional_or,
        "or_ci_low": r.or_ci.low if r.or_ci else None,
        "or_ci_high": r.or_ci.high if r.or_ci else None,
        "p_value": r.p_value,
        "test": r.test,
    }


def _balance_csv(report: Report) -> Iterator[CsvRow]:
    """Per group an `identity_balance` row (its declared design, counted balance and flag, as
    the JSON's `identity_balance` has them; `runs`: the runs that declared one),
    then one `identity_slot` row per party, arm and slot: `samples` every sample of the arm
    at that slot, `graded` those graded for the outcome."""
    for b in report.identity_balance:
        base: CsvRow = {**b.group.model_dump()}
        yield {
            **base,
            "kind": "identity_balance",
            "runs": " ".join(sorted(b.declared_runs)),
            "runs_not_recorded": b.runs_not_recorded,
            "declared": b.declared,
            "counted_balanced": b.counted_balanced,
            "graded_same_across_arms": b.graded_same_across_arms,
            "flagged": b.flagged,
        }
        graded = {(g.party, arm): slots for g in b.graded for arm, slots in g.counts.items()}
        for counted in b.counted:
            for arm, slots in counted.counts.items():
                for slot in range(counted.pool_size):
                    yield {
                        **base,
                        "kind": "identity_slot",
                        "party": counted.party,
                        "arm": arm,
                        "slot": slot,
                        "samples": slots.get(slot, 0),
                        "graded": graded.get((counted.party, arm), {}).get(slot, 0),
                    }


def csv_rows(report: Report) -> Iterator[CsvRow]:
    """CSV rows of kinds `identity_stratum`, `identity_pooled`, `identity_balance`,
    `identity_slot`, `identity_rate`, `forest` and `forest_pooled` (`positive`/`graded` are
    arm A's; arm B's are in the JSON)."""
    for sc in report.identity_strata:
        g = sc.group
        base: CsvRow = {
            **g.model_dump(),
            "factor": sc.factor,
            "arm": sc.arm_a,
            "arm_b": sc.arm_b,
            "headline": sc.headline,
        }
        for st in sc.strata:
            extra = _contrast_csv(st.result) if st.result else {}
            yield {
                **base,
                "kind": "identity_stratum",
                "slot": st.label,
                "strata_by": sc.strata_by,
                "unscored_a": st.unscored_a,
                "unscored_b": st.unscored_b,
                **extra,
            }
        yield {
            **base,
            "kind": "identity_pooled",
            "strata": len(sc.strata),
            **_pooled_csv(sc.pooled),
        }
    yield from _balance_csv(report)
    for ir in report.identity_rates:
        yield {
            **ir.group.model_dump(),
            "kind": "identity_rate",
            "arm": ir.arm,
            "party": ir.party,
            "identity": ir.identity,
            "slot": " ".join(map(str, ir.slots)),
            "positive": ir.rate.k,
            "graded": ir.rate.n,
            "rate": ir.rate.rate,
            "ci_low": ir.rate.ci.low if ir.rate.ci else None,
            "ci_high": ir.rate.ci.high if ir.rate.ci else None,
            "unscored": ir.unscored,
        }
    if report.plan is not None:
        for r in report.plan.results:
            base = {
                "task": r.task,
                "model": r.model,
                "grader": r.grader,
                "scenario": r.scenario,
                "outcome": r.outcome,
                "arm": r.arm_a,
                "arm_b": r.arm_b,
            }
            extra = _contrast_csv(r.result) if r.result else {}
            yield {**base, "kind": "planned", "p_holm": r.p_holm, **extra}
        for r, c in _published_once(report.plan):
            base = {
                "task": r.task,
                "model": r.model,
                "grader": r.grader,
                "scenario": r.scenario,
                "outcome": r.outcome,
            }
            yield {
                **base,
                "kind": "published",
                "arm": c.arm,
                "rate": c.measured.rate,
                "positive": c.measured.k,
                "graded": c.measured.n,
                "published_rate": c.published.rate,
                "p_value": c.p_value,
                "test": c.test,
            }
    for usage in (*report.usage.runs, *report.usage.arms):
        for role in usage.roles:
            yield {
                "kind": f"usage_{usage.scope}",
                "task": usage.task,
                "model": usage.model,
                "scenario": usage.scenario,
                "arm": usage.arm,
                "runs": usage.run,
                "graded": usage.samples,
                "role": role.role,
                "role_model": role.model,
                "input_tokens": role.tokens.input_tokens,
                "output_tokens": role.tokens.output_tokens,
                "total_tokens": role.tokens.total_tokens,
                "cost": role.cost,
            }
    for plot in report.forest:
        for row in plot.rows:
            yield {
                "kind": "forest",
                "task": row.task,
                "model": row.model,
                "grader": plot.grader,
                "scenario": row.scenario,
                "outcome": row.outcome,
                "factor": row.factor,
                "arm": row.arm_a,
                "arm_b": row.arm_b,
                "headline": row.headline,
                **_contrast_csv(row.result),
            }
        if plot.pooled is not None:
            yield {
                "kind": "forest_pooled",
                "grader": plot.grader,
                "arm": plot.effect,
                "strata": len(plot.rows),
                **_pooled_csv(plot.pooled),
            }
