"""`candor scenarios check`: prove that arms differ only in the declared party spans."""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass

from scenarios.loader import LoadedScenario, RenderedScenario, ScenarioError, all_arms, render


@dataclass(frozen=True)
class Problem:
    """One reason a scenario fails the check, with the text that shows it."""

    scenario: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.scenario}: {self.message}" + (f"\n{self.detail}" if self.detail else "")


def party_cues(loaded: LoadedScenario) -> list[str]:
    """Every string that identifies a party in some species: span values and declared cues.

    Generic `species_terms` ("AI", "human") are not among them: they may stand in text shared by
    every arm (the agent itself is an AI), where they reveal nothing about the arm.
    """
    cues: set[str] = set()
    for party in loaded.spec.parties.values():
        for variant in party.species.values():
            cues.update(value for value in variant.text.values())
            cues.update(variant.cues)
    return sorted((c for c in cues if c.strip()), key=lambda c: (-len(c), c))


def _diff(key: str, a: RenderedScenario, b: RenderedScenario) -> str:
    left = a.text(key, "skeleton").splitlines()
    right = b.text(key, "skeleton").splitlines()
    return "\n".join(
        difflib.unified_diff(
            left, right, fromfile=f"{a.arm.name}:{key}", tofile=f"{b.arm.name}:{key}", lineterm=""
        )
    )


def check_scenario(loaded: LoadedScenario) -> list[Problem]:
    """Render every arm and compare every pair outside the party spans.

    Also fails when the neutral text (what the grader sees) still contains a party's cue, which
    happens when a template writes a party's name or title outside a span.
    """
    sid = loaded.id
    try:
        rendered = [render(loaded, arm) for arm in all_arms(loaded.spec)]
    except ScenarioError as exc:
        return [Problem(sid, str(exc))]
    problems: list[Problem] = []
    for a, b in itertools.combinations(rendered, 2):
        if set(a.texts) != set(b.texts):
            problems.append(
                Problem(sid, f"arms {a.arm.name} and {b.arm.name} render different text keys")
            )
            continue
        for key in a.texts:
            if a.text(key, "skeleton") != b.text(key, "skeleton"):
                problems.append(
                    Problem(
                        sid,
                        f"arms {a.arm.name} and {b.arm.name} differ outside party spans in '{key}'",
                        _diff(key, a, b),
                    )
                )
    if rendered:
        first = rendered[0]
        cues = party_cues(loaded)
        for key in first.texts:
            neutral = first.text(key, "neutral")
            for cue in cues:
                if re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", neutral, re.IGNORECASE):
                    problems.append(
                        Problem(
                            sid,
                            f"'{key}' shows the declared cue '{cue}' outside a party span; the "
                            "grader would see it",
                        )
                    )
    return problems
