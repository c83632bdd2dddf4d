"""Transcripts: filter the samples, open one, read it beside its ground truth, label it.

In blind mode the transcript is the grader's neutral view and nothing names the arm or the
grader's judgement."""

import streamlit as st

from dashboard import transcript_view, views

st.title("Transcripts")
cat = views.catalogue()
rows = views.require_rows(cat)
store, warning = views.label_store()
labels = views.latest_labels(store)
blind = views.is_blind()
with st.expander("Filters", expanded=False):
    shown = views.filter_widgets(rows, {label.ref for label in labels})
st.caption(f"{len(shown)} of {len(rows)} samples · select a row to open it")
table = views.row_table(shown, labels, rows)
picked = st.dataframe(
    table,
    hide_index=True,
    height=180,
    on_select="rerun",
    selection_mode="single-row",
    key=f"sample_table-{blind}",
)
row = views.pick(shown, rows, chosen=views.table_choice(picked, shown, f"sample_table-{blind}"))
if row is not None:
    tactics = sorted({t for r in rows for t in r.outcome.tally("tactics")})
    if blind:
        transcript_view.blind_full(row, rows, store, warning, tactics)
    else:
        transcript_view.full(row, store, warning, tactics)
