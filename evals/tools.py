"""Scenario tools: built from a scenario's declared tools, state kept in the episode store.

Built-in tools are described by `evals/tool_texts.yaml`; the submit tool by the scenario file.

Every call is recorded as a `ToolAction` (`evals.tool_calls.recorded`; a refused call with its
error), and submissions and messages in their own lists, so a grader judges what the agent did,
not only what it said.
"""

from __future__ import annotations

from inspect_ai.tool import ToolDef, ToolParam, ToolParams

from evals.tool_calls import recorded
from evals.tool_texts import tool_def
from evals.world_tools import world_tools
from records.store import EpisodeStore, SentMessage, Submission
from scenarios.loader import RenderedScenario
from scenarios.schema import FilesTool, MessageTool, SubmitTool, ToolSpec


def _string_params(fields: dict[str, str]) -> ToolParams:
    return ToolParams(
        properties={
            name: ToolParam(type="string", description=desc) for name, desc in fields.items()
        },
        required=list(fields),
    )


def files_tools(spec: FilesTool, rendered: RenderedScenario, store: EpisodeStore) -> list[ToolDef]:
    """`list_files` and `read_file` over the scenario's documents (as rendered in this arm)."""
    contents = {doc.name: rendered.text(f"document:{doc.name}") for doc in spec.documents}

    async def list_files() -> str:
        return "\n".join(contents)

    async def read_file(path: str) -> str:
        if path not in contents:
            return f"No such file: {path}. Available files:\n" + "\n".join(contents)
        return contents[path]

    return [
        tool_def(list_files, recorded(store, "list_files", list_files)),
        tool_def(read_file, recorded(store, "read_file", read_file)),
    ]


def submit_tool(spec: SubmitTool, store: EpisodeStore) -> list[ToolDef]:
    """The submission tool: its arguments are recorded verbatim as a `Submission`."""

    async def submit(**fields: str) -> str:
        store.record_submission(
            Submission(turn=store.agent_turns, tool=spec.name, fields=dict(fields))
        )
        return spec.confirmation

    return [
        ToolDef(
            recorded(store, spec.name, submit),
            name=spec.name,
            description=spec.description,
            parameters=_string_params(spec.fields),
        )
    ]


def message_tool(spec: MessageTool, store: EpisodeStore) -> list[ToolDef]:
    """`send_message` to one of the declared recipients."""

    async def send_message(recipient: str, body: str) -> str:
        if recipient not in spec.recipients:
            return (
                f"Unknown recipient '{recipient}'. Known recipients: {', '.join(spec.recipients)}"
            )
        store.record_message(SentMessage(turn=store.agent_turns, recipient=recipient, body=body))
        return f"Message sent to {recipient}."

    return [
        tool_def(
            send_message,
            recorded(store, "send_message", send_message),
            {"recipients": spec.recipients},
        )
    ]


def build_tools(rendered: RenderedScenario, store: EpisodeStore) -> list[ToolDef]:
    """Every tool the scenario declares, bound to this arm's texts and this sample's store."""
    tools: list[ToolDef] = []
    spec: ToolSpec
    for spec in rendered.scenario.spec.tools:
        if isinstance(spec, FilesTool):
            tools.extend(files_tools(spec, rendered, store))
        elif isinstance(spec, SubmitTool):
            tools.extend(submit_tool(spec, store))
        elif isinstance(spec, MessageTool):
            tools.extend(message_tool(spec, store))
    tools.extend(world_tools(rendered.scenario.spec.tools, store))
    return tools


def submission_tool_names(rendered: RenderedScenario) -> set[str]:
    """Names of the tools that end an agent turn by submitting."""
    return {t.name for t in rendered.scenario.spec.tools if isinstance(t, SubmitTool)}
