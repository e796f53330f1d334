from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions import (
    AllPartitionMapping,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    IdentityPartitionMapping,
    InMemoryDynamicPartitionsStore,
    LastPartitionMapping,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    StaticPartitionMapping,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    WeeklyPartitionsDefinition,
    default_partition_mapping,
)

NOW = datetime(2024, 3, 1, tzinfo=timezone.utc)
DAILY = DailyPartitionsDefinition("2024-01-01")
HOURLY = HourlyPartitionsDefinition("2024-01-01-00:00")
REGIONS = StaticPartitionsDefinition(["us-east", "us-west", "eu"])
AREAS = StaticPartitionsDefinition(["us", "eu", "global"])
COLORS = StaticPartitionsDefinition(["red", "blue"])
COLORS_BY_DAY = MultiPartitionsDefinition({"date": DAILY, "color": COLORS})


# -- identity, all, last -------------------------------------------------------------


def test_identity() -> None:
    mapping = IdentityPartitionMapping()
    assert mapping.upstream_partition_keys(["eu", "us-east"], REGIONS, REGIONS) == ["us-east", "eu"]
    assert mapping.downstream_partition_keys(["eu"], REGIONS, REGIONS) == ["eu"]


def test_identity_to_a_missing_upstream_key_names_both_definitions() -> None:
    smaller = StaticPartitionsDefinition(["us-east"])
    with pytest.raises(
        PartitionError,
        match=r"maps downstream partition\(s\) 'eu' of StaticPartitionsDefinition\(\['us-east', "
        r"'us-west', 'eu'\]\) to the same key\(s\) of upstream "
        r"StaticPartitionsDefinition\(\['us-east'\]\)",
    ):
        IdentityPartitionMapping().upstream_partition_keys(["eu"], REGIONS, smaller)


def test_identity_leaves_out_downstream_keys_that_do_not_exist() -> None:
    smaller = StaticPartitionsDefinition(["us-east"])
    assert IdentityPartitionMapping().downstream_partition_keys(["eu"], REGIONS, smaller) == []


def test_input_keys_are_validated() -> None:
    with pytest.raises(PartitionError, match=r"'mars' is not a partition .*"):
        IdentityPartitionMapping().upstream_partition_keys(["mars"], REGIONS, REGIONS)
    with pytest.raises(PartitionError, match=r"'mars' is not a partition"):
        AllPartitionMapping().downstream_partition_keys(["mars"], REGIONS, AREAS)


def test_all_to_a_partitioned_and_an_unpartitioned_downstream() -> None:
    mapping = AllPartitionMapping()
    assert mapping.upstream_partition_keys(["us"], AREAS, REGIONS) == ["us-east", "us-west", "eu"]
    assert mapping.upstream_partition_keys([], None, REGIONS) == ["us-east", "us-west", "eu"]
    assert mapping.downstream_partition_keys(["eu"], REGIONS, AREAS) == ["us", "eu", "global"]
    assert mapping.downstream_partition_keys(["eu"], REGIONS, None) == []


def test_last() -> None:
    mapping = LastPartitionMapping()
    assert mapping.upstream_partition_keys(["2024-01-02"], DAILY, DAILY, current_time=NOW) == [
        "2024-02-29"
    ]
    assert mapping.upstream_partition_keys([], None, REGIONS) == ["eu"]
    assert mapping.downstream_partition_keys(["us-east"], REGIONS, AREAS) == []
    assert mapping.downstream_partition_keys(["eu"], REGIONS, AREAS) == ["us", "eu", "global"]


def test_partition_to_partition_mappings_need_a_partitioned_downstream() -> None:
    with pytest.raises(PartitionError, match="the downstream asset is not partitioned"):
        IdentityPartitionMapping().upstream_partition_keys([], None, REGIONS)


# -- static ---------------------------------------------------------------------------


def test_static_mapping_both_directions() -> None:
    mapping = StaticPartitionMapping({"us-east": "us", "us-west": "us", "eu": {"eu", "global"}})
    assert mapping.upstream_partition_keys(["us"], AREAS, REGIONS) == ["us-east", "us-west"]
    assert mapping.upstream_partition_keys(["global", "us"], AREAS, REGIONS) == [
        "us-east",
        "us-west",
        "eu",
    ]
    assert mapping.downstream_partition_keys(["eu"], REGIONS, AREAS) == ["eu", "global"]
    assert mapping == StaticPartitionMapping(
        {"us-east": "us", "us-west": {"us"}, "eu": {"global", "eu"}}
    )


def test_static_mapping_names_unknown_keys() -> None:
    mapping = StaticPartitionMapping({"us-est": "us"})
    with pytest.raises(
        PartitionError,
        match=r"names upstream partition 'us-est', which upstream .* does not have\. "
        r"Did you mean .*'us-east'",
    ):
        mapping.upstream_partition_keys(["us"], AREAS, REGIONS)
    with pytest.raises(PartitionError, match=r"names downstream partition 'europe'"):
        StaticPartitionMapping({"eu": "europe"}).validate(REGIONS, AREAS)


# -- time windows ------------------------------------------------------------------------


def test_daily_downstream_of_hourly_reads_its_24_hours() -> None:
    mapping = TimeWindowPartitionMapping()
    hours = mapping.upstream_partition_keys(["2024-01-02"], DAILY, HOURLY, current_time=NOW)
    assert len(hours) == 24
    assert hours[0] == "2024-01-02-00:00"
    assert hours[-1] == "2024-01-02-23:00"
    assert mapping.downstream_partition_keys(
        ["2024-01-02-05:00", "2024-01-03-00:00"], HOURLY, DAILY, current_time=NOW
    ) == ["2024-01-02", "2024-01-03"]


def test_hourly_downstream_of_daily_reads_its_day() -> None:
    mapping = TimeWindowPartitionMapping()
    assert mapping.upstream_partition_keys(
        ["2024-01-02-05:00", "2024-01-02-06:00"], HOURLY, DAILY, current_time=NOW
    ) == ["2024-01-02"]
    assert (
        len(mapping.downstream_partition_keys(["2024-01-02"], DAILY, HOURLY, current_time=NOW))
        == 24
    )


def test_weekly_to_monthly_overlaps() -> None:
    weekly = WeeklyPartitionsDefinition("2024-01-01")
    monthly = MonthlyPartitionsDefinition("2024-01-01")
    # The week of Sunday 2024-01-28 runs into February.
    assert TimeWindowPartitionMapping().upstream_partition_keys(
        ["2024-01-28"], weekly, monthly, current_time=NOW
    ) == ["2024-01-01", "2024-02-01"]


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "downstream", "upstream"),
    [
        (-1, 0, "2024-01-05", ["2024-01-04", "2024-01-05"]),
        (0, 1, "2024-01-05", ["2024-01-05", "2024-01-06"]),
        (-1, -1, "2024-01-05", ["2024-01-04"]),
        (-3, 0, "2024-01-05", ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]),
    ],
)
def test_offsets(start_offset: int, end_offset: int, downstream: str, upstream: list[str]) -> None:
    mapping = TimeWindowPartitionMapping(start_offset=start_offset, end_offset=end_offset)
    assert mapping.upstream_partition_keys([downstream], DAILY, DAILY, current_time=NOW) == upstream
    # Every upstream key maps back to a downstream set holding the original key.
    for key in upstream:
        assert downstream in mapping.downstream_partition_keys(
            [key], DAILY, DAILY, current_time=NOW
        )


def test_offset_in_downstream_units_across_granularities() -> None:
    mapping = TimeWindowPartitionMapping(start_offset=-1)
    hours = mapping.upstream_partition_keys(["2024-01-05"], DAILY, HOURLY, current_time=NOW)
    assert len(hours) == 48
    assert hours[0] == "2024-01-04-00:00"


def test_previous_partition_downstream_mapping() -> None:
    mapping = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert mapping.downstream_partition_keys(["2024-01-04"], DAILY, DAILY, current_time=NOW) == [
        "2024-01-05"
    ]
    # The last upstream day feeds a downstream day that does not exist yet.
    assert mapping.downstream_partition_keys(["2024-02-29"], DAILY, DAILY, current_time=NOW) == []


def test_an_offset_before_the_first_partition_reads_what_exists() -> None:
    # As in Dagster 1.13: the "previous day" of day one is cut at the first partition.
    mapping = TimeWindowPartitionMapping(start_offset=-1)
    assert mapping.upstream_partition_keys(["2024-01-01"], DAILY, DAILY, current_time=NOW) == [
        "2024-01-01"
    ]
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert previous.upstream_partition_keys(["2024-01-01"], DAILY, DAILY, current_time=NOW) == []


def test_upstream_starting_later_is_reported() -> None:
    later = DailyPartitionsDefinition("2024-02-01")
    with pytest.raises(PartitionError, match="its partitions run from '2024-02-01'"):
        TimeWindowPartitionMapping().upstream_partition_keys(
            ["2024-01-05"], DAILY, later, current_time=NOW
        )


def test_time_mapping_needs_time_windows_in_one_timezone() -> None:
    mapping = TimeWindowPartitionMapping()
    with pytest.raises(PartitionError, match="the upstream one is StaticPartitionsDefinition"):
        mapping.validate(REGIONS, DAILY)
    paris = DailyPartitionsDefinition("2024-01-01", timezone="Europe/Paris")
    with pytest.raises(
        PartitionError,
        match="across timezones: upstream .* is in Europe/Paris and downstream .* is in UTC",
    ):
        mapping.validate(paris, DAILY)


def test_dst_hourly_upstream_of_daily() -> None:
    ny_daily = DailyPartitionsDefinition("2024-11-01", timezone="America/New_York")
    ny_hourly = HourlyPartitionsDefinition("2024-11-01-00:00", timezone="America/New_York")
    hours = TimeWindowPartitionMapping().upstream_partition_keys(
        ["2024-11-03"],
        ny_daily,
        ny_hourly,
        current_time=datetime(2024, 11, 10, tzinfo=timezone.utc),
    )
    assert len(hours) == 25
    assert "2024-11-03-01:00-0500" in hours


# -- multi to single -----------------------------------------------------------------------


def test_single_downstream_of_multi_reads_every_color() -> None:
    mapping = MultiToSingleDimensionPartitionMapping()
    assert mapping.upstream_partition_keys(
        ["2024-01-02"], DAILY, COLORS_BY_DAY, current_time=NOW
    ) == [
        "red|2024-01-02",
        "blue|2024-01-02",
    ]
    assert mapping.downstream_partition_keys(
        ["blue|2024-01-05", "red|2024-01-05"], COLORS_BY_DAY, DAILY, current_time=NOW
    ) == ["2024-01-05"]


def test_multi_downstream_of_single() -> None:
    mapping = MultiToSingleDimensionPartitionMapping(partition_dimension_name="color")
    assert mapping.upstream_partition_keys(
        ["blue|2024-01-05"], COLORS_BY_DAY, COLORS, current_time=NOW
    ) == ["blue"]
    down = mapping.downstream_partition_keys(["blue"], COLORS, COLORS_BY_DAY, current_time=NOW)
    assert len(down) == 60
    assert all(k.startswith("blue|") for k in down)


def test_multi_time_dimension_against_another_granularity() -> None:
    mapping = default_partition_mapping(HOURLY, COLORS_BY_DAY)
    assert mapping == MultiToSingleDimensionPartitionMapping()
    hours = mapping.upstream_partition_keys(
        ["red|2024-01-05"], COLORS_BY_DAY, HOURLY, current_time=NOW
    )
    assert len(hours) == 24


def test_multi_mapping_with_no_matching_dimension() -> None:
    with pytest.raises(
        PartitionError, match="No dimension of MultiPartitionsDefinition.*corresponds to"
    ):
        MultiToSingleDimensionPartitionMapping().validate(REGIONS, COLORS_BY_DAY)
    with pytest.raises(PartitionError, match="Dimension 'size' is not one of"):
        MultiToSingleDimensionPartitionMapping("size").validate(COLORS, COLORS_BY_DAY)


# -- default mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upstream", "downstream", "expected"),
    [
        (REGIONS, REGIONS, IdentityPartitionMapping()),
        (DAILY, DailyPartitionsDefinition("2024-01-01"), TimeWindowPartitionMapping()),
        (HOURLY, DAILY, TimeWindowPartitionMapping()),
        (DAILY, None, AllPartitionMapping()),
        (None, DAILY, AllPartitionMapping()),
        (COLORS_BY_DAY, DAILY, MultiToSingleDimensionPartitionMapping()),
        (COLORS, COLORS_BY_DAY, MultiToSingleDimensionPartitionMapping()),
        (COLORS_BY_DAY, COLORS_BY_DAY, IdentityPartitionMapping()),
        (
            StaticPartitionsDefinition(["a", "b", "c"]),
            StaticPartitionsDefinition(["b", "c"]),
            IdentityPartitionMapping(),
        ),
        (
            DynamicPartitionsDefinition("f"),
            DynamicPartitionsDefinition("f"),
            IdentityPartitionMapping(),
        ),
    ],
)
def test_default_mapping_follows_dagster(
    upstream: object, downstream: object, expected: object
) -> None:
    assert default_partition_mapping(upstream, downstream) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("upstream", "downstream", "why"),
    [
        (REGIONS, AREAS, r"Downstream keys 'us', 'global' have no upstream partition"),
        (REGIONS, DAILY, r""),
        (DynamicPartitionsDefinition("f"), DynamicPartitionsDefinition("g"), r""),
        (REGIONS, COLORS_BY_DAY, r"No dimension of"),
    ],
)
def test_default_mapping_refuses_to_guess(upstream: object, downstream: object, why: str) -> None:
    with pytest.raises(
        PartitionError,
        match=rf"Cannot infer a partition mapping from upstream .* to downstream .*{why}.*"
        r"Give the dependency an explicit partition_mapping, e\.g\. AllPartitionMapping\(\)",
    ):
        default_partition_mapping(upstream, downstream)  # type: ignore[arg-type]


def test_default_between_timezones_is_an_error() -> None:
    paris = DailyPartitionsDefinition("2024-01-01", timezone="Europe/Paris")
    with pytest.raises(PartitionError, match="across timezones"):
        default_partition_mapping(paris, DAILY)


def test_dynamic_mapping_uses_the_store() -> None:
    fruits = DynamicPartitionsDefinition("fruits")
    store = InMemoryDynamicPartitionsStore()
    store.add_dynamic_partitions("fruits", ["apple", "pear"])
    mapping = default_partition_mapping(fruits, None)
    assert mapping.upstream_partition_keys([], None, fruits, dynamic_partitions_store=store) == [
        "apple",
        "pear",
    ]


def test_mapping_reprs() -> None:
    assert (
        repr(TimeWindowPartitionMapping(start_offset=-1))
        == "TimeWindowPartitionMapping(start_offset=-1)"
    )
    assert repr(StaticPartitionMapping({"a": "b"})) == "StaticPartitionMapping({'a': 'b'})"
    assert repr(AllPartitionMapping()) == "AllPartitionMapping()"
    assert hash(TimeWindowPartitionMapping()) == hash(TimeWindowPartitionMapping())


def test_offsets_across_the_spring_forward_gap_are_one_real_hour() -> None:
    # 02:00 does not exist on 2024-03-10 in Los Angeles: the hour before 03:00 is 01:00.
    hours = HourlyPartitionsDefinition("2023-11-01-00:00", timezone="America/Los_Angeles")
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    now = datetime(2024, 3, 20)
    subset = hours.subset_with_partition_keys(["2024-03-10-03:00"])
    upstream = previous.get_upstream_mapped_partitions_result_for_partitions(
        subset, hours, hours, current_time=now
    )
    assert upstream.partitions_subset.get_partition_keys() == ["2024-03-10-01:00"]


def test_the_repeated_hour_maps_to_its_neighbours() -> None:
    hours = HourlyPartitionsDefinition("2023-11-01-00:00", timezone="America/Los_Angeles")
    previous = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    now = datetime(2023, 11, 5, 10)
    second = hours.subset_with_partition_keys(["2023-11-05-01:00-0800"])
    upstream = previous.get_upstream_mapped_partitions_result_for_partitions(
        second, hours, hours, current_time=now
    )
    assert upstream.partitions_subset.get_partition_keys() == ["2023-11-05-01:00"]
    downstream = previous.get_downstream_partitions_for_partitions(
        second, hours, hours, current_time=now
    )
    assert downstream.get_partition_keys() == ["2023-11-05-02:00"]


def test_a_multi_partition_mapping_maps_each_dimension() -> None:
    from nbassets import DimensionPartitionMapping, MultiPartitionKey, MultiPartitionMapping

    grid = MultiPartitionsDefinition(
        {
            "day": DailyPartitionsDefinition("2024-01-01"),
            "abc": StaticPartitionsDefinition(["a", "b"]),
        }
    )
    previous_day = MultiPartitionMapping(
        {
            "day": DimensionPartitionMapping(
                "day", TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
            ),
            "abc": DimensionPartitionMapping("abc", IdentityPartitionMapping()),
        }
    )
    key = MultiPartitionKey({"day": "2024-01-03", "abc": "b"})
    assert previous_day.upstream_partition_keys([key], grid, grid) == [
        MultiPartitionKey({"day": "2024-01-02", "abc": "b"})
    ]
    # A dimension the mapping leaves out depends on all of the other side's.
    by_day = MultiPartitionMapping(
        {"day": DimensionPartitionMapping("day", IdentityPartitionMapping())}
    )
    assert sorted(by_day.upstream_partition_keys([key], grid, grid)) == [
        MultiPartitionKey({"day": "2024-01-03", "abc": "a"}),
        MultiPartitionKey({"day": "2024-01-03", "abc": "b"}),
    ]


def test_an_asset_reads_itself_only_through_earlier_time_partitions() -> None:
    from nbassets import AssetIn, asset
    from nbassets.errors import CycleError

    with pytest.raises(CycleError, match="(?s)depends on itself.*start_offset=-1"):

        @asset(
            partitions_def=DailyPartitionsDefinition("2024-01-01"),
            ins={"total": AssetIn(partition_mapping=TimeWindowPartitionMapping())},
        )
        def total(total: int) -> int:
            return total

    @asset(
        partitions_def=DailyPartitionsDefinition("2024-01-01"),
        ins={
            "running": AssetIn(
                partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
            )
        },
    )
    def running(running: int) -> int:
        return running + 1

    assert running.keys_by_input_name == {"running": running.key}
