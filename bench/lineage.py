"""Lineage: layout of 1,000 assets, and what a status change costs afterwards.

Target (DESIGN section 10): <= 0.5 s to lay out 1,000 assets with graphviz dot;
a status change recolours without re-layout. Baselines, measured in the same
run: the ``dot`` binary alone on the same graph (JSON and SVG output), started
from the shell as a user would. Wall-clock time here (not CPU time): the layout
runs in a ``dot`` subprocess.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.widgets.layout import _RECENT_LAYOUTS, _dot_source, compute_layout
from nbassets.widgets.lineage import LineageWidget


def _graph(n: int = 1000) -> AssetGraph:
    """A layered DAG: each asset reads up to two of the 50 before it; groups of 100."""
    rnd = random.Random(3)
    nodes = [AssetNode(AssetKey(f"asset_{i}"), group_name=f"group_{i // 100}") for i in range(50)]
    for i in range(50, n):
        parents = tuple(sorted({AssetKey(f"asset_{rnd.randrange(i - 50, i)}") for _ in range(2)}))
        nodes.append(AssetNode(AssetKey(f"asset_{i}"), parents, group_name=f"group_{i // 100}"))
    return AssetGraph(nodes)


def _wall(fn: Callable[[], Any], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    print("Lineage layout of 1,000 assets (~1,900 edges, 10 groups)")
    if shutil.which("dot") is None:
        print("  skipped: graphviz `dot` is not installed (apt-get install graphviz)\n")
        return
    graph = _graph()
    keys = list(graph.keys)
    ids = {k: f"n{i}" for i, k in enumerate(keys)}
    source = _dot_source(graph, keys, ids)[0].encode()
    dot = shutil.which("dot") or "dot"

    def shell(fmt: str) -> Callable[[], Any]:
        return lambda: subprocess.run([dot, fmt], input=source, capture_output=True, check=True)

    base_json = _wall(shell("-Tjson0"))
    base_svg = _wall(shell("-Tsvg"))
    def fresh_layout() -> Any:
        _RECENT_LAYOUTS.clear()  # a new graph each time, as a user's edit gives
        return compute_layout(graph)

    ours = _wall(fresh_layout)
    verdict = "ok" if ours <= 0.5 else "over target"
    print(
        f"  dot from the shell: {base_json * 1000:.0f} ms (JSON), {base_svg * 1000:.0f} ms (SVG); "
        f"compute_layout {ours * 1000:.0f} ms (target <= 500 ms: {verdict})"
    )
    widget = LineageWidget(graph)
    layout_bytes = len(json.dumps(widget.graph_layout))
    sent: list[dict[str, Any]] = []
    # What the widget would send: the changed traits only (ipywidgets' protocol).
    widget.observe(lambda change: sent.append({change["name"]: change["new"]}), names=None)
    widget.set_status("asset_500", "running")
    status_bytes = sum(len(json.dumps(m)) for m in sent)
    names = sorted({name for m in sent for name in m})
    recolour = _wall(lambda: widget.set_status("asset_500", "failed")
                     or widget.set_status("asset_500", "running"), repeat=21) / 2
    print(
        f"  a status change sends {', '.join(names)} ({status_bytes / 1024:.1f} KiB) vs the "
        f"full layout ({layout_bytes / 1024:.0f} KiB); set_status {recolour * 1e6:.0f} µs, "
        "no layout\n"
    )
    widget.close()


if __name__ == "__main__":
    main()
