"""Blind labelling's queue: seeded, in balanced blocks drawn afresh, so position says nothing.

A labeller who met the arms in runs (all AI-overseer transcripts, then all human ones) could infer
the arm from the order, and so could one who met them in a fixed rotation (human, AI, absent,
human, AI, absent, ...) with the scenario on screen. The queue is a sequence of blocks: each block
holds one transcript of every stratum (task, scenario, model, arm) that still has one, in an
order shuffled afresh for that block, and each stratum's transcripts are shuffled too. Every
prefix is balanced across arms to within a block, and neither the arm nor the model at a position
can be told from the position. The order depends only on the seed (the labeller's name) and the
rows, so it is the same at every rerun and reload.

The queue holds only transcripts the grader read (`GRADER_READ`): blind labelling shows the
grader's input, and a sample whose grader was never called (the agent silent, a counterparty
refusing, a redaction leak, ...) has none, so showing it as "nothing to label" would tell its
status, which may follow the arm. Nor does it hold a transcript graded without redaction
(`redact=False`): its grader read the parties' species words, so its neutral view is not blind
(`unredacted` counts them, for the page to say so).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import get_args

from dashboard.models import SampleRow
from records.statuses import GraderFailure

Stratum = tuple[str, str, str, str]
GRADER_READ: frozenset[str] = frozenset(
    {"graded", "graders_disagree", "graders_tied", *get_args(GraderFailure)} - {"grader_error"}
)
"""Statuses of a sample whose grader was called and answered: it has a neutral transcript."""


def stratum(row: SampleRow) -> Stratum:
    """What the queue balances over: task, scenario, model and arm."""
    o = row.outcome
    return (o.task, o.scenario, o.model, o.arm)


def _graded_unredacted(row: SampleRow) -> bool:
    grader = row.outcome.grader
    return grader is not None and not grader.redacted


def blind_readable(row: SampleRow) -> bool:
    """The grader read this transcript, with every species cue redacted."""
    return row.outcome.status in GRADER_READ and not _graded_unredacted(row)


def unredacted(rows: Sequence[SampleRow]) -> int:
    """Transcripts the grader read unredacted (`redact=False`): none can be labelled blind."""
    return sum(1 for r in rows if _graded_unredacted(r))


def queue(rows: Sequence[SampleRow], seed: str) -> list[SampleRow]:
    """`rows` the grader read redacted, in labelling order: balanced blocks, each a fresh seeded
    permutation of the strata that still have a transcript; each stratum's transcripts
    shuffled."""
    by_stratum: dict[Stratum, list[SampleRow]] = {}
    for row in sorted((r for r in rows if blind_readable(r)), key=lambda r: r.ref):
        by_stratum.setdefault(stratum(row), []).append(row)
    rng = random.Random(f"candor-blind:{seed}")
    keys = sorted(by_stratum)
    for key in keys:
        rng.shuffle(by_stratum[key])
    ordered: list[SampleRow] = []
    for i in range(max((len(v) for v in by_stratum.values()), default=0)):
        block = [k for k in keys if i < len(by_stratum[k])]
        rng.shuffle(block)
        ordered += [by_stratum[k][i] for k in block]
    return ordered


def position_names(rows: Sequence[SampleRow], seed: str) -> dict[str, str]:
    """Each row's name in blind mode: its place in the queue, nothing else."""
    ordered = queue(rows, seed)
    return {r.ref: f"Transcript {i} of {len(ordered)}" for i, r in enumerate(ordered, start=1)}


def ref_key(ref: str) -> str:
    """An opaque stand-in for a sample reference in a widget key.

    Streamlit writes a widget's key into the page as a CSS class (`st-key-…`), and a reference
    names the arm (`log#scenario:overseer=ai@1`), so no key holds one."""
    return hashlib.sha256(ref.encode("utf-8")).hexdigest()[:16]
