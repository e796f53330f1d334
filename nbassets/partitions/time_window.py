"""Time-window partitions: one partition per tick of a schedule, keyed by its start.

Responsibilities:
- ``TimeWindowPartitionsDefinition`` with Dagster's arguments and semantics: the
  first partition starts at the first tick at or after ``start``; a partition is
  included when its window ends at or before ``end`` (exclusive) and at or before
  the current time, plus ``end_offset`` windows past the current time (a negative
  ``end_offset`` drops windows from the end).
- Keys formatted with ``fmt`` in the definition's timezone; in a timezone with
  daylight saving, the second occurrence of a repeated hour gets its UTC offset
  appended (``2024-11-03-01:00-0500``), as in Dagster.
- Fast key arithmetic: keys are computed from tick numbers (``TickGrid``), key
  lists are cached per definition, and ``has_partition_key`` parses one key and
  checks it round-trips instead of scanning.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError
from nbassets.partitions.definitions import PartitionsDefinition, reversed_range_error
from nbassets.partitions.keys import PartitionKeyRange, TimeWindow
from nbassets.partitions.schedules import (
    CronSchedule,
    ScheduleType,
    cron_for_schedule_type,
    tick_grid,
)
from nbassets.partitions.time_formats import (
    coerce_datetime,
    compile_format,
    get_timezone,
    split_format,
)

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = ["TimeWindowPartitionsDefinition"]

_HOUR = timedelta(hours=1)
_STEPS = [k * _HOUR for k in range(1, 24)]


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions that each cover one window between consecutive ticks of a schedule.

    Args:
        start: The first partition starts at the first tick at or after this time
            (a string in ``fmt`` or as a date, or a datetime; naive values are
            wall-clock times in ``timezone``).
        fmt: The ``strftime`` format of partition keys.
        end: Partitions end at or before this time (exclusive). ``None``: no end.
        schedule_type: How often partitions start, with the offsets below; or give
            ``cron_schedule`` instead.
        timezone: An IANA timezone name; default ``"UTC"``.
        end_offset: Extra windows past the last complete one (negative: fewer).
        minute_offset: Minute past the hour each window starts.
        hour_offset: Hour of the day each window starts.
        day_offset: Weekday (0 = Sunday) or day of the month each window starts.
        cron_schedule: One of ``"M * * * *"``, ``"M H * * *"``, ``"M H * * D"``,
            ``"M H D * *"``.
    """

    def __init__(
        self,
        start: datetime | date | str,
        fmt: str,
        end: datetime | date | str | None = None,
        schedule_type: ScheduleType | None = None,
        timezone: str | None = None,
        end_offset: int = 0,
        minute_offset: int | None = None,
        hour_offset: int | None = None,
        day_offset: int | None = None,
        cron_schedule: str | None = None,
    ) -> None:
        if not isinstance(fmt, str) or not fmt:
            raise PartitionError(f"fmt must be a strftime format such as '%Y-%m-%d'; got {fmt!r}.")
        if cron_schedule is not None:
            if schedule_type is not None or minute_offset or hour_offset or day_offset:
                raise PartitionError(
                    f"Give either cron_schedule ({cron_schedule!r}) or schedule_type with "
                    "minute/hour/day offsets, not both."
                )
        elif schedule_type is None:
            raise PartitionError(
                "A TimeWindowPartitionsDefinition needs a schedule_type (ScheduleType.DAILY, ...) "
                "or a cron_schedule such as '0 0 * * *'."
            )
        else:
            if day_offset is None:
                day_offset = 1 if schedule_type is ScheduleType.MONTHLY else 0
            cron_schedule = cron_for_schedule_type(
                schedule_type, minute_offset or 0, hour_offset or 0, day_offset
            )
        if isinstance(end_offset, bool) or not isinstance(end_offset, int):
            raise PartitionError(f"end_offset must be an integer; got {end_offset!r}.")
        self.schedule = CronSchedule.parse(cron_schedule)
        self.cron_schedule: str = self.schedule.to_cron()
        self.timezone: str = "UTC" if not timezone or timezone.upper() == "UTC" else timezone
        self._tz = get_timezone(self.timezone)
        self.fmt: str = fmt
        self.end_offset: int = end_offset
        self.start: datetime = coerce_datetime(start, "start", fmt, self._tz)
        self.end: datetime | None = (
            None if end is None else coerce_datetime(end, "end", fmt, self._tz)
        )
        if self.end is not None and self.end.timestamp() <= self.start.timestamp():
            raise PartitionError(
                f"end {self._show(self.end)!r} must come after start {self._show(self.start)!r}; "
                "the end is exclusive, so it is the first moment not partitioned."
            )
        self._grid = tick_grid(self.schedule, self._tz, self.start)
        self._format_fields = compile_format(fmt)
        self._split_fields = split_format(fmt)
        self._suffixes: dict[int, list[str]] = {}
        self._end_count: int | None = (
            None if self.end is None else max(0, self._grid.index_at(self.end))
        )
        self._cache: list[str] = []

    @property
    def schedule_type(self) -> ScheduleType | None:
        """How often partitions start; ``None`` for a cron schedule of no regular form."""
        if self.schedule.kind == "cron":
            return None
        return ScheduleType[self.schedule.kind.upper()]

    @property
    def minute_offset(self) -> int:
        """Minute past the hour each window starts."""
        return self.schedule.minute

    @property
    def hour_offset(self) -> int:
        """Hour each window starts (0 for hourly)."""
        return self.schedule.hour

    @property
    def day_offset(self) -> int:
        """Weekday (0 = Sunday) for weekly, day of the month for monthly, else 0."""
        return self.schedule.day

    def _show(self, value: datetime) -> str:
        text = value.strftime(self.fmt)
        try:
            if coerce_datetime(text, "", self.fmt, self._tz) == value:
                return text
        except PartitionError:
            pass
        return value.isoformat()

    # -- tick arithmetic -------------------------------------------------------------

    def _now(self, current_time: datetime | None) -> datetime:
        if current_time is None:
            return datetime.now(dt_timezone.utc)
        if current_time.tzinfo is None:
            return current_time.replace(tzinfo=self._tz)
        return current_time

    def num_partitions_at(self, current_time: datetime | None = None) -> int:
        """Return how many partitions exist at ``current_time`` (default: now)."""
        count = max(0, self._grid.index_at(self._now(current_time))) + max(0, self.end_offset)
        if self._end_count is not None:
            count = min(count, self._end_count)
        if self.end_offset < 0:
            count = max(0, count + self.end_offset)
        return count

    def key_at_index(self, n: int) -> str:
        """Return the key of window ``n`` (0 is the first partition; may lie outside the set)."""
        if not self._grid.is_hourly and self.schedule.kind != "cron":
            return self._format_fields(self._grid.local_tick(n))
        value = self._grid.tick(n)
        # An hourly (or finer cron) schedule meets the same local time twice when clocks
        # go back: the second one is spelled with its UTC offset, as Dagster does.
        if (
            "%z" not in self.fmt
            and value.fold
            and value.replace(fold=0).utcoffset() != (value.utcoffset())
        ):
            return value.strftime(self.fmt + "%z")
        return self._format_fields(value)

    def _keys_between(self, first: int, stop: int) -> list[str]:
        fields, kind = self._format_fields, self.schedule.kind
        keys: list[str] = []
        if kind == "cron":
            return [self.key_at_index(n) for n in range(first, stop)]
        if kind == "monthly":
            tick = self._grid.local_tick
            return [fields(tick(n)) for n in range(first, stop)]
        if kind != "hourly":
            # Wall-clock days and weeks have a fixed length, so step instead of recomputing.
            step = timedelta(days=7 if kind == "weekly" else 1)
            value = self._grid.local_tick(first)
            for _ in range(first, stop):
                keys.append(fields(value))
                value += step
            return keys
        n = first
        while n < stop:
            chunk_stop = min(stop, n + 24)
            head, tail = self._grid.tick(n), self._grid.tick(chunk_stop)
            keys.append(self.key_at_index(n))
            if head.utcoffset() == tail.utcoffset():
                # No clock change inside the chunk: local times step by whole hours.
                keys.extend(self._hour_keys(head.replace(tzinfo=None), chunk_stop - n - 1))
            else:
                keys.extend(self.key_at_index(m) for m in range(n + 1, chunk_stop))
            n = chunk_stop
        return keys

    def _hour_keys(self, naive: datetime, count: int) -> list[str]:
        """Keys of the ``count`` hours after ``naive`` (a local time), with no clock change."""
        if self._split_fields is None:
            fields = self._format_fields
            return [fields(naive + step) for step in _STEPS[:count]]
        # Most formats are a date part then a time part: format each date once and
        # reuse the 24 time suffixes, instead of formatting every key in full.
        date_fields, time_fields = self._split_fields
        suffixes = self._suffixes.get(naive.minute)
        if suffixes is None:
            suffixes = [time_fields(naive.replace(hour=h)) for h in range(24)]
            self._suffixes[naive.minute] = suffixes
        prefixes = [date_fields(naive), date_fields(naive + timedelta(days=1))]
        hour = naive.hour
        return [prefixes[t // 24] + suffixes[t % 24] for t in range(hour + 1, hour + 1 + count)]

    def _parse(self, key: str) -> datetime | None:
        formats = [self.fmt]
        if (self._grid.is_hourly or self.schedule.kind == "cron") and "%z" not in self.fmt:
            formats.append(self.fmt + "%z")
        for candidate in formats:
            try:
                parsed = datetime.strptime(key, candidate)
            except ValueError:
                continue
            return parsed.replace(tzinfo=self._tz) if parsed.tzinfo is None else parsed
        return None

    def _ceil_index(self, instant: datetime) -> int:
        # Compare timestamps: Python compares aware datetimes in one zone by wall time
        # and never calls an ambiguous time equal to one in another zone.
        n = self._grid.index_at(instant)
        return n if self._grid.tick(n).timestamp() == instant.timestamp() else n + 1

    def index_of_key(self, partition_key: str) -> int | None:
        """Return the window number of a well-formed, aligned key, else ``None``.

        The key need not be in the set (it may be before the start or after now).
        """
        if not isinstance(partition_key, str):
            return None
        parsed = self._parse(partition_key)
        if parsed is None:
            return None
        try:
            # A key may omit the time of day (daily keys with an hour_offset): it names
            # the first window starting at or after the time it spells.
            n = self._ceil_index(parsed)
            return n if self.key_at_index(n) == partition_key else None
        except (OverflowError, ValueError):
            return None

    def index_at(self, instant: datetime) -> int:
        """Return the number of the window containing ``instant`` (naive: in this timezone)."""
        return self._grid.index_at(self._now(instant))

    def window_at_index(self, n: int) -> TimeWindow:
        """Return the time window of window number ``n``."""
        return TimeWindow(self._grid.tick(n), self._grid.tick(n + 1))

    # -- the PartitionsDefinition API --------------------------------------------------

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        count = self.num_partitions_at(current_time)
        cache = self._cache
        if len(cache) < count:
            # Replace, never mutate, so a concurrent reader sees a whole list.
            cache = cache + self._keys_between(len(cache), count)
            self._cache = cache
        return cache[:count]

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        n = self.index_of_key(partition_key)
        return n is not None and 0 <= n < self.num_partitions_at(current_time)

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        return self.num_partitions_at(current_time)

    def get_first_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        return self.key_at_index(0) if self.num_partitions_at(current_time) else None

    def get_last_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        count = self.num_partitions_at(current_time)
        return self.key_at_index(count - 1) if count else None

    def get_first_partition_window(self, current_time: datetime | None = None) -> TimeWindow | None:
        """Return the first partition's window, or ``None`` when there are no partitions."""
        return self.window_at_index(0) if self.num_partitions_at(current_time) else None

    def get_last_partition_window(self, current_time: datetime | None = None) -> TimeWindow | None:
        """Return the last partition's window, or ``None`` when there are no partitions."""
        count = self.num_partitions_at(current_time)
        return self.window_at_index(count - 1) if count else None

    def get_partition_keys_in_range(
        self,
        partition_key_range: PartitionKeyRange,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        start, end = partition_key_range
        for key in (start, end):
            self.validate_partition_key(key, current_time)
        first, last = self.index_of_key(start), self.index_of_key(end)
        assert first is not None and last is not None
        if first > last:
            raise reversed_range_error(self, start, end)
        return self.get_partition_keys(current_time)[first : last + 1]

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """Return the window ``[start, end)`` of a key, as aware datetimes in the timezone.

        The key must be well formed and start a window; it need not exist yet.

        Raises:
            PartitionError: The key does not parse or does not start a window.
        """
        n = self.index_of_key(partition_key)
        if n is None:
            raise PartitionError(self._malformed_key_message(partition_key))
        return self.window_at_index(n)

    def get_partition_key_for_timestamp(self, timestamp: float, end_closed: bool = False) -> str:
        """Return the key of the window containing a POSIX timestamp.

        Args:
            timestamp: Seconds since the epoch.
            end_closed: If the timestamp falls exactly on a boundary, return the
                window that ends there instead of the one that starts there.

        Raises:
            PartitionError: The timestamp is before the first partition or at or
                after ``end``.
        """
        instant = datetime.fromtimestamp(timestamp, dt_timezone.utc)
        n = self._grid.index_at(instant)
        if end_closed and self._grid.tick(n).timestamp() == timestamp:
            n -= 1
        if n < 0 or (self._end_count is not None and n >= self._end_count):
            raise PartitionError(
                f"Timestamp {timestamp} ({instant.astimezone(self._tz).isoformat()}) is outside "
                f"{self!r}, whose first partition starts at {self._grid.tick(0).isoformat()}"
                + ("." if self.end is None else f" and whose partitions end by {self.end}.")
            )
        return self.key_at_index(n)

    def _malformed_key_message(self, partition_key: str) -> str:
        parsed = self._parse(partition_key) if isinstance(partition_key, str) else None
        if parsed is None:
            return (
                f"Partition key {partition_key!r} does not match the format {self.fmt!r} of "
                f"{self!r} (for example {self.key_at_index(0)!r})."
            )
        canonical = self.key_at_index(self._ceil_index(parsed))
        reparsed = self._parse(canonical)
        if reparsed is not None and reparsed.timestamp() == parsed.timestamp():
            return (
                f"Partition key {partition_key!r} does not match the format {self.fmt!r} of "
                f"{self!r} exactly. Did you mean {canonical!r}?"
            )
        containing = self.key_at_index(self._grid.index_at(parsed))
        return (
            f"Partition key {partition_key!r} is not the start of a partition of {self!r}; "
            f"the partition containing that time is {containing!r}."
        )

    def _unknown_key_message(
        self,
        partition_key: str,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> str:
        n = self.index_of_key(partition_key)
        if n is None:
            return self._malformed_key_message(partition_key)
        count = self.num_partitions_at(current_time)
        first = self.key_at_index(0)
        if count == 0:
            return (
                f"Partition key {partition_key!r} is not a partition of {self!r}, which has no "
                f"partitions yet: the first, {first!r}, ends at {self._grid.tick(1).isoformat()}."
            )
        last = self.key_at_index(count - 1)
        span = f"partitions run from {first!r} to {last!r} ({count:,} partitions)"
        if n < 0:
            return (
                f"Partition key {partition_key!r} is before the first partition of {self!r}; "
                f"{span}."
            )
        if self._end_count is not None and n >= self._end_count:
            return (
                f"Partition key {partition_key!r} is at or after the end of {self!r}; {span}. "
                "The end is exclusive."
            )
        return (
            f"Partition key {partition_key!r} of {self!r} does not exist yet; {span}, the "
            "last ending before the current time. Pass end_offset=1 to include the window "
            "in progress."
        )

    # -- identity ---------------------------------------------------------------------

    def _identity(self) -> Hashable:
        return (
            "time_window",
            self.cron_schedule,
            self.timezone,
            self.fmt,
            self._grid.tick(0).timestamp(),
            self._end_count,
            self.end_offset,
        )

    def _repr_args(self) -> list[str]:
        args = [f"start={self._show(self.start)!r}", f"fmt={self.fmt!r}"]
        if self.end is not None:
            args.append(f"end={self._show(self.end)!r}")
        args.append(f"cron_schedule={self.cron_schedule!r}")
        if self.timezone != "UTC":
            args.append(f"timezone={self.timezone!r}")
        if self.end_offset:
            args.append(f"end_offset={self.end_offset}")
        return args

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_args())})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self.start, self.fmt, self.end, self.timezone, self.end_offset, self.cron_schedule),
        )


def _rebuild(
    start: datetime, fmt: str, end: datetime | None, tz: str, end_offset: int, cron: str
) -> TimeWindowPartitionsDefinition:
    return TimeWindowPartitionsDefinition(
        start, fmt, end, timezone=tz, end_offset=end_offset, cron_schedule=cron
    )
