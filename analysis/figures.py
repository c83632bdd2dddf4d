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
    return written
