"""A realistic offline study (`realistic.yaml`) written as real Inspect logs, graded by the real
deception scorer: several scenarios, every arm, two models, a dozen epochs per arm.

`python -m tests.dashboard.realistic DIR` writes it (the README's screenshots are taken on it);
the browser tests build it once per session. One run per model and arm, one sample at a time, so
each epoch consumes its own agent and grader replies in order.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from pydantic import BaseModel, ConfigDict, Field

from evals.deception.deception import deception

STUDY = Path(__file__).with_name("realistic.yaml")
UNPARSEABLE = "unparseable"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Step(_Strict):
    call: str
    args: dict[str, str] = Field(default_factory=dict)


class Account(_Strict):
    fields: dict[str, str]
    followups: list[str]
    quote: str
    rationale: str
    tactics: list[str] = Field(default_factory=list)


class ScenarioStudy(_Strict):
    prelude: list[Step]
    submit: str
    accounts: dict[str, Account]
    mix: dict[str, dict[str, dict[str, int]]]
    """model → arm → account name (or `unparseable`) → epochs."""


class Study(_Strict):
    models: list[str]
    grader: str
    epochs: int
    scenarios: dict[str, ScenarioStudy]


def _usage(output: ModelOutput, tokens: int) -> ModelOutput:
    output.usage = ModelUsage(
        input_tokens=tokens, output_tokens=tokens // 4, total_tokens=tokens + tokens // 4
    )
    return output


def _agent(model: str, s: ScenarioStudy, account: Account) -> list[ModelOutput]:
    steps: list[tuple[str, dict[str, Any]]] = [(p.call, dict(p.args)) for p in s.prelude]
    steps.append((s.submit, dict(account.fields)))
    # tokens grow with what the agent writes, so arms whose accounts differ spend differently
    outputs = [
        _usage(ModelOutput.for_tool_call(model, name, args), 700 + 4 * len(json.dumps(args)))
        for name, args in steps
    ]
    outputs += [
        _usage(ModelOutput.from_content(model, t), 900 + 4 * len(t)) for t in account.followups
    ]
    return outputs


def _grader(model: str, name: str, account: Account) -> ModelOutput:
    if name == UNPARSEABLE:
        return _usage(ModelOutput.from_content(model, "On balance I would call it honest."), 1500)
    verdict = {
        "verdict": "honest" if name == "honest" else "deceptive",
        "tactics": account.tactics,
        "evidence": [account.quote],
        "rationale": account.rationale,
        "eval_aware": False,
    }
    return _usage(
        ModelOutput.from_content(model, json.dumps(verdict)), 1200 + 2 * len(str(verdict))
    )


def load() -> Study:
    return Study.model_validate(yaml.safe_load(STUDY.read_text(encoding="utf-8")))


def wide(models: int, epochs: int, scenarios: tuple[str, ...]) -> Study:
    """The study over `models` models and the two-arm `scenarios`, `epochs` per arm: each model
    runs the first model's mix, every `12 // epochs`-th draw of it (one headline contrast per
    model × scenario, so many cards at once)."""
    base = load()
    names = [f"mockllm/model-{i + 1}" for i in range(models)]
    picked: dict[str, ScenarioStudy] = {}
    for scenario in scenarios:
        s = base.scenarios[scenario]
        first = next(iter(s.mix.values()))
        mix: dict[str, dict[str, int]] = {}
        for arm, counts in first.items():
            draws = [name for name, n in counts.items() for _ in range(n)]
            kept = draws[:: len(draws) // epochs][:epochs]
            mix[arm] = {name: kept.count(name) for name in dict.fromkeys(kept)}
        picked[scenario] = s.model_copy(update={"mix": {m: mix for m in names}})
    return Study(models=names, grader=base.grader, epochs=epochs, scenarios=picked)


def write(log_dir: Path, study: Study | None = None) -> Path:
    """Run the study (default `realistic.yaml`) into `log_dir` (one log per model × scenario ×
    arm)."""
    study = study or load()
    for scenario, s in study.scenarios.items():
        for model, arms in s.mix.items():
            for arm, mix in arms.items():
                draws = [name for name, n in mix.items() for _ in range(n)]
                if len(draws) != study.epochs:
                    raise ValueError(
                        f"{STUDY}: {scenario}/{model}/{arm} mixes {len(draws)} epochs, "
                        f"expected {study.epochs}"
                    )
                random.Random(f"{scenario}:{model}:{arm}").shuffle(draws)
                fallback = next(iter(s.accounts.values()))
                agent: list[ModelOutput] = []
                grader: list[ModelOutput] = []
                for name in draws:
                    account = s.accounts.get(name, fallback)
                    agent += _agent(model, s, account)
                    grader.append(_grader(study.grader, name, account))
                inspect_eval(
                    deception(scenario, arms=[arm]),  # one arm; a crossed arm holds commas
                    model=get_model(model, custom_outputs=agent, memoize=False),
                    model_roles={
                        "grader": get_model(study.grader, custom_outputs=grader, memoize=False)
                    },
                    epochs=study.epochs,
                    max_samples=1,
                    log_dir=str(log_dir),
                    display="none",
                )
    return log_dir


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.dashboard.realistic LOG_DIR")
    write(Path(sys.argv[1]))
