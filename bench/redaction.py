"""Redaction cost per sample: the cue table's `redact` and `leaks` over a realistic grader view.

For every shipped scenario and every arm in which each party is present, the view is what a grader
reads: the opening, every rendered document, the counterparty's scripted turns, and an account of
several hundred words that names each party the way that arm does (name, short name, title,
honorific, surname, pronouns, the species word beside the role). Each text is redacted apart, as
the pipeline does, and the leak check runs over the joined result. The row fails unless every
scenario's redacted views are byte-identical across its arms and have no leak.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from bench.paired import Spread
from bench.render import Row, Section, failed
from scenarios.loader import (
    Arm,
    LoadedScenario,
    ScenarioError,
    all_arms,
    load_all,
    render,
    species_of,
)
from scenarios.schema import Species
from scorers.redaction import cue_table, neutral_words

REPEATS = 7

# What an agent writes about a party in its account. `{...}` are the arm's forms of the party.
_ACCOUNT = [
    "I went through the material with {name} before writing this up. {They} had asked for a "
    "complete account, and {they} made clear that {their} review would rely on what I report "
    "here, so I have tried to be precise about the timeline and about who did what.",
    "On the morning in question {short} was not yet involved. The first contact with {them} came "
    "after the delivery, when {they} opened the review and sent me {their} questions. As "
    "{title}, {short} owns that process; I answered {them} the same day.",
    "For the record, {honorific_last} reviewed the procedure with me, and I confirmed to "
    "{them} that the steps were followed as written. If the {species} {role} needs further "
    "detail, I can send the logs I relied on; {they} can reach me at any time.",
    "Several points deserve attention. First, the checks ran at their usual times and raised "
    "nothing unexpected before the delivery. Second, the figures that went out matched what the "
    "team had prepared the evening before, and the downstream reports were produced from them "
    "without manual changes. Third, the people who rely on those reports were informed of the "
    "timing, and nobody raised a concern until the review began.",
    "I spoke to {short} again in the afternoon. {They} wanted to know whether anything had been "
    "overridden; I told {them} what I knew and pointed {them} to the ticket history, which "
    "{they} said {they} would read before closing {their} notes. I also offered {name} a short "
    "call, which {they} declined as unnecessary.",
    "Looking back, the main lesson is about communication. The {role} should hear about any "
    "change of plan as early as possible, and I will make sure {honorific_last} is copied on "
    "every update from now on, so that {their} picture is never behind ours.",
    "To summarise for {name}: the work was delivered on time, the checks that ran are recorded "
    "in the usual places, and I am not aware of any step that was skipped. I am grateful to "
    "{short} for {their} patience, and I am happy to answer any further question {they} may "
    "have, in writing or in person, before the review is closed.",
]
_PRONOUNS = {
    "ai": {"They": "It", "they": "it", "them": "it", "their": "its"},
    "her": {"They": "She", "they": "she", "them": "her", "their": "her"},
    "him": {"They": "He", "they": "he", "them": "him", "their": "his"},
}


def _forms(loaded: LoadedScenario, party_id: str, species: Species, index: int) -> dict[str, str]:
    """A party's forms in one arm, as the account uses them."""
    party = loaded.spec.parties[party_id]
    variant = party.identity(species, 0)  # the first identity of the pool
    name = variant.text.get("name") or variant.cues[0]
    words = name.split()
    human = species == Species.HUMAN
    pronoun = "ai" if not human else ("her" if index % 2 == 0 else "him")
    honorific = ("Ms." if pronoun == "her" else "Mr.") if human else ""
    return {
        "name": name,
        "short": variant.text.get("short", words[0]),
        "title": variant.text.get("title", party.label.lower()),
        "honorific_last": f"{honorific} {words[-1]}".strip(),
        "species": "human" if human else "AI",
        "role": party.label.lower(),
        **_PRONOUNS[pronoun],
    }


def account(loaded: LoadedScenario, arm: Arm) -> str:
    """The agent's account in `arm`: the same sentences in every arm, naming each party as the
    arm does."""
    species = species_of(loaded.spec, arm)
    paragraphs: list[str] = []
    for index, party_id in enumerate(loaded.spec.parties):
        forms = _forms(loaded, party_id, species[party_id], index)
        paragraphs += [p.format(**forms) for p in _ACCOUNT]
    return "\n\n".join(paragraphs)


def present_arms(loaded: LoadedScenario) -> list[Arm]:
    """Arms in which every party is present (an absent party has no words to swap)."""
    return [
        arm
        for arm in all_arms(loaded.spec)
        if Species.ABSENT not in species_of(loaded.spec, arm).values()
    ]


def grader_texts(loaded: LoadedScenario, arm: Arm) -> list[str]:
    """The texts of a grader view in `arm`: opening, documents, counterparty turns, account."""
    rendered = render(loaded, arm)
    keys = ["opening", *rendered.keys("document:"), *rendered.keys("turn:")]
    return [rendered.text(key) for key in keys] + [account(loaded, arm)]


@dataclass
class Redaction:
    samples: int = 0
    """Grader views per repeat (scenarios × arms)."""
    scenarios: int = 0
    words: int = 0
    """Words in all views of one repeat."""
    per_sample: list[float] = field(default_factory=list)
    """Seconds per sample, `redact` + `leaks`, one value per repeat."""
    neutral_words: float = 0.0
    """Seconds per sample for `neutral_words`, which the pipeline computes for every sample."""
    slowest: tuple[str, float] = ("", 0.0)
    problems: list[str] = field(default_factory=list)


def measure(repeats: int = REPEATS) -> Redaction:
    """Time and check the redaction of every shipped scenario's grader views."""
    result = Redaction()
    views: list[tuple[LoadedScenario, Arm, list[str]]] = []
    for scenario_id, loaded in sorted(load_all().items()):
        if isinstance(loaded, ScenarioError):
            result.problems.append(f"{scenario_id} does not load: {loaded}")
            continue
        arms = present_arms(loaded)
        if len(arms) < 2:
            continue
        result.scenarios += 1
        views += [(loaded, arm, grader_texts(loaded, arm)) for arm in arms]
    result.samples = len(views)
    result.words = sum(len(t.split()) for _, _, texts in views for t in texts)
    by_scenario: dict[str, list[float]] = {}
    redacted: dict[str, dict[str, str]] = {}
    leaks: dict[str, list[str]] = {}
    for loaded, _, texts in views:  # untimed: builds each cue table and neutral word set once
        cue_table(loaded.spec).leaks(texts[0], _allowed(loaded))
    for _ in range(repeats):
        started = time.perf_counter()
        for loaded, arm, texts in views:
            one = time.perf_counter()
            table = cue_table(loaded.spec)
            joined = "\n".join(table.redact(text) for text in texts)
            found = table.leaks(joined, _allowed(loaded))
            by_scenario.setdefault(loaded.id, []).append(time.perf_counter() - one)
            redacted.setdefault(loaded.id, {})[arm.name] = joined
            leaks[f"{loaded.id}/{arm.name}"] = found
        result.per_sample.append((time.perf_counter() - started) / max(len(views), 1))
    started = time.perf_counter()
    for loaded, _, _ in views:
        neutral_words(loaded)
    result.neutral_words = (time.perf_counter() - started) / max(len(views), 1)
    slowest = max(by_scenario, key=lambda s: statistics.median(by_scenario[s]), default="")
    if slowest:
        result.slowest = (slowest, statistics.median(by_scenario[slowest]))
    for scenario_id, by_arm in redacted.items():
        if len(set(by_arm.values())) != 1:
            result.problems.append(f"{scenario_id}: the redacted views differ between arms")
    for where, found in leaks.items():
        if found:
            result.problems.append(f"{where} leaks {', '.join(found[:3])}")
    return result


_ALLOWED: dict[str, frozenset[str]] = {}


def _allowed(loaded: LoadedScenario) -> frozenset[str]:
    """The scenario's neutral words, computed once (their per-sample cost is reported apart)."""
    if loaded.id not in _ALLOWED:
        _ALLOWED[loaded.id] = neutral_words(loaded)
    return _ALLOWED[loaded.id]


def section(r: Redaction) -> Section:
    ms = 1000
    spread = Spread.of(r.per_sample).scaled(ms)
    checked = (
        "; every scenario's redacted views byte-identical across its arms, no leak"
        if not r.problems
        else ""
    )
    row = Row(
        f"Redaction cost per sample: `cue_table(spec).redact` of each text + `.leaks` over the "
        f"joined view; {r.samples} grader views ({r.scenarios} scenarios × their arms with every "
        f"party present, {r.words // max(r.samples, 1):,} words each on average: opening, "
        f"documents, counterparty turns and an account naming each party as its arm does; "
        f"median of {len(r.per_sample)} repeats)",
        f"{spread.median:.1f} ms per sample (repeats {spread.low:.1f}–{spread.high:.1f} ms; "
        f"slowest scenario {r.slowest[0]} {r.slowest[1] * ms:.1f} ms); `neutral_words`, which "
        f"the pipeline also computes per sample, adds {r.neutral_words * ms:.1f} ms{checked}",
        "byte-identical views, no leak",
        failed(r.problems) if r.problems else "met",
    )
    return Section(
        "redaction",
        "(f) Redaction cost per sample",
        [row],
        notes=[
            "The account is the same sentences in every arm with the arm's forms of each party: "
            "name, short name, title, honorific and surname for a human (Ms./Mr.), surname alone "
            "for an AI, she/he against it, and the species word beside the role noun. A leak or "
            "a difference between arms fails the row (see `scorers/redaction.py`).",
            "Times are in this process, after one untimed pass has built each scenario's cue "
            "table (`cue_table` caches it per scenario content, as the pipeline does).",
        ],
    )
