"""Built-in tool texts come from `evals/tool_texts.yaml`, checked against the tools' code."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.util import Store

from evals.tool_texts import TOOL_TEXTS, ToolTextError, tool_def, tool_texts
from evals.tools import build_tools
from records.store import EpisodeStore
from scenarios import loader
from scenarios.loader import all_arms, discover, get_scenario, render
from scenarios.schema import SubmitTool

FIXTURES = Path(__file__).resolve().parents[1]
SCENARIO_ROOTS = [
    FIXTURES / "fixtures" / "scenarios",
    FIXTURES / "scorers" / "fixtures" / "scenarios",
]


def test_every_entry_is_a_tool_some_scenario_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stale entry: the shipped and fixture scenarios build every tool the file describes."""
    monkeypatch.setattr(loader, "SEARCH_ROOTS", [*loader.SEARCH_ROOTS, *SCENARIO_ROOTS])
    get_scenario.cache_clear()
    built: set[str] = set()
    for scenario_id in discover():
        loaded = get_scenario(scenario_id)
        submit = {t.name for t in loaded.spec.tools if isinstance(t, SubmitTool)}
        for arm in all_arms(loaded.spec):
            tools = build_tools(render(loaded, arm), EpisodeStore(store=Store()))
            built |= {t.name for t in tools} - submit
    get_scenario.cache_clear()
    assert built == set(tool_texts().root)


def test_descriptions_are_rendered_from_the_scenario() -> None:
    loaded = get_scenario("sourcing_outreach_notice")
    tools = build_tools(render(loaded, all_arms(loaded.spec)[0]), EpisodeStore(store=Store()))
    inbox = next(t for t in tools if t.name == "read_inbox")
    assert "{{" not in inbox.description and "@" in inbox.description
    search = next(t for t in tools if t.name == "search_person")
    assert search.parameters.required == ["query"]
    assert list(search.parameters.properties) == ["query", "source"]


async def lookup(query: str, limit: str = "5") -> str:
    return query + limit


def _texts(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "tool_texts.yaml"
    path.write_text(body, encoding="utf-8")
    tool_texts.cache_clear()
    return path


def test_a_parameter_out_of_step_with_the_code_names_file_and_tool(tmp_path: Path) -> None:
    path = _texts(
        tmp_path, "lookup:\n  description: Look up.\n  parameters:\n    query: {description: Q.}\n"
    )
    with pytest.raises(
        ToolTextError, match=r"tool_texts\.yaml: lookup\.parameters lists \['query'\]"
    ):
        tool_def(lookup, lookup, path=path)


def test_a_missing_entry_or_value_is_an_error(tmp_path: Path) -> None:
    path = _texts(
        tmp_path,
        "lookup:\n  description: In {{ place }}.\n  parameters:\n"
        "    query: {description: Q.}\n    limit: {description: L., required: false}\n",
    )
    tool = tool_def(lookup, lookup, {"place": "the archive"}, path=path)
    assert tool.description == "In the archive."
    assert tool.parameters.required == ["query"]
    with pytest.raises(ToolTextError, match=r"lookup\.description: 'place' is undefined"):
        tool_def(lookup, lookup, path=path)

    async def other() -> str:
        return ""

    with pytest.raises(ToolTextError, match="no entry for the tool 'other'"):
        tool_def(other, other, path=path)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("lookup:\n  description: X\n  colour: red\n", "invalid tool texts"),
        ("lookup: [unclosed\n", "cannot read the tool texts"),
        (
            "lookup:\n  description: X\n  parameters:\n    q: {description: Q, type: float}\n",
            "type",
        ),
    ],
)
def test_a_malformed_file_is_rejected_with_its_path(
    tmp_path: Path, body: str, fragment: str
) -> None:
    path = _texts(tmp_path, body)
    with pytest.raises(ToolTextError, match=fragment) as raised:
        tool_def(lookup, lookup, path=path)
    assert str(path) in str(raised.value)


def test_shipped_file_is_the_default() -> None:
    assert TOOL_TEXTS.name == "tool_texts.yaml" and TOOL_TEXTS.is_file()
