"""The label form beside a transcript, and the labels already saved for it."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from pydantic import ValidationError

from dashboard.blind import ref_key
from dashboard.label_store import (
    VERDICTS_BY_SUITE,
    Label,
    LabelStore,
    LabelStoreError,
    chronological,
)
from dashboard.models import SampleRow
from dashboard.safe import escape_markdown, visible
from dashboard.views import readable
from records.dimensions import declared

DEFAULT_TACTICS = declared().get("tactics").allowed()
"""The grader's tactic names (the `tactics` dimension, `records/dimensions.yaml`); tactics seen in
the logs are added."""


def saved_labels(store: LabelStore, row: SampleRow) -> list[Label]:
    """Every label of this transcript, oldest first (empty, with a warning, if unreadable)."""
    o = row.outcome
    try:
        return store.history(o.log, o.sample_id, o.epoch)
    except LabelStoreError as exc:
        st.warning(escape_markdown(f"Labels cannot be read: {exc}"))
        return []


def show_labels(labels: Sequence[Label]) -> None:
    """Each labeller's latest label of this transcript, as text."""
    latest: dict[str, Label] = {}
    for label in chronological(labels):
        latest[label.labeller] = label
    if not latest:
        st.caption("Nobody has labelled this transcript yet.")
    for label in latest.values():
        tactics = f" · tactics: {', '.join(label.tactics)}" if label.tactics else ""
        note = f" — {label.note}" if label.note else ""
        st.markdown(
            escape_markdown(
                f"Label by {label.labeller}: {label.verdict}{tactics}{note} ({label.labelled_at})"
            )
        )
    if len(labels) > len(latest):
        st.caption(f"{len(labels)} saves in the history of this transcript.")


def label_form(
    row: SampleRow,
    store: LabelStore,
    warning: str | None,
    tactics: Sequence[str],
    blind: bool = False,
) -> None:
    """Save a verdict, tactics and a note for this transcript under the sidebar's name.

    While `blind`, only the labeller's own labels are shown: another person's verdict is a hint
    about the arm (they may have labelled with blind labelling off)."""
    st.subheader("Your label")
    if flash := st.session_state.pop("label_flash", None):
        st.success(escape_markdown(str(flash)))
    if warning:
        st.warning(escape_markdown(warning))
    labeller = str(st.session_state.get("labeller", "")).strip()
    saved = saved_labels(store, row)
    if blind:
        others = {label.labeller for label in saved if label.labeller != labeller}
        saved = [label for label in saved if label.labeller == labeller]
        if others:
            st.caption("Other people's labels are hidden while blind labelling is on.")
    show_labels(saved)
    o = row.outcome
    verdicts = VERDICTS_BY_SUITE.get(o.suite, VERDICTS_BY_SUITE["deception"])
    options = list(dict.fromkeys([*DEFAULT_TACTICS, *tactics]))
    key = ref_key(row.ref)
    with st.form(f"label-{key}", clear_on_submit=False):
        verdict = st.radio(
            "Verdict", verdicts, index=None, horizontal=True, key=f"label_verdict-{key}"
        )
        chosen = st.multiselect("Tactics", options, format_func=visible, key=f"label_tactics-{key}")
        note = st.text_area("Note", key=f"label_note-{key}")
        submitted = st.form_submit_button("Save label", disabled=warning is not None)
    if not submitted:
        return
    if not labeller:
        st.warning("Enter your name in the sidebar first.")
        return
    if verdict is None:
        st.warning("Choose a verdict first.")
        return
    try:
        label = Label(
            log=o.log,
            sample_id=o.sample_id,
            epoch=o.epoch,
            labeller=labeller,
            verdict=verdict,
            tactics=tuple(chosen),
            note=note,
            blind=blind,
        )
        store.save(label)
    except (ValidationError, LabelStoreError) as exc:
        st.warning(escape_markdown(f"The label was not saved: {exc}"))
        return
    st.session_state["label_flash"] = f"Saved: {label.verdict} by {label.labeller}."
    st.rerun()


def _minute(at: str) -> str:
    """A label's time to the minute (`2026-12-01T17:14:35.64+00:00` -> `2026-12-01 17:14`)."""
    return at[:16].replace("T", " ")


def label_rows(
    labels: Sequence[Label], rows: Sequence[SampleRow], blind_names: dict[str, str] | None = None
) -> list[dict[str, str]]:
    """Latest labels with the grader's verdict beside them.

    In blind mode (`blind_names`: each transcript's queue name) only the queue name, tactics,
    note and time: no reference (it names the arm), no verdict column (neither the grader's nor
    a human's). The caller passes only the labeller's own labels.

    Every cell goes through `visible`: a table shows text without Markdown, and an imported note
    or name may carry bidi or control characters.
    """
    if blind_names is not None:
        return [
            {
                column: visible(value)
                for column, value in {
                    "transcript": blind_names.get(label.ref, "not in these logs"),
                    "tactics": ", ".join(label.tactics),
                    "note": label.note,
                    "labelled at": label.labelled_at,
                }.items()
            }
            for label in labels
        ]
    grader = {r.ref: r.verdict or r.outcome.status for r in rows}
    names = {r.ref: readable(r) for r in rows}
    return [
        {
            column: visible(value)
            for column, value in {
                "transcript": names.get(label.ref, label.ref),
                "verdict": label.verdict,
                "grader": grader.get(label.ref, "not in these logs"),
                "labeller": label.labeller,
                "tactics": ", ".join(label.tactics),
                "note": label.note,
                "labelled at": _minute(label.labelled_at),
            }.items()
        }
        for label in labels
    ]


def import_widget(store: LabelStore, disabled: bool) -> None:
    """Upload a CSV export and append its labels (all rows or none)."""
    upload = st.file_uploader("Import labels (CSV)", type=["csv"], disabled=disabled)
    if upload is None or not st.button("Import", disabled=disabled):
        return
    try:
        result = store.import_csv(upload.getvalue().decode("utf-8-sig"))
    except (UnicodeDecodeError, LabelStoreError) as exc:
        st.warning(escape_markdown(f"Import failed: {exc}"))
        return
    if result.errors:
        st.warning(escape_markdown("Nothing imported: " + "; ".join(result.errors[:10])))
    else:
        st.success(f"Imported {result.added} label(s); {result.duplicates} already present.")


def export_button(store: LabelStore, blind: bool = False) -> None:
    """Download the whole label history as CSV; nothing while blind (every row's sample id names
    its arm and the file holds everyone's verdicts)."""
    if blind:
        st.caption(
            "Export is off while blind labelling is on: the file names each transcript's arm. "
            "Turn blind labelling off to export."
        )
        return
    try:
        text = store.export_csv()
    except LabelStoreError as exc:
        st.warning(escape_markdown(f"Export failed: {exc}"))
        return
    st.download_button("Export labels (CSV)", text, "candor-labels.csv", "text/csv")
