"""``%assets lineage``: the graph as a static picture (SVG), or text without graphviz.

Responsibilities:
- Resolve an optional selection, lay out those assets with graphviz and colour
  them by status; without the ``dot`` program, an indented text tree instead.
"""

from __future__ import annotations

import html
from typing import Any

from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry

__all__ = ["LineageText", "lineage_view"]


class StaticLineage:
    """An SVG for Jupyter with a text fallback for terminals."""

    def __init__(self, svg: str, text: str) -> None:
        self.svg = svg
        self.text = text

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return self.text


class LineageText:
    """Assets in graph order with their upstreams, for terminals or without graphviz."""

    def __init__(self, lines: list[str], note: str = "") -> None:
        self.lines = lines
        self.note = note

    def __repr__(self) -> str:
        return "\n".join(self.lines + ([self.note] if self.note else []))

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"


def _text(registry: Registry, keys: list[Any]) -> list[str]:
    lines = []
    for key in keys:
        parents = [p.to_user_string() for p in registry.graph.parents(key)]
        arrow = f"  <- {', '.join(parents)}" if parents else ""
        lines.append(f"{key.to_user_string()} [{registry.status(key)}]{arrow}")
    return lines or ["No assets defined yet."]


def lineage_view(registry: Registry, selection: str | None) -> Any:
    graph = registry.graph
    if selection:
        from nbassets.graph.selection import coerce_selection

        chosen = coerce_selection(selection).resolve(graph)
        keys = [k for k in graph.keys if k in chosen]
    else:
        keys = list(graph.keys)
    text = _text(registry, keys)
    try:
        from nbassets.widgets.layout import compute_layout, static_svg

        layout = compute_layout(graph, keys)
        svg = static_svg(layout, {k: registry.status(k) for k in keys})
    except NbAssetsError as error:
        return LineageText(text, f"({error})")
    return StaticLineage(svg, "\n".join(text))
