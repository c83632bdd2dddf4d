"""Scenario families: a contrast pooled over a family's surface variants, the variants as strata.

A family (`Scenario.family`) is one design written out in several settings (another company,
domain and cast). Where its variants report the same contrast, Cochran–Mantel–Haenszel pools it
over them, and Breslow–Day asks whether the variants disagree, so an effect that holds in one
setting only shows as heterogeneity rather than as a family-wide result.

Variants pool within one model × grader configuration whatever task ran them (a suite task or a
scenario's own task, `candor/<id>`); each variant is one stratum of a pooled row, its episodes from
several tasks counted together (each episode once, as `analysis.episodes` counted it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from analysis.compare import fmt_p, fmt_pct, fmt_ratio, md_cell
from analysis.stats import (
    CMHResult,
    ContrastResult,
    cochran_mantel_haenszel,
    contrast,
    strata_from_counts,
)


class VariantStratum(BaseModel):
    """One variant's counts in a family contrast."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    result: ContrastResult


class FamilyRow(BaseModel):
    """One contrast pooled over a family's variants, within one model × grader."""

    model_config = ConfigDict(frozen=True)

    task: str
    """The tasks the variants ran under, comma-separated."""
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
    pooled: dict[tuple[str, str, str, str, str], list[ContrastEntry]] = defaultdict(list)
    for row in rows:
        family = families.get(row.scenario)
        if family is not None:
            pooled[(row.model, row.grader, family, row.outcome, row.contrast)].append(row)
    found: list[FamilyRow] = []
    for (model, grader, family, outcome, name), entries in sorted(pooled.items()):
        strata = _one_per_scenario(entries)
        if len(strata) < 2:
            continue
        counts = [(r.a.k, r.a.n, r.b.k, r.b.n) for r in strata.values()]
        found.append(
            FamilyRow(
                task=", ".join(sorted({r.task for r in entries})),
                model=model,
                grader=grader,
                family=family,
                outcome=outcome,
                contrast=name,
                headline=any(r.headline for r in entries),
                variants=[VariantStratum(scenario=s, result=r) for s, r in strata.items()],
                result=cochran_mantel_haenszel(strata_from_counts(counts)),
            )
        )
    found.sort(key=lambda r: (r.model, r.grader, r.family, not r.headline, r.contrast, r.task))
    return found


def _one_per_scenario(entries: Sequence[ContrastEntry]) -> dict[str, ContrastResult]:
    """Each variant once: a scenario reported under several tasks has its counts added."""
    by_scenario: dict[str, list[ContrastResult]] = defaultdict(list)
    for entry in entries:
        by_scenario[entry.scenario].append(entry.result)
    merged: dict[str, ContrastResult] = {}
    for scenario, results in sorted(by_scenario.items()):
        first = results[0]
        merged[scenario] = (
            first
            if len(results) == 1
            else contrast(
                sum(r.a.k for r in results),
                sum(r.a.n for r in results),
                sum(r.b.k for r in results),
                sum(r.b.n for r in results),
                label_a=first.label_a,
                label_b=first.label_b,
                alternative=first.alternative,
                confidence=first.confidence,
            )
        )
    return merged


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
