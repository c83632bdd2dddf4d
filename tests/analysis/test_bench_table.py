"""The benchmark table says met or by how much each target was missed."""

from __future__ import annotations

from analysis.bench import (
    CostRow,
    DashboardTiming,
    Overhead,
    ReportTiming,
    RoleCost,
    Throughput,
    render_markdown,
)

FACTS = {
    "nproc": "2",
    "cpu": "test CPU",
    "ram": "1.0 GiB",
    "python": "3.11",
    "inspect_ai": "0",
    "load": "0 / 0 / 0",
}


def _throughput(window: float, bare: bool = False, max_samples: int | None = None) -> Throughput:
    return Throughput(
        bare=bare,
        samples=100,
        latency=0.5,
        connections=10,
        calls_per_sample=8,
        wall=window + 1,
        window=window,
        max_in_flight=10,
        max_samples=max_samples,
    )


def test_table_verdicts() -> None:
    overhead = Overhead(
        candor=[0.21, 0.2],
        bare=[0.2, 0.19],
        cpu_candor=[0.2],
        cpu_bare=[0.18],
        calls_candor=8,
        calls_bare=8,
        samples=60,
    )
    throughput = [_throughput(42.0), _throughput(50.0, max_samples=20), _throughput(41.0, True)]
    dashboard = DashboardTiming(True, 6.0, 1.5, 0.3, "a full rerun of the page")
    report = ReportTiming(10_000, 20, cold=[5.0, 6.0, 7.0], warm=[1.0, 1.2, 3.0], in_process=[4.0])
    cost = CostRow(
        provider="anthropic",
        variant="blame_postmortem",
        samples=2,
        roles={"target": RoleCost(calls=14, input=20_000, output=200)},
        estimate={"target": 10_000, "counterparty": 0, "grader": 0},
    )
    text = render_markdown(FACTS, "0 / 0 / 0", overhead, throughput, dashboard, report, [cost], 60)
    rows = [(line.split(" | ")[1], line) for line in text.splitlines() if line.startswith("| ")]
    overhead_row = next(r for k, r in rows if k.startswith("Harness overhead"))
    assert "1.053×" in overhead_row and "**missed** by 0.3 points" in overhead_row
    met, missed = (r for k, r in rows if k.startswith("Throughput:"))
    assert "95.2% of ideal" in met and met.endswith("| met |")
    assert "max_samples 20" in missed and "**missed** by 10.0 points" in missed
    bare = next(r for k, r in rows if k.startswith("Throughput of the bare"))
    assert bare.endswith("| - |")
    cold, warm, transcript = (r for k, r in rows if k.startswith("Dashboard"))
    assert "6.00 s" in cold and "**missed** by 4.00 s (3.0× the target)" in cold
    assert "1.50 s" in warm and warm.endswith("| met |")
    assert "0.30 s (a full rerun of the page)" in transcript and transcript.endswith("| met |")
    report_cold, report_warm = (r for k, r in rows if k.startswith("`candor report`"))
    assert "6.00 s" in report_cold and "**missed** by 4.00 s" in report_cold
    assert "1.20 s" in report_warm and report_warm.endswith("| met |")
    assert "| anthropic | blame_postmortem | target | 7.0 | 10,000 (10,000) |" in text
