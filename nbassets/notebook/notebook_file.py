"""A notebook file read as a script of definitions, for running it headless.

Responsibilities:
- Read an ``.ipynb`` file (plain JSON, no Jupyter needed) into code cells that
  keep their position in the notebook and their cell id.
- Tell ``%%asset`` / ``%%asset_check`` cells from plain cells.
- Turn a plain cell into the code that defines things, without what only makes
  sense interactively: ``%materialize`` and ``%assets`` lines (and what reads a
  name they assigned), ``%load_ext nbassets``, and a last bare expression (the
  value the cell displays).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nbassets.errors import NbAssetsError

__all__ = ["NotebookCell", "NotebookFileError", "definition_code", "read_notebook"]

CellKind = Literal["asset", "check", "code"]

# Line magics that act on the registry interactively; headless, the command line decides.
_INTERACTIVE_MAGICS = frozenset({"materialize", "assets"})


class NotebookFileError(NbAssetsError):
    """Raised when a notebook file cannot be read as a notebook."""


@dataclass(frozen=True)
class NotebookCell:
    """One code cell of a notebook file.

    Attributes:
        index: Position among all cells of the notebook (markdown included), from 0.
        cell_id: The cell's id in the file (nbformat >= 4.5), or ``None``.
        source: The cell's text.
        kind: ``"asset"``, ``"check"`` or ``"code"``.
    """

    index: int
    cell_id: str | None
    source: str
    kind: CellKind

    @property
    def label(self) -> str:
        """How messages name the cell: ``cell 5 (id orders)``."""
        return f"cell {self.index}" + (f" (id {self.cell_id})" if self.cell_id else "")


def _kind(source: str) -> CellKind:
    first = source.lstrip().split("\n", 1)[0]
    if first.startswith("%%asset_check"):
        return "check"
    if first.split(" ", 1)[0] == "%%asset":
        return "asset"
    return "code"


def read_notebook(path: str | Path) -> list[NotebookCell]:
    """The code cells of the notebook at ``path``, in order."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise NotebookFileError(f"No notebook at {path}: check the path.") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotebookFileError(
            f"{path} is not a readable notebook (.ipynb JSON): {error}"
        ) from error
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookFileError(
            f"{path} has no 'cells' list: is it an nbformat 4 notebook? Convert older ones with "
            "`jupyter nbconvert --to notebook --nbformat 4`."
        )
    found = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_id = cell.get("id")
        found.append(
            NotebookCell(index, cell_id if isinstance(cell_id, str) else None, text, _kind(text))
        )
    return found


def _magic_call(node: ast.AST) -> str | None:
    """``materialize`` for ``get_ipython().run_line_magic('materialize', ...)``, else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    if node.func.attr != "run_line_magic" or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _ipython_call(node: ast.AST) -> bool:
    """Whether ``node`` is ``get_ipython().something(...)``, what IPython syntax becomes."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "get_ipython"
    )


def _is_interactive(stmt: ast.stmt) -> bool:
    value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
    if value is None:
        return False
    name = _magic_call(value)
    if name in _INTERACTIVE_MAGICS:
        return True
    if name in ("load_ext", "reload_ext") and isinstance(value, ast.Call):
        argument = value.args[1] if len(value.args) > 1 else None
        return isinstance(argument, ast.Constant) and str(argument.value).strip() == "nbassets"
    return False


def _assigned(stmt: ast.stmt) -> set[str]:
    return {
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _reads(stmt: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def definition_code(source: str) -> str:
    """The part of a plain cell that defines things, as IPython source.

    Dropped: ``%materialize``/``%assets`` lines (also ``x = %materialize ...``),
    statements that read a name such a line assigned, ``%load_ext nbassets``,
    and the cell's last statement when it is a bare expression (what the cell
    displays). Everything else is kept as written, magics included. A cell
    IPython cannot parse is returned unchanged, so running it reports the error.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(source)  # type: ignore[no-untyped-call]
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return source
    # Line magics transform one line to one line, so line numbers match the source.
    drop: list[ast.stmt] = []
    from_magics: set[str] = set()
    for stmt in tree.body:
        if _is_interactive(stmt) or (_reads(stmt) & from_magics):
            drop.append(stmt)
            from_magics |= _assigned(stmt)
    last = tree.body[-1] if tree.body else None
    # A bare last expression is what the cell shows, unless it is IPython syntax (`!cmd`).
    if isinstance(last, ast.Expr) and last not in drop and not _ipython_call(last.value):
        drop.append(last)
    lines = source.splitlines(keepends=True)
    for stmt in drop:
        end = stmt.end_lineno or stmt.lineno
        for number in range(stmt.lineno, end + 1):
            if number <= len(lines):
                lines[number - 1] = ""
    return "".join(lines)
