"""What a partitioned step sees on its context, in a real run and in a unit test."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import nbassets
from nbassets import (
    AssetIn,
    BackfillPolicy,
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    PartitionKeyRange,
    StaticPartitionsDefinition,
    TimeWindow,
    WeeklyPartitionsDefinition,
    asset,
    build_asset_context,
    materialize,
)
from nbassets.errors import InvalidInvocationError

JANUARY = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
UTC = timezone.utc


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_one_partition_step_sees_its_key_range_and_window() -> None:
    @asset(partitions_def=JANUARY)
    def events(context):
        return {
            "has_key": context.has_partition_key,
            "key": context.partition_key,
            "keys": context.partition_keys,
            "range": context.partition_key_range,
            "window": context.partition_time_window,
            "output": context.asset_partition_key_for_output(),
        }

    with nbassets.use_registry():
        seen = materialize([events], partition_key="2024-01-05").output_for_node("events")
    assert seen["has_key"] is True
    assert seen["key"] == "2024-01-05"
    assert seen["keys"] == ["2024-01-05"]
    assert seen["range"] == PartitionKeyRange("2024-01-05", "2024-01-05")
    assert (seen["window"].start, seen["window"].end) == (_utc(2024, 1, 5), _utc(2024, 1, 6))
    assert seen["output"] == "2024-01-05"


def test_a_single_run_step_sees_the_whole_range() -> None:
    seen = {}

    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        seen.update(
            has_key=context.has_partition_key,
            has_range=context.has_partition_key_range,
            keys=context.partition_keys,
            range=context.partition_key_range,
            window=context.partition_time_window,
        )
        return {key: 0 for key in context.partition_keys}

    with nbassets.use_registry():
        materialize([batch], partition_key_range=("2024-01-10", "2024-01-12"))
    assert seen["has_key"] is False and seen["has_range"] is True
    assert seen["keys"] == ["2024-01-10", "2024-01-11", "2024-01-12"]
    assert seen["range"] == PartitionKeyRange("2024-01-10", "2024-01-12")
    assert seen["window"] == TimeWindow(_utc(2024, 1, 10), _utc(2024, 1, 13))


def test_partition_key_in_a_range_step_says_what_to_use_instead() -> None:
    @asset(partitions_def=JANUARY, backfill_policy=BackfillPolicy.single_run())
    def batch(context):
        return context.partition_key

    with nbassets.use_registry(), pytest.raises(
        InvalidInvocationError, match=r"runs 2 partitions at once.*context.partition_keys"
    ):
        materialize([batch], partition_key_range=("2024-01-10", "2024-01-11"))


def test_an_unpartitioned_step_has_no_partition_key() -> None:
    @asset
    def plain(context):
        return context.has_partition_key

    @asset
    def reads_key(context):
        return context.partition_key

    with nbassets.use_registry():
        assert materialize([plain]).output_for_node("plain") is False
        with pytest.raises(InvalidInvocationError, match="check context.has_partition_key first"):
            materialize([reads_key])


def test_partition_time_window_needs_time_partitions() -> None:
    @asset(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
    def sales(context):
        return context.partition_time_window

    with nbassets.use_registry(), pytest.raises(
        InvalidInvocationError, match="needs a time-window partitioned asset"
    ):
        materialize([sales], partition_key="eu")


def test_input_partition_keys_follow_the_mapping() -> None:
    hours = HourlyPartitionsDefinition(start_date="2024-01-01-00:00", end_date="2024-01-03-00:00")
    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03")

    @asset(partitions_def=hours)
    def readings(context):
        return 1

    @asset(partitions_def=days)
    def daily_total(context, readings):
        keys = context.asset_partition_keys_for_input("readings")
        return (keys[0], keys[-1], len(keys), sum(readings.values()))

    @asset(partitions_def=days)
    def same_day(context, daily_total):
        return context.asset_partition_key_for_input("daily_total")

    with nbassets.use_registry():
        materialize([readings], partition_key_range=("2024-01-02-00:00", "2024-01-02-23:00"))
        result = materialize(
            [readings, daily_total, same_day],
            selection=["daily_total", "same_day"],
            partition_key="2024-01-02",
        )
    assert result.output_for_node("daily_total") == ("2024-01-02-00:00", "2024-01-02-23:00", 24, 24)
    assert result.output_for_node("same_day") == "2024-01-02"


def test_the_single_input_key_refuses_an_input_that_reads_many() -> None:
    days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-15")
    weeks = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-01-14")

    @asset(partitions_def=days)
    def events(context):
        return 1

    @asset(partitions_def=weeks, ins={"events": AssetIn()})
    def weekly(context, events):
        return context.asset_partition_key_for_input("events")

    with nbassets.use_registry():
        materialize([events], partition_key_range=("2024-01-07", "2024-01-13"))
        with pytest.raises(
            InvalidInvocationError, match=r"reads 7 partitions here.*asset_partition_keys_for_input"
        ):
            materialize([events, weekly], selection=["weekly"], partition_key="2024-01-07")


def test_an_unknown_input_name_is_an_error() -> None:
    @asset(partitions_def=JANUARY)
    def events(context):
        return context.asset_partition_keys_for_input("evnts")

    with nbassets.use_registry(), pytest.raises(
        InvalidInvocationError, match="No input named 'evnts'"
    ):
        materialize([events], partition_key="2024-01-01")


def test_build_asset_context_gives_a_partition_key_to_a_direct_call() -> None:
    @asset(partitions_def=JANUARY)
    def events(context):
        return (context.partition_key, context.partition_time_window.start)

    assert events(build_asset_context(partition_key="2024-01-07")) == (
        "2024-01-07",
        _utc(2024, 1, 7),
    )


def test_build_asset_context_with_a_key_range() -> None:
    context = build_asset_context(partition_key_range=PartitionKeyRange("2024-01-01", "2024-01-03"))
    assert context.partition_key_range == PartitionKeyRange("2024-01-01", "2024-01-03")
