"""Who graded a sample, and which run and scenario version it belongs to, as its log records it.

Read from score metadata and the log header only (no Inspect import), so that the report can
keep apart samples graded differently and count each episode of a run once.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scenarios.balance_record import Balance


class _Recorded(BaseModel):
    # What a scorer wrote: more keys may appear in later versions, so extra keys are ignored.
    model_config = ConfigDict(frozen=True, extra="ignore")


class RecordedGraderConfig(_Recorded):
    """`metadata["grader_config"]` of a Candor score."""

    temperature: float
    seed: int
    roles: list[str] = Field(min_length=1)
    aggregation: str
    redacted: bool


class RecordedGrader(_Recorded):
    """One entry of `metadata["graders"]`: a grader role and the model bound to it."""

    role: str
    model: str


class RecordedBalance(Balance):
    """One scenario's entry of the eval's `candor_balance` task metadata: whether the run's
    epochs counterbalanced its identity pools (`scenarios.loader.Balance`, as written; keys a
    later version adds are ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message: str | None = None


def recorded_balance(value: object) -> dict[str, RecordedBalance]:
    """Scenario -> its declared balance facts, from the eval metadata's `candor_balance`
    value ({} when None: a log written before the facts were recorded).

    Raises:
        ValueError: if the value does not have the shape the task-start check writes.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"is a {type(value).__name__}, not a mapping of scenario to facts")
    facts: dict[str, RecordedBalance] = {}
    for scenario, entry in value.items():
        try:
            facts[str(scenario)] = RecordedBalance.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "value"
            raise ValueError(f"{scenario}: {where}: {first['msg']}") from exc
    return facts


class GraderIdentity(BaseModel):
    """How a sample was graded: roles → models, prompt template, temperature, seed, aggregation,
    redaction. Two samples are comparable only if their identities are equal."""

    model_config = ConfigDict(frozen=True)

    models: dict[str, str]
    """Each grader role → its model; `?` where no grader was called for this sample and no
    other sample of the log names the model."""
    template_sha256: str | None
    """The grader prompt templates' hash; None in logs written before it was recorded."""
    temperature: float
    seed: int
    aggregation: str
    redacted: bool

    @property
    def label(self) -> str:
        """One line a reader can compare, e.g. `grader=openai/gpt-5 · template 1a2b3c4d · ...`."""
        models = ", ".join(f"{role}={model}" for role, model in self.models.items())
        template = self.template_sha256[:8] if self.template_sha256 else "not recorded"
        return (
            f"{models} · template {template} · temperature {self.temperature:g} · "
            f"seed {self.seed} · {self.aggregation} · redaction {'on' if self.redacted else 'off'}"
        )


UNKNOWN_MODEL = "?"


_THINNED = "Key removed from summary"
"""How Inspect replaces a summary metadata value over 1k characters."""


_IDENTITIES: dict[str, GraderIdentity] = {}
_KEPT_IDENTITIES = 4096


def grader_identity(
    metadata: Mapping[str, object], fallback_models: Mapping[str, str]
) -> GraderIdentity:
    """The grader identity recorded in a Candor score's metadata.

    Args:
        metadata: The score metadata (a summary's may lack long values such as `graders`).
        fallback_models: Role → model for roles this score names no model for (a sample that
            never reached a grader), e.g. from other samples of the same log.

    Raises:
        ValueError: if `grader_config`, `grader_models` or `graders` does not have the recorded
            shape.
    """
    template = metadata.get("grader_template_sha256")
    # Every sample of a run records the same configuration: it is validated once. A key is the
    # `repr` of JSON values, equal only for equal values (`1`, `1.0` and `True` differ).
    # `graders` (every grader call) is read only where `grader_models` is not a mapping
    models = metadata.get("grader_models")
    calls = None if isinstance(models, dict) else metadata.get("graders")
    key = repr(
        (metadata.get("grader_config"), models, calls, template, sorted(fallback_models.items()))
    )
    known = _IDENTITIES.get(key)
    if known is not None:
        return known
    try:
        config = RecordedGraderConfig.model_validate(metadata.get("grader_config"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "value"
        message = f"grader_config has an unexpected shape ({where}: {first['msg']})"
        raise ValueError(message) from exc
    bound = recorded_models(metadata)
    if len(_IDENTITIES) >= _KEPT_IDENTITIES:
        _IDENTITIES.clear()
    found = _IDENTITIES[key] = GraderIdentity(
        models={
            role: bound.get(role) or fallback_models.get(role) or UNKNOWN_MODEL
            for role in config.roles
        },
        template_sha256=template if isinstance(template, str) else None,
        temperature=config.temperature,
        seed=config.seed,
        aggregation=config.aggregation,
        redacted=config.redacted,
    )
    return found


def recorded_models(metadata: Mapping[str, object]) -> dict[str, str]:
    """Role → model as the score records it: `grader_models` (every bound grader), else the
    models of the grader calls in `graders`; empty when neither is there.

    Raises:
        ValueError: if either has a shape no Candor scorer writes.
    """
    models = metadata.get("grader_models")
    if isinstance(models, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in models.items()):
            raise ValueError(f"grader_models {models!r} is not a mapping of role to model")
        return dict(models)
    graders = metadata.get("graders")
    if graders is None or (isinstance(graders, str) and graders.startswith(_THINNED)):
        return {}
    if not isinstance(graders, list):
        raise ValueError(f"graders has an unexpected shape ({type(graders).__name__})")
    try:
        return {g.role: g.model for g in map(RecordedGrader.model_validate, graders)}
    except ValidationError as exc:
        raise ValueError(f"graders has an unexpected shape ({exc.errors()[0]['msg']})") from exc


def called_models(metadata: Mapping[str, object]) -> dict[str, str]:
    """`recorded_models`, or empty where its shape is unexpected (the sample says so itself)."""
    try:
        return recorded_models(metadata)
    except ValueError:
        return {}


def run_key(eval_set_id: str | None, task_id: str, eval_id: str) -> str:
    """The identity of one run of a task, kept by `inspect score` and `inspect eval-retry`.

    Inspect 0.3.285 keeps `task_id` (and `eval_id`, `run_id`) through `inspect score`; a retry
    gets a new `eval_id` and `run_id` but keeps `task_id`. Within an eval set, `task_id` is
    derived from the task and model, so the eval set's id tells two eval sets apart.
    """
    return f"{eval_set_id or '-'}/{task_id or eval_id}"
