"""Bar charts of the rate per arm with Wilson intervals, the headline contrast annotated."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from analysis.compare import fmt_p, fmt_ratio  # noqa: E402
from analysis.forest import ForestPlot  # noqa: E402
from analysis.report import GroupReport, Report  # noqa: E402

_COLOURS = {"ai": "#c0504d", "human": "#4f81bd", "absent": "#9b9b9b"}


def _colour(levels: dict[str, str]) -> str:
    species = list(levels.values())
    return _COLOURS.get(species[0], "#7f7f7f") if len(species) == 1 else "#7f7f7f"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


def _panel(ax: Axes, g: GroupReport) -> None:
    names = [a.arm for a in g.arms]
    rates = [100 * (a.rate.rate or 0.0) for a in g.arms]
    lows = [
        r - 100 * a.rate.ci.low if a.rate.ci else 0.0 for r, a in zip(rates, g.arms, strict=True)
    ]
    highs = [
        100 * a.rate.ci.high - r if a.rate.ci else 0.0 for r, a in zip(rates, g.arms, strict=True)
    ]
    ax.bar(names, rates, yerr=[lows, highs], capsize=6, color=[_colour(a.levels) for a in g.arms])
    for i, a in enumerate(g.arms):
        label = f"{a.positive}/{a.graded}" if a.graded else "no graded"
        ax.text(
            i,
            2,
            label,
            ha="center",
            va="bottom",
            color="white" if a.graded else "black",
            fontsize=9,
            fontweight="bold",
        )
        if a.unscored:
            ax.text(i, -9, f"unscored {sum(a.unscored.values())}", ha="center", fontsize=7)
    ax.set_ylim(-12, 112)
    ax.set_ylabel(f"{g.outcome} (%), 95% Wilson CI")
    ax.set_title(
        g.scenario if g.outcome == "deceptive" else f"{g.scenario}: {g.outcome}", fontsize=10
    )
    ax.axhline(0, color="black", linewidth=0.6)
    headline = next((c for c in g.contrasts if c.headline), g.contrasts[0] if g.contrasts else None)
    if headline is not None:
        r = headline.result
        diff = r.difference_points
        text = (
            f"{headline.arm_a} vs {headline.arm_b}: "
            + ("n/a" if diff is None else f"{diff:+.0f} pts")
            + f", OR {fmt_ratio(r.sample_or)}, p = {fmt_p(r.p_value)}\n{r.test}"
        )
        ax.text(
            0.5,
            0.97,
            text,
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "#cccccc", "boxstyle": "round"},
        )


def write_figures(report: Report, directory: Path) -> list[Path]:
    """One PNG per task × model, a panel per scenario and outcome. Returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    by_task_model: dict[tuple[str, str], list[GroupReport]] = defaultdict(list)
    for g in report.groups:
        by_task_model[(g.task, g.model)].append(g)
    written: list[Path] = []
    for (task, model), groups in sorted(by_task_model.items()):
        cols = min(3, len(groups))
        rows = math.ceil(len(groups) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, 4.2 * rows), squeeze=False)
        for ax, g in zip(axes.flat, groups, strict=False):
            _panel(ax, g)
        for ax in list(axes.flat)[len(groups) :]:
            ax.set_visible(False)
        fig.suptitle(f"{task} — {model}", fontsize=12)
        fig.tight_layout()
        path = directory / f"{_slug(task)}__{_slug(model)}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    for i, plot in enumerate(report.forest):
        path = directory / f"forest__{i + 1}.png"
        _forest(plot, path)
        written.append(path)
    return written


def _finite(value: float | None, floor: float, ceiling: float) -> float | None:
    if value is None or math.isnan(value):
        return None
    return min(max(value, floor), ceiling)


def _forest(plot: ForestPlot, path: Path) -> None:
    """The species effect per model × scenario on a log scale, the pooled estimate last."""
    lo, hi = 1e-3, 1e3
    labels, points, lows, highs = [], [], [], []
    for row in plot.rows:
        r = row.result
        labels.append(
            f"{row.model} · {row.scenario}"
            + ("" if row.outcome == "deceptive" else f" · {row.outcome}")
        )
        points.append(_finite(r.conditional_or, lo, hi))
        lows.append(_finite(r.or_ci.low if r.or_ci else None, lo, hi))
        highs.append(_finite(r.or_ci.high if r.or_ci else None, lo, hi))
    pooled = plot.pooled
    if pooled is not None:
        labels.append("pooled (Mantel–Haenszel)")
        points.append(_finite(pooled.mh_odds_ratio, lo, hi))
        lows.append(_finite(pooled.mh_or_ci.low if pooled.mh_or_ci else None, lo, hi))
        highs.append(_finite(pooled.mh_or_ci.high if pooled.mh_or_ci else None, lo, hi))
    n = len(labels)
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.45 * n))
    for i, (point, low, high) in enumerate(zip(points, lows, highs, strict=True)):
        y = n - 1 - i
        is_pooled = pooled is not None and i == n - 1
        colour = "#000000" if is_pooled else "#0072b2"  # Okabe–Ito blue: colour-blind safe
        if low is not None and high is not None:
            ax.plot([low, high], [y, y], color=colour, linewidth=1.6)
        if point is not None:
            ax.plot([point], [y], marker="D" if is_pooled else "s", color=colour, markersize=7)
        else:
            ax.text(1, y, "not estimable", ha="center", va="center", fontsize=8)
    ax.axvline(1.0, color="#999999", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(reversed(labels)), fontsize=8)
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlabel(
        f"odds ratio, {plot.effect} (conditional MLE, exact 95% CI; > 1: more with the AI arm)"
    )
    title = f"Species effect by model and scenario ({plot.effect})"
    if pooled is not None and pooled.breslow_day is not None:
        title += f"\nBreslow–Day heterogeneity p = {fmt_p(pooled.breslow_day.p_value)}"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
