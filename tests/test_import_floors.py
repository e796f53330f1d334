"""The floors import one way: no module imports back up, and notebook/ has no loops.

Every import counts, including those inside functions: a lazy import that runs
back up a floor is still a loop a reader has to untangle.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "nbassets"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the nbassets modules it imports (anywhere in its body)."""
    found: dict[str, set[str]] = {}
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                base = node.module
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_notebook_modules_import_each_other_without_loops() -> None:
    imports = _imports()
    notebook = {
        name: {t for t in targets if t.startswith("nbassets.notebook.")}
        for name, targets in imports.items()
        if name.startswith("nbassets.notebook.")
    }
    assert _cycle(notebook) == []


UPPER = ("nbassets.notebook", "nbassets.widgets", "IPython", "ipywidgets", "anywidget")


@pytest.mark.parametrize(
    ("floor", "forbidden"),
    [
        ("nbassets.definitions", ("nbassets.storage", *UPPER)),
        ("nbassets.engine", UPPER),
        ("nbassets.graph", UPPER),
        ("nbassets.storage", UPPER),
    ],
)
def test_lower_floors_import_nothing_above_them(floor: str, forbidden: tuple[str, ...]) -> None:
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        if not name.startswith(floor):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            module = ""
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            assert not module.startswith(forbidden), f"{name} imports {module}"
