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


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `tree`, lazy and TYPE_CHECKING included.

    Relative imports stay inside their own package and are skipped.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node.lineno, node.module
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (target := _ENTRY_POINT.match(node.value))
        ):
            yield node.lineno, target["module"]
        elif (
            isinstance(node, ast.Call)
            and _is_import_call(node.func)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


_ENTRY_POINT = re.compile(
    r"^(?P<module>[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+):[A-Za-z_][A-Za-z0-9_]*$"
)
"""`package.module:function`, the entry-point notation a table of lazy imports is written in
(the cli's command registrars): the module is imported when the command runs."""


def _is_import_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in {"import_module", "__import__"}


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
