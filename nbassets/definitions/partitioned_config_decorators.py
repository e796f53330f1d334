"""``@daily_partitioned_config`` and its siblings: a job's run config per partition.

Each decorator builds the partitions definition from its arguments and turns the
decorated function into a ``PartitionedConfig``: a time-window one is called with
the partition's window (``start``, ``end``), a static one with the partition key.
The function stays callable as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from nbassets.definitions.partitioned_config import PartitionedConfig

__all__ = [
    "daily_partitioned_config",
    "hourly_partitioned_config",
    "monthly_partitioned_config",
    "static_partitioned_config",
    "weekly_partitioned_config",
]

WindowFn = Callable[[datetime, datetime], Mapping[str, Any]]
TagsFn = Callable[[datetime, datetime], Mapping[str, str]]


def _by_window(
    partitions_def: Any, tags_for_partition_fn: TagsFn | None
) -> Callable[[WindowFn], PartitionedConfig]:
    def window(key: str) -> tuple[datetime, datetime]:
        span = partitions_def.time_window_for_partition_key(key)
        return span.start, span.end

    def decorate(fn: WindowFn) -> PartitionedConfig:
        tags = tags_for_partition_fn
        return PartitionedConfig(
            partitions_def,
            run_config_for_partition_key_fn=lambda key: fn(*window(key)),
            decorated_fn=fn,
            tags_for_partition_key_fn=(lambda key: tags(*window(key))) if tags else None,
        )

    return decorate


def hourly_partitioned_config(
    start_date: datetime | str,
    minute_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: TagsFn | None = None,
) -> Callable[[WindowFn], PartitionedConfig]:
    """Run config for each hour, from ``fn(start, end)`` of its window."""
    from nbassets.partitions import HourlyPartitionsDefinition

    partitions_def = HourlyPartitionsDefinition(
        start_date, minute_offset=minute_offset, timezone=timezone, fmt=fmt, end_offset=end_offset
    )
    return _by_window(partitions_def, tags_for_partition_fn)


def daily_partitioned_config(
    start_date: datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: TagsFn | None = None,
) -> Callable[[WindowFn], PartitionedConfig]:
    """Run config for each day, from ``fn(start, end)`` of its window."""
    from nbassets.partitions import DailyPartitionsDefinition

    partitions_def = DailyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _by_window(partitions_def, tags_for_partition_fn)


def weekly_partitioned_config(
    start_date: datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    day_offset: int = 0,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: TagsFn | None = None,
) -> Callable[[WindowFn], PartitionedConfig]:
    """Run config for each week (starting on weekday ``day_offset``, 0 = Sunday)."""
    from nbassets.partitions import WeeklyPartitionsDefinition

    partitions_def = WeeklyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        day_offset=day_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _by_window(partitions_def, tags_for_partition_fn)


def monthly_partitioned_config(
    start_date: datetime | str,
    minute_offset: int = 0,
    hour_offset: int = 0,
    day_offset: int = 1,
    timezone: str | None = None,
    fmt: str | None = None,
    end_offset: int = 0,
    tags_for_partition_fn: TagsFn | None = None,
) -> Callable[[WindowFn], PartitionedConfig]:
    """Run config for each month (starting on day ``day_offset``)."""
    from nbassets.partitions import MonthlyPartitionsDefinition

    partitions_def = MonthlyPartitionsDefinition(
        start_date,
        minute_offset=minute_offset,
        hour_offset=hour_offset,
        day_offset=day_offset,
        timezone=timezone,
        fmt=fmt,
        end_offset=end_offset,
    )
    return _by_window(partitions_def, tags_for_partition_fn)


def static_partitioned_config(
    partition_keys: Sequence[str],
    tags_for_partition_fn: Callable[[str], Mapping[str, str]] | None = None,
    tags_for_partition_key_fn: Callable[[str], Mapping[str, str]] | None = None,
) -> Callable[[Callable[[str], Mapping[str, Any]]], PartitionedConfig]:
    """Run config for each of ``partition_keys``, from ``fn(partition_key)``."""
    from nbassets.partitions import StaticPartitionsDefinition

    partitions_def = StaticPartitionsDefinition(list(partition_keys))
    tags = tags_for_partition_key_fn or tags_for_partition_fn

    def decorate(fn: Callable[[str], Mapping[str, Any]]) -> PartitionedConfig:
        return PartitionedConfig(
            partitions_def,
            run_config_for_partition_key_fn=fn,
            decorated_fn=fn,
            tags_for_partition_key_fn=tags,
        )

    return decorate
