"""The instance: materialization history, outcomes, runs, wipe."""

from __future__ import annotations

from typing import Any

import nbassets
from nbassets import AssetKey, Instance, asset, materialize

K = AssetKey


def test_record_and_read_materializations() -> None:
    instance = Instance()
    first = instance.record_materialization("r1", K("a"), None, 0.1, "v1", {}, {})
    second = instance.record_materialization("r2", K("a"), None, 0.1, "v1", {}, {})
    assert second.storage_id > first.storage_id
    assert instance.get_latest_materialization_event(K("a")) is second
    assert instance.latest_storage_id(K("a")) == second.storage_id
    assert instance.latest_storage_id(K("never")) == 0
    assert [r.run_id for r in instance.history(K("a"))] == ["r1", "r2"]


def test_partitions_are_tracked() -> None:
    instance = Instance()
    instance.record_materialization("r", K("a"), "p1", 0.0, None, {}, {})
    instance.record_materialization("r", K("a"), "p2", 0.0, None, {}, {})
    assert instance.materialized_partitions(K("a")) == {"p1", "p2"}
    assert instance.latest(K("a"), "p1") is not None and instance.latest(K("a")) is None


def test_success_clears_an_earlier_failure() -> None:
    instance = Instance()
    instance.record_outcome(K("a"), "failed", "r1", "boom")
    outcome = instance.outcome(K("a"))
    assert outcome is not None and outcome.status == "failed"
    instance.record_materialization("r2", K("a"), None, 0.0, None, {}, {})
    assert instance.outcome(K("a")) is None


def test_wipe_forgets_values_history_and_outcomes() -> None:
    instance = Instance()
    instance.io_manager.values[(K("a"), None)] = 1
    instance.record_materialization("r", K("a"), None, 0.0, None, {}, {})
    instance.record_outcome(K("a"), "skipped", "r", "why")
    instance.wipe([K("a")])
    assert not instance.io_manager.has_value(K("a"))
    assert instance.history(K("a")) == [] and instance.outcome(K("a")) is None
    assert instance.latest_storage_id(K("a")) == 0


def test_runs_are_recorded_with_status_tags_and_steps() -> None:
    with nbassets.use_registry() as reg:

        @asset
        def a() -> int:
            return 1

        @asset
        def b() -> int:
            raise ValueError("no")

        result = materialize([a], tags={"t": "1"})
        failed = materialize([a, b], raise_on_error=False)
        ok = reg.instance.get_run_record(result.run_id)
        bad = reg.instance.get_run_record(failed.run_id)
        assert ok is not None and ok.status == "SUCCESS" and ok.tags == {"t": "1"}
        assert ok.step_keys == ("a",) and ok.end_time is not None
        assert bad is not None and bad.status == "FAILURE"


def test_materialization_records_code_version_and_input_versions() -> None:
    with nbassets.use_registry() as reg:

        @asset(code_version="7")
        def up() -> int:
            return 1

        @asset(code_version="3")
        def down(up: int) -> int:
            return up

        materialize([up, down])
        record: Any = reg.instance.get_latest_materialization_event(K("down"))
        assert record.code_version == "3"
        assert record.input_versions == {K("up"): reg.instance.latest_storage_id(K("up"))}


def test_dynamic_partitions() -> None:
    instance = Instance()
    instance.add_dynamic_partitions("fruits", ["apple", "pear", "apple"])
    assert instance.get_dynamic_partitions("fruits") == ["apple", "pear"]
    instance.delete_dynamic_partition("fruits", "apple")
    assert not instance.has_dynamic_partition("fruits", "apple")


def test_history_and_runs_stay_bounded_in_a_long_session() -> None:
    from nbassets import asset, materialize, use_registry
    from nbassets.storage.instance import HISTORY_LIMIT, RUN_LIMIT

    @asset
    def ticked() -> int:
        return 1

    with use_registry() as registry:
        for _ in range(max(HISTORY_LIMIT, RUN_LIMIT) + 50):
            last = materialize([ticked])
        instance = registry.instance
        assert len(instance.history(ticked.key)) == HISTORY_LIMIT
        assert len(instance.runs) == RUN_LIMIT
        latest = instance.get_latest_materialization_event(ticked.key)
        assert latest is not None and latest.run_id == last.run_id
        assert registry.status(ticked.key) == "materialized"
