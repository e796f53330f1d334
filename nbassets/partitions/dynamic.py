"""Dynamic partitions: keys added and removed at run time, kept in a store.

Responsibilities:
- ``DynamicPartitionsStore``: the protocol a keeper of dynamic partition keys
  implements (the registry or instance owns one).
- ``InMemoryDynamicPartitionsStore``: a thread-safe, ordered, in-memory store.
- ``DynamicPartitionsDefinition(name)``: a definition whose keys are whatever the
  store passed at call time holds under ``name``.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from nbassets.errors import PartitionDefinitionError, PartitionError, did_you_mean
from nbassets.partitions.definitions import PartitionsDefinition, preview_keys
from nbassets.partitions.keys import check_partition_keys

__all__ = [
    "DynamicPartitionsDefinition",
    "DynamicPartitionsStore",
    "InMemoryDynamicPartitionsStore",
]


@runtime_checkable
class DynamicPartitionsStore(Protocol):
    """Where the keys of dynamic partitions live, by definition name."""

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """Return the keys under ``partitions_def_name``, in the order they were added."""
        ...

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        """Return whether ``partition_key`` is under ``partitions_def_name``."""
        ...

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        """Add keys under ``partitions_def_name``; keys already there are left as they are."""
        ...

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key from under ``partitions_def_name``."""
        ...


class InMemoryDynamicPartitionsStore:
    """A ``DynamicPartitionsStore`` held in memory, safe to share between threads."""

    def __init__(self) -> None:
        # A dict keeps insertion order and answers membership in O(1).
        self._keys: dict[str, dict[str, None]] = {}
        self._lock = threading.Lock()

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        with self._lock:
            return list(self._keys.get(partitions_def_name, ()))

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        with self._lock:
            return partition_key in self._keys.get(partitions_def_name, {})

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        if isinstance(partition_keys, str):
            raise PartitionError(
                f"add_dynamic_partitions takes a list of keys; got the string {partition_keys!r}. "
                f"Write add_dynamic_partitions({partitions_def_name!r}, [{partition_keys!r}])."
            )
        keys = check_partition_keys(dict.fromkeys(partition_keys), what="dynamic partition key")
        with self._lock:
            bucket = self._keys.setdefault(partitions_def_name, {})
            bucket.update(dict.fromkeys(keys))

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key.

        Raises:
            PartitionError: The key is not there (with "did you mean").
        """
        with self._lock:
            bucket = self._keys.get(partitions_def_name, {})
            if partition_key not in bucket:
                raise PartitionError(
                    f"Cannot delete dynamic partition {partition_key!r} of "
                    f"{partitions_def_name!r}: no such key."
                    f"{did_you_mean(partition_key, bucket)}"
                )
            del bucket[partition_key]

    def __repr__(self) -> str:
        with self._lock:
            sizes = {name: len(keys) for name, keys in self._keys.items()}
        return f"InMemoryDynamicPartitionsStore({sizes})"


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Partitions whose keys are added at run time, stored under ``name``.

    Args:
        name: The name the keys are stored under; two definitions with the same
            name share their keys.

    Example:
        >>> fruits = DynamicPartitionsDefinition(name="fruits")
        >>> store = InMemoryDynamicPartitionsStore()
        >>> store.add_dynamic_partitions("fruits", ["apple", "pear"])
        >>> fruits.get_partition_keys(dynamic_partitions_store=store)
        ['apple', 'pear']
    """

    def __init__(self, name: str) -> None:
        if callable(name):
            # Dagster's older partition_fn form: keys computed by a function.
            raise PartitionDefinitionError(
                "A DynamicPartitionsDefinition must have a name: its keys live in the "
                f"instance under that name, not in a function (got {name!r}). Write "
                "DynamicPartitionsDefinition(name='fruits') and add keys with "
                "instance.add_dynamic_partitions('fruits', [...])."
            )
        if not isinstance(name, str) or not name:
            raise PartitionDefinitionError(
                f"A DynamicPartitionsDefinition must have a non-empty name; got {name!r}. "
                "Write DynamicPartitionsDefinition(name='fruits')."
            )
        self.name = name

    def _store(self, store: DynamicPartitionsStore | None) -> DynamicPartitionsStore:
        if store is None:
            raise PartitionError(
                f"The keys of {self!r} live in a dynamic partitions store, and none was "
                "given. Pass dynamic_partitions_store= (the registry's or instance's store)."
            )
        return store

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        return list(self._store(dynamic_partitions_store).get_dynamic_partitions(self.name))

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        store = self._store(dynamic_partitions_store)
        return store.has_dynamic_partition(self.name, partition_key)

    def _unknown_key_message(
        self,
        partition_key: str,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> str:
        keys = self.get_partition_keys(current_time, dynamic_partitions_store)
        known = f"Its keys: {preview_keys(keys)}." if keys else "It has no keys yet."
        return (
            f"Partition key {partition_key!r} has not been added to {self!r}. {known}"
            f"{did_you_mean(partition_key, keys)} Add it with "
            f"add_dynamic_partitions({self.name!r}, [{partition_key!r}])."
        )

    def _identity(self) -> Hashable:
        return ("dynamic", self.name)

    def to_spec(self) -> str | None:
        return f"dynamic:{self.name}"

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(name={self.name!r})"
