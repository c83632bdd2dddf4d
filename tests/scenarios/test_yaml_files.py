"""Candor's data files refuse a key given twice in one mapping, wherever they are read: PyYAML
keeps the last of two equal keys silently, so a file edited by hand could lose a price, a
planned contrast or a party's text without a word."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from analysis.plan import load_plan
from analysis.usage import load_prices
from evals.providers.scripted import load_script
from evals.tool_texts import tool_texts
from records.dimensions import load_dimensions
from scenarios.lexicon import lexicon
from scenarios.loader import load_scenario
from scenarios.name_styles import name_styles
from scenarios.yaml_files import parse_yaml


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("a: 1\na: 2\n", "a"),
        ("outer:\n  inner: 1\n  inner: 2\n", "inner"),
        ("- {x: 1, x: 2}\n", "x"),
        ("~: a\nnull: b\n", "null"),
        ("2026-01-01: a\n2026-01-01: b\n", "2026-01-01"),
        ("1: a\n1.0: b\n", "1.0"),
        ("1: a\ntrue: b\n", "true"),
        ("yes: a\ntrue: b\n", "true"),
        ("'a': 1\na: 2\n", "a"),
        ("0x10: a\n16: b\n", "16"),
        ("k: &v a\n*v : b\na: c\n", "a"),
    ],
    ids=[
        "top level",
        "nested",
        "flow in a list",
        "null",
        "date",
        "int and float",
        "int and bool",
        "yes and true",
        "quoted and plain",
        "hex and decimal",
        "alias as key",
    ],
)
def test_a_key_given_twice_is_an_error_naming_it_as_written(text: str, key: str) -> None:
    with pytest.raises(yaml.YAMLError, match=f"key '{key}' is given twice in one mapping"):
        parse_yaml(text)


def test_a_key_given_twice_beside_a_merge_is_an_error() -> None:
    with pytest.raises(yaml.YAMLError, match="key 'z' is given twice"):
        parse_yaml("base: &b {x: 1}\nd:\n  <<: *b\n  z: 3\n  z: 4\n")


def test_the_error_shows_the_line_of_the_second_key() -> None:
    with pytest.raises(yaml.YAMLError) as raised:
        parse_yaml("models:\n  m: {input: 1}\n  m: {input: 2}\n")
    assert "line 3" in str(raised.value)


MERGES = [
    "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nd:\n  <<: [*a, *b]\n  z: 3\n",
    "base: &b {x: 1}\nd: {<<: *b, x: 2}\n",
]


@pytest.mark.parametrize("text", ["a: 1\nb: 2\n", "a: {b: 1}\nc: {b: 1}\n", "[1, 1, 1]\n", *MERGES])
def test_distinct_keys_and_repeated_values_are_read(text: str) -> None:
    assert parse_yaml(text) == yaml.safe_load(text)


Reader = Callable[[Path], object]


def _scenario(path: Path) -> object:
    return load_scenario(path)


READERS: dict[str, tuple[Reader, str, type[Exception]]] = {
    "plan": (load_plan, "name: p\nname: q\ncontrasts: []\n", Exception),
    "prices": (load_prices, "models:\n  m: {input: 1}\n  m: {input: 2}\n", ValueError),
    "scripted replies": (load_script, "- content: a\n  content: b\n", Exception),
    "dimensions": (load_dimensions, "dimensions:\n  - name: a\n    name: b\n", Exception),
    "lexicon": (lexicon.__wrapped__, "ai: {}\nai: {}\n", ValueError),
    "name styles": (name_styles.__wrapped__, "styles: {}\nstyles: {}\n", ValueError),
    "tool texts": (tool_texts.__wrapped__, "tools: {}\ntools: {}\n", Exception),
    "scenario": (_scenario, "id: mini\nid: mini\n", Exception),
}


@pytest.mark.parametrize("reader", READERS.values(), ids=READERS.keys())
def test_every_data_file_reader_refuses_a_key_given_twice(
    reader: tuple[Reader, str, type[Exception]], tmp_path: Path
) -> None:
    read, text, error = reader
    file = tmp_path / "scenario.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(error, match="given twice in one mapping") as raised:
        read(file)
    assert str(file) in str(raised.value) or file.name in str(raised.value)
