"""Lineage layout computed by graphviz ``dot`` in the kernel, and its static SVG.

Responsibilities:
- ``compute_layout``: write the asset graph as DOT (stable node ids ``n0..nN``,
  groups as labelled clusters, left to right, every box sized here from the
  label's Helvetica width so any Graphviz build draws the same boxes), lay it
  out once (system ``dot`` or the WebAssembly build, ``graphviz_engine.py``), and
  turn its JSON into boxes, edge paths and cluster frames in SVG coordinates, so
  the browser draws the graph without graphviz.
- ``static_svg``: a standalone picture of a layout with status colours and a
  legend, for places where no widget runs (nbconvert, GitHub, terminals).

Graphviz escapes names in its output, so nothing here ever maps a graphviz name
or title back to an asset key: node ``n{i}`` is the i-th drawn key, always.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.graph.asset_graph import AssetGraph
from nbassets.widgets.graphviz_engine import graphviz_engine, run_graphviz
from nbassets.widgets.statuses import STATUS_STYLES, STATUSES
from nbassets.widgets.text_width import text_width

__all__ = [
    "ClusterBox",
    "EdgePath",
    "Layout",
    "NodeBox",
    "compute_layout",
    "static_html",
    "static_svg",
]

# Space around the drawing, in graphviz points (the SVG user unit we keep).
MARGIN = 8.0
FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif"
FONT_SIZE = 12.0
CLUSTER_FONT_SIZE = 11.0
# Box padding around a label (points) and the smallest box, as graphviz's defaults
# would draw them; boxes are sized here so every graphviz build draws them alike.
NODE_PAD_X = 10.08
# Whole points: graphviz 2.x rounds node sizes to points, newer builds do not.
NODE_HEIGHT_PT = 26
NODE_MIN_WIDTH_PT = 54
CLUSTER_LABEL_HEIGHT = 15.0
# Above this many nodes or edges dot's crossing minimisation and network simplex
# dominate the run time; bounding them (and drawing straight-segment edges) keeps a
# 1,000-asset layout well under half a second at a small cost in crossings.
LARGE_GRAPH_NODES = 300
LARGE_GRAPH_EDGES = 600


@dataclass(frozen=True, slots=True)
class NodeBox:
    """One asset's box: top-left corner and size, in SVG units (y grows downwards)."""

    id: str
    key: AssetKey
    x: float
    y: float
    width: float
    height: float
    group: str
    external: bool = False

    @property
    def label(self) -> str:
        return self.key.to_user_string()


@dataclass(frozen=True, slots=True)
class EdgePath:
    """An edge from node id ``source`` to ``target``: an SVG path and its arrowhead."""

    source: str
    target: str
    d: str
    arrow: str  # polygon points "x,y x,y x,y"; empty when dot drew no arrowhead


@dataclass(frozen=True, slots=True)
class ClusterBox:
    """A group's frame and the anchor (centre, baseline) of its label."""

    id: str
    label: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Layout:
    """Everything needed to draw a lineage graph; ``nodes`` in the order they were given."""

    nodes: tuple[NodeBox, ...]
    edges: tuple[EdgePath, ...]
    clusters: tuple[ClusterBox, ...]
    width: float
    height: float
    _ids: dict[AssetKey, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._ids.update({node.key: node.id for node in self.nodes})

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def id_for(self, key: AssetKey) -> str:
        """The node id (``n{i}``) drawn for ``key``; ``KeyError`` if it is not drawn."""
        return self._ids[key]

    def to_json(self) -> dict[str, Any]:
        """The layout as plain JSON data for the widget's front end."""
        return {
            "width": self.width,
            "height": self.height,
            "nodes": [
                {
                    "id": n.id,
                    "key": n.label,
                    "x": n.x,
                    "y": n.y,
                    "width": n.width,
                    "height": n.height,
                    "group": n.group,
                    "external": n.external,
                }
                for n in self.nodes
            ],
            "edges": [
                {"source": e.source, "target": e.target, "d": e.d, "arrow": e.arrow}
                for e in self.edges
            ],
            "clusters": [
                {
                    "id": c.id,
                    "label": c.label,
                    "x": c.x,
                    "y": c.y,
                    "width": c.width,
                    "height": c.height,
                    "label_x": c.label_x,
                    "label_y": c.label_y,
                }
                for c in self.clusters
            ],
        }


def _quote(text: str) -> str:
    """A DOT double-quoted string that graphviz reads back as ``text`` exactly."""
    # Backslash starts graphviz escapes (\n, \N, \G...) inside labels, so double it.
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r", " ").replace("\n", " ") + '"'


def _drawn_keys(graph: AssetGraph, keys: Iterable[AssetKey] | None) -> list[AssetKey]:
    if keys is None:
        return list(graph.keys)
    wanted = set()
    for key in keys:
        if key not in graph:
            raise graph.unknown(key, context="the lineage view")
        wanted.add(key)
    return [key for key in graph.keys if key in wanted]


def _node_line(node_id: str, label: str) -> str:
    width = max(NODE_MIN_WIDTH_PT, math.ceil(text_width(label, FONT_SIZE) + 2 * NODE_PAD_X))
    return f"{node_id} [label={_quote(label)}, width={width / 72:.6f}];"


def _cluster_label(label: str) -> str:
    # An empty fixed-size table reserves the label's room without graphviz
    # measuring the text; the widget draws the text itself at ``lp``.
    width = text_width(label, CLUSTER_FONT_SIZE, bold=True) + 4
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0" FIXEDSIZE="TRUE" '
        f'WIDTH="{round(width)}" HEIGHT="{CLUSTER_LABEL_HEIGHT:g}"><TR><TD></TD></TR></TABLE>>'
    )


def _uses_clusters(graph: AssetGraph, keys: list[AssetKey]) -> bool:
    # A single frame labelled "default" around everything says nothing; draw
    # clusters only once the user has named a group.
    return any(graph.node(key).group_name != "default" for key in keys)


def _dot_source(
    graph: AssetGraph, keys: list[AssetKey], ids: dict[AssetKey, str]
) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    edges = [
        (ids[parent], ids[key])
        for key in keys
        for parent in dict.fromkeys(graph.parents(key))
        if parent in ids
    ]
    large = len(keys) > LARGE_GRAPH_NODES or len(edges) > LARGE_GRAPH_EDGES
    tuning = "splines=line, nslimit=2, mclimit=0.2" if large else "splines=spline"
    lines = [
        "digraph lineage {",
        f"graph [rankdir=LR, nodesep=0.25, ranksep=0.55, {tuning}, "
        # Cluster labels are measured in the bold face the widget draws them with.
        f'fontname="Helvetica-Bold", fontsize={CLUSTER_FONT_SIZE:g}, labeljust=l];',
        f'node [shape=box, fontname="Helvetica", fontsize={FONT_SIZE:g}, '
        f"height={NODE_HEIGHT_PT / 72:.6f}, fixedsize=true];",
        "edge [arrowsize=0.7];",
    ]
    cluster_names: dict[str, str] = {}
    if _uses_clusters(graph, keys):
        members: dict[str, list[AssetKey]] = {}
        loose: list[AssetKey] = []
        for key in keys:
            node = graph.node(key)
            if node.is_external and node.group_name == "default":
                loose.append(key)
            else:
                members.setdefault(node.group_name, []).append(key)
        for i, (group, group_keys) in enumerate(members.items()):
            cluster_names[f"cluster_{i}"] = group
            lines.append(f"subgraph cluster_{i} {{ label={_cluster_label(group)};")
            lines.extend(_node_line(ids[k], k.to_user_string()) for k in group_keys)
            lines.append("}")
    else:
        loose = keys
    lines.extend(_node_line(ids[k], k.to_user_string()) for k in loose)
    lines.extend(f"{a} -> {b};" for a, b in edges)
    lines.append("}")
    return "\n".join(lines), edges, cluster_names


# The last few Graphviz answers by their input: several live views of one graph share one.
_RECENT_LAYOUTS: dict[tuple[str, str], dict[str, Any]] = {}
_RECENT_MAX = 4


def _graphviz_json(source: str) -> dict[str, Any]:
    engine = graphviz_engine()
    if engine is None:
        return run_graphviz(source)  # raises, saying how to install Graphviz
    cached = _RECENT_LAYOUTS.get((engine, source))
    if cached is not None:
        return cached
    result = run_graphviz(source)
    if len(_RECENT_LAYOUTS) >= _RECENT_MAX:
        del _RECENT_LAYOUTS[next(iter(_RECENT_LAYOUTS))]
    _RECENT_LAYOUTS[(engine, source)] = result
    return result


def _points(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",")[:2] for p in text.split())]


def compute_layout(graph: AssetGraph, keys: Iterable[AssetKey] | None = None) -> Layout:
    """Lay out ``graph`` (or only ``keys`` of it, with the edges among them) with ``dot``.

    Args:
        graph: The read-only asset graph.
        keys: The assets to draw; all of them when ``None``. Drawn in definition order.

    Returns:
        Node boxes, edge paths and cluster frames in SVG coordinates, with a margin.

    Raises:
        UnknownAssetError: A key in ``keys`` is not in the graph.
        LayoutUnavailableError: Neither the system ``dot`` nor the WebAssembly
            Graphviz is installed.
        NbAssetsError: Graphviz fails on the graph.
    """
    drawn = _drawn_keys(graph, keys)
    ids = {key: f"n{i}" for i, key in enumerate(drawn)}
    if not drawn:
        return Layout((), (), (), 2 * MARGIN, 2 * MARGIN)
    source, edge_ids, cluster_names = _dot_source(graph, drawn, ids)
    out = _graphviz_json(source)
    llx, lly, urx, ury = (float(v) for v in out["bb"].split(","))

    def fx(x: float) -> float:
        return round(x - llx + MARGIN, 2)

    def fy(y: float) -> float:
        return round(ury - y + MARGIN, 2)

    by_gvid: dict[int, str] = {}
    boxes: dict[str, NodeBox] = {}
    clusters: list[ClusterBox] = []
    key_of = {v: k for k, v in ids.items()}
    for obj in out.get("objects", []):
        name = obj["name"]
        if name in cluster_names:
            x0, y0, x1, y1 = (float(v) for v in obj["bb"].split(","))
            lx, ly = _points(obj.get("lp", f"{(x0 + x1) / 2},{y1 - 10}"))[0]
            clusters.append(
                ClusterBox(
                    name,
                    cluster_names[name],
                    fx(x0),
                    fy(y1),
                    round(x1 - x0, 2),
                    round(y1 - y0, 2),
                    fx(lx),
                    fy(ly) + 4,
                )
            )
        elif name in key_of:
            by_gvid[obj["_gvid"]] = name
            ((cx, cy),) = _points(obj["pos"])
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            node = graph.node(key_of[name])
            boxes[name] = NodeBox(
                name,
                node.key,
                round(fx(cx) - w / 2, 2),
                round(fy(cy) - h / 2, 2),
                round(w, 2),
                round(h, 2),
                node.group_name,
                node.is_external,
            )
    paths = []
    for edge in out.get("edges", []):
        source_id, target_id = by_gvid[edge["tail"]], by_gvid[edge["head"]]
        parts = edge["pos"].split()
        end = next((p for p in parts if p.startswith("e,")), None)
        spline = " ".join(p for p in parts if not p.startswith(("e,", "s,")))
        pts = [(fx(x), fy(y)) for x, y in _points(spline)]
        d = f"M{pts[0][0]},{pts[0][1]}C" + " ".join(f"{x},{y}" for x, y in pts[1:])
        paths.append(EdgePath(source_id, target_id, d, _arrowhead(pts[-1], end, fx, fy)))
    # dot numbers edges in its own order; keep ours (definition order of heads).
    rank = {pair: i for i, pair in enumerate(edge_ids)}
    paths.sort(key=lambda e: rank.get((e.source, e.target), len(rank)))
    return Layout(
        tuple(boxes[ids[k]] for k in drawn),
        tuple(paths),
        tuple(clusters),
        round(urx - llx + 2 * MARGIN, 2),
        round(ury - lly + 2 * MARGIN, 2),
    )


def _arrowhead(base: tuple[float, float], end: str | None, fx: Any, fy: Any) -> str:
    if end is None:
        return ""
    ex, ey = (float(v) for v in end[2:].split(","))
    tip = (fx(ex), fy(ey))
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    # Half-width of the arrowhead, perpendicular to its axis.
    px, py = -dy / length * 3.2, dx / length * 3.2
    corners = [tip, (base[0] + px, base[1] + py), (base[0] - px, base[1] - py)]
    return " ".join(f"{round(x, 2)},{round(y, 2)}" for x, y in corners)


def static_svg(layout: Layout, statuses: Mapping[AssetKey, str] | None = None) -> str:
    """Draw ``layout`` as one standalone SVG document with status colours and a legend.

    Args:
        layout: A layout from ``compute_layout``.
        statuses: Status of each drawn key; keys not given are drawn as ``missing``.

    Returns:
        SVG markup; every user-controlled string in it is escaped.
    """
    statuses = statuses or {}
    styles = STATUS_STYLES
    legend_h = 26.0
    legend_items = []
    x = MARGIN
    for name in STATUSES:
        style = STATUS_STYLES[name]
        legend_items.append(
            f'<rect x="{x:g}" y="8" width="12" height="12" rx="2" fill="{style.fill}" '
            f'stroke="{style.stroke}"/><text x="{x + 16:g}" y="18">{escape(style.label)}</text>'
        )
        x += 16 + len(style.label) * 5.6 + 14
    width = max(layout.width, x)
    height = layout.height + legend_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="{FONT_FAMILY}" font-size="11" '
        'class="nbassets-lineage-static">',
        "<title>Asset lineage</title>",
        f'<rect width="{width:g}" height="{height:g}" fill="#ffffff"/>',
        f'<g fill="#374151">{"".join(legend_items)}</g>',
        f'<g transform="translate(0,{legend_h:g})">',
    ]
    for c in layout.clusters:
        out.append(
            f'<rect x="{c.x:g}" y="{c.y:g}" width="{c.width:g}" height="{c.height:g}" rx="6" '
            'fill="#f9fafb" stroke="#d1d5db"/>'
            f'<text x="{c.label_x:g}" y="{c.label_y:g}" text-anchor="middle" fill="#4b5563" '
            f'font-weight="bold" font-size="{CLUSTER_FONT_SIZE:g}">{escape(c.label)}</text>'
        )
    for e in layout.edges:
        out.append(
            f'<path d="{e.d}" fill="none" stroke="#6b7280" stroke-width="1.2"/>'
            + (f'<polygon points="{e.arrow}" fill="#6b7280"/>' if e.arrow else "")
        )
    for n in layout.nodes:
        style = styles.get(statuses.get(n.key, "missing"), styles["missing"])
        dash = ' stroke-dasharray="4 3"' if n.external else ""
        label = escape(n.label)
        out.append(
            f"<g><title>{label} ({escape(style.label)})</title>"
            f'<rect x="{n.x:g}" y="{n.y:g}" width="{n.width:g}" height="{n.height:g}" rx="4" '
            f'fill="{style.fill}" stroke="{style.stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{n.x + n.width / 2:g}" y="{n.y + n.height / 2:g}" text-anchor="middle" '
            f'dominant-baseline="central" font-size="{FONT_SIZE:g}" fill="#111827">{label}</text>'
            "</g>"
        )
    out.append("</g></svg>")
    return "\n".join(out)


def static_html(svg: str) -> str:
    """The static SVG wrapped for ``text/html`` outputs, scrolling when it is wide."""
    return f'<div class="nbassets-lineage-static" style="overflow:auto;max-width:100%">{svg}</div>'
