"""Crashes and concurrency on a real store: kill -9 mid-write, two writers at once."""

from __future__ import annotations

import os
import random
import signal
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nbassets.definitions.keys import AssetKey
from nbassets.storage.store import AssetStore
from nbassets.storage.value_files import TEMP_SUFFIX

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
SIZE = 60_000  # 480 kB per value: big enough to be caught mid-write, small enough for CI


def _fork(body: Callable[[], None]) -> int:
    """Run ``body`` in a forked child that never returns into pytest."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            body()
        finally:
            os._exit(0)
    return pid


def _write(store: AssetStore, key: AssetKey, i: int) -> None:
    store.write(
        run_id=f"run-{i}",
        asset_key=key,
        partition=None,
        duration=0.0,
        code_version="v1",
        input_versions={},
        metadata={"i": i},
        value=np.full(SIZE, i, dtype=np.int64),
        has_value=True,
    )


def _writer(root: Path, start: int, ready: int) -> Callable[[], None]:
    def body() -> None:
        store = AssetStore.open(root)
        os.write(ready, b"x")
        i = start
        while True:
            _write(store, AssetKey("big"), i)
            os.write(ready, b"w")
            if i % 3 == 0:
                store.collect(keep=2)
            i += 1

    return body


def test_kill_9_at_random_moments_leaves_the_previous_version_readable(tmp_path: Path) -> None:
    rng = random.Random(11)
    root = tmp_path / "store"
    store = AssetStore.open(root)
    _write(store, AssetKey("big"), 0)
    store.close()
    seen_ids: set[int] = set()
    orphans = 0
    for attempt in range(50):
        read, ready = os.pipe()
        pid = _fork(_writer(root, attempt * 1000 + 1, ready))
        os.close(ready)
        # After 0 or 1 complete writes (however loaded the machine), then anywhere in the next.
        for _ in range(1 + rng.randint(0, 1)):
            os.read(read, 1)
        _sleep(rng.uniform(0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.close(read)
        os.waitpid(pid, 0)

        reopened = AssetStore.open(root, grace=0)
        orphans += reopened.orphans_collected
        versions = reopened.versions(AssetKey("big"))
        latest = versions[-1]
        value = reopened.load(latest)
        assert value.shape == (SIZE,) and (value == latest.metadata["i"]).all()
        for version in versions:
            if version.file is not None and version.storage_id not in seen_ids:
                # Every file a row points at is whole (or collected after the row said so).
                path = reopened.path_of(version)
                assert path is not None
                if path.exists():
                    assert (reopened.load(version) == version.metadata["i"]).all()
                seen_ids.add(version.storage_id)
        leftovers = [p for p in (root / "values").rglob("*") if p.name.endswith(TEMP_SUFFIX)]
        assert leftovers == []
        reopened.close()
    # Some kills landed between writes, some mid-write (leaving a file to collect).
    assert len(seen_ids) > 20 and orphans > 0


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def test_two_processes_write_one_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    AssetStore.open(root).close()

    def writer(name: str) -> Callable[[], None]:
        def body() -> None:
            store = AssetStore.open(root)
            for i in range(25):
                _write(store, AssetKey("shared"), i)
                _write(store, AssetKey(name), i)

        return body

    pids = [_fork(writer("left")), _fork(writer("right"))]
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    store = AssetStore.open(root, grace=0)
    versions = store.versions()
    assert len(versions) == 100
    assert len({v.storage_id for v in versions}) == 100
    assert {v.asset_key.to_user_string() for v in versions} == {"shared", "left", "right"}
    for version in versions:
        assert (store.load(version) == version.metadata["i"]).all()
    assert store.orphans_collected == 0
