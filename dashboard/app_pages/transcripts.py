"""Transcripts: filter the samples, open one, read it beside its ground truth, label it.

The table and the open transcript are one fragment: picking a row, paging or saving a label
reruns them alone, not the sidebar and the filter bar. In blind mode the transcript is the
grader's neutral view and nothing names the arm or the grader's judgement."""

import streamlit as st

from dashboard import blind as queue
from dashboard import lookups, transcript_view, views
from dashboard.label_store import Label, LabelStore
from dashboard.models import SampleRow


@st.fragment
def table_and_transcript(
    shown: list[SampleRow],
    rows: list[SampleRow],
    labels: list[Label],
    store: LabelStore,
    warning: str | None,
    blind: bool,
) -> None:
    """The sample table (a page of it) and the transcript picked there or in the picker."""
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
    # the picker offers the table's page (and the open transcript): a page or a search finds
    # any other, and no rerun sends thousands of options to the browser
    row = views.pick(listed, rows, chosen=chosen, queued=blind)
    if row is not None:
        tactics = lookups.tactics(rows)
        if blind:
            transcript_view.blind_full(row, rows, store, warning, tactics)
        else:
            transcript_view.full(row, store, warning, tactics)


st.title("Transcripts")
cat = views.catalogue()
all_rows = views.require_rows(cat)
label_store, store_warning = views.label_store()
latest = views.latest_labels(label_store)
with st.expander("Filters", expanded=False):
    matching = views.filter_widgets(all_rows, {label.ref for label in latest})
st.caption(f"{len(matching)} of {len(all_rows)} samples · select a row to open it")
table_and_transcript(matching, all_rows, latest, label_store, store_warning, views.is_blind())
