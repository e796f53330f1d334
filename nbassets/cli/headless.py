"""Defining a notebook's assets in this process, without Jupyter.

Responsibilities:
- Run a notebook file's definition code top to bottom in an in-process IPython
  shell with the extension loaded and autorun off: plain cells as
  ``definition_code`` keeps them, ``%%asset``/``%%asset_check`` cells register
  without running, each under the cell id from the file.
- Number each cell by its index in the notebook, so tracebacks say ``cell 5``.
- Stop at the first cell that raises, with the user's traceback trimmed to
  their code (``DefinitionCellError``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbassets.errors import NbAssetsError
from nbassets.notebook.notebook_file import NotebookCell, definition_code

__all__ = [
    "CELL_NUMBERS",
    "DefinedNotebook",
    "DefinitionCellError",
    "define_notebook",
    "name_cells",
    "working_dir",
]

_CELL_NUMBER = re.compile(r"Cell In\[(\d+)\]")
# In a kernel (``--kernel``) cells keep the kernel's numbers: In[N] -> notebook index.
CELL_NUMBERS: dict[int, int] = {}


class DefinitionCellError(NbAssetsError):
    """Raised when a notebook cell raised while its definitions were being run."""

    def __init__(self, cell: NotebookCell, report: str) -> None:
        super().__init__(f"{cell.label} raised while defining the notebook's assets:\n{report}")
        self.cell = cell
        self.report = report


@dataclass
class DefinedNotebook:
    """A notebook whose definitions ran: its shell, namespace and cells."""

    shell: Any
    cells: list[NotebookCell]

    @property
    def namespace(self) -> dict[str, Any]:
        return self.shell.user_ns  # type: ignore[no-any-return]


def name_cells(text: str) -> str:
    """``Cell In[5]`` -> ``cell 5``: headless, cells are numbered by their notebook index."""
    return _CELL_NUMBER.sub(
        lambda m: f"cell {CELL_NUMBERS.get(int(m.group(1)), int(m.group(1)))}", text
    )


@contextmanager
def working_dir(path: str | Path | None) -> Iterator[None]:
    """Run a block in ``path`` (relative paths in cells are the notebook's)."""
    if path is None:
        yield
        return
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def attach_store(directory: Path) -> None:
    """Use the persistent store in ``directory`` for this run (``--store DIR``)."""
    from nbassets.graph.registry import get_registry

    try:
        from nbassets.storage.persistence import attach_store as attach
    except ImportError as error:
        raise NbAssetsError(
            "--store needs the persistent store, which this version of nbassets lacks."
        ) from error
    try:
        attach(get_registry(), directory)
    except (OSError, ValueError) as error:
        raise NbAssetsError(f"--store {directory}: {error}") from error


def _shell(notebook: Path | None) -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    if notebook is not None:
        # As ipykernel does: the notebook's path, so the extension finds its persistent store.
        shell.user_ns["__session__"] = str(notebook.resolve())
    shell.run_line_magic("load_ext", "nbassets")
    from nbassets.notebook.state import state_of

    state_of(shell).autorun = False
    return shell


def _report(error: BaseException) -> str:
    from IPython.core.error import UsageError

    from nbassets.notebook.failures import user_traceback

    if isinstance(error, UsageError):
        return f"UsageError: {error}"
    return name_cells(user_traceback(error)).rstrip()


def define_notebook(
    cells: Sequence[NotebookCell], notebook: Path | None = None, *, store: Path | None = None
) -> DefinedNotebook:
    """Run every cell's definitions in order; raise ``DefinitionCellError`` at the first failure.

    Output the cells print (``Defined orders ...``) is not shown: headless, the
    command's own progress lines say what happens.

    Args:
        cells: The notebook's code cells, from ``read_notebook``.
        notebook: The notebook file, given to the shell as ``__session__`` (as
            Jupyter does) so the notebook's persistent store is found.
        store: A persistent store to use instead (``--store DIR``).
    """
    from IPython.utils.capture import capture_output

    shell = _shell(notebook)
    if store is not None:
        attach_store(store)
    for cell in cells:
        code = cell.source if cell.kind != "code" else definition_code(cell.source)
        if not code.strip():
            continue
        # store_history numbers the cell; tracebacks then say In[index] (named "cell index").
        shell.execution_count = cell.index
        with capture_output():
            result = shell.run_cell(code, store_history=True, cell_id=cell.cell_id)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            raise DefinitionCellError(cell, _report(error))
    return DefinedNotebook(shell, list(cells))
