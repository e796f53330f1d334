"""How a failed run looks in the notebook.

Responsibilities:
- Raise ``nbassets.errors.RunFailedError`` (in the error tree) from the magics
  when assets failed, carrying the run's result, so the cell is marked failed
  (and "Run all" stops there).
- ``format_failure``: each failed step's traceback trimmed to the user's own
  code (``%%asset`` cells, helpers defined in notebook cells, their own
  modules), never the engine's or installed libraries' frames; notebook cells
  are named as IPython names them (``Cell In[3], line 2``).
- ``show_run_failure``: IPython's custom exception handler that displays it.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import traceback
from collections.abc import Mapping
from typing import Any

from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import NbAssetsError, RunFailedError
from nbassets.notebook.advice import notebook_message
from nbassets.notebook.cell_traceback import CELL_FILENAME_PREFIX
from nbassets.notebook.state import state_of

__all__ = ["RunFailedError", "format_failure", "show_run_failure", "user_traceback"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _library_dirs() -> tuple[str, ...]:
    dirs = {_PACKAGE_DIR}
    for path in sysconfig.get_paths().values():
        dirs.add(os.path.abspath(path))
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        dirs.add(os.path.join(os.path.abspath(prefix), "lib"))
    return tuple(d + os.sep for d in dirs)


_LIBRARY_DIRS = _library_dirs()


def _is_user_frame(filename: str) -> bool:
    if filename.startswith(CELL_FILENAME_PREFIX) or filename.startswith("<ipython-input-"):
        return True
    if filename.startswith("<"):
        return False  # <frozen ...>, <string>: not code the user can open
    return not os.path.abspath(filename).startswith(_LIBRARY_DIRS)


def _keep_user_frames(report: traceback.TracebackException, seen: set[int]) -> bool:
    """Drop every frame that is not the user's, through the chain; say if any was kept."""
    if id(report) in seen:
        return False
    seen.add(id(report))
    frames = [f for f in report.stack if _is_user_frame(f.filename)]
    report.stack = traceback.StackSummary.from_list(frames)
    kept = bool(frames)
    for linked in (report.__cause__, report.__context__):
        if linked is not None:
            kept = _keep_user_frames(linked, seen) or kept
    return kept


def _name_notebook_cells(text: str) -> str:
    """``File "/tmp/ipykernel_1/123.py", line 4`` -> ``Cell In[3], line 4``, as IPython says.

    ``%%asset`` cells become ``Cell In[4] %%asset orders, line 2``.
    """
    shell = _current_shell()
    if shell is None:
        return text
    for filename, number in state_of(shell).cell_numbers.items():
        # `<asset orders>` -> `Cell In[4] %%asset orders`: which cell, and which asset.
        label = filename[len(CELL_FILENAME_PREFIX) : -1]
        magic = "%%asset_check" if ":" in label else "%%asset"
        text = text.replace(f'File "{filename}"', f"Cell In[{number}] {magic} {label}")
    compiler: Any = getattr(shell, "compile", None)
    if compiler is None:
        return text
    for filename in getattr(compiler, "_filename_map", {}):
        if f'File "{filename}"' not in text:
            continue
        try:
            name = compiler.format_code_name(filename)
        except Exception:  # noqa: BLE001 - an older IPython: keep the file name
            continue
        if name:
            text = text.replace(f'File "{filename}"', " ".join(name))
    return text


def _current_shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def user_traceback(error: BaseException) -> str:
    """The traceback of ``error`` as the user wants it: their frames only.

    ``%%asset`` cells keep their cell line numbers; helpers and ``@asset``
    functions written in ordinary cells or in the user's own modules keep their
    frames; nbassets' frames and installed libraries' frames are dropped. When
    no frame is the user's, the full traceback is shown.
    """
    report = traceback.TracebackException.from_exception(error)
    if not _keep_user_frames(report, set()):
        return "".join(traceback.format_exception(error))
    return _name_notebook_cells("".join(report.format())) + _not_an_asset_yet(error, report)


def _not_an_asset_yet(error: BaseException, report: traceback.TracebackException) -> str:
    """For a name an ``%%asset`` cell reads that exists nowhere: the cell it is waiting for."""
    name = getattr(error, "name", None)
    if type(error) is not NameError or not name or not report.stack:
        return ""
    if not report.stack[-1].filename.startswith(CELL_FILENAME_PREFIX):
        return ""
    return (
        f"`{name}` is not an asset yet: run the cell that defines it. This cell will then "
        f"depend on it.\n"
    )


def format_failure(result: ExecuteInProcessResult, labels: Mapping[str, str] | None = None) -> str:
    """One block per failed step: the asset, then the user's trimmed traceback.

    Args:
        result: The failed run.
        labels: Step key -> the name the user knows (``sales/orders``,
            ``orders:positive``); steps not in it are named by their key.
    """
    labels = labels or {}
    blocks = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        error = data.error.exception
        if isinstance(error, NbAssetsError):
            # nbassets refused the step (a missing input, say): its frames help nobody.
            body = f"{type(error).__name__}: {notebook_message(error)}"
        else:
            body = user_traceback(error) if error is not None else data.error.to_string()
        retries = f" after {data.retries_exhausted} retries" if data.retries_exhausted else ""
        step = event.step_key or ""
        name = labels.get(step, step)
        what = f"Check '{name}'" if ":" in name else f"Asset '{name}'"
        blocks.append(f"{what} failed{retries}:\n{body.rstrip()}")
    skipped = sorted(result.get_skipped_step_keys())
    if skipped:
        reasons = "; ".join(f"{labels.get(k, k)} ({result.skip_reason(k)})" for k in skipped)
        blocks.append(f"Skipped: {reasons}")
    return "\n\n".join(blocks)


def show_run_failure(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython custom exception handler for ``RunFailedError``: no engine traceback."""
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb
