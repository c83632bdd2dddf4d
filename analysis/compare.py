"""CLI-facing helpers: parse "k/n" counts and render a 2x2 contrast as Markdown or JSON."""

from __future__ import annotations

import math
import re

from analysis.stats import Alternative, ContrastResult, Interval, contrast

_COUNT = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


def parse_count(value: str) -> tuple[int, int]:
    """Parse ``"k/n"`` into ``(k, n)``.

    Args:
        value: Text such as ``"45/50"``.

    Returns:
        The pair ``(k, n)``.

    Raises:
        ValueError: Naming ``value`` and the expected form, if it is not
            ``k/n`` with integers ``0 <= k <= n`` and ``n > 0``.
    """
    match = _COUNT.fullmatch(value)
    expected = "expected the form 'k/n' with integers 0 <= k <= n and n > 0"
    if match is None:
        raise ValueError(f"invalid count {value!r}: {expected}")
    k, n = int(match.group(1)), int(match.group(2))
    if n == 0 or k > n:
        raise ValueError(f"invalid count {value!r}: {expected}")
    return k, n


def compare_counts(
    a: str,
    b: str,
    *,
    alternative: Alternative = "two-sided",
    label_a: str = "A",
    label_b: str = "B",
) -> ContrastResult:
    """Contrast two ``"k/n"`` strings (arm A first).

    Args:
        a: Arm A as ``"k/n"``.
        b: Arm B as ``"k/n"``.
        alternative: ``"greater"`` tests whether arm A's rate is higher.
        label_a: Display name of arm A.
        label_b: Display name of arm B.

    Returns:
        The contrast from :func:`analysis.stats.contrast`.
    """
    k1, n1 = parse_count(a)
    k2, n2 = parse_count(b)
    return contrast(k1, n1, k2, n2, label_a=label_a, label_b=label_b, alternative=alternative)


def fmt_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100.0 * x:.1f}%"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "∞"
    return f"{x:.2f}" if x == 0 or x >= 0.1 else f"{x:.2g}"


def fmt_odds_ratio(result: ContrastResult) -> str:
    """The odds ratio every table shows: the conditional maximum-likelihood estimate with its
    exact conditional interval (the interval is for this estimate; the sample odds ratio, in
    `--json`, may fall outside it)."""
    ci = result.or_ci
    interval = "n/a" if ci is None else f"{fmt_ratio(ci.low)} to {fmt_ratio(ci.high)}"
    return f"{fmt_ratio(result.conditional_or)} ({interval})"


def fmt_p(p: float | None) -> str:
    return "not computed" if p is None else f"{p:.2g}"


def md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def fmt_ci_pct(ci: Interval | None) -> str:
    return "n/a" if ci is None else f"{fmt_pct(ci.low)} to {fmt_pct(ci.high)}"


def render_contrast_markdown(result: ContrastResult) -> str:
    """Render a contrast as a Markdown table plus bullet points.

    Args:
        result: The contrast.

    Returns:
        Markdown text ending in a newline.
    """
    conf = f"{100 * result.confidence:g}%"
    la, lb = md_cell(result.label_a), md_cell(result.label_b)
    lines = [
        f"| Arm | Positive / n | Rate | {conf} CI (Wilson) |",
        "|---|---:|---:|---|",
    ]
    for label, prop in ((la, result.a), (lb, result.b)):
        lines.append(
            f"| {label} | {prop.k} / {prop.n} | {fmt_pct(prop.rate)} | {fmt_ci_pct(prop.ci)} |"
        )
    lines.append("")
    diff, ci = result.difference_points, result.difference_ci_points
    if diff is not None and ci is not None:
        lines.append(
            f"- Difference ({la} - {lb}): {diff:+.1f} points "
            f"({conf} CI {ci.low:+.1f} to {ci.high:+.1f}; Newcombe hybrid score)"
        )
    if result.sample_or is not None:
        corrected = (
            " (Haldane-Anscombe corrected)"
            if result.continuity_correction == "haldane_anscombe"
            else ""
        )
        sided = "" if result.alternative == "two-sided" else " one-sided"
        exact = (
            "conditional MLE n/a"
            if result.or_ci is None
            else f"conditional MLE {fmt_ratio(result.conditional_or)}, {conf}{sided} exact CI "
            f"{fmt_ratio(result.or_ci.low)} to {fmt_ratio(result.or_ci.high)}"
        )
        lines.append(f"- Odds ratio: {fmt_ratio(result.sample_or)}{corrected}; {exact}")
    lines.append(f"- {result.test}: p = {fmt_p(result.p_value)}")
    lines.extend(f"- Note: {note}" for note in result.notes)
    return "\n".join(lines) + "\n"


def render_contrast_json(result: ContrastResult) -> str:
    """Serialise a contrast as indented JSON (infinite odds ratios as ``"Infinity"``).

    Args:
        result: The contrast.

    Returns:
        JSON text.
    """
    return result.model_dump_json(indent=2)
