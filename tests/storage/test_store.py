"""The store on real files and a real SQLite: formats, corruption, collection, schema."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nbassets.definitions.keys import AssetKey
from nbassets.storage.history_db import SCHEMA_VERSION, SchemaTooNewError
from nbassets.storage.store import AssetStore, folder_name
from nbassets.storage.value_files import (
    CorruptValueError,
    UnstorableValueError,
    choose_format,
)


class Point:
    """A user class: stored by pickle, compared by fields."""

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    __hash__ = None  # type: ignore[assignment]


def _write(store: AssetStore, key: str, value: object, partition: str | None = None) -> object:
    return store.write(
        run_id="r1",
        asset_key=AssetKey.from_user_string(key),
        partition=partition,
        duration=0.1,
        code_version="v1",
        input_versions={},
        metadata={},
        value=value,
        has_value=True,
    )


def _same(a: object, b: object) -> bool:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)  # type: ignore[arg-type]
        return True
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)  # type: ignore[arg-type]
        return True
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)  # type: ignore[arg-type]
        return a.dtype == b.dtype  # type: ignore[union-attr]
    return a == b


FRAME_WITH_INDEX = pd.DataFrame(
    {"amount": [1.5, 2.0, 3.25], "city": ["Oslo", "Lima", None]},
    index=pd.Index(["a", "b", "c"], name="order"),
)
CASES = [
    ("frame with a named index", FRAME_WITH_INDEX, "parquet"),
    (
        "frame with a datetime index",
        pd.DataFrame({"n": [1, 2]}, index=pd.date_range("2024-01-01", periods=2)),
        "parquet",
    ),
    ("series", pd.Series([1, 2, 3], name="n"), "parquet"),
    ("frame with int column names", pd.DataFrame({0: [1], 1: [2]}), "pickle"),
    ("frame with mixed object column", pd.DataFrame({"x": [1, "a"]}), "pickle"),
    ("float array", np.arange(12.0).reshape(3, 4), "npy"),
    ("structured array", np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]), "npy"),
    ("object array", np.array([{"a": 1}, None], dtype=object), "pickle"),
    ("dict", {"a": [1, 2], "b": {"c": "d"}}, "pickle"),
    ("custom class", Point(1, 2), "pickle"),
    ("none", None, "pickle"),
]


@pytest.mark.parametrize(("label", "value", "fmt"), CASES, ids=[c[0] for c in CASES])
def test_every_format_round_trips(tmp_path: Path, label: str, value: object, fmt: str) -> None:
    assert choose_format(value) == fmt
    store = AssetStore.open(tmp_path / "store")
    version = _write(store, "sales/orders", value)
    assert version.format == fmt  # type: ignore[attr-defined]
    reopened = AssetStore.open(tmp_path / "store")
    (stored,) = reopened.versions(AssetKey(["sales", "orders"]))
    assert stored.size == (reopened.path_of(stored) or Path()).stat().st_size
    assert stored.libraries["python"]
    assert _same(value, reopened.load(stored))


def test_npy_files_hold_no_pickle(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    version = _write(store, "a", np.arange(5))
    with open(store.path_of(version), "rb") as handle:  # type: ignore[arg-type]
        assert np.load(handle, allow_pickle=False).tolist() == [0, 1, 2, 3, 4]


def test_an_unstorable_value_writes_nothing(tmp_path: Path) -> None:
    import threading

    store = AssetStore.open(tmp_path)
    with pytest.raises(UnstorableValueError, match="lock"):
        _write(store, "a", threading.Lock())
    assert store.versions() == []
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and "values" in p.parts]


def test_a_corrupt_file_is_named_not_read(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    version = _write(store, "a", FRAME_WITH_INDEX)
    path = store.path_of(version)  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptValueError, match=str(path.name)):
        store.load(version)  # type: ignore[arg-type]


def test_a_truncated_and_a_deleted_file_are_named(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    first = _write(store, "a", {"x": 1})
    second = _write(store, "b", {"x": 2})
    store.path_of(first).write_bytes(b"\x80")  # type: ignore[union-attr, attr-defined]
    store.path_of(second).unlink()  # type: ignore[union-attr, attr-defined]
    with pytest.raises(CorruptValueError, match="does not match the sha256"):
        store.load(first)  # type: ignore[arg-type]
    with pytest.raises(CorruptValueError, match="is missing"):
        store.load(second)  # type: ignore[arg-type]


def test_keep_collects_old_values_per_asset_and_partition(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    for i in range(4):
        _write(store, "a", np.arange(100) + i, partition="p1")
        _write(store, "a", np.arange(100) + i, partition="p2")
        _write(store, "b", [i])
    count, freed = store.collect(keep=2)
    assert count == 6 and freed > 4 * 100 * 8  # 4 arrays of 100 int64 and 2 small lists
    a = AssetKey("a")
    p1 = store.versions(a, "p1", any_partition=False)
    assert [v.file is not None for v in p1] == [False, False, True, True]
    assert store.load(p1[-1]).tolist() == (np.arange(100) + 3).tolist()
    assert len(store.versions()) == 12  # the history stays
    files = [p for p in (tmp_path / "values").rglob("*") if p.is_file()]
    assert len(files) == 6


def test_wipe_one_asset_says_what_it_freed(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    _write(store, "a", np.arange(10))
    _write(store, "a", np.arange(10))
    _write(store, "b", np.arange(10))
    count, freed = store.wipe(AssetKey("a"))
    assert count == 2 and freed == 2 * (128 + 80)
    assert {v.asset_key for v in store.versions()} == {AssetKey("b")}


def test_orphans_are_collected_on_open_after_the_grace(tmp_path: Path) -> None:
    store = AssetStore.open(tmp_path)
    version = _write(store, "a", [1])
    folder = store.path_of(version).parent  # type: ignore[union-attr, attr-defined]
    (folder / ".x.pickle.abc.tmp").write_bytes(b"half")
    (folder / "123-orphan.pickle").write_bytes(b"never committed")
    assert AssetStore.open(tmp_path).orphans_collected == 0  # too young: maybe another kernel's
    old = time.time() - 3600
    for name in (".x.pickle.abc.tmp", "123-orphan.pickle"):
        os.utime(folder / name, (old, old))
    assert AssetStore.open(tmp_path).orphans_collected == 2
    assert sorted(p.name for p in folder.iterdir()) == [store.path_of(version).name]  # type: ignore[union-attr, attr-defined]


def test_folder_names_stay_inside_and_apart(tmp_path: Path) -> None:
    names = {
        folder_name(AssetKey(path))
        for path in (["a", "b"], ["a__b"], [".."], ["..", "..", "etc"], ["a b"], ["a_b"], ["ü"])
    }
    assert len(names) == 7
    for name in names:
        assert "/" not in name and not name.startswith(".")
    store = AssetStore.open(tmp_path / "s")
    version = _write(store, "../../escape", [1])  # parts "..", "..", "escape"
    path = store.path_of(version).resolve()  # type: ignore[union-attr, attr-defined]
    assert path.is_relative_to((tmp_path / "s" / "values").resolve())


def test_gitignore_and_wal(tmp_path: Path) -> None:
    AssetStore.open(tmp_path)
    assert (tmp_path / ".gitignore").read_text().strip().endswith("*")
    with sqlite3.connect(tmp_path / "history.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_with_the_fix(tmp_path: Path) -> None:
    AssetStore.open(tmp_path).close()
    with sqlite3.connect(tmp_path / "history.sqlite") as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError, match="Upgrade nbassets"):
        AssetStore.open(tmp_path)


def test_an_older_schema_is_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbassets.storage import history_db

    AssetStore.open(tmp_path).close()
    extra = ["ALTER TABLE runs ADD COLUMN note TEXT"]
    monkeypatch.setattr(history_db, "MIGRATIONS", [*history_db.MIGRATIONS, extra])
    monkeypatch.setattr(history_db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = AssetStore.open(tmp_path)
    columns = [row[1] for row in store.db.connection.execute("PRAGMA table_info(runs)")]
    assert "note" in columns
    assert store.db.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_a_flipped_byte_in_a_large_parquet_file_is_found_by_its_page_checksums(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.random(700_000)})  # > 4 MB: not hashed at load
    store = AssetStore.open(tmp_path)
    version = _write(store, "big", frame)
    assert version.size > 4_000_000  # type: ignore[attr-defined]
    path = store.path_of(version)  # type: ignore[arg-type]
    assert path is not None
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptValueError, match="CRC"):
        store.load(version)  # type: ignore[arg-type]
    path.write_bytes(bytes(data[:-10]))
    with pytest.raises(CorruptValueError, match="does not match"):
        store.load(version)  # type: ignore[arg-type]
