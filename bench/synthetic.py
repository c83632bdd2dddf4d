"""A synthetic log directory for (c) and (d): real samples of real runs, cloned per epoch.

Templates are real Candor runs through the fake (messages, events, store, scores and metadata as
Candor writes them); each synthetic log takes every arm's first sample and clones it per epoch,
with verdicts drawn per arm (seeded) so arms differ and the report has contrasts to compute.
Setup, not timed.
"""

from __future__ import annotations

import importlib
import json
import random
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from inspect_ai.log import read_eval_log

from analysis.outcome_index import INDEX_SUFFIX, index_state, write_index
from bench.fakeserver.process import FakeServerProcess
from bench.providers import AI_MARKERS, OPENAI_CHAT
from bench.runner import TASKS, run_eval

# Inspect writes `.eval` members with Zstandard (zip method 93); `zipfile_zstd` teaches `zipfile`
# to write it too (the package Inspect itself uses for this on Python < 3.14).
importlib.import_module("zipfile_zstd")
ZSTANDARD = 93

SCENARIOS = ("blame_postmortem", "blame_director")
MODELS = 4  # × (4 + 3) arms of blame_postmortem and blame_director = 28 arms
SAMPLES_PER_ARM = 357  # × 28 arms: 9,996 samples
LARGE_PER_ARM = 3572  # × 28 arms: 100,016 samples


@dataclass(frozen=True)
class Synthetic:
    """A written synthetic log directory and what was written into it."""

    log_dir: Path
    samples: int
    arms: int
    logs: int


def index_problems(synthetic: Synthetic) -> list[str]:
    """A problem for each synthetic log whose outcome index is not current (a row timing the
    logs as a run leaves them would time reading the log instead)."""
    return [
        f"{log.name}: outcome index {state}"
        for log in sorted(synthetic.log_dir.glob("*.eval"))
        if (state := index_state(log)) != "current"
    ]


@contextmanager
def indexes_hidden(log_dir: Path) -> Iterator[None]:
    """The logs of `log_dir` without their outcome indexes while inside (moved to a folder
    beside it, and back)."""
    aside = log_dir.with_name(log_dir.name + "-indexes-aside")
    aside.mkdir(exist_ok=True)
    moved = [(index, aside / index.name) for index in log_dir.glob(f"*{INDEX_SUFFIX}")]
    for index, there in moved:
        index.rename(there)
    try:
        yield
    finally:
        for index, there in moved:
            there.rename(index)
        aside.rmdir()


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


def _members(template: str) -> dict[str, Any]:
    """The template log's header, summaries and samples as Inspect wrote them (JSON)."""
    with zipfile.ZipFile(template) as archive:
        return {
            name: json.loads(archive.read(name))
            for name in archive.namelist()
            if name in ("header.json", "summaries.json") or name.startswith("samples/")
        }


def _regraded(scores: dict[str, Any], deceptive: bool) -> dict[str, Any]:
    """A sample's (or summary's) scores with the verdict drawn for this clone."""
    label = "deceptive" if deceptive else "honest"
    out: dict[str, Any] = {}
    for name, score in scores.items():
        metadata = dict(score.get("metadata") or {})
        if isinstance(metadata.get("verdict"), dict):
            metadata["verdict"] = {**metadata["verdict"], "verdict": label}
        metadata["tactics"] = ["omitted_own_role"] if deceptive else []
        out[name] = {**score, "value": float(deceptive), "answer": label, "metadata": metadata}
    return out


def _clone(template: str, model: int, per_arm: int, out: str) -> tuple[int, int]:
    """One synthetic log of one synthetic model: (samples written, arms).

    Written member by member as Inspect lays a finished `.eval` out (`header.json`,
    `summaries.json`, one `samples/{id}_epoch_{n}.json` per sample, Zstandard), each sample the
    template's with its epoch, uuid and scores replaced: the same bytes Inspect would write for
    these samples, at a small part of the cost of validating and serialising them again.
    """
    members = _members(template)
    header = members["header.json"]
    firsts: dict[str, dict[str, Any]] = {}
    for summary in members["summaries.json"]:
        firsts.setdefault(str(summary["id"]), summary)
    rng = random.Random(f"{header['eval']['task']}:{model}")
    run = f"bench-{header['eval']['task']}-model-{model}"
    summaries: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=ZSTANDARD) as archive:
        for sample_id, first in firsts.items():
            sample = members[f"samples/{sample_id}_epoch_{first['epoch']}.json"]
            rate = rng.uniform(0.2, 0.9)
            for epoch in range(1, per_arm + 1):
                deceptive = rng.random() < rate
                uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{sample_id}/{epoch}"))
                changed = {"epoch": epoch, "uuid": uid}
                clone = {**sample, **changed, "scores": _regraded(sample["scores"], deceptive)}
                archive.writestr(f"samples/{sample_id}_epoch_{epoch}.json", json.dumps(clone))
                summaries.append(
                    {**first, **changed, "scores": _regraded(first["scores"], deceptive)}
                )
        archive.writestr("summaries.json", json.dumps(summaries))
        ids = {key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run}/{key}")) for key in ("eval", "task")}
        # an independent run of its own: every synthetic log counts (one episode, one count)
        spec = {
            **header["eval"],
            "model": f"synthetic/model-{model}",
            "run_id": run,
            "eval_id": ids["eval"],
            "task_id": ids["task"],
        }
        results = {**(header.get("results") or {})}
        results.update(total_samples=len(summaries), completed_samples=len(summaries))
        archive.writestr("header.json", json.dumps({**header, "eval": spec, "results": results}))
    if write_index(out) is None:  # as Candor's hook writes it when an Inspect task ends
        raise RuntimeError(f"no outcome index written for {out}")
    return len(summaries), len(firsts)


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
