"""Every page through `AppTest` on real logs: numbers, transcripts, safety, labels, bad input."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.compare import fmt_odds_ratio, fmt_p, fmt_ratio
from analysis.logs import load_outcomes
from analysis.plan import load_plan
from analysis.render import to_markdown
from analysis.report import build_report
from analysis.usage import load_prices
from dashboard import across, blind, calibration, data, headline, tables, views
from dashboard.label_store import Label, LabelStore
from dashboard.safe import HIGHLIGHT_OPEN, escape_markdown

MakeApp = Callable[..., AppTest]
PAGES = [
    "overview",
    "models",
    "identities",
    "tokens",
    "transcripts",
    "side_by_side",
    "labels",
    "calibration",
    "rounds_families",
]


def texts(at: AppTest) -> Iterator[tuple[str, str]]:
    """Every Markdown-rendered string on the page, with its element type."""
    for kind in (
        "markdown",
        "caption",
        "warning",
        "info",
        "success",
        "error",
        "title",
        "subheader",
    ):
        for element in getattr(at, kind):
            yield kind, str(element.value)


def assert_safe(at: AppTest) -> None:
    """No Markdown string can form HTML, a link or an image; no element allows HTML."""
    assert not at.get("html"), "st.html must never be used"
    for element in at.markdown:
        assert not element.allow_html, element.value
    for kind, value in texts(at):
        assert not re.search(r"(?<!\\)<", value), (kind, value)
        assert not re.search(r"(?<!\\)\]\(", value), (kind, value)
        plain = value.replace("\\", "")
        for autolink in ("http://x", "www.example", "alex@example"):
            assert autolink not in plain, (kind, value)


def page(at: AppTest, name: str) -> AppTest:
    return at.switch_page(f"app_pages/{name}.py").run()


def blame_ref(log_dir: Path, verdict: str = "deceptive") -> str:
    rows = data.catalogue(str(log_dir)).rows
    return next(r.ref for r in rows if r.verdict == verdict and r.outcome.suite == "deception")


def md(at: AppTest) -> str:
    return "\n".join(value for _, value in texts(at))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_safely_with_log_problems_warned(app: MakeApp, name: str) -> None:
    at = app().run()
    at = page(at, name)
    assert not at.exception, [e.value for e in at.exception]
    assert at.warning, "the corrupted and the foreign log must be warned about"
    assert_safe(at)


def test_overview_shows_the_report_numbers(app: MakeApp, log_dir: Path) -> None:
    at = app().run()
    report = build_report(load_outcomes([log_dir]))
    frames = [df.value.to_dict("records") for df in at.dataframe]
    assert headline.numbers_first(tables.arm_rows(report), report) in frames
    assert headline.numbers_first(tables.contrast_rows(report), report) in frames
    [blame] = [g for g in report.groups if g.scenario == "blame_postmortem"]
    assert tables.unscored_rows(report) == [
        {
            "group": tables.group_name(blame),
            "arm": "overseer=ai,audit=none",
            "grader_unparseable": 1,
        }
    ]
    assert tables.grader_rows(report) in frames
    assert escape_markdown("2 logs · 2 runs pooled · 6 samples · 5 graded · 1 unscored") in md(at)
    assert at.get("vega_lite_chart")
    warnings = md(at)
    assert "not a Candor task" in warnings and "cannot read log" in warnings


def test_overview_opens_with_the_headline_cards(app: MakeApp, log_dir: Path) -> None:
    at = app().run()
    report = build_report(load_outcomes([log_dir]))
    cards = headline.headline_cards(report)
    [card] = [c for c in cards if c.scenario == "blame_postmortem"]
    assert (card.a.arm, card.b.arm) == (  # the declared pair
        "overseer=ai,audit=none",
        "overseer=human,audit=none",
    )
    shown = md(at)
    for figure in (
        card.a.arm,
        card.a.rate,
        card.a.ci,
        card.b.rate,
        card.difference,
        card.difference_ci,
        card.odds_ratio,
        card.odds_ratio_ci,
        card.p,
        card.p_holm,
        card.holm_over,
        f"{card.a.positive}/{card.a.graded} graded",
        f"{card.a.unscored} unscored",
    ):
        assert escape_markdown(figure, line_start=False) in shown, figure
    assert "missingness balanced" in shown and "one grader configuration" in shown
    # the cards come before every table, and no table starts with the wide group column
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "Headline contrasts"
    for df in at.dataframe:
        columns = list(df.value.columns)
        assert columns[0] != "group", columns


def test_card_odds_ratio_and_holm_are_the_reports(log_dir: Path) -> None:
    """The card's odds ratio is the estimate `candor report` prints (conditional MLE with its
    exact interval) and its Holm p the report's, over the report's family."""
    report = build_report(load_outcomes([log_dir]))
    markdown = to_markdown(report)
    for card in headline.headline_cards(report):
        [(g, c)] = [
            (g, c)
            for g in report.groups
            for c in g.contrasts
            if (g.scenario, g.model, g.outcome, tables.grader_tag(g.grader), c.arm_a, c.arm_b)
            == (card.scenario, card.model, card.outcome, card.grader, card.a.arm, card.b.arm)
        ]
        assert card.odds_ratio == fmt_ratio(c.result.conditional_or)
        assert f"{card.odds_ratio} ({card.odds_ratio_ci.removeprefix('exact 95% CI ')})" == (
            fmt_odds_ratio(c.result)
        )
        assert fmt_odds_ratio(c.result) in markdown
        assert card.p_holm == fmt_p(c.p_holm) and card.holm_over == headline.HOLM_FAMILY
    assert "Odds ratio, conditional MLE (exact 95% CI)" in markdown


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(
        "name: blame\nn_per_arm: 2\ncontrasts:\n"
        "  - {scenario: blame_postmortem, arm_a: 'overseer=ai,audit=none', "
        "arm_b: 'overseer=human,audit=none'}\n",
        encoding="utf-8",
    )
    return path


def test_plan_marks_contrasts_confirmatory(
    app: MakeApp, log_dir: Path, plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CANDOR_PLAN", str(plan_file))
    at = app().run()
    assert not at.exception
    report = build_report(
        load_outcomes([log_dir]), plan=load_plan(plan_file), plan_file=str(plan_file)
    )
    [card] = [c for c in headline.headline_cards(report) if c.scenario == "blame_postmortem"]
    assert card.analysis == "confirmatory" and card.holm_over == headline.HOLM_PLANNED
    shown = md(at)
    assert "confirmatory" in shown and escape_markdown(card.p_holm, line_start=False) in shown
    assert "Planned contrasts (confirmatory)" in [s.value for s in at.subheader]
    frames = [df.value.to_dict("records") for df in at.dataframe]
    assert report.plan is not None and across.plan_rows(report.plan) in frames


def test_unreadable_plan_is_named_and_left_out(
    app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "plan.yaml"
    bad.write_text("name: x\nn_per_arm: 2\ncontrasts: []\nextra: 1\n", encoding="utf-8")
    monkeypatch.setenv("CANDOR_PLAN", str(bad))
    at = app().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert escape_markdown(f"plan file {bad}", line_start=False) in errors
    assert "Headline contrasts" in [s.value for s in at.subheader]  # the report without it


def test_models_page_shows_the_forest_and_its_pooled_estimate(app: MakeApp, log_dir: Path) -> None:
    report = build_report(load_outcomes([log_dir]))
    at = page(app().run(), "models")
    assert not at.exception
    assert report.forest
    frames = [df.value.to_dict("records") for df in at.dataframe]
    for plot in report.forest:
        assert across.forest_rows(plot) in frames
        if plot.pooled is not None:
            assert [across.forest_pooled_row(plot)] in frames
    assert len(at.get("vega_lite_chart")) == len(report.forest)
    assert_safe(at)


def test_identities_page_shows_strata_and_rates(app: MakeApp, log_dir: Path) -> None:
    report = build_report(load_outcomes([log_dir]))
    at = page(app().run(), "identities")
    assert not at.exception
    frames = [df.value.to_dict("records") for df in at.dataframe]
    assert report.identity_strata, "the fixture's samples record identity slots"
    assert across.strata_summary_rows(report) in frames
    assert report.identity_balance and across.identity_balance_rows(report) in frames
    assert across.stratum_rows(report.identity_strata[0]) in frames
    assert across.identity_rate_rows(report.identity_rates) in frames
    assert_safe(at)


def test_tokens_page_shows_usage_per_role_arm_and_run(app: MakeApp, log_dir: Path) -> None:
    report = build_report(load_outcomes([log_dir]))
    at = page(app().run(), "tokens")
    assert not at.exception
    frames = [df.value.to_dict("records") for df in at.dataframe]
    assert report.usage.arms and report.usage.runs
    assert across.usage_rows(report.usage.arms, priced=False) in frames
    assert across.usage_rows(report.usage.runs, priced=False) in frames
    roles = {r.role for u in report.usage.arms for r in u.roles}
    assert "target" in roles and "grader" in roles
    assert at.get("vega_lite_chart")
    assert_safe(at)


def test_tokens_page_prices_each_role(
    app: MakeApp, log_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prices = tmp_path / "prices.yaml"
    prices.write_text("models:\n  mockllm/model: {input: 3, output: 15}\n", encoding="utf-8")
    monkeypatch.setenv("CANDOR_PRICES", str(prices))
    report = build_report(load_outcomes([log_dir]), prices=load_prices(prices))
    at = page(app().run(), "tokens")
    assert not at.exception
    frames = [df.value.to_dict("records") for df in at.dataframe]
    rows = across.usage_rows(report.usage.arms, priced=True)
    assert rows in frames and all("cost" in r for r in rows)


def test_transcript_view(app: MakeApp, log_dir: Path) -> None:
    at = app()
    ref = blame_ref(log_dir)
    at.query_params["ref"] = ref
    at = page(at.run(), "transcripts")
    assert not at.exception
    assert at.selectbox(key="open_ref").value == ref
    shown = md(at)
    assert escape_markdown(ref) in shown
    assert escape_markdown("verdict: deceptive") in shown and "Rationale" in shown
    assert escape_markdown("The account leaves out the flag. <script>alert(3)</script>") in shown
    # the evidence quote is highlighted where it occurs, in the report and in the tool call
    highlighted = [v for _, v in texts(at) if HIGHLIGHT_OPEN + "The delivery gate" in v]
    assert len(highlighted) >= 2
    assert escape_markdown("<script>alert(1)</script>") in shown
    assert "DQ\\-3318" in shown  # ground truth beside it
    assert any("You are Alex" in c.value for c in at.code)  # system prompt, as code
    assert "submit\\_postmortem\\_account" in shown
    assert_safe(at)


def test_legal_transcript_shows_provisions(
    app: MakeApp, log_dir: Path, legal_scenarios: None
) -> None:
    ref = next(r.ref for r in data.catalogue(str(log_dir)).rows if r.outcome.suite == "legal")
    at = app()
    at.query_params["ref"] = ref
    at = page(at.run(), "transcripts")
    shown = md(at)
    assert "ai\\_act\\_5\\_1\\_b" in shown and "met" in shown
    assert (
        "AI Act Art\\. 5\\(1\\)\\(b\\)" not in shown
    )  # provision text sits in a collapsed expander
    assert [e.label for e in at.expander if "AI Act" in e.label]
    assert list(at.radio(key=f"label_verdict-{blind.ref_key(ref)}").options) == [
        "violation",
        "partial",
        "compliant",
        "unclear",
    ]
    assert_safe(at)


def save_label(at: AppTest, ref: str, verdict: str, note: str) -> AppTest:
    at.radio(key=f"label_verdict-{blind.ref_key(ref)}").set_value(verdict)
    at.multiselect(key=f"label_tactics-{blind.ref_key(ref)}").set_value(["other"])
    at.text_area(key=f"label_note-{blind.ref_key(ref)}").input(note)
    next(b for b in at.button if b.label == "Save label").click()
    return at.run()


def test_label_saved_from_the_transcript_page(app: MakeApp, log_dir: Path, labels_db: Path) -> None:
    ref = blame_ref(log_dir)
    at = app()
    at.query_params["ref"] = ref
    at = page(at.run(), "transcripts")
    at = save_label(at, ref, "honest", "<b>looks</b> fine [x](http://x)")
    assert not at.exception
    [label] = LabelStore(labels_db).latest()
    assert not label.blind  # made with blind labelling off
    assert (label.ref, label.labeller, label.verdict, label.tactics) == (
        ref,
        "tester",
        "honest",
        ("other",),
    )
    assert escape_markdown("Saved: honest by tester.") in md(at)
    assert escape_markdown("Label by tester: honest") in md(at)
    assert_safe(at)


def test_side_by_side_opens_on_the_headline_pair_and_marks_differences(app: MakeApp) -> None:
    at = page(app().run(), "side_by_side")
    assert not at.exception
    headers = [m.value for m in at.markdown if m.value.startswith("###")]
    assert len(headers) == 2
    assert "overseer\\=ai\\,audit\\=none · epoch 1" in headers[0]
    assert "overseer\\=human\\,audit\\=none · epoch 1" in headers[1]
    assert "The scenario's headline contrast." in md(at)
    at.selectbox(key="pair_epoch").set_value(2)
    at = at.run()
    assert [h for h in (m.value for m in at.markdown) if h.startswith("###") and "epoch 2" in h]
    assert_safe(at)


def _label(ref: str, verdict: str, who: str = "ann", blind: bool = False) -> Label:
    log, rest = ref.split("#", 1)
    sample, epoch = rest.rsplit("@", 1)
    return Label(
        log=log, sample_id=sample, epoch=int(epoch), labeller=who, verdict=verdict, blind=blind
    )  # type: ignore[arg-type]


def test_labels_page_export_import_and_next(
    app: MakeApp, log_dir: Path, labels_db: Path, tmp_path: Path
) -> None:
    rows = data.catalogue(str(log_dir)).rows
    store = LabelStore(labels_db)
    store.initialise()
    store.save(_label(rows[0].ref, "honest"))
    at = page(app().run(), "labels")
    assert not at.exception
    [table] = [df.value for df in at.dataframe]
    assert list(table["transcript"]) == [views.readable(rows[0])]
    assert at.get("download_button")
    # import what another database exported
    other = LabelStore(tmp_path / "other.sqlite")
    other.initialise()
    other.save(_label(rows[1].ref, "deceptive", who="bob"))
    at.file_uploader[0].set_value(("labels.csv", other.export_csv().encode(), "text/csv"))
    at = at.run()
    next(b for b in at.button if b.label == "Import").click()
    at = at.run()
    assert "Imported 1 label(s)" in md(at)
    assert {x.labeller for x in store.latest()} == {"ann", "bob"}
    # the next unlabelled transcript opens on the Transcripts page
    at = page(app().run(), "labels")
    next(b for b in at.button if b.key == "open_next").click()
    at = at.run()
    unlabelled = [r.ref for r in rows if r.ref not in {rows[0].ref, rows[1].ref}]
    assert at.selectbox(key="open_ref").value == unlabelled[0]


def test_calibration_page(app: MakeApp, log_dir: Path, labels_db: Path) -> None:
    rows = [r for r in data.catalogue(str(log_dir)).rows if r.outcome.suite == "deception"]
    store = LabelStore(labels_db)
    store.initialise()
    flipped = {"deceptive": "honest", "honest": "deceptive"}
    human = {}
    for i, r in enumerate(rows):
        verdict = r.verdict or "honest"
        verdict = flipped[verdict] if i == 0 else verdict
        human[r.ref] = verdict
        store.save(_label(r.ref, verdict, blind=True))
        # a later label made with the arm in view: not used unless asked for
        store.save(_label(r.ref, flipped.get(r.verdict or "", "honest"), who="carol"))
    at = page(app().run(), "calibration")
    assert not at.exception
    assert at.selectbox(key="calibration_blind").value == "blind labels only"
    n = len(rows)
    assert (
        f"{n} of {2 * n} saved labels were made with blind labelling on. Using blind labels "
        f"only: {n} latest label(s)"
    ) in md(at).replace("\\", "")
    assert "carol" not in at.selectbox(key="calibration_who").options
    graded = [r for r in rows if r.verdict]
    pairs = [
        calibration.Pair(ref=r.ref, arm=r.outcome.arm, grader=r.verdict or "", human=human[r.ref])
        for r in graded
    ]
    expected = calibration.agreement(pairs)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pairs"] == str(len(graded))
    assert metrics["Cohen's κ"] == (f"{expected.kappa:.3f}" if expected.kappa is not None else "—")
    queue = at.dataframe[-1].value
    assert list(queue["ref"]) == [p.ref for p in calibration.disagreements(pairs)]
    assert escape_markdown("grader: grader_unparseable 1") in md(at)
    arm_table = at.dataframe[1].value
    assert set(arm_table["arm"]) == {r.outcome.arm for r in graded}
    at.selectbox(key="calibration_blind").set_value("all labels").run()
    assert "carol" in at.selectbox(key="calibration_who").options
    at.selectbox(key="calibration_who").set_value("carol").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agreement"] == "0.0%"  # carol flipped every verdict


def test_empty_directory(app: MakeApp, tmp_path: Path) -> None:
    for name in PAGES:
        at = page(app(logs=tmp_path).run(), name)
        assert not at.exception
        assert "no Inspect logs in this directory" in md(at)


def test_no_directory_asks_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANDOR_LOG_DIR", raising=False)
    at = AppTest.from_file(
        str(Path(__file__).parents[2] / "dashboard" / "app.py"), default_timeout=60
    ).run()
    assert "Enter a log directory" in md(at)
    at.text_input(key="log_dir").input(str(tmp_missing := "/nonexistent/logs")).run()
    assert "no such directory" in md(at), tmp_missing


def test_unwritable_label_database(app: MakeApp, log_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    ref = blame_ref(log_dir)
    at = app(labels=blocker / "labels.sqlite")
    at.query_params["ref"] = ref
    at = page(at.run(), "transcripts")
    assert not at.exception
    assert "Labels cannot be saved" in md(at)
    assert next(b for b in at.button if b.label == "Save label").disabled
    assert "Grader's verdict" in [s.value for s in at.subheader]  # the rest still works
    at = page(at, "labels")
    assert not at.exception and "Labels cannot be saved" in md(at)
    at = page(at, "calibration")
    assert not at.exception
