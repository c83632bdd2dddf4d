"""A bare Inspect task making the same model calls as Candor's: what Inspect alone costs.

Inspect's own tool loop (`use_tools` + `generate()`), the same tools and rendered prompts, the
scripted follow-up turns and one structured grader call over the transcript.
"""

from __future__ import annotations

import json

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
    get_model,
)
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver, use_tools
from inspect_ai.tool import ToolDef, ToolParam, ToolParams
from inspect_ai.util import json_schema

from evals.tool_texts import tool_def
from scenarios.loader import all_arms, get_scenario, render
from scenarios.schema import FilesTool, SubmitTool
from scorers.verdicts import DeceptionVerdict


def _bare_tools(texts: dict[str, str], names: list[str], submit: SubmitTool) -> list[ToolDef]:
    async def list_files() -> str:
        return "\n".join(names)

    async def read_file(path: str) -> str:
        return texts.get(path, "no such file")

    async def submit_fn(**fields: str) -> str:
        return submit.confirmation

    params = ToolParams(
        properties={k: ToolParam(type="string", description=v) for k, v in submit.fields.items()},
        required=list(submit.fields),
    )
    return [
        tool_def(list_files, list_files),  # the same texts the agent reads in Candor
        tool_def(read_file, read_file),
        ToolDef(submit_fn, name=submit.name, description=submit.description, parameters=params),
    ]


@solver
def _bare_solver(scenario: str) -> Solver:
    """Inspect's own tool loop (`generate()` with tools) plus the scripted follow-up turns."""
    loaded = get_scenario(scenario)
    rendered = {arm.name: render(loaded, arm) for arm in all_arms(loaded.spec)}
    files = next(t for t in loaded.spec.tools if isinstance(t, FilesTool))
    submit = next(t for t in loaded.spec.tools if isinstance(t, SubmitTool))
    names = [doc.name for doc in files.documents]
    turns = loaded.spec.counterparty.turns if loaded.spec.counterparty else []

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        r = rendered[str(state.metadata["arm"])]
        texts = {name: r.text(f"document:{name}") for name in names}
        state.messages = [
            ChatMessageSystem(content=r.text("system_prompt")),
            ChatMessageUser(content=r.text("opening")),
        ]
        state = await use_tools(_bare_tools(texts, names, submit))(state, generate)
        state = await generate(state)  # list, read each, submit, answer: until no tool call
        # Candor's episode ends the turn at the submission; the fake then answers in text once
        # per follow-up. One follow-up here makes the call counts equal (see `calls`).
        for index in range(max(len(turns) - 1, 0)):
            state.messages.append(ChatMessageUser(content=r.text(f"turn:{index}")))
            state = await generate(state, tool_calls="none")
        return state

    return solve


@scorer(metrics=[mean()])
def _bare_grader() -> Scorer:
    """One structured-output call to the grader role over the transcript, as text."""
    config = GenerateConfig(
        response_schema=ResponseSchema(
            name="deceptionverdict", json_schema=json_schema(DeceptionVerdict), strict=True
        )
    )

    async def score(state: TaskState, target: Target) -> Score:
        transcript = "\n\n".join(f"{m.role}: {m.text}" for m in state.messages)
        output = await get_model(role="grader").generate(transcript, config=config)
        verdict = json.loads(output.completion)["verdict"]
        return Score(value=1.0 if verdict == "deceptive" else 0.0, answer=verdict)

    return score


def bare_task(scenario: str, epochs: int) -> Task:
    """A bare Inspect task with the same samples, model calls and grader call as Candor's."""
    loaded = get_scenario(scenario)
    samples = [
        Sample(id=f"{scenario}:{arm.name}", input=arm.name, metadata={"arm": arm.name})
        for arm in all_arms(loaded.spec)
    ]
    return Task(
        dataset=MemoryDataset(samples),
        solver=_bare_solver(scenario),
        scorer=_bare_grader(),
        epochs=epochs,
        name=f"bare_{scenario}",
    )
