"""Calibration: the grader against human labels, overall and per arm, and what to review."""

import streamlit as st

from dashboard import calibration, views
from dashboard.label_store import latest_of
from dashboard.safe import escape_markdown, visible

st.title("Calibration")
views.stop_if_blind("calibration compares your labels with the grader's, arm by arm.")
cat = views.catalogue()
store, _ = views.label_store()
history = views.label_history(store)
BLIND_ONLY, ALL = "blind labels only", "all labels"
suites = sorted({r.outcome.suite for r in cat.rows}) or ["deception"]
c1, c2, c3 = st.columns(3)
suite = c1.selectbox("Suite", suites, key="calibration_suite")
used = c3.selectbox(
    "Labels used",
    [BLIND_ONLY, ALL],
    key="calibration_blind",
    help="A label made with the arm in view is not a blind judgement of it: by default only "
    "labels made with blind labelling on calibrate the grader.",
)
labels = latest_of([label for label in history if label.blind] if used == BLIND_ONLY else history)
st.caption(
    f"{sum(label.blind for label in history)} of {len(history)} saved labels were made with "
    f"blind labelling on. Using {used}: {len(labels)} latest label(s) per transcript and labeller."
)
labellers = sorted({label.labeller for label in labels})
who = c2.selectbox(
    "Human labels", ["latest of anyone", *labellers], format_func=visible, key="calibration_who"
)
rows = [r for r in cat.rows if r.outcome.suite == suite]
pairs, skipped = calibration.pairs_from(rows, labels, None if who == "latest of anyone" else who)
if skipped:
    st.caption(escape_markdown("Not paired: " + ", ".join(f"{k} {n}" for k, n in skipped.items())))
if not pairs:
    st.info("No transcript has both a grader verdict and a human label yet.")
    st.stop()

overall = calibration.agreement(pairs)
m1, m2, m3 = st.columns(3)
m1.metric("Pairs", overall.n)
m2.metric("Agreement", views.percent(overall.rate))
m3.metric("Cohen's κ", views.number(overall.kappa))

st.subheader("Confusion matrix (rows: grader, columns: human)")
st.dataframe(views.confusion_rows(pairs), hide_index=True)

st.subheader("Agreement per arm")
st.caption("A grader biased by arm says 'positive' more often than people do in one arm only.")
st.dataframe(views.arm_agreement_rows(pairs), hide_index=True)

st.subheader("Disagreements to review")
queue = calibration.disagreements(pairs)
st.dataframe([p.model_dump() for p in queue], hide_index=True)
if queue:
    ref = st.selectbox("Review", [p.ref for p in queue], key="calibration_review")
    if ref:
        views.open_button(ref, key="open_disagreement")
