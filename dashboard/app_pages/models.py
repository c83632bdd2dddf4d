"""Models side by side: the species effect (AI arm vs human arm) per model and scenario, with
the pooled estimate (Mantel–Haenszel) and heterogeneity (Breslow–Day), per grader configuration."""

import streamlit as st

from dashboard import across, views
from dashboard.safe import escape_markdown
from dashboard.tables import grader_tag

st.title("Models side by side")
views.stop_if_blind("this page shows every arm's counts.")
report = views.catalogue().report
if not report.forest:
    st.info(
        "No AI-versus-human contrast in these logs: the forest needs arms whose species differ "
        "(an `ai` and a `human` level of one factor)."
    )
    st.stop()
for plot in report.forest:
    st.subheader(f"Species effect ({plot.effect}), grader {grader_tag(plot.grader)}")
    if plot.pooled is not None:
        pooled = across.pooled_cells(plot.pooled)
        c1, c2, c3 = st.columns(3)
        c1.metric("Pooled odds ratio (Mantel–Haenszel, 95% CI)", str(pooled[across.MH_COLUMN]))
        c2.metric("CMH p", str(pooled["CMH p"]))
        c3.metric("Breslow–Day p (heterogeneity)", str(pooled["Breslow–Day p"]))
    st.altair_chart(across.forest_chart(plot))
    st.caption(escape_markdown(across.forest_caption(plot)))
    st.dataframe(across.forest_rows(plot), hide_index=True)
    if plot.pooled is not None:
        st.dataframe([across.forest_pooled_row(plot)], hide_index=True)
