"""`candor scenarios check`: prove that arms differ only in the declared party spans, and that
those spans differ only in identity text (`scenarios.purity`)."""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass

from scenarios.loader import (
    LoadedScenario,
    Projection,
    RenderedScenario,
    ScenarioError,
    all_arms,
    declared_spans,
    render,
    slot_assignments,
    species_of,
)
from scenarios.purity import impurities
from scenarios.schema import Scenario, Species


@dataclass(frozen=True)
class Problem:
    """One reason a scenario fails the check, with the text that shows it."""

    scenario: str
    message: str
    detail: str = ""
    file: str = ""
    """The scenario file the problem is in (`scenarios/.../scenario.yaml`)."""

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file and self.file not in self.message else ""
        return f"{where}{self.scenario}: {self.message}" + (
            f"\n{self.detail}" if self.detail else ""
        )


def party_cues(loaded: LoadedScenario) -> list[str]:
    """Every string that identifies a party in some species: span values and declared cues.

    Generic `species_terms` ("AI", "human") are not among them: they may stand in text shared by
    every arm (the agent itself is an AI), where they reveal nothing about the arm.
    """
    cues: set[str] = set()
    for party in loaded.spec.parties.values():
        for identity in party.identities():
            cues.update(value for value in identity.text.values())
            cues.update(identity.cues)
    for factor in loaded.spec.condition_factors().values():
        if not factor.grader_visible:
            cues.update(factor.cues)
    return sorted((c for c in cues if c.strip()), key=lambda c: (-len(c), c))


def _diff(key: str, a: RenderedScenario, b: RenderedScenario, projection: Projection) -> str:
    left = a.text(key, projection).splitlines()
    right = b.text(key, projection).splitlines()
    return "\n".join(
        difflib.unified_diff(
            left, right, fromfile=f"{a.arm.name}:{key}", tofile=f"{b.arm.name}:{key}", lineterm=""
        )
    )


def _altered_spans(sid: str, spec: Scenario, rendered: RenderedScenario) -> list[Problem]:
    """A span must render exactly its declared value: a template that filters or edits a span
    (`{{ director.title | replace(...) }}`) could change behaviour inside it, by species, where
    neither the skeleton diff nor the purity of the declared values would see it."""
    declared = declared_spans(spec, rendered.arm, rendered.slot)
    found: list[Problem] = []
    for key, text in rendered.texts.items():
        for name, value in text.spans():
            if declared.get(name) != value:
                found.append(
                    Problem(
                        sid,
                        f"'{key}' in arm {rendered.arm.name} (slot {rendered.slot}): span "
                        f"'{name}' renders {value!r}, but its declared value is "
                        f"{declared.get(name)!r}; print a span as declared (no filter or "
                        "expression on it), and write shared text outside it",
                    )
                )
                break
    return found


def check_scenario(loaded: LoadedScenario) -> list[Problem]:
    """Render every arm at every combination of the parties' identity slots and compare every
    pair outside the party spans;
    check that every party span differs only in identity text (`scenarios.purity`).

    Two arms in which the same parties are present compare in full; two arms where a party is
    absent in one compare with presence blocks folded (`outline`). Also fails when the neutral
    text (what the grader sees) still contains a party's cue, which happens when a template
    writes a party's name or title outside a span.
    """
    problems = [
        Problem(p.scenario, p.message, p.detail, file=str(loaded.file)) for p in _problems(loaded)
    ]
    return problems


def _problems(loaded: LoadedScenario) -> list[Problem]:
    sid = loaded.id
    spec = loaded.spec
    problems: list[Problem] = [
        Problem(sid, f"{p.party}.{p.key}: {p.message}", p.detail) for p in impurities(spec)
    ]
    try:
        rendered = [
            render(loaded, arm, slots) for slots in slot_assignments(spec) for arm in all_arms(spec)
        ]
    except ScenarioError as exc:
        return [*problems, Problem(sid, str(exc))]
    for r in rendered:
        problems += _altered_spans(sid, spec, r)
    for a, b in itertools.combinations(rendered, 2):
        if set(a.texts) != set(b.texts):
            problems.append(
                Problem(sid, f"arms {a.arm.name} and {b.arm.name} render different text keys")
            )
            continue
        absent = {
            name
            for arm in (a.arm, b.arm)
            for name, species in species_of(spec, arm).items()
            if species == Species.ABSENT
        }
        same_presence = all(
            (species_of(spec, a.arm)[n] == Species.ABSENT)
            == (species_of(spec, b.arm)[n] == Species.ABSENT)
            for n in absent
        )
        projection: Projection = "skeleton" if same_presence else "outline"
        for key in a.texts:
            if a.text(key, projection) != b.text(key, projection):
                where = f"{a.arm.name} (slot {a.slot}) and {b.arm.name} (slot {b.slot})"
                problems.append(
                    Problem(
                        sid,
                        f"arms {where} differ outside party spans in '{key}'",
                        _diff(key, a, b, projection),
                    )
                )
                break
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
