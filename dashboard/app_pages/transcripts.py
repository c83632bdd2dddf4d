"""Transcripts: filter the samples, open one, read it beside its ground truth, label it."""

import streamlit as st

from dashboard import transcript_view, views

st.title("Transcripts")
cat = views.catalogue()
rows = views.require_rows(cat)
store, warning = views.label_store()
labels = views.latest_labels(store)
with st.expander("Filters", expanded=True):
    shown = views.filter_widgets(rows, {label.ref for label in labels})
st.caption(f"{len(shown)} of {len(rows)} samples")
st.dataframe(views.row_table(shown, labels), hide_index=True, height=220)
row = views.pick(shown, rows)
if row is not None:
    tactics = sorted({t for r in rows for t in r.outcome.tally("tactics")})
    transcript_view.full(row, store, warning, tactics)
