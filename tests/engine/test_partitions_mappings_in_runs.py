"""Upstream partitions loaded through partition mappings, in real runs.

The DAG of each test is drawn in its docstring or a comment.
"""

from __future__ import annotations

import contextlib

import pytest

import nbassets
from nbassets import (
    AllPartitionMapping,
    AssetIn,
    DailyPartitionsDefinition,
    IdentityPartitionMapping,
    LastPartitionMapping,
    PartitionError,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    WeeklyPartitionsDefinition,
    asset,
    materialize,
)
from nbassets.errors import MissingUpstreamError

DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-22")
WEEKS = WeeklyPartitionsDefinition(start_date="2024-01-07", end_date="2024-01-21")
REGIONS = StaticPartitionsDefinition(["us-east", "us-west", "eu"])


@asset(partitions_def=DAYS)
def events(context):
    return int(context.partition_key[-2:])


@pytest.fixture
def run_with_events():
    """Start a registry with every day of ``events`` materialized and ``downstream`` defined."""
    with contextlib.ExitStack() as stack:

        def start(*downstream):
            registry = stack.enter_context(nbassets.use_registry())
            for item in (events, *downstream):
                registry.add(item)
            materialize(selection="events", partition_key_range=("2024-01-01", "2024-01-21"))
            return registry

        yield start


def test_identity_is_the_default_between_equal_definitions(run_with_events) -> None:
    # events[d] --> doubled[d]
    @asset(partitions_def=DAYS)
    def doubled(events):
        return events * 2

    run_with_events(doubled)
    result = materialize(selection="doubled", partition_key="2024-01-04")
    assert result.output_for_node("doubled") == 8


def test_daily_to_weekly_reads_the_seven_days_of_the_week_as_a_dict(run_with_events) -> None:
    # events[2024-01-14 .. 2024-01-20] --> weekly[2024-01-14]
    @asset(partitions_def=WEEKS)
    def weekly(events):
        return events

    run_with_events(weekly)
    got = materialize(selection="weekly", partition_key="2024-01-14").output_for_node("weekly")
    assert got == {f"2024-01-{d}": d for d in range(14, 21)}


def test_a_daily_range_with_a_weekly_downstream_runs_the_weeks_it_covers() -> None:
    @asset(partitions_def=WEEKS)
    def weekly(events):
        return sum(events.values())

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(weekly)
        result = materialize(
            selection="events*", partition_key_range=("2024-01-07", "2024-01-13")
        )
        assert [e.step_key for e in result.get_step_success_events()][-1] == "weekly"
        assert registry.value("weekly", partition="2024-01-07") == sum(range(7, 14))


def test_an_unpartitioned_downstream_receives_partition_to_value(run_with_events) -> None:
    @asset
    def summary(events):
        return events

    run_with_events(summary)
    got = materialize(selection="summary").output_for_node("summary")
    assert list(got) == [f"2024-01-{d:02d}" for d in range(1, 22)]
    assert got["2024-01-21"] == 21


def test_an_unpartitioned_downstream_reads_what_exists_and_warns() -> None:
    @asset
    def summary(events):
        return len(events)

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(summary)
        materialize(selection="events", partition_key_range=("2024-01-01", "2024-01-03"))
        result = materialize(selection="summary")
        assert result.output_for_node("summary") == 3
        warnings = [e.data.message for e in result.all_events if e.event_type.value == "LOG"]
        assert "read 3 of 21 partitions of 'events'; 18 are not materialized" in warnings


def test_an_unpartitioned_downstream_can_run_twice() -> None:
    @asset
    def summary(events):
        return sum(events.values())

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(summary)
        materialize(selection="events", partition_key_range=("2024-01-01", "2024-01-03"))
        assert materialize(selection="summary").output_for_node("summary") == 6
        assert materialize(selection="summary").output_for_node("summary") == 6


def test_an_unpartitioned_downstream_of_nothing_stored_is_refused_before_running() -> None:
    @asset
    def summary(events):
        return len(events)

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(summary)
        with pytest.raises(MissingUpstreamError, match="events"):
            materialize(selection="summary")
        assert registry.instance.runs == []


def test_a_partitioned_downstream_needs_every_mapped_partition() -> None:
    @asset(partitions_def=WEEKS)
    def weekly(events):
        return events

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(weekly)
        materialize(selection="events", partition_key_range=("2024-01-07", "2024-01-10"))
        with pytest.raises(
            MissingUpstreamError, match=r"reads 7 partition\(s\) of 'events', and 3 are not"
        ):
            materialize(selection="weekly", partition_key="2024-01-07")


def test_previous_day_through_a_time_window_offset(run_with_events) -> None:
    @asset(
        partitions_def=DAYS,
        ins={"events": AssetIn(partition_mapping=TimeWindowPartitionMapping(-1, -1))},
    )
    def yesterday(events):
        return events

    run_with_events(yesterday)
    assert materialize(selection="yesterday", partition_key="2024-01-05").output_for_node(
        "yesterday"
    ) == 4


def test_a_trailing_window_reads_three_days(run_with_events) -> None:
    @asset(
        partitions_def=DAYS,
        ins={"events": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-2))},
    )
    def three_days(events):
        return events

    run_with_events(three_days)
    got = materialize(selection="three_days", partition_key="2024-01-05").output_for_node(
        "three_days"
    )
    assert got == {"2024-01-03": 3, "2024-01-04": 4, "2024-01-05": 5}


def test_a_window_before_the_first_partition_reads_the_partitions_that_exist(
    run_with_events,
) -> None:
    # As in Dagster 1.13: an offset is cut at the first partition instead of failing.
    @asset(
        partitions_def=DAYS,
        ins={"events": AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-2))},
    )
    def three_days(events):
        return events

    run_with_events(three_days)
    result = materialize(selection="three_days", partition_key="2024-01-01")
    assert result.success  # one upstream partition read: its value itself


def test_a_running_total_reads_its_own_previous_partition() -> None:
    # events[d] --> running_total[d] <-- running_total[d - 1]
    previous_day = TimeWindowPartitionMapping(
        start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True
    )

    @asset(
        partitions_def=DAYS,
        ins={"previous": AssetIn("running_total", partition_mapping=previous_day)},
    )
    def running_total(events, previous):
        # On the first day there is no previous partition: the input is empty.
        return (previous or 0) + events

    with nbassets.use_registry() as registry:
        registry.add(events)
        registry.add(running_total)
        result = materialize(
            selection="events*", partition_key_range=("2024-01-01", "2024-01-04")
        )
        steps = [e.step_key for e in result.get_step_success_events()]
        assert steps.index("running_total[2024-01-01]") < steps.index("running_total[2024-01-02]")
        totals = [registry.value("running_total", partition=f"2024-01-0{d}") for d in range(1, 5)]
        assert totals == [1, 3, 6, 10]
        # A later day continues from the stored total.
        materialize(selection="events*", partition_key="2024-01-05")
        assert registry.value("running_total", partition="2024-01-05") == 15


def test_last_partition_mapping_into_an_unpartitioned_asset(run_with_events) -> None:
    @asset(ins={"events": AssetIn(partition_mapping=LastPartitionMapping())})
    def latest(events):
        return events

    run_with_events(latest)
    assert materialize(selection="latest").output_for_node("latest") == 21


def test_last_partition_mapping_reads_the_last_upstream_partition(run_with_events) -> None:
    @asset(
        partitions_def=REGIONS,
        ins={"events": AssetIn(partition_mapping=LastPartitionMapping())},
    )
    def latest_by_region(events):
        return events

    run_with_events(latest_by_region)
    got = materialize(selection="latest_by_region", partition_key="eu")
    assert got.output_for_node("latest_by_region") == 21


def test_all_partition_mapping_reads_every_upstream_partition() -> None:
    @asset(partitions_def=REGIONS)
    def sales(context):
        return context.partition_key.upper()

    @asset(partitions_def=DAYS, ins={"sales": AssetIn(partition_mapping=AllPartitionMapping())})
    def daily_report(sales):
        return sales

    with nbassets.use_registry():
        materialize([sales], partition_keys=REGIONS.get_partition_keys())
        got = materialize(
            [sales, daily_report], selection=["daily_report"], partition_key="2024-01-02"
        )
    assert got.output_for_node("daily_report") == {
        "us-east": "US-EAST",
        "us-west": "US-WEST",
        "eu": "EU",
    }


def test_static_partition_mapping_groups_regions() -> None:
    # sales[us-east], sales[us-west] --> zone[us];  sales[eu] --> zone[eu]
    zones = StaticPartitionsDefinition(["us", "eu"])
    table = StaticPartitionMapping({"us-east": "us", "us-west": "us", "eu": "eu"})

    @asset(partitions_def=REGIONS)
    def sales(context):
        return len(context.partition_key)

    @asset(partitions_def=zones, ins={"sales": AssetIn(partition_mapping=table)})
    def zone(context, sales):
        return (context.asset_partition_keys_for_input("sales"), sales)

    @asset(partitions_def=zones, ins={"sales": AssetIn(partition_mapping=table)})
    def eu_only(sales):
        return sales

    with nbassets.use_registry():
        materialize([sales], partition_keys=REGIONS.get_partition_keys())
        us = materialize([sales, zone], selection=["zone"], partition_key="us")
        eu = materialize([sales, eu_only], selection=["eu_only"], partition_key="eu")
    assert us.output_for_node("zone") == (["us-east", "us-west"], {"us-east": 7, "us-west": 7})
    # One upstream partition arrives as the value itself, as with identity.
    assert eu.output_for_node("eu_only") == 2


def test_a_static_mapping_naming_an_unknown_key_is_refused() -> None:
    zones = StaticPartitionsDefinition(["us", "eu"])

    @asset(partitions_def=REGIONS)
    def sales(context):
        return 1

    @asset(
        partitions_def=zones,
        ins={"sales": AssetIn(partition_mapping=StaticPartitionMapping({"us-east": "usa"}))},
    )
    def zone(sales):
        return sales

    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"downstream partition 'usa'.*Did you mean 'us'"
    ):
        materialize([sales, zone], selection=["zone"], partition_key="us")


def test_identity_between_different_static_keys_is_refused() -> None:
    zones = StaticPartitionsDefinition(["us", "eu"])

    @asset(partitions_def=REGIONS)
    def sales(context):
        return 1

    identity = IdentityPartitionMapping()

    @asset(partitions_def=zones, ins={"sales": AssetIn(partition_mapping=identity)})
    def zone(sales):
        return sales

    with nbassets.use_registry(), pytest.raises(
        PartitionError, match=r"'us'.*has no such partition"
    ):
        materialize([sales, zone], selection=["zone"], partition_key="us")


def test_definitions_that_cannot_be_mapped_name_both_and_suggest_a_mapping() -> None:
    @asset(partitions_def=REGIONS)
    def sales(context):
        return 1

    @asset(partitions_def=DAYS)
    def daily(sales):
        return sales

    with nbassets.use_registry(), pytest.raises(
        PartitionError,
        match=r"Cannot infer a partition mapping from upstream StaticPartitionsDefinition.*"
        r"DailyPartitionsDefinition.*explicit partition_mapping",
    ):
        materialize([sales, daily], selection=["daily"], partition_key="2024-01-02")


def test_time_partitions_in_different_timezones_are_refused() -> None:
    paris = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")

    @asset(partitions_def=paris)
    def local(context):
        return 1

    @asset(partitions_def=DAYS)
    def utc_day(local):
        return local

    with nbassets.use_registry(), pytest.raises(
        PartitionError, match="across timezones.*Europe/Paris.*UTC"
    ):
        materialize([local, utc_day], selection=["utc_day"], partition_key="2024-01-02")
