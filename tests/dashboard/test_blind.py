"""Blind labelling is blind: with it on, no page shows the arm or the grader's judgement, in any
of the ways they leak; the transcript is the grader's neutral view; the queue is balanced."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.logs import READER_STATUSES, SampleOutcome
from dashboard import blind, data
from dashboard.label_store import Label, LabelStore
from dashboard.models import SampleRow
from dashboard.safe import HIGHLIGHT_OPEN, escape_markdown
from records.statuses import STATUSES
from scenarios.loader import get_scenario
from tests.dashboard.test_pages import PAGES, assert_safe, blame_ref, page, save_label, texts

MakeApp = Callable[..., AppTest]
VERDICT_WORDS = ("deceptive", "honest", "violation", "compliant", "partial")


def surface(at: AppTest) -> Iterator[str]:
    """Everything a labeller can read on the page: text, widget labels and options, tables,
    metrics, expander labels, badges and the URL."""
    for _, value in texts(at):
        yield value
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            yield str(w.label)
            if kind != "radio":  # the label form's own choices are the labeller's words
                yield from (str(o) for o in w.options)
                yield str(w.format_func(w.value)) if kind == "selectbox" and w.value else ""
    for df in at.dataframe:
        frame = df.value
        yield from (str(c) for c in frame.columns)
        yield from (str(v) for v in frame.to_numpy().ravel())
    for m in at.metric:
        yield str(m.label)
        yield str(m.value)
    for e in at.expander:
        yield str(e.label)
    for t in at.toggle:
        yield str(t.label)
    yield from (f"{k}={v}" for k, v in at.query_params.items())


def _forms(value: str) -> list[str]:
    return [value, escape_markdown(value), escape_markdown(value, line_start=False)]


def arm_names(rows: list[SampleRow]) -> list[str]:
    return sorted({r.outcome.arm for r in rows})


def party_names() -> list[str]:
    """Every name, cue and text of every species of every party (and of its identities)."""
    spec = get_scenario("blame_postmortem").spec
    identities = [
        identity
        for party in spec.parties.values()
        for species, variant in party.species.items()
        for identity in variant.pool(species)
    ]
    return sorted(
        {cue for i in identities for cue in i.cues}
        | {v for i in identities for v in i.text.values()}
    )


def leaks_arm(shown: list[str], rows: list[SampleRow]) -> list[str]:
    return [a for a in arm_names(rows) for form in _forms(a) for s in shown if form in s]


def leaks_party(shown: list[str], rows: list[SampleRow]) -> list[str]:
    return [n for n in party_names() for form in _forms(n) for s in shown if form in s]


SPECIES = re.compile(r"(?<![\w\\])(human|ai|absent)(?![\w])")


def leaks_species(shown: list[str], rows: list[SampleRow]) -> list[str]:
    return [m.group(0) for s in shown for m in SPECIES.finditer(s)]


def leaks_verdict(shown: list[str], rows: list[SampleRow]) -> list[str]:
    found: list[str] = []
    verdict = re.compile(
        r"(?i)(-badge\[(" + "|".join(VERDICTS) + r")\]|verdict\\?: |grader'?s verdict|"
        r"\u2014 (" + "|".join(VERDICTS) + r")$|tactics\\?: )"
    )
    rationales = {r.rationale for r in rows if r.rationale}
    for s in shown:
        if s.strip().casefold() in VERDICT_WORDS or verdict.search(s) or HIGHLIGHT_OPEN in s:
            found.append(s)
        found += [r for r in rationales for form in _forms(r) if form in s]
    return found


# A status is the grader panel's outcome too (graders_disagree, redaction_leak, graded, ...),
# and the reader's own (sample_error, not_scored, unreadable) tell an episode's fate as well
_STATUS_WORDS = "|".join(re.escape(s).replace("_", r"\\?_") for s in (*STATUSES, *READER_STATUSES))
STATUS = re.compile(r"(?i)(?<![\w\\])(" + _STATUS_WORDS + r")(?!\w)|\bstatus\b")


def leaks_status(shown: list[str], rows: list[SampleRow]) -> list[str]:
    return [m.group(0) for s in shown for m in STATUS.finditer(s)]


VERDICTS = VERDICT_WORDS
LEAKS = {
    "arm name": leaks_arm,
    "party name": leaks_party,
    "species word": leaks_species,
    "verdict": leaks_verdict,
    "status": leaks_status,
}


def blind_app(app: MakeApp, name: str, ref: str | None) -> AppTest:
    """`name` opened in blind mode, with `ref` open first (by the URL, before blind labelling
    is switched on) and, on the Transcripts page, opened again from the blind picker (the mode
    switch does not keep it open)."""
    at = app()
    if ref is not None:
        at.query_params["ref"] = ref
    at = at.run()
    at.toggle(key="blind").set_value(True)
    at = page(at.run(), name)
    if ref is not None and name == "transcripts":
        at = at.selectbox(key="open_ref-blind").set_value(ref).run()
    return at


@pytest.mark.parametrize("name", ["transcripts", "labels"])  # the others stop while blind
def test_log_problems_are_counted_not_quoted_while_blind(
    app: MakeApp, log_dir: Path, name: str
) -> None:
    """A problem's message may name an arm or a sample's status ("each arm meets slot 0: 1,
    ...", "task 'x' skipped"): blind, the page says how many there are, and where to read them."""
    problems = data.catalogue(str(log_dir)).problems
    assert problems, "the fixture's corrupted and foreign logs"
    at = blind_app(app, name, None)
    warned = [w.value for w in at.warning]
    assert f"{len(problems)} log problem(s): switch blind labelling off to read them." in warned
    quoted = [escape_markdown(t) for p in problems for t in (p.log, p.message)]
    assert not [q for q in quoted if any(q in w for w in warned)]
    seen = page(app().run(), name)  # and they are quoted with blind labelling off
    assert [q for q in quoted if any(q in w.value for w in seen.warning)]


@pytest.mark.parametrize("reached", ["the URL", "the picker"])
def test_a_transcript_read_before_blind_mode_is_not_kept_open_in_it(
    app: MakeApp, log_dir: Path, reached: str
) -> None:
    """Its labeller has just read it with its arm and verdict: a blind label of it would not be
    blind. Leaving blind mode keeps open the transcript being read."""
    rows = data.catalogue(str(log_dir)).rows
    first = blind.queue(rows, "tester")[0].ref
    ref = next(r.ref for r in rows if r.ref != first and r.verdict is not None)
    at = app()
    if reached == "the URL":
        at.query_params["ref"] = ref
    at = page(at.run(), "transcripts")
    if reached == "the picker":
        at = at.selectbox(key="open_ref").set_value(ref).run()
    assert at.selectbox(key="open_ref").value == ref
    at.toggle(key="blind").set_value(True)
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="open_ref-blind").value == first
    assert "ref" not in at.query_params
    at.toggle(key="blind").set_value(False)
    at = at.run()
    assert at.selectbox(key="open_ref").value == first  # the one being read stays open


def others_labels(log_dir: Path, labels_db: Path) -> None:
    """Another labeller's labels of every transcript: their verdicts and sample ids (which name
    the arm) must stay out of sight while blind."""
    store = LabelStore(labels_db)
    store.initialise()
    for r in data.catalogue(str(log_dir)).rows:
        o = r.outcome
        verdict = "deceptive" if o.suite == "deception" else "violation"
        store.save(
            Label(
                log=o.log,
                sample_id=o.sample_id,
                epoch=o.epoch,
                labeller="alice",
                verdict=verdict,
                tactics=("other",),
            )
        )


@pytest.mark.parametrize("leak", LEAKS)
@pytest.mark.parametrize("name", PAGES)
def test_blind_mode_reveals_neither_arm_nor_verdict(
    app: MakeApp, log_dir: Path, labels_db: Path, name: str, leak: str
) -> None:
    rows = data.catalogue(str(log_dir)).rows
    others_labels(log_dir, labels_db)
    at = blind_app(app, name, blame_ref(log_dir) if name == "transcripts" else None)
    assert not at.exception, [e.value for e in at.exception]
    shown = [s for s in surface(at) if s]
    assert shown, "the page shows nothing"
    found = LEAKS[leak](shown, rows)
    assert found == [], [s for s in shown if any(f in s for f in found)][:3]
    assert_safe(at)


ARM_COLUMNS = {"ref", "arm", "verdict", "grader", "labeller", "sample_id", "sample id"}


@pytest.mark.parametrize("name", PAGES)
def test_blind_pages_offer_no_export_and_no_arm_or_verdict_column(
    app: MakeApp, log_dir: Path, labels_db: Path, name: str
) -> None:
    others_labels(log_dir, labels_db)
    at = blind_app(app, name, None)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("download_button"), "an export names every transcript's arm"
    for df in at.dataframe:
        columns = {str(c).casefold() for c in df.value.columns}
        assert columns.isdisjoint(ARM_COLUMNS), columns
        assert "alice" not in {str(v) for v in df.value.to_numpy().ravel()}


def test_labels_page_exports_when_not_blind(app: MakeApp, log_dir: Path, labels_db: Path) -> None:
    """The export and the full table are there with blind labelling off (the check above is not
    vacuous)."""
    others_labels(log_dir, labels_db)
    at = page(app().run(), "labels")
    assert at.get("download_button")
    assert any({"transcript", "verdict"} <= set(df.value.columns) for df in at.dataframe)


def test_the_checks_see_what_an_open_page_shows(app: MakeApp, log_dir: Path) -> None:
    """Each leak check fires on the same page with blind labelling off (so none is vacuous)."""
    rows = data.catalogue(str(log_dir)).rows
    at = app()
    at.query_params["ref"] = blame_ref(log_dir)
    at = page(at.run(), "transcripts")
    shown = [s for s in surface(at) if s]
    for leak, check in LEAKS.items():
        assert check(shown, rows), leak


def test_blind_transcript_is_the_grader_view(app: MakeApp, log_dir: Path, labels_db: Path) -> None:
    ref = blame_ref(log_dir)
    at = blind_app(app, "transcripts", ref)
    shown = "\n".join(v for _, v in texts(at))
    assert "Transcript (as the grader read it)" in [s.value for s in at.subheader]
    assert escape_markdown("[REVIEWER]") in shown
    assert escape_markdown("The delivery gate was clear when the forecast went out") in shown
    assert escape_markdown("<script>alert(1)</script>") in shown  # as text, still escaped
    assert "ref" not in at.query_params
    # labelling still works, and still reveals nothing
    at = save_label(at, ref, "deceptive", "")
    assert not at.exception
    assert [(x.labeller, x.blind) for x in LabelStore(labels_db).history()] == [("tester", True)]
    rows = data.catalogue(str(log_dir)).rows
    assert leaks_verdict([s for s in surface(at) if s and "Label by" not in s], rows) == []


def test_blind_filters_offer_neither_arm_nor_verdict(app: MakeApp) -> None:
    at = blind_app(app, "transcripts", None)
    labels = {w.label for w in at.multiselect}
    assert labels.isdisjoint({"Arm", "Verdict", "Tactic", "Provision"}), labels
    assert not [t for t in at.text_input if t.key == "filter_text"]


def _rows(
    arms: dict[str, int], scenarios: tuple[str, ...] = ("s",), models: tuple[str, ...] = ("m",)
) -> list[SampleRow]:
    out: list[SampleRow] = []
    for scenario in scenarios:
        for model in models:
            for arm, n in arms.items():
                for epoch in range(1, n + 1):
                    outcome = SampleOutcome.model_construct(
                        log=f"{model}.eval",
                        sample_id=f"{scenario}:{arm}",
                        epoch=epoch,
                        task="t",
                        scenario=scenario,
                        model=model,
                        arm=arm,
                        status="graded",
                    )
                    out.append(
                        SampleRow.model_construct(outcome=outcome, file="x.eval", raw_id=arm)
                    )
    return out


def test_queue_is_seeded_and_balanced_across_arms() -> None:
    rows = _rows({"overseer=ai": 5, "overseer=human": 5, "overseer=absent": 3})
    first = blind.queue(rows, "ann")
    assert blind.queue(list(reversed(rows)), "ann") == first  # the same at every rerun
    assert sorted(r.ref for r in first) == sorted(r.ref for r in rows)
    # every prefix is balanced to within one
    for k in range(1, len(first) + 1):
        counts = [
            sum(r.outcome.arm == a for r in first[:k]) for a in ("overseer=ai", "overseer=human")
        ]
        assert max(counts) - min(counts) <= 1, (k, counts)
    others = [blind.queue(rows, seed) for seed in ("bob", "cy", "dee")]
    assert any([r.ref for r in o] != [r.ref for r in first] for o in others)
    # within an arm the order is shuffled, not the epochs in turn
    orders = [
        [r.outcome.epoch for r in q if r.outcome.arm == "overseer=ai"] for q in [first, *others]
    ]
    assert any(o != sorted(o) for o in orders)


@pytest.mark.parametrize("status", STATUSES)
def test_the_queue_holds_only_transcripts_the_grader_read(status: str) -> None:
    """A sample whose grader was never called has no neutral transcript: in the queue it would
    show as "nothing to label", which tells its status (and a status may follow the arm)."""
    rows = _rows({"overseer=ai": 2, "overseer=human": 2})
    odd = rows[0].model_copy(
        update={"outcome": rows[0].outcome.model_copy(update={"status": status, "epoch": 9})}
    )
    queued = {r.ref for r in blind.queue([*rows, odd], "ann")}
    assert (odd.ref in queued) == (status in blind.GRADER_READ)
    assert {r.ref for r in rows} <= queued
    names = blind.position_names([*rows, odd], "ann")
    assert (odd.ref in names) == (status in blind.GRADER_READ)


@pytest.mark.parametrize("redacted", [True, False])
def test_the_queue_holds_no_transcript_graded_without_redaction(redacted: bool) -> None:
    """`redact=False`: the grader read the species words, so its input is not a blind view."""
    from analysis.identity import GraderIdentity

    identity = GraderIdentity(
        models={"grader": "m"},
        template_sha256=None,
        temperature=0.0,
        seed=0,
        aggregation="majority",
        redacted=redacted,
    )
    rows = _rows({"overseer=ai": 2, "overseer=human": 2})
    graded = [
        r.model_copy(update={"outcome": r.outcome.model_copy(update={"grader": identity})})
        for r in rows[:2]
    ]
    mixed = [*graded, *rows[2:]]
    queued = {r.ref for r in blind.queue(mixed, "ann")}
    assert all((r.ref in queued) == redacted for r in graded)
    assert {r.ref for r in rows[2:]} <= queued
    assert all((r.ref in blind.position_names(mixed, "ann")) == redacted for r in graded)
    assert blind.unredacted(mixed) == (0 if redacted else 2)


def test_the_grader_read_statuses_are_statuses() -> None:
    assert set(STATUSES) >= blind.GRADER_READ
    assert "redaction_leak" not in blind.GRADER_READ and "agent_silent" not in blind.GRADER_READ


ARMS3 = ("overseer=ai", "overseer=human", "overseer=absent")


def _blocks(q: list[SampleRow], size: int) -> list[list[SampleRow]]:
    return [q[i : i + size] for i in range(0, len(q), size)]


def test_queue_blocks_hold_every_stratum_once_in_a_fresh_order() -> None:
    """Each block is a permutation of the (scenario, model, arm) strata, so the queue balances
    models as well as arms; and the order differs from block to block."""
    rows = _rows(dict.fromkeys(ARMS3, 6), scenarios=("s1", "s2"), models=("m1", "m2"))
    strata = {blind.stratum(r) for r in rows}
    q = blind.queue(rows, "ann")
    blocks = _blocks(q, len(strata))
    assert len(blocks) == 6
    for block in blocks:
        assert sorted(blind.stratum(r) for r in block) == sorted(strata)
    assert len({tuple(blind.stratum(r) for r in b) for b in blocks}) > 1


def test_queue_with_uneven_strata_takes_the_ones_left() -> None:
    rows = _rows({"overseer=ai": 4, "overseer=human": 2})
    q = blind.queue(rows, "ann")
    assert [r.outcome.arm for r in q[4:]] == ["overseer=ai", "overseer=ai"]
    assert sorted(r.outcome.arm for r in q[:2]) == ["overseer=ai", "overseer=human"]


@pytest.mark.parametrize("seed_count", [50])
def test_the_arm_at_a_position_is_not_predictable(seed_count: int) -> None:
    """Over many seeds, the arms of one scenario do not arrive in one fixed rotation: the
    sequence differs between blocks and between seeds, and every arm is seen at every position
    within a block."""
    rows = _rows(dict.fromkeys(ARMS3, 5), scenarios=("s1", "s2"))
    constant_rotation = 0
    at_position: dict[int, set[str]] = {}
    for n in range(seed_count):
        q = blind.queue(rows, f"labeller-{n}")
        assert q == blind.queue(rows, f"labeller-{n}")  # reproducible for one seed
        arms = [r.outcome.arm for r in q if r.outcome.scenario == "s1"]
        blocks = [tuple(arms[i : i + 3]) for i in range(0, len(arms), 3)]
        assert all(sorted(b) == sorted(ARMS3) for b in blocks)  # each block a permutation
        constant_rotation += len(set(blocks)) == 1
        for i, arm in enumerate(arms):
            at_position.setdefault(i, set()).add(arm)
    assert constant_rotation <= 2, constant_rotation  # 6**-4 per seed by chance
    assert all(seen == set(ARMS3) for seen in at_position.values()), at_position


def widget_keys(at: AppTest) -> list[str]:
    """Every widget and block key on the page, and every form's id: Streamlit writes a key into
    the page as a CSS class (`st-key-…`), where anyone can read it."""
    found: list[str] = []

    def walk(node: object) -> None:
        key = getattr(node, "key", None)
        if isinstance(key, str) and key:
            found.append(key)
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "HasField"):
            try:
                if proto.HasField("form"):
                    found.append(proto.form.form_id)
            except ValueError:  # an element proto with no `form` field
                pass
            found.append(str(getattr(proto, "id", "")))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [k for k in found if k]


@pytest.mark.parametrize("name", PAGES)
def test_blind_widget_keys_name_no_arm_or_species(
    app: MakeApp, log_dir: Path, labels_db: Path, name: str
) -> None:
    rows = data.catalogue(str(log_dir)).rows
    others_labels(log_dir, labels_db)
    at = blind_app(app, name, blame_ref(log_dir) if name == "transcripts" else None)
    keys = widget_keys(at)
    if name == "transcripts":
        assert any(k.startswith("label_verdict-") for k in keys), keys  # the form is seen
    levels = {level for a in arm_names(rows) for part in a.split(",") for level in part.split("=")}
    bad = [k for k in keys for word in [*arm_names(rows), *levels] if word in k]
    assert bad == [], bad
    assert [k for k in keys if SPECIES.search(k.replace("-", " ").replace("_", " "))] == []
