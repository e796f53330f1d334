"""Two-dimensional partitions: the cartesian product of two definitions.

Responsibilities:
- ``MultiPartitionKey``: a ``str`` whose value is the dimension keys joined by
  ``|`` in dimension-name order (``{"date": "2024-01-01", "color": "red"}`` is
  ``"red|2024-01-01"``), with ``.keys_by_dimension``.
- ``MultiPartitionsDefinition``: exactly two named dimensions (as in Dagster), each
  static, time-window or dynamic; keys are the product, the alphabetically first
  dimension varying slowest.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from nbassets.errors import PartitionDefinitionError, PartitionError
from nbassets.partitions.definitions import (
    PartitionsDefinition,
    StaticPartitionsDefinition,
    reversed_range_error,
)
from nbassets.partitions.dynamic import DynamicPartitionsDefinition
from nbassets.partitions.keys import PartitionKeyRange
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = ["MultiPartitionKey", "MultiPartitionsDefinition", "PartitionDimensionDefinition"]

DELIMITER = "|"
# Dagster forbids these in a static dimension's keys: "|" joins the dimensions, and
# the others are used when serializing subsets of multi-partitions.
_FORBIDDEN_IN_DIMENSION_KEYS = ("|", ",", "[", "]")


class MultiPartitionKey(str):
    """A partition key of a ``MultiPartitionsDefinition``.

    It is the string ``"<key of dim 1>|<key of dim 2>"`` with dimensions in name
    order, so it can be used anywhere a partition key string is expected.

    Example:
        >>> key = MultiPartitionKey({"date": "2024-01-01", "color": "red"})
        >>> key
        MultiPartitionKey({'color': 'red', 'date': '2024-01-01'})
        >>> str(key), key.keys_by_dimension["date"]
        ('red|2024-01-01', '2024-01-01')
    """

    _keys: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        if not isinstance(keys_by_dimension, Mapping) or not keys_by_dimension:
            raise PartitionError(
                "MultiPartitionKey takes a mapping of dimension name to key, e.g. "
                f"MultiPartitionKey({{'date': '2024-01-01', 'color': 'red'}}); got "
                f"{keys_by_dimension!r}."
            )
        ordered = dict(sorted(keys_by_dimension.items()))
        for name, key in ordered.items():
            if not isinstance(key, str) or DELIMITER in key:
                raise PartitionError(
                    f"The {name!r} part of a multi-partition key must be a string without "
                    f"'{DELIMITER}'; got {key!r}."
                )
        value = super().__new__(cls, DELIMITER.join(ordered.values()))
        value._keys = ordered
        return value

    @property
    def keys_by_dimension(self) -> dict[str, str]:
        """The key of each dimension, by dimension name."""
        return dict(self._keys)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self._keys,)

    def __repr__(self) -> str:
        return f"MultiPartitionKey({self._keys!r})"


class PartitionDimensionDefinition(NamedTuple):
    """One named dimension of a ``MultiPartitionsDefinition``."""

    name: str
    partitions_def: PartitionsDefinition


class MultiPartitionsDefinition(PartitionsDefinition):
    """The cartesian product of two partitions definitions.

    Args:
        partitions_defs: Exactly two dimensions, by name; each a static,
            time-window or dynamic definition.

    Example:
        >>> colors_by_day = MultiPartitionsDefinition(
        ...     {"date": DailyPartitionsDefinition("2024-01-01"),
        ...      "color": StaticPartitionsDefinition(["red", "blue"])})
        >>> # keys: "red|2024-01-01", "red|2024-01-02", ..., "blue|2024-01-01", ...
    """

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if not isinstance(partitions_defs, Mapping) or len(partitions_defs) != 2:
            count = len(partitions_defs) if isinstance(partitions_defs, Mapping) else "no"
            raise PartitionDefinitionError(
                "A MultiPartitionsDefinition takes exactly two dimensions, as in Dagster, e.g. "
                "{'date': DailyPartitionsDefinition('2024-01-01'), 'color': "
                f"StaticPartitionsDefinition(['red', 'blue'])}}; got {count} dimensions."
            )
        dims = []
        for name, definition in sorted(partitions_defs.items()):
            if not isinstance(name, str) or not name:
                raise PartitionDefinitionError(
                    f"A dimension name must be a non-empty string; got {name!r}."
                )
            allowed = (
                StaticPartitionsDefinition,
                TimeWindowPartitionsDefinition,
                DynamicPartitionsDefinition,
            )
            if not isinstance(definition, allowed):
                raise PartitionDefinitionError(
                    f"Dimension {name!r} is {definition!r}; a dimension must be a static, "
                    "time-window or dynamic partitions definition."
                )
            if isinstance(definition, StaticPartitionsDefinition):
                for key in definition.partition_keys:
                    bad = [c for c in _FORBIDDEN_IN_DIMENSION_KEYS if c in key]
                    if bad:
                        raise PartitionDefinitionError(
                            f"Key {key!r} of dimension {name!r} contains {bad[0]!r}; keys of a "
                            "multi-partitioned dimension may not contain '|', ',', '[' or ']'."
                        )
            dims.append(PartitionDimensionDefinition(name, definition))
        self._dims: tuple[PartitionDimensionDefinition, ...] = tuple(dims)

    @property
    def partitions_defs(self) -> list[PartitionDimensionDefinition]:
        """The dimensions, in name order."""
        return list(self._dims)

    @property
    def partition_dimension_names(self) -> list[str]:
        """The dimension names, in order."""
        return [dim.name for dim in self._dims]

    def get_partitions_def_for_dimension(self, dimension_name: str) -> PartitionsDefinition:
        """Return the definition of one dimension."""
        for dim in self._dims:
            if dim.name == dimension_name:
                return dim.partitions_def
        raise PartitionError(
            f"{self!r} has no dimension {dimension_name!r}; its dimensions are "
            f"{self.partition_dimension_names}."
        )

    def get_partition_key_from_str(self, partition_key_str: str) -> MultiPartitionKey:
        """Turn ``"red|2024-01-01"`` into a ``MultiPartitionKey`` of this definition.

        Raises:
            PartitionError: The string does not have one part per dimension.
        """
        parts = partition_key_str.split(DELIMITER) if isinstance(partition_key_str, str) else []
        if len(parts) != len(self._dims):
            raise PartitionError(
                f"Partition key {partition_key_str!r} of {self!r} must have one part per "
                f"dimension joined by '{DELIMITER}' in the order {self.partition_dimension_names}, "
                f"e.g. {DELIMITER.join('<' + d.name + '>' for d in self._dims)!r}."
            )
        names = self.partition_dimension_names
        return MultiPartitionKey(dict(zip(names, parts, strict=True)))

    def get_partition_keys(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        per_dim = [
            dim.partitions_def.get_partition_keys(current_time, dynamic_partitions_store)
            for dim in self._dims
        ]
        return self._combine(per_dim)

    def get_num_partitions(
        self,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> int:
        count = 1
        for dim in self._dims:
            count *= dim.partitions_def.get_num_partitions(current_time, dynamic_partitions_store)
        return count

    def has_partition_key(
        self,
        partition_key: str,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> bool:
        parts = partition_key.split(DELIMITER) if isinstance(partition_key, str) else []
        return len(parts) == len(self._dims) and all(
            dim.partitions_def.has_partition_key(part, current_time, dynamic_partitions_store)
            for dim, part in zip(self._dims, parts, strict=True)
        )

    def _unknown_key_message(
        self,
        partition_key: str,
        current_time: datetime | None,
        dynamic_partitions_store: DynamicPartitionsStore | None,
    ) -> str:
        try:
            key = self.get_partition_key_from_str(partition_key)
        except PartitionError as exc:
            return str(exc)
        for dim in self._dims:
            part = key.keys_by_dimension[dim.name]
            try:
                dim.partitions_def.validate_partition_key(
                    part, current_time, dynamic_partitions_store
                )
            except PartitionError as exc:
                return (
                    f"Partition key {partition_key!r} is not a partition of {self!r}: its "
                    f"{dim.name!r} part is invalid. {exc}"
                )
        return f"Partition key {partition_key!r} is not a partition of {self!r}."

    def get_partition_keys_in_range(
        self,
        partition_key_range: PartitionKeyRange,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the product of each dimension's range between the two keys' parts."""
        start, end = partition_key_range
        for key in (start, end):
            self.validate_partition_key(key, current_time, dynamic_partitions_store)
        first, last = self.get_partition_key_from_str(start), self.get_partition_key_from_str(end)
        per_dim = []
        for dim in self._dims:
            a, b = first.keys_by_dimension[dim.name], last.keys_by_dimension[dim.name]
            try:
                per_dim.append(
                    dim.partitions_def.get_partition_keys_in_range(
                        PartitionKeyRange(a, b), current_time, dynamic_partitions_store
                    )
                )
            except PartitionError as exc:
                raise reversed_range_error(self, start, end) from exc
        return self._combine(per_dim)

    def keys_for_parts(self, parts_by_dimension: Mapping[str, Sequence[str]]) -> list[str]:
        """Every key whose part in each dimension is one of the given ones, in order.

        The mappings build their answers with it: the product over dimensions,
        the alphabetically first varying slowest.
        """
        names = self.partition_dimension_names
        return self._combine([list(parts_by_dimension[name]) for name in names])

    def _combine(self, per_dim: list[list[str]]) -> list[str]:
        names = self.partition_dimension_names
        return [
            MultiPartitionKey(dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*per_dim)
        ]

    def _identity(self) -> Hashable:
        return ("multi", self._dims)

    def __repr__(self) -> str:
        inner = ", ".join(f"{dim.name!r}: {dim.partitions_def!r}" for dim in self._dims)
        return f"MultiPartitionsDefinition({{{inner}}})"
