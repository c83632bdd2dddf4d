"""Side by side: one scenario and epoch in two arms."""

import streamlit as st

from dashboard import transcript_view, views

st.title("Side by side")
cat = views.catalogue()
pair = views.pick_pair(views.require_rows(cat))
if pair is not None:
    for column, row in zip(st.columns(2, gap="large"), pair, strict=True):
        with column:
            transcript_view.compact(row)
