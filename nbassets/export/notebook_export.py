"""Writing the Dagster module for a notebook file or for a live kernel.

Responsibilities:
- ``export_notebook``: from a notebook file whose definitions ran headless
  (``nbassets export dagster``): setup code from its plain cells, in order.
- ``export_session``: from a live kernel (``%assets export dagster PATH``):
  setup code from the cells run so far, in the order they ran, each once.
- Build all of it, raise ``ExportError`` listing every problem, and only then
  write the file (atomically: a reader never sees half a module).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nbassets.export.module_code import ModuleParts, module_source
from nbassets.export.problems import Problems
from nbassets.export.setup_code import setup_blocks
from nbassets.graph.registry import Registry, get_registry

__all__ = [
    "build_module",
    "export_notebook",
    "export_session",
    "session_cells",
    "write_atomically",
]


def build_module(
    registry: Registry,
    title: str,
    plain_cells: Sequence[tuple[str, str, float]],
    labels: Mapping[str | None, str],
    positions: Mapping[str | None, float],
    namespace: Mapping[str, Any],
    *,
    dg_defs: bool = False,
) -> str:
    """The module's text, or ``ExportError`` naming every cell that cannot be exported."""
    problems = Problems()
    setup = setup_blocks(plain_cells, problems)
    source = module_source(
        registry, ModuleParts(title, setup, labels, positions, namespace), problems, dg_defs=dg_defs
    )
    if not problems.found:
        try:
            compile(source, title, "exec")
        except SyntaxError as error:  # a bug of ours: say so rather than write it
            problems.add(f"the generated module, line {error.lineno}", f"{error.msg} (a bug)")
    problems.raise_if_any()
    return source


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def export_notebook(notebook: Any, path: Path, *, title: str, dg_defs: bool = False) -> str:
    """Write the module for a ``DefinedNotebook``; return its text."""
    cells = notebook.cells
    plain = [(c.label, c.source, float(c.index)) for c in cells if c.kind == "code"]
    labels = {c.cell_id: c.label for c in cells if c.cell_id}
    positions = {c.cell_id: float(c.index) for c in cells if c.cell_id}
    source = build_module(
        get_registry(), title, plain, labels, positions, notebook.namespace, dg_defs=dg_defs
    )
    write_atomically(path, source)
    return source


def session_cells(shell: Any) -> list[tuple[str, str, float]]:
    """The plain cells run so far in ``shell``, in the order they ran, each text once."""
    seen: set[str] = set()
    plain = []
    # The raw history: cells as typed (``In`` holds them transformed to Python).
    history = list(getattr(shell.history_manager, "input_hist_raw", []))
    for number, source in enumerate(history):
        first = source.lstrip().split("\n", 1)[0]
        if not source.strip() or source in seen or first.startswith("%%asset"):
            continue
        if first.startswith("%assets") and "export" in first:
            continue  # this very command
        seen.add(source)
        plain.append((f"In[{number}]", source, float(number)))
    return plain


def export_session(shell: Any, path: Path, *, dg_defs: bool = False) -> str:
    """Write the module for the kernel's registry and the plain cells run so far."""
    plain = session_cells(shell)
    source = build_module(
        get_registry(), "the notebook", plain, {}, {}, shell.user_ns, dg_defs=dg_defs
    )
    write_atomically(path, source)
    return source
