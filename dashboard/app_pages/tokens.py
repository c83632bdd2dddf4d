"""Tokens and cost per role (target, counterparty, grader) per arm and per run, each episode
once, as `candor report` counts them; cost with a prices file (sidebar, or `--prices`)."""

import streamlit as st

from dashboard import across, views
from dashboard.safe import escape_markdown

st.title("Tokens and cost")
views.stop_if_blind("this page shows each arm's usage.")
usage = views.catalogue().report.usage
if not usage.arms:
    st.info("These logs record no token usage.")
    st.stop()
st.caption(
    "Each episode once. The target's tokens are the eval model's less those of any role bound "
    "to the same model; `unattributed:MODEL` holds calls to a model no role names."
)
if not usage.priced:
    st.caption(
        "No prices given (sidebar, or `candor dashboard LOGDIR --prices FILE`): tokens only."
    )
elif usage.unpriced_models:
    st.warning(
        escape_markdown(
            "No price for " + ", ".join(usage.unpriced_models) + ": their cost is not counted."
        )
    )
st.subheader("Per arm")
st.altair_chart(across.usage_chart(usage))
st.dataframe(across.usage_rows(usage.arms, usage.priced), hide_index=True)
st.subheader("Per run")
st.dataframe(across.usage_rows(usage.runs, usage.priced), hide_index=True)
with st.expander("Every role in full (input, output, total tokens, model, cost)"):
    st.dataframe(across.role_rows(usage.arms), hide_index=True)
