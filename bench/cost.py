"""(e) Cost per sample, by role: tokens as the fake billed them, against `candor estimate`, and
what prompt caching saves at the vendors' cache rates."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bench.fakeserver.process import FakeServerProcess
from bench.fakeserver.server import RequestRecord
from bench.providers import AI_MARKERS, ANTHROPIC_STREAM, OPENAI_CHAT, ProviderPath
from bench.render import Row, Section, failed
from bench.runner import TASKS, run_eval, verdict_problems
from evals.estimate import ROLES, Role, estimate_arm
from scenarios.loader import all_arms, get_scenario

EPOCHS = 3
# input-token price multipliers for cached prompts (vendors' published rates)
ANTHROPIC_CACHE = {"write": 1.25, "read": 0.10}  # 5-minute cache
OPENAI_CACHE = {"read": 0.50}  # gpt-4o family; newer families discount more

Provider = Literal["anthropic", "openai"]

VARIANTS: list[tuple[str, str, Literal["scripted", "model"] | None]] = [
    ("blame_postmortem", "blame_postmortem", None),
    ("blame_postmortem (model counterparty)", "blame_postmortem", "model"),
    ("blame_director", "blame_director", None),
    ("performance_attestation", "performance_attestation", None),
]


@dataclass
class RoleCost:
    calls: int = 0
    input: int = 0  # full rate
    cache_read: int = 0
    cache_write: int = 0
    output: int = 0

    def add(self, r: RequestRecord) -> None:
        self.calls += 1
        self.input += r.input_tokens
        self.cache_read += r.cache_read
        self.cache_write += r.cache_write
        self.output += r.output_tokens

    @property
    def total_input(self) -> int:
        return self.input + self.cache_read + self.cache_write

    def input_cost(self, provider: Provider) -> float:
        """Input cost in units of the base input price, with the provider's cache rates."""
        if provider == "anthropic":
            return (
                self.input
                + ANTHROPIC_CACHE["write"] * self.cache_write
                + ANTHROPIC_CACHE["read"] * self.cache_read
            )
        return self.input + OPENAI_CACHE["read"] * self.cache_read

    def saving(self, provider: Provider) -> float:
        return 1 - self.input_cost(provider) / self.total_input if self.total_input else 0.0


@dataclass
class CostRow:
    provider: Provider
    variant: str
    samples: int
    roles: dict[Role, RoleCost]
    estimate: dict[Role, int]
    """`candor estimate` input tokens per sample, per role."""
    problems: list[str] = field(default_factory=list)


def measure(server: FakeServerProcess, work: Path) -> list[CostRow]:
    """Every variant on both providers, each from a cold cache."""
    rows: list[CostRow] = []
    providers: list[tuple[Provider, ProviderPath]] = [
        ("anthropic", ANTHROPIC_STREAM),
        ("openai", OPENAI_CHAT),
    ]
    for provider, path in providers:
        for variant, scenario, counterparty in VARIANTS:
            server.configure(latency=0.0, deceive_if_contains=AI_MARKERS[scenario], vary=True)
            server.reset()  # each variant starts with a cold cache
            roles = {"grader": path, "counterparty": path}
            task = TASKS[scenario](counterparty=counterparty)
            log, _ = run_eval(task, path, roles, work / f"e-{provider}", epochs=EPOCHS)
            loaded = get_scenario(scenario)
            arms = all_arms(loaded.spec)
            by_role: dict[Role, RoleCost] = {role: RoleCost() for role in ROLES}
            for record in server.records:
                by_role[record.role].add(record)
            estimates = [estimate_arm(loaded, arm, counterparty=counterparty) for arm in arms]
            estimate = {
                role: round(statistics.mean(e.roles[role].input_tokens for e in estimates))
                for role in ROLES
            }
            problems = verdict_problems(log, scenario, len(arms) * EPOCHS)
            samples = len(log.samples or [])
            rows.append(CostRow(provider, variant, samples, by_role, estimate, problems))
    server.configure(vary=False)
    return rows


def section(rows: list[CostRow]) -> Section:
    problems = [p for row in rows for p in row.problems]
    table = [
        "| Provider | Task | Role | Calls | Input tokens (estimate) | Cache read | Cache write "
        "| Output tokens | Caching saves |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        n = max(row.samples, 1)
        for role, cost in row.roles.items():
            if cost.calls:
                table.append(
                    f"| {row.provider} | {row.variant} | {role} | {cost.calls / n:.1f} | "
                    f"{cost.total_input / n:,.0f} ({row.estimate[role]:,}) | "
                    f"{cost.cache_read / n:,.0f} | {cost.cache_write / n:,.0f} | "
                    f"{cost.output / n:,.0f} | {cost.saving(row.provider):.0%} |"
                )
    samples = sum(row.samples for row in rows)
    summary = Row(
        f"Cost per sample by role: {len(VARIANTS)} variants × 2 providers, every arm × {EPOCHS} "
        "epochs (table below)",
        f"{samples} samples"
        + ("; every sample graded as the fake answered" if not problems else ""),
        "every sample graded",
        failed(problems) if problems else "met",
    )
    return Section(
        "cost",
        "(e) Cost per sample, by role",
        [summary],
        tables=table,
        notes=[
            "Tokens per sample as the fake provider billed them (each variant: every arm × "
            f"{EPOCHS} epochs, cold cache at its start; tokens ≈ characters / 4 of the request). "
            "The fake's agent writes short scripted texts, so output tokens are far below a real "
            "model's; input tokens are the real prompts, tools, documents and transcripts.",
            "Estimate: `candor estimate` input tokens per sample for the same plan. Saving: input "
            "cost with caching vs without, at Anthropic's cache rates (write 1.25×, read 0.1× of "
            "the input price) or OpenAI's (read 0.5×, gpt-4o family).",
            "The fake varies its replies per sample (tool-call ids, a reference in each text), as "
            "a real model does, so only prefixes that real runs share are read from the cache.",
        ],
    )
