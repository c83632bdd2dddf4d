"""Widgets every page shares: the sidebar, the catalogue with its warnings, filters, pickers."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard import data
from dashboard.calibration import Pair, confusion_matrix, per_arm
from dashboard.config import LaunchOptions, labels_path
from dashboard.filters import FIELDS, LABEL_CHOICES, Filters, apply, choices
from dashboard.label_store import Label, LabelStore, LabelStoreError, open_store
from dashboard.models import Catalogue, SampleRow
from dashboard.safe import escape_markdown, visible

TRANSCRIPTS_PAGE = "app_pages/transcripts.py"
_FILTER_LABELS = {
    "tasks": "Task",
    "models": "Model",
    "arms": "Arm",
    "statuses": "Status",
    "verdicts": "Verdict",
    "tactics": "Tactic",
    "provisions": "Provision",
}
_MAX_OPTIONS = 2_000
DEEP_SEARCH_LIMIT = 1_000


def sidebar(opts: LaunchOptions) -> None:
    """Log directory, label database, labeller name, blind mode, reload."""
    ss = st.session_state
    ss.setdefault("log_dir", opts.log_dir or "")
    ss.setdefault("labeller", opts.labeller)
    with st.sidebar:
        st.text_input("Log directory", key="log_dir", placeholder="path to Inspect logs")
        if log_dir := str(ss["log_dir"]).strip():
            ss["labels_path"] = str(labels_path(log_dir, opts.labels))
            st.caption(escape_markdown(f"Labels: {ss['labels_path']}"))
        st.text_input("Your name (labeller)", key="labeller")
        st.toggle(
            "Blind labelling",
            key="blind",
            help="Hide the grader's verdict and evidence until you have labelled the transcript.",
        )
        if st.button("Reload logs", help="Re-read the directory (new logs are picked up anyway)"):
            data.clear()


def catalogue(*, detailed: bool = False) -> Catalogue:
    """The catalogue of the chosen directory; stops the page if there is no directory yet."""
    log_dir = str(st.session_state.get("log_dir", "")).strip()
    if not log_dir:
        st.info("Enter a log directory in the sidebar (or start with `candor dashboard LOGDIR`).")
        st.stop()
    cat = data.catalogue(log_dir)
    if detailed:
        for p in cat.problems:
            st.warning(escape_markdown(f"{p.log}: {p.message}"))
    elif cat.problems:
        st.warning(
            escape_markdown(
                f"{len(cat.problems)} log problem(s), e.g. {cat.problems[0].log}: "
                f"{cat.problems[0].message}. See the Overview for all."
            )
        )
    return cat


def require_rows(cat: Catalogue) -> list[SampleRow]:
    """The samples, or stop the page with a note when there are none."""
    if not cat.rows:
        st.info("No Candor samples to show in this directory.")
        st.stop()
    return cat.rows


def label_store() -> tuple[LabelStore, str | None]:
    """The label database and, if labels cannot be saved, the warning to show."""
    return open_store(st.session_state["labels_path"])


def latest_labels(store: LabelStore) -> list[Label]:
    """Every labeller's latest labels, or none (with a warning) when the database is unreadable."""
    try:
        return store.latest()
    except LabelStoreError as exc:
        st.warning(escape_markdown(f"Labels cannot be read: {exc}"))
        return []


def filter_widgets(rows: Sequence[SampleRow], labelled: set[str]) -> list[SampleRow]:
    """The filter bar; returns the rows that pass it."""
    selected: dict[str, tuple[str, ...]] = {}
    columns = st.columns(4)
    for i, (name, key) in enumerate(FIELDS.items()):
        options = choices(rows, key)
        picked = columns[i % 4].multiselect(_FILTER_LABELS[name], options, key=f"filter_{name}")
        selected[name] = tuple(picked)
    labelled_choice = columns[3].selectbox("Human label", LABEL_CHOICES, key="filter_labelled")
    text = st.text_input(
        "Search", key="filter_text", placeholder="ids, arms, reasons, rationales, quotes, tactics"
    )
    deep = st.checkbox(
        "Also search inside transcripts (reads each sample; slower on large directories)",
        key="filter_deep",
    )
    f = Filters(labelled=labelled_choice, text=text, **selected)
    deep = deep and bool(text.strip())
    if deep and len(rows) > DEEP_SEARCH_LIMIT:
        st.caption(f"Inside transcripts, only the first {DEEP_SEARCH_LIMIT} matches are searched.")
    full_text = data.transcript_text if deep else None
    return apply(rows, f, labelled, full_text, DEEP_SEARCH_LIMIT)


def pick(
    rows: Sequence[SampleRow], all_rows: Sequence[SampleRow], key: str = "open_ref"
) -> SampleRow | None:
    """A transcript picker kept in step with the URL (`?ref=`), so a reload reopens it."""
    ss = st.session_state
    known = {r.ref: r for r in all_rows}
    goto = ss.pop("goto_ref", None)
    url_ref = st.query_params.get("ref")
    if goto in known:
        ss[key] = goto
    elif url_ref and url_ref != ss.get("_url_ref") and url_ref in known:
        ss[key] = url_ref
    refs = [r.ref for r in rows][:_MAX_OPTIONS]
    current = ss.get(key)
    if current in known and current not in refs:
        refs.insert(0, current)  # keep the open transcript even when a filter hides it
    if not refs:
        st.info("No transcript matches the filters.")
        return None
    if current not in refs:
        ss[key] = refs[0]
    if len(rows) > _MAX_OPTIONS:
        st.caption(f"Showing the first {_MAX_OPTIONS} matches; narrow the filters to see others.")
    blind = bool(ss.get("blind"))
    names = {
        r.ref: f"{r.ref}  —  {r.outcome.status if blind else r.verdict or r.outcome.status}"
        for r in all_rows
    }
    ref = st.selectbox("Transcript", refs, key=key, format_func=lambda x: names.get(x, x))
    ss["_url_ref"] = ref
    st.query_params["ref"] = ref
    return known.get(ref)


def open_button(ref: str, key: str) -> None:
    """A button that opens a transcript on the Transcripts page."""
    if st.button("Open transcript", key=key):
        st.session_state["goto_ref"] = ref
        st.switch_page(TRANSCRIPTS_PAGE)


def row_table(rows: Sequence[SampleRow], labels: Sequence[Label]) -> list[dict[str, str | int]]:
    """The sample list as table rows (the grader's verdict left out in blind mode)."""
    blind = bool(st.session_state.get("blind"))
    human: dict[str, list[str]] = {}
    for label in labels:
        human.setdefault(label.ref, []).append(f"{label.verdict} ({label.labeller})")
    return [
        {
            "ref": r.ref,
            "model": r.outcome.model,
            "arm": r.outcome.arm,
            "status": r.outcome.status,
            "verdict": "hidden" if blind else r.verdict or "—",
            "tactics": "" if blind else ", ".join(r.outcome.tally("tactics")),
            "human": visible("; ".join(human.get(r.ref, []))),  # imported names may hide text
        }
        for r in rows
    ]


def pick_pair(rows: Sequence[SampleRow]) -> tuple[SampleRow, SampleRow] | None:
    """Choose a task × model × scenario, an epoch and two of its arms."""
    groups: dict[str, list[SampleRow]] = {}
    for r in rows:
        o = r.outcome
        groups.setdefault(f"{o.task} — {o.model} — {o.scenario}", []).append(r)
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
    group = c1.selectbox("Task — model — scenario", sorted(groups), key="pair_group")
    members = groups[group] if group else []
    arms = sorted({r.outcome.arm for r in members})
    if len(arms) < 2:
        st.info("This scenario has only one arm in these logs.")
        return None
    arm_a = c2.selectbox("Arm A", arms, index=0, key="pair_a")
    arm_b = c3.selectbox("Arm B", arms, index=1, key="pair_b")
    by_key = {(r.outcome.arm, r.outcome.epoch): r for r in members}
    epochs = sorted({e for a, e in by_key if a == arm_a} & {e for a, e in by_key if a == arm_b})
    if not epochs:
        st.info("These two arms share no epoch.")
        return None
    epoch = c4.selectbox("Epoch", epochs, key="pair_epoch")
    if epoch is None or arm_a == arm_b:
        st.info("Choose two different arms.")
        return None
    return by_key[(arm_a, epoch)], by_key[(arm_b, epoch)]


def percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def number(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def confusion_rows(pairs: Sequence[Pair]) -> list[dict[str, str | int]]:
    """The confusion matrix as table rows, the grader's label in the first column."""
    categories, matrix = confusion_matrix(pairs)
    return [
        {"grader \\ human": c, **dict(zip(categories, counts, strict=True))}
        for c, counts in zip(categories, matrix, strict=True)
    ]


def arm_agreement_rows(pairs: Sequence[Pair]) -> list[dict[str, str | int]]:
    """Per arm: pairs, agreement, kappa, and each rater's positive rate."""
    return [
        {
            "arm": a.arm,
            "pairs": a.n,
            "agreement": percent(a.rate),
            "kappa": number(a.kappa),
            "grader positive": percent(a.grader_positive),
            "human positive": percent(a.human_positive),
        }
        for a in per_arm(pairs)
    ]
