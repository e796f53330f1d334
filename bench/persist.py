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


Times = tuple[float, float]  # (wall, CPU of every thread of this process)


def interleaved(
    baseline: Callable[[], Any], measured: Callable[[], Any], repeat: int = 5
) -> tuple[Times, Times]:
    """Median (wall, CPU) times of ``baseline`` and ``measured``, run alternately, so
    that load from other work on the machine hits both alike."""
    samples: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for _ in range(repeat):
        for index, fn in enumerate((baseline, measured)):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            samples[index].append((time.perf_counter() - wall, time.process_time() - cpu))
    medians = [
        (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for s in samples.values()
    ]
    return medians[0], medians[1]


def _ratio(label: str, mine: Times, base: Times, base_label: str, target: str) -> str:
    return (
        f"  {label}: {fmt_ms(mine[0])} wall, {fmt_ms(mine[1])} CPU; {base_label}: "
        f"{fmt_ms(base[0])} wall, {fmt_ms(base[1])} CPU: {mine[0] / base[0]:.2f}x wall, "
        f"{mine[1] / base[1]:.2f}x CPU (target {target})"
    )


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


def restart_and_run_all() -> tuple[Times, Times]:
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

        defined, restored = interleaved(define_only, restart_run_all)
        _fresh_kernel(shell, plain)
    if saved is None:
        os.environ.pop("JPY_SESSION_NAME", None)
    else:
        os.environ["JPY_SESSION_NAME"] = saved
    return restored, defined


def large_frame() -> tuple[Times, Times, Times, Times, int]:
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
    print("Persistence (median of repeats, baseline and measurement alternated)")
    restored, defined = restart_and_run_all()
    print(
        _ratio(
            f"restart & run all, {ASSETS} stored assets", restored, defined,
            "the same cells with --no-run", "<= 1.5x",
        )
    )  # fmt: skip
    stored, to_parquet, loaded, read_parquet, size = large_frame()
    print(
        _ratio(
            f"store a {FRAME_MB} MB DataFrame ({size / 1e6:.0f} MB file)", stored, to_parquet,
            "df.to_parquet", "<= 1.3x",
        )
    )  # fmt: skip
    print(_ratio("load it", loaded, read_parquet, "pd.read_parquet", "<= 1.3x"))
    (attached, attached_cpu), (plain, plain_cpu) = reattach()
    print(
        f"  %load_ext re-attaching 1,000 assets x 5 versions: {fmt_ms(attached)} wall, "
        f"{fmt_ms(attached_cpu)} CPU; without a store: {fmt_ms(plain)} wall, "
        f"{fmt_ms(plain_cpu)} CPU: +{fmt_ms(attached - plain)} wall, "
        f"+{fmt_ms(attached_cpu - plain_cpu)} CPU (target <= +100 ms)\n"
    )


if __name__ == "__main__":
    main()
