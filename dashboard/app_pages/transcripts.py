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
    if blind and (unredacted := queue.unredacted(shown)):
        st.info(
            f"{unredacted:,} transcripts were graded without redaction (redact=False): their "
            "grader read every species cue, so none is offered for blind labelling."
        )
    # the page chooser and the picker share one row above the table, so an open transcript
    # starts as high on the screen as it can
    chooser, rows_shown, picker = st.columns([1.3, 1, 4], vertical_alignment="bottom")
    listed = views.page(
        ordered, f"sample_page-{blind}", views.TABLE_ROWS, into=(chooser, rows_shown)
    )
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
    row = views.pick(listed, rows, chosen=chosen, queued=blind, into=picker)
    if row is not None:
        if blind:  # the declared tactics alone: none of the graders' own words
            transcript_view.blind_full(row, rows, store, warning, [])
        else:
            transcript_view.full(row, store, warning, lookups.tactics(rows))


st.title("Transcripts")
cat = views.catalogue()
all_rows = views.require_rows(cat)
label_store, store_warning = views.label_store()
latest = views.latest_labels(label_store)
with st.expander("Filters", expanded=False):
    matching = views.filter_widgets(all_rows, views.labelled_refs(latest))
st.caption(f"{len(matching)} of {len(all_rows)} samples · select a row to open it")
table_and_transcript(matching, all_rows, latest, label_store, store_warning, views.is_blind())
