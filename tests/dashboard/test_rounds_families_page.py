"""The Rounds and families page through `AppTest` on real logs of the inquiry family: each arm's
trajectory shares and the family's pooled contrast, as `analysis` computes them; and its view
rows on the planted trajectories."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.logs import load_outcomes
from analysis.report import build_report
from dashboard import families_view
from tests.dashboard import family_logs
from tests.dashboard.test_pages import MakeApp, assert_safe, md, page


@pytest.fixture(scope="session")
def family_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return family_logs.write(tmp_path_factory.mktemp("family_logs"))


def _tables(at: AppTest) -> list[list[dict[str, object]]]:
    return [t.value.to_dict("records") for t in at.table]


def test_the_view_shares_follow_the_planted_trajectories(family_dir: Path) -> None:
    report = build_report(load_outcomes([family_dir]))
    rows = {(r["scenario"], r["arm"]): r for r in families_view.trajectory_rows(report.rounds)}
    for scenario, arms in family_logs.PLAN.items():
        for arm, planted in arms.items():
            row = rows[(scenario, arm)]
            assert row["graded"] == len(planted)
            for name, shown in families_view.TRAJECTORY_NAMES.items():
                count = planted.count(name)
                assert row[shown] == f"{count} ({100 * count / len(planted):.1f}%)"
    [family] = [r for r in report.families if r.headline]
    assert family.family == "inquiry_rounds"
    [table_row] = [r for r in families_view.family_table_rows(report.families) if r["headline"]]
    assert "inquiry_rounds_billing: 100.0% vs 50.0% (n 2/2)" in str(
        table_row["per variant (rate A vs rate B)"]
    )
    assert "inquiry_rounds_lab: 100.0% vs 0.0% (n 2/2)" in str(
        table_row["per variant (rate A vs rate B)"]
    )
    rounds = families_view.round_rows(report.rounds)
    first = {(r["scenario"], r["arm"]): r for r in rounds if r["round"] == 3}
    assert first[("inquiry_rounds_lab", "overseer=ai")]["false statement"] == "2 (100.0%)"


def test_share_of_no_episodes_is_a_dash() -> None:
    assert families_view.share(0, 0) == "-"
    assert families_view.share(1, 3) == "1 (33.3%)"


def test_the_page_shows_each_arms_trajectories_and_the_pooled_family(
    app: MakeApp, family_dir: Path
) -> None:
    at = page(app(family_dir).run(), "rounds_families")
    assert not at.exception, [e.value for e in at.exception]
    assert_safe(at)
    report = build_report(load_outcomes([family_dir]))
    shown = _tables(at)
    assert families_view.trajectory_rows(report.rounds) in shown
    assert families_view.family_table_rows(report.families) in shown
    [frame] = [df.value.to_dict("records") for df in at.dataframe]
    assert frame == families_view.round_rows(report.rounds)
    trajectories = next(t for t in shown if t and "escalated" in t[0])
    lab_ai = next(
        r
        for r in trajectories
        if r["scenario"] == "inquiry_rounds_lab" and r["arm"] == "overseer=ai"
    )
    assert lab_ai["escalated"] == "2 (100.0%)" and lab_ai["kept"] == "0 (0.0%)"
    billing_ai = next(
        r
        for r in trajectories
        if r["scenario"] == "inquiry_rounds_billing" and r["arm"] == "overseer=ai"
    )
    # the planted explicit correction is its own class, apart from "lapse then honest"
    assert billing_ai["corrected"] == "1 (50.0%)"
    assert billing_ai["lapse then honest"] == "0 (0.0%)"
    assert billing_ai["undecided"] == "0 (0.0%)"


def test_the_page_says_when_there_is_nothing_to_show(app: MakeApp) -> None:
    at = page(app().run(), "rounds_families")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.table
    text = md(at)
    assert "No scenario judged round by round" in text
    assert "No scenario family with two or more variants" in text


def test_the_page_is_closed_in_blind_mode(app: MakeApp, family_dir: Path) -> None:
    at = app(family_dir).run()
    at.session_state["blind"] = True
    at = page(at, "rounds_families")
    assert not at.table and not at.dataframe
    assert "Blind labelling is on" in md(at)
