"""A notebook's plain cells as the setup code of a Dagster module.

Responsibilities:
- Keep what a plain cell defines (``definition_code``: no ``%materialize``/
  ``%assets`` lines, no displayed last expression).
- Swap ``nbassets`` for ``dagster``: ``from nbassets import X`` becomes
  ``from dagster import X``, ``nbassets.X`` becomes ``dg.X``; a name Dagster
  lacks is a problem.
- Drop what only the notebook has (``get_registry()``, ``lineage()``,
  ``to_dagster()`` and what reads their results) and display-only magics
  (``%matplotlib``); any other IPython syntax (``!pip``, ``%time``) is a
  problem naming the cell and the line.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.export.problems import Problems
from nbassets.export.source_text import blank_lines
from nbassets.notebook.notebook_file import definition_code

__all__ = ["SetupBlock", "setup_blocks", "top_level_names"]

# nbassets calls that serve the notebook only (inspecting it, drawing it, exporting it):
# a statement using one is left out, and so is anything reading what it assigned.
_NOTEBOOK_ONLY = frozenset({"get_registry", "to_dagster", "lineage", "export"})

# Magics that only change how the notebook displays or reloads; a module does without.
_DISPLAY_MAGICS = frozenset({"matplotlib", "config", "autoreload", "load_ext", "reload_ext"})


@dataclass(frozen=True)
class SetupBlock:
    """One plain cell's code, ready for the module."""

    label: str
    code: str
    position: float = 0.0  # where the cell was: setup and assets keep the notebook's order


def _dagster() -> Any:
    try:
        import dagster
    except ImportError:
        return None
    return dagster


def _magic(node: ast.stmt) -> str | None:
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and isinstance(inner.func.value, ast.Call)
            and isinstance(inner.func.value.func, ast.Name)
            and inner.func.value.func.id == "get_ipython"
        ):
            first = inner.args[0] if inner.args else None
            if inner.func.attr in ("run_line_magic", "run_cell_magic") and isinstance(
                first, ast.Constant
            ):
                return str(first.value)
            return inner.func.attr  # system, getoutput: `!cmd`
    return None


def _names(node: ast.AST, ctx: type) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def top_level_names(code: str) -> set[str]:
    """Names a block of code binds at module level."""
    names: set[str] = set()
    for stmt in ast.parse(code).body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
        else:
            names |= _names(stmt, ast.Store)
    return names


class _CellRewrite:
    def __init__(self, label: str, problems: Problems, aliases: set[str], dagster: Any) -> None:
        self.label = label
        self.problems = problems
        self.aliases = aliases  # names the notebook gave the nbassets module
        self.dagster = dagster
        self.drop: list[tuple[int, int]] = []
        self.edits: list[tuple[int, int, int, str]] = []  # line, col, length, new text
        self.notebook_only: set[str] = set()

    def _missing(self, name: str, line: int) -> None:
        if self.dagster is not None and not hasattr(self.dagster, name):
            self.problems.add(
                f"{self.label}, line {line}",
                f"nbassets.{name} has no Dagster counterpart; keep it out of the cells that "
                "define the pipeline",
            )

    def _import(self, stmt: ast.Import | ast.ImportFrom, lines: list[str]) -> bool:
        if isinstance(stmt, ast.ImportFrom):
            if (stmt.module or "").split(".")[0] != "nbassets":
                return False
            only = [a for a in stmt.names if a.name in _NOTEBOOK_ONLY]
            if stmt.module == "nbassets.export" or len(only) == len(stmt.names):
                self.notebook_only.update(a.asname or a.name for a in stmt.names)
                self.drop.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
                return True
            if only:
                self.problems.add(
                    f"{self.label}, line {stmt.lineno}",
                    f"import {only[0].name} on its own line (the export leaves it out: it "
                    "serves the notebook only)",
                )
                return True
            for alias in stmt.names:
                self._missing(alias.name, stmt.lineno)
            text = lines[stmt.lineno - 1]
            start = text.index("from")
            end = text.index(" import", start)
            self.edits.append((stmt.lineno, start, end - start, "from dagster"))
            return True
        ours = [a for a in stmt.names if a.name.split(".")[0] == "nbassets"]
        if not ours:
            return False
        if len(ours) != len(stmt.names):
            self.problems.add(
                f"{self.label}, line {stmt.lineno}",
                "import nbassets on its own line, so the export can replace it",
            )
            return True
        self.aliases.update(a.asname or "nbassets" for a in ours)
        self.drop.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
        return True

    def _attributes(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in self.aliases
            ):
                self._missing(node.attr, node.lineno)
                name = node.value
                self.edits.append((name.lineno, name.col_offset, len(name.id), "dg"))

    def statement(self, stmt: ast.stmt, lines: list[str]) -> None:
        span = (stmt.lineno, stmt.end_lineno or stmt.lineno)
        magic = _magic(stmt)
        if magic is not None:
            self.drop.append(span)  # the module never holds IPython syntax
            if magic not in _DISPLAY_MAGICS:
                self.problems.add(
                    f"{self.label}, line {stmt.lineno}",
                    f"`{lines[stmt.lineno - 1].strip()}` is IPython syntax a Dagster module "
                    "cannot run; write it in Python or move it out of the notebook's setup",
                )
            return
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) and self._import(stmt, lines):
            return
        mentions = {n.attr for n in ast.walk(stmt) if isinstance(n, ast.Attribute)}
        mentions |= _names(stmt, ast.Load)
        if (mentions & _NOTEBOOK_ONLY) or (_names(stmt, ast.Load) & self.notebook_only):
            # The kernel registry is the notebook's; Definitions replaces it in Dagster.
            self.notebook_only |= _names(stmt, ast.Store)
            self.drop.append(span)
            return
        self._attributes(stmt)

    def apply(self, code: str) -> str:
        lines = code.splitlines(keepends=True)
        for line, col, length, new in sorted(self.edits, reverse=True):
            text = lines[line - 1]
            lines[line - 1] = text[:col] + new + text[col + length :]
        return blank_lines("".join(lines), self.drop)


def setup_blocks(cells: Sequence[tuple[str, str, float]], problems: Problems) -> list[SetupBlock]:
    """The setup code of plain cells given as ``(label, source, position)``, problems noted."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer: Any = TransformerManager()  # type: ignore[no-untyped-call]
    dagster = _dagster()
    aliases: set[str] = set()
    blocks = []
    for label, source, position in cells:
        code = definition_code(source)
        if not code.strip():
            continue
        python = transformer.transform_cell(code)
        try:
            tree = ast.parse(python)
        except SyntaxError as error:
            problems.add(f"{label}, line {error.lineno}", f"does not parse: {error.msg}")
            continue
        rewrite = _CellRewrite(label, problems, aliases, dagster)
        lines = code.splitlines(keepends=True)
        for stmt in tree.body:
            rewrite.statement(stmt, lines)
        kept = rewrite.apply(code).strip("\n")
        if kept.strip():
            blocks.append(SetupBlock(label, kept + "\n", position))
    return blocks
