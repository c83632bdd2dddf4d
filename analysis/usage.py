"""Tokens and cost per role (target, counterparty, grader…) per sample, per arm and per run.

Inspect records a sample's usage twice: per model name (`model_usage`) and per model role
(`role_usage`, for calls made through a role). The agent under test calls the eval's own model,
which has no role, so it has no `role_usage` entry; and when one model is bound to several roles
(the target also grading, say) its `model_usage` entry merges them. The target's usage is
therefore the eval model's `model_usage` less every role's usage whose role is bound to that
same model (the log header records each role's model); every other role's is its own
`role_usage` entry. A model whose calls cannot be given to a role this way is kept as
`unattributed:<model>`, never dropped.

Prices are optional: a YAML or JSON file mapping a model name to dollars per million input and
output tokens (and, if the provider prices them apart, cache reads and writes).
"""

from __future__ import annotations

import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.construct import constructor, positional
from scenarios.yaml_files import parse_yaml

if TYPE_CHECKING:
    from analysis.eval_zip import UsageLike
    from analysis.logs import SampleOutcome

TARGET_ROLE = "target"


class TokenUsage(BaseModel):
    """One role's tokens in one sample (or summed over several), and the model that spent them."""

    model_config = ConfigDict(frozen=True)

    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_cache_read: int = 0
    input_tokens_cache_write: int = 0
    reasoning_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        model = self.model if self.model == other.model else "several"
        return _construct_usage(
            model=model,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            input_tokens_cache_read=self.input_tokens_cache_read + other.input_tokens_cache_read,
            input_tokens_cache_write=self.input_tokens_cache_write + other.input_tokens_cache_write,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )

    def __sub__(self, other: TokenUsage) -> TokenUsage:
        return _construct_usage(
            model=self.model,
            input_tokens=max(0, self.input_tokens - other.input_tokens),
            output_tokens=max(0, self.output_tokens - other.output_tokens),
            total_tokens=max(0, self.total_tokens - other.total_tokens),
            input_tokens_cache_read=max(
                0, self.input_tokens_cache_read - other.input_tokens_cache_read
            ),
            input_tokens_cache_write=max(
                0, self.input_tokens_cache_write - other.input_tokens_cache_write
            ),
            reasoning_tokens=max(0, self.reasoning_tokens - other.reasoning_tokens),
        )

    def __reduce__(self) -> tuple[Callable[..., TokenUsage], tuple[object, ...]]:
        # pickled as its values, so an unpickled one (a worker's read) is built like a read one
        return _unpickled_usage, _values_of(self)

    @property
    def empty(self) -> bool:
        """No token at all."""
        return self.total_tokens == 0 and self.input_tokens == 0 and self.output_tokens == 0


_construct_usage = constructor(TokenUsage)
_values_of = operator.attrgetter(*TokenUsage.model_fields)
_unpickled_usage = positional(TokenUsage, "_unpickled_usage", __name__)
"""A pickled `TokenUsage` built again from its values (`_values_of`: every field in order)."""


def _tokens(model: str, usage: UsageLike) -> TokenUsage:
    """One model's or role's counts (integers, as the log reader checked them or Inspect's
    `ModelUsage` holds them), built without validating them again."""
    return _construct_usage(
        model=model,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        input_tokens_cache_read=usage.input_tokens_cache_read or 0,
        input_tokens_cache_write=usage.input_tokens_cache_write or 0,
        reasoning_tokens=usage.reasoning_tokens or 0,
    )


def usage_by_role(
    model_usage: Mapping[str, UsageLike],
    role_usage: Mapping[str, UsageLike],
    target_model: str,
    role_models: Mapping[str, str],
) -> dict[str, TokenUsage]:
    """Each role's usage in one sample, the target's included (see the module docstring).

    Args:
        model_usage: The sample's usage per model name.
        role_usage: The sample's usage per model role.
        target_model: The eval's model (the agent under test).
        role_models: Each role's model, from the log header (`eval.model_roles`).
    """
    roles: dict[str, TokenUsage] = {}
    for role, usage in role_usage.items():
        roles[role] = _tokens(role_models.get(role, "?"), usage)
    by_model: dict[str, TokenUsage] = {m: _tokens(m, u) for m, u in model_usage.items()}
    attributed: dict[str, TokenUsage] = {}
    for role, tokens in roles.items():
        model = role_models.get(role)
        if model is not None:
            attributed[model] = attributed[model] + tokens if model in attributed else tokens
    for model, tokens in by_model.items():
        rest = tokens - attributed[model] if model in attributed else tokens
        if rest.empty:
            continue
        key = TARGET_ROLE if model == target_model else f"unattributed:{model}"
        roles[key] = rest
    return dict(sorted(roles.items(), key=lambda kv: (kv[0] != TARGET_ROLE, kv[0])))


class Price(BaseModel):
    """Dollars per million tokens of one model."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    """None: cache reads cost the input price."""
    cache_write: float | None = Field(default=None, ge=0)
    """None: cache writes cost the input price."""


class Prices(BaseModel):
    """A prices file: model name → price."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    models: dict[str, Price]


def load_prices(path: Path) -> Prices:
    """Read a prices file (`models: {MODEL: {input: 3, output: 15}}`, YAML or JSON).

    Raises:
        ValueError: naming the file, the key and what was expected.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else parse_yaml(text)
        return Prices.model_validate(data)
    except OSError as exc:
        raise ValueError(f"prices file {path}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"prices file {path}: not valid {path.suffix.lstrip('.')}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ValueError(f"prices file {path}: {where}: {first['msg']}") from exc


def cost(tokens: TokenUsage, price: Price) -> float:
    """Dollars for these tokens. Inspect's `input_tokens` excludes cached reads and writes."""
    per = 1e-6
    return per * (
        tokens.input_tokens * price.input
        + tokens.output_tokens * price.output
        + tokens.input_tokens_cache_read
        * (price.cache_read if price.cache_read is not None else price.input)
        + tokens.input_tokens_cache_write
        * (price.cache_write if price.cache_write is not None else price.input)
    )


class RoleTotals(BaseModel):
    """One role's tokens over some samples, and their cost where the model has a price."""

    role: str
    model: str
    samples: int
    """Samples in which the role spent tokens."""
    tokens: TokenUsage
    mean_total_tokens: float
    cost: float | None = None
    """Dollars; None without a price for the model."""


class UsageRow(BaseModel):
    """Tokens per role for one arm (`scope` = `arm`) or one run (`scope` = `run`)."""

    scope: str
    task: str
    model: str
    scenario: str = ""
    arm: str = ""
    run: str = ""
    logs: list[str] = Field(default_factory=list)
    samples: int
    roles: list[RoleTotals]
    cost: float | None = None
    """Every role's cost; None when a role's model has no price."""


class UsageReport(BaseModel):
    """Tokens and cost per role, per arm and per run; per sample on each `SampleOutcome`."""

    arms: list[UsageRow] = Field(default_factory=list)
    runs: list[UsageRow] = Field(default_factory=list)
    priced: bool = False
    """A prices file was given."""
    unpriced_models: list[str] = Field(default_factory=list)
    """Models spent on for which the prices file has no price."""


_COUNTS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "input_tokens_cache_read",
    "input_tokens_cache_write",
    "reasoning_tokens",
)
_counts_of = operator.attrgetter(*_COUNTS)


class _Sums:
    """Integer sums of some samples' usage, per role (one `TokenUsage` per role at the end,
    not one per addition). A cell's samples are listed as they come and summed once, column
    by column (`settle`); cells are merged from their sums."""

    __slots__ = ("columns", "models", "counts", "first", "samples", "listed")

    def __init__(self) -> None:
        self.columns: dict[str, list[int]] = {}
        self.models: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.first: dict[str, tuple[int, int]] = {}
        """Where each role first spent: the sample's position in the samples given, and the
        role's among that sample's roles."""
        self.samples = 0
        self.listed: dict[str, list[TokenUsage]] = {}
        """Each role's usages added one by one (in increasing position), not yet summed."""

    def add(self, sample: SampleOutcome, position: int) -> None:
        """One sample's usage; `position` no smaller than any added before."""
        self.samples += 1
        for j, (role, tokens) in enumerate(sample.usage.items()):
            listed = self.listed.get(role)
            if listed is None:
                self.listed[role] = [tokens]
                self.first.setdefault(role, (position, j))
            else:
                listed.append(tokens)

    def settle(self) -> _Sums:
        """The usages added one by one, summed into the columns."""
        for role, listed in self.listed.items():
            values = [sum(column) for column in zip(*map(_counts_of, listed), strict=True)]
            models = {tokens.model for tokens in listed}
            model = next(iter(models)) if len(models) == 1 else "several"
            self._add(role, model, values, len(listed), self.first[role])
        self.listed = {}
        return self

    def merge(self, other: _Sums) -> None:
        self.samples += other.samples
        for role, column in other.columns.items():
            self._add(role, other.models[role], column, other.counts[role], other.first[role])

    def _add(
        self, role: str, model: str, values: Sequence[int], count: int, position: tuple[int, int]
    ) -> None:
        column = self.columns.get(role)
        if column is None:
            self.columns[role] = list(values)
            self.models[role] = model
            self.counts[role] = count
            self.first[role] = position
            return
        self.first[role] = min(self.first[role], position)
        for i, value in enumerate(values):
            column[i] += value
        if self.models[role] != model:
            self.models[role] = "several"
        self.counts[role] += count


def _totals(
    sums: _Sums, prices: Prices | None, unpriced: set[str]
) -> tuple[list[RoleTotals], float | None, int]:
    roles: list[RoleTotals] = []
    total: float | None = 0.0 if prices is not None else None
    # the roles' costs added in the order their first samples came (as one pass over the
    # samples adds them), so a total does not depend on how the samples were grouped
    for role in sorted(sums.columns, key=sums.first.__getitem__):
        column = sums.columns[role]
        tokens = TokenUsage(model=sums.models[role], **dict(zip(_COUNTS, column, strict=True)))
        count = sums.counts[role]
        price = prices.models.get(tokens.model) if prices is not None else None
        role_cost = cost(tokens, price) if price is not None else None
        if prices is not None and price is None:
            unpriced.add(tokens.model)
            total = None
        elif total is not None and role_cost is not None:
            total += role_cost
        roles.append(
            RoleTotals(
                role=role,
                model=tokens.model,
                samples=count,
                tokens=tokens,
                mean_total_tokens=tokens.total_tokens / count,
                cost=role_cost,
            )
        )
    roles.sort(key=lambda r: (r.role != TARGET_ROLE, r.role))
    return roles, total, sums.samples


def usage_report(samples: Iterable[SampleOutcome], prices: Prices | None = None) -> UsageReport:
    """Tokens per role, per arm (task × model × scenario × arm) and per run (each episode once:
    pass the counted samples).

    Each sample is summed once, into the cell of its run and arm; an arm's totals and a run's
    are the sums of their cells.
    """
    cells: dict[tuple[str, str, str, str, str], _Sums] = {}
    logs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for position, s in enumerate(samples):
        if not s.usage:
            continue
        key = (s.run, s.task, s.model, s.scenario, s.arm)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Sums()
        logs[(s.run, s.task, s.model)].add(s.log)
        cell.add(s, position)
    by_arm: dict[tuple[str, str, str, str], _Sums] = defaultdict(_Sums)
    by_run: dict[tuple[str, str, str], _Sums] = defaultdict(_Sums)
    for (run, task, model, scenario, arm), cell in cells.items():
        cell.settle()
        by_arm[(task, model, scenario, arm)].merge(cell)
        by_run[(run, task, model)].merge(cell)
    unpriced: set[str] = set()
    arms = []
    for (task, model, scenario, arm), sums in sorted(by_arm.items()):
        roles, total, n = _totals(sums, prices, unpriced)
        arms.append(
            UsageRow(
                scope="arm",
                task=task,
                model=model,
                scenario=scenario,
                arm=arm,
                samples=n,
                roles=roles,
                cost=total,
            )
        )
    runs = []
    for (run, task, model), sums in sorted(by_run.items()):
        roles, total, n = _totals(sums, prices, unpriced)
        runs.append(
            UsageRow(
                scope="run",
                task=task,
                model=model,
                run=run,
                logs=sorted(logs[(run, task, model)]),
                samples=n,
                roles=roles,
                cost=total,
            )
        )
    return UsageReport(
        arms=arms, runs=runs, priced=prices is not None, unpriced_models=sorted(unpriced)
    )
