"""How a failed run looks in the notebook.

Responsibilities:
- ``RunFailedError``: raised by the magics when assets failed, carrying the
  run's result, so the cell is marked failed (and "Run all" stops there).
- ``format_failure``: each failed step's traceback trimmed to the user's own
  code (their cells and files), never the engine's frames.
- ``show_run_failure``: IPython's custom exception handler that displays it.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import NbAssetsError
from nbassets.notebook.cell_traceback import CELL_FILENAME_PREFIX, trim_traceback

__all__ = ["RunFailedError", "format_failure", "show_run_failure", "user_traceback"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class RunFailedError(NbAssetsError):
    """Raised by ``%materialize`` and ``%%asset`` when an asset raised an exception."""

    def __init__(self, message: str, result: ExecuteInProcessResult) -> None:
        super().__init__(message)
        self.result = result


def user_traceback(error: BaseException) -> str:
    """The traceback of ``error`` as the user wants it: their frames only.

    ``%%asset`` cells keep their cell line numbers; assets written with
    ``@asset`` in ordinary cells or modules keep their frames; nbassets' own
    frames are dropped.
    """
    text = trim_traceback(error, CELL_FILENAME_PREFIX)
    if f'File "{CELL_FILENAME_PREFIX}' in text:
        return text
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR + os.sep)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines)


def format_failure(result: ExecuteInProcessResult) -> str:
    """One block per failed step: the asset, then the user's trimmed traceback."""
    blocks = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        error = data.error.exception
        body = user_traceback(error) if error is not None else data.error.to_string()
        retries = f" after {data.retries_exhausted} retries" if data.retries_exhausted else ""
        blocks.append(f"Asset step '{event.step_key}' failed{retries}:\n{body.rstrip()}")
    skipped = sorted(result.get_skipped_step_keys())
    if skipped:
        reasons = "; ".join(f"{k} ({result.skip_reason(k)})" for k in skipped)
        blocks.append(f"Skipped: {reasons}")
    return "\n\n".join(blocks)


def show_run_failure(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython custom exception handler for ``RunFailedError``: no engine traceback."""
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb
