"""Tracebacks that show a cell's own lines and nothing of the engine.

Responsibilities:
- Name the pseudo-files asset code is compiled under (``<asset orders>``).
- Register a cell's source in ``linecache`` under that name, padded so that
  line numbers are the cell's (the ``%%asset`` line is line 1).
- Format an exception from asset code keeping only the frames of cell code.
"""

from __future__ import annotations

import linecache
import traceback

__all__ = ["CELL_FILENAME_PREFIX", "cell_filename", "register_cell_source", "trim_traceback"]

CELL_FILENAME_PREFIX = "<asset "
"""Every cell filename starts with this; pass it to ``trim_traceback``."""


def cell_filename(name: str) -> str:
    """Return the pseudo-filename asset ``name``'s cell is compiled under.

    Re-defining the asset reuses the name, so ``linecache`` always holds the
    latest body: format a traceback when it happens, not after a re-run.
    """
    return f"{CELL_FILENAME_PREFIX}{name}>"


def register_cell_source(filename: str, source: str, *, first_line: int = 1) -> None:
    """Make ``linecache`` (and so every traceback printer) find a cell's lines.

    Args:
        filename: The name the code was compiled with.
        source: The cell body.
        first_line: The cell line number of the body's first line; earlier lines
            (the magic's own line) are blank in the cache.
    """
    lines = ["\n"] * (first_line - 1) + source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # An mtime of None tells linecache.checkcache that there is no file to re-check.
    linecache.cache[filename] = (len(source), None, lines, filename)


def trim_traceback(
    exc: BaseException, filename_prefix: str = CELL_FILENAME_PREFIX, *, keep_inner: bool = False
) -> str:
    """Format ``exc`` the way Python would, keeping only the frames of cell code.

    The engine's frames (the outer ones, which call the asset) are dropped, so a
    failure reads as if the cell had raised it directly. Chained exceptions
    (``raise ... from``, errors during handling) are trimmed the same way.

    Args:
        exc: An exception raised while running asset code.
        filename_prefix: Frames whose filename starts with this are cell code.
        keep_inner: Also keep the frames below the first cell frame (helpers
            and libraries the cell called), as a debugger would show them.

    Returns:
        The formatted traceback. When no frame at all is cell code, the failure
        is not the cell's and the full traceback is returned unchanged.
    """
    report = traceback.TracebackException.from_exception(exc)
    if not _trim(report, filename_prefix, keep_inner, seen=set()):
        return "".join(traceback.format_exception(exc))
    return "".join(report.format())


def _trim(
    report: traceback.TracebackException, prefix: str, keep_inner: bool, seen: set[int]
) -> bool:
    """Trim ``report`` and its chain in place; return whether any cell frame was seen."""
    if id(report) in seen:
        return False
    seen.add(id(report))
    frames = list(report.stack)
    cell_indexes = [i for i, f in enumerate(frames) if f.filename.startswith(prefix)]
    if keep_inner and cell_indexes:
        kept = frames[cell_indexes[0] :]
    else:
        kept = [frames[i] for i in cell_indexes]
    report.stack = traceback.StackSummary.from_list(kept)
    found = bool(cell_indexes)
    for linked in (report.__cause__, report.__context__):
        if linked is not None:
            found = _trim(linked, prefix, keep_inner, seen) or found
    for member in getattr(report, "exceptions", None) or ():
        found = _trim(member, prefix, keep_inner, seen) or found
    return found
