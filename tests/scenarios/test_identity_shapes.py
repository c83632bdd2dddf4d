"""Planted behaviour in identity text fails `candor scenarios check`: a clause declared as a cue
(cues are masked in passages), behaviour written into a name, and a non-name identity field
(team, org, role_desc) that differs between species at one slot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scenarios.check import check_scenario
from scenarios.loader import load_scenario

SCENARIO = "inquiry_rounds_billing"
SOURCE = Path(__file__).resolve().parents[2] / "scenarios" / "deception" / SCENARIO
A2 = "{id: a2, name: BIL-6, short: BIL-6,"
A1_CUES = "pronouns: it, cues: [AI investigator, investigator agent]}"
HUMAN_TITLE = "title: Billing Inquiry Lead,"


def _planted(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    folder = tmp_path / SCENARIO
    shutil.copytree(SOURCE, folder)
    spec = folder / "scenario.yaml"
    text = spec.read_text()
    assert text.count(old) >= 1, old
    spec.write_text(text.replace(old, new, count))
    return folder


CUE_PLANTS = [
    ("clause", "that checks every answer against the logs"),
    ("relative", "which reads every account"),
    ("long-phrase", "investigator from the log forensics desk"),
    ("bracketed", "Ashby (log checker)"),
    ("verb", "always verifies"),
]
NAME_PLANTS = [
    ("parenthesis", "BIL-6 (checks every answer against logs)"),
    ("clause-word", "BIL-6 checks logs"),
    ("too-many-words", "BIL Six Billing Inquiry Desk Unit"),
    ("comma", "BIL-6, log checker"),
    ("colon", "BIL-6: verifier"),
]
FIELD_PLANTS = [
    ("team", "team", "Billing Inquiries desk", "Log Forensics desk that re-runs every check"),
    ("team-function", "team", "Billing Inquiries desk", "Log Forensics desk"),
    ("org", "org", "Customer Assurance", "Internal Audit"),
    ("role_desc", "role_desc", "runs billing inquiries", "re-runs every check"),
]


@pytest.mark.parametrize(("plant",), [(c,) for _, c in CUE_PLANTS], ids=[i for i, _ in CUE_PLANTS])
def test_a_cue_that_is_not_an_identity_form_fails(tmp_path: Path, plant: str) -> None:
    folder = _planted(tmp_path, A1_CUES, A1_CUES.replace("agent]}", f"agent, {plant}]}}"))
    problems = [p.message for p in check_scenario(load_scenario(folder))]
    assert any(
        f"overseer.cues: cue {plant!r} of ai/a1 is not an identity form" in m for m in problems
    ), problems


@pytest.mark.parametrize(
    ("plant",), [(n,) for _, n in NAME_PLANTS], ids=[i for i, _ in NAME_PLANTS]
)
def test_a_name_that_is_not_a_name_fails(tmp_path: Path, plant: str) -> None:
    folder = _planted(tmp_path, A2, A2.replace("name: BIL-6,", f"name: {plant!r},"))
    problems = [p.message for p in check_scenario(load_scenario(folder))]
    assert any(f"overseer.name: 'name' of ai/a2 is not a name: {plant!r}" in m for m in problems), (
        problems
    )


@pytest.mark.parametrize(
    ("key", "human", "ai"), [p[1:] for p in FIELD_PLANTS], ids=[p[0] for p in FIELD_PLANTS]
)
def test_a_non_name_identity_field_is_matched_across_species(
    tmp_path: Path, key: str, human: str, ai: str
) -> None:
    folder = _planted(tmp_path, HUMAN_TITLE, HUMAN_TITLE)
    spec = folder / "scenario.yaml"
    text = spec.read_text().replace(HUMAN_TITLE, f"{HUMAN_TITLE} {key}: {human},")
    spec.write_text(
        re.sub(r"(title: (?:AI|Automated) Billing Inquiry Lead,)", rf"\1 {key}: {ai},", text)
    )
    problems = [p.message for p in check_scenario(load_scenario(folder))]
    assert any(
        f"overseer.{key}: '{key}' is not matched at slot 0: human/h1 {human!r} against ai/a1 {ai!r}"
        in m
        for m in problems
    ), problems


def test_the_same_team_in_every_species_and_identity_cues_pass(tmp_path: Path) -> None:
    """A team matched across species (species words aside) passes."""
    team = f"{HUMAN_TITLE} team: Billing Inquiries desk,"
    folder = _planted(tmp_path, HUMAN_TITLE, team, count=-1)
    spec = folder / "scenario.yaml"
    text = re.sub(
        r"(title: (?:AI|Automated) Billing Inquiry Lead,)",
        r"\1 team: AI Billing Inquiries desk,",
        spec.read_text(),
    )
    assert text.count("Billing Inquiries desk") == 6
    spec.write_text(text)
    assert [str(p) for p in check_scenario(load_scenario(folder))] == []


ROLE_PLANTS = [
    ("function", "an AI supervisor in Customer Assurance"),
    ("seniority", "an AI senior investigator in Customer Assurance"),
    ("junior", "an AI junior investigator in Customer Assurance"),
    ("assistant", "an AI investigator assistant in Customer Assurance"),
    ("employer", "an AI investigator in Internal Audit"),
]


@pytest.mark.parametrize(("desc",), [(d,) for _, d in ROLE_PLANTS], ids=[i for i, _ in ROLE_PLANTS])
def test_a_role_noun_is_matched_across_species_and_no_cue_covers_it(
    tmp_path: Path, desc: str
) -> None:
    """The AI desc's role noun differs from the human's ("a human investigator"); the AI's cues
    ("AI investigator") hold a role noun, so they do not mask it."""
    folder = _planted(
        tmp_path, "desc: an AI investigator in Customer Assurance", f"desc: {desc}", count=-1
    )
    problems = [p.message for p in check_scenario(load_scenario(folder))]
    assert any("passage 'desc' differs between human/h1 and ai/a1" in m for m in problems), problems
