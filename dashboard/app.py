"""Candor dashboard. `candor dashboard LOGDIR`, or `streamlit run dashboard/app.py -- LOGDIR`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from dashboard import data, views
from dashboard.config import launch_options

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="Candor", page_icon=":material/balance:", layout="wide")
views.sidebar(launch_options(sys.argv, os.environ))
page = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/bar_chart:", default=True),
        st.Page(PAGES / "models.py", title="Models", icon=":material/forest:"),
        st.Page(PAGES / "identities.py", title="Identities", icon=":material/badge:"),
        st.Page(PAGES / "tokens.py", title="Tokens and cost", icon=":material/payments:"),
        st.Page(PAGES / "transcripts.py", title="Transcripts", icon=":material/forum:"),
        st.Page(PAGES / "side_by_side.py", title="Side by side", icon=":material/compare:"),
        st.Page(PAGES / "labels.py", title="Labels", icon=":material/label:"),
        st.Page(PAGES / "calibration.py", title="Calibration", icon=":material/rule:"),
        st.Page(
            PAGES / "rounds_families.py", title="Rounds and families", icon=":material/timeline:"
        ),
    ]
)
try:
    page.run()
finally:  # after the page has drawn: the first transcript opened does not wait for Inspect
    data.warm_transcript_reader()
