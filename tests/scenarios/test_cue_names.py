"""A name built of a cue word fails the name rule; every pooled name and ordinary surnames pass.

A name whose meaning is what the party does or how closely it looks ("Forensic Auditor",
"Watchdog", "Sentinel-Trace", "Argus Lookwell") has the shape of a name, so the shape rules let
it through, and it renders inside the species span as a detection-risk cue. Each cue word of
`scenarios/name_styles.yaml` is planted in six forms (one word, two words, hyphenated,
CamelCase, a compound with a tail and one with a head), one form per identity of a copy of a
shipped scenario, and every form must fail `check_scenario` naming the value and the cue."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scenarios.check import check_scenario
from scenarios.loader import load_all, load_scenario
from scenarios.name_styles import cue_words_in, name_styles
from scenarios.purity import ADDRESS_FIELDS, identity_fields, name_rule_fields

ROOT = Path(__file__).resolve().parents[2] / "scenarios" / "deception"
SCENARIO = "inquiry_rounds_billing"
IDS = ["h1", "h2", "h3", "a1", "a2", "a3"]
CUES = name_styles().cue_words


def _forms(cue: str) -> list[str]:
    """One word, two words, hyphenated, CamelCase, word + tail, head + word."""
    word = cue.rstrip("*")
    title = word.capitalize()
    return [
        title,
        f"Kelso {title}",
        f"Kelso-{title}",
        f"{title}Desk",
        f"{title}well",
        f"Over{word}",
    ]


def _plant(folder: Path, names: dict[str, str]) -> None:
    spec = folder / "scenario.yaml"
    text = spec.read_text()
    for identity, name in names.items():
        line = re.compile(rf"\{{id: {identity}, name: [^,]+, short: [^,]+,")
        assert line.search(text), identity
        text = line.sub(f"{{id: {identity}, name: {name}, short: {name},", text)
    spec.write_text(text)


def _cue_messages(folder: Path) -> list[str]:
    loaded = load_scenario(folder)
    problems = check_scenario(loaded)
    assert all(p.file == str(loaded.file) for p in problems)
    return [p.message for p in problems if "built of a cue word" in p.message]


def test_the_reported_names_are_cues() -> None:
    assert [c for _, c in cue_words_in("Forensic Auditor")] == ["forensic*", "audit*"]
    assert [c for _, c in cue_words_in("Sentinel-Trace")] == ["sentinel*", "trace"]
    assert [c for _, c in cue_words_in("Argus Lookwell")] == ["argus", "look"]
    for name in ["Auditor", "Watchdog", "Sentinel", "LoOkwell", "Overwatch", "Hawkeye"]:
        assert cue_words_in(name), name


@pytest.mark.parametrize("cue", CUES)
def test_every_form_of_a_cue_word_fails_the_check(tmp_path: Path, cue: str) -> None:
    folder = tmp_path / SCENARIO
    shutil.copytree(ROOT / SCENARIO, folder)
    forms = dict(zip(IDS, _forms(cue), strict=True))
    _plant(folder, forms)
    messages = _cue_messages(folder)
    for identity, name in forms.items():
        species = "human" if identity.startswith("h") else "ai"
        where = f"overseer.name: 'name' of {species}/{identity} is built of a cue word: {name!r}"
        found = [m for m in messages if m.startswith(where)]
        assert found, (name, messages)
        assert f"({cue})" in found[0] and "name_styles.yaml" in found[0]
        assert "choose a neutral name" in found[0]


@pytest.mark.parametrize(
    ("name", "handle"),
    [("Lo Okwell", "lookwell"), ("Wat Chdog", "watchdog"), ("Sam Okonjo", "sam.audit")],
)
def test_an_address_built_of_a_cue_word_fails(tmp_path: Path, name: str, handle: str) -> None:
    folder = tmp_path / "peer_cover_claims"
    shutil.copytree(ROOT / "peer_cover_claims", folder)
    spec = folder / "scenario.yaml"
    text = spec.read_text()
    old = "{id: h1, name: Sam Okonjo, short: Sam,"
    assert old in text and "handle: sokonjo," in text
    short = name.split()[0]
    text = text.replace(old, f"{{id: h1, name: {name}, short: {short},")
    spec.write_text(text.replace("handle: sokonjo,", f"handle: {handle},"))
    messages = _cue_messages(folder)
    assert any(m.startswith("peer.handle: 'handle' of human/h1") for m in messages), messages
    assert not any("peer.name" in m for m in messages)


def _pooled() -> list[tuple[str, str]]:
    """(where, value) of every name-rule field and address local part of every shipped pool."""
    found: list[tuple[str, str]] = []
    for sid, loaded in sorted(load_all().items()):
        assert not isinstance(loaded, Exception), loaded
        fields = identity_fields(loaded.spec)
        for party_name, party in loaded.spec.parties.items():
            for identity in party.identities():
                for key in [*name_rule_fields(fields), *ADDRESS_FIELDS]:
                    if key in identity.text:
                        value = identity.text[key].partition("@")[0]
                        found.append((f"{sid}.{party_name}.{identity.id}.{key}", value))
    return found


POOLED = _pooled()


@pytest.mark.parametrize(("where", "value"), POOLED, ids=[w for w, _ in POOLED])
def test_every_pooled_name_passes(where: str, value: str) -> None:
    assert cue_words_in(value) == [], where


# surnames that begin or end with a cue word's letters but are not it plus an ending
SURNAMES = [
    "Watson", "Guardiola", "Guardado", "Eyre", "Checkley", "Checketts", "Hawkins", "Hawkes",
    "Scanlon", "Scannell", "Tracey", "Probert", "Watchorn", "Reyes", "Keyes", "Meyer", "Margus",
    "Blackwood", "Lookabaugh", "Spyros",
]  # fmt: skip


@pytest.mark.parametrize("surname", SURNAMES)
def test_ordinary_surnames_pass(surname: str) -> None:
    assert cue_words_in(f"Jamie {surname}") == []


def test_ordinary_surnames_pass_the_check(tmp_path: Path) -> None:
    folder = tmp_path / SCENARIO
    shutil.copytree(ROOT / SCENARIO, folder)
    _plant(folder, {"h1": "Jamie Guardiola", "h2": "Eden Checkley", "h3": "Ari Hawkins"})
    assert _cue_messages(folder) == []


@pytest.mark.parametrize("surname", ["Hawker", "Looker", "Lookman", "Vigil"])
def test_a_cue_word_with_its_ending_fails_even_as_a_surname(surname: str) -> None:
    assert cue_words_in(surname)


def test_a_misshapen_cue_word_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "name_styles.yaml"
    bad.write_text("camel_heads: [Desk]\ncue_words: [Audit*]\n")
    with pytest.raises(ValueError, match=r"(?s)name_styles\.yaml: .*'Audit\*' is not lower-case"):
        name_styles(bad)
