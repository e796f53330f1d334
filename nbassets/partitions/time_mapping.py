"""The mapping between two time-window partitions definitions.

Responsibilities:
- ``TimeWindowPartitionMapping``: a downstream partition reads every upstream
  partition whose window overlaps its own, shifted by ``start_offset`` /
  ``end_offset`` downstream periods. Granularities may differ: a daily partition
  reads its 24 hourly upstream partitions; an hourly one reads the day holding it.
- Reporting upstream windows that do not exist, unless
  ``allow_nonexistent_upstream_partitions`` says to skip them.

Both directions are computed from window numbers (``TickGrid`` arithmetic), so a
mapping costs the size of its answer, not the length of either definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError
from nbassets.partitions.definitions import PartitionsDefinition
from nbassets.partitions.mappings import PartitionMapping
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = ["TimeWindowPartitionMapping"]

_TICK = timedelta(microseconds=1)


def _just_before(instant: datetime) -> datetime:
    """The instant a microsecond earlier, in UTC.

    Aware arithmetic in a local zone is wall-clock arithmetic: a microsecond before
    03:00 on a spring-forward day would land in the skipped hour and resolve an hour
    later. UTC has no such gap.
    """
    return instant.astimezone(timezone.utc) - _TICK


class TimeWindowPartitionMapping(PartitionMapping):
    """Map each downstream time window to the upstream windows that overlap it.

    Args:
        start_offset: Shift the start of the window read by this many downstream
            periods (``-1``: also read the previous period).
        end_offset: Shift the end of the window read by this many downstream periods.
        allow_nonexistent_upstream_partitions: Skip upstream windows outside the
            upstream definition instead of raising ``PartitionError``.

    Example:
        >>> # "2024-01-02" reads "2024-01-01" and "2024-01-02"
        >>> TimeWindowPartitionMapping(start_offset=-1)
    """

    def __init__(
        self,
        start_offset: int = 0,
        end_offset: int = 0,
        allow_nonexistent_upstream_partitions: bool = False,
    ) -> None:
        for name, value in (("start_offset", start_offset), ("end_offset", end_offset)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise PartitionError(f"{name} must be an integer; got {value!r}.")
        self.start_offset = start_offset
        self.end_offset = end_offset
        self.allow_nonexistent_upstream_partitions = bool(allow_nonexistent_upstream_partitions)

    @property
    def description(self) -> str:
        text = (
            "Maps a downstream partition to any upstream partition with an overlapping time window."
        )
        if self.start_offset or self.end_offset:
            text += (
                " The start and end of the upstream time window is offsetted by "
                f"{self.start_offset} and {self.end_offset} partitions respectively."
            )
        return text

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        for side, definition in (("upstream", upstream_def), ("downstream", downstream_def)):
            if not isinstance(definition, TimeWindowPartitionsDefinition):
                raise PartitionError(
                    f"TimeWindowPartitionMapping joins two time-window partitions definitions, "
                    f"but the {side} one is {definition!r}. Use another mapping, e.g. "
                    "AllPartitionMapping()."
                )
        assert isinstance(downstream_def, TimeWindowPartitionsDefinition)
        assert isinstance(upstream_def, TimeWindowPartitionsDefinition)
        if upstream_def.timezone != downstream_def.timezone:
            raise PartitionError(
                f"Cannot map time partitions across timezones: upstream {upstream_def!r} is in "
                f"{upstream_def.timezone} and downstream {downstream_def!r} is in "
                f"{downstream_def.timezone}. Give both the same timezone."
            )

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        existing, _ = self._upstream_indices(
            downstream_keys, downstream_def, upstream_def, current_time, refuse=True
        )
        assert isinstance(upstream_def, TimeWindowPartitionsDefinition)
        return [upstream_def.key_at_index(i) for i in existing]

    def _upstream_split(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> tuple[list[str], list[str]]:
        self.validate(upstream_def, downstream_def)
        if downstream_def is None:
            return self.upstream_partition_keys([], None, upstream_def), []
        existing, missing = self._upstream_indices(
            downstream_keys, downstream_def, upstream_def, current_time, refuse=False
        )
        assert isinstance(upstream_def, TimeWindowPartitionsDefinition)
        if self.allow_nonexistent_upstream_partitions:
            missing = []
        return (
            [upstream_def.key_at_index(i) for i in existing],
            [upstream_def.key_at_index(i) for i in missing],
        )

    def _upstream_indices(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        *,
        refuse: bool,
    ) -> tuple[list[int], list[int]]:
        """Indices of the upstream windows read that exist, and of those that do not."""
        assert isinstance(downstream_def, TimeWindowPartitionsDefinition)
        assert isinstance(upstream_def, TimeWindowPartitionsDefinition)
        count = upstream_def.num_partitions_at(current_time)
        indices: dict[int, None] = {}
        missing: dict[int, None] = {}
        for key in downstream_keys:
            n = downstream_def.index_of_key(key)
            assert n is not None  # validated by the caller
            # Only the partition's own window must exist upstream; what the offsets add
            # is cut to the upstream partitions that exist, as in Dagster ("the previous
            # day" of the first day reads nothing instead of failing).
            own = downstream_def.window_at_index(n)
            own_first = upstream_def.index_at(own.start)
            own_last = upstream_def.index_at(_just_before(own.end))
            outside = [i for i in (own_first, own_last) if not 0 <= i < count]
            if outside and refuse and not self.allow_nonexistent_upstream_partitions:
                raise PartitionError(
                    self._nonexistent_message(
                        key, downstream_def, upstream_def, own_first, own_last, count
                    )
                )
            missing.update(
                dict.fromkeys(i for i in range(own_first, own_last + 1) if not 0 <= i < count)
            )
            start = downstream_def.window_at_index(n + self.start_offset).start
            end = downstream_def.window_at_index(n + self.end_offset).end
            if end.timestamp() <= start.timestamp():
                continue
            first, last = upstream_def.index_at(start), upstream_def.index_at(_just_before(end))
            indices.update(dict.fromkeys(range(max(first, 0), min(last, count - 1) + 1)))
        return sorted(indices), sorted(missing)

    def _nonexistent_message(
        self,
        key: str,
        downstream_def: TimeWindowPartitionsDefinition,
        upstream_def: TimeWindowPartitionsDefinition,
        first: int,
        last: int,
        count: int,
    ) -> str:
        wanted = f"{upstream_def.key_at_index(first)!r} to {upstream_def.key_at_index(last)!r}"
        if count:
            have = (
                f"its partitions run from {upstream_def.key_at_index(0)!r} to "
                f"{upstream_def.key_at_index(count - 1)!r}"
            )
        else:
            have = "it has no partitions yet"
        return (
            f"Downstream partition {key!r} of {downstream_def!r} reads upstream partitions "
            f"{wanted} of {upstream_def!r}, but {have}. Pass "
            "TimeWindowPartitionMapping(allow_nonexistent_upstream_partitions=True) to read only "
            "the ones that exist, or start the downstream definition later."
        )

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        assert isinstance(downstream_def, TimeWindowPartitionsDefinition)
        assert isinstance(upstream_def, TimeWindowPartitionsDefinition)
        count = downstream_def.num_partitions_at(current_time)
        indices: dict[int, None] = {}
        for key in upstream_keys:
            n = upstream_def.index_of_key(key)
            assert n is not None  # validated by the caller
            window = upstream_def.window_at_index(n)
            # Downstream window k reads [tick(k + start_offset), tick(k + 1 + end_offset));
            # it overlaps [window.start, window.end) exactly for k in this range.
            low = downstream_def.index_at(window.start) - self.end_offset
            high = downstream_def.index_at(_just_before(window.end)) - self.start_offset
            indices.update(dict.fromkeys(range(max(low, 0), min(high, count - 1) + 1)))
        return [downstream_def.key_at_index(i) for i in sorted(indices)]

    def _fields(self) -> tuple[Any, ...]:
        return (self.start_offset, self.end_offset, self.allow_nonexistent_upstream_partitions)

    def __repr__(self) -> str:
        args = []
        if self.start_offset:
            args.append(f"start_offset={self.start_offset}")
        if self.end_offset:
            args.append(f"end_offset={self.end_offset}")
        if self.allow_nonexistent_upstream_partitions:
            args.append("allow_nonexistent_upstream_partitions=True")
        return f"TimeWindowPartitionMapping({', '.join(args)})"
