"""Identities: each contrast pooled over the counterbalanced identity slots (Mantel–Haenszel)
and within each slot, with Breslow–Day for an effect that differs between identities, and each
arm's rate per identity worn. Hidden in blind mode (the identities name the arms)."""

import streamlit as st

from dashboard import across, views
from dashboard.safe import escape_markdown

st.title("Identities")
views.stop_if_blind("this page names each arm's identities and rates.")
report = views.catalogue().report
if not report.identity_strata and not report.identity_rates:
    st.info(
        "These logs record no identity slot (`identity_slot` in sample metadata): there is "
        "nothing to stratify."
    )
    st.stop()
st.caption(
    "Each epoch meets one counterbalanced identity slot (the names, titles and pronouns its "
    "parties wear). Conditional maximum-likelihood odds ratio with its exact 95% interval; "
    "pooled over slots by Mantel–Haenszel. A small Breslow–Day p says the effect differs "
    "between identities: read the slots, not the pooled line. Each contrast is stratified by "
    "the slot of the party whose species it varies (the `strata` column says whose); unscored "
    "samples per slot are listed, not counted."
)
st.subheader("Identity balance")
st.caption(
    "Declared: what each run's task-start check recorded in its log (epochs a multiple of the "
    "pool size for every party, and covering every pairing of crossed parties; `not recorded` "
    "in older logs). Counted: each arm's samples per slot, every sample and graded only: a slot "
    "graded more often in one arm (exclusions on some identities) is flagged `check`."
)
st.dataframe(across.identity_balance_rows(report), hide_index=True)
st.subheader("Contrasts pooled over identity slots")
st.dataframe(across.strata_summary_rows(report), hide_index=True)
st.subheader("Within each slot")
for sc in report.identity_strata:
    with st.expander(escape_markdown(across.stratum_title(sc)), expanded=sc.headline):
        st.dataframe(across.stratum_rows(sc), hide_index=True)
st.subheader("Rate per identity")
st.dataframe(across.identity_rate_rows(report.identity_rates), hide_index=True)
