"""Hourly, daily, weekly and monthly partitions, with Dagster's arguments and defaults.

Responsibilities:
- ``HourlyPartitionsDefinition`` (keys ``%Y-%m-%d-%H:%M``), ``DailyPartitionsDefinition``,
  ``WeeklyPartitionsDefinition`` (weeks start on Sunday unless ``day_offset``) and
  ``MonthlyPartitionsDefinition`` (months start on day 1 unless ``day_offset``),
  keys ``%Y-%m-%d`` by default.
- Their readable ``repr`` (only the arguments that differ from the defaults) and
  their ``--partitions`` spec string, where one exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from nbassets.partitions.schedules import ScheduleType
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

__all__ = [
    "DEFAULT_DATE_FORMAT",
    "DEFAULT_HOURLY_FORMAT",
    "DailyPartitionsDefinition",
    "HourlyPartitionsDefinition",
    "MonthlyPartitionsDefinition",
    "WeeklyPartitionsDefinition",
]

DEFAULT_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_HOURLY_FORMAT = "%Y-%m-%d-%H:%M"

Start = datetime | date | str


class _Kind(TimeWindowPartitionsDefinition):
    """What the four fixed-period definitions share: a spec, and a short repr."""

    _spec_kind = ""
    _default_fmt = DEFAULT_DATE_FORMAT
    _default_day = 0

    def _offsets(self) -> dict[str, int]:
        schedule = self.schedule
        offsets = {"minute_offset": schedule.minute}
        if schedule.kind != "hourly":
            offsets["hour_offset"] = schedule.hour
        if schedule.kind in ("weekly", "monthly"):
            offsets["day_offset"] = schedule.day
        return offsets

    def _repr_args(self) -> list[str]:
        args = [f"start_date={self._show(self.start)!r}"]
        if self.end is not None:
            args.append(f"end_date={self._show(self.end)!r}")
        for name, value in self._offsets().items():
            if value != (self._default_day if name == "day_offset" else 0):
                args.append(f"{name}={value}")
        if self.timezone != "UTC":
            args.append(f"timezone={self.timezone!r}")
        if self.fmt != self._default_fmt:
            args.append(f"fmt={self.fmt!r}")
        if self.end_offset:
            args.append(f"end_offset={self.end_offset}")
        return args

    def to_spec(self) -> str | None:
        plain = all(
            value == (self._default_day if name == "day_offset" else 0)
            for name, value in self._offsets().items()
        )
        if not plain or self.timezone != "UTC" or self.fmt != self._default_fmt or self.end_offset:
            return None
        spec = f"{self._spec_kind}:{self.key_at_index(0)}"
        if self._end_count is None:
            return spec
        if self._end_count == 0:
            return None
        # The spec's END is inclusive: the last partition's key.
        return f"{spec}:{self.key_at_index(self._end_count - 1)}"

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs: dict[str, Any] = {
            "start_date": self.start,
            "end_date": self.end,
            "timezone": self.timezone,
            "fmt": self.fmt,
            "end_offset": self.end_offset,
            **self._offsets(),
        }
        return (_rebuild_kind, (type(self), kwargs))


def _rebuild_kind(cls: type[_Kind], kwargs: dict[str, Any]) -> _Kind:
    return cls(**kwargs)


class HourlyPartitionsDefinition(_Kind):
    """One partition per hour, keyed ``2024-01-01-00:00``.

    Args:
        start_date: The first partition starts at the first hour boundary at or
            after this time (``"2024-01-01-00:00"``, ``"2024-01-01"`` or a datetime).
        end_date: Partitions end at or before this time (exclusive).
        minute_offset: Minutes past the hour each partition starts.
        timezone: IANA timezone name; default UTC.
        fmt: Key format; default ``%Y-%m-%d-%H:%M``.
        end_offset: Extra partitions past the last complete hour.
    """

    _spec_kind = "hourly"
    _default_fmt = DEFAULT_HOURLY_FORMAT

    def __init__(
        self,
        start_date: Start,
        end_date: Start | None = None,
        minute_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            start=start_date,
            fmt=fmt or DEFAULT_HOURLY_FORMAT,
            end=end_date,
            schedule_type=ScheduleType.HOURLY,
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
        )


class DailyPartitionsDefinition(_Kind):
    """One partition per day, keyed ``2024-01-01``.

    Args:
        start_date: The first partition starts at the first day boundary at or
            after this time.
        end_date: Partitions end at or before this time (exclusive).
        minute_offset: Minutes past ``hour_offset`` each day starts.
        hour_offset: Hour each day starts.
        timezone: IANA timezone name; default UTC.
        fmt: Key format; default ``%Y-%m-%d``.
        end_offset: Extra partitions past the last complete day.
    """

    _spec_kind = "daily"

    def __init__(
        self,
        start_date: Start,
        end_date: Start | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            start=start_date,
            fmt=fmt or DEFAULT_DATE_FORMAT,
            end=end_date,
            schedule_type=ScheduleType.DAILY,
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
        )


class WeeklyPartitionsDefinition(_Kind):
    """One partition per week, starting on Sunday unless ``day_offset`` says otherwise.

    Args:
        start_date: The first partition starts at the first week boundary at or
            after this time.
        end_date: Partitions end at or before this time (exclusive).
        minute_offset: Minutes past ``hour_offset`` each week starts.
        hour_offset: Hour each week starts.
        day_offset: Weekday each week starts, 0 = Sunday ... 6 = Saturday.
        timezone: IANA timezone name; default UTC.
        fmt: Key format; default ``%Y-%m-%d``.
        end_offset: Extra partitions past the last complete week.
    """

    _spec_kind = "weekly"

    def __init__(
        self,
        start_date: Start,
        end_date: Start | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            start=start_date,
            fmt=fmt or DEFAULT_DATE_FORMAT,
            end=end_date,
            schedule_type=ScheduleType.WEEKLY,
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
            day_offset=day_offset,
        )


class MonthlyPartitionsDefinition(_Kind):
    """One partition per month, starting on day 1 unless ``day_offset`` says otherwise.

    Args:
        start_date: The first partition starts at the first month boundary at or
            after this time.
        end_date: Partitions end at or before this time (exclusive).
        minute_offset: Minutes past ``hour_offset`` each month starts.
        hour_offset: Hour each month starts.
        day_offset: Day of the month each month starts, 1-28.
        timezone: IANA timezone name; default UTC.
        fmt: Key format; default ``%Y-%m-%d``.
        end_offset: Extra partitions past the last complete month.
    """

    _spec_kind = "monthly"
    _default_day = 1

    def __init__(
        self,
        start_date: Start,
        end_date: Start | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 1,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ) -> None:
        super().__init__(
            start=start_date,
            fmt=fmt or DEFAULT_DATE_FORMAT,
            end=end_date,
            schedule_type=ScheduleType.MONTHLY,
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
            day_offset=day_offset,
        )
