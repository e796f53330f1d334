"""Each widget's stylesheet, with the theme for frontends other than JupyterLab.

Responsibilities:
- ``stylesheet``: a widget's CSS file prefixed with ``static/theme.css``, which
  defines the ``--jp-*`` variables the widgets use wherever JupyterLab does not
  (VS Code's ``--vscode-*`` variables, light and dark defaults), so every
  widget reads well in VS Code, Colab and plain Notebook pages too.
- ``status_variables``: the status colours of ``widgets.statuses`` as CSS
  variables (``--nba-status-<name>-fill`` / ``-stroke``, dark values on dark
  pages) and ``.nba-status-<name>`` swatch classes, generated from that one
  table, so no stylesheet or script repeats a colour.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["STATIC", "stylesheet"]

STATIC = Path(__file__).with_name("static")


_ROOTS = ":is(.nba-lineage, .nba-progress, .nba-picker, .nba-asset)"
_DARK_PAGES = (
    'body[data-jp-theme-light="false"]',
    "body:is(.vscode-dark, .vscode-high-contrast):not(.vscode-high-contrast-light)"
    ":not([data-jp-theme-name])",
)


@cache
def status_variables() -> str:
    """CSS: each status's fill and stroke as variables on the widget roots, and swatches."""
    from nbassets.widgets.statuses import STATUS_STYLES

    light = [
        f"--nba-status-{s.name}-fill: {s.fill}; --nba-status-{s.name}-stroke: {s.stroke};"
        for s in STATUS_STYLES.values()
    ]
    dark = [
        f"--nba-status-{s.name}-fill: {s.dark_fill}; --nba-status-{s.name}-stroke: {s.dark_stroke};"
        for s in STATUS_STYLES.values()
    ]
    swatches = [
        f"{_ROOTS} .nba-swatch.nba-status-{name} {{ background: var(--nba-status-{name}-fill); "
        f"border-color: var(--nba-status-{name}-stroke); }}"
        for name in STATUS_STYLES
    ]
    dark_roots = ", ".join(f"{page} {_ROOTS}" for page in _DARK_PAGES)
    return "\n".join(
        [
            "/* Generated from nbassets/widgets/statuses.py: the status colours. */",
            f"{_ROOTS} {{\n  " + "\n  ".join(light) + "\n}",
            f"{dark_roots} {{\n  " + "\n  ".join(dark) + "\n}",
            *swatches,
        ]
    )


@cache
def stylesheet(name: str) -> str:
    """The CSS text of ``static/<name>`` after the shared theme and the status colours."""
    theme = (STATIC / "theme.css").read_text(encoding="utf-8")
    own = (STATIC / name).read_text(encoding="utf-8")
    return f"{theme}\n{status_variables()}\n{own}"
