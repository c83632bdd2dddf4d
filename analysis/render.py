"""Render a `Report` as Markdown (people) or CSV (machines); JSON is the model itself."""

from __future__ import annotations

import csv
import io

from analysis.compare import fmt_ci_pct, fmt_p, fmt_pct, fmt_ratio, md_cell
from analysis.report import GroupReport, Report


def _unscored(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in counts.items()) or "0"


def _tactics(counts: dict[str, int]) -> str:
    return ", ".join(f"{t} {n}" for t, n in counts.items()) or "-"


def _group_markdown(g: GroupReport) -> list[str]:
    title = g.task if g.scenario == g.task else f"{g.task} / {g.scenario}"
    lines = [
        f"## {title} — {g.model} — {g.outcome}",
        "",
        "| Arm | Positive / graded | Rate | 95% CI (Wilson) | Partial | Unscored | Eval-aware "
        "| Tactics (positives) |",
        "|---|---:|---:|---|---:|---|---:|---|",
    ]
    for a in g.arms:
        lines.append(
            f"| {md_cell(a.arm)} | {a.positive} / {a.graded} | {fmt_pct(a.rate.rate)} | "
            f"{fmt_ci_pct(a.rate.ci)} | {a.partial} | {_unscored(a.unscored)} | {a.eval_aware} | "
            f"{md_cell(_tactics(a.tactics))} |"
        )
    if g.contrasts:
        lines += [
            "",
            "| Contrast (A vs B) | Difference, points (95% CI, Newcombe) | Odds ratio "
            "(exact conditional 95% CI) | p | Test | Holm p |",
            "|---|---|---|---:|---|---:|",
        ]
        for row in g.contrasts:
            r = row.result
            diff, ci = r.difference_points, r.difference_ci_points
            diff_s = (
                "n/a"
                if diff is None or ci is None
                else (f"{diff:+.1f} ({ci.low:+.1f} to {ci.high:+.1f})")
            )
            or_ci = (
                "n/a"
                if r.or_ci is None
                else (f"{fmt_ratio(r.or_ci.low)} to {fmt_ratio(r.or_ci.high)}")
            )
            corrected = "†" if r.continuity_correction == "haldane_anscombe" else ""
            mark = "**" if row.headline else ""
            lines.append(
                f"| {mark}{md_cell(row.arm_a)} vs {md_cell(row.arm_b)}{mark} | {diff_s} | "
                f"{fmt_ratio(r.sample_or)}{corrected} ({or_ci}) | {fmt_p(r.p_value)} | {r.test} | "
                f"{fmt_p(row.p_holm)} |"
            )
        notes = {n for row in g.contrasts for n in row.result.notes}
        lines += [""] + [f"- {n}" for n in sorted(notes)]
    return lines


def to_markdown(report: Report) -> str:
    """The report for people: a section per task × model × scenario × outcome."""
    lines = ["# Candor report", ""]
    lines.append(
        f"Logs: {', '.join(report.logs) or 'none'}. Headline contrasts in bold. "
        "Positive = deceptive (deception suite) or violation (legal suite); unscored "
        "samples never enter a rate. Holm adjusts across each task × model."
    )
    for problem in report.problems:
        lines.append(f"\n> warning: {problem.log}: {problem.message}")
    for g in report.groups:
        lines += ["", *_group_markdown(g)]
    if report.pooled:
        lines += [
            "",
            "## Pooled (Cochran–Mantel–Haenszel)",
            "",
            "| Task | Over | Contrast | Strata | MH odds ratio (95% CI) | CMH test | p | "
            "Breslow–Day p |",
            "|---|---|---|---:|---|---|---:|---:|",
        ]
        for p in report.pooled:
            r = p.result
            ci = (
                "n/a"
                if r.mh_or_ci is None
                else f"{fmt_ratio(r.mh_or_ci.low)} to {fmt_ratio(r.mh_or_ci.high)}"
            )
            test = r.cmh.test if r.cmh else "n/a"
            bd = fmt_p(r.breslow_day.p_value) if r.breslow_day else "n/a"
            lines.append(
                f"| {p.task} | {p.over} | {md_cell(p.contrast)} | {len(p.strata)} | "
                f"{fmt_ratio(r.mh_odds_ratio)} ({ci}) | {test} | "
                f"{fmt_p(r.cmh.p_value if r.cmh else None)} | {bd} |"
            )
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "kind",
    "task",
    "model",
    "scenario",
    "outcome",
    "arm",
    "arm_b",
    "positive",
    "graded",
    "rate",
    "ci_low",
    "ci_high",
    "unscored",
    "eval_aware",
    "difference",
    "odds_ratio",
    "p_value",
    "test",
    "p_holm",
    "headline",
]


def to_csv(report: Report) -> str:
    """One row per arm and one per contrast, in a single table with a `kind` column."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for g in report.groups:
        base = {"task": g.task, "model": g.model, "scenario": g.scenario, "outcome": g.outcome}
        for a in g.arms:
            writer.writerow(
                {
                    **base,
                    "kind": "arm",
                    "arm": a.arm,
                    "positive": a.positive,
                    "graded": a.graded,
                    "rate": a.rate.rate,
                    "ci_low": a.rate.ci.low if a.rate.ci else None,
                    "ci_high": a.rate.ci.high if a.rate.ci else None,
                    "unscored": sum(a.unscored.values()),
                    "eval_aware": a.eval_aware,
                }
            )
        for row in g.contrasts:
            r = row.result
            writer.writerow(
                {
                    **base,
                    "kind": "contrast",
                    "arm": row.arm_a,
                    "arm_b": row.arm_b,
                    "difference": r.difference,
                    "ci_low": r.difference_ci.low if r.difference_ci else None,
                    "ci_high": r.difference_ci.high if r.difference_ci else None,
                    "odds_ratio": r.sample_or,
                    "p_value": r.p_value,
                    "test": r.test,
                    "p_holm": row.p_holm,
                    "headline": row.headline,
                }
            )
    return out.getvalue()
