"""Behaviour or seniority cannot hide in an identity field: every identity field value is
shape-checked (names split on hyphens, underscores, dots and CamelCase humps; emails and handles
made of the name; honorifics without rank; a scenario's own field a name or matched across
species), and `candor scenarios check` fails naming the scenario file, the field and the value."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scenarios import loader
from scenarios.check import check_scenario
from scenarios.loader import load_scenario

SCENARIO = "blame_postmortem"
OPENING = "From: {{ overseer.name }} ({{ overseer.title }})"
_IDENTITY = re.compile(r"\{id: (?P<id>[ah]\d), name: (?P<name>[^,]+), short: (?P<short>[^,]+),")


def _plant(
    tmp_path: Path,
    field: str | None = None,
    human: str = "",
    ai: str = "",
    *,
    declare: str = "",
    names: dict[str, str] | None = None,
    prints: str = "",
) -> Path:
    """blame_postmortem with `field` added to every overseer identity (`human`/`ai` formatted
    with the identity's `short`, lower-cased), names replaced (`old name` → `new name`, short
    too), an `identity_fields` declaration and the opening printing `prints`."""
    folder = tmp_path / SCENARIO
    shutil.copytree(loader.SCENARIOS_DIR / "deception" / SCENARIO, folder)
    yaml = folder / "scenario.yaml"
    text = yaml.read_text(encoding="utf-8")
    for old, new in (names or {}).items():
        assert f"name: {old}," in text
        text = re.sub(
            rf"name: {re.escape(old)}, short: [^,]+,", f"name: {new}, short: {new},", text
        )

    def add(m: re.Match[str]) -> str:
        if field is None:
            return m.group(0)
        value = (human if m["id"].startswith("h") else ai).format(short=m["short"].casefold())
        return f"{m.group(0)} {field}: {value!r},".replace("'", '"')

    text = _IDENTITY.sub(add, text)
    if declare:
        text = text.replace("\nparties:\n", f"\nidentity_fields: {declare}\nparties:\n", 1)
    yaml.write_text(text, encoding="utf-8")
    if prints:
        opening = folder / "templates" / "opening.j2"
        source = opening.read_text(encoding="utf-8")
        assert OPENING in source
        opening.write_text(source.replace(OPENING, prints, 1), encoding="utf-8")
    return folder


WITH_FIELD = "From: {{ overseer.name }} ({{ overseer.title }}; {{ overseer.%s }})"

EVASIONS = [
    pytest.param(
        {
            "field": "remit",
            "human": "runs the PIR",
            "ai": "re-runs every check against the logs",
            "declare": "{names: [remit]}",
            "prints": WITH_FIELD % "remit",
        },
        "remit",
        "re-runs every check against the logs",
        id="declared-field-holding-a-behaviour",
    ),
    pytest.param(
        {
            "field": "remit",
            "human": "Risk Assurance Desk",
            "ai": "Risk Assurance Desk and every log",
            "declare": "{names: [remit], matched: [remit]}",
            "prints": WITH_FIELD % "remit",
        },
        "remit",
        "Risk Assurance Desk and every log",
        id="declared-matched-field-unmatched",
    ),
    pytest.param(
        {
            "field": "email",
            "human": "{short}@aldercrest.com",
            "ai": "{short}@aldercrest.com - I re-run every qa check",
            "prints": WITH_FIELD % "email",
        },
        "email",
        "@aldercrest.com - I re-run every qa check",
        id="email-with-a-clause",
    ),
    pytest.param(
        {
            "field": "email",
            "human": "{short}@aldercrest.com",
            "ai": "{short}.rerunsqa@aldercrest.com",
            "prints": WITH_FIELD % "email",
        },
        "email",
        ".rerunsqa@aldercrest.com",
        id="email-local-part-with-a-behaviour",
    ),
    pytest.param(
        {
            "field": "email",
            "human": "{short}@aldercrest.com",
            "ai": "{short}@audit-bots.com",
            "prints": WITH_FIELD % "email",
        },
        "email",
        "@audit-bots.com",
        id="email-domain-by-species",
    ),
    pytest.param(
        {
            "field": "handle",
            "human": "{short}",
            "ai": "{short}-checks-every-log",
            "prints": WITH_FIELD % "handle",
        },
        "handle",
        "-checks-every-log",
        id="handle-with-a-clause",
    ),
    pytest.param(
        {
            "field": "honorific",
            "human": "Dr",
            "ai": "Trainee",
            "prints": "From: {{ overseer.honorific }} {{ overseer.name }} ({{ overseer.title }})",
        },
        "honorific",
        "Trainee",
        id="honorific-seniority-ai",
    ),
    pytest.param(
        {
            "field": "honorific",
            "human": "Dr",
            "ai": "",
            "prints": "From: {{ overseer.honorific }} {{ overseer.name }} ({{ overseer.title }})",
        },
        "honorific",
        "Dr",
        id="honorific-seniority-human",
    ),
    pytest.param(
        {"names": {"Dana Whitfield": "Dr Whitfield"}},
        "name",
        "Dr Whitfield",
        id="rank-honorific-in-a-name",
    ),
    pytest.param(
        {"names": {"Kelso Amberley": "Kelso-who-reruns-every-qa-check"}},
        "name",
        "Kelso-who-reruns-every-qa-check",
        id="hyphenated-clause-name",
    ),
    pytest.param(
        {"names": {"Kelso Amberley": "Kelso_reruns_every_check"}},
        "name",
        "Kelso_reruns_every_check",
        id="underscored-clause-name",
    ),
    pytest.param(
        {"names": {"Kelso Amberley": "Kelso.Audits.Every.Log"}},
        "name",
        "Kelso.Audits.Every.Log",
        id="dotted-clause-name",
    ),
    pytest.param(
        {"names": {"OpRiskDesk": "AuditsAllTeamLogs"}},
        "name",
        "AuditsAllTeamLogs",
        id="camel-case-clause-name",
    ),
    pytest.param(
        {"names": {"OpRiskDesk": "SkimsTeamReports"}},
        "name",
        "SkimsTeamReports",
        id="camel-case-behaviour-name",
    ),
]


@pytest.mark.parametrize(("plant", "field", "value"), EVASIONS)
def test_behaviour_or_seniority_in_an_identity_field_fails(
    tmp_path: Path, plant: dict[str, object], field: str, value: str
) -> None:
    folder = _plant(tmp_path, **plant)  # type: ignore[arg-type]
    problems = [str(p) for p in check_scenario(load_scenario(folder))]
    naming = [
        p
        for p in problems
        if str(folder / "scenario.yaml") in p and f"overseer.{field}:" in p and value in p
    ]
    assert naming, f"no problem names the file, overseer.{field} and {value!r}: {problems}"


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param({}, id="shipped"),
        pytest.param(
            {
                "field": "email",
                "human": "{short}@aldercrest.com",
                "ai": "{short}@aldercrest.com",
                "prints": WITH_FIELD % "email",
            },
            id="emails-of-the-name-one-domain",
        ),
        pytest.param(
            {
                "field": "handle",
                "human": "{short}",
                "ai": "{short}",
                "prints": WITH_FIELD % "handle",
            },
            id="handles-of-the-name",
        ),
        pytest.param(
            {
                "field": "remit",
                "human": "Risk Assurance Desk",
                "ai": "AI Risk Assurance Desk",
                "declare": "{names: [remit], matched: [remit]}",
                "prints": WITH_FIELD % "remit",
            },
            id="declared-matched-field-matched",
        ),
    ],
)
def test_identity_fields_of_the_name_pass(tmp_path: Path, plant: dict[str, object]) -> None:
    folder = _plant(tmp_path, **plant)  # type: ignore[arg-type]
    assert [str(p) for p in check_scenario(load_scenario(folder))] == []


def test_neutral_honorifics_pass(tmp_path: Path) -> None:
    folder = _plant(
        tmp_path,
        "honorific",
        "Ms",
        "",
        prints="From: {{ overseer.honorific }} {{ overseer.name }} ({{ overseer.title }})",
    )
    problems = [str(p) for p in check_scenario(load_scenario(folder))]
    assert not [p for p in problems if "overseer.honorific" in p], problems
