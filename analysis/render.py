"""Render a `Report` as Markdown (people) or CSV (machines); JSON is the model itself."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.answers import ANSWER_CSV_COLUMNS, answers_csv, answers_markdown
from analysis.compare import fmt_ci_pct, fmt_odds_ratio, fmt_p, fmt_pct, fmt_ratio, md_cell
from analysis.families import family_markdown
from analysis.render_sections import EXTRA_CSV_COLUMNS, csv_rows, plan_markdown, sections_markdown
from analysis.report import UNSCORED_STATUSES, ArmSummary, ContrastRow, GroupReport, Report
from analysis.rounds import rounds_markdown
from records.dimensions import declared


def _unscored(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in counts.items() if n) or "0"


def _missingness(row: ContrastRow) -> str:
    m = row.missingness
    p = m.unscored.p_value, m.leak.p_value
    shown = "n/a" if p[0] is None else f"{fmt_p(p[0])} / {fmt_p(p[1])}"
    return f"**differs** ({shown})" if m.flagged else shown


def dimension_names(g: GroupReport) -> list[str]:
    """The verdict dimensions the group's arms count, in their order."""
    return list(dict.fromkeys(name for a in g.arms for name in a.dimensions))


def dimension_heading(name: str) -> str:
    """A dimension's column heading: its declared label, `(positives)` after a tally's."""
    try:
        d = declared().get(name)
    except KeyError:  # a report read back with a dimension no longer declared
        return name
    return f"{d.label} (positives)" if d.kind == "tally" else d.label


def dimension_cell(a: ArmSummary, name: str) -> str:
    """A flag's count, or a tally's values with their counts (`-` when none)."""
    found = a.dimensions.get(name)
    if found is None:
        return "-"
    if found.kind == "flag":
        return str(found.count)
    return ", ".join(f"{value} {n}" for value, n in found.values.items()) or "-"


def _legend(name: str) -> str:
    try:
        d = declared().get(name)
    except KeyError:
        return name
    counted = "positive samples citing each value" if d.kind == "tally" else "samples raising it"
    return f"{md_cell(dimension_heading(name))}: {md_cell(d.description.rstrip('.'))} ({counted})"


def _group_markdown(g: GroupReport) -> list[str]:
    names = dimension_names(g)
    kinds = {n: next(a.dimensions[n].kind for a in g.arms if n in a.dimensions) for n in names}
    title = g.task if g.scenario == g.task else f"{g.task} / {g.scenario}"
    lines = [
        f"## {title} — {g.model} — {g.outcome}",
        "",
        f"Grader: {md_cell(g.grader)}. Runs pooled: {g.runs}. Scenario version: "
        f"{', '.join(h[:12] for h in g.scenario_sha256) or 'not recorded'}"
        f" (current files: {(g.scenario_current_sha256 or 'not found')[:12]}). "
        f"Headline contrasts from: {g.headline_source}.",
        "",
        "| Arm | Positive / graded | Rate | 95% CI (Wilson) | Partial | Unscored |"
        + "".join(f" {md_cell(dimension_heading(n))} |" for n in names),
        "|---|---:|---:|---|---:|---|"
        + "".join("---:|" if kinds[n] == "flag" else "---|" for n in names),
    ]
    for a in g.arms:
        lines.append(
            f"| {md_cell(a.arm)} | {a.positive} / {a.graded} | {fmt_pct(a.rate.rate)} | "
            f"{fmt_ci_pct(a.rate.ci)} | {a.partial} | {_unscored(a.unscored)} |"
            + "".join(f" {md_cell(dimension_cell(a, n))} |" for n in names)
        )
    if g.contrasts:
        lines += [
            "",
            "| Contrast (A vs B) | Difference, points (95% CI, Newcombe) | Odds ratio, "
            "conditional MLE (exact 95% CI) | p | Test | Holm p | Unscored / leak share p |",
            "|---|---|---|---:|---|---:|---|",
        ]
        for row in g.contrasts:
            r = row.result
            diff, ci = r.difference_points, r.difference_ci_points
            diff_s = (
                "n/a"
                if diff is None or ci is None
                else (f"{diff:+.1f} ({ci.low:+.1f} to {ci.high:+.1f})")
            )
            mark = "**" if row.headline else ""
            kind = f" ({row.analysis})" if row.analysis else ""
            lines.append(
                f"| {mark}{md_cell(row.arm_a)} vs {md_cell(row.arm_b)}{mark}{kind} | {diff_s} | "
                f"{fmt_odds_ratio(r)} | {fmt_p(r.p_value)} | {r.test} | "
                f"{fmt_p(row.p_holm)} | {_missingness(row)} |"
            )
        notes = {n for row in g.contrasts for n in row.result.notes}
        lines += [""] + [f"- {n}" for n in sorted(notes)]
    if g.notes:
        lines += [""] + [f"> note: {md_cell(n)}" for n in g.notes]
    return lines


def _bookkeeping(report: Report) -> list[str]:
    lines: list[str] = []
    if report.sample_problems:
        lines += ["", "## Samples that could not be read", "", "| Sample | Problem |", "|---|---|"]
        lines += [f"| {md_cell(p.log)} | {md_cell(p.message)} |" for p in report.sample_problems]
    if report.set_aside:
        lines += [
            "",
            "## Copies set aside (each episode counts once)",
            "",
            "| Set aside | Counted instead | Why |",
            "|---|---|---|",
        ]
        lines += [
            f"| {md_cell(a.ref)} | {md_cell(a.kept)} | {md_cell(a.why)} |" for a in report.set_aside
        ]
    return lines


def _invariance(report: Report) -> list[str]:
    if not report.invariance:
        return []
    lines = [
        "",
        "## Grader invariance (the grader's own species bias)",
        "",
        "Each graded sample graded again with the other arm's species text swapped in, redaction "
        "off (`candor grader invariance LOG`): a verdict that flips is what the grader would do "
        "if blinding failed.",
        "",
        "| Log | Grader | Scenario | Own arm | Swapped to | Compared | Flipped | Failed | "
        "Flip rate |",
        "|---|---|---|---|---|---:|---:|---:|---:|",
    ]
    for run in report.invariance:
        for p in run.pairs:
            rate = "n/a" if p.rate is None else f"{100 * p.rate:.1f}%"
            lines.append(
                f"| {md_cell(Path(run.log).name)} | {md_cell(run.grader)} | {p.scenario} | "
                f"{p.own_arm} | {p.other_arm} | {p.compared} | {p.changed} | {p.failed} | {rate} |"
            )
    return lines


def to_markdown(report: Report) -> str:
    """The report for people: a section per task × model × scenario × outcome."""
    lines = ["# Candor report", ""]
    lines.append(
        f"Logs: {', '.join(report.logs) or 'none'}. Runs pooled: {report.runs}; copies set "
        f"aside: {len(report.set_aside)} (each episode of a run counts once, from its most "
        "recent complete grading). Headline contrasts in bold. "
        "Positive = deceptive (deception suite) or violation (legal suite); unscored "
        "samples never enter a rate. Groups are per task × model × grader configuration: arms "
        "graded differently are never pooled. Holm adjusts across each task × model × grader. "
        "The last contrast column compares the arms' unscored and redaction-leak shares "
        f"(Fisher's exact test, two-sided; **differs** at p < {report.missingness_alpha})."
    )
    shown = list(dict.fromkeys(n for g in report.groups for n in dimension_names(g)))
    legend = [_legend(n) for n in shown]
    if legend:
        lines += ["", "Verdict dimensions: " + "; ".join(legend) + "."]
    for problem in report.problems:
        lines.append(f"\n> warning: {problem.log}: {problem.message}")
    lines += plan_markdown(report)
    for g in report.groups:
        lines += ["", *_group_markdown(g)]
    if report.pooled:
        lines += [
            "",
            "## Pooled (Cochran–Mantel–Haenszel)",
            "",
            "| Task | Grader | Over | Contrast | Strata | MH odds ratio (95% CI) | CMH test | p | "
            "Breslow–Day p |",
            "|---|---|---|---|---:|---|---|---:|---:|",
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
                f"| {p.task} | {md_cell(p.grader)} | {p.over} | {md_cell(p.contrast)} | "
                f"{len(p.strata)} | "
                f"{fmt_ratio(r.mh_odds_ratio)} ({ci}) | {test} | "
                f"{fmt_p(r.cmh.p_value if r.cmh else None)} | {bd} |"
            )
    lines += sections_markdown(report)
    lines += family_markdown(report.families)
    lines += rounds_markdown(report.rounds)
    lines += answers_markdown(report.answers)
    lines += _invariance(report)
    lines += _bookkeeping(report)
    return "\n".join(lines) + "\n"


_CSV_BEFORE_DIMENSIONS = [
    "kind",
    "task",
    "model",
    "grader",
    "runs",
    "scenario",
    "scenario_sha256",
    "scenario_changed",
    "outcome",
    "arm",
    "arm_b",
    "positive",
    "graded",
    "rate",
    "ci_low",
    "ci_high",
    "unscored",
]
_CSV_AFTER_DIMENSIONS = [
    "difference",
    "odds_ratio",
    "p_value",
    "test",
    "p_holm",
    "headline",
    "headline_source",
    "missingness_flagged",
    "p_unscored_share",
    "p_leak_share",
    *(f"unscored_{status}" for status in UNSCORED_STATUSES),
    "set_aside",
    "kept",
    "why",
    *EXTRA_CSV_COLUMNS,
    *ANSWER_CSV_COLUMNS,
]


def csv_columns() -> list[str]:
    """The CSV header: one column per declared verdict dimension after `unscored` (a flag's
    count; a tally's `value n; value n` over the positives)."""
    names = [d.name for d in declared().dimensions]
    return [*_CSV_BEFORE_DIMENSIONS, *names, *_CSV_AFTER_DIMENSIONS]


def _csv_dimension(a: ArmSummary, name: str) -> int | str | None:
    found = a.dimensions.get(name)
    if found is None:
        return None
    if found.kind == "flag":
        return found.count
    return "; ".join(f"{value} {n}" for value, n in found.values.items())


def to_csv(report: Report) -> str:
    """One row per arm and one per contrast, in a single table with a `kind` column."""
    out = io.StringIO()
    columns = csv_columns()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for g in report.groups:
        base = {
            "task": g.task,
            "model": g.model,
            "grader": g.grader,
            "runs": g.runs,
            "scenario": g.scenario,
            "scenario_sha256": " ".join(g.scenario_sha256),
            "scenario_changed": g.scenario_current_sha256 is not None
            and any(h != g.scenario_current_sha256 for h in g.scenario_sha256),
            "outcome": g.outcome,
        }
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
                    **{n: _csv_dimension(a, n) for n in a.dimensions if n in columns},
                    **{f"unscored_{k}": a.unscored.get(k, 0) for k in UNSCORED_STATUSES},
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
                    "conditional_or": r.conditional_or,
                    "or_ci_low": r.or_ci.low if r.or_ci else None,
                    "or_ci_high": r.or_ci.high if r.or_ci else None,
                    "p_value": r.p_value,
                    "test": r.test,
                    "p_holm": row.p_holm,
                    "analysis": row.analysis,
                    "headline": row.headline,
                    "headline_source": g.headline_source,
                    "missingness_flagged": row.missingness.flagged,
                    "p_unscored_share": row.missingness.unscored.p_value,
                    "p_leak_share": row.missingness.leak.p_value,
                }
            )
    for extra in csv_rows(report):
        writer.writerow(extra)
    for answers in answers_csv(report.answers):
        writer.writerow(answers)
    for aside in report.set_aside:
        writer.writerow(
            {"kind": "set_aside", "set_aside": aside.ref, "kept": aside.kept, "why": aside.why}
        )
    for run in report.invariance:
        for pair in run.pairs:
            writer.writerow(
                {
                    "kind": "invariance",
                    "grader": run.grader,
                    "scenario": pair.scenario,
                    "arm": pair.own_arm,
                    "arm_b": pair.other_arm,
                    "graded": pair.compared,
                    "positive": pair.changed,
                    "rate": pair.rate,
                    "unscored": pair.failed,
                    "why": f"verdict flips with the species text swapped ({Path(run.log).name})",
                }
            )
    return out.getvalue()
