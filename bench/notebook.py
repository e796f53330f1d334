"""Notebook costs: defining an ``%%asset`` cell, and ``import nbassets`` + ``%load_ext``.

Targets (DESIGN section 10): <= 2 ms to define one cell in a 1,000-asset
registry; <= 150 ms for ``import nbassets`` (``import dagster`` 338 ms here).
The baselines are measured in the same run: compiling the same cell body with
Python's ``compile``, and starting a bare interpreter.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import time

from bench.timing import fmt_ms, median_time
from nbassets import use_registry

_IMPORT = (
    "import time; t0 = time.perf_counter(); import IPython; "
    "from IPython.testing.globalipapp import start_ipython; ip = start_ipython(); "
    "t1 = time.perf_counter(); import nbassets; t2 = time.perf_counter(); "
    "ip.run_line_magic('load_ext', 'nbassets'); t3 = time.perf_counter(); "
    "print(t2 - t1, t3 - t2)"
)


_BARE = "from IPython.testing.globalipapp import start_ipython; start_ipython()"


def _registry_of(n: int) -> None:
    from nbassets import asset, get_registry

    registry = get_registry()
    for i in range(n):
        source = f"def a{i}():\n    return {i}\n"
        namespace: dict[str, object] = {}
        exec(source, namespace)
        registry.add(asset(namespace[f"a{i}"]))


def define_cell() -> None:
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_line_magic("load_ext", "nbassets")
    body = "total = a1 + a2\nscaled = [x * 2 for x in range(3)]\ntotal + sum(scaled)\n"
    with use_registry(), contextlib.redirect_stdout(io.StringIO()):
        _registry_of(1000)
        shell.run_cell_magic("asset", "cell_asset --no-run", body)

        def define() -> None:
            shell.run_cell_magic("asset", "cell_asset --no-run --group g", body)

        engine = median_time(define, repeat=9, number=20)
        base = median_time(lambda: compile(body, "<cell>", "exec"), repeat=9, number=200)
    print("Define one %%asset cell (--no-run) in a 1,000-asset registry")
    print(
        f"  python compile() of the body {fmt_ms(base)}, %%asset {fmt_ms(engine)} "
        f"({engine / base:.0f}x)"
    )
    print("  target: <= 2 ms\n")


def import_time() -> None:
    samples = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT], capture_output=True, text=True, check=True
        ).stdout.split()
        samples.append((float(out[0]), float(out[1])))
    samples.sort()
    imp, load = samples[len(samples) // 2]
    bare_samples = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", _BARE], check=True)
        bare_samples.append(time.perf_counter() - start)
    bare_samples.sort()
    bare = bare_samples[2]
    print("import nbassets and %load_ext nbassets (median of 5 fresh interpreters, wall clock)")
    print(
        f"  baseline: a fresh interpreter with IPython {fmt_ms(bare)}; import nbassets "
        f"{fmt_ms(imp)}, %load_ext {fmt_ms(load)}, together {fmt_ms(imp + load)} "
        f"({(imp + load) / bare:.2f}x the baseline)"
    )
    print("  target: <= 150 ms (import dagster: 338 ms here)\n")


def main() -> None:
    define_cell()
    import_time()


if __name__ == "__main__":
    main()
