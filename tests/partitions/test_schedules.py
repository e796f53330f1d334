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
    "cron",
    ["*/15 * * * *", "0 0 1 1 *", "0 0 1 * 1", "0 0 31 * *", "0 9-17 * * *", "0 0,11 * * *"],
)
def test_other_valid_crons_are_kept_whole(cron: str) -> None:
    schedule = CronSchedule.parse(cron)
    assert schedule.kind == "cron"
    assert schedule.to_cron() == cron


@pytest.mark.parametrize(
    ("cron", "message", "hint"),
    [
        ("0 0 * *", "expected 5 space-separated fields, got 4", "'M H * * *' (daily)"),
        ("0 24 * * *", r"Invalid cron schedule '0 24 \* \* \*': Bad hour", "five fields"),
        ("61 * * * *", "Invalid cron schedule '61 .*Bad minute", "five fields"),
        ("@yearly", "expected 5 space-separated fields, got 1", "'M H * * *' (daily)"),
    ],
)
def test_invalid_forms_explain_what_is_expected(cron: str, message: str, hint: str) -> None:
    with pytest.raises(PartitionError, match=message) as info:
        CronSchedule.parse(cron)
    assert hint in str(info.value)


def test_schedule_type_crons_match_dagster() -> None:
    assert cron_for_schedule_type(ScheduleType.HOURLY, 15) == "15 * * * *"
    assert cron_for_schedule_type(ScheduleType.DAILY, 15, 16) == "15 16 * * *"
    assert cron_for_schedule_type(ScheduleType.WEEKLY, 0, 3, 6) == "0 3 * * 6"
    assert cron_for_schedule_type(ScheduleType.MONTHLY, 0, 0, 1) == "0 0 1 * *"
