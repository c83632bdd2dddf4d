"""Models built without validation (`analysis.construct`) behave as validated ones: equal, the
same JSON, copied and pickled without touching another instance; the models pickled as their
values (`positional`) come back whole."""

from __future__ import annotations

import copy
import pickle
import tracemalloc
from collections.abc import Callable

import pytest
from pydantic import BaseModel, ConfigDict

from analysis.construct import constructor, positional
from analysis.logs import AnswerCheck, SampleDetail, SampleOutcome, _unpickled_outcome
from analysis.usage import TokenUsage, _unpickled_usage

_usage = constructor(TokenUsage)
_outcome = constructor(SampleOutcome)

COUNTS = {
    "input_tokens": 120,
    "output_tokens": 30,
    "total_tokens": 150,
    "input_tokens_cache_read": 7,
    "input_tokens_cache_write": 0,
    "reasoning_tokens": 4,
}
OUTCOME = {
    "log": "a.eval",
    "task": "t",
    "model": "m",
    "sample_id": "s1",
    "epoch": 3,
    "scenario": "sc",
    "suite": "deception",
    "arm": "director=ai",
    "levels": {"director": "ai"},
    "status": "graded",
    "outcomes": {"deceptive": "positive"},
}


@pytest.mark.parametrize(
    ("build", "validated"),
    [
        (lambda: _usage(model="x", **COUNTS), lambda: TokenUsage(model="x", **COUNTS)),
        (lambda: _outcome(**OUTCOME), lambda: SampleOutcome(**OUTCOME)),
    ],
    ids=["few fields (key-sharing dict)", "many fields"],
)
def test_built_is_the_validated_model(build: object, validated: object) -> None:
    assert callable(build) and callable(validated)
    built, expected = build(), validated()
    assert built == expected
    assert built.model_dump_json() == expected.model_dump_json()
    assert pickle.loads(pickle.dumps(built)) == expected
    assert copy.deepcopy(built) == expected


def test_an_update_of_one_copy_leaves_the_others() -> None:
    first, second = _usage(model="x", **COUNTS), _usage(model="x", **COUNTS)
    changed = first.model_copy(update={"input_tokens": 1})
    assert changed.input_tokens == 1
    assert first.input_tokens == second.input_tokens == 120
    assert first == second


def test_unpickled_usage_keeps_every_count_and_its_model() -> None:
    built = _usage(model="openai/gpt-5", **COUNTS)
    back = pickle.loads(pickle.dumps(built))
    assert isinstance(back, TokenUsage)
    assert back.model_dump() == {"model": "openai/gpt-5", **COUNTS}


FULL_OUTCOME = SampleOutcome(
    **OUTCOME,
    dimensions={"eval_awareness": True, "tactics": ["omission"]},
    run="r1",
    completed_at="2026-01-01T00:00:00+00:00",
    scenario_sha256="ab" * 32,
    headline_contrasts=[("director=ai", "director=human")],
    identity_slot=1,
    identity_slots={"director": 1},
    identities={"director": "a2"},
    usage={"target": TokenUsage(model="m", **COUNTS), "grader": TokenUsage(model="g")},
    family="blame",
    round_verdicts=["honest", None],
    round_corrections=[None, True],
    answers=AnswerCheck(all_correct=False, correct=2, wrong=1, unreadable=0, missing=0, total=3),
)
PICKLED = [
    pytest.param(TokenUsage(model="x", **COUNTS), id="TokenUsage (few fields)"),
    pytest.param(SampleOutcome(**OUTCOME), id="SampleOutcome, defaults"),
    pytest.param(FULL_OUTCOME, id="SampleOutcome, every field set"),
    pytest.param(SampleDetail(raw_id=7, rationale="r", evidence=["e"]), id="SampleDetail"),
]


@pytest.mark.parametrize("model", PICKLED)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_a_model_pickled_as_its_values_comes_back_whole(model: BaseModel, protocol: int) -> None:
    """Pickled as a tuple of its values (`positional`), every field comes back, of its own
    type, and the copy behaves as a validated model (JSON, copies, updates)."""
    back = pickle.loads(pickle.dumps(model, protocol=protocol))
    assert type(back) is type(model)
    assert back == model
    assert back.model_dump_json() == model.model_dump_json()
    assert back.model_fields_set == set(type(model).model_fields)
    assert copy.deepcopy(back) == model
    first_field = next(iter(type(model).model_fields))
    changed = back.model_copy(update={first_field: getattr(model, first_field)})
    assert changed == model


def test_values_are_set_in_field_order_not_by_position_in_a_dict() -> None:
    build = positional(TokenUsage, "build", __name__)
    built = build("m", 1, 2, 3, 4, 5, 6)
    assert built.model_dump() == {
        "model": "m",
        "input_tokens": 1,
        "output_tokens": 2,
        "total_tokens": 3,
        "input_tokens_cache_read": 4,
        "input_tokens_cache_write": 5,
        "reasoning_tokens": 6,
    }
    with pytest.raises(TypeError):
        build("m", 1, 2)  # every field's value is needed


def _bytes_each(make: Callable[[int], object], count: int = 5_000) -> float:
    tracemalloc.start()
    try:
        kept = [make(i) for i in range(count)]
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(kept) == count
    return held / count


def test_instances_share_their_field_names_and_few_fields_share_dict_keys() -> None:
    usage = positional(TokenUsage, "usage", __name__)
    outcome = positional(SampleOutcome, "outcome", __name__)
    a, b = usage("m", 1, 2, 3, 0, 0, 0), usage("n", 4, 5, 9, 0, 0, 0)
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    built = _bytes_each(lambda i: usage("m", 1000 + i, 2000 + i, 3000 + i, 0, 0, 0))
    validated = _bytes_each(
        lambda i: TokenUsage(
            model="m", input_tokens=1000 + i, output_tokens=2000 + i, total_tokens=3000 + i
        )
    )
    assert built < 0.6 * validated  # the dicts share their keys (about half the size)
    values = [getattr(FULL_OUTCOME, name) for name in SampleOutcome.model_fields]
    assert outcome(*values) == FULL_OUTCOME
    assert len(SampleOutcome.model_fields) <= 30  # few enough for its dicts to share keys
    kept = _bytes_each(lambda i: outcome(*values[:4], i, *values[5:]))
    assert kept < 0.7 * _bytes_each(lambda i: FULL_OUTCOME.model_copy(update={"epoch": i}))


def test_the_builder_is_found_by_the_name_it_was_given() -> None:
    assert _unpickled_usage.__qualname__ == "_unpickled_usage"
    assert _unpickled_usage.__module__ == "analysis.usage"
    assert _unpickled_outcome.__module__ == "analysis.logs"
    assert pickle.loads(pickle.dumps(_unpickled_outcome)) is _unpickled_outcome


class _Odd(BaseModel):
    h: int = 0
    built: int = 0
    put: int = 0


def test_field_names_the_builder_uses_itself_do_not_collide() -> None:
    build = positional(_Odd, "build_odd", __name__)
    assert build(1, 2, 3).model_dump() == {"h": 1, "built": 2, "put": 3}


@pytest.mark.parametrize("name", ["new", "model", "fields_set", "holder", "h", "built", "put"])
def test_a_builder_named_as_its_own_parts_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="the builder itself uses"):
        positional(TokenUsage, name, __name__)


class _Extra(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int = 0


@pytest.mark.parametrize("name", ["class", "not an identifier", "\ufb01le"])
def test_a_name_that_cannot_be_written_as_python_is_refused(name: str) -> None:
    with pytest.raises(TypeError, match="cannot be written as Python"):
        positional(TokenUsage, name, __name__)


def test_a_model_keeping_extra_fields_is_refused() -> None:
    with pytest.raises(TypeError, match="extra fields"):
        positional(_Extra, "build_extra", __name__)
