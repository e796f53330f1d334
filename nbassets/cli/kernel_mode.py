"""``nbassets run --kernel``: the same run, with the cells in a real Jupyter kernel.

Responsibilities:
- Build a notebook of what runs (a first cell loading the extension with
  autorun off, each cell's definition code under its own cell id, a last cell
  that runs ``act`` and prints its exit code) and execute it with nbclient.
- Map the kernel's ``In[N]`` numbers back to notebook cell indexes, forward the
  last cell's output to this process's streams as it arrives (a progress line
  per step while the run goes on), and return the exit code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TextIO

from nbassets.cli.run_command import ExitCode, RunOptions, UsageProblem
from nbassets.notebook.notebook_file import definition_code, read_notebook

__all__ = ["EXIT_MARK", "run_in_kernel"]

EXIT_MARK = "nbassets-exit-code:"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

_PREPARE = """\
from nbassets.cli.kernel_side import prepare as _nbassets_prepare
_nbassets_prepare({notebook!r})
"""

_FINISH = """\
from nbassets.cli.kernel_side import finish as _nbassets_finish
_nbassets_finish({options!r}, {numbers!r})
"""


def _error_text(output: Any) -> str:
    lines = [_ANSI.sub("", line) for line in output.get("traceback", [])]
    return "\n".join(lines) or f"{output.get('ename')}: {output.get('evalue')}"


class _LiveOutput:
    """The last cell's streams, written to this process's as the kernel sends them."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.code: int = ExitCode.STEP_FAILED
        self._partial = ""

    def stream(self, name: str, text: str) -> None:
        if name == "stderr":
            self.err.write(text)
            self.err.flush()
            return
        # stdout carries the exit-code line: hold a line until it is whole.
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            if line.startswith(EXIT_MARK):
                self.code = int(line[len(EXIT_MARK) :])
            else:
                self.out.write(line + "\n")
        self.out.flush()

    def close(self) -> None:
        if self._partial:
            self.stream("stdout", "\n")


def _live_client(live: _LiveOutput, last_index: int, **kwargs: Any) -> Any:
    from nbclient import NotebookClient

    class LiveClient(NotebookClient):
        def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
            content = msg.get("content", {})
            if cell_index == last_index and msg.get("msg_type") == "stream":
                live.stream(content.get("name", "stdout"), content.get("text", ""))
                return None
            return super().process_message(msg, cell, cell_index)

    return LiveClient(**kwargs)


def run_in_kernel(
    notebook: Path, options: RunOptions, cwd: Path, kernel_name: str, out: TextIO, err: TextIO
) -> int:
    """Define and run the notebook's assets in a ``kernel_name`` kernel; return the exit code."""
    import nbformat

    new_cell: Any = nbformat.v4.new_code_cell
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellExecutionError

    cells = read_notebook(notebook)
    document: Any = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    document.cells.append(new_cell(_PREPARE.format(notebook=str(notebook.resolve()))))
    sources = []
    for cell in cells:
        body = cell.source if cell.kind != "code" else definition_code(cell.source)
        if body.strip():
            sources.append(cell)
            made = new_cell(body)
            if cell.cell_id:
                made.id = cell.cell_id
            document.cells.append(made)
    # The kernel numbers executed cells 1, 2, ...: the preparing cell is In[1].
    numbers = {number: cell.index for number, cell in enumerate(sources, start=2)}
    document.cells.append(new_cell(_FINISH.format(options=options.to_json(), numbers=numbers)))
    live = _LiveOutput(out, err)
    client = _live_client(
        live,
        len(document.cells) - 1,
        nb=document,
        kernel_name=kernel_name,
        allow_errors=True,
        timeout=None,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except NoSuchKernel as error:
        raise UsageProblem(
            f"--kernel {kernel_name}: no such Jupyter kernel. `jupyter kernelspec list` shows "
            "the installed ones."
        ) from error
    except CellExecutionError as error:  # pragma: no cover - allow_errors keeps going
        err.write(str(error) + "\n")
        return ExitCode.DEFINITION_FAILED
    for made, cell in zip(document.cells[1:-1], sources, strict=True):
        errors = [o for o in made.outputs if o.get("output_type") == "error"]
        if errors:
            err.write(
                f"nbassets run: {cell.label} raised while defining the notebook's assets:\n"
                f"{_error_text(errors[0])}\n"
            )
            return ExitCode.DEFINITION_FAILED
    live.close()
    for output in document.cells[-1].outputs:
        if output.get("output_type") != "error":
            continue
        if output.get("ename") == "UsageProblem":
            # A mistake on the command line: its message, not the kernel's traceback.
            err.write(f"nbassets run: {_ANSI.sub('', output.get('evalue', ''))}\n")
            return ExitCode.USAGE
        err.write(_error_text(output) + "\n")
        return ExitCode.STEP_FAILED
    return live.code
