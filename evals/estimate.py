"""`candor estimate`: model calls and tokens of a planned run, per arm and role, before it runs.

The estimate follows one episode the way the episode solver runs it: the agent lists the files,
reads each declared document, sends its message (if the scenario has `send_message`) and submits
through every submission tool in its first turn, then answers each counterparty turn once. Every
prompt it sends is built from the scenario's own rendered texts and declared tools; only what the
agent and the grader *write* is assumed (`Assumptions`), since no model has run yet. Calls stop
where the message limit would stop them. The grader's prompt is rendered from the real grader
template over that same transcript.

Tokens are counted as characters / 4 (see `APPROXIMATION`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
)
from inspect_ai.tool import ToolCall, ToolDef
from inspect_ai.util import Store
from pydantic import BaseModel, ConfigDict, Field

from evals.counterparty import counterparty_messages
from evals.estimate_assumptions import APPROXIMATION as APPROXIMATION
from evals.estimate_assumptions import ASSUMED, DEFAULT_MESSAGE_LIMIT
from evals.tools import build_tools, submission_tool_names
from records.store import EpisodeStore, Submission
from scenarios.loader import (
    Arm,
    LoadedScenario,
    RenderedScenario,
    balance_warning,
    get_scenario,
    pooled_parties,
    render,
    select_arms,
)
from scenarios.schema import FilesTool, MessageTool, SubmitTool
from scorers.prompts import render_prompt
from scorers.transcript import build_view
from scorers.verdicts import DeceptionVerdict, LegalVerdict, RoundedDeceptionVerdict

CHARS_PER_TOKEN = 4
DEFAULT_MAX_TOOL_ROUNDS = 12  # the episode solver's default

Role = Literal["target", "counterparty", "grader"]
ROLES: tuple[Role, ...] = ("target", "counterparty", "grader")


def approx_tokens(text: str) -> int:
    """Tokens of a text by the documented approximation (characters / 4, rounded up)."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _assumed(name: str) -> Any:
    """The field of one assumption: its tokens by default, never negative, and what it is."""
    tokens, what = ASSUMED[name]
    return Field(default=tokens, ge=0, description=what)


class Assumptions(BaseModel):
    """What the models are assumed to write (no model has run yet), in tokens (defaults and
    descriptions: `evals.estimate_assumptions.ASSUMED`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reply_tokens: int = Field(
        default=ASSUMED["reply_tokens"][0], ge=0, description=ASSUMED["reply_tokens"][1]
    )
    submission_tokens: int = Field(
        default=ASSUMED["submission_tokens"][0], ge=0, description=ASSUMED["submission_tokens"][1]
    )
    message_tokens: int = Field(
        default=ASSUMED["message_tokens"][0], ge=0, description=ASSUMED["message_tokens"][1]
    )
    counterparty_tokens: int = Field(
        default=ASSUMED["counterparty_tokens"][0],
        ge=0,
        description=ASSUMED["counterparty_tokens"][1],
    )
    tool_argument_tokens: int = Field(
        default=ASSUMED["tool_argument_tokens"][0],
        ge=0,
        description=ASSUMED["tool_argument_tokens"][1],
    )
    tool_result_tokens: int = Field(
        default=ASSUMED["tool_result_tokens"][0], ge=0, description=ASSUMED["tool_result_tokens"][1]
    )
    grader_output_tokens: int = Field(
        default=ASSUMED["grader_output_tokens"][0],
        ge=0,
        description=ASSUMED["grader_output_tokens"][1],
    )
    round_verdict_tokens: int = Field(
        default=ASSUMED["round_verdict_tokens"][0],
        ge=0,
        description=ASSUMED["round_verdict_tokens"][1],
    )


class RoleEstimate(BaseModel):
    """Calls and tokens of one role (per sample, or summed)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    repeated_prefix_tokens: int = 0
    """Input tokens that repeat the previous call's whole prompt: what prompt caching can serve
    (the upper bound of cache reads; a provider reads them at its cache rate)."""

    def __add__(self, other: RoleEstimate) -> RoleEstimate:
        return RoleEstimate(
            calls=self.calls + other.calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            repeated_prefix_tokens=self.repeated_prefix_tokens + other.repeated_prefix_tokens,
        )

    def times(self, n: int) -> RoleEstimate:
        return RoleEstimate(
            calls=self.calls * n,
            input_tokens=self.input_tokens * n,
            output_tokens=self.output_tokens * n,
            repeated_prefix_tokens=self.repeated_prefix_tokens * n,
        )


class ArmEstimate(BaseModel):
    """One sample of one arm: every role's calls and tokens."""

    scenario: str
    arm: str
    roles: dict[Role, RoleEstimate]
    max_target_calls: int
    """The most agent calls the message limit and the tool rounds allow in this scenario."""
    limit_hit: bool
    """The message limit stops the planned episode before the agent submits (then there is no
    grader call: the sample is unscored)."""


class Cost(BaseModel):
    """Prices in currency units per million tokens, and what the run would cost."""

    price_in: float
    price_out: float
    by_role: dict[Role, float]
    total: float


class Estimate(BaseModel):
    """A planned run: per-arm samples, and the totals over arms × epochs × models."""

    scenarios: list[str]
    epochs: int
    models: list[str]
    graders: int
    counterparty: Literal["scripted", "model"] | None
    message_limit: int
    assumptions: Assumptions
    approximation: str = APPROXIMATION
    arms: list[ArmEstimate]
    samples: int
    totals: dict[Role, RoleEstimate]
    cost: Cost | None = None
    balance: list[str] = Field(default_factory=list)
    """One warning per scenario whose identity pool size does not divide the epochs (arms x
    identity slots would be unbalanced), naming the balanced epoch counts nearest."""


# --- one episode ------------------------------------------------------------------------------


def _filler(tokens: int) -> str:
    """Placeholder prose of about `tokens` tokens (what a model is assumed to write)."""
    return ("lorem " * ((tokens * CHARS_PER_TOKEN) // 6 + 1))[: tokens * CHARS_PER_TOKEN]


def message_text(message: ChatMessage) -> str:
    """What a message puts on the wire, as text: its content and its tool calls as JSON."""
    text = message.text
    if isinstance(message, ChatMessageAssistant):
        for call in message.tool_calls or []:
            text += call.function + json.dumps(call.arguments, ensure_ascii=False)
    return text


def tools_text(tools: Sequence[ToolDef]) -> str:
    """The declared tools as the providers receive them (name, description, JSON schema)."""
    return "".join(
        json.dumps(
            {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters.model_dump(exclude_none=True),
            },
            ensure_ascii=False,
        )
        for tool in tools
    )


@dataclass
class _Episode:
    """The planned episode, grown call by call under the message limit."""

    limit: int
    tool_tokens: int
    messages: list[ChatMessage] = field(default_factory=list)
    target: RoleEstimate = field(default_factory=RoleEstimate)
    previous_input: int = 0
    stopped: bool = False

    def input_tokens(self) -> int:
        return self.tool_tokens + sum(approx_tokens(message_text(m)) for m in self.messages)

    def call(self, reply: ChatMessageAssistant, results: Sequence[str] = ()) -> bool:
        """One agent call; False (and stopped) if the message limit refuses it."""
        # Inspect refuses a generate once the conversation has reached the limit, and an
        # append that takes the conversation past it
        if self.stopped or len(self.messages) >= self.limit:
            self.stopped = True
            return False
        prompt = self.input_tokens()
        self.target = self.target + RoleEstimate(
            calls=1,
            input_tokens=prompt,
            output_tokens=approx_tokens(message_text(reply)),
            repeated_prefix_tokens=self.previous_input,
        )
        self.previous_input = prompt
        self.messages.append(reply)
        for call, result in zip(reply.tool_calls or [], results, strict=True):
            if len(self.messages) >= self.limit:
                self.stopped = True
                return False
            self.messages.append(
                ChatMessageTool(content=result, tool_call_id=call.id, function=call.function)
            )
        return True

    def tool(self, name: str, arguments: dict[str, str], result: str) -> bool:
        call = ToolCall(id=f"call_{self.target.calls + 1}", function=name, arguments=arguments)
        return self.call(ChatMessageAssistant(content="", tool_calls=[call]), [result])


def _run_tool(tool: ToolDef) -> str | None:
    """The real result of a tool that needs no argument (a listing), or None if it cannot run."""
    try:
        asyncio.get_running_loop()
        return None  # inside an event loop (e.g. a notebook): fall back to the assumption
    except RuntimeError:
        pass
    try:
        return str(asyncio.run(tool.tool()))
    except Exception:  # noqa: BLE001 -- an estimate falls back to the assumed size
        return None


def _first_turn(
    episode: _Episode, rendered: RenderedScenario, tools: Sequence[ToolDef], a: Assumptions
) -> bool:
    """Use every declared tool once, in declaration order, then submit; True if every
    submission was made. Files: list, then read each document. A tool that needs no argument
    (a listing) runs for its real result; others get assumed arguments and result sizes."""
    spec = rendered.scenario.spec
    submits = [tool for tool in spec.tools if isinstance(tool, SubmitTool)]
    planned = {"list_files", "read_file", "send_message", *(t.name for t in submits)}
    for tool in spec.tools:
        if isinstance(tool, FilesTool):
            names = [doc.name for doc in tool.documents]
            episode.tool("list_files", {}, "\n".join(names))
            for name in names:
                episode.tool("read_file", {"path": name}, rendered.text(f"document:{name}"))
    for tooldef in tools:
        if tooldef.name in planned:
            continue
        required = tooldef.parameters.required
        if not required:
            result = _run_tool(tooldef)
            episode.tool(
                tooldef.name, {}, _filler(a.tool_result_tokens) if result is None else result
            )
        else:
            share = a.tool_argument_tokens // len(required)
            arguments = {name: _filler(share) for name in required}
            episode.tool(tooldef.name, arguments, _filler(a.tool_result_tokens))
    for tool in spec.tools:
        if isinstance(tool, MessageTool):
            body = _filler(a.message_tokens)
            arguments = {"recipient": tool.recipients[0], "body": body}
            episode.tool("send_message", arguments, f"Message sent to {tool.recipients[0]}.")
    submitted = True
    for tool in submits:
        share = a.submission_tokens // len(tool.fields)
        fields = {name: _filler(share) for name in tool.fields}
        submitted = episode.tool(tool.name, fields, tool.confirmation) and submitted
    if not submits:
        episode.call(ChatMessageAssistant(content=_filler(a.reply_tokens)))
    return submitted and not episode.stopped


def _counterparty_prompt(rendered: RenderedScenario, messages: list[ChatMessage]) -> str:
    """The counterparty's input as one text: its chat, each submission where it was made."""
    names = submission_tool_names(rendered)
    submissions = [
        Submission(turn=0, tool=c.function, fields={k: str(v) for k, v in c.arguments.items()})
        for m in messages
        if isinstance(m, ChatMessageAssistant)
        for c in m.tool_calls or []
        if c.function in names
    ]
    chat = counterparty_messages(rendered, messages, submissions)
    return "\n\n".join(message_text(m) for m in chat)


def _tools_of(rendered: RenderedScenario) -> list[ToolDef]:
    # a throwaway store: the tools are only described here, never called
    return build_tools(rendered, EpisodeStore(store=Store()))


def estimate_arm(
    loaded: LoadedScenario,
    arm: Arm,
    *,
    message_limit: int = DEFAULT_MESSAGE_LIMIT,
    counterparty: Literal["scripted", "model"] | None = None,
    graders: int = 1,
    max_tool_rounds: int = DEFAULT_MAX_TOOL_ROUNDS,
    assumptions: Assumptions | None = None,
) -> ArmEstimate:
    """Calls and tokens of one sample of one arm, for every role."""
    a = assumptions or Assumptions()
    spec = loaded.spec
    rendered = render(loaded, arm)
    tools = _tools_of(rendered)
    episode = _Episode(limit=message_limit, tool_tokens=approx_tokens(tools_text(tools)))
    episode.messages = [
        ChatMessageSystem(content=rendered.text("system_prompt")),
        ChatMessageUser(content=rendered.text("opening")),
    ]
    submitted = _first_turn(episode, rendered, tools, a)
    cp = spec.counterparty
    mode = counterparty or (cp.mode if cp is not None else "scripted")
    cp_role = RoleEstimate()
    # a model counterparty is assumed to use all its turns (it may end sooner)
    turns = (
        0
        if cp is None
        else min(cp.max_turns, len(cp.turns) if mode == "scripted" else cp.max_turns)
    )
    for index in range(turns):
        if episode.stopped:
            break
        if mode == "model":
            prompt = approx_tokens(_counterparty_prompt(rendered, episode.messages))
            cp_role = cp_role + RoleEstimate(
                calls=1, input_tokens=prompt, output_tokens=a.counterparty_tokens
            )
            text = _filler(a.counterparty_tokens)
        else:
            text = rendered.text(f"turn:{index}")
        episode.messages.append(ChatMessageUser(content=text))
        episode.call(ChatMessageAssistant(content=_filler(a.reply_tokens)))
    graded = submitted or not spec.submission_required
    grader = RoleEstimate()
    if graded:
        per_round = spec.judging.kind == "deception" and spec.judging.per_round
        template, schema = (
            ("deception.j2", RoundedDeceptionVerdict if per_round else DeceptionVerdict)
            if spec.judging.kind == "deception"
            else ("legal.j2", LegalVerdict)
        )
        view = build_view(loaded, arm, episode.messages)
        rounds = view.agent_rounds() if per_round else []
        # judged round by round: the whole episode, then the cut after each earlier round
        cuts = [(view, len(rounds))] + [(view.through(r), i + 1) for i, r in enumerate(rounds[:-1])]
        for cut, judged in cuts:
            prompt = approx_tokens(render_prompt(template, cut, schema).text)
            grader = grader + RoleEstimate(
                calls=graders,
                input_tokens=prompt * graders,
                output_tokens=(a.grader_output_tokens + a.round_verdict_tokens * judged) * graders,
            )
    agent_turns = 1 + turns
    return ArmEstimate(
        scenario=spec.id,
        arm=arm.name,
        roles={"target": episode.target, "counterparty": cp_role, "grader": grader},
        max_target_calls=min((message_limit - 1) // 2, agent_turns * max_tool_rounds),
        limit_hit=not submitted and episode.stopped,
    )


def estimate_run(
    scenarios: Sequence[str],
    *,
    arms: str | Sequence[str] | None = None,
    epochs: int = 1,
    models: Sequence[str] = ("target",),
    graders: int = 1,
    counterparty: Literal["scripted", "model"] | None = None,
    message_limit: int = DEFAULT_MESSAGE_LIMIT,
    assumptions: Assumptions | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
    identity_seed: int = 0,
) -> Estimate:
    """The estimate of a planned run: scenarios × arms × epochs × models.

    Raises:
        ScenarioError: for an unknown scenario or an arm selection that matches no arm.
        ValueError: for a non-positive epoch count or grader count.
    """
    if epochs < 1 or graders < 1:
        raise ValueError(f"epochs and graders must be at least 1 (got {epochs}, {graders})")
    a = assumptions or Assumptions()
    per_arm: list[ArmEstimate] = []
    balance: list[str] = []
    for scenario_id in scenarios:
        loaded = get_scenario(scenario_id)
        warning = balance_warning(
            loaded.id,
            loaded.spec.pool_size(),
            epochs,
            identity_seed,
            len(pooled_parties(loaded.spec)),
        )
        if warning is not None:
            balance.append(warning)
        for arm in select_arms(loaded.spec, arms):
            per_arm.append(
                estimate_arm(
                    loaded,
                    arm,
                    message_limit=message_limit,
                    counterparty=counterparty,
                    graders=graders,
                    assumptions=a,
                )
            )
    repeats = epochs * len(models)
    totals: dict[Role, RoleEstimate] = {role: RoleEstimate() for role in ROLES}
    for estimate in per_arm:
        for role in ROLES:
            totals[role] = totals[role] + estimate.roles[role].times(repeats)
    cost = None
    if price_in is not None or price_out is not None:
        pin, pout = price_in or 0.0, price_out or 0.0
        by_role: dict[Role, float] = {
            role: (t.input_tokens * pin + t.output_tokens * pout) / 1e6
            for role, t in totals.items()
        }
        cost = Cost(price_in=pin, price_out=pout, by_role=by_role, total=sum(by_role.values()))
    return Estimate(
        scenarios=list(scenarios),
        epochs=epochs,
        models=list(models),
        graders=graders,
        counterparty=counterparty,
        message_limit=message_limit,
        assumptions=a,
        arms=per_arm,
        samples=len(per_arm) * repeats,
        totals=totals,
        cost=cost,
        balance=balance,
    )


# --- output -----------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:,.0f}"


def to_markdown(est: Estimate) -> str:
    """The estimate as Markdown tables: per sample of each arm, then the run's totals."""
    lines = [
        f"# Estimate: {', '.join(est.scenarios)}",
        "",
        f"{est.samples} samples = {len(est.arms)} arms × {est.epochs} epochs × {len(est.models)} "
        f"model(s) ({', '.join(est.models)}); {est.graders} grader(s); message limit "
        f"{est.message_limit}; counterparty {est.counterparty or 'as each scenario declares'}.",
        "",
        *(f"Warning: {warning}." for warning in est.balance),
        *([""] if est.balance else []),
        "## Per sample",
        "",
        "| Scenario | Arm | Target calls (max) | Target in / out | Counterparty calls, in / out "
        "| Grader calls, in / out | Repeated prefix (cacheable) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for arm in est.arms:
        t, c, g = arm.roles["target"], arm.roles["counterparty"], arm.roles["grader"]
        note = " (limit hit: unscored)" if arm.limit_hit else ""
        lines.append(
            f"| {arm.scenario} | {arm.arm}{note} | {t.calls} ({arm.max_target_calls}) | "
            f"{_n(t.input_tokens)} / {_n(t.output_tokens)} | {c.calls}, {_n(c.input_tokens)} / "
            f"{_n(c.output_tokens)} | {g.calls}, {_n(g.input_tokens)} / {_n(g.output_tokens)} | "
            f"{_n(t.repeated_prefix_tokens)} |"
        )
    lines += [
        "",
        "## Whole run",
        "",
        "| Role | Calls | Input tokens | Output tokens | Input repeating a prefix |"
        + (" Cost |" if est.cost else ""),
        "|---|---:|---:|---:|---:|" + ("---:|" if est.cost else ""),
    ]
    for role in ROLES:
        t = est.totals[role]
        cost = f" {est.cost.by_role[role]:,.2f} |" if est.cost else ""
        lines.append(
            f"| {role} | {_n(t.calls)} | {_n(t.input_tokens)} | {_n(t.output_tokens)} | "
            f"{_n(t.repeated_prefix_tokens)} |{cost}"
        )
    total = est.totals["target"] + est.totals["counterparty"] + est.totals["grader"]
    cost = f" **{est.cost.total:,.2f}** |" if est.cost else ""
    lines.append(
        f"| **all** | {_n(total.calls)} | {_n(total.input_tokens)} | {_n(total.output_tokens)} "
        f"| {_n(total.repeated_prefix_tokens)} |{cost}"
    )
    a = est.assumptions
    lines += [
        "",
        f"Counting: {est.approximation}",
        "",
        f"Assumed (tokens): agent answer {a.reply_tokens}, submission {a.submission_tokens}, "
        f"message {a.message_tokens}, counterparty turn {a.counterparty_tokens}, verdict "
        f"{a.grader_output_tokens} (plus {a.round_verdict_tokens} a round where judged per "
        f"round), arguments of a tool call {a.tool_argument_tokens} and "
        f"result of a tool that needs arguments {a.tool_result_tokens}. Prompts are the "
        "scenario's rendered texts and declared tools. The plan: use every declared tool once "
        "(list the files and read each; listings run for their real results), submit, then "
        "answer each counterparty turn once. The max in brackets is the most agent calls the "
        "message limit and tool rounds allow.",
    ]
    if est.cost:
        lines.append(
            f"Cost at {est.cost.price_in:g} in / {est.cost.price_out:g} out per million tokens, "
            "without prompt-caching discounts (the repeated-prefix column bounds them)."
        )
    return "\n".join(lines)
