"""Partition subsets: a set of keys of one ``PartitionsDefinition``, as Dagster has them.

Responsibilities:

* ``PartitionsSubset``: immutable, ordered as its definition orders keys; set
  operators; key ranges; equality by definition and keys.
* ``UpstreamPartitionsResult``: what a mapping reads upstream, and which of the
  partitions it needs do not exist.

The engine plans with plain key lists; subsets are the public, Dagster-shaped view.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nbassets.partitions.keys import PartitionKeyRange

if TYPE_CHECKING:
    from nbassets.partitions.definitions import PartitionsDefinition

__all__ = ["PartitionKeys", "PartitionsSubset", "UpstreamPartitionsResult"]


class PartitionKeys(list[str]):
    """Partition keys in their definition's order that also compare equal to a set.

    Dagster's subsets of static and multi-partitioned definitions give their keys
    as a set, so code written for Dagster compares them to sets; nbassets keeps the
    definition's order (what a person reads) and answers such a comparison as a set.
    """

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (set, frozenset)):
            return set(self) == other
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other


class PartitionsSubset:
    """Some of the partitions of ``partitions_def``."""

    def __init__(self, partitions_def: PartitionsDefinition, keys: Iterable[str] = ()) -> None:
        self.partitions_def = partitions_def
        self._keys = frozenset(keys)

    def get_partition_keys(self, current_time: datetime | None = None) -> PartitionKeys:
        """The keys, in the definition's order (keys it does not know come last, sorted)."""
        ordered = [k for k in self._all_keys(current_time) if k in self._keys]
        return PartitionKeys(ordered + sorted(self._keys.difference(ordered)))

    def _all_keys(self, current_time: datetime | None = None) -> list[str]:
        try:
            return self.partitions_def.get_partition_keys(current_time)
        except Exception:  # noqa: BLE001 - dynamic definitions without a store: keep set order
            return sorted(self._keys)

    def get_partition_keys_not_in_subset(
        self, partitions_def: PartitionsDefinition | None = None, current_time: Any = None
    ) -> list[str]:
        """The definition's keys this subset leaves out, in order."""
        return [k for k in self._all_keys(current_time) if k not in self._keys]

    def get_partition_key_ranges(
        self, partitions_def: PartitionsDefinition | None = None, current_time: Any = None
    ) -> list[PartitionKeyRange]:
        """The keys as maximal runs of consecutive partitions."""
        ranges: list[PartitionKeyRange] = []
        start = previous = None
        for key in self._all_keys(current_time):
            if key in self._keys:
                start = key if start is None else start
                previous = key
            elif start is not None and previous is not None:
                ranges.append(PartitionKeyRange(start, previous))
                start = None
        if start is not None and previous is not None:
            ranges.append(PartitionKeyRange(start, previous))
        return ranges

    def with_partition_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """This subset with ``partition_keys`` added."""
        return PartitionsSubset(self.partitions_def, self._keys.union(partition_keys))

    def with_partition_key_range(
        self, partitions_def: PartitionsDefinition, partition_key_range: PartitionKeyRange
    ) -> PartitionsSubset:
        """This subset with every key of ``partition_key_range`` added."""
        return self.with_partition_keys(
            partitions_def.get_partition_keys_in_range(partition_key_range)
        )

    def empty_subset(self) -> PartitionsSubset:
        return PartitionsSubset(self.partitions_def)

    @property
    def is_empty(self) -> bool:
        return not self._keys

    def _keys_of(self, other: PartitionsSubset | Iterable[str]) -> frozenset[str]:
        return other._keys if isinstance(other, PartitionsSubset) else frozenset(other)

    def __or__(self, other: PartitionsSubset | Iterable[str]) -> PartitionsSubset:
        return PartitionsSubset(self.partitions_def, self._keys | self._keys_of(other))

    def __and__(self, other: PartitionsSubset | Iterable[str]) -> PartitionsSubset:
        return PartitionsSubset(self.partitions_def, self._keys & self._keys_of(other))

    def __sub__(self, other: PartitionsSubset | Iterable[str]) -> PartitionsSubset:
        return PartitionsSubset(self.partitions_def, self._keys - self._keys_of(other))

    def serialize(self) -> str:
        """This subset as JSON text in Dagster's format; read back with ``deserialize_subset``."""
        from nbassets.partitions.serialization import serialize_subset

        return serialize_subset(self)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self.get_partition_keys())

    def __len__(self) -> int:
        return len(self._keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PartitionsSubset)
            and self._keys == other._keys
            and self.partitions_def == other.partitions_def
        )

    def __hash__(self) -> int:
        return hash((self.partitions_def, self._keys))

    def __repr__(self) -> str:
        return f"PartitionsSubset({self.get_partition_keys()!r})"


@dataclass(frozen=True)
class UpstreamPartitionsResult:
    """The upstream partitions a mapping reads, and the required ones that do not exist."""

    partitions_subset: PartitionsSubset
    required_but_nonexistent_subset: PartitionsSubset

    @property
    def required_but_nonexistent_partition_keys(self) -> list[str]:
        return self.required_but_nonexistent_subset.get_partition_keys()
