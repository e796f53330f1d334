from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbassets.errors import PartitionError
from nbassets.partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionKeyRange,
    ScheduleType,
    TimeWindow,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- daily ---------------------------------------------------------------------------


def test_daily_keys_end_with_the_last_complete_day() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    keys = daily.get_partition_keys(current_time=at(2024, 1, 4, 12))
    assert keys == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_daily_window_ending_exactly_now_is_included() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    assert daily.get_last_partition_key(at(2024, 1, 4)) == "2024-01-03"
    assert daily.get_last_partition_key(at(2024, 1, 3, 23, 59)) == "2024-01-02"


def test_daily_before_first_window_ends_has_no_partitions() -> None:
    daily = DailyPartitionsDefinition(start_date="2024-01-01")
    now = at(2024, 1, 1, 12)
    assert daily.get_partition_keys(now) == []
    assert daily.get_first_partition_key(now) is None
    assert daily.get_last_partition_key(now) is None
    assert daily.get_num_partitions(now) == 0
    with pytest.raises(
        PartitionError, match="has no partitions yet: the first, '2024-01-01', ends"
    ):
        daily.validate_partition_key("2024-01-01", now)


def test_leap_year_has_february_29() -> None:
    daily = DailyPartitionsDefinition("2024-02-27", end_date="2024-03-02")
    assert daily.get_partition_keys(at(2030, 1, 1)) == [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
    ]
    assert not DailyPartitionsDefinition("2023-01-01").has_partition_key(
        "2023-02-29", at(2030, 1, 1)
    )


def test_end_date_is_exclusive() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-01-04")
    assert daily.get_partition_keys(at(2030, 1, 1)) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    with pytest.raises(PartitionError, match=r"at or after the end .*The end is exclusive"):
        daily.validate_partition_key("2024-01-04", at(2030, 1, 1))


def test_end_date_still_bounded_by_now() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-12-31")
    assert daily.get_num_partitions(at(2024, 1, 3)) == 2


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(PartitionError, match="end '2023-01-01' must come after start '2024-01-01'"):
        DailyPartitionsDefinition("2024-01-01", end_date="2023-01-01")


@pytest.mark.parametrize(
    ("end_offset", "last"),
    [(0, "2024-01-03"), (1, "2024-01-04"), (2, "2024-01-05"), (-1, "2024-01-02")],
)
def test_end_offset_moves_the_last_partition(end_offset: int, last: str) -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_offset=end_offset)
    assert daily.get_last_partition_key(at(2024, 1, 4, 6)) == last


def test_end_offset_before_the_first_window_ends() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_offset=1)
    assert daily.get_partition_keys(at(2024, 1, 1, 6)) == ["2024-01-01"]


def test_end_offset_is_capped_by_end_date() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", end_date="2024-01-03", end_offset=5)
    assert daily.get_partition_keys(at(2024, 1, 2, 6)) == ["2024-01-01", "2024-01-02"]


def test_key_past_now_says_how_to_include_it() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(
        PartitionError,
        match=r"'2024-01-10' .*does not exist yet; partitions run from '2024-01-01' to "
        r"'2024-01-03' \(3 partitions\).*end_offset=1",
    ):
        daily.validate_partition_key("2024-01-10", at(2024, 1, 4))


def test_key_before_start_names_the_range() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(PartitionError, match=r"'2023-12-31' is before the first partition"):
        daily.validate_partition_key("2023-12-31", at(2024, 1, 4))


def test_loosely_written_key_suggests_the_real_one() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    assert not daily.has_partition_key("2024-1-2", at(2025, 1, 1))
    with pytest.raises(
        PartitionError, match=r"'2024-1-2' does not match .* exactly\. Did you mean '2024-01-02'\?"
    ):
        daily.validate_partition_key("2024-1-2", at(2025, 1, 1))


@pytest.mark.parametrize("key", ["2024/01/02", "2024-01-02-00:00", "nope", "2024-02-30"])
def test_malformed_keys_name_the_format(key: str) -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    assert not daily.has_partition_key(key, at(2025, 1, 1))
    with pytest.raises(PartitionError, match=r"does not match the format '%Y-%m-%d'.*'2024-01-01'"):
        daily.validate_partition_key(key, at(2025, 1, 1))


def test_naive_current_time_is_read_in_the_timezone() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", timezone="America/New_York")
    # 2024-01-03 02:00 UTC is still 2024-01-02 in New York.
    assert daily.get_last_partition_key(at(2024, 1, 3, 2)) == "2024-01-01"
    assert daily.get_last_partition_key(datetime(2024, 1, 3, 2)) == "2024-01-02"


def test_hour_offset_keys_name_the_day_and_windows_start_at_the_offset() -> None:
    daily = DailyPartitionsDefinition("2022-03-12", hour_offset=16, minute_offset=15)
    assert daily.get_partition_keys(at(2022, 3, 14, 17)) == ["2022-03-12", "2022-03-13"]
    assert daily.time_window_for_partition_key("2022-03-12") == TimeWindow(
        at(2022, 3, 12, 16, 15), at(2022, 3, 13, 16, 15)
    )


def test_start_accepts_strings_dates_and_datetimes() -> None:
    expected = DailyPartitionsDefinition("2024-01-01")
    assert DailyPartitionsDefinition(datetime(2024, 1, 1)) == expected
    assert DailyPartitionsDefinition(date(2024, 1, 1)) == expected
    assert DailyPartitionsDefinition(at(2024, 1, 1)) == expected
    assert DailyPartitionsDefinition("2024-01-01T00:00:00") == expected
    # An aware start in another zone is converted: 2023-12-31 20:00 in New York is
    # 2024-01-01 01:00 UTC, so the first day starting at or after it is 2024-01-02.
    later = DailyPartitionsDefinition(datetime(2023, 12, 31, 20, tzinfo=NY))
    assert later.get_first_partition_key(at(2024, 2, 1)) == "2024-01-02"


def test_malformed_start_names_the_format() -> None:
    with pytest.raises(
        PartitionError, match=r"start '01/02/2024' does not match the format '%Y-%m-%d'"
    ):
        DailyPartitionsDefinition("01/02/2024")


def test_unknown_timezone_suggests_one() -> None:
    with pytest.raises(
        PartitionError, match=r"Unknown timezone 'America/New_Yrok'.*America/New_York"
    ):
        DailyPartitionsDefinition("2024-01-01", timezone="America/New_Yrok")


def test_custom_format() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", fmt="%Y%m%d")
    assert daily.get_partition_keys(at(2024, 1, 3)) == ["20240101", "20240102"]
    assert daily.has_partition_key("20240102", at(2024, 1, 3))


def test_keys_in_range() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    now = at(2024, 3, 1)
    assert daily.get_partition_keys_in_range(
        PartitionKeyRange("2024-01-30", "2024-02-02"), now
    ) == [
        "2024-01-30",
        "2024-01-31",
        "2024-02-01",
        "2024-02-02",
    ]
    with pytest.raises(PartitionError, match="reversed"):
        daily.get_partition_keys_in_range(PartitionKeyRange("2024-02-02", "2024-01-30"), now)
    with pytest.raises(PartitionError, match="'2024-03-05'.*does not exist yet"):
        daily.get_partition_keys_in_range(PartitionKeyRange("2024-02-02", "2024-03-05"), now)


def test_partition_key_for_timestamp() -> None:
    daily = DailyPartitionsDefinition("2024-01-01")
    assert daily.get_partition_key_for_timestamp(at(2024, 1, 5, 12).timestamp()) == "2024-01-05"
    midnight = at(2024, 1, 5).timestamp()
    assert daily.get_partition_key_for_timestamp(midnight) == "2024-01-05"
    assert daily.get_partition_key_for_timestamp(midnight, end_closed=True) == "2024-01-04"
    with pytest.raises(PartitionError, match="is outside DailyPartitionsDefinition"):
        daily.get_partition_key_for_timestamp(at(2023, 6, 1).timestamp())


def test_time_window_is_aware_in_the_timezone() -> None:
    daily = DailyPartitionsDefinition("2024-01-01", timezone="America/New_York")
    window = daily.time_window_for_partition_key("2024-01-02")
    assert window == TimeWindow(datetime(2024, 1, 2, tzinfo=NY), datetime(2024, 1, 3, tzinfo=NY))
    assert window.start.utcoffset() == timedelta(hours=-5)


def test_time_window_of_a_malformed_key() -> None:
    with pytest.raises(PartitionError, match="does not match the format"):
        DailyPartitionsDefinition("2024-01-01").time_window_for_partition_key("2024-01")


# -- daylight saving ------------------------------------------------------------------


def test_daily_across_dst_has_23_and_25_hour_days() -> None:
    daily = DailyPartitionsDefinition("2024-03-09", timezone="America/New_York")
    spring = daily.time_window_for_partition_key("2024-03-10")
    assert spring.end.timestamp() - spring.start.timestamp() == 23 * 3600
    autumn = daily.time_window_for_partition_key("2024-11-03")
    assert autumn.end.timestamp() - autumn.start.timestamp() == 25 * 3600
    assert "2024-03-10" in daily.get_partition_keys(at(2024, 3, 12))


def test_hourly_spring_forward_skips_the_missing_hour() -> None:
    hourly = HourlyPartitionsDefinition("2024-03-10-00:00", timezone="America/New_York")
    keys = hourly.get_partition_keys(at(2024, 3, 10, 9))  # 05:00 EDT
    assert keys == [
        "2024-03-10-00:00",
        "2024-03-10-01:00",
        "2024-03-10-03:00",
        "2024-03-10-04:00",
    ]
    assert not hourly.has_partition_key("2024-03-10-02:00", at(2024, 3, 11))
    window = hourly.time_window_for_partition_key("2024-03-10-01:00")
    assert window.end.timestamp() - window.start.timestamp() == 3600


def test_hourly_fall_back_repeats_the_hour_with_an_offset_suffix() -> None:
    hourly = HourlyPartitionsDefinition("2024-11-03-00:00", timezone="America/New_York")
    keys = hourly.get_partition_keys(at(2024, 11, 3, 8))  # 03:00 EST
    assert keys == [
        "2024-11-03-00:00",
        "2024-11-03-01:00",
        "2024-11-03-01:00-0500",
        "2024-11-03-02:00",
    ]
    first, second = (hourly.time_window_for_partition_key(k) for k in keys[1:3])
    assert first.end.timestamp() == second.start.timestamp()
    assert second.start.astimezone(UTC) == at(2024, 11, 3, 6)
    assert second.end.astimezone(UTC) == at(2024, 11, 3, 7)
    assert all(hourly.has_partition_key(k, at(2024, 11, 4)) for k in keys)


# -- hourly, weekly, monthly ---------------------------------------------------------------


def test_hourly_defaults_and_date_only_start() -> None:
    hourly = HourlyPartitionsDefinition("2024-01-01")
    assert hourly == HourlyPartitionsDefinition("2024-01-01-00:00")
    assert hourly.get_partition_keys(at(2024, 1, 1, 3)) == [
        "2024-01-01-00:00",
        "2024-01-01-01:00",
        "2024-01-01-02:00",
    ]


def test_hourly_minute_offset() -> None:
    hourly = HourlyPartitionsDefinition(datetime(2022, 3, 12), minute_offset=15)
    assert hourly.get_partition_keys(at(2022, 3, 12, 2, 30)) == [
        "2022-03-12-00:15",
        "2022-03-12-01:15",
    ]


def test_hourly_in_a_half_hour_offset_zone() -> None:
    hourly = HourlyPartitionsDefinition("2024-01-01-00:00", timezone="Asia/Kolkata")
    # Midnight in Kolkata is 18:30 UTC the day before.
    assert hourly.get_partition_keys(at(2023, 12, 31, 20, 30)) == [
        "2024-01-01-00:00",
        "2024-01-01-01:00",
    ]


def test_hourly_has_partition_key_checks_alignment() -> None:
    hourly = HourlyPartitionsDefinition("2024-01-01-00:00")
    now = at(2024, 2, 1)
    assert hourly.has_partition_key("2024-01-15-13:00", now)
    assert not hourly.has_partition_key("2024-01-15-13:30", now)
    with pytest.raises(
        PartitionError,
        match="not the start of a partition .*containing that time is '2024-01-15-13:00'",
    ):
        hourly.validate_partition_key("2024-01-15-13:30", now)


def test_weekly_starts_on_the_sunday_after_start() -> None:
    weekly = WeeklyPartitionsDefinition("2022-03-12")
    assert weekly.get_partition_keys(at(2022, 4, 3)) == ["2022-03-13", "2022-03-20", "2022-03-27"]


def test_weekly_day_offset_and_misaligned_key() -> None:
    weekly = WeeklyPartitionsDefinition("2022-03-12", minute_offset=15, hour_offset=3, day_offset=6)
    assert weekly.get_first_partition_key(at(2022, 4, 1)) == "2022-03-12"
    assert weekly.time_window_for_partition_key("2022-03-19").start == at(2022, 3, 19, 3, 15)
    with pytest.raises(PartitionError, match="containing that time is '2022-03-12'"):
        weekly.validate_partition_key("2022-03-15", at(2022, 4, 1))


def test_monthly_month_ends_and_day_offset() -> None:
    monthly = MonthlyPartitionsDefinition("2024-01-15")
    assert monthly.get_partition_keys(at(2024, 5, 1)) == ["2024-02-01", "2024-03-01", "2024-04-01"]
    february = monthly.time_window_for_partition_key("2024-02-01")
    assert february.end - february.start == timedelta(days=29)
    offset = MonthlyPartitionsDefinition(
        "2022-03-12", minute_offset=15, hour_offset=3, day_offset=5
    )
    assert offset.get_partition_keys(at(2022, 7, 1)) == ["2022-04-05", "2022-05-05"]
    assert offset.time_window_for_partition_key("2022-04-05") == TimeWindow(
        at(2022, 4, 5, 3, 15), at(2022, 5, 5, 3, 15)
    )


def test_monthly_across_a_year_end() -> None:
    monthly = MonthlyPartitionsDefinition("2023-11-01")
    assert monthly.get_partition_keys(at(2024, 2, 1)) == ["2023-11-01", "2023-12-01", "2024-01-01"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: MonthlyPartitionsDefinition("2024-01-01", day_offset=31),
            r"day_offset must be .*1 to 28 \(so every month",
        ),
        (
            lambda: WeeklyPartitionsDefinition("2024-01-01", day_offset=7),
            "day_offset must be an integer from 0 to 6",
        ),
        (
            lambda: DailyPartitionsDefinition("2024-01-01", hour_offset=24),
            "hour_offset must be an integer from 0 to 23",
        ),
        (
            lambda: HourlyPartitionsDefinition("2024-01-01", minute_offset=-1),
            "minute_offset must be",
        ),
        (
            lambda: DailyPartitionsDefinition("2024-01-01", end_offset=1.5),
            "end_offset must be an integer",
        ),
    ],
)
def test_bad_offsets(make: object, message: str) -> None:
    with pytest.raises(PartitionError, match=message):
        make()  # type: ignore[operator]


# -- the general class --------------------------------------------------------------------


def test_cron_schedule_equals_the_named_kind() -> None:
    general = TimeWindowPartitionsDefinition(
        start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 * * *"
    )
    assert general == DailyPartitionsDefinition("2024-01-01")
    assert hash(general) == hash(DailyPartitionsDefinition("2024-01-01"))
    by_type = TimeWindowPartitionsDefinition(
        start="2024-01-01", fmt="%Y-%m-%d", schedule_type=ScheduleType.MONTHLY
    )
    assert by_type == MonthlyPartitionsDefinition("2024-01-01")


def test_cron_and_schedule_type_together_are_rejected() -> None:
    with pytest.raises(PartitionError, match="either cron_schedule"):
        TimeWindowPartitionsDefinition(
            start="2024-01-01",
            fmt="%Y-%m-%d",
            cron_schedule="0 0 * * *",
            schedule_type=ScheduleType.DAILY,
        )
    with pytest.raises(PartitionError, match="needs a schedule_type"):
        TimeWindowPartitionsDefinition(start="2024-01-01", fmt="%Y-%m-%d")


def test_invalid_cron_is_a_clear_error() -> None:
    with pytest.raises(PartitionError, match=r"Invalid cron schedule '0 0 32 \* \*'.*five fields"):
        TimeWindowPartitionsDefinition(
            start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 32 * *"
        )


# -- equality, repr, spec, pickling --------------------------------------------------------


def test_equality_normalises_unaligned_starts() -> None:
    assert WeeklyPartitionsDefinition("2022-03-12") == WeeklyPartitionsDefinition("2022-03-13")
    assert DailyPartitionsDefinition("2024-01-01") != DailyPartitionsDefinition("2024-01-02")
    assert DailyPartitionsDefinition("2024-01-01") != DailyPartitionsDefinition(
        "2024-01-01", timezone="Europe/Paris"
    )
    assert DailyPartitionsDefinition("2024-01-01") != DailyPartitionsDefinition(
        "2024-01-01", end_offset=1
    )


@pytest.mark.parametrize(
    ("definition", "text"),
    [
        (
            DailyPartitionsDefinition("2024-01-01"),
            "DailyPartitionsDefinition(start_date='2024-01-01')",
        ),
        (
            DailyPartitionsDefinition(
                "2024-01-01", "2025-01-01", hour_offset=6, timezone="Europe/Paris"
            ),
            "DailyPartitionsDefinition(start_date='2024-01-01', end_date='2025-01-01', "
            "hour_offset=6, timezone='Europe/Paris')",
        ),
        (
            HourlyPartitionsDefinition("2024-01-01", end_offset=1),
            "HourlyPartitionsDefinition(start_date='2024-01-01-00:00', end_offset=1)",
        ),
        (
            MonthlyPartitionsDefinition("2024-01-01"),
            "MonthlyPartitionsDefinition(start_date='2024-01-01')",
        ),
        (
            TimeWindowPartitionsDefinition(
                start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="@weekly"
            ),
            "TimeWindowPartitionsDefinition(start='2024-01-01', fmt='%Y-%m-%d', "
            "cron_schedule='0 0 * * 0')",
        ),
    ],
)
def test_repr(definition: object, text: str) -> None:
    assert repr(definition) == text


def test_to_spec() -> None:
    assert DailyPartitionsDefinition("2024-01-01").to_spec() == "daily:2024-01-01"
    assert (
        DailyPartitionsDefinition("2024-01-01", "2025-01-01").to_spec()
        == "daily:2024-01-01:2024-12-31"
    )
    assert WeeklyPartitionsDefinition("2024-01-03").to_spec() == "weekly:2024-01-07"
    assert HourlyPartitionsDefinition("2024-01-01", "2024-01-02").to_spec() == (
        "hourly:2024-01-01-00:00:2024-01-01-23:00"
    )
    assert DailyPartitionsDefinition("2024-01-01", hour_offset=1).to_spec() is None
    assert DailyPartitionsDefinition("2024-01-01", timezone="Europe/Paris").to_spec() is None
    assert DailyPartitionsDefinition("2024-01-01", end_offset=1).to_spec() is None


@pytest.mark.parametrize(
    "definition",
    [
        DailyPartitionsDefinition("2024-01-01", hour_offset=3, timezone="Europe/Paris"),
        HourlyPartitionsDefinition("2024-01-01", end_date="2024-02-01", minute_offset=30),
        TimeWindowPartitionsDefinition(
            start="2024-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 * * 1"
        ),
    ],
)
def test_pickles(definition: TimeWindowPartitionsDefinition) -> None:
    copy = pickle.loads(pickle.dumps(definition))
    assert copy == definition
    now = at(2024, 3, 1)
    assert copy.get_partition_keys(now) == definition.get_partition_keys(now)


# -- keys against a plain oracle ---------------------------------------------------------------


def oracle_hourly(start_utc: datetime, count: int, tz: ZoneInfo, fmt: str) -> list[str]:
    """Step an hour at a time in UTC and format each start the slow, obvious way."""
    keys = []
    for n in range(count):
        local = (start_utc + timedelta(hours=n)).astimezone(tz)
        repeated = local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()
        keys.append(local.strftime(fmt + "%z" if repeated else fmt))
    return keys


@pytest.mark.parametrize(
    "tz_name", ["UTC", "America/New_York", "Europe/London", "Australia/Sydney"]
)
def test_hourly_keys_match_oracle_over_a_year(tz_name: str) -> None:
    tz = ZoneInfo(tz_name)
    hourly = HourlyPartitionsDefinition("2024-01-01-00:00", timezone=tz_name)
    keys = hourly.get_partition_keys(at(2025, 1, 2))
    first = datetime(2024, 1, 1, tzinfo=tz).astimezone(UTC)
    assert keys == oracle_hourly(first, len(keys), tz, "%Y-%m-%d-%H:%M")
    assert len(keys) > 8700
    assert len(set(keys)) == len(keys)
    # A second call (served from the cache) agrees and can be mutated freely.
    again = hourly.get_partition_keys(at(2025, 1, 2))
    again.clear()
    assert hourly.get_partition_keys(at(2025, 1, 2)) == keys


def test_hourly_custom_format_matches_oracle() -> None:
    hourly = HourlyPartitionsDefinition("2024-03-30", timezone="Europe/Paris", fmt="%d/%m/%Y %Hh")
    keys = hourly.get_partition_keys(at(2024, 4, 2))
    first = datetime(2024, 3, 30, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    assert keys == oracle_hourly(first, len(keys), ZoneInfo("Europe/Paris"), "%d/%m/%Y %Hh")


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    kind=st.sampled_from(["hourly", "daily", "weekly", "monthly"]),
    tz_name=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
    span_days=st.integers(min_value=0, max_value=400),
)
def test_every_key_round_trips_and_windows_tile(
    start: date, kind: str, tz_name: str, span_days: int
) -> None:
    cls = {
        "hourly": HourlyPartitionsDefinition,
        "daily": DailyPartitionsDefinition,
        "weekly": WeeklyPartitionsDefinition,
        "monthly": MonthlyPartitionsDefinition,
    }[kind]
    definition = cls(start_date=start, timezone=tz_name)
    now = datetime.combine(start, datetime.min.time(), ZoneInfo(tz_name)) + timedelta(
        days=span_days
    )
    keys = definition.get_partition_keys(now)[-60:]
    assert len(keys) == len(set(keys))
    windows = [definition.time_window_for_partition_key(k) for k in keys]
    for key, window in zip(keys, windows, strict=True):
        assert definition.has_partition_key(key, now)
        assert window.start.timestamp() < window.end.timestamp() <= now.timestamp()
        assert definition.get_partition_key_for_timestamp(window.start.timestamp()) == key
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.end.timestamp() == after.start.timestamp()


def test_dagster_attributes() -> None:
    weekly = WeeklyPartitionsDefinition("2022-03-12", minute_offset=15, hour_offset=3, day_offset=6)
    assert weekly.schedule_type is ScheduleType.WEEKLY
    assert (weekly.minute_offset, weekly.hour_offset, weekly.day_offset) == (15, 3, 6)
    assert weekly.cron_schedule == "15 3 * * 6"
    assert weekly.timezone == "UTC"
    assert weekly.fmt == "%Y-%m-%d"
    assert weekly.start == at(2022, 3, 12)
    assert weekly.end is None
    assert MonthlyPartitionsDefinition("2024-01-01").day_offset == 1


def test_a_cron_finer_than_an_hour_spells_the_repeated_hour_with_its_offset() -> None:
    quarters = TimeWindowPartitionsDefinition(
        cron_schedule="*/15 * * * *",
        start="2020-11-01-01:30",
        end="2020-11-01-02:00",
        timezone="US/Pacific",
        fmt="%Y-%m-%d-%H:%M",
    )
    keys = quarters.get_partition_keys()
    assert keys == [
        "2020-11-01-01:30",
        "2020-11-01-01:45",
        "2020-11-01-01:00-0800",
        "2020-11-01-01:15-0800",
        "2020-11-01-01:30-0800",
        "2020-11-01-01:45-0800",
    ]
    assert all(quarters.has_partition_key(key) for key in keys)
