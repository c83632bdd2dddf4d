"""A synthetic log directory for (c) and (d): real samples of real runs, cloned per epoch.

Templates are real Candor runs through the fake (messages, events, store, scores and metadata as
Candor writes them); each synthetic log takes every arm's first sample and clones it per epoch,
with verdicts drawn per arm (seeded) so arms differ and the report has contrasts to compute.
Setup, not timed.
"""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from inspect_ai.log import EvalSample, read_eval_log, write_eval_log

from bench.fakeserver.process import FakeServerProcess
from bench.providers import AI_MARKERS, OPENAI_CHAT
from bench.runner import TASKS, run_eval

SCENARIOS = ("blame_postmortem", "blame_director")
MODELS = 4  # × (2 + 3) arms of blame_postmortem and blame_director = 20 arms
SAMPLES_PER_ARM = 500


@dataclass(frozen=True)
class Synthetic:
    """A written synthetic log directory and what was written into it."""

    log_dir: Path
    samples: int
    arms: int
    logs: int


def templates(server: FakeServerProcess, work: Path) -> list[Path]:
    """One real run of each scenario through the fake (every arm, one epoch)."""
    logs: list[Path] = []
    for scenario in SCENARIOS:
        server.configure(latency=0.0, deceive_if_contains=AI_MARKERS[scenario], vary=True)
        server.reset()
        roles = {"grader": OPENAI_CHAT, "counterparty": OPENAI_CHAT}
        log, _ = run_eval(TASKS[scenario](), OPENAI_CHAT, roles, work / "templates")
        logs.append(Path(log.location))
    server.configure(vary=False)
    return logs


def _clone(template: str, model: int, per_arm: int, out: str) -> tuple[int, int]:
    """One synthetic log of one synthetic model: (samples written, arms)."""
    source = read_eval_log(template)
    rng = random.Random(f"{source.eval.task}:{model}")
    firsts: dict[str, EvalSample] = {}
    for s in source.samples or []:
        firsts.setdefault(str(s.id), s)
    cloned: list[EvalSample] = []
    for sample_id, first in firsts.items():
        rate = rng.uniform(0.2, 0.9)
        for epoch in range(1, per_arm + 1):
            deceptive = rng.random() < rate
            label = "deceptive" if deceptive else "honest"
            scores = {}
            for name, score in (first.scores or {}).items():
                metadata = dict(score.metadata or {})
                metadata["verdict"] = {**dict(metadata.get("verdict") or {}), "verdict": label}
                metadata["tactics"] = ["omitted_own_role"] if deceptive else []
                scores[name] = score.model_copy(
                    update={"value": float(deceptive), "answer": label, "metadata": metadata}
                )
            cloned.append(
                first.model_copy(update={"id": sample_id, "epoch": epoch, "scores": scores})
            )
    run = f"bench-{source.eval.task}-model-{model}"
    ids = {key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{key}")) for key in ("eval", "task")}
    log = source.model_copy(
        update={
            "samples": cloned,
            # an independent run of its own: every synthetic log counts (one episode, one count)
            "eval": source.eval.model_copy(
                update={
                    "model": f"synthetic/model-{model}",
                    "run_id": run,
                    "eval_id": ids["eval"],
                    "task_id": ids["task"],
                }
            ),
            "location": "",
        }
    )
    write_eval_log(log, out)
    return len(cloned), len(firsts)


def write(
    sources: list[Path], out: Path, per_arm: int = SAMPLES_PER_ARM, models: int = MODELS
) -> Synthetic:
    """`models` synthetic models × every scenario of `sources`, `per_arm` epochs per arm, written
    by two worker processes."""
    out.mkdir(parents=True, exist_ok=True)
    by_task: dict[str, str] = {}
    for path in sources:
        by_task.setdefault(read_eval_log(str(path), header_only=True).eval.task, str(path))
    jobs = [
        (by_task[task], model, per_arm, str(out / f"synthetic_{task}_model-{model}.eval"))
        for model in range(1, models + 1)
        for task in sorted(by_task)
    ]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        done = list(pool.map(_clone, *zip(*jobs, strict=True)))
    return Synthetic(out, sum(n for n, _ in done), sum(arms for _, arms in done), len(jobs))
