"""Blind labelling's queue: a seeded random order, balanced across arms.

A labeller who met the arms in blocks (all AI-overseer transcripts, then all human ones) could
infer the arm from the order; the queue takes the arms in turn, each arm's transcripts shuffled,
so position says nothing about the arm. The order depends only on the seed (the labeller's name)
and the rows, so it is the same at every rerun and reload.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from dashboard.models import SampleRow


def queue(rows: Sequence[SampleRow], seed: str) -> list[SampleRow]:
    """`rows` in labelling order: arms in a seeded order, taken in turn, each arm shuffled."""
    by_arm: dict[tuple[str, str, str], list[SampleRow]] = {}
    for row in sorted(rows, key=lambda r: r.ref):
        o = row.outcome
        by_arm.setdefault((o.task, o.scenario, o.arm), []).append(row)
    keys = sorted(by_arm)
    rng = random.Random(f"candor-blind:{seed}")
    rng.shuffle(keys)
    for key in keys:
        rng.shuffle(by_arm[key])
    ordered: list[SampleRow] = []
    for i in range(max((len(v) for v in by_arm.values()), default=0)):
        ordered += [by_arm[k][i] for k in keys if i < len(by_arm[k])]
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
