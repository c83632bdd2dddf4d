"""Overview: the headline contrasts first, then the report's rates, contrasts, unscored counts
and verdict flags (eval-awareness, refusal, warning: every flag of `records/dimensions.yaml`)."""

from pathlib import Path

import streamlit as st

from analysis.plan import BINOMIAL_TEST
from analysis.render import to_csv, to_markdown
from dashboard import across, headline, overview_view, tables, views
from dashboard.headline import numbers_first
from dashboard.safe import escape_markdown

st.title("Overview")
views.stop_if_blind("the Overview shows every arm's rate.")
cat = views.catalogue(detailed=True)
report = cat.report
samples = [r.outcome for r in cat.rows]
graded = sum(1 for s in samples if s.status == "graded")
counts = (
    f"{len(report.logs)} logs · {report.runs} runs pooled · {len(samples)} samples · "
    f"{graded} graded · {len(samples) - graded} unscored"
    + (f" · plan {report.plan.name} ({Path(report.plan.file).name})" if report.plan else "")
)
if not report.groups:
    st.caption(escape_markdown(counts))
    st.info("Nothing to report yet.")
    st.stop()

flagged = tables.missingness_rows(report)
if flagged:
    st.error(
        f"{len(flagged)} contrast(s) lose samples unevenly between their arms (unscored or "
        f"redaction-leak share, Fisher's exact test p < {report.missingness_alpha}): their "
        "difference may be made by missingness. See Missingness below."
    )
if report.sample_problems:
    st.warning(
        escape_markdown(
            f"{len(report.sample_problems)} sample(s) could not be read, e.g. "
            f"{report.sample_problems[0].log}: {report.sample_problems[0].message}"
        )
    )

st.subheader("Headline contrasts")
headline_items = headline.headline_cards(report)
overview_view.headline(headline_items)
st.caption(
    escape_markdown(counts)
    + ". Each arm's rate with its 95% Wilson interval; the difference with its Newcombe "
    "interval; the conditional maximum-likelihood odds ratio with its exact interval (as "
    "`candor report` shows it); Fisher's exact p, Holm-adjusted over every contrast of the task "
    "× model × grader configuration, or with a plan over the planned contrasts (per model × "
    "grader configuration) and over the rest apart."
)

if report.plan is not None:
    st.subheader("Planned contrasts (confirmatory)")
    st.caption(escape_markdown(across.plan_caption(report.plan)))
    st.dataframe(across.plan_rows(report.plan), hide_index=True)
    published = across.published_rows(report.plan)
    if published:
        st.caption(escape_markdown(f"Published beside measured ({BINOMIAL_TEST})."))
        st.dataframe(published, hide_index=True)

st.subheader("Rate per arm (95% Wilson intervals)")
panels = len(report.groups)
# a chart of many panels is the browser's longest draw: with more headline contrasts than the
# cards show, it is drawn when opened (the table below has every figure), so the answer shows first
with st.expander(
    f"Chart: rate per arm, a panel per group ({panels})",
    expanded=len(headline_items) <= overview_view.MAX_CARDS,
    key="rates_chart_open",
    on_change="rerun",
) as chart_box:
    if chart_box.open:
        st.altair_chart(tables.rates_chart(report.groups))
st.dataframe(numbers_first(tables.arm_rows(report), report), hide_index=True)

st.subheader("Contrasts")
st.caption(
    "Exact tests as in `candor report`; headline contrasts first; Holm within task × model × "
    "grader configuration (with a plan: over the planned contrasts alone, and over the rest)."
)
st.dataframe(numbers_first(tables.contrast_rows(report), report), hide_index=True)
if report.pooled:
    st.subheader("Pooled (Cochran–Mantel–Haenszel)")
    st.dataframe(tables.pooled_rows(report), hide_index=True)

st.subheader("Missingness")
if flagged:
    st.dataframe(numbers_first(flagged, report), hide_index=True)
else:
    st.caption("In every contrast the arms' unscored and leak shares are balanced.")

st.subheader("Unscored samples by reason")
unscored = tables.unscored_rows(report)
if unscored:
    st.dataframe(numbers_first(unscored, report), hide_index=True)
else:
    st.caption("Every sample was graded.")

st.subheader("Grader configurations")
st.caption("Groups graded differently are reported apart and never pooled.")
st.dataframe(tables.grader_rows(report), hide_index=True)
notes = tables.note_rows(report)
if notes:
    st.dataframe(numbers_first(notes, report), hide_index=True)

if report.set_aside:
    st.subheader("Copies set aside (each episode counts once)")
    st.dataframe(tables.set_aside_rows(report), hide_index=True)
if report.sample_problems:
    st.subheader("Samples that could not be read")
    st.dataframe(
        [{"sample": p.log, "problem": p.message} for p in report.sample_problems], hide_index=True
    )

st.subheader("Verdict flags")
st.dataframe(numbers_first(tables.flag_rows(report), report), hide_index=True)

d1, d2 = st.columns(2)
# written when clicked, not on every run of the page
d1.download_button(
    "Report (Markdown)", lambda: to_markdown(report), "candor-report.md", "text/markdown"
)
d2.download_button("Report (CSV)", lambda: to_csv(report), "candor-report.csv", "text/csv")
