"""Small value types that name partitions and spans of them.

Responsibilities:
- ``PartitionKeyRange``: an inclusive range of partition keys, as Dagster spells it.
- ``TimeWindow``: the half-open span ``[start, end)`` of one time partition.
- The rules a partition key must follow (no empty keys, none of the substrings
  Dagster rejects), shared by every definition that stores user-given keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from nbassets.errors import PartitionError

__all__ = [
    "INVALID_PARTITION_SUBSTRINGS",
    "PartitionKeyRange",
    "TimeWindow",
    "check_partition_keys",
]

# Dagster rejects these: "..." separates the two ends of a range in its UI and CLI
# ("2024-01-01...2024-01-31"); the control characters would not display.
INVALID_PARTITION_SUBSTRINGS: tuple[str, ...] = (
    "...",
    "\a",
    "\b",
    "\f",
    "\n",
    "\r",
    "\t",
    "\v",
    "\0",
)


class PartitionKeyRange(NamedTuple):
    """An inclusive range of partition keys: ``PartitionKeyRange("2024-01-01", "2024-01-31")``.

    Attributes:
        start: The first partition key in the range.
        end: The last partition key in the range (included).
    """

    start: str
    end: str


class TimeWindow(NamedTuple):
    """The time span of one time partition, ``[start, end)``, as timezone-aware datetimes.

    Attributes:
        start: The first instant of the window (included).
        end: The first instant after the window (excluded).
    """

    start: datetime
    end: datetime


def check_partition_keys(keys: Iterable[str], *, what: str = "partition key") -> list[str]:
    """Validate user-given partition keys and return them as a list.

    Args:
        keys: The keys, in order.
        what: How to name a key in an error message.

    Returns:
        The keys as a list, in the order given.

    Raises:
        PartitionError: A key is not a string, is empty, repeats, or contains a
            substring Dagster rejects.
    """
    result: list[str] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for key in keys:
        if not isinstance(key, str):
            raise PartitionError(
                f"A {what} must be a string; got {key!r} ({type(key).__name__}). "
                f"Convert it first, e.g. str({key!r})."
            )
        if not key:
            raise PartitionError(
                f"A {what} must not be empty; got '' at position {len(result)} "
                f"(after {result[-3:]!r}). Remove it or give it a name."
            )
        bad = [s for s in INVALID_PARTITION_SUBSTRINGS if s in key]
        if bad:
            raise PartitionError(
                f"The {what} {key!r} contains {', '.join(repr(s) for s in bad)}, which partition "
                "keys may not contain ('...' separates the ends of a key range; control "
                "characters do not display). Rename the key."
            )
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
        result.append(key)
    if duplicates:
        raise PartitionError(
            f"Partition keys must be unique; {', '.join(repr(d) for d in duplicates)} "
            "appear more than once. Remove the repeats."
        )
    return result
