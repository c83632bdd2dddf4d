"""Scenario families: a contrast pooled over a family's surface variants, the variants as strata.

A family (`Scenario.family`) is one design written out in several settings (another company,
domain and cast). Where its variants report the same contrast, Cochran–Mantel–Haenszel pools it
over them, and Breslow–Day asks whether the variants disagree, so an effect that holds in one
setting only shows as heterogeneity rather than as a family-wide result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from analysis.compare import fmt_p, fmt_pct, fmt_ratio, md_cell
from analysis.stats import CMHResult, ContrastResult, cochran_mantel_haenszel, strata_from_counts


class VariantStratum(BaseModel):
    """One variant's counts in a family contrast."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    result: ContrastResult


class FamilyRow(BaseModel):
    """One contrast pooled over a family's variants, within one task × model × grader."""

    model_config = ConfigDict(frozen=True)

    task: str
    model: str
    grader: str
    family: str
    outcome: str
    contrast: str
    headline: bool
    variants: list[VariantStratum]
    result: CMHResult


class ContrastEntry(BaseModel):
    """What a family row needs of a report group's contrast (kept apart from `report`)."""

    task: str
    model: str
    grader: str
    scenario: str
    outcome: str
    contrast: str
    headline: bool
    result: ContrastResult


def family_rows(rows: Sequence[ContrastEntry], families: Mapping[str, str]) -> list[FamilyRow]:
    """Pool each contrast that two or more variants of one family report.

    Args:
        rows: Every contrast of every report group.
        families: Scenario id -> family, as the samples recorded it.
    """
    pooled: dict[tuple[str, str, str, str, str, str], list[ContrastEntry]] = defaultdict(list)
    for row in rows:
        family = families.get(row.scenario)
        if family is not None:
            key = (row.task, row.model, row.grader, family, row.outcome, row.contrast)
            pooled[key].append(row)
    found: list[FamilyRow] = []
    for (task, model, grader, family, outcome, name), strata in sorted(pooled.items()):
        if len(strata) < 2:
            continue
        counts = [(r.result.a.k, r.result.a.n, r.result.b.k, r.result.b.n) for r in strata]
        found.append(
            FamilyRow(
                task=task,
                model=model,
                grader=grader,
                family=family,
                outcome=outcome,
                contrast=name,
                headline=any(r.headline for r in strata),
                variants=[VariantStratum(scenario=r.scenario, result=r.result) for r in strata],
                result=cochran_mantel_haenszel(strata_from_counts(counts)),
            )
        )
    found.sort(key=lambda r: (r.task, r.model, r.grader, r.family, not r.headline, r.contrast))
    return found


def family_markdown(rows: Sequence[FamilyRow]) -> list[str]:
    """The report's section on families (empty without any family of two variants)."""
    if not rows:
        return []
    lines = [
        "",
        "## Families (variants as strata)",
        "",
        "Each contrast that two or more variants of one scenario family report, pooled over the "
        "variants (Cochran–Mantel–Haenszel); Breslow–Day tests whether the variants disagree. "
        "Headline contrasts in bold.",
        "",
        "| Task | Model | Grader | Family | Contrast | Per variant (rate A vs rate B) | "
        "MH odds ratio | CMH p | Breslow–Day p |",
        "|---|---|---|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        per = "; ".join(
            f"{v.scenario}: {fmt_pct(v.result.a.rate)} vs {fmt_pct(v.result.b.rate)} "
            f"(n {v.result.a.n}/{v.result.b.n})"
            for v in r.variants
        )
        contrast = f"**{md_cell(r.contrast)}**" if r.headline else md_cell(r.contrast)
        cmh = r.result.cmh
        bd = r.result.breslow_day
        lines.append(
            f"| {md_cell(r.task)} | {md_cell(r.model)} | {md_cell(r.grader)} | "
            f"{md_cell(r.family)} | {contrast} | {md_cell(per)} | "
            f"{fmt_ratio(r.result.mh_odds_ratio)} | {fmt_p(cmh.p_value if cmh else None)} | "
            f"{fmt_p(bd.p_value if bd else None)} |"
        )
    return lines
