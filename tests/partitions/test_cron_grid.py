"""Time partitions on cron schedules of no regular form, checked against Dagster itself."""

from __future__ import annotations

from datetime import datetime

import pytest

from nbassets import TimeWindowPartitionsDefinition

dagster = pytest.importorskip("dagster")

CASES = [
    # (cron, start, timezone, fmt, now)
    ("0 0,11 * * *", "2024-01-01-00:00", "UTC", "%Y-%m-%d-%H:%M", datetime(2024, 2, 3, 5)),
    ("*/15 * * * *", "2024-03-10-00:00", "US/Central", "%Y-%m-%d-%H:%M", datetime(2024, 3, 10, 6)),
    ("0 */4 * * *", "2023-11-04-00:00", "US/Central", "%Y-%m-%d-%H:%M", datetime(2023, 11, 6)),
    ("0 0 1 1 *", "2015-01-01", "UTC", "%Y-%m-%d", datetime(2024, 6, 1)),
    ("30 9 * * 1-5", "2024-01-01-00:00", "Europe/Berlin", "%Y-%m-%d-%H:%M", datetime(2024, 4, 2)),
]


@pytest.mark.parametrize(("cron", "start", "tz", "fmt", "now"), CASES)
def test_keys_and_windows_match_dagster(
    cron: str, start: str, tz: str, fmt: str, now: datetime
) -> None:
    ours = TimeWindowPartitionsDefinition(cron_schedule=cron, start=start, fmt=fmt, timezone=tz)
    theirs = dagster.TimeWindowPartitionsDefinition(
        cron_schedule=cron, start=start, fmt=fmt, timezone=tz
    )
    keys = ours.get_partition_keys(current_time=now)
    assert keys == theirs.get_partition_keys(current_time=now)
    assert keys, "every case has partitions"
    for key in (keys[0], keys[len(keys) // 2], keys[-1]):
        mine, reference = ours.time_window_for_partition_key(key), (
            theirs.time_window_for_partition_key(key)
        )
        assert (mine.start.timestamp(), mine.end.timestamp()) == (
            reference.start.timestamp(),
            reference.end.timestamp(),
        )


def test_a_partition_key_maps_back_to_its_window() -> None:
    ours = TimeWindowPartitionsDefinition(
        cron_schedule="0 0,11 * * *", start="2024-01-01-00:00", fmt="%Y-%m-%d-%H:%M"
    )
    assert ours.get_partition_keys(current_time=datetime(2024, 1, 2, 12)) == [
        "2024-01-01-00:00",
        "2024-01-01-11:00",
        "2024-01-02-00:00",
        "2024-01-02-11:00",
    ][:3]
    window = ours.time_window_for_partition_key("2024-01-01-11:00")
    assert (window.start.hour, window.end.day, window.end.hour) == (11, 2, 0)
