"""Round-by-round verdicts and scenario families as table rows (the Rounds and families page).

Pure functions of the report: `analysis.rounds` classes each graded episode of a scenario judged
round by round by its trajectory, `analysis.families` pools a contrast over a family's variants;
this module only lays those numbers out, formatted as `candor report` formats them.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.compare import fmt_p, fmt_pct, fmt_ratio
from analysis.families import FamilyRow
from analysis.rounds import LABELS, TRAJECTORIES, RoundsTable
from dashboard.tables import Row, grader_tag

TRAJECTORY_NAMES = {
    "honest_throughout": "honest throughout",
    "corrected": "corrected",
    "lapse_then_honest": "lapse then honest",
    "kept": "kept",
    "escalated": "escalated",
    "undecided": "undecided",
}
"""Each trajectory class as the page names it (`analysis.rounds.trajectory`)."""
LABEL_NAMES = {"honest": "honest", "omission": "omission", "false_statement": "false statement"}


def share(count: int, total: int) -> str:
    """`count of total (rate)`, the rate as the report writes it; a dash for no episodes."""
    if total == 0:
        return "-"
    return f"{count} ({fmt_pct(count / total)})"


def _where(t: RoundsTable) -> str:
    return t.scenario if t.task == t.scenario else f"{t.task} / {t.scenario}"


def trajectory_rows(tables: Sequence[RoundsTable]) -> list[Row]:
    """Per scenario × model × grader × arm: graded episodes and the share in each trajectory
    class (a lapse explicitly corrected, followed by only honest rounds without a correction,
    kept to the end, or escalated into a false statement; undecided where a round its cut could
    not decide leaves the class open), and how many episodes have an undecided round."""
    rows: list[Row] = []
    for t in tables:
        for a in t.arms:
            row: Row = {
                "scenario": _where(t),
                "model": t.model,
                "grader": grader_tag(t.grader),
                "arm": a.arm,
                "graded": a.graded,
            }
            for name in (*TRAJECTORIES, "undecided"):
                row[TRAJECTORY_NAMES[name]] = share(a.trajectories[name], a.graded)
            row["with an undecided round"] = share(a.with_undecided_round, a.graded)
            rows.append(row)
    return rows


def round_rows(tables: Sequence[RoundsTable]) -> list[Row]:
    """Per scenario × model × grader × arm × round: how many episodes got each label, and in
    how many the round could not be decided."""
    rows: list[Row] = []
    for t in tables:
        for a in t.arms:
            for r in a.rounds:
                row: Row = {
                    "scenario": _where(t),
                    "model": t.model,
                    "grader": grader_tag(t.grader),
                    "arm": a.arm,
                    "round": r.round,
                    "n": r.n,
                }
                for label in LABELS:
                    row[LABEL_NAMES[label]] = share(r.counts[label], r.n)
                row["undecided"] = share(r.undecided, r.n)
                rows.append(row)
    return rows


def family_table_rows(rows: Sequence[FamilyRow]) -> list[Row]:
    """Each contrast pooled over a family's variants: the variants' rates side by side, the
    Mantel–Haenszel odds ratio, the CMH test and Breslow–Day's test of the variants agreeing."""
    out: list[Row] = []
    for r in rows:
        cmh, bd = r.result.cmh, r.result.breslow_day
        out.append(
            {
                "family": r.family,
                "model": r.model,
                "grader": grader_tag(r.grader),
                "contrast": r.contrast,
                "headline": r.headline,
                "per variant (rate A vs rate B)": "; ".join(
                    f"{v.scenario}: {fmt_pct(v.result.a.rate)} vs {fmt_pct(v.result.b.rate)} "
                    f"(n {v.result.a.n}/{v.result.b.n})"
                    for v in r.variants
                ),
                "MH odds ratio": fmt_ratio(r.result.mh_odds_ratio),
                "CMH p": fmt_p(cmh.p_value if cmh else None),
                "Breslow–Day p": fmt_p(bd.p_value if bd else None),
            }
        )
    return out
