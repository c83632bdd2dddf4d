"""The parts' results as Markdown: one section per part, with its rows, verdicts and notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["s", "%", "x", "ms"]


@dataclass(frozen=True)
class Row:
    """One row of a part's table."""

    benchmark: str
    measured: str
    target: str
    result: str


@dataclass(frozen=True)
class Section:
    """What one part measured, ready to be written."""

    part: str
    heading: str
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    """Further Markdown lines after the rows (e.g. the cost table)."""


@dataclass(frozen=True)
class Stamp:
    """When, how and where a part was measured."""

    when: str
    command: str
    minutes: float
    machine: str
    load_start: str
    load_end: str


def failed(problems: Sequence[str]) -> str:
    """The result of a row whose content check failed, naming every problem."""
    return "**failed**: " + "; ".join(problems)


def verdict(
    value: float | None,
    target: float,
    higher_is_better: bool,
    unit: Unit,
    problems: Sequence[str] = (),
) -> str:
    """`met`, `**missed** by ...`, or `**failed**: ...` when what was measured is wrong.

    A content problem (a page showing an error, a report counting the wrong samples) fails the
    row whatever the time: a fast wrong answer is not a measurement of the right one.
    """
    if problems:
        return failed(problems)
    if value is None:
        return "not measured"
    met = value >= target if higher_is_better else value <= target
    if met:
        return "met"
    if unit == "%":
        return f"**missed** by {abs(value - target) * 100:.1f} points"
    if unit == "x":
        return f"**missed** by {(value - target) * 100:.1f} points ({value:.3f}× vs {target}×)"
    if unit == "ms":
        return f"**missed** by {value - target:.1f} ms ({value / target:.1f}× the target)"
    return f"**missed** by {value - target:.2f} s ({value / target:.1f}× the target)"


def seconds_row(
    label: str, value: float | None, target: float, note: str = "", problems: Sequence[str] = ()
) -> Row:
    """A row for a time against its target, in seconds."""
    measured = f"{value:.2f} s" if value is not None else "n/a"
    return Row(
        label, measured + note, f"≤ {target} s", verdict(value, target, False, "s", problems)
    )


def section_markdown(section: Section, stamp: Stamp) -> str:
    """A part's section: heading, when and where it ran, its table, further tables, notes."""
    lines = [
        f"## {section.heading}",
        "",
        f"Measured {stamp.when} by `{stamp.command}` ({stamp.minutes:.1f} min for the parts run "
        f"together). Machine: {stamp.machine}. Load average (1/5/15 min) at start "
        f"{stamp.load_start}, at end {stamp.load_end}.",
        "",
        "| Benchmark | Measured | Target | Result |",
        "|---|---|---|---|",
        *(f"| {r.benchmark} | {r.measured} | {r.target} | {r.result} |" for r in section.rows),
    ]
    if section.tables:
        lines += ["", *section.tables]
    if section.notes:
        lines += ["", "Notes:", *(f"- {note}" for note in section.notes)]
    return "\n".join(lines) + "\n"
