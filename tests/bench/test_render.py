"""Each part's rows say met, by how much a target was missed, or that the content was wrong."""

from __future__ import annotations

import pytest

from bench import cost, dashboard, overhead, report, throughput
from bench.render import Section, Stamp, section_markdown, verdict

STAMP = Stamp("2026-01-01 00:00 UTC", "make bench", 1.0, "2 CPUs", "0 / 0 / 0", "0 / 0 / 0")


def _rows(section: Section) -> list[str]:
    """The rows of a section's own table, as written (further tables are not rows)."""
    table = section_markdown(section, STAMP).split("| Benchmark |", 1)[1].split("\n\n", 1)[0]
    return table.splitlines()[2:]


def _throughput(
    window: float, bare: bool = False, max_samples: int | None = None
) -> throughput.Throughput:
    return throughput.Throughput(
        bare=bare,
        samples=100,
        latency=0.5,
        connections=10,
        calls_per_sample=8,
        wall=window + 1,
        window=window,
        max_in_flight=10,
        cpu_per_sample=0.15,
        max_samples=max_samples,
    )


def test_a_content_problem_fails_a_row_whatever_the_time() -> None:
    assert verdict(0.1, 2.0, False, "s") == "met"
    assert verdict(0.1, 2.0, False, "s", ["the page raised"]) == "**failed**: the page raised"
    assert verdict(3.0, 2.0, False, "s") == "**missed** by 1.00 s (1.5× the target)"


def test_overhead_is_the_median_of_paired_ratios_with_their_range() -> None:
    run = overhead.Run
    pairs = [(run(0.21, 0.2, 8), run(0.2, 0.18, 8)), (run(0.30, 0.2, 8), run(0.2, 0.2, 8))]
    pairs.append((run(0.22, 0.2, 8), run(0.2, 0.2, 8)))
    [row] = _rows(overhead.section(overhead.Overhead(pairs=pairs, samples=60)))
    assert "1.100× (pairs 1.050–1.500×)" in row
    assert "**missed** by 5.0 points" in row and "every sample graded" in row
    failed = overhead.Overhead(pairs=pairs, samples=60, problems=["58 of 60 samples unscored"])
    [row] = _rows(overhead.section(failed))
    assert row.endswith("| **failed**: 58 of 60 samples unscored |")


def test_throughput_rows() -> None:
    bs = [_throughput(42.0), _throughput(50.0, max_samples=20), _throughput(41.0, True)]
    met, missed, bare = _rows(throughput.section(bs))
    assert "95.2% of ideal" in met and met.endswith("| met |")
    assert "max_samples 20" in missed and "**missed** by 10.0 points" in missed
    assert bare.endswith("| - |")


def test_dashboard_rows_fail_on_what_the_page_showed() -> None:
    timing = dashboard.DashboardTiming(
        10_000,
        True,
        first_render=1.0,
        first_render_warm=1.5,
        transcript=0.3,
        filter_change=0.2,
        problems_filter=["filtered on director=ai, the page counts no samples"],
        problems_cold=["the Overview shows Samples 2500, expected 10,000"],
        note="a full rerun of the page",
    )
    cold, warm, transcript, filtered = _rows(dashboard.section(timing))
    assert filtered.endswith("| **failed**: filtered on director=ai, the page counts no samples |")
    assert cold.endswith("| **failed**: the Overview shows Samples 2500, expected 10,000 |")
    assert "1.50 s" in warm and warm.endswith("| met |") and "shows 10,000 samples" in warm
    assert "0.30 s" in transcript and transcript.endswith("| met |")


def test_dashboard_visits_give_medians_ranges_and_every_problem() -> None:
    visits = [
        dashboard.Visit(first=2.4, transcript=0.4, filter_change=0.6, peak_mib=280.0),
        dashboard.Visit(first=1.6, transcript=0.9, filter_change=0.5, peak_mib=300.0),
        dashboard.Visit(
            first=1.9, transcript=None, filter_change=0.4, problems=["the page showed an error"]
        ),
    ]
    middle = dashboard.median_visit(visits)
    assert (middle.first, middle.transcript, middle.filter_change) == (1.9, 0.65, 0.5)
    assert middle.peak_mib == 300.0 and middle.problems == ["the page showed an error"]
    timing = dashboard.DashboardTiming(
        10_000,
        True,
        first_render=middle.first,
        first_render_warm=1.0,
        transcript=0.3,
        filter_change=0.2,
        spreads={"cold": [2.4, 1.6, 1.9], "warm": [1.0]},
        note="in Chromium",
    )
    cold, warm, _, _ = _rows(dashboard.section(timing))
    assert "1.90 s (range 1.60–2.40 s)" in cold and cold.endswith("| met |")
    assert "range" not in warm  # one visit: no range


@pytest.mark.parametrize(
    ("problems", "first", "memory"),
    [
        ([], "| met |", "| **missed** by 120 MiB |"),
        (
            ["the Overview shows Samples 9,000, expected 100,000"],
            "| **failed**: the Overview shows Samples 9,000, expected 100,000 |",
            "| **failed**: the Overview shows Samples 9,000, expected 100,000 |",
        ),
    ],
)
def test_large_dashboard_rows(problems: list[str], first: str, memory: str) -> None:
    timing = dashboard.DashboardTiming(
        10_000,
        True,
        first_render=1.0,
        first_render_warm=1.0,
        transcript=0.3,
        filter_change=0.2,
        large_samples=100_000,
        large_first=2.5,
        large_peak_mib=620.0,
        problems_large=problems,
    )
    *_, large_first, large_memory = _rows(dashboard.section(timing))
    assert "100,000 samples" in large_first and large_first.endswith(first)
    assert "620 MiB" in large_memory and large_memory.endswith(memory)


@pytest.mark.parametrize(
    ("problems", "verdict"),
    [
        ([], "| measured |"),
        (["the page shows an error"], "| **failed**: the page shows an error |"),
    ],
)
def test_the_large_row_without_indexes_is_shown_beside_it(
    problems: list[str], verdict: str
) -> None:
    timing = dashboard.DashboardTiming(
        10_000,
        True,
        first_render=1.0,
        large_samples=100_000,
        large_first=1.5,
        large_peak_mib=340.0,
        large_first_logs=6.8,
        large_peak_logs_mib=480.0,
        problems_large_logs=problems,
    )
    *_, large_first, _, without = _rows(dashboard.section(timing))
    assert "outcome index read" in large_first
    assert (
        "without the logs' outcome indexes" in without and "6.80 s; peak memory 480 MiB" in without
    )
    assert without.endswith(verdict)


def test_report_rows() -> None:
    timing = report.ReportTiming(
        10_000, 20, cold=[5.0, 6.0, 7.0], warm=[0.3, 0.4, 3.0], in_process=[4.0]
    )
    large = report.LargeTiming(100_000, 20, cold=12.0, peak_mib=350.0)
    helped = report.HelpTiming([0.2, 0.3, 0.9])
    cold, warm, large_cold, large_memory, help_row = _rows(report.section(timing, large, helped))
    assert "6.00 s (range 5.00–7.00 s" in cold and "**missed** by 4.00 s" in cold
    assert "counted 10,000 samples in 20 arms" in cold
    assert "0.40 s" in warm and "≤ 0.5 s" in warm and warm.endswith("| met |")
    assert "100,000 samples" in large_cold and large_cold.endswith("| met |")
    assert "350 MiB" in large_memory and large_memory.endswith("| **missed** by 50 MiB |")
    assert "`candor --help`" in help_row and "0.30 s" in help_row and help_row.endswith("| met |")


@pytest.mark.parametrize(
    "wrong",
    [
        "the report counts 99,000 samples in 20 arms; 100,000 in 20 were written",
        "a log problem: x.eval: cannot read samples",
    ],
)
def test_large_report_rows_fail_on_a_wrong_count_however_fast(wrong: str) -> None:
    timing = report.ReportTiming(10_000, 20, cold=[1.0], warm=[0.1], in_process=[0.5])
    large = report.LargeTiming(100_000, 20, cold=1.0, peak_mib=100.0, problems=[wrong])
    _, _, large_cold, large_memory = _rows(report.section(timing, large))
    assert large_cold.endswith(f"| **failed**: {wrong} |")
    assert large_memory.endswith(f"| **failed**: {wrong} |")


def test_help_row_fails_when_a_command_is_missing() -> None:
    timing = report.ReportTiming(10_000, 20, cold=[1.0], warm=[0.1], in_process=[0.5])
    helped = report.HelpTiming([0.1], ["`candor --help` does not list report"])
    *_, help_row = _rows(report.section(timing, None, helped))
    assert help_row.endswith("| **failed**: `candor --help` does not list report |")


def test_cost_table() -> None:
    row = cost.CostRow(
        provider="anthropic",
        variant="blame_postmortem",
        samples=2,
        roles={"target": cost.RoleCost(calls=14, input=20_000, output=200)},
        estimate={"target": 10_000, "counterparty": 0, "grader": 0},
    )
    section = cost.section([row])
    assert "| anthropic | blame_postmortem | target | 7.0 | 10,000 (10,000) |" in "\n".join(
        section.tables
    )
    [summary] = _rows(section)
    assert summary.endswith("| met |")
