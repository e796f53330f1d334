"""Persistence: restart & run all, storing and loading a large frame, re-attaching a store.

Targets (issue 11), each a ratio against a baseline measured in the same run:
- Restart & Run All of a 200-asset notebook whose values are all stored: <= 1.5x
  defining the same cells with ``--no-run`` (nothing recomputed, values lazy).
- Storing a 100 MB DataFrame: <= 1.3x ``df.to_parquet``; loading it: <= 1.3x
  ``pd.read_parquet``.
- Re-attaching a store of 1,000 assets x 5 versions at ``%load_ext``: <= 100 ms
  over ``%load_ext`` without a store.

Wall-clock time here (not CPU time as elsewhere): writing and reading files is
what is measured, and fsync waits are part of the cost a user sees.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.timing import fmt_ms

ASSETS = 200
FRAME_MB = 100


def wall_median(fn: Callable[[], Any], *, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(
    baseline: Callable[[], Any], measured: Callable[[], Any], repeat: int = 5
) -> tuple[float, float]:
    """Median wall times of ``baseline`` and ``measured``, run alternately."""
    base, mine = [], []
    for _ in range(repeat):
        for fn, samples in ((baseline, base), (measured, mine)):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return statistics.median(base), statistics.median(mine)


def _shell() -> Any:
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()


def _cells(no_run: bool) -> list[tuple[str, str]]:
    """200 cells, each reading the one before (and a root every 20)."""
    flag = " --no-run" if no_run else ""
    cells = []
    for i in range(ASSETS):
        body = f"a{i} = {i}" if i % 20 == 0 else f"a{i} = a{i - 1} + {i}"
        cells.append((f"%%asset{flag}", body))
    return cells


def _fresh_kernel(shell: Any, notebook: Path) -> None:
    import nbassets.graph.registry as registry_module
    from nbassets.graph.registry import Registry

    with contextlib.suppress(Exception):
        shell.run_line_magic("unload_ext", "nbassets")
    shell.reset(new_session=False)
    if hasattr(shell, "_nbassets_state"):
        del shell._nbassets_state
    registry_module._registry = Registry()
    os.environ["JPY_SESSION_NAME"] = str(notebook)


def restart_and_run_all() -> tuple[float, float]:
    shell = _shell()
    saved = os.environ.get("JPY_SESSION_NAME")
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        stored = Path(folder) / "stored.ipynb"
        plain = Path(folder) / "plain.ipynb"
        _fresh_kernel(shell, stored)
        shell.run_line_magic("load_ext", "nbassets")
        shell.run_line_magic("assets", "persist")
        for line, body in _cells(no_run=False):
            shell.run_cell_magic(line[2:], "", body)

        def restart_run_all() -> None:
            _fresh_kernel(shell, stored)
            shell.run_line_magic("load_ext", "nbassets")  # re-attaches
            for _, body in _cells(no_run=False):
                shell.run_cell_magic("asset", "", body)
            assert shell.user_ns[f"a{ASSETS - 1}"] is not None

        def define_only() -> None:
            _fresh_kernel(shell, plain)
            shell.run_line_magic("load_ext", "nbassets")
            for _, body in _cells(no_run=True):
                shell.run_cell_magic("asset", "--no-run", body)

        restored = wall_median(restart_run_all, repeat=5)
        defined = wall_median(define_only, repeat=5)
        _fresh_kernel(shell, plain)
    if saved is None:
        os.environ.pop("JPY_SESSION_NAME", None)
    else:
        os.environ["JPY_SESSION_NAME"] = saved
    return restored, defined


def large_frame() -> tuple[float, float, float, float, int]:
    import numpy as np
    import pandas as pd

    from nbassets.definitions.keys import AssetKey
    from nbassets.storage.store import AssetStore

    rows = FRAME_MB * 1_000_000 // (8 * 10)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.random(rows) for i in range(10)})
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "plain.parquet"
        store = AssetStore.open(root / "store")
        versions = []

        def store_it() -> None:
            versions.append(
                store.write(
                    run_id="bench",
                    asset_key=AssetKey("frame"),
                    partition=None,
                    duration=0.0,
                    code_version="1",
                    input_versions={},
                    metadata={},
                    value=frame,
                    has_value=True,
                )
            )

        # Alternated, so that load from other work on the machine hits both alike.
        to_parquet, stored = interleaved(lambda: frame.to_parquet(path), store_it)
        read_parquet, loaded = interleaved(
            lambda: pd.read_parquet(path), lambda: store.load(versions[-1])
        )
        size = versions[-1].size or 0
        store.close()
    return stored, to_parquet, loaded, read_parquet, size


def _big_store(root: Path, assets: int = 1000, versions: int = 5) -> None:
    """A store of ``assets`` x ``versions`` small values, written in one transaction."""
    import pickle

    from nbassets.definitions.keys import AssetKey
    from nbassets.storage.store import AssetStore, encode_inputs, encode_key, folder_name

    store = AssetStore.open(root)
    rows = []
    now = time.time()
    for i in range(assets):
        key = AssetKey(f"a{i}")
        folder = store.values_dir / folder_name(key)
        folder.mkdir(parents=True)
        for v in range(versions):
            name = f"{v}-bench.pickle"
            payload = pickle.dumps(i * 10 + v)
            (folder / name).write_bytes(payload)
            import hashlib

            rows.append(
                (
                    "bench", encode_key(key), None, now + v, 0.0, "1",
                    encode_inputs({AssetKey(f"a{i - 1}"): 0} if i else {}), None,
                    hashlib.sha256(payload).hexdigest(), 0, f"{folder.name}/{name}",
                    "pickle", len(payload), hashlib.sha256(payload).hexdigest(),
                    json.dumps({"python": "3"}),
                )
            )  # fmt: skip
    with store.db.transaction():
        store.db.connection.executemany(
            "INSERT INTO materializations (run_id, asset_key, partition, timestamp, duration, "
            "code_version, input_versions, metadata, data_version, accepted, file, format, "
            "size, sha256, libraries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    store.db.set_setting("active", "1")
    store.close()


def reattach() -> tuple[tuple[float, float], tuple[float, float]]:
    shell = _shell()
    saved = os.environ.get("JPY_SESSION_NAME")
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        root = Path(folder)
        _big_store(root / ".nbassets" / "big")
        with_store = root / "big.ipynb"
        without = root / "none.ipynb"

        def load(notebook: Path) -> None:
            _fresh_kernel(shell, notebook)
            shell.run_line_magic("load_ext", "nbassets")

        def timed(notebook: Path) -> tuple[float, float]:
            walls, cpus = [], []
            for _ in range(7):
                _fresh_kernel(shell, notebook)
                start, cpu = time.perf_counter(), time.process_time()
                shell.run_line_magic("load_ext", "nbassets")
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
            return statistics.median(walls), statistics.median(cpus)

        load(with_store)
        from nbassets.graph.registry import get_registry

        assert len(get_registry().instance._history) == 1000
        attached = timed(with_store)
        plain = timed(without)
        _fresh_kernel(shell, without)
    if saved is None:
        os.environ.pop("JPY_SESSION_NAME", None)
    else:
        os.environ["JPY_SESSION_NAME"] = saved
    return attached, plain


def main() -> None:
    print("Persistence (wall clock, median of repeats)")
    restored, defined = restart_and_run_all()
    print(
        f"  restart & run all, {ASSETS} stored assets: {fmt_ms(restored)}; the same cells "
        f"with --no-run: {fmt_ms(defined)}: {restored / defined:.2f}x (target <= 1.5x)"
    )
    stored, to_parquet, loaded, read_parquet, size = large_frame()
    print(
        f"  store a {FRAME_MB} MB DataFrame ({size / 1e6:.0f} MB file): {fmt_ms(stored)}; "
        f"df.to_parquet: {fmt_ms(to_parquet)}: {stored / to_parquet:.2f}x (target <= 1.3x)"
    )
    print(
        f"  load it: {fmt_ms(loaded)}; pd.read_parquet: {fmt_ms(read_parquet)}: "
        f"{loaded / read_parquet:.2f}x (target <= 1.3x)"
    )
    (attached, attached_cpu), (plain, plain_cpu) = reattach()
    print(
        f"  %load_ext re-attaching 1,000 assets x 5 versions: {fmt_ms(attached)} "
        f"(CPU {fmt_ms(attached_cpu)}); without a store: {fmt_ms(plain)} (CPU "
        f"{fmt_ms(plain_cpu)}): +{fmt_ms(attached - plain)} wall, "
        f"+{fmt_ms(attached_cpu - plain_cpu)} CPU (target <= +100 ms)\n"
    )


if __name__ == "__main__":
    main()
