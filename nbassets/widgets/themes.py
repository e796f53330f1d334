"""Each widget's stylesheet, with the theme for frontends other than JupyterLab.

Responsibilities:
- ``stylesheet``: a widget's CSS file prefixed with ``static/theme.css``, which
  defines the ``--jp-*`` variables the widgets use wherever JupyterLab does not
  (VS Code's ``--vscode-*`` variables, light and dark defaults), so every
  widget reads well in VS Code, Colab and plain Notebook pages too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["STATIC", "stylesheet"]

STATIC = Path(__file__).with_name("static")


@cache
def stylesheet(name: str) -> str:
    """The CSS text of ``static/<name>`` after the shared theme."""
    theme = (STATIC / "theme.css").read_text(encoding="utf-8")
    return theme + "\n" + (STATIC / name).read_text(encoding="utf-8")
