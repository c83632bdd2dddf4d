"""Overview: the headline contrasts first, then the report's rates, contrasts, unscored counts
and verdict flags (eval-awareness, refusal, warning: every flag of `records/dimensions.yaml`)."""

import streamlit as st

from analysis.render import to_csv, to_markdown
from dashboard import headline, overview_view, tables, views
from dashboard.headline import numbers_first
from dashboard.safe import escape_markdown

st.title("Overview")
views.stop_if_blind("the Overview shows every arm's rate.")
cat = views.catalogue(detailed=True)
report = cat.report
samples = [r.outcome for r in cat.rows]
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Logs", len(report.logs))
c2.metric("Runs pooled", report.runs)
c3.metric("Samples", len(samples))
c4.metric("Graded", sum(1 for s in samples if s.status == "graded"))
c5.metric("Unscored", sum(1 for s in samples if s.status != "graded"))
if not report.groups:
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
st.caption(
    "Per scenario × model × grader configuration: each arm's rate with its 95% Wilson interval, "
    "the difference (Newcombe interval), the odds ratio with its exact conditional interval, "
    "Fisher's exact p and Holm's adjustment within task × model × grader."
)
overview_view.cards(headline.headline_cards(report))

st.subheader("Rate per arm (95% Wilson intervals)")
st.altair_chart(tables.rates_chart(report.groups))
st.dataframe(numbers_first(tables.arm_rows(report), report), hide_index=True)

st.subheader("Contrasts")
st.caption("Exact tests as in `candor report`; headline contrasts first; Holm within task × model.")
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
d1.download_button("Report (Markdown)", to_markdown(report), "candor-report.md", "text/markdown")
d2.download_button("Report (CSV)", to_csv(report), "candor-report.csv", "text/csv")
