"""Transcripts: filter the samples, open one, read it beside its ground truth, label it.

In blind mode the transcript is the grader's neutral view and nothing names the arm or the
grader's judgement."""

import streamlit as st

from dashboard import blind as queue
from dashboard import lookups, transcript_view, views

st.title("Transcripts")
cat = views.catalogue()
rows = views.require_rows(cat)
store, warning = views.label_store()
labels = views.latest_labels(store)
blind = views.is_blind()
with st.expander("Filters", expanded=False):
    shown = views.filter_widgets(rows, {label.ref for label in labels})
st.caption(f"{len(shown)} of {len(rows)} samples · select a row to open it")
# blind mode pages through the labelling queue in its order (a stretch of it at a time)
ordered = queue.queue(shown, views.blind_seed()) if blind else shown
listed = views.page(ordered, f"sample_page-{blind}", views.TABLE_ROWS)
table = views.row_table(listed, labels, rows, queued=blind)
picked = st.dataframe(
    table,
    hide_index=True,
    height="content",
    on_select="rerun",
    selection_mode="single-row",
    key=f"sample_table-{blind}",
)
chosen = views.table_choice(picked, listed, f"sample_table-{blind}", queued=blind)
row = views.pick(shown, rows, chosen=chosen)
if row is not None:
    tactics = lookups.tactics(rows)
    if blind:
        transcript_view.blind_full(row, rows, store, warning, tactics)
    else:
        transcript_view.full(row, store, warning, tactics)
