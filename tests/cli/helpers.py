"""Notebooks written by tests, and the `nbassets` command run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def write_notebook(path: Path, *cells: str | tuple[str, str]) -> Path:
    """A notebook of code cells ('# md...' makes markdown); a (id, source) pair pins the id."""
    nb = nbformat.v4.new_notebook()
    for number, cell in enumerate(cells):
        cell_id, source = cell if isinstance(cell, tuple) else (f"c{number}", cell)
        if source.startswith("# md"):
            made = nbformat.v4.new_markdown_cell(source)
        else:
            made = nbformat.v4.new_code_cell(source)
        made.id = cell_id
        nb.cells.append(made)
    nbformat.write(nb, path)
    return path


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def nbassets(*args: str | Path, cwd: Path | None = None, timeout: float = 120):
    """Run `python -m nbassets ARGS`; return the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "nbassets", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(),
        timeout=timeout,
        check=False,
    )
