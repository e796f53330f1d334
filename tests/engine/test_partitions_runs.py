"""Partitioned runs: a step per (asset, partition), ranges, key lists, backfill policies.

Each test uses its own registry; assets are real functions run by the real engine.
"""

from __future__ import annotations

import pytest

import nbassets
from nbassets import (
    BackfillPolicy,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionError,
    PartitionKeyRange,
    StaticPartitionsDefinition,
    asset,
    materialize,
)
from nbassets.engine.outputs import OutputShapeError
from nbassets.errors import InvalidInvocationError

JANUARY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


def _steps(result) -> list[str]:
    return [e.step_key for e in result.get_step_success_events()]


def _run(registry, assets, **kwargs):
    """Register ``assets`` (so the registry reports on them), then materialize them."""
    for item in assets:
        if item.key not in registry:
            registry.add(item)
    return materialize(assets, **kwargs)


def _events():
    @asset(partitions_def=JANUARY)
    def events(context):
        return int(context.partition_key[-2:])

    return events


def test_one_partition_runs_one_step_and_stores_its_value() -> None:
    events = _events()
    with nbassets.use_registry() as registry:
        result = _run(registry, [events], partition_key="2024-01-05")
        assert result.success
        assert _steps(result) == ["events"]
        assert result.output_for_node("events") == 5
        assert registry.value("events", partition="2024-01-05") == 5


def test_a_range_is_one_run_with_a_step_per_partition_in_order() -> None:
    events = _events()
    with nbassets.use_registry() as registry:
        result = _run(registry, [events], partition_key_range=("2024-01-03", "2024-01-06"))
        assert _steps(result) == [
            "events[2024-01-03]",
            "events[2024-01-04]",
            "events[2024-01-05]",
            "events[2024-01-06]",
        ]
        assert len(registry.instance.runs) == 1
        assert [registry.value("events", partition=f"2024-01-0{d}") for d in (3, 4, 5, 6)] == [
            3,
            4,
            5,
            6,
        ]
        materialized = result.asset_materializations
        assert [m.partition for m in materialized] == [f"2024-01-0{d}" for d in (3, 4, 5, 6)]


def test_materializations_for_node_covers_every_partition_of_a_range() -> None:
    events = _events()
    with nbassets.use_registry():
        result = materialize([events], partition_key_range=("2024-01-03", "2024-01-04"))
        materialized = result.asset_materializations_for_node("events")
        assert [m.partition for m in materialized] == ["2024-01-03", "2024-01-04"]


def test_a_partition_key_range_object_works_like_a_tuple() -> None:
    events = _events()
    with nbassets.use_registry():
        result = materialize(
            [events], partition_key_range=PartitionKeyRange("2024-01-30", "2024-01-31")
        )
        assert _steps(result) == ["events[2024-01-30]", "events[2024-01-31]"]


def test_a_key_list_runs_exactly_those_keys() -> None:
    events = _events()
    with nbassets.use_registry() as registry:
        result = _run(registry, [events], partition_keys=["2024-01-09", "2024-01-02"])
        assert sorted(_steps(result)) == ["events[2024-01-02]", "events[2024-01-09]"]
        assert registry.partition_states("events")["2024-01-03"] == "missing"


def test_downstream_partitions_run_after_their_own_upstream_partition() -> None:
    events = _events()

    @asset(partitions_def=JANUARY)
    def doubled(events):
        return events * 2

    with nbassets.use_registry() as registry:
        result = _run(registry, [events, doubled], partition_key_range=("2024-01-01", "2024-01-02"))
        steps = _steps(result)
        assert steps.index("events[2024-01-01]") < steps.index("doubled[2024-01-01]")
        assert steps.index("events[2024-01-02]") < steps.index("doubled[2024-01-02]")
        assert registry.value("doubled", partition="2024-01-02") == 4


def test_a_failing_partition_skips_only_its_own_downstream_partition() -> None:
    @asset(partitions_def=JANUARY)
    def events(context):
        if context.partition_key == "2024-01-02":
            raise ValueError("corrupt file for 2024-01-02")
        return 1

    @asset(partitions_def=JANUARY)
    def doubled(events):
        return events * 2

    with nbassets.use_registry() as registry:
        result = materialize(
            [events, doubled],
            partition_key_range=("2024-01-01", "2024-01-03"),
            raise_on_error=False,
        )
        assert not result.success
        assert sorted(_steps(result)) == [
            "doubled[2024-01-01]",
            "doubled[2024-01-03]",
            "events[2024-01-01]",
            "events[2024-01-03]",
        ]
        skipped = [e for e in result.all_events if e.event_type.value == "STEP_SKIPPED"]
        assert [e.step_key for e in skipped] == ["doubled[2024-01-02]"]
        assert "events" in skipped[0].message and "failed" in skipped[0].message
        assert registry.value("doubled", partition="2024-01-03") == 2


def test_with_raise_on_error_the_users_exception_is_raised() -> None:
    @asset(partitions_def=JANUARY)
    def events(context):
        raise ValueError(f"no data for {context.partition_key}")

    with nbassets.use_registry(), pytest.raises(ValueError, match="no data for 2024-01-04"):
        materialize([events], partition_key="2024-01-04")


# Backfill policies ----------------------------------------------------------------------


def test_single_run_policy_runs_the_range_as_one_step_and_stores_each_partition() -> None:
    seen = []

    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        seen.append(context.partition_keys)
        return {key: key[-2:] for key in context.partition_keys}

    @asset(partitions_def=JANUARY)
    def after(batch):
        return batch + "!"

    with nbassets.use_registry() as registry:
        result = _run(registry, [batch, after], partition_key_range=("2024-01-02", "2024-01-04"))
        assert _steps(result) == [
            "batch",
            "after[2024-01-02]",
            "after[2024-01-03]",
            "after[2024-01-04]",
        ]
        assert seen == [["2024-01-02", "2024-01-03", "2024-01-04"]]
        assert registry.value("batch", partition="2024-01-03") == "03"
        assert registry.value("after", partition="2024-01-04") == "04!"
        assert str(registry.partition_summary("batch")) == "3/31 materialized"


def test_single_run_step_must_return_every_partition() -> None:
    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        return {context.partition_keys[0]: 1}

    with nbassets.use_registry(), pytest.raises(
        OutputShapeError, match=r"dict of \{partition_key: value\}"
    ):
        materialize([batch], partition_key_range=("2024-01-02", "2024-01-04"))


def test_single_run_asset_stores_the_same_shape_for_one_partition_as_for_a_range() -> None:
    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        return {key: key[-2:] for key in context.partition_keys}

    with nbassets.use_registry() as registry:
        _run(registry, [batch], partition_key_range=("2024-01-02", "2024-01-03"))
        _run(registry, [batch], partition_key="2024-01-07")
        assert registry.value("batch", partition="2024-01-02") == "02"
        assert registry.value("batch", partition="2024-01-07") == "07"


def test_single_run_over_separate_keys_never_claims_a_partition_it_does_not_run() -> None:
    windows = []

    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        windows.append((context.partition_key_range, context.partition_keys))
        return {key: 1 for key in context.partition_keys}

    with nbassets.use_registry():
        materialize([batch], partition_keys=["2024-01-08", "2024-01-10"])
    for key_range, keys in windows:
        span = JANUARY.get_partition_keys_in_range(key_range)
        assert span == keys


def test_multi_run_policy_batches_the_range() -> None:
    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.multi_run(2))
    def batched(context):
        return {key: 1 for key in context.partition_keys} if len(context.partition_keys) > 1 else 1

    with nbassets.use_registry() as registry:
        result = _run(registry, [batched], partition_key_range=("2024-01-01", "2024-01-05"))
        assert _steps(result) == [
            "batched[2024-01-01...2024-01-02]",
            "batched[2024-01-03...2024-01-04]",
            "batched[2024-01-05]",
        ]
        assert str(registry.partition_summary("batched")) == "5/31 materialized"


# Other kinds of partitions ------------------------------------------------------------


def test_static_partitions_run_by_key_list() -> None:
    regions = StaticPartitionsDefinition(["eu", "us", "asia"])

    @asset(partitions_def=regions)
    def sales(context):
        return context.partition_key.upper()

    with nbassets.use_registry() as registry:
        result = _run(registry, [sales], partition_keys=["eu", "asia"])
        assert sorted(_steps(result)) == ["sales[asia]", "sales[eu]"]
        assert registry.value("sales", partition="asia") == "ASIA"
        assert registry.partition_states("sales") == {
            "eu": "materialized",
            "us": "missing",
            "asia": "materialized",
        }


def test_multi_partitions_give_the_step_a_multi_partition_key() -> None:
    colors = StaticPartitionsDefinition(["red", "blue"])
    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")
    grid = MultiPartitionsDefinition({"date": days, "color": colors})

    @asset(partitions_def=grid)
    def cell(context):
        key = context.partition_key
        return (isinstance(key, MultiPartitionKey), key.keys_by_dimension)

    with nbassets.use_registry() as registry:
        key = MultiPartitionKey({"date": "2024-01-02", "color": "blue"})
        result = _run(registry, [cell], partition_key=key)
        assert result.output_for_node("cell") == (True, {"color": "blue", "date": "2024-01-02"})
        assert registry.value("cell", partition="blue|2024-01-02")[0] is True
        _run(registry, [cell], partition_keys=grid.get_partition_keys())
        assert str(registry.partition_summary("cell")) == "4/4 materialized"


def test_dynamic_partitions_are_added_and_removed_at_run_time() -> None:
    fruits = DynamicPartitionsDefinition(name="fruits")

    @asset(partitions_def=fruits)
    def fruit(context):
        return context.partition_key.upper()

    with nbassets.use_registry() as registry:
        with pytest.raises(
            PartitionError, match=r"'apple' has not been added.*add_dynamic_partitions"
        ):
            _run(registry, [fruit], partition_key="apple")
        registry.instance.add_dynamic_partitions("fruits", ["apple", "kiwi"])
        assert _run(registry, [fruit], partition_key="apple").output_for_node("fruit") == "APPLE"
        registry.instance.delete_dynamic_partition("fruits", "apple")
        with pytest.raises(PartitionError, match=r"'apple' has not been added.*Its keys: 'kiwi'"):
            _run(registry, [fruit], partition_key="apple")


# Refusals -----------------------------------------------------------------------------


def test_an_unknown_key_is_named_with_the_valid_range() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"'2024-03-01'.*'2024-01-01' to '2024-01-31'"
    ):
        materialize([events], partition_key="2024-03-01")


def test_a_malformed_key_names_the_expected_format() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(PartitionError, match=r"'2024-02-30'.*%Y-%m-%d"):
        materialize([events], partition_key="2024-02-30")


def test_an_unknown_static_key_lists_the_valid_ones_and_a_close_match() -> None:
    @asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
    def sales(context):
        return 1

    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"'uss'.*Valid keys: 'eu', 'us'.*Did you mean 'us'"
    ):
        materialize([sales], partition_key="uss")


def test_a_reversed_range_says_to_swap_its_ends() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(PartitionError, match="reversed.*Swap the ends"):
        materialize([events], partition_key_range=("2024-01-05", "2024-01-01"))


def test_a_range_past_the_end_names_the_valid_range() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"2024-01-05\.\.\.2024-03-01.*from 2024-01-01 to 2024-01-31"
    ):
        materialize([events], partition_key_range=("2024-01-05", "2024-03-01"))


def test_a_partition_for_an_unpartitioned_selection_is_refused() -> None:
    @asset
    def plain():
        return 1

    with nbassets.use_registry() as registry, pytest.raises(
        PartitionError, match=r"no selected asset is partitioned \(selected: plain\)"
    ):
        materialize([plain], partition_key="2024-01-01")
    assert registry.instance.runs == []


def test_a_partitioned_asset_without_a_partition_says_how_to_choose() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"'events' is partitioned.*31 partitions.*partition_key='...'"
    ):
        materialize([events])


def test_two_ways_of_naming_partitions_at_once_are_refused() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(InvalidInvocationError, match="not several"):
        materialize([events], partition_key="2024-01-01", partition_keys=["2024-01-02"])


def test_a_bare_string_as_partition_keys_is_refused() -> None:
    events = _events()
    with nbassets.use_registry(), pytest.raises(InvalidInvocationError, match="one string"):
        materialize([events], partition_keys="2024-01-01")
