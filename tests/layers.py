"""The one-way package layers, checked over the import graph (`python -m tests.layers`).

Package imports run one way: scenarios, then the shared records, then scorers and evals (evals'
tasks use the scorers; the scorers never import evals), then analysis, then the dashboard (which
reads logs through analysis and records, never evals or scorers). The `cli` serves every package
and may import any of them. Nothing shipped imports `tests` or `bench`, which are not shipped.

Every `import` counts wherever it is written: at module level, inside a function (a lazy import),
under `if TYPE_CHECKING:`, `importlib.import_module("...")` with a literal name, and a string
`"package.module:function"` (the entry-point notation of a table of lazy imports). `make lint`
runs this module; tests/test_layers.py runs it on the repository and on planted back-edges.
`python -m tests.layers --graph` also prints the import graph between top-level packages.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SHIPPED: Mapping[str, frozenset[str]] = {
    "scenarios": frozenset(),
    "records": frozenset({"scenarios"}),
    "scorers": frozenset({"scenarios", "records"}),
    "evals": frozenset({"scenarios", "records", "scorers"}),
    "analysis": frozenset({"scenarios", "records", "scorers", "evals"}),
    "dashboard": frozenset({"scenarios", "records", "analysis"}),
    "cli": frozenset({"scenarios", "records", "scorers", "evals", "analysis", "dashboard"}),
}
"""Each shipped top-level package -> the first-party packages it may import."""

UNSHIPPED: frozenset[str] = frozenset({"tests", "bench"})
"""First-party folders outside the wheel: they may import anything, and nothing shipped imports
them."""


@dataclass(frozen=True)
class Violation:
    """One import that runs against the layers."""

    path: Path
    line: int
    importer: str
    imported: str
    module: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.importer} imports {self.module} "
            f"({self.importer} may import: {_allowed_text(self.importer)})"
        )


def _allowed_text(package: str) -> str:
    allowed = sorted(SHIPPED.get(package, frozenset()))
    return ", ".join(allowed) if allowed else "no other Candor package"


def imported_modules(
    tree: ast.AST, first_party: frozenset[str] | None = None
) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `tree`, lazy and TYPE_CHECKING included.

    Relative imports stay inside their own package and are skipped. Dynamic imports count too:
    a string that names a first-party module (`"evals.suite"`, `"dashboard:main"`,
    `"analysis.commands:add_parser"`), however it reaches the importer (`import_module`, an
    alias of it, `runpy`, a keyword argument, a list of names), and an f-string that begins with
    one (`f"evals.{name}"`), since a string naming a module is how a lazy import is written.
    """
    packages = first_party if first_party is not None else frozenset(SHIPPED) | UNSHIPPED
    importers = _IMPORTERS | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname and alias.name in _IMPORTERS
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.lineno, node.module
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if (target := _MODULE_STRING.match(node.value)) and _names_module(target, packages):
                yield node.lineno, target["module"]
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                prefix = _MODULE_PREFIX.match(head.value)
                if prefix and prefix["package"] in packages:
                    yield node.lineno, prefix["package"]
        elif isinstance(node, ast.Call) and _is_import_call(node.func, importers):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    top = arg.value.split(".")[0]
                    if top in packages and "." not in arg.value:
                        yield node.lineno, arg.value


_MODULE_STRING = re.compile(
    r"^(?P<module>[a-z_][a-z0-9_]*(?P<dotted>\.[a-z_][a-z0-9_]*)*)(?P<attr>:[A-Za-z_][A-Za-z0-9_]*)?$"
)
"""A module name, dotted (`evals.suite`), or in entry-point notation (`package.module:function`,
`dashboard:main`): how a table of lazy imports (the cli's command registrars) is written."""

_MODULE_PREFIX = re.compile(r"^(?P<package>[a-z_][a-z0-9_]*)\.")


def _names_module(target: re.Match[str], packages: frozenset[str]) -> bool:
    """A dotted name or an entry point whose top package is first-party; a bare word (`"tests"`)
    is text, not a module, unless an import call takes it (see `imported_modules`)."""
    top = target["module"].split(".")[0]
    return top in packages and bool(target["dotted"] or target["attr"])


def _is_import_call(func: ast.expr, importers: frozenset[str] | set[str]) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in _IMPORTERS
    return isinstance(func, ast.Name) and (func.id in importers or func.id == "__import__")


_IMPORTERS = frozenset({"import_module", "run_module", "resolve_name", "find_spec"})
"""Functions that import a module named by a string (importlib, runpy, pkgutil)."""


def violations(
    root: Path,
    shipped: Mapping[str, frozenset[str]] = SHIPPED,
    unshipped: frozenset[str] = UNSHIPPED,
) -> list[Violation]:
    """Every import under `root`'s shipped packages that the layers forbid."""
    first_party = set(shipped) | set(unshipped)
    found: list[Violation] = []
    for package, allowed in shipped.items():
        folder = root / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, module in imported_modules(tree):
                top = module.split(".")[0]
                if top in first_party and top != package and top not in allowed:
                    found.append(Violation(path.relative_to(root), line, package, top, module))
    return found


def unlisted_packages(root: Path) -> list[str]:
    """Top-level packages under `root` that the layers do not name (each must be placed)."""
    known = set(SHIPPED) | set(UNSHIPPED)
    return sorted(
        p.parent.name
        for p in root.glob("*/__init__.py")
        if p.parent.name not in known and not p.parent.name.startswith(".")
    )


def import_graph(root: Path) -> dict[str, dict[str, int]]:
    """Which first-party top-level package imports which: package -> imported package -> number
    of import statements, for every package the layers name (shipped and unshipped)."""
    first_party = [*SHIPPED, *sorted(UNSHIPPED)]
    graph: dict[str, dict[str, int]] = {}
    for package in first_party:
        folder = root / package
        edges: dict[str, int] = {}
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for _, module in imported_modules(tree):
                top = module.split(".")[0]
                if top in first_party and top != package:
                    edges[top] = edges.get(top, 0) + 1
        graph[package] = dict(sorted(edges.items(), key=lambda e: first_party.index(e[0])))
    return graph


def render_graph(graph: Mapping[str, Mapping[str, int]]) -> str:
    """The import graph as text: one line per package, each import with its statement count, and
    for shipped packages what the layers allow but the code does not use."""
    lines = ["Imports between top-level packages (import statements; `-> x` means imports x):"]
    for package, edges in graph.items():
        used = ", ".join(f"{name} ({n})" for name, n in edges.items()) or "nothing"
        line = f"  {package:<9} -> {used}"
        if package in SHIPPED:
            unused = sorted(SHIPPED[package] - set(edges))
            if unused:
                line += f"   [allowed, unused: {', '.join(unused)}]"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
    """Print every back-edge and every unplaced package; exit 1 if there is any. With `--graph`,
    print the import graph between top-level packages first."""
    args = list(argv)
    if args not in ([], ["--graph"]):
        print("usage: python -m tests.layers [--graph]", file=sys.stderr)
        return 2
    if args == ["--graph"]:
        print(render_graph(import_graph(REPO)))
    problems = [str(v) for v in violations(REPO)]
    problems += [
        f"{name}/: a top-level package tests/layers.py does not place in the layers"
        for name in unlisted_packages(REPO)
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"layers: {', '.join(SHIPPED)} import one way")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
