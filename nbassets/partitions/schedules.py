"""The small subset of cron that time partitions need, and arithmetic on its ticks.

Responsibilities:
- ``ScheduleType`` and the cron string Dagster derives from a schedule type and
  its offsets (``"M H * * *"`` daily, ``"M * * * *"`` hourly, ``"M H * * D"``
  weekly, ``"M H D * *"`` monthly).
- ``CronSchedule.parse``: those four forms (and ``@hourly``, ``@daily``,
  ``@weekly``, ``@monthly``) and nothing else, with a clear error otherwise.
- ``TickGrid``: numbering the ticks of a schedule in a timezone, so that the
  n-th tick and the tick at or before an instant are O(1) arithmetic, not a scan.

Hourly ticks step in absolute time, so a daylight-saving change skips or repeats a
local hour exactly as the clock does. Daily, weekly and monthly ticks step in local
wall-clock time, so a day is 23 or 25 hours long across a change. Timezones whose
daylight-saving shift is not a whole hour (Lord Howe) are not supported for hourly
partitions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Literal

from nbassets.errors import PartitionDefinitionError, PartitionError

if TYPE_CHECKING:
    from nbassets.partitions.cron_grid import CronTickGrid

__all__ = ["CronSchedule", "ScheduleType", "TickGrid", "cron_for_schedule_type", "tick_grid"]

_HOUR = timedelta(hours=1)
_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
_SUPPORTED = (
    "'M * * * *' (hourly), 'M H * * *' (daily), 'M H * * D' (weekly) or "
    "'M H D * *' (monthly), with M in 0-59, H in 0-23, D a weekday 0-6 (0 = Sunday) "
    "or a day of the month 1-28"
)


class ScheduleType(enum.Enum):
    """How often a time partition starts, as Dagster names it."""

    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


Kind = Literal["hourly", "daily", "weekly", "monthly", "cron"]


def cron_for_schedule_type(
    schedule_type: ScheduleType, minute_offset: int = 0, hour_offset: int = 0, day_offset: int = 0
) -> str:
    """Return the cron string Dagster uses for a schedule type and its offsets.

    Raises:
        PartitionError: An offset is out of range for the schedule type.
    """
    limits = {"minute_offset": (minute_offset, 0, 59), "hour_offset": (hour_offset, 0, 23)}
    if schedule_type is ScheduleType.WEEKLY:
        limits["day_offset"] = (day_offset, 0, 6)
    if schedule_type is ScheduleType.MONTHLY:
        limits["day_offset"] = (day_offset, 1, 28)
    if schedule_type is ScheduleType.HOURLY:
        cron = f"{minute_offset} * * * *"
    elif schedule_type is ScheduleType.DAILY:
        cron = f"{minute_offset} {hour_offset} * * *"
    elif schedule_type is ScheduleType.WEEKLY:
        cron = f"{minute_offset} {hour_offset} * * {day_offset}"
    else:
        cron = f"{minute_offset} {hour_offset} {day_offset} * *"
    for name, (value, low, high) in limits.items():
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            note = " (so every month has that day)" if high == 28 else ""
            raise PartitionDefinitionError(
                f"Found invalid cron schedule '{cron}' for a TimeWindowPartitionsDefinition: "
                f"{name} must be an integer from {low} to {high}{note} for "
                f"{schedule_type.value.lower()} partitions; got {value!r}."
            )
    return cron


def _field(value: str, low: int, high: int, name: str, cron: str) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise PartitionError(
            f"Unsupported cron schedule {cron!r}: the {name} field {value!r} must be a number "
            f"from {low} to {high}. Time partitions support {_SUPPORTED}."
        )
    return int(value)


@dataclass(frozen=True)
class CronSchedule:
    """One of the four cron forms time partitions use.

    Attributes:
        kind: ``"hourly"``, ``"daily"``, ``"weekly"`` or ``"monthly"``.
        minute: The minute of the hour each tick falls on.
        hour: The hour of the day (0 for hourly, where it is unused).
        day: The weekday (0 = Sunday) for weekly, the day of the month for
            monthly, 0 otherwise.
    """

    kind: Kind
    minute: int
    hour: int = 0
    day: int = 0
    # Any other valid cron schedule is kept whole, as kind "cron" (see cron_grid).
    expression: str = ""

    @classmethod
    def parse(cls, cron: str) -> CronSchedule:
        """Parse a cron string of a supported form.

        Raises:
            PartitionError: The string is not one of the supported forms.
        """
        if not isinstance(cron, str):
            raise PartitionError(f"A cron schedule must be a string; got {cron!r}.")
        text = _ALIASES.get(cron.strip().lower(), cron)
        parts = text.split()
        if len(parts) != 5:
            raise PartitionError(
                f"Unsupported cron schedule {cron!r}: expected 5 space-separated fields, got "
                f"{len(parts)}. Time partitions support {_SUPPORTED}."
            )
        try:
            return cls._parse_regular(cron, parts)
        except PartitionError:
            from nbassets.partitions.cron_grid import check_cron

            check_cron(text)
            return cls("cron", 0, expression=" ".join(parts))

    @classmethod
    def _parse_regular(cls, cron: str, parts: list[str]) -> CronSchedule:
        m, h, dom, month, dow = parts
        minute = _field(m, 0, 59, "minute", cron)
        if month != "*":
            raise PartitionError(
                f"Unsupported cron schedule {cron!r}: the month field must be '*'. "
                f"Time partitions support {_SUPPORTED}."
            )
        if h == "*" and dom == "*" and dow == "*":
            return cls("hourly", minute)
        hour = _field(h, 0, 23, "hour", cron)
        if dom == "*" and dow == "*":
            return cls("daily", minute, hour)
        if dom == "*":
            return cls("weekly", minute, hour, _field(dow, 0, 7, "day-of-week", cron) % 7)
        if dow == "*":
            return cls("monthly", minute, hour, _field(dom, 1, 28, "day-of-month", cron))
        raise PartitionError(
            f"Unsupported cron schedule {cron!r}: a day of the month and a weekday cannot both "
            f"be set. Time partitions support {_SUPPORTED}."
        )

    def to_cron(self) -> str:
        """Return the canonical cron string for this schedule."""
        if self.kind == "cron":
            return self.expression
        if self.kind == "hourly":
            return f"{self.minute} * * * *"
        if self.kind == "daily":
            return f"{self.minute} {self.hour} * * *"
        if self.kind == "weekly":
            return f"{self.minute} {self.hour} * * {self.day}"
        return f"{self.minute} {self.hour} {self.day} * *"


def tick_grid(schedule: CronSchedule, tz: tzinfo, start: datetime) -> TickGrid | CronTickGrid:
    """The grid of ``schedule``: O(1) arithmetic for regular forms, a walk for others."""
    if schedule.kind == "cron":
        from nbassets.partitions.cron_grid import CronTickGrid

        return CronTickGrid(schedule.expression, tz, start)
    return TickGrid(schedule, tz, start)


class TickGrid:
    """The ticks of a schedule in a timezone, numbered from the first tick at or after a start.

    Tick ``n`` starts window ``n``; window ``n`` ends where tick ``n + 1`` starts.
    Negative numbers count ticks before the first one.
    """

    def __init__(self, schedule: CronSchedule, tz: tzinfo, start: datetime) -> None:
        self.schedule = schedule
        self.tz = tz
        self._clock = time(schedule.hour, schedule.minute)
        local = start.astimezone(tz).replace(tzinfo=None)
        if schedule.kind == "hourly":
            self._t0 = self._first_hourly(start.astimezone(timezone.utc))
            self._anchor = date(1970, 1, 1)
            self._month0 = 0
        elif schedule.kind == "monthly":
            first = datetime.combine(date(local.year, local.month, schedule.day), self._clock)
            if first < local:
                first = _add_months(first, 1)
            self._month0 = first.year * 12 + first.month - 1
            self._anchor = first.date()
        else:
            first = datetime.combine(local.date(), self._clock)
            if schedule.kind == "weekly":
                # cron counts weekdays from Sunday = 0; Python from Monday = 0.
                wanted = (schedule.day - 1) % 7
                first += timedelta(days=(wanted - first.weekday()) % 7)
            if first < local:
                first += timedelta(days=self._step_days)
            self._anchor = first.date()
            self._month0 = 0

    @property
    def _step_days(self) -> int:
        return 7 if self.schedule.kind == "weekly" else 1

    def _first_hourly(self, start_utc: datetime) -> datetime:
        offset = start_utc.astimezone(self.tz).utcoffset() or timedelta(0)
        utc_minute = (self.schedule.minute - int(offset.total_seconds()) // 60) % 60
        candidate = start_utc.replace(minute=utc_minute, second=0, microsecond=0)
        if candidate > start_utc:
            candidate -= _HOUR
        return candidate if candidate == start_utc else candidate + _HOUR

    @property
    def is_hourly(self) -> bool:
        return self.schedule.kind == "hourly"

    def local_tick(self, n: int) -> datetime:
        """Return tick ``n`` as a naive local wall-clock time (not for hourly grids)."""
        if self.schedule.kind == "monthly":
            year, month0 = divmod(self._month0 + n, 12)
            return datetime.combine(date(year, month0 + 1, self.schedule.day), self._clock)
        return datetime.combine(self._anchor + timedelta(days=n * self._step_days), self._clock)

    def tick(self, n: int) -> datetime:
        """Return tick ``n`` as an aware datetime in the grid's timezone."""
        if self.is_hourly:
            return (self._t0 + n * _HOUR).astimezone(self.tz)
        # A wall-clock time that does not exist (skipped by a DST change) resolves
        # forward, as zoneinfo does for fold=0.
        return self.local_tick(n).replace(tzinfo=self.tz)

    def tick_utc_hourly(self, n: int) -> datetime:
        """Return tick ``n`` of an hourly grid in UTC."""
        return self._t0 + n * _HOUR

    def index_at(self, instant: datetime) -> int:
        """Return the number of the last tick at or before ``instant`` (an aware datetime)."""
        if self.is_hourly:
            seconds = (instant - self._t0).total_seconds()
            return int(seconds // 3600)
        local = instant.astimezone(self.tz).replace(tzinfo=None)
        return self.index_at_local(local)

    def index_at_local(self, local: datetime) -> int:
        """Return the number of the last tick at or before a naive local time."""
        if self.schedule.kind == "monthly":
            n = local.year * 12 + local.month - 1 - self._month0
            if (local.day, local.time()) < (self.schedule.day, self._clock):
                n -= 1
            return n
        days = (local.date() - self._anchor).days
        if local.time() < self._clock:
            days -= 1
        return days // self._step_days


def _add_months(value: datetime, months: int) -> datetime:
    year, month0 = divmod(value.year * 12 + value.month - 1 + months, 12)
    return value.replace(year=year, month=month0 + 1)
