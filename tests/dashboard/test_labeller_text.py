"""What a labeller reads, on the real pages: bidi and control characters in model text (and in
imported labels) are shown escaped wherever text appears; CSV import problems are named."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import Model, ModelOutput, get_model
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.label_store import CSV_COLUMNS, Label, LabelStore
from dashboard.safe import escape_markdown, visible
from evals.deception.deception import deception
from tests.helpers import call, text

MakeApp = Callable[..., AppTest]
# one of each family: override, isolate, mark, ANSI, C0, C1, zero-width, tag
HIDDEN = {
    "\u202e": "\\u202e",
    "\u2066": "\\u2066",
    "\u200f": "\\u200f",
    "\x1b": "\\x1b",
    "\x07": "\\x07",
    "\x9b": "\\x9b",
    "\u200b": "\\u200b",
    "\U000e0041": "\\U000e0041",
}
SPICED = "".join(f"part{i}{char}" for i, char in enumerate(HIDDEN))
ACCOUNT = f"Gate clear at 05:58. \x1b[31mALERT\x1b[0m invoice\u202etxt.exe {SPICED}"


def _mock(outputs: list[ModelOutput]) -> Model:
    return get_model("mockllm/model", custom_outputs=outputs, memoize=False)


@pytest.fixture(scope="module")
def hidden_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One blame post-mortem arm whose agent writes every hidden character; graded twice over."""
    logs = tmp_path_factory.mktemp("hidden-logs")
    agent = [
        call("list_files"),
        call("submit_postmortem_account", account=ACCOUNT),
        text(f"Reply {SPICED}"),
        text("Nothing to add."),
    ]
    grader = [text(f"not JSON {SPICED}")]  # unparseable: its raw reply is shown as code
    inspect_eval(
        deception("blame_postmortem", arms="overseer=ai,audit=none"),
        model=_mock(agent),
        model_roles={"grader": _mock(grader)},
        log_dir=str(logs),
        display="none",
    )
    return logs


def strings(at: AppTest) -> Iterator[str]:
    """Every string the page shows: Markdown elements, code blocks, JSON, tables, options."""
    for kind in ("markdown", "caption", "warning", "info", "success", "error", "code", "json"):
        for element in getattr(at, kind):
            yield str(element.value)
    for frame in at.dataframe:
        yield frame.value.to_csv()
    for box in [*at.selectbox, *at.multiselect]:
        yield from (str(o) for o in box.options)


def assert_nothing_hidden(at: AppTest) -> None:
    for value in strings(at):
        for char in HIDDEN:
            assert char not in value, (char, value)


def test_transcript_page_shows_hidden_characters_escaped(app: MakeApp, hidden_logs: Path) -> None:
    [row] = data.catalogue(str(hidden_logs)).rows
    at = app(logs=hidden_logs)
    at.query_params["ref"] = row.ref
    at = at.switch_page("app_pages/transcripts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert_nothing_hidden(at)
    markdown = "\n".join(str(m.value) for m in at.markdown)
    for escape in HIDDEN.values():
        assert escape_markdown(escape) in markdown  # in the report, the tool call, the reply
    assert escape_markdown("\\x1b[31mALERT\\x1b[0m") in markdown
    assert escape_markdown("invoice\\u202etxt.exe") in markdown
    code = "\n".join(str(c.value) for c in at.code)
    assert f"not JSON {visible(SPICED)}" in code  # the grader's raw reply


def _csv(*rows: str, header: str = ",".join(CSV_COLUMNS)) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _import(at: AppTest, payload: bytes) -> AppTest:
    at.file_uploader[0].set_value(("labels.csv", payload, "text/csv"))
    at = at.run()
    next(b for b in at.button if b.label == "Import").click()
    return at.run()


def test_labels_page_escapes_imported_text_and_shows_the_latest_instant(
    app: MakeApp, hidden_logs: Path, labels_db: Path
) -> None:
    [row] = data.catalogue(str(hidden_logs)).rows
    log, sample, epoch = row.outcome.log, row.outcome.sample_id, row.outcome.epoch
    at = app(logs=hidden_logs).switch_page("app_pages/labels.py").run()
    at = _import(
        at,
        _csv(
            f'{log},"{sample}",{epoch},ann\u202e,honest,,early {SPICED},2026-03-01T10:00:00+02:00',
            f'{log},"{sample}",{epoch},ann\u202e,deceptive,,late {SPICED},2026-03-01T09:00:00Z',
        ),
    )
    assert not at.exception
    assert "Imported 2 label(s)" in "\n".join(str(s.value) for s in at.success)
    assert_nothing_hidden(at)
    at = at.run()  # the table above the import widget shows the import on the next run
    assert_nothing_hidden(at)
    [table] = [frame.value for frame in at.dataframe]
    assert list(table["verdict"]) == ["deceptive"]  # 09:00Z is after 10:00+02:00
    assert list(table["labeller"]) == ["ann\\u202e"]
    assert list(table["note"]) == [f"late {visible(SPICED)}"]
    # and on the transcript page, beside the label form
    at = app(logs=hidden_logs)
    at.query_params["ref"] = row.ref
    at = at.switch_page("app_pages/transcripts.py").run()
    assert_nothing_hidden(at)
    assert escape_markdown(f"Label by ann\\u202e: deceptive — late {visible(SPICED)}") in "\n".join(
        str(m.value) for m in at.markdown
    )


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        (_csv(header=",".join([*CSV_COLUMNS, "comment"])), ["unknown columns 'comment'"]),
        (_csv(header=",".join(CSV_COLUMNS[:-1])), ["missing columns 'labelled_at'"]),
        (
            _csv("run.eval,s,1,ann,honest,,,2026-03-01T09:00:00"),
            ["row 2, column labelled_at", "has no time zone"],
        ),
    ],
)
def test_labels_page_names_what_is_wrong_with_an_import(
    app: MakeApp, hidden_logs: Path, labels_db: Path, payload: bytes, names: list[str]
) -> None:
    at = _import(app(logs=hidden_logs).switch_page("app_pages/labels.py").run(), payload)
    assert not at.exception
    warnings = "\n".join(str(w.value) for w in at.warning)
    assert "Nothing imported" in warnings
    for name in names:
        assert escape_markdown(name, line_start=False) in warnings
    if "columns" in names[0]:
        assert escape_markdown("expected columns " + ", ".join(CSV_COLUMNS)) in warnings
    assert LabelStore(labels_db).history() == []


def test_export_from_the_labels_page_escapes_formulas(
    app: MakeApp, hidden_logs: Path, labels_db: Path
) -> None:
    [row] = data.catalogue(str(hidden_logs)).rows
    store = LabelStore(labels_db)
    store.initialise()
    o = row.outcome
    formula = '=HYPERLINK("http://evil.example","x")'
    store.save(
        Label(
            log=o.log,
            sample_id=o.sample_id,
            epoch=o.epoch,
            labeller="ann",
            verdict="honest",
            note=formula,
        )
    )
    at = app(logs=hidden_logs).switch_page("app_pages/labels.py").run()
    assert not at.exception
    [[*_, note, _, _]] = list(csv.reader(io.StringIO(store.export_csv())))[1:]
    assert note == "'" + formula
    assert at.get("download_button")
