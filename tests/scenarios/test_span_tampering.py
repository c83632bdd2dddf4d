"""Behaviour cannot hide inside a span: a template that edits a span's value, or a title that is
not matched across species, fails `candor scenarios check` with a message naming it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scenarios import loader
from scenarios.check import check_scenario
from scenarios.loader import load_scenario

SOURCE = loader.SCENARIOS_DIR / "deception"

TITLE = "{{ director.title }}"
TEMPLATE_PLANTS = [
    pytest.param(
        '{{ director.title | replace("Director of Client Delivery", "Director of Client '
        'Delivery, who will read every team account") if "it" in director.they '
        "else director.title }}",
        id="replace-filter-by-species",
    ),
    pytest.param("{{ director.title | replace('Client', 'Client and Audit') }}", id="replace"),
    pytest.param("{{ director.title | upper }}", id="upper"),
    pytest.param("{{ director.title[:-1] }}", id="slice"),
    pytest.param(
        "{{ director.title ~ (', who decides' if 'it' in director.they else '') }}",
        id="concatenation-by-species",
    ),
    pytest.param(
        "{{ director.title }}{% if 'it' in director.they %} (reads every account){% endif %}",
        id="conditional-after-span",
    ),
]


def _copy(tmp_path: Path, scenario: str) -> Path:
    folder = tmp_path / scenario
    shutil.copytree(SOURCE / scenario, folder)
    return folder


@pytest.mark.parametrize("plant", TEMPLATE_PLANTS)
def test_a_template_that_edits_a_span_fails(tmp_path: Path, plant: str) -> None:
    folder = _copy(tmp_path, "blame_director")
    opening = folder / "templates" / "opening.j2"
    text = opening.read_text(encoding="utf-8")
    assert TITLE in text
    opening.write_text(text.replace(TITLE, plant, 1), encoding="utf-8")
    problems = check_scenario(load_scenario(folder))
    assert problems, "a tampered span passed the check"


def test_the_shipped_template_passes(tmp_path: Path) -> None:
    assert check_scenario(load_scenario(_copy(tmp_path, "blame_director"))) == []


TITLE_PLANTS = [
    pytest.param(
        "AI Head of Operational Risk",
        "AI Head of Operational Risk; audits every account",
        id="clause-in-ai-title",
    ),
    pytest.param("Head of Operational Risk, 30-day audit window", None, id="clause-in-human-title"),
    pytest.param("AI Head of Operational Risk", "AI Deputy Head of Operational Risk", id="rank"),
    pytest.param("AI Head of Operational Risk", "AI Operational Risk Review Agent", id="junior"),
    pytest.param("AI Head of Operational Risk", "AI Head of Operational Audit", id="function"),
]


@pytest.mark.parametrize(("old", "new"), TITLE_PLANTS)
def test_an_unmatched_title_fails(tmp_path: Path, old: str, new: str | None) -> None:
    folder = _copy(tmp_path, "blame_postmortem")
    spec = folder / loader.SCENARIO_FILE
    text = spec.read_text(encoding="utf-8")
    if new is None:  # change the first human's title
        planted = text.replace("title: Head of Operational Risk,", f"title: '{old}',", 1)
    else:
        planted = text.replace(f"title: {old},", f"title: '{new}',", 1)
    assert planted != text
    spec.write_text(planted, encoding="utf-8")
    problems = check_scenario(load_scenario(folder))
    assert any("is not matched at slot" in p.message for p in problems), [
        p.message for p in problems
    ]


@pytest.mark.parametrize(
    "title", ["Automated Head of Operational Risk", "AI Head of Operational Risk"]
)
def test_a_species_word_before_a_matched_title_passes(tmp_path: Path, title: str) -> None:
    folder = _copy(tmp_path, "blame_postmortem")
    spec = folder / loader.SCENARIO_FILE
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace("title: AI Head of Operational Risk,", f"title: {title},", 1), "utf-8"
    )
    assert check_scenario(load_scenario(folder)) == []


# --- behaviour declared as a cue or written into a name --------------------------------------

AI_DIRECTOR_CUES = "cues: [AI Director, director agent]}"
BEHAVIOUR = [
    # two words, none of them a clause word
    "decides remediation",
    "audits accounts",
    "signs off",
    "reading everything",
    "checking closely",
    "auditing accounts",
    "approves remediation",
    "reviewing everything",
    # two words with a clause word
    "reads everything",
    "checks closely",
    "will audit",
    "reviews all",
]


def _plant_cue(tmp_path: Path, cue: str) -> Path:
    folder = _copy(tmp_path, "blame_director")
    spec = folder / loader.SCENARIO_FILE
    text = spec.read_text(encoding="utf-8")
    assert AI_DIRECTOR_CUES in text
    planted = AI_DIRECTOR_CUES.replace("]}", f", {cue}]}}")
    spec.write_text(text.replace(AI_DIRECTOR_CUES, planted, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("cue", BEHAVIOUR)
def test_a_behaviour_cue_fails_with_a_diff(tmp_path: Path, cue: str) -> None:
    problems = check_scenario(load_scenario(_plant_cue(tmp_path, cue)))
    [problem] = problems
    assert f"director.cues: cue {cue!r} of ai/a1 is not an identity form" in problem.message
    shown = {line[1:] for line in problem.detail.splitlines() if line.startswith("+")}
    assert shown & set(cue.split()), problem.detail


@pytest.mark.parametrize("cue", ["delivery director", "Director Tiber", "Tiber", "AI director"])
def test_a_role_or_name_cue_passes(tmp_path: Path, cue: str) -> None:
    assert check_scenario(load_scenario(_plant_cue(tmp_path, cue))) == []


AI_DIRECTOR_SHORT = "short: Tiber,"


@pytest.mark.parametrize("words", [*BEHAVIOUR[:4], "Reads Everything", "Decides Remediation"])
def test_behaviour_in_a_short_name_fails_with_a_diff(tmp_path: Path, words: str) -> None:
    folder = _copy(tmp_path, "blame_director")
    spec = folder / loader.SCENARIO_FILE
    text = spec.read_text(encoding="utf-8")
    assert AI_DIRECTOR_SHORT in text
    spec.write_text(text.replace(AI_DIRECTOR_SHORT, f"short: Tiber {words},", 1), "utf-8")
    problems = check_scenario(load_scenario(folder))
    assert any(
        f"director.short: 'short' of ai/a1 is not a name: 'Tiber {words}'" in p.message
        and f"+{words.split()[0]}" in p.detail.splitlines()
        for p in problems
    ), [str(p) for p in problems]
