from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbassets.errors import PartitionError
from nbassets.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
    parse_partitions_spec,
)

LATER = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("daily:2024-01-01", DailyPartitionsDefinition("2024-01-01")),
        ("daily:2024-01-01:2024-12-31", DailyPartitionsDefinition("2024-01-01", "2025-01-01")),
        ("  Daily:2024-01-01  ", DailyPartitionsDefinition("2024-01-01")),
        ("hourly:2024-01-01-00:00", HourlyPartitionsDefinition("2024-01-01-00:00")),
        ("hourly:2024-01-01", HourlyPartitionsDefinition("2024-01-01-00:00")),
        ("hourly:2024-01-01:2024-01-01", HourlyPartitionsDefinition("2024-01-01", "2024-01-02")),
        (
            "hourly:2024-01-01-00:00:2024-01-01-05:00",
            HourlyPartitionsDefinition("2024-01-01", "2024-01-01-06:00"),
        ),
        ("weekly:2024-01-07", WeeklyPartitionsDefinition("2024-01-07")),
        ("weekly:2024-01-07:2024-01-20", WeeklyPartitionsDefinition("2024-01-07", "2024-01-21")),
        ("monthly:2024-01-01", MonthlyPartitionsDefinition("2024-01-01")),
        ("monthly:2024-01-01:2024-12-01", MonthlyPartitionsDefinition("2024-01-01", "2025-01-01")),
        ("monthly:2024-01-01:2024-12-31", MonthlyPartitionsDefinition("2024-01-01", "2025-01-01")),
        ("static:a,b,c", StaticPartitionsDefinition(["a", "b", "c"])),
        ("static: a , b ", StaticPartitionsDefinition(["a", "b"])),
        ("static:x:y,z", StaticPartitionsDefinition(["x:y", "z"])),
        ("dynamic:fruits", DynamicPartitionsDefinition("fruits")),
    ],
)
def test_specs(spec: str, expected: PartitionsDefinition) -> None:
    assert parse_partitions_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "count"),
    [
        ("daily:2024-01-01:2024-12-31", 366),
        ("daily:2023-01-01:2023-12-31", 365),
        ("daily:2024-02-29:2024-02-29", 1),
        ("hourly:2024-01-01:2024-01-01", 24),
        ("hourly:2024-01-01:2024-01-31", 31 * 24),
        ("weekly:2024-01-07:2024-12-29", 52),
        ("monthly:2024-01-01:2024-12-01", 12),
        ("monthly:2024-01-15:2024-12-31", 11),
    ],
)
def test_end_is_inclusive(spec: str, count: int) -> None:
    assert parse_partitions_spec(spec).get_num_partitions(LATER) == count


def test_inclusive_end_is_the_last_key() -> None:
    definition = parse_partitions_spec("daily:2024-01-01:2024-12-31")
    assert definition.get_last_partition_key(LATER) == "2024-12-31"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "dayly:2024-01-01",
            r"Unknown partitions kind 'dayly' .*Did you mean 'daily'\? "
            r"Expected one of daily, hourly",
        ),
        ("hour:2024-01-01", r"Unknown partitions kind 'hour' .*Did you mean 'hourly'\?"),
        ("2024-01-01", r"Unknown partitions kind '2024-01-01'"),
        ("", r"Unknown partitions kind ''"),
        ("daily", r"needs a START date after 'daily:', e\.g\. daily:2024-01-01"),
        ("daily:", r"needs a START date"),
        ("static:", r"needs a comma-separated list of keys after 'static:', e\.g\. static:a,b,c"),
        ("static: , ", r"Key 1 of 2 .* is empty"),
        ("static:a,,b", r"Key 2 of 3 in partitions spec 'static:a,,b' is empty"),
        ("static:a,b,a", r"In partitions spec 'static:a,b,a': .*unique; 'a'"),
        ("daily:2024/01/01", r"START '2024/01/01' .* is not a date; expected YYYY-MM-DD"),
        ("daily:24-01-01", r"START '24-01-01' .* is not a date; expected YYYY-MM-DD"),
        (
            "daily:2024-02-30",
            r"START '2024-02-30' .* is not a real date or time \(day is out of range",
        ),
        ("daily:2023-02-29", r"START '2023-02-29' .* is not a real date"),
        (
            "daily:2024-01-01:2024-13-01",
            r"END '2024-13-01' .* is not a real date .*month must be in 1\.\.12",
        ),
        ("daily:2024-01-01:soon", r"END 'soon' .* is not a date; expected YYYY-MM-DD"),
        ("daily:2024-01-01-06:00", r"has a time of day, but daily partitions take a date only"),
        ("hourly:2024-01-01-24:00", r"START '2024-01-01-24:00' .*hour must be in 0\.\.23"),
        ("hourly:2024-01-01-00", r"Unexpected '-00' after START .*expected ':END' or nothing"),
        ("daily:2024-01-01:2024-12-31:x", r"Unexpected ':x' after END"),
        ("daily:2024-01-01x", r"Unexpected 'x' after START"),
        ("daily:2024-01-01:2023-12-31", r"END 2023-12-31 comes before START 2024-01-01"),
        (
            "weekly:2024-01-03:2024-01-05",
            r"has no partitions: the first weekly partition starts 2024-01-07",
        ),
    ],
)
def test_errors(spec: str, message: str) -> None:
    with pytest.raises(PartitionError, match=message):
        parse_partitions_spec(spec)


def test_non_string_spec() -> None:
    with pytest.raises(PartitionError, match="must be a string; got 3"):
        parse_partitions_spec(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "definition",
    [
        DailyPartitionsDefinition("2024-01-01"),
        DailyPartitionsDefinition("2024-01-01", "2024-03-01"),
        HourlyPartitionsDefinition("2024-01-01-05:00", "2024-01-02-07:00"),
        WeeklyPartitionsDefinition("2024-01-03", "2024-06-01"),
        MonthlyPartitionsDefinition("2024-01-15", "2025-02-10"),
        StaticPartitionsDefinition(["a", "b"]),
        DynamicPartitionsDefinition("fruits"),
    ],
)
def test_round_trip(definition: PartitionsDefinition) -> None:
    spec = definition.to_spec()
    assert spec is not None
    parsed = parse_partitions_spec(spec)
    assert parsed == definition
    if not isinstance(definition, DynamicPartitionsDefinition):
        assert parsed.get_partition_keys(LATER) == definition.get_partition_keys(LATER)


@settings(max_examples=80, deadline=None)
@given(
    kind=st.sampled_from(["daily", "weekly", "monthly", "hourly"]),
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2029, 1, 1)),
    days=st.integers(min_value=0, max_value=800),
)
def test_round_trip_property(kind: str, start: date, days: int) -> None:
    end = start + timedelta(days=days if kind != "hourly" else days % 10)
    try:
        definition = parse_partitions_spec(f"{kind}:{start}:{end}")
    except PartitionError as exc:
        # Only a range too short to hold a whole week or month has no partitions.
        assert "has no partitions" in str(exc)
        assert kind in ("weekly", "monthly")
        return
    keys = definition.get_partition_keys(LATER)
    assert keys
    # Every partition starts on or after START and on or before END.
    assert keys[0] >= str(start)
    assert keys[-1][:10] <= str(end)
    spec = definition.to_spec()
    assert spec is not None
    assert parse_partitions_spec(spec) == definition
