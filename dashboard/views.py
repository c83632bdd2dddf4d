"""Widgets every page shares: the sidebar, the catalogue with its warnings, filters, pickers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis.plan import load_plan
from analysis.report import Report
from analysis.usage import load_prices
from dashboard import blind, data, lookups
from dashboard.calibration import Pair, confusion_matrix, per_arm
from dashboard.config import LaunchOptions, labels_path
from dashboard.filters import FIELDS, LABEL_CHOICES, Filters, apply
from dashboard.label_store import Label, LabelStore, LabelStoreError, open_store
from dashboard.models import Catalogue, SampleRow
from dashboard.safe import escape_markdown, visible

_T = TypeVar("_T")
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
# Fields whose values name the arm or the grader's judgement: not offered in blind mode. A status
# is the grader panel's outcome (graders_disagree, grader_unparseable, redaction_leak, ...).
_NOT_BLIND = frozenset({"arms", "verdicts", "tactics", "provisions", "statuses"})
_MAX_OPTIONS = 2_000
PAGE_ROWS = 200
TABLE_ROWS = 6
"""Rows per page of the Transcripts table: drawn whole (no inner scrollbar) above the transcript."""
LABEL_ROWS = 8
"""Rows per page of the Labels table."""
DEEP_SEARCH_LIMIT = 1_000
BLIND_HELP = (
    "Label without knowing the arm or the grader's judgement: no verdict, status, tactics, grader "
    "calls or arm anywhere; each transcript is shown as the grader read it (every species cue "
    "redacted), in a random order (seeded by your name) that takes the arms in turn."
)


PLAN_HELP = (
    "A plan file (`candor plan --write`, or `candor dashboard LOGDIR --plan FILE`): its "
    "contrasts are confirmatory, Holm-adjusted over them alone; every other contrast is "
    "exploratory, as in `candor report --plan FILE`."
)
PRICES_HELP = (
    "Dollars per million tokens per model (`models: {MODEL: {input: 3, output: 15}}`), as "
    "`candor report --prices FILE`: the cost of each role on the Tokens page."
)


def shown_path(path: Path) -> str:
    """A file's path as a user in the server's working directory would type it: relative when
    it lies under that directory, else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def is_blind() -> bool:
    """Whether blind labelling is on."""
    return bool(st.session_state.get("blind"))


def stop_if_blind(what: str) -> None:
    """Stop a page that cannot be shown blind, saying why."""
    if is_blind():
        st.info(
            f"Blind labelling is on: {what} Label on the Transcripts page, or turn blind "
            "labelling off in the sidebar."
        )
        st.stop()


def readable(row: SampleRow) -> str:
    """A sample as a researcher names it: scenario, arm, epoch, model."""
    o = row.outcome
    where = o.scenario if o.task == o.scenario else f"{o.task} / {o.scenario}"
    return f"{where} · {o.arm} · epoch {o.epoch} · {o.model}"


def _picker_name(row: SampleRow) -> str:
    return f"{readable(row)} — {row.verdict or row.outcome.status}"


def blind_seed() -> str:
    return str(st.session_state.get("labeller", "")).strip()


def sidebar(opts: LaunchOptions) -> None:
    """Log directory, label database, labeller name, blind mode, reload."""
    ss = st.session_state
    ss.setdefault("log_dir", opts.log_dir or "")
    ss.setdefault("labeller", opts.labeller)
    ss.setdefault("plan_file", opts.plan or "")
    ss.setdefault("prices_file", opts.prices or "")
    with st.sidebar:
        st.text_input("Log directory", key="log_dir", placeholder="path to Inspect logs")
        if log_dir := str(ss["log_dir"]).strip():
            ss["labels_path"] = str(labels_path(log_dir, opts.labels))
            st.caption(escape_markdown(f"Labels: {ss['labels_path']}"))
        st.text_input("Your name (labeller)", key="labeller")
        st.toggle("Blind labelling", key="blind", help=BLIND_HELP)
        with st.expander("Plan and prices", expanded=False):
            st.text_input(
                "Plan file",
                key="plan_file",
                placeholder="plans/study.yaml",
                help=PLAN_HELP,
            )
            st.text_input(
                "Prices file",
                key="prices_file",
                placeholder="prices.yaml",
                help=PRICES_HELP,
            )
        if st.button("Reload logs", help="Re-read the directory (new logs are picked up anyway)"):
            data.clear()


def catalogue(*, detailed: bool = False) -> Catalogue:
    """The catalogue of the chosen directory; stops the page if there is no directory yet."""
    log_dir = str(st.session_state.get("log_dir", "")).strip()
    if not log_dir:
        st.info("Enter a log directory in the sidebar (or start with `candor dashboard LOGDIR`).")
        st.stop()
    cat = _with_files(log_dir)
    if cat.problems and is_blind():  # a problem's words may name an arm or a sample's status
        st.warning(f"{len(cat.problems)} log problem(s): switch blind labelling off to read them.")
    elif detailed:
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


def _readable(key: str, load: Callable[[Path], object]) -> str | None:
    """The sidebar's file under `key` if it reads, else None with an error naming what is wrong."""
    path = str(st.session_state.get(key, "")).strip()
    if not path:
        return None
    try:
        load(Path(path))
    except ValueError as exc:
        st.error(escape_markdown(f"{exc}. The report is shown without it."))
        return None
    return path


def _with_files(log_dir: str) -> Catalogue:
    """The catalogue, its report made with the sidebar's plan and prices files."""
    return data.catalogue(
        log_dir, _readable("plan_file", load_plan), _readable("prices_file", load_prices)
    )


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


def labelled_refs(labels: Sequence[Label]) -> set[str]:
    """The transcripts that count as labelled: by anyone, or while blind by you alone (which
    transcripts others labelled, perhaps not blind, may follow the arm)."""
    if not is_blind():
        return {label.ref for label in labels}
    me = blind_seed()
    return {label.ref for label in labels if label.labeller == me}


def label_history(store: LabelStore) -> list[Label]:
    """Every label ever saved, or none (with a warning) when the database is unreadable."""
    try:
        return store.history()
    except LabelStoreError as exc:
        st.warning(escape_markdown(f"Labels cannot be read: {exc}"))
        return []


def filter_widgets(rows: Sequence[SampleRow], labelled: set[str]) -> list[SampleRow]:
    """The filter bar; returns the rows that pass it."""
    selected: dict[str, tuple[str, ...]] = {}
    hidden = _NOT_BLIND if is_blind() else frozenset()
    fields = [name for name in FIELDS if name not in hidden]
    columns = st.columns(4)
    for i, name in enumerate(fields):
        options = lookups.field_choices(rows, name)
        picked = columns[i % 4].multiselect(_FILTER_LABELS[name], options, key=f"filter_{name}")
        selected[name] = tuple(picked)
    labelled_choice = columns[3].selectbox("Human label", LABEL_CHOICES, key="filter_labelled")
    if hidden:  # the search reads arms, verdicts and rationales
        return lookups.filtered(
            rows, Filters(labelled=labelled_choice, **selected), frozenset(labelled)
        )
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
    if not deep:
        return lookups.filtered(rows, f, frozenset(labelled))
    return apply(rows, f, labelled, data.transcript_text, DEEP_SEARCH_LIMIT)


def pick(
    rows: Sequence[SampleRow],
    all_rows: Sequence[SampleRow],
    key: str = "open_ref",
    chosen: str | None = None,
    *,
    queued: bool = False,
    into: DeltaGenerator | None = None,
) -> SampleRow | None:
    """A transcript picker kept in step with the URL (`?ref=`), so a reload reopens it.

    `chosen` is a transcript picked elsewhere on the page (a table row). In blind mode the
    choices are the labelling queue's positions and the URL is left without a reference (a
    reference names the arm), and a transcript open when blind mode is switched on is not kept
    open (its labeller has seen its arm); `queued`: `rows` are already in the queue's order;
    `into`: where the picker is drawn (default: where the page is)."""
    ss = st.session_state
    place = into or st.container()
    known = lookups.by_ref(all_rows)
    goto = ss.pop("goto_ref", None)
    url_ref = st.query_params.get("ref")
    hidden = is_blind()
    if hidden:  # only the queue's transcripts: any other would be shown by its reference
        queued_names = lookups.blind_names(all_rows, blind_seed())
        known = {ref: row for ref, row in known.items() if ref in queued_names}
    # one widget per mode: a browser keeps showing a widget's old option text when only its
    # options change, so the blind picker is never the open one relabelled
    key, other = (f"{key}-blind", key) if hidden else (key, f"{key}-blind")
    if ss.get("_pick_blind") != hidden:  # the mode just changed
        if hidden:  # what was open was seen with its arm: the queue opens at its first
            ss.pop(key, None)
        elif ss.get(other) in known:  # leaving blind mode keeps the transcript being read
            ss[key] = ss[other]
    ss["_pick_blind"] = hidden
    if goto in known:
        ss[key] = goto
    elif chosen in known:
        ss[key] = chosen
    elif url_ref and url_ref != ss.get("_url_ref") and url_ref in known:
        ss[key] = url_ref
    ordered = blind.queue(rows, blind_seed()) if hidden and not queued else list(rows)
    refs = [r.ref for r in ordered][:_MAX_OPTIONS]
    current = ss.get(key)
    if current in known and current not in refs:
        refs.insert(0, current)  # keep the open transcript even when a filter hides it
    if not refs:
        place.info("No transcript matches the filters.")
        return None
    if current not in refs:
        ss[key] = refs[0]
    if len(rows) > _MAX_OPTIONS:
        place.caption(
            f"Showing the first {_MAX_OPTIONS} matches; narrow the filters to see others."
        )
    if hidden:
        names = lookups.blind_names(all_rows, blind_seed())
    else:
        names = lookups.names(all_rows, _picker_name, "picker")
    ref = place.selectbox("Transcript", refs, key=key, format_func=lambda x: names.get(x, x))
    ss["_url_ref"] = ref
    if hidden:
        if "ref" in st.query_params:
            del st.query_params["ref"]
    else:
        st.query_params["ref"] = ref
    return known.get(ref)


def table_choice(
    event: object, rows: Sequence[SampleRow], key: str, *, queued: bool = False
) -> str | None:
    """The transcript a click on the sample table chose, once per new selection (so the picker
    can still move away from it); `rows` in the table's order before blind reordering
    (`queued`: already in the labelling queue's order)."""
    ss = st.session_state
    applied = f"_{key}_applied"
    selection = event.get("selection", {}) if isinstance(event, dict) else {}
    picked = list(selection.get("rows", [])) if isinstance(selection, dict) else []
    if not picked:
        ss.pop(applied, None)
        return None
    ordered = blind.queue(rows, blind_seed()) if is_blind() and not queued else list(rows)
    index = picked[0]
    if not isinstance(index, int) or not 0 <= index < len(ordered):
        return None
    ref = ordered[index].ref
    if ss.get(applied) == ref:
        return None
    ss[applied] = ref
    return ref


def open_button(ref: str, key: str) -> None:
    """A button that opens a transcript on the Transcripts page."""
    if st.button("Open transcript", key=key):
        st.session_state["goto_ref"] = ref
        st.switch_page(TRANSCRIPTS_PAGE)


def page(
    rows: Sequence[_T],
    key: str,
    size: int = PAGE_ROWS,
    into: tuple[DeltaGenerator, DeltaGenerator] | None = None,
) -> Sequence[_T]:
    """The page of `rows` the table shows (`size` at a time), with a page chooser when there is
    more than one: the browser is sent one page, not every row, and the table is drawn at the
    height of its rows (`height="content"`), so no row hides behind an inner scrollbar.

    `into`: the two places for the chooser and its "Rows a–b of n" caption (default: a row of
    their own)."""
    if len(rows) <= size:
        return rows
    pages = -(-len(rows) // size)
    chooser, where = into or st.columns([1, 3], vertical_alignment="bottom")
    number = int(
        chooser.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, key=key)
    )
    first = (min(number, pages) - 1) * size
    where.caption(f"Rows {first + 1:,}–{min(first + size, len(rows)):,} of {len(rows):,}")
    return rows[first : first + size]


def row_table(
    rows: Sequence[SampleRow],
    labels: Sequence[Label],
    all_rows: Sequence[SampleRow] = (),
    *,
    queued: bool = False,
) -> list[dict[str, str | int]]:
    """The sample list as table rows, verdict and status before the wide columns.

    In blind mode: the labelling queue's order and names, and nothing of the arm or the
    grader's judgement, its status included (`all_rows` numbers the queue; default `rows`;
    `queued`: `rows` are already a stretch of the queue, in its order)."""
    if is_blind():
        seed = blind_seed()
        names = lookups.blind_names(all_rows or rows, seed)
        me = labelled_refs(labels)
        return [
            {
                "transcript": names.get(r.ref, ""),
                "scenario": r.outcome.scenario,
                "model": r.outcome.model,
                "labelled by you": "yes" if r.ref in me else "no",
            }
            for r in (rows if queued else blind.queue(rows, seed))
        ]
    human: dict[str, list[str]] = {}
    for label in labels:
        human.setdefault(label.ref, []).append(f"{label.verdict} ({label.labeller})")
    return [
        {
            "scenario": r.outcome.scenario,
            "arm": r.outcome.arm,
            "epoch": r.outcome.epoch,
            "verdict": r.verdict or "—",
            "status": r.outcome.status,
            "model": r.outcome.model,
            "tactics": ", ".join(r.outcome.tally("tactics")),
            "human": visible("; ".join(human.get(r.ref, []))),  # imported names may hide text
        }
        for r in rows
    ]


def headline_pair(report: Report, task: str, model: str, scenario: str) -> tuple[str, str] | None:
    """The scenario's first headline contrast in the report (its declared `headline_contrasts`)."""
    for g in report.groups:
        if (g.task, g.model, g.scenario) == (task, model, scenario):
            for c in g.contrasts:
                if c.headline:
                    return c.arm_a, c.arm_b
    return None


def pick_pair(rows: Sequence[SampleRow], report: Report) -> tuple[SampleRow, SampleRow] | None:
    """Choose a task × model × scenario, an epoch and two of its arms (the headline pair first)."""
    groups: dict[str, list[SampleRow]] = {}
    for r in rows:
        o = r.outcome
        where = o.scenario if o.task == o.scenario else f"{o.task} / {o.scenario}"
        groups.setdefault(f"{where} — {o.model}", []).append(r)
    names = sorted(groups)
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
    group = c1.selectbox("Scenario — model", names, key="pair_group")
    members = groups[group] if group else []
    arms = sorted({r.outcome.arm for r in members})
    if len(arms) < 2:
        st.info("This scenario has only one arm in these logs.")
        return None
    o = members[0].outcome
    pair = headline_pair(report, o.task, o.model, o.scenario)
    first, second = pair if pair and set(pair) <= set(arms) else (arms[0], arms[1])
    # keyed by group, so another scenario opens on its own headline pair
    arm_a = c2.selectbox("Arm A", arms, index=arms.index(first), key=f"pair_a-{group}")
    arm_b = c3.selectbox("Arm B", arms, index=arms.index(second), key=f"pair_b-{group}")
    by_key = {(r.outcome.arm, r.outcome.epoch): r for r in members}
    epochs = sorted({e for a, e in by_key if a == arm_a} & {e for a, e in by_key if a == arm_b})
    if not epochs:
        st.info("These two arms share no epoch.")
        return None
    epoch = c4.selectbox("Epoch", epochs, key="pair_epoch")
    if epoch is None or arm_a == arm_b:
        st.info("Choose two different arms.")
        return None
    if pair and {arm_a, arm_b} == set(pair):
        st.caption("The scenario's headline contrast.")
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
