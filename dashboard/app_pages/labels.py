"""Labels: every human label, the next transcript to label, CSV export and import."""

import streamlit as st

from dashboard import blind, labelling, views
from dashboard.safe import escape_markdown, visible

st.title("Labels")
cat = views.catalogue()
store, warning = views.label_store()
st.caption(escape_markdown(f"Database: {views.shown_path(store.path)}"))
if warning:
    st.warning(escape_markdown(warning))
labels = views.latest_labels(store)
hidden = views.is_blind()
labelled = views.labelled_refs(labels)
c1, c2, c3 = st.columns(3)
if hidden:  # your own labels and queue: which transcripts others labelled may follow the arm
    in_queue = blind.queue(cat.rows, views.blind_seed())
    c1.metric("Labelled by you", sum(1 for r in in_queue if r.ref in labelled))
    c2.metric("In your queue", len(in_queue))
    c3.metric("Left to label", sum(1 for r in in_queue if r.ref not in labelled))
else:
    c1.metric("Labelled transcripts", len(labelled))
    c2.metric("Labellers", len({label.labeller for label in labels}))
    c3.metric("Unlabelled", sum(1 for r in cat.rows if r.ref not in labelled))

if hidden:  # the queue's order, named by position: a reference names the arm
    names = blind.position_names(cat.rows, views.blind_seed())
    unlabelled = [r for r in in_queue if r.ref not in labelled]
else:
    names = {r.ref: views.readable(r) for r in cat.rows}
    unlabelled = [r for r in cat.rows if r.ref not in labelled]
if unlabelled:
    st.markdown(escape_markdown(f"Next unlabelled: {names[unlabelled[0].ref]}"))
    views.open_button(unlabelled[0].ref, key="open_next")

if hidden:  # only your own labels: another person's verdict is a hint about the arm
    me = views.blind_seed()
    mine = [label for label in labels if label.labeller == me]
    st.subheader("Your labels")
    shown = views.page(mine, "labels_page-blind", views.LABEL_ROWS)
    st.dataframe(labelling.label_rows(shown, cat.rows, names), hide_index=True, height="content")
    place = {r.ref: i for i, r in enumerate(blind.queue(cat.rows, me))}
    openable = sorted({label.ref for label in mine}, key=lambda x: place.get(x, len(place)))
else:
    st.subheader("Latest label per transcript and labeller")
    shown = views.page(labels, "labels_page", views.LABEL_ROWS)
    st.dataframe(labelling.label_rows(shown, cat.rows), hide_index=True, height="content")
    openable = sorted(labelled)
if openable:
    ref = st.selectbox(
        "Open a labelled transcript",
        openable,
        format_func=lambda x: names.get(x, "not in these logs" if hidden else visible(x)),
        key="labels_open",
    )
    if ref:
        views.open_button(ref, key="open_labelled")

st.subheader("Export and import")
labelling.export_button(store, blind=hidden)
labelling.import_widget(store, disabled=warning is not None)
