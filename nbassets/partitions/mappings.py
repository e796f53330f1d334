"""Partition mappings: which upstream partitions a downstream partition reads.

Responsibilities:
- ``PartitionMapping``, the one interface every mapping implements.
- ``IdentityPartitionMapping``, ``AllPartitionMapping``, ``LastPartitionMapping`` and
  ``StaticPartitionMapping``. ``TimeWindowPartitionMapping`` lives in
  ``time_mapping.py``, ``MultiToSingleDimensionPartitionMapping`` in
  ``multi_mapping.py``, and ``default_partition_mapping`` (Dagster's inference) in
  ``default_mapping.py``.

The interface::

    mapping.upstream_partition_keys(downstream_keys, downstream_def, upstream_def)
        -> the upstream keys those downstream partitions read
    mapping.downstream_partition_keys(upstream_keys, upstream_def, downstream_def)
        -> the downstream keys that read any of those upstream partitions
    mapping.validate(upstream_def, downstream_def)
        -> None, or PartitionError if the mapping cannot join these definitions

Both lookups take keyword-only ``current_time`` and ``dynamic_partitions_store``,
passed on to the definitions. Results are free of repeats and in the target
definition's partition order. ``downstream_def=None`` means the downstream asset is
unpartitioned: ``downstream_keys`` is then ignored, and the upstream keys are what
its single value reads (the engine hands it ``{partition_key: value}``);
``downstream_partition_keys`` then returns ``[]``. An unpartitioned upstream needs
no mapping: every downstream partition reads its one value.

Errors are ``PartitionError``: an input key that is not a partition of its
definition, or (for mappings that promise it) an upstream partition that does not
exist, named with both definitions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError, did_you_mean
from nbassets.partitions.definitions import (
    PartitionsDefinition,
    StaticPartitionsDefinition,
    preview_keys,
)
from nbassets.partitions.subset import PartitionsSubset, UpstreamPartitionsResult
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = [
    "AllPartitionMapping",
    "IdentityPartitionMapping",
    "LastPartitionMapping",
    "PartitionMapping",
    "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping",
    "in_partition_order",
]


def in_partition_order(
    definition: PartitionsDefinition,
    keys: Iterable[str],
    current_time: datetime | None = None,
    dynamic_partitions_store: DynamicPartitionsStore | None = None,
) -> list[str]:
    """Return ``keys`` without repeats, in ``definition``'s order (unknown keys last)."""
    unique = list(dict.fromkeys(keys))
    if len(unique) < 2:
        return unique
    if isinstance(definition, TimeWindowPartitionsDefinition):
        # Parsing a few keys beats listing every partition of a long time range.
        index = {k: definition.index_of_key(k) for k in unique}
        return sorted(unique, key=lambda k: (index[k] is None, index[k] or 0))
    order = {
        k: i
        for i, k in enumerate(definition.get_partition_keys(current_time, dynamic_partitions_store))
    }
    return sorted(unique, key=lambda k: order.get(k, len(order)))


class PartitionMapping(ABC):
    """How the partitions of a downstream asset depend on those of an upstream asset."""

    def upstream_partition_keys(
        self,
        downstream_keys: Sequence[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        *,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the upstream keys that the given downstream partitions read.

        Raises:
            PartitionError: A downstream key is not a partition of ``downstream_def``,
                the mapping cannot join the two definitions, or it maps to upstream
                partitions that do not exist.
        """
        self.validate(upstream_def, downstream_def)
        keys = [] if downstream_def is None else list(dict.fromkeys(downstream_keys))
        if downstream_def is not None:
            for key in keys:
                downstream_def.validate_partition_key(key, current_time, dynamic_partitions_store)
        result = self._upstream(
            keys, downstream_def, upstream_def, current_time, dynamic_partitions_store
        )
        return in_partition_order(upstream_def, result, current_time, dynamic_partitions_store)

    def downstream_partition_keys(
        self,
        upstream_keys: Sequence[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition | None,
        *,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        """Return the downstream keys that read any of the given upstream partitions.

        Downstream partitions that do not exist (yet) are left out.

        Raises:
            PartitionError: An upstream key is not a partition of ``upstream_def``, or
                the mapping cannot join the two definitions.
        """
        self.validate(upstream_def, downstream_def)
        keys = list(dict.fromkeys(upstream_keys))
        for key in keys:
            # A partition that exists now maps downstream even when ``current_time`` is
            # earlier; only which downstream partitions exist depends on ``current_time``.
            if current_time is None or not upstream_def.has_partition_key(
                key, current_time, dynamic_partitions_store
            ):
                upstream_def.validate_partition_key(key, None, dynamic_partitions_store)
        if downstream_def is None:
            return []
        result = self._downstream(
            keys, upstream_def, downstream_def, current_time, dynamic_partitions_store
        )
        return in_partition_order(downstream_def, result, current_time, dynamic_partitions_store)

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        """Raise ``PartitionError`` if this mapping cannot join the two definitions."""
        return None

    def validate_partition_mapping(
        self,
        upstream_partitions_def: PartitionsDefinition,
        downstream_partitions_def: PartitionsDefinition | None,
    ) -> None:
        """Dagster's name for ``validate``."""
        self.validate(upstream_partitions_def, downstream_partitions_def)

    @property
    @abstractmethod
    def description(self) -> str:
        """What the mapping does, in a sentence (Dagster's UI shows it)."""

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset: PartitionsSubset | None,
        downstream_partitions_def: PartitionsDefinition | None,
        upstream_partitions_def: PartitionsDefinition,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> UpstreamPartitionsResult:
        """Dagster's subset form of ``upstream_partition_keys``.

        Upstream partitions the mapping needs but that do not exist are returned in
        ``required_but_nonexistent_subset`` instead of raising.
        """
        keys = (
            downstream_partitions_subset.get_partition_keys()
            if downstream_partitions_subset
            else []
        )
        existing, missing = self._upstream_split(
            keys,
            downstream_partitions_def,
            upstream_partitions_def,
            current_time,
            dynamic_partitions_store,
        )
        return UpstreamPartitionsResult(
            PartitionsSubset(upstream_partitions_def, existing),
            PartitionsSubset(upstream_partitions_def, missing),
        )

    def _upstream_split(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> tuple[list[str], list[str]]:
        """The upstream keys that exist and those required that do not."""
        existing = self.upstream_partition_keys(
            downstream_keys,
            downstream_def,
            upstream_def,
            current_time=current_time,
            dynamic_partitions_store=store,
        )
        return existing, []

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset: PartitionsSubset,
        upstream_partitions_def: PartitionsDefinition,
        downstream_partitions_def: PartitionsDefinition,
        current_time: datetime | None = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> PartitionsSubset:
        """Dagster's subset form of ``downstream_partition_keys``."""
        keys = self.downstream_partition_keys(
            upstream_partitions_subset.get_partition_keys(),
            upstream_partitions_def,
            downstream_partitions_def,
            current_time=current_time,
            dynamic_partitions_store=dynamic_partitions_store,
        )
        return PartitionsSubset(downstream_partitions_def, keys)

    @abstractmethod
    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]: ...

    @abstractmethod
    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]: ...

    def _fields(self) -> tuple[Any, ...]:
        return ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartitionMapping) and (
            type(self) is type(other) and self._fields() == other._fields()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _needs_partitioned_downstream(
    mapping: PartitionMapping, downstream_def: PartitionsDefinition | None
) -> None:
    if downstream_def is None:
        raise PartitionError(
            f"{mapping!r} maps partitions to partitions, but the downstream asset is not "
            "partitioned. Use AllPartitionMapping() (the default) or LastPartitionMapping()."
        )


class IdentityPartitionMapping(PartitionMapping):
    """Downstream partition ``k`` reads upstream partition ``k``."""

    @property
    def description(self) -> str:
        return (
            "Assumes upstream and downstream assets share the same partitions definition. "
            "Maps each partition in the downstream asset to the same partition in the "
            "upstream asset."
        )

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        _needs_partitioned_downstream(self, downstream_def)

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        missing = [
            k for k in downstream_keys if not upstream_def.has_partition_key(k, current_time, store)
        ]
        if missing:
            raise PartitionError(
                f"IdentityPartitionMapping maps downstream partition(s) {preview_keys(missing)} "
                f"of {downstream_def!r} to the same key(s) of upstream {upstream_def!r}, which "
                "has no such partition. Give the dependency an explicit partition mapping "
                "(e.g. StaticPartitionMapping or AllPartitionMapping)."
            )
        return downstream_keys

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        return [
            k for k in upstream_keys if downstream_def.has_partition_key(k, current_time, store)
        ]


class AllPartitionMapping(PartitionMapping):
    """Every downstream partition (or the unpartitioned value) reads every upstream partition."""

    @property
    def description(self) -> str:
        return "Each downstream partition depends on all partitions of the upstream asset."

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        if downstream_def is not None and not downstream_keys:
            return []
        return upstream_def.get_partition_keys(current_time, store)

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        return downstream_def.get_partition_keys(current_time, store) if upstream_keys else []


class LastPartitionMapping(PartitionMapping):
    """Every downstream partition (or the unpartitioned value) reads the last upstream partition."""

    @property
    def description(self) -> str:
        return "Each downstream partition depends on the last partition of the upstream asset."

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        if downstream_def is not None and not downstream_keys:
            return []
        last = upstream_def.get_last_partition_key(current_time, store)
        return [] if last is None else [last]

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        last = upstream_def.get_last_partition_key(current_time, store)
        if last is None or last not in upstream_keys:
            return []
        return downstream_def.get_partition_keys(current_time, store)


class StaticPartitionMapping(PartitionMapping):
    """An explicit table from upstream keys to the downstream key(s) that read them.

    Args:
        downstream_partition_keys_by_upstream_partition_key: For each upstream key,
            one downstream key or a set of them.

    Example:
        >>> StaticPartitionMapping({"us-east": "us", "us-west": "us", "eu": {"eu", "global"}})
    """

    def __init__(
        self,
        downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Iterable[str]],
    ) -> None:
        table: dict[str, frozenset[str]] = {}
        for up, down in downstream_partition_keys_by_upstream_partition_key.items():
            downs = frozenset([down] if isinstance(down, str) else down)
            if not isinstance(up, str) or not all(isinstance(d, str) for d in downs):
                raise PartitionError(
                    f"StaticPartitionMapping maps string keys to a string or a set of strings; "
                    f"got {up!r}: {down!r}."
                )
            table[up] = downs
        self._table = table
        inverse: dict[str, list[str]] = {}
        for up, downs in table.items():
            for down in downs:
                inverse.setdefault(down, []).append(up)
        self._inverse = inverse

    @property
    def downstream_partition_keys_by_upstream_partition_key(self) -> dict[str, frozenset[str]]:
        return dict(self._table)

    @property
    def description(self) -> str:
        return (
            "Maps upstream partitions to their downstream dependencies according to the "
            f"following mapping: \n{self.downstream_partition_keys_by_upstream_partition_key}"
        )

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        _needs_partitioned_downstream(self, downstream_def)
        sides = (
            ("upstream", upstream_def, self._table),
            ("downstream", downstream_def, self._inverse),
        )
        for side, definition, keys in sides:
            if not isinstance(definition, StaticPartitionsDefinition):
                # Dagster refuses it too; silently mapping to nothing would lose data.
                raise PartitionError(
                    f"{self!r} maps static partitions, but the {side} asset is partitioned by "
                    f"{definition!r}. Use StaticPartitionsDefinition on both sides, or a "
                    "mapping for that kind (TimeWindowPartitionMapping for time windows)."
                )
            known = definition.partition_keys
            for key in keys:
                if not definition.has_partition_key(key):
                    raise PartitionError(
                        f"{self!r} names {side} partition {key!r}, which {side} {definition!r} "
                        f"does not have.{did_you_mean(key, known)}"
                    )

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        return [up for down in downstream_keys for up in self._inverse.get(down, ())]

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        return [down for up in upstream_keys for down in self._table.get(up, ())]

    def _fields(self) -> tuple[Any, ...]:
        return (frozenset(self._table.items()),)

    def __repr__(self) -> str:
        shown = {
            up: (next(iter(d)) if len(d) == 1 else set(sorted(d))) for up, d in self._table.items()
        }
        return f"StaticPartitionMapping({shown!r})"


class SpecificPartitionsPartitionMapping(PartitionMapping):
    """Every downstream partition (or the unpartitioned value) reads the named upstream ones.

    Args:
        partition_keys: The upstream partitions read.

    Example:
        >>> SpecificPartitionsPartitionMapping(["us", "eu"])
    """

    def __init__(self, partition_keys: Sequence[str]) -> None:
        if isinstance(partition_keys, str) or not all(isinstance(k, str) for k in partition_keys):
            raise PartitionError(
                "SpecificPartitionsPartitionMapping takes a list of upstream partition keys; "
                f"got {partition_keys!r}. Write SpecificPartitionsPartitionMapping(['a'])."
            )
        self.partition_keys = list(partition_keys)

    @property
    def description(self) -> str:
        return (
            "Each downstream partition depends on the following upstream partitions: "
            f"{self.partition_keys}"
        )

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        if downstream_def is not None and not downstream_keys:
            return []
        as_key = getattr(upstream_def, "get_partition_key_from_str", None)
        return [as_key(k) if as_key else k for k in self.partition_keys]

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        if not set(self.partition_keys).intersection(upstream_keys):
            return []
        return downstream_def.get_partition_keys(current_time, store)

    def _fields(self) -> tuple[Any, ...]:
        return (tuple(self.partition_keys),)

    def __repr__(self) -> str:
        return f"SpecificPartitionsPartitionMapping({self.partition_keys!r})"
