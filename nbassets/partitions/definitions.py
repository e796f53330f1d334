"""The partitions-definition protocol and the static definition.

Responsibilities:
- ``PartitionsDefinition``: the base every kind of partitioning implements, with
  Dagster's method names (``get_partition_keys``, ``has_partition_key``,
  ``get_partition_keys_in_range``, ...), value equality, and ``to_spec``.
- Generic implementations of the derived methods in terms of
  ``get_partition_keys``, which subclasses override where they can do better.
- ``StaticPartitionsDefinition``: a fixed, ordered list of keys.

Every method that depends on the clock or on dynamic partitions takes Dagster's two
optional arguments: ``current_time`` (a naive value is read in the definition's
timezone) and ``dynamic_partitions_store``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError, did_you_mean
from nbassets.partitions.keys import PartitionKeyRange, check_partition_keys

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore
    from nbassets.partitions.subset import PartitionsSubset

__all__ = ["PartitionsDefinition", "StaticPartitionsDefinition", "preview_keys"]


def preview_keys(keys: Sequence[str], limit: int = 5) -> str:
    """Quote up to ``limit`` keys for a message, eliding the middle of a long list."""
    if len(keys) <= limit:
        return ", ".join(repr(k) for k in keys)
    head = ", ".join(repr(k) for k in keys[: limit - 1])
    return f"{head}, ..., {keys[-1]!r} ({len(keys):,} keys)"


class PartitionsDefinition(ABC):
    """The set of partition keys an asset is split into.

    Subclasses implement ``get_partition_keys`` and ``_identity``; every other
    method has a generic implementation over the ordered key list.
    """

    @abstractmethod
    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return every partition key, in order.

        Args:
            current_time: The "now" that bounds time partitions; defaults to the
                clock. A naive value is read in the definition's timezone.
            dynamic_partitions_store: Where dynamic partition keys live; required
                only by definitions that have a dynamic part.

        Returns:
            A new list of keys; mutating it changes nothing.
        """

    @abstractmethod
    def _identity(self) -> Hashable:
        """A value that is equal for two definitions exactly when they are equal."""

    def get_serializable_unique_identifier(
        self, dynamic_partitions_store: DynamicPartitionsStore | None = None
    ) -> str:
        """A hash naming this definition: equal definitions give equal identifiers."""
        from nbassets.partitions.serialization import unique_identifier

        return unique_identifier(self)

    def deserialize_subset(self, serialized: str) -> PartitionsSubset:
        """The subset that ``subset.serialize()`` wrote (Dagster's formats, old ones too).

        Raises:
            PartitionError: the text is not a serialized subset of this kind of definition.
        """
        from nbassets.partitions.serialization import deserialize_subset

        return deserialize_subset(self, serialized)

    def empty_subset(self) -> PartitionsSubset:
        """A subset of this definition holding no partition."""
        from nbassets.partitions.subset import PartitionsSubset

        return PartitionsSubset(self)

    def subset_with_partition_keys(self, partition_keys: Iterable[str]) -> PartitionsSubset:
        """A subset of this definition holding ``partition_keys``."""
        return self.empty_subset().with_partition_keys(partition_keys)

    def subset_with_all_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """A subset holding every partition that exists at ``current_time``."""
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return self.subset_with_partition_keys(keys)

    def subset_with_partition_key_range(self, partition_key_range: Any) -> PartitionsSubset:
        """A subset holding the keys of an inclusive ``PartitionKeyRange``."""
        return self.subset_with_partition_keys(
            self.get_partition_keys_in_range(partition_key_range)
        )

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        """Return whether ``partition_key`` is one of this definition's keys."""
        return partition_key in self.get_partition_keys(current_time, dynamic_partitions_store)

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        """Return how many partitions there are."""
        return len(self.get_partition_keys(current_time, dynamic_partitions_store))

    def get_first_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        """Return the first key, or ``None`` when there are no partitions."""
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[0] if keys else None

    def get_last_partition_key(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> str | None:
        """Return the last key, or ``None`` when there are no partitions."""
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        return keys[-1] if keys else None

    def get_partition_keys_in_range(
        self,
        partition_key_range: PartitionKeyRange,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the keys from ``partition_key_range.start`` to ``.end``, both included.

        Raises:
            PartitionError: Either end is not a key, or the start comes after the end.
        """
        start, end = partition_key_range
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        index = {key: i for i, key in enumerate(keys)}
        for key in (start, end):
            if key not in index:
                self.validate_partition_key(key, current_time, dynamic_partitions_store)
        first, last = index[start], index[end]
        if first > last:
            raise reversed_range_error(self, start, end)
        return keys[first : last + 1]

    def validate_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> None:
        """Raise unless ``partition_key`` is one of this definition's keys.

        Raises:
            PartitionError: Naming the key and the valid keys or range, with
                "did you mean" suggestions where they help.
        """
        if not isinstance(partition_key, str):
            raise PartitionError(
                f"A partition key must be a string; got {partition_key!r} "
                f"({type(partition_key).__name__}) for {self!r}."
            )
        if not self.has_partition_key(partition_key, current_time, dynamic_partitions_store):
            raise PartitionError(
                self._unknown_key_message(partition_key, current_time, dynamic_partitions_store)
            )

    def _unknown_key_message(
        self,
        partition_key: str,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> str:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        if not keys:
            return (
                f"Partition key {partition_key!r} is not a partition of {self!r}, which has none."
            )
        return (
            f"Partition key {partition_key!r} is not a partition of {self!r}. "
            f"Valid keys: {preview_keys(keys)}.{did_you_mean(partition_key, keys)}"
        )

    def to_spec(self) -> str | None:
        """Return the ``--partitions`` spec string for this definition, or ``None``.

        ``parse_partitions_spec(d.to_spec()) == d`` whenever a spec exists.
        """
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartitionsDefinition):
            return NotImplemented
        return self is other or self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def reversed_range_error(definition: PartitionsDefinition, start: str, end: str) -> PartitionError:
    """Return the error for a key range whose start comes after its end."""
    return PartitionError(
        f"Partition key range {start!r}...{end!r} is reversed: {start!r} comes after {end!r} "
        f"in {definition!r}. Swap the ends: PartitionKeyRange({end!r}, {start!r})."
    )


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed, ordered set of partition keys.

    Args:
        partition_keys: The keys, in the order partitions are listed and run. Keys
            must be unique, non-empty strings without ``...`` or control characters.

    Example:
        >>> oceans = StaticPartitionsDefinition(["arctic", "atlantic", "indian"])
        >>> oceans.get_partition_keys()
        ['arctic', 'atlantic', 'indian']
    """

    def __init__(self, partition_keys: Sequence[str]) -> None:
        if isinstance(partition_keys, str):
            # Dagster would split a bare string into one key per character; that is
            # never what the user meant.
            raise PartitionError(
                f"StaticPartitionsDefinition takes a list of keys; got the string "
                f"{partition_keys!r}. Write StaticPartitionsDefinition([{partition_keys!r}]) "
                f"or split it first, e.g. {partition_keys!r}.split(',')."
            )
        self._keys: tuple[str, ...] = tuple(check_partition_keys(partition_keys))
        self._index: dict[str, int] = {key: i for i, key in enumerate(self._keys)}

    @property
    def partition_keys(self) -> list[str]:
        """The keys, in order."""
        return list(self._keys)

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        return list(self._keys)

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        return partition_key in self._index

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        return len(self._keys)

    def index_of(self, partition_key: str) -> int:
        """Return the position of ``partition_key``; raise ``PartitionError`` if absent."""
        if partition_key not in self._index:
            self.validate_partition_key(partition_key)
        return self._index[partition_key]

    def _identity(self) -> Hashable:
        return ("static", self._keys)

    def to_spec(self) -> str | None:
        # A key holding a comma, or padded with spaces, would not survive the round trip.
        if not self._keys or any("," in k or k != k.strip() for k in self._keys):
            return None
        return "static:" + ",".join(self._keys)

    def __repr__(self) -> str:
        if len(self._keys) <= 10:
            return f"StaticPartitionsDefinition({list(self._keys)!r})"
        return f"StaticPartitionsDefinition([{preview_keys(self._keys, 4)}])"

    def __reduce__(self) -> tuple[Any, ...]:
        return (StaticPartitionsDefinition, (list(self._keys),))
