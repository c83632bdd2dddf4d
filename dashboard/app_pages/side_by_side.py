"""Side by side: one scenario and epoch in two arms (the headline pair first), with the words
that differ between the two submitted reports highlighted."""

import streamlit as st

from dashboard import transcript_view, views

st.title("Side by side")
views.stop_if_blind("comparing two arms side by side shows the arms.")
cat = views.catalogue()
pair = views.pick_pair(views.require_rows(cat), cat.report)
if pair is not None:
    transcripts = [transcript_view.read(row) for row in pair]
    marks = transcript_view.diffs(*transcripts)
    st.caption(
        "Words of a submitted report that the other arm's report lacks are highlighted in blue."
    )
    for column, row, t, marked in zip(
        st.columns(2, gap="large"), pair, transcripts, marks, strict=True
    ):
        with column:
            transcript_view.compact(row, t, marked)
