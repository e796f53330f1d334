"""Live lineage views: what 0, 1 and 3 views following the registry cost.

The baseline is the same work with no view, measured in the same run. A view's
layout is deferred until after the cell (``Deferred``); here the benchmark plays
the kernel and flushes it once per "cell", timing that flush apart. Messages to
the page are serialized as a kernel would (``bench.comms``). CPU time of this
process for cells and runs; wall-clock time for layouts (they run in ``dot``).

Targets (issue 10): definitions and runs with live views <= 1.2x the time with
none; one ``%%asset --no-run`` cell in a 300-asset notebook with a live view ~2 ms.
"""

from __future__ import annotations

import contextlib
import gc
import io
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.comms import counting_comms
from bench.dags import build, layered
from nbassets import materialize, use_registry
from nbassets.graph.registry import Registry
from nbassets.widgets.deferred import Deferred
from nbassets.widgets.layout import _RECENT_LAYOUTS

N = 300


def _views(registry: Registry, count: int, later: Deferred) -> list[Any]:
    from nbassets.widgets.lineage import LineageWidget
    from nbassets.widgets.live import follow_registry

    views = []
    for _ in range(count):
        widget = LineageWidget(registry.graph)
        follow_registry(widget, registry, later=later)
        views.append(widget)
    return views


def _wall(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu(fn: Callable[[], Any]) -> float:
    # CPU time of this process: other developers' work on the machine does not count;
    # nor do garbage collections, which land anywhere (as in bench.timing).
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        fn()
        return time.process_time() - start
    finally:
        gc.enable()


def _define(count: int) -> tuple[float, float, int]:
    """Seconds to define N assets in one cell, seconds of the layout after it, bytes sent."""
    definitions, _ = build(layered(N))
    later = Deferred(later=lambda flush: None)  # the benchmark flushes, as the kernel would
    with use_registry() as registry, counting_comms() as sent:
        registry.add(definitions[0])
        _ = registry.graph  # a notebook has drawn or listed its assets before
        _views(registry, count, later)
        sent["bytes"] = 0
        cell = _cpu(lambda: [registry.add(d) for d in definitions[1:]])
        _RECENT_LAYOUTS.clear()  # each repeat is a new graph for dot
        after = _wall(later.flush)
        return cell, after, sent["bytes"]


def _run(count: int, replaced: int = 0) -> tuple[float, int]:
    """Seconds to materialize N assets with ``count`` live views (and ``replaced`` closed)."""
    definitions, _ = build(layered(N))
    later = Deferred(later=lambda flush: None)
    with use_registry() as registry, counting_comms() as sent:
        for d in definitions:
            registry.add(d)
        for view in _views(registry, replaced, later):
            view.close()  # what re-running the cell that showed it does
        _views(registry, count, later)
        later.flush()
        sent["bytes"] = 0
        with contextlib.redirect_stdout(io.StringIO()):
            # With what the run leaves for after the cell (the kernel flushes it when idle).
            seconds = _cpu(lambda: (materialize(selection="*", registry=registry), later.flush()))
        return seconds, sent["bytes"]


def _no_run_cell(count: int) -> float:
    """Seconds for one ``%%asset --no-run`` cell in an N-asset notebook with live views."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "nbassets")
    definitions, _ = build(layered(N))
    later = Deferred(later=lambda flush: None)
    body = "total = n1 + n2\ntotal\n"
    import nbassets.widgets.deferred as deferred_module

    saved = deferred_module._deferred
    deferred_module._deferred = later
    try:
        with use_registry() as registry, counting_comms(), contextlib.redirect_stdout(
            io.StringIO()
        ):
            for d in definitions:
                registry.add(d)
            _views(registry, count, later)
            samples = []
            for _ in range(9):
                samples.append(_cpu(lambda: shell.run_cell_magic("asset", "cell --no-run", body)))
                later.flush()
            return statistics.median(samples)
    finally:
        deferred_module._deferred = saved


def _median(fn: Callable[[], Any], repeat: int = 5) -> Any:
    results = [fn() for _ in range(repeat)]
    return sorted(results, key=lambda r: r[0])[repeat // 2]


def main() -> None:
    print(f"Live lineage views: {N} layered assets, 0 / 1 / 3 views following the registry")
    if shutil.which("dot") is None:
        print("  skipped: graphviz `dot` is not installed (apt-get install graphviz)\n")
        return
    _run(0)  # warm: imports and compiled code, so the first figure is not the slowest
    base_cell, _, _ = _median(lambda: _define(0))
    print(f"  define {N} assets in one cell: no view {base_cell * 1000:.0f} ms")
    for count in (1, 3):
        cell, after, sent = _median(lambda c=count: _define(c))
        print(
            f"    {count} view(s): cell {cell * 1000:.0f} ms ({cell / base_cell:.2f}x), then one "
            f"layout after the cell, shared by the views, {after * 1000:.0f} ms, "
            f"{sent / 1024:.0f} KiB sent"
        )
    base_run, _ = _median(lambda: _run(0))
    print(f"  materialize {N} assets: no view {base_run * 1000:.0f} ms")
    for count, replaced in ((1, 0), (3, 0), (0, 3)):
        seconds, sent = _median(lambda c=count, r=replaced: _run(c, r))
        label = f"{count} view(s)" if not replaced else f"{replaced} replaced view(s)"
        print(
            f"    {label}: {seconds * 1000:.0f} ms ({seconds / base_run:.2f}x), "
            f"{sent / 1024:.0f} KiB sent"
        )
    base_cell_one = _no_run_cell(0)
    one = _no_run_cell(1)
    print(
        f"  one %%asset --no-run cell among {N}: no view {base_cell_one * 1000:.1f} ms, "
        f"1 view {one * 1000:.1f} ms ({one / base_cell_one:.2f}x; its layout runs after the cell)"
    )
    print("  target: <= 1.2x with no view; layout once per cell, after it\n")


if __name__ == "__main__":
    main()
