"""The episode solver: the agent works through a scenario with tools and a counterparty."""

from __future__ import annotations

from typing import Literal

from inspect_ai.model import ChatMessageSystem, ChatMessageUser, execute_tools, get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.tool import ToolDef
from inspect_ai.util import LimitExceededError

from evals.counterparty import next_turn
from evals.tools import build_tools, submission_tool_names
from records.metadata import SampleMetadata
from records.store import CounterpartyFailure, EndReason, EpisodeStore
from scenarios.loader import (
    Arm,
    RenderedScenario,
    get_scenario,
    identities_of,
    identity_slots,
    pooled_parties,
    render,
)

_LIMIT_REASONS: dict[str, EndReason] = {
    "message": "message_limit",
    "token": "token_limit",
    "turn": "turn_limit",
    "time": "time_limit",
    "working": "working_limit",
    "cost": "cost_limit",
}


async def _agent_turn(
    state: TaskState, tools: list[ToolDef], submit_names: set[str], max_tool_rounds: int
) -> None:
    """Let the agent act until it answers without a tool call, submits, or uses its rounds."""
    model = get_model()
    for _ in range(max_tool_rounds):
        output = await model.generate(state.messages, tools)
        state.output = output
        state.messages.append(output.message)
        calls = output.message.tool_calls or []
        if not calls:
            return
        result = await execute_tools(state.messages, tools)
        state.messages.extend(result.messages)
        if any(call.function in submit_names for call in calls):
            return


@solver
def episode(
    counterparty: Literal["scripted", "model"] | None = None, max_tool_rounds: int = 12
) -> Solver:
    """Run the agent through the sample's scenario and arm.

    Args:
        counterparty: `scripted` replays the scenario's follow-up turns; `model` has the model
            role `counterparty` play the party's persona. Default: what the scenario declares.
        max_tool_rounds: Tool-call rounds allowed in one agent turn before the turn ends.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(SampleMetadata)
        loaded = get_scenario(meta.scenario)
        arm = Arm(levels=meta.levels)
        slots = identity_slots(loaded.spec, meta.identity_seed or 0, state.epoch)
        pooled = pooled_parties(loaded.spec)
        # this epoch's identities, in the sample's logged metadata (one assignment per epoch):
        # `identity_slot` is the first pooled party's slot, `identity_slots` every party's
        state.metadata["identity_slot"] = slots[pooled[0]] if pooled else 0
        state.metadata["identity_slots"] = slots
        state.metadata["identities"] = identities_of(loaded.spec, arm, slots)
        rendered: RenderedScenario = render(loaded, arm, slots)
        store = state.store_as(EpisodeStore)
        store.scenario, store.arm = meta.scenario, meta.arm
        tools = build_tools(rendered, store)
        submit_names = submission_tool_names(rendered)
        mode = counterparty or meta.counterparty_mode or "scripted"
        state.messages = [
            ChatMessageSystem(content=rendered.text("system_prompt")),
            ChatMessageUser(content=rendered.text("opening")),
        ]
        try:
            index = 0
            while True:
                store.agent_turns += 1
                await _agent_turn(state, tools, submit_names, max_tool_rounds)
                reply = await next_turn(rendered, state.messages, store, mode, index)
                if reply is None:
                    store.end_reason = "completed"
                    break
                if isinstance(reply, CounterpartyFailure):
                    store.end_reason = "counterparty_failed"
                    break
                state.messages.append(ChatMessageUser(content=reply.text))
                index += 1
                if reply.final:
                    store.agent_turns += 1
                    await _agent_turn(state, tools, submit_names, max_tool_rounds)
                    store.end_reason = "counterparty_ended"
                    break
        except LimitExceededError as exc:
            store.end_reason = _LIMIT_REASONS.get(exc.type, "other_limit")
            raise
        return state

    return solve
