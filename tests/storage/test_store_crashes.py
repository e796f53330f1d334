"""Crashes and concurrency on a real store: kill -9 mid-write, two writers at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import pytest

from nbassets.definitions.keys import AssetKey
from nbassets.storage.store import AssetStore
from nbassets.storage.value_files import TEMP_SUFFIX

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
SIZE = 60_000  # 480 kB per value: big enough to be caught mid-write, small enough for CI
# Writers are forked from a fork server, a fresh single-threaded process: forking
# pytest itself, whose other tests leave threads running (a Dask cluster, a browser
# driver), can copy a lock some thread holds and hang the child forever.
_PROCESSES = multiprocessing.get_context("forkserver")
_PROCESSES.set_forkserver_preload(["numpy", "nbassets.storage.store"])
PATIENCE_S = 120  # a writer that says nothing for this long is stuck: fail, never hang


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


def _write_forever(root: Path, start: int, said: Connection) -> None:
    """A writer the test kills: says 'x' once open, then 'w' after each whole write."""
    store = AssetStore.open(root)
    said.send_bytes(b"x")
    i = start
    while True:
        _write(store, AssetKey("big"), i)
        said.send_bytes(b"w")
        if i % 3 == 0:
            store.collect(keep=2)
        i += 1


def _write_25(root: Path, name: str) -> None:
    store = AssetStore.open(root)
    for i in range(25):
        _write(store, AssetKey("shared"), i)
        _write(store, AssetKey(name), i)


@pytest.fixture(autouse=True)
def _main_without_spec_is_startable(monkeypatch: pytest.MonkeyPatch) -> None:
    # After the IPython shell tests, __main__ is IPython's module, which has no
    # __spec__: multiprocessing reads it to start a process (None means "nothing
    # to re-import").
    main = sys.modules["__main__"]
    if not hasattr(main, "__spec__"):
        monkeypatch.setattr(main, "__spec__", None, raising=False)


def _hear(said: Connection) -> None:
    assert said.poll(PATIENCE_S), f"the writer said nothing for {PATIENCE_S} s"
    said.recv_bytes()


def test_kill_9_at_random_moments_leaves_the_previous_version_readable(tmp_path: Path) -> None:
    rng = random.Random(11)
    root = tmp_path / "store"
    store = AssetStore.open(root)
    _write(store, AssetKey("big"), 0)
    store.close()
    seen_ids: set[int] = set()
    orphans = 0
    for attempt in range(50):
        hear, say = _PROCESSES.Pipe(duplex=False)
        writer = _PROCESSES.Process(target=_write_forever, args=(root, attempt * 1000 + 1, say))
        writer.start()
        say.close()
        # After 0 or 1 complete writes (however loaded the machine), then anywhere in the next.
        for _ in range(1 + rng.randint(0, 1)):
            _hear(hear)
        _sleep(rng.uniform(0, 0.03))
        os.kill(writer.pid or 0, signal.SIGKILL)
        writer.join()
        hear.close()

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

    writers = [_PROCESSES.Process(target=_write_25, args=(root, n)) for n in ("left", "right")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(PATIENCE_S)
        assert writer.exitcode == 0
    store = AssetStore.open(root, grace=0)
    versions = store.versions()
    assert len(versions) == 100
    assert len({v.storage_id for v in versions}) == 100
    assert {v.asset_key.to_user_string() for v in versions} == {"shared", "left", "right"}
    for version in versions:
        assert (store.load(version) == version.metadata["i"]).all()
    assert store.orphans_collected == 0
