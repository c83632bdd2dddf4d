"""The Overview's headline cards, its tables' column order and its chart, from a real report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analysis.compare import fmt_p
from analysis.logs import load_outcomes
from analysis.report import Report, build_report
from dashboard import headline, tables


@pytest.fixture
def report(log_dir: Path) -> Report:
    return build_report(load_outcomes([log_dir]))


def test_one_card_per_headline_contrast(report: Report) -> None:
    cards = headline.headline_cards(report)
    headlines = [(g, c) for g in report.groups for c in g.contrasts if c.headline]
    assert len(cards) == len(headlines) + sum(
        1 for g in report.groups if g.contrasts and not any(c.headline for c in g.contrasts)
    )
    [card] = [c for c in cards if c.scenario == "blame_postmortem"]
    [(g, c)] = [(g, c) for g, c in headlines if g.scenario == "blame_postmortem"]
    a = next(x for x in g.arms if x.arm == c.arm_a)
    assert (card.a.arm, card.b.arm) == (c.arm_a, c.arm_b)
    assert (card.a.positive, card.a.graded, card.a.unscored) == (
        a.positive,
        a.graded,
        sum(a.unscored.values()),
    )
    assert card.p == fmt_p(c.result.p_value) and card.p_holm == fmt_p(c.p_holm)
    assert card.missingness == c.missingness.flagged
    assert card.mixed_graders == 1


def test_tables_put_numbers_before_the_group(report: Report) -> None:
    for rows in (tables.arm_rows(report), tables.contrast_rows(report)):
        for row in headline.numbers_first(rows, report):
            keys = list(row)
            assert keys[:2] == ["scenario", "model"]
            assert keys[-1] in ("group", "test") and "/" not in str(row["model"])


def _walk(spec: Any) -> Any:
    if isinstance(spec, dict):
        yield spec
        for v in spec.values():
            yield from _walk(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _walk(v)


def test_chart_is_labelled_and_colour_blind_safe(report: Report) -> None:
    spec = tables.rates_chart(report.groups).to_dict()
    text = json.dumps(spec)
    assert "positive rate (%), 95% Wilson CI" in text and '"title": "arm"' in text
    legends = [d["legend"] for d in _walk(spec) if isinstance(d.get("legend"), dict)]
    assert legends and all(lg["orient"] == "bottom" and lg["labelLimit"] == 0 for lg in legends)
    scales = [d["scale"] for d in _walk(spec) if d.get("field") == "species" and "scale" in d]
    [scale] = scales
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "human": "#0072B2",
        "ai": "#D55E00",
    }
    whiskers = [d for d in _walk(spec) if d.get("type") in ("rule", "tick")]
    assert whiskers and all(d["color"] == "#000000" for d in whiskers)
    panels = {r["panel"] for r in tables.chart_rows(report.groups)}
    assert any(": OR " in p and ", p " in p for p in panels), panels
