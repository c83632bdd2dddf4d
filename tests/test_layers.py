"""The one-way layers hold in the repository, and the check fails on a planted back-edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import layers


def test_the_repository_imports_one_way() -> None:
    assert [str(v) for v in layers.violations(layers.REPO)] == []


def test_every_top_level_package_is_placed() -> None:
    assert layers.unlisted_packages(layers.REPO) == []


def test_make_lint_runs_the_check() -> None:
    assert "-m tests.layers" in (layers.REPO / "Makefile").read_text(encoding="utf-8")


def _tree(root: Path, files: dict[str, str]) -> None:
    for package in layers.SHIPPED:
        (root / package).mkdir()
        (root / package / "__init__.py").write_text('"""A package."""\n', encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "records/store.py": "from scenarios.schema import Species\n",
            "scorers/pipeline.py": "from records.store import EpisodeStore\nimport pydantic\n",
            "evals/task.py": "from scorers import pipeline\nfrom . import tools\n",
            "dashboard/app.py": "def f():\n    from analysis.logs import read\n",
            "cli/main.py": "import importlib\nimportlib.import_module('dashboard.commands')\n",
        },
    )
    assert layers.violations(tmp_path) == []


@pytest.mark.parametrize(
    ("path", "source", "importer", "imported"),
    [
        ("scorers/pipeline.py", "from evals.store import EpisodeStore\n", "scorers", "evals"),
        ("scorers/deep/x.py", "import evals.metadata\n", "scorers", "evals"),
        ("dashboard/t.py", "def f() -> None:\n    from evals import store\n", "dashboard", "evals"),
        ("dashboard/t.py", "from scorers.verdicts import Tactic\n", "dashboard", "scorers"),
        (
            "records/m.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scorers import x\n",
            "records",
            "scorers",
        ),
        ("scenarios/loader.py", "from records.metadata import M\n", "scenarios", "records"),
        ("evals/x.py", "from analysis.report import build\n", "evals", "analysis"),
        ("analysis/x.py", "from dashboard import data\n", "analysis", "dashboard"),
        ("evals/x.py", "from tests.fakeserver import serve\n", "evals", "tests"),
        (
            "analysis/x.py",
            "import importlib\nimportlib.import_module('bench.run')\n",
            "analysis",
            "bench",
        ),
        ("scorers/x.py", "from cli.main import main\n", "scorers", "cli"),
        (
            "analysis/commands.py",
            'COMMANDS = {"view": "dashboard.commands:add_parser"}\n',
            "analysis",
            "dashboard",
        ),
        # dynamic imports, however the module's name reaches the importer
        (
            "scorers/x.py",
            "from importlib import import_module\nimport_module(f'evals.{x}')\n",
            "scorers",
            "evals",
        ),
        (
            "scorers/x.py",
            "import importlib\nimportlib.import_module(name='evals.store')\n",
            "scorers",
            "evals",
        ),
        (
            "records/x.py",
            "from importlib import import_module as load\nload('scorers')\n",
            "records",
            "scorers",
        ),
        ("records/x.py", "NAMES = ['scorers.verdicts']\n", "records", "scorers"),
        ("analysis/x.py", "TARGET = 'dashboard:main'\n", "analysis", "dashboard"),
        ("evals/x.py", "import runpy\nrunpy.run_module('bench')\n", "evals", "bench"),
        (
            "evals/x.py",
            "import pkgutil\npkgutil.resolve_name('bench.fakeserver:serve')\n",
            "evals",
            "bench",
        ),
        ("evals/x.py", "__import__('tests')\n", "evals", "tests"),
    ],
)
def test_a_planted_back_edge_fails(
    tmp_path: Path, path: str, source: str, importer: str, imported: str
) -> None:
    _tree(tmp_path, {path: source})
    found = layers.violations(tmp_path)
    assert [(v.importer, v.imported, v.path.as_posix()) for v in found] == [
        (importer, imported, path)
    ]
    assert f"{importer} imports" in str(found[0])


def test_an_unplaced_package_is_reported(tmp_path: Path) -> None:
    _tree(tmp_path, {"newpkg/__init__.py": ""})
    assert layers.unlisted_packages(tmp_path) == ["newpkg"]


def test_main_fails_on_a_back_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, {"scorers/pipeline.py": "from evals.store import EpisodeStore\n"})
    monkeypatch.setattr(layers, "REPO", tmp_path)
    assert layers.main() == 1
    assert "scorers/pipeline.py:1: scorers imports evals.store" in capsys.readouterr().err


def test_the_graph_shows_each_package_s_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(
        tmp_path,
        {
            "records/store.py": "from scenarios.schema import Species\nimport scenarios\n",
            "cli/main.py": 'R = {"report": "analysis.commands:add_parsers"}\n',
            "bench/run.py": "from evals import suite\n",
        },
    )
    graph = layers.import_graph(tmp_path)
    assert graph["records"] == {"scenarios": 2}
    assert graph["cli"] == {"analysis": 1}
    assert graph["bench"] == {"evals": 1}
    assert graph["scenarios"] == {}
    monkeypatch.setattr(layers, "REPO", tmp_path)
    assert layers.main(["--graph"]) == 0
    out = capsys.readouterr().out
    assert "  records   -> scenarios (2)" in out
    assert "  scenarios -> nothing" in out


def test_the_repository_graph_has_only_allowed_edges() -> None:
    graph = layers.import_graph(layers.REPO)
    for package, allowed in layers.SHIPPED.items():
        assert set(graph[package]) <= allowed, package
    assert graph["scenarios"] == {}


def test_an_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert layers.main(["--graf"]) == 2
    assert "usage" in capsys.readouterr().err
