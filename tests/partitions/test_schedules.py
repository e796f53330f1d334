from __future__ import annotations

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions.schedules import CronSchedule, ScheduleType, cron_for_schedule_type


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("0 * * * *", CronSchedule("hourly", 0)),
        ("15 * * * *", CronSchedule("hourly", 15)),
        ("15 16 * * *", CronSchedule("daily", 15, 16)),
        ("0 0 * * 6", CronSchedule("weekly", 0, 0, 6)),
        ("0 0 * * 7", CronSchedule("weekly", 0, 0, 0)),
        ("15 3 5 * *", CronSchedule("monthly", 15, 3, 5)),
        ("@daily", CronSchedule("daily", 0, 0)),
        ("@hourly", CronSchedule("hourly", 0)),
        ("@weekly", CronSchedule("weekly", 0, 0, 0)),
        ("@monthly", CronSchedule("monthly", 0, 0, 1)),
        ("  0   0 * * *  ", CronSchedule("daily", 0, 0)),
    ],
)
def test_supported_forms(cron: str, expected: CronSchedule) -> None:
    assert CronSchedule.parse(cron) == expected


def test_canonical_cron_round_trips() -> None:
    for cron in ["5 * * * *", "5 6 * * *", "5 6 * * 3", "5 6 7 * *"]:
        assert CronSchedule.parse(cron).to_cron() == cron


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("*/15 * * * *", r"the minute field '\*/15' must be a number from 0 to 59"),
        ("0 0 * *", "expected 5 space-separated fields, got 4"),
        ("0 0 1 1 *", "the month field must be '\\*'"),
        ("0 0 1 * 1", "a day of the month and a weekday cannot both be set"),
        ("0 0 31 * *", "the day-of-month field '31' must be a number from 1 to 28"),
        ("0 24 * * *", "the hour field '24' must be a number from 0 to 23"),
        ("0 9-17 * * *", "the hour field '9-17'"),
        ("@yearly", "expected 5 space-separated fields, got 1"),
    ],
)
def test_unsupported_forms_explain_what_is_supported(cron: str, message: str) -> None:
    with pytest.raises(PartitionError, match=message) as info:
        CronSchedule.parse(cron)
    assert "'M H * * *' (daily)" in str(info.value)


def test_schedule_type_crons_match_dagster() -> None:
    assert cron_for_schedule_type(ScheduleType.HOURLY, 15) == "15 * * * *"
    assert cron_for_schedule_type(ScheduleType.DAILY, 15, 16) == "15 16 * * *"
    assert cron_for_schedule_type(ScheduleType.WEEKLY, 0, 3, 6) == "0 3 * * 6"
    assert cron_for_schedule_type(ScheduleType.MONTHLY, 0, 0, 1) == "0 0 1 * *"
