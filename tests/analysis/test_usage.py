"""Tokens and cost per role: the target's own share of a model shared with a role, per arm and
per run, priced from a file; on hand-made usage and on a real (scripted) run."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import read_eval_log_sample_summaries
from inspect_ai.model import ModelUsage

from analysis.logs import LoadResult, SampleOutcome
from analysis.render import to_csv, to_markdown
from analysis.report import build_report
from analysis.usage import Price, Prices, TokenUsage, cost, usage_by_role, usage_report
from cli.main import main
from tests.analysis.runs import ROOT, SCRIPTS, inspect_cli


def _u(i: int, o: int) -> ModelUsage:
    return ModelUsage(input_tokens=i, output_tokens=o, total_tokens=i + o)


@pytest.mark.parametrize(
    ("model_usage", "role_usage", "role_models", "expected"),
    [
        pytest.param(
            {"t": _u(100, 10), "g": _u(50, 5)},
            {"grader": _u(50, 5)},
            {"grader": "g"},
            {"target": ("t", 110), "grader": ("g", 55)},
            id="separate models",
        ),
        pytest.param(
            {"t": _u(150, 15)},
            {"grader": _u(50, 5)},
            {"grader": "t"},
            {"target": ("t", 110), "grader": ("t", 55)},
            id="grader on the target's model",
        ),
        pytest.param(
            {"t": _u(200, 20), "c": _u(30, 3)},
            {"grader": _u(50, 5), "grader_2": _u(40, 4), "counterparty": _u(30, 3)},
            {"grader": "t", "grader_2": "t", "counterparty": "c"},
            {
                "target": ("t", 121),
                "grader": ("t", 55),
                "grader_2": ("t", 44),
                "counterparty": ("c", 33),
            },
            id="two graders on the target's model, a model counterparty",
        ),
        pytest.param(
            {"t": _u(100, 10), "x": _u(7, 1)},
            {},
            {},
            {"target": ("t", 110), "unattributed:x": ("x", 8)},
            id="a model no role names",
        ),
        pytest.param({}, {}, {}, {}, id="nothing recorded"),
    ],
)
def test_usage_by_role(
    model_usage: dict[str, ModelUsage],
    role_usage: dict[str, ModelUsage],
    role_models: dict[str, str],
    expected: dict[str, tuple[str, int]],
) -> None:
    got = usage_by_role(model_usage, role_usage, "t", role_models)
    assert {role: (u.model, u.total_tokens) for role, u in got.items()} == expected
    assert list(got)[:1] == (["target"] if expected else [])


def _sample(arm: str, epoch: int, usage: dict[str, TokenUsage], model: str = "t") -> SampleOutcome:
    factor, level = arm.split("=")
    return SampleOutcome(
        log="x.eval",
        task="blame_postmortem",
        model=model,
        sample_id=f"blame_postmortem:{arm}",
        epoch=epoch,
        scenario="blame_postmortem",
        suite="deception",
        arm=arm,
        levels={factor: level},
        status="graded",
        outcomes={"deceptive": "positive"},
        run="r1",
        usage=usage,
    )


def test_usage_per_arm_and_run_with_prices() -> None:
    target = TokenUsage(
        model="t", input_tokens=1_000_000, output_tokens=100_000, total_tokens=1_100_000
    )
    grader = TokenUsage(model="g", input_tokens=200_000, output_tokens=10_000, total_tokens=210_000)
    samples = [
        _sample(arm, e, {"target": target, "grader": grader})
        for arm in ("overseer=ai", "overseer=human")
        for e in (1, 2)
    ]
    prices = Prices(models={"t": Price(input=3.0, output=15.0)})
    report = build_report(LoadResult(samples=samples), prices=prices)
    [run] = report.usage.runs
    roles = {r.role: r for r in run.roles}
    assert roles["target"].tokens.total_tokens == 4 * 1_100_000
    assert roles["target"].mean_total_tokens == 1_100_000
    assert roles["target"].cost == pytest.approx(4 * (3.0 + 1.5))
    assert roles["grader"].cost is None and run.cost is None  # no price for g
    assert report.usage.unpriced_models == ["g"]
    assert [(a.arm, a.samples) for a in report.usage.arms] == [
        ("overseer=ai", 2),
        ("overseer=human", 2),
    ]
    md = to_markdown(report)
    assert "## Tokens and cost per role" in md and "No price for: g." in md
    assert "| target | t | 4,000,000 | 400,000 | 4,400,000 | 1,100,000 | $18.0000 |" in md
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(to_csv(report)))]
    assert kinds.count("usage_run") == 2 and kinds.count("usage_arm") == 4


def test_cost_prices_cache_tokens_apart() -> None:
    tokens = TokenUsage(
        model="m", input_tokens=1_000_000, output_tokens=0, input_tokens_cache_read=1_000_000
    )
    assert cost(tokens, Price(input=3.0, output=15.0)) == pytest.approx(6.0)
    assert cost(tokens, Price(input=3.0, output=15.0, cache_read=0.3)) == pytest.approx(3.3)


def _readme(language: str, contains: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [
        b for b in re.findall(rf"```{language}\n(.*?)```", readme, flags=re.S) if contains in b
    ]
    return str(block)


def test_a_grader_sharing_the_targets_model_is_split_from_it_on_a_real_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Target and grader are one model (the agent's script, so the grader's answer does not
    parse, but it is called): Inspect merges their usage under the model; the report splits it
    by role."""
    shared = f"scripted/{SCRIPTS / 'blame_postmortem.yaml'}"
    inspect_cli(
        "eval",
        "candor/blame_postmortem",
        "--model",
        shared,
        "--model-role",
        f"grader={shared}",
        "--epochs",
        "1",
        "--log-dir",
        str(tmp_path),
    )
    [log] = tmp_path.glob("*.eval")
    summaries = read_eval_log_sample_summaries(str(log))
    prices_text = _readme("yaml", "models:").replace("openai/gpt-5", shared)
    prices = tmp_path / "prices.yaml"
    prices.write_text(prices_text, encoding="utf-8")
    [line] = [ln for ln in _readme("sh", "--prices").splitlines() if "--prices" in ln]
    args = [
        {"logs/": str(tmp_path), "prices.yaml": str(prices)}.get(w, w)
        for w in shlex.split(line)[1:]
    ]
    assert main([*args, "--json", "--no-cache"]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    [run] = report["usage"]["runs"]
    roles = {r["role"]: r for r in run["roles"]}
    assert set(roles) == {"target", "grader"}
    merged = sum(s.model_usage[shared].total_tokens for s in summaries)
    graded = sum(s.role_usage["grader"].total_tokens for s in summaries)
    assert roles["grader"]["tokens"]["total_tokens"] == graded > 0
    assert roles["target"]["tokens"]["total_tokens"] == merged - graded > 0
    target_in = roles["target"]["tokens"]["input_tokens"]
    target_out = roles["target"]["tokens"]["output_tokens"]
    assert roles["target"]["cost"] == pytest.approx((1.25 * target_in + 10 * target_out) / 1e6)
    assert run["samples"] == len(summaries) == 4  # every arm (reviewer species × audit), 1 epoch


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("models: {m: {input: 3}}\n", "models.m.output"),
        ("models: {m: {input: 3, output: 15, extra: 1}}\n", "models.m.extra"),
        ("models: {m: {input: -1, output: 15}}\n", "models.m.input"),
        ("models: [\n", "not valid yaml"),
    ],
)
def test_a_bad_prices_file_names_the_key(
    text: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["report", str(tmp_path), "--prices", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and named in err


def _one_group(samples: list[SampleOutcome], prices: Prices | None) -> dict[str, object]:
    """A group's totals as a direct reading: every sample in turn, each role's costs added in
    the order the roles first spent (the oracle for `usage_report`'s cell sums)."""
    roles: dict[str, list[object]] = {}
    for s in samples:
        for role, t in s.usage.items():
            counts = [t.input_tokens, t.output_tokens, t.total_tokens]
            counts += [t.input_tokens_cache_read, t.input_tokens_cache_write, t.reasoning_tokens]
            if role not in roles:
                roles[role] = [t.model, counts, 1]
                continue
            kept = roles[role]
            kept[1] = [a + b for a, b in zip(kept[1], counts, strict=True)]  # type: ignore[call-overload]
            kept[0] = kept[0] if kept[0] == t.model else "several"
            kept[2] = kept[2] + 1  # type: ignore[operator]
    total: float | None = 0.0 if prices is not None else None
    for model, counts, _ in roles.values():
        price = prices.models.get(str(model)) if prices is not None else None
        if prices is not None and price is None:
            total = None
        elif total is not None and price is not None:
            names = ["input_tokens", "output_tokens", "total_tokens", "input_tokens_cache_read"]
            names += ["input_tokens_cache_write", "reasoning_tokens"]
            tokens = TokenUsage(model=str(model), **dict(zip(names, counts, strict=True)))  # type: ignore[call-overload]
            total += cost(tokens, price)
    return {
        "samples": len(samples),
        "roles": {r: (m, c, n) for r, (m, c, n) in sorted(roles.items())},
        "cost": total,
    }


@pytest.mark.parametrize("seed", range(40))
def test_arm_and_run_totals_are_those_of_reading_each_group_directly(seed: int) -> None:
    """Runs spanning arms and arms spanning runs, roles whose model differs between samples,
    samples without usage, unpriced models: the cell sums give each arm's and each run's
    totals exactly as reading that group's samples in order does, costs to the last digit."""
    rng = random.Random(seed)
    samples = []
    for i in range(rng.randint(1, 60)):
        usage = {
            role: TokenUsage(
                model=rng.choice(["m1", "m2", "unpriced"]),
                input_tokens=rng.randint(0, 10**6),
                output_tokens=rng.randint(0, 10**5),
                total_tokens=rng.randint(0, 10**6),
                input_tokens_cache_read=rng.randint(0, 999),
                input_tokens_cache_write=rng.randint(0, 999),
                reasoning_tokens=rng.randint(0, 99),
            )
            for role in rng.sample(
                ["target", "grader", "counterparty", "grader_2"], rng.randint(0, 4)
            )
        }
        samples.append(
            SampleOutcome(
                log=rng.choice(["a.eval", "b.eval"]),
                task="t",
                model=rng.choice(["M1", "M2"]),
                sample_id=str(i),
                epoch=1,
                scenario=rng.choice(["s1", "s2"]),
                suite="deception",
                arm=rng.choice(["A", "B", "C"]),
                levels={},
                status="graded",
                run=rng.choice(["r1", "r2", "r3"]),
                usage=usage,
            )
        )
    prices = rng.choice(
        [
            None,
            Prices(
                models={"m1": Price(input=0.1, output=2 / 3), "m2": Price(input=1 / 3, output=15)}
            ),
            Prices(
                models={
                    m: Price(input=0.07, output=1.1, cache_read=0.03)
                    for m in ("m1", "m2", "unpriced")
                }
            ),
        ]
    )
    report = usage_report(samples, prices)
    spent = [s for s in samples if s.usage]
    for row in report.arms + report.runs:
        if row.scope == "arm":
            group = [
                s
                for s in spent
                if (s.model, s.scenario, s.arm) == (row.model, row.scenario, row.arm)
            ]
        else:
            group = [s for s in spent if (s.run, s.model) == (row.run, row.model)]
            assert row.logs == sorted({s.log for s in group})
        got = {
            "samples": row.samples,
            "roles": {
                r.role: (
                    r.model,
                    [
                        r.tokens.input_tokens,
                        r.tokens.output_tokens,
                        r.tokens.total_tokens,
                        r.tokens.input_tokens_cache_read,
                        r.tokens.input_tokens_cache_write,
                        r.tokens.reasoning_tokens,
                    ],
                    r.samples,
                )
                for r in sorted(row.roles, key=lambda r: r.role)
            },
            "cost": row.cost,
        }
        assert got == _one_group(group, prices)
    assert sum(r.samples for r in report.arms) == sum(r.samples for r in report.runs) == len(spent)


def test_roles_first_seen_in_one_sample_are_added_in_that_samples_order() -> None:
    """Two roles first spending in one sample (of the second run's cell) are added in that
    sample's order, not the order the cells were merged in: the cost to the last digit."""

    def spent(tokens: int) -> TokenUsage:
        return TokenUsage(model="m", input_tokens=tokens, output_tokens=tokens, total_tokens=0)

    def sample(i: int, run: str, usage: dict[str, TokenUsage]) -> SampleOutcome:
        return SampleOutcome(
            log="a.eval", task="t", model="M", sample_id=str(i), epoch=1, scenario="s",
            suite="deception", arm="A", levels={}, status="graded", run=run, usage=usage,
        )  # fmt: skip

    samples = [
        sample(0, "r1", {"counterparty": spent(249524)}),
        sample(1, "r2", {"grader": spent(570666), "auditor": spent(621430)}),
        sample(2, "r1", {"auditor": spent(621430)}),
    ]
    prices = Prices(models={"m": Price(input=0.1, output=0.7)})
    [arm] = usage_report(samples, prices).arms
    assert arm.cost == _one_group(samples, prices)["cost"] == 1.6504399999999997
