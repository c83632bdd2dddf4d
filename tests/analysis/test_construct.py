"""Models built without validation (`analysis.construct`) behave as validated ones: equal, the
same JSON, copied and pickled without touching another instance."""

from __future__ import annotations

import copy
import pickle

import pytest

from analysis.construct import constructor
from analysis.logs import SampleOutcome
from analysis.usage import TokenUsage

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
