"""Overview: the report's rates, contrasts, unscored counts and eval-awareness."""

import streamlit as st

from analysis.render import to_csv, to_markdown
from dashboard import tables, views

st.title("Overview")
cat = views.catalogue(detailed=True)
report = cat.report
samples = [r.outcome for r in cat.rows]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Logs", len(report.logs))
c2.metric("Samples", len(samples))
c3.metric("Graded", sum(1 for s in samples if s.status == "graded"))
c4.metric("Unscored", sum(1 for s in samples if s.status != "graded"))
if not report.groups:
    st.info("Nothing to report yet.")
    st.stop()

st.subheader("Rate per arm (95% Wilson intervals)")
st.altair_chart(tables.rates_chart(report.groups))
st.dataframe(tables.arm_rows(report), hide_index=True)

st.subheader("Contrasts")
st.caption("Exact tests as in `candor report`; headline contrasts first; Holm within task × model.")
st.dataframe(tables.contrast_rows(report), hide_index=True)
if report.pooled:
    st.subheader("Pooled (Cochran–Mantel–Haenszel)")
    st.dataframe(tables.pooled_rows(report), hide_index=True)

st.subheader("Unscored samples by reason")
unscored = tables.unscored_rows(report)
if unscored:
    st.dataframe(unscored, hide_index=True)
else:
    st.caption("Every sample was graded.")

st.subheader("Eval-awareness")
st.dataframe(tables.eval_awareness_rows(report), hide_index=True)

d1, d2 = st.columns(2)
d1.download_button("Report (Markdown)", to_markdown(report), "candor-report.md", "text/markdown")
d2.download_button("Report (CSV)", to_csv(report), "candor-report.csv", "text/csv")
