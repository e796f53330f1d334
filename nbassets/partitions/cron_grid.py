"""Ticks of any cron schedule, for time partitions beyond the four regular forms.

Responsibilities:
- ``CronTickGrid``: the same numbering as ``TickGrid`` (tick 0 is the first at or
  after the start, negative numbers count back), for schedules such as
  ``0 0,11 * * *``, ``*/15 * * * *`` or ``0 0 1 1 *``. Ticks come from ``cronsim``
  (a maintained cron evaluator that follows the timezone's clock changes) and are
  kept as they are met, so looking a tick up again costs a list index.

Regular hourly, daily, weekly and monthly schedules keep ``TickGrid``'s O(1)
arithmetic; this grid walks the schedule, so its cost grows with the number of
ticks between the start and the instants asked about.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta, tzinfo

from cronsim import CronSim, CronSimError

from nbassets.errors import PartitionError

__all__ = ["CronTickGrid", "check_cron"]

_JUST_BEFORE = timedelta(microseconds=1)


def check_cron(expression: str) -> None:
    """Raise ``PartitionError`` when ``expression`` is not a valid cron schedule."""
    try:
        CronSim(expression, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise PartitionError(
            f"Invalid cron schedule {expression!r}: {exc}. Use five fields: "
            "minute hour day-of-month month day-of-week, e.g. '0 0,11 * * *'."
        ) from exc


class CronTickGrid:
    """The ticks of a cron schedule in a timezone, numbered from the first at or after a start."""

    is_hourly = False

    def __init__(self, expression: str, tz: tzinfo, start: datetime) -> None:
        self.tz = tz
        local_start = start.astimezone(tz)
        self._ahead = CronSim(expression, local_start - _JUST_BEFORE)
        self._behind = CronSim(expression, local_start, reverse=True)
        self._forward: list[datetime] = []  # tick 0, 1, 2, ...
        self._backward: list[datetime] = []  # tick -1, -2, ...
        self._forward_stamps: list[float] = []

    def tick(self, n: int) -> datetime:
        """Return tick ``n`` as an aware datetime in the grid's timezone."""
        if n >= 0:
            while len(self._forward) <= n:
                self._grow_forward()
            return self._forward[n]
        while len(self._backward) < -n:
            self._backward.append(next(self._behind))
        return self._backward[-n - 1]

    def _grow_forward(self) -> None:
        value = next(self._ahead)
        self._forward.append(value)
        self._forward_stamps.append(value.timestamp())

    def local_tick(self, n: int) -> datetime:
        """Return tick ``n`` as a naive local wall-clock time."""
        return self.tick(n).replace(tzinfo=None)

    def index_at(self, instant: datetime) -> int:
        """Return the number of the last tick at or before ``instant`` (an aware datetime)."""
        stamp = instant.timestamp()
        if stamp >= self.tick(0).timestamp():
            while self._forward_stamps[-1] <= stamp:
                self._grow_forward()
            return bisect.bisect_right(self._forward_stamps, stamp) - 1
        n = -1
        while self.tick(n).timestamp() > stamp:
            n -= 1
        return n

    def index_at_local(self, local: datetime) -> int:
        """Return the number of the last tick at or before a naive local time."""
        return self.index_at(local.replace(tzinfo=self.tz))
