"""The kernel's half of ``nbassets run --kernel`` (imported inside the kernel only).

Responsibilities:
- ``prepare``: load the extension with autorun off, as a headless run does.
- ``finish``: list, plan or run with the command's options, name cells by
  their notebook index, and print the exit code for the command to read;
  nothing runs when a definition cell raised (the command reports that cell).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["finish", "prepare"]


def prepare(notebook: str) -> None:
    from IPython import get_ipython

    from nbassets.notebook.state import state_of

    shell: Any = get_ipython()
    # IPython keeps the last error here: finish() reads it to know a cell raised.
    sys.last_value = None
    # nbclient names no session; say which notebook runs, so its persistent store is found.
    shell.user_ns["__session__"] = notebook
    shell.run_line_magic("load_ext", "nbassets")
    state_of(shell).autorun = False


def finish(options_json: str, numbers: Mapping[int, int]) -> None:
    from IPython import get_ipython

    from nbassets.cli import headless
    from nbassets.cli.kernel_mode import EXIT_MARK
    from nbassets.cli.run_command import ExitCode, RunOptions, act
    from nbassets.graph.registry import get_registry

    shell: Any = get_ipython()
    if getattr(sys, "last_value", None) is not None:
        # A definition cell raised: run nothing (its output would stream to the user).
        sys.stdout.write(f"{EXIT_MARK}{int(ExitCode.DEFINITION_FAILED)}\n")
        sys.stdout.flush()
        return
    headless.CELL_NUMBERS.update(numbers)
    options = RunOptions.from_json(options_json)
    code = act(get_registry(), shell.user_ns, options, sys.stdout, sys.stderr)
    sys.stderr.flush()
    sys.stdout.write(f"{EXIT_MARK}{int(code)}\n")
    sys.stdout.flush()
