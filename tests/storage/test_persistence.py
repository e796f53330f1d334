"""A registry with a store attached: restart (a new registry on the same folder) and see."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import nbassets
from nbassets import AssetKey, DailyPartitionsDefinition, asset, materialize
from nbassets.errors import MissingUpstreamError
from nbassets.graph.registry import Registry
from nbassets.storage.lazy_values import LazyValues
from nbassets.storage.persistence import StoreError, attach_store, persist

K = AssetKey
CALLS: list[str] = []


def define(reg: Registry, orders_rows: int = 3, version: str = "1") -> None:
    """orders --> revenue --> report."""

    @asset(code_version=version)
    def orders() -> pd.DataFrame:
        CALLS.append("orders")
        return pd.DataFrame({"amount": [float(i) for i in range(orders_rows)]})

    @asset(code_version="1")
    def revenue(orders: pd.DataFrame) -> float:
        CALLS.append("revenue")
        return float(orders.amount.sum())

    @asset(code_version="1")
    def report(revenue: float) -> dict[str, float]:
        CALLS.append("report")
        return {"revenue": revenue}

    for definition in (orders, revenue, report):
        reg.add(definition)


def statuses(reg: Registry) -> dict[str, str]:
    return {k.to_user_string(): reg.status(k) for k in reg.keys()}


def restart(root: Path) -> Any:
    """A fresh registry (a new kernel) with the store re-attached."""
    context = nbassets.use_registry(Registry())
    reg = context.__enter__()
    report = attach_store(reg, root)
    return context, reg, report


def test_values_and_statuses_survive_a_restart_and_load_lazily(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        define(reg)
        materialize()
        first_ids = [r.storage_id for k in reg.keys() for r in reg.history(k)]
        attach_store(reg, tmp_path)  # values in memory are written at once
    context, reg, report = restart(tmp_path)
    try:
        assert report.restored_assets == 3 and report.written == 0
        define(reg)
        CALLS.clear()
        assert statuses(reg) == dict.fromkeys(["orders", "revenue", "report"], "materialized")
        values = reg.instance.io_manager.values
        assert isinstance(values, LazyValues)
        assert not values.is_loaded((K("orders"), None))
        assert reg.value("report") == {"revenue": 3.0}
        assert values.is_loaded((K("report"), None)) and not values.is_loaded((K("orders"), None))
        assert reg.history("orders")[-1].restored
        assert CALLS == []
        materialize(selection=["revenue"])  # reads orders from disk
        assert CALLS == ["revenue"]
        new_ids = [r.storage_id for r in reg.history("revenue")]
        assert max(new_ids) > max(first_ids)  # ids come from SQLite: unique across restarts
        assert statuses(reg)["report"] == "materialized"  # equal data: still fresh
    finally:
        context.__exit__(None, None, None)


def test_a_code_change_after_restart_is_stale(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        attach_store(reg, tmp_path)
        define(reg)
        materialize()
    context, reg, _ = restart(tmp_path)
    try:
        define(reg, version="2")
        assert statuses(reg) == {"orders": "stale", "revenue": "stale", "report": "stale"}
        assert "code version 1 -> 2" in reg.stale_reasons("orders")[0]
    finally:
        context.__exit__(None, None, None)


def test_equal_data_on_disk_keeps_downstream_fresh_after_restart(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        attach_store(reg, tmp_path)
        define(reg)
        materialize()
        materialize(selection=["orders"])  # an equal frame: the same sha256
        assert reg.status(K("revenue")) == "materialized"
        define(reg, orders_rows=4)
        materialize(selection=["orders"])  # the same code version, other data
        assert reg.status(K("revenue")) == "stale"
    context, reg, _ = restart(tmp_path)
    try:
        define(reg, orders_rows=4)
        assert reg.stale_reasons("revenue") == ["upstream 'orders' was materialized after it"]
    finally:
        context.__exit__(None, None, None)


def test_an_unstorable_value_fails_the_step_and_stays_in_memory(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        attach_store(reg, tmp_path)

        @asset
        def lock() -> Any:
            return threading.Lock()

        reg.add(lock)
        result = materialize(raise_on_error=False)
        assert not result.success
        message = str(result.get_step_failure_events()[0].event_specific_data.error.message)
        assert "Cannot store the value of 'lock' (lock)" in message
        assert "%assets persist off" in message
        assert reg.instance.io_manager.values[(K("lock"), None)] is not None
        with pytest.raises(StoreError):
            raise StoreError(message)


def test_a_deleted_file_makes_the_asset_missing_with_a_warning(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        attach_store(reg, tmp_path)
        define(reg)
        materialize()
        path = reg.history("orders")[-1].stored.file
    (tmp_path / "values" / path).unlink()
    with pytest.warns(RuntimeWarning, match=Path(path).name):
        context, reg, report = restart(tmp_path)
    try:
        define(reg)
        assert report.missing_files and path in report.missing_files[0]
        assert statuses(reg)["orders"] == "missing"
        assert statuses(reg)["revenue"] == "materialized"
    finally:
        context.__exit__(None, None, None)


def test_a_corrupt_file_makes_the_asset_missing_on_first_read(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        attach_store(reg, tmp_path)
        define(reg)
        materialize()
        path = tmp_path / "values" / reg.history("revenue")[-1].stored.file
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    context, reg, _ = restart(tmp_path)
    try:
        define(reg)
        assert statuses(reg)["revenue"] == "materialized"  # not read yet
        with (
            pytest.warns(RuntimeWarning, match=path.name),
            pytest.raises(MissingUpstreamError, match="does not match the sha256"),
        ):
            reg.value("revenue")
        reg.status_changed()
        assert statuses(reg)["revenue"] == "missing"
    finally:
        context.__exit__(None, None, None)


DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-04")


def test_partitions_dynamic_partitions_and_accepted_flags_persist(tmp_path: Path) -> None:
    @asset(partitions_def=DAYS)
    def daily(context: Any) -> str:
        return context.partition_key

    @asset(code_version="1")
    def total(orders: pd.DataFrame) -> float:
        return 1.0

    with nbassets.use_registry() as reg:
        nbassets.persist(tmp_path, keep=2)
        reg.add(daily)
        define(reg)
        materialize(selection=["daily"], partition_key_range=("2024-01-01", "2024-01-02"))
        materialize(selection=["orders", "revenue", "report"])
        reg.instance.add_dynamic_partitions("regions", ["eu", "us"])
        define(reg, version="2")
        reg.accept("orders")
        assert statuses(reg)["orders"] == "materialized"
    context, reg, _ = restart(tmp_path)
    try:
        reg.add(daily)
        define(reg, version="2")
        assert reg.partition_states("daily") == {
            "2024-01-01": "materialized",
            "2024-01-02": "materialized",
            "2024-01-03": "missing",
        }
        assert reg.value("daily", partition="2024-01-02") == "2024-01-02"
        assert reg.instance.get_dynamic_partitions("regions") == ["eu", "us"]
        assert statuses(reg)["orders"] == "materialized"  # the accept survived
    finally:
        context.__exit__(None, None, None)


def test_keep_collects_old_versions_as_it_writes(tmp_path: Path) -> None:
    with nbassets.use_registry() as reg:
        persist(tmp_path, keep=2)
        for rows in range(5):
            define(reg, orders_rows=rows + 1)
            materialize(selection=["orders"])
        store = reg.instance.store
        versions = store.versions(K("orders"))
        assert [v.file is not None for v in versions] == [False, False, False, True, True]
        persist(False)
        assert reg.instance.store is None
        materialize(selection=["orders"])
        assert len(store.versions(K("orders"))) == 5  # off: nothing more written
