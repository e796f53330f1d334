"""The mapping between two multi-partitioned definitions, dimension by dimension.

Responsibilities:
- ``DimensionPartitionMapping``: which downstream dimension an upstream dimension
  corresponds to, and the mapping between the two.
- ``MultiPartitionMapping``: map each dimension with its mapping; a dimension the
  mapping does not name depends on every partition of the other side's dimensions
  left over (Dagster's rule), so the result is the product over dimensions.
- ``self_dependency_window``: the time-window mapping that lets an asset read its
  own earlier partitions, as Dagster allows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError
from nbassets.partitions.definitions import PartitionsDefinition
from nbassets.partitions.mappings import PartitionMapping
from nbassets.partitions.multi import MultiPartitionsDefinition
from nbassets.partitions.time_mapping import TimeWindowPartitionMapping
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = ["DimensionPartitionMapping", "MultiPartitionMapping", "self_dependency_window"]


@dataclass(frozen=True)
class DimensionPartitionMapping:
    """The downstream dimension an upstream dimension maps to, and how."""

    dimension_name: str
    partition_mapping: PartitionMapping


class MultiPartitionMapping(PartitionMapping):
    """Map two multi-partitioned definitions dimension by dimension.

    Args:
        downstream_mappings_by_upstream_dimension: For each upstream dimension named,
            the downstream dimension and the mapping between them. Dimensions not
            named on either side map to all partitions of each other.
    """

    def __init__(
        self, downstream_mappings_by_upstream_dimension: Mapping[str, DimensionPartitionMapping]
    ) -> None:
        self.downstream_mappings_by_upstream_dimension = dict(
            downstream_mappings_by_upstream_dimension
        )

    @property
    def description(self) -> str:
        return "\n ".join(
            f"Upstream dimension '{up}' mapped to downstream dimension '{dim.dimension_name}' "
            f"using {type(dim.partition_mapping).__name__}."
            for up, dim in self.downstream_mappings_by_upstream_dimension.items()
        )

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        for side, definition in (("upstream", upstream_def), ("downstream", downstream_def)):
            if not isinstance(definition, MultiPartitionsDefinition):
                raise PartitionError(
                    f"MultiPartitionMapping joins two MultiPartitionsDefinitions, but the {side} "
                    f"one is {definition!r}. Use MultiToSingleDimensionPartitionMapping to join "
                    "a multi-partitioned asset and a single-dimensional one."
                )
        assert isinstance(upstream_def, MultiPartitionsDefinition)
        assert isinstance(downstream_def, MultiPartitionsDefinition)
        for up, dim in self.downstream_mappings_by_upstream_dimension.items():
            if up not in upstream_def.partition_dimension_names:
                raise PartitionError(
                    f"MultiPartitionMapping names upstream dimension {up!r}, which "
                    f"{upstream_def!r} lacks; its dimensions are "
                    f"{upstream_def.partition_dimension_names}."
                )
            if dim.dimension_name not in downstream_def.partition_dimension_names:
                raise PartitionError(
                    f"MultiPartitionMapping maps {up!r} to downstream dimension "
                    f"{dim.dimension_name!r}, which {downstream_def!r} lacks; its dimensions "
                    f"are {downstream_def.partition_dimension_names}."
                )

    def _map(
        self,
        keys: list[str],
        from_def: MultiPartitionsDefinition,
        to_def: MultiPartitionsDefinition,
        upstream: bool,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> list[str]:
        """The keys of ``to_def`` that ``keys`` of ``from_def`` map to, over every dimension."""
        opts: dict[str, Any] = {"current_time": current_time, "dynamic_partitions_store": store}
        by_to: dict[str, tuple[str, PartitionMapping]] = {}
        for up, dim in self.downstream_mappings_by_upstream_dimension.items():
            if upstream:  # from downstream to upstream: keyed by the upstream dimension
                by_to[up] = (dim.dimension_name, dim.partition_mapping)
            else:
                by_to[dim.dimension_name] = (up, dim.partition_mapping)
        found: dict[str, None] = {}
        for key in keys:
            parts = from_def.get_partition_key_from_str(key).keys_by_dimension
            choices: dict[str, list[str]] = {}
            for name in to_def.partition_dimension_names:
                to_dim = to_def.get_partitions_def_for_dimension(name)
                if name not in by_to:
                    choices[name] = to_dim.get_partition_keys(current_time, store)
                    continue
                from_name, mapping = by_to[name]
                from_dim = from_def.get_partitions_def_for_dimension(from_name)
                part = [parts[from_name]]
                choices[name] = (
                    mapping.upstream_partition_keys(part, from_dim, to_dim, **opts)
                    if upstream
                    else mapping.downstream_partition_keys(part, from_dim, to_dim, **opts)
                )
            found.update(dict.fromkeys(to_def.keys_for_parts(choices)))
        return list(found)

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        assert isinstance(downstream_def, MultiPartitionsDefinition)
        assert isinstance(upstream_def, MultiPartitionsDefinition)
        return self._map(downstream_keys, downstream_def, upstream_def, True, current_time, store)

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        assert isinstance(downstream_def, MultiPartitionsDefinition)
        assert isinstance(upstream_def, MultiPartitionsDefinition)
        return self._map(upstream_keys, upstream_def, downstream_def, False, current_time, store)

    def _fields(self) -> tuple[Any, ...]:
        return tuple(sorted(self.downstream_mappings_by_upstream_dimension.items()))

    def __hash__(self) -> int:
        return hash(tuple(self.downstream_mappings_by_upstream_dimension))

    def __repr__(self) -> str:
        return f"MultiPartitionMapping({self.downstream_mappings_by_upstream_dimension!r})"


def self_dependency_window(mapping: Any, partitions_def: Any) -> TimeWindowPartitionMapping | None:
    """The time-window mapping by which an asset reads its own partitions, if it has one.

    A time-window asset with a ``TimeWindowPartitionMapping``, or a multi-partitioned
    asset with exactly one time dimension mapped to itself by one.
    """
    if isinstance(mapping, TimeWindowPartitionMapping) and isinstance(
        partitions_def, TimeWindowPartitionsDefinition
    ):
        return mapping
    if not isinstance(mapping, MultiPartitionMapping):
        return None
    if not isinstance(partitions_def, MultiPartitionsDefinition):
        return None
    times = [
        d.name
        for d in partitions_def.partitions_defs
        if isinstance(d.partitions_def, TimeWindowPartitionsDefinition)
    ]
    if len(times) != 1:
        return None
    dim = mapping.downstream_mappings_by_upstream_dimension.get(times[0])
    if dim is None or dim.dimension_name != times[0]:
        return None
    inner = dim.partition_mapping
    return inner if isinstance(inner, TimeWindowPartitionMapping) else None
