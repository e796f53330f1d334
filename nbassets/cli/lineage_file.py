"""``nbassets lineage NOTEBOOK -o FILE``: the lineage picture as a file.

Responsibilities:
- ``.svg``: the same static picture the notebook shows (layout by ``dot``,
  status colours, legend).
- ``.dot``: the graph as graphviz source (groups as clusters, status fills),
  for other tools; ``.png``: that source drawn by ``dot -Tpng``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nbassets.cli.run_command import UsageProblem
from nbassets.graph.registry import Registry

__all__ = ["FORMATS", "dot_source", "write_lineage"]

FORMATS = (".svg", ".png", ".dot")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(registry: Registry) -> str:
    """The registry's graph as DOT, left to right, one cluster per named group."""
    from nbassets.widgets.statuses import STATUS_STYLES

    graph = registry.graph
    keys = list(registry.keys())
    ids = {key: f"n{i}" for i, key in enumerate(keys)}
    groups: dict[str, list[str]] = {}
    lines = ["digraph lineage {", "rankdir=LR;", 'node [shape=box, style="rounded,filled"];']
    for key in keys:
        style = STATUS_STYLES.get(str(registry.status(key)), STATUS_STYLES["missing"])
        node = (
            f"{ids[key]} [label={_quote(key.to_user_string())}, fillcolor={_quote(style.fill)}, "
            f"color={_quote(style.stroke)}];"
        )
        groups.setdefault(graph.node(key).group_name, []).append(node)
    named = [g for g in groups if g != "default"]
    for number, group in enumerate(named):
        lines.append(f"subgraph cluster_{number} {{ label={_quote(group)};")
        lines.extend(groups[group])
        lines.append("}")
    lines.extend(groups.get("default", []))
    for key in keys:
        for parent in dict.fromkeys(graph.parents(key)):
            if parent in ids:
                lines.append(f"{ids[parent]} -> {ids[key]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_lineage(registry: Registry, path: Path) -> None:
    """Write the lineage of ``registry`` to ``path``, in the format its suffix names."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageProblem(
            f"Cannot write lineage as '{suffix or path.name}': name the file .svg, .png or .dot."
        )
    if suffix == ".dot":
        path.write_text(dot_source(registry), encoding="utf-8")
        return
    if shutil.which("dot") is None:
        raise UsageProblem(
            "Drawing the lineage needs graphviz's `dot` program (apt install graphviz, brew "
            "install graphviz, conda install graphviz); `-o FILE.dot` works without it."
        )
    if suffix == ".svg":
        from nbassets.widgets.layout import compute_layout, static_svg

        statuses = {key: str(registry.status(key)) for key in registry.keys()}
        path.write_text(static_svg(compute_layout(registry.graph), statuses), encoding="utf-8")
        return
    done = subprocess.run(
        ["dot", "-Tpng"], input=dot_source(registry).encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise UsageProblem(f"graphviz `dot -Tpng` failed: {done.stderr.decode(errors='replace')}")
    path.write_bytes(done.stdout)
