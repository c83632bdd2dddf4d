"""Task parameters (`-T name=value`), validated when the task is created, before any model call.

Inspect passes `-T` values through as YAML scalars, so a typo (`-T counterparty=modle`) or a
nonsense limit (`-T message_limit=-1`) would otherwise reach the episode and fail or mislead in
every sample. Each error names the `-T` parameter, the value given and what is expected.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from evals.errors import TaskConfigError

OPENING_MESSAGES = 2
"""Messages an episode holds before the agent speaks: the system prompt and the opening."""

Aggregation = Literal["majority", "unanimous"]
RoleName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")]


class _Parameters(BaseModel):
    """Each field's description says what a valid value is; it is quoted in the error."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class EpisodeParameters(_Parameters):
    """How each episode runs: which arms, who answers the agent, and its limits."""

    arms: str | list[str] | None = Field(
        default=None, description="an arm such as overseer=ai, or a list of arms"
    )
    counterparty: Literal["scripted", "model"] | None = Field(
        default=None, description="'scripted' or 'model' (default: what the scenario declares)"
    )
    message_limit: int = Field(
        ge=OPENING_MESSAGES + 1,
        description=f"a whole number of at least {OPENING_MESSAGES + 1}: the episode opens with "
        "the system prompt and the opening message, so the agent needs a third message to answer",
    )
    token_limit: int | None = Field(
        ge=1, description="a whole number of at least 1, or null for no limit"
    )


class IdentityParameters(_Parameters):
    """How identities are assigned to the parties over the epochs."""

    identity_seed: int = Field(
        default=0,
        description="a whole number: the seed of the counterbalanced order in which epochs visit "
        "the identity slots (same seed, same assignment)",
    )


class GraderParameters(_Parameters):
    """Which model roles grade each episode and how their verdicts combine."""

    graders: list[RoleName] = Field(
        min_length=1,
        description="one or more model-role names (letters, digits, '_', '-'), each named once, "
        "e.g. grader or grader,grader_2,grader_3",
    )
    aggregation: Aggregation = Field(default="majority", description="'majority' or 'unanimous'")

    @field_validator("graders")
    @classmethod
    def _each_once(cls, roles: list[str]) -> list[str]:
        if len(set(roles)) != len(roles):
            raise ValueError("a role is named twice")
        return roles


P = TypeVar("P", bound=_Parameters)


def _shown(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(_shown(item) for item in value)
    return "null" if value is None else repr(value)


def validated(model: type[P], given: dict[str, object] | None = None, **values: object) -> P:
    """The parameters as `model` reads them.

    Args:
        model: The parameter model.
        given: The values as the user gave them, where they differ from `values` (for the
            message); default `values`.
        **values: The values to validate.

    Raises:
        TaskConfigError: naming each bad `-T` parameter, its value and what is expected.
    """
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        shown = {**values, **(given or {})}
        names = dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        problems = []
        for name in names:
            field = model.model_fields[name]
            problems.append(f"-T {name}={_shown(shown.get(name))}: expected {field.description}")
        raise TaskConfigError("; ".join(problems)) from None


def grader_parameters(graders: object, aggregation: object) -> GraderParameters:
    """`graders` (one role, a comma-separated string or a list) and `aggregation`, validated."""
    roles = graders.split(",") if isinstance(graders, str) else graders
    if isinstance(roles, list):
        roles = [role.strip() if isinstance(role, str) else role for role in roles]
    return validated(GraderParameters, {"graders": graders}, graders=roles, aggregation=aggregation)
