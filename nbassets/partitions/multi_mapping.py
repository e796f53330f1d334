"""The mapping between a two-dimensional definition and a one-dimensional one.

Responsibilities:
- ``infer_dimension``: which dimension of the multi-partitioned side corresponds
  to the single-dimensional side, and with which inner mapping, following Dagster:
  the dimension equal to the single definition (identity), else the only
  time dimension when the single definition is also time-based (time-window mapping).
- ``MultiToSingleDimensionPartitionMapping``: a single-dimensional partition ``X``
  goes with every multi-partition whose matching dimension maps to ``X``, whichever
  side is upstream.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nbassets.errors import PartitionError
from nbassets.partitions.definitions import PartitionsDefinition
from nbassets.partitions.mappings import IdentityPartitionMapping, PartitionMapping
from nbassets.partitions.multi import MultiPartitionsDefinition
from nbassets.partitions.time_mapping import TimeWindowPartitionMapping
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

if TYPE_CHECKING:
    from nbassets.partitions.dynamic import DynamicPartitionsStore

__all__ = ["MultiToSingleDimensionPartitionMapping", "infer_dimension"]


def infer_dimension(
    upstream_def: PartitionsDefinition | None,
    downstream_def: PartitionsDefinition | None,
    partition_dimension_name: str | None = None,
) -> tuple[str, PartitionMapping]:
    """Return the matching dimension's name and the mapping between it and the single side.

    Raises:
        PartitionError: Not exactly one side is multi-partitioned, or no single
            dimension corresponds to the other side; the message says why.
    """
    multis = [d for d in (upstream_def, downstream_def) if isinstance(d, MultiPartitionsDefinition)]
    if len(multis) != 1 or upstream_def is None or downstream_def is None:
        raise PartitionError(
            "MultiToSingleDimensionPartitionMapping joins a multi-partitioned asset and a "
            f"single-dimensional one; got upstream {upstream_def!r} and downstream "
            f"{downstream_def!r}."
        )
    multi = multis[0]
    single = downstream_def if multi is upstream_def else upstream_def
    dims = multi.partitions_defs
    if partition_dimension_name is not None:
        dims = [d for d in dims if d.name == partition_dimension_name]
        if not dims:
            raise PartitionError(
                f"Dimension {partition_dimension_name!r} is not one of {multi!r}; its "
                f"dimensions are {multi.partition_dimension_names}."
            )
    equal = [d for d in dims if d.partitions_def == single]
    if len(equal) == 1:
        return equal[0].name, IdentityPartitionMapping()
    if len(equal) > 1:
        raise PartitionError(
            f"Several dimensions of {multi!r} equal {single!r}; name one with "
            "MultiToSingleDimensionPartitionMapping(partition_dimension_name=...)."
        )
    times = [d for d in dims if isinstance(d.partitions_def, TimeWindowPartitionsDefinition)]
    if len(times) == 1 and isinstance(single, TimeWindowPartitionsDefinition):
        return times[0].name, TimeWindowPartitionMapping()
    raise PartitionError(
        f"No dimension of {multi!r} corresponds to {single!r}: the single-dimensional "
        "definition must equal one dimension, or both must be time-based with exactly one "
        "time dimension."
    )


class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """Join a multi-partitioned asset and a single-dimensional one along one dimension.

    For a single-dimensional key ``X``, every multi-partition key whose matching
    dimension corresponds to ``X`` is a dependency, whichever side is upstream.

    Args:
        partition_dimension_name: The dimension that matches; inferred when ``None``.
    """

    def __init__(self, partition_dimension_name: str | None = None) -> None:
        self.partition_dimension_name = partition_dimension_name

    @property
    def description(self) -> str:
        return (
            "Assumes that the single-dimension partitions definition is a dimension of the "
            "multi-partitions definition. For a single-dimension partition key X, any "
            "multi-partition key with X in the matching dimension is a dependency."
        )

    def validate(
        self, upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
    ) -> None:
        infer_dimension(upstream_def, downstream_def, self.partition_dimension_name)

    def _upstream(
        self,
        downstream_keys: list[str],
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        name, inner = infer_dimension(upstream_def, downstream_def, self.partition_dimension_name)
        assert downstream_def is not None
        opts: dict[str, Any] = {"current_time": current_time, "dynamic_partitions_store": store}
        if isinstance(upstream_def, MultiPartitionsDefinition):
            dim_def = upstream_def.get_partitions_def_for_dimension(name)
            wanted = set(
                inner.upstream_partition_keys(downstream_keys, downstream_def, dim_def, **opts)
            )
            return _multi_keys_with(upstream_def, name, wanted, current_time, store)
        assert isinstance(downstream_def, MultiPartitionsDefinition)
        dim_def = downstream_def.get_partitions_def_for_dimension(name)
        parts = [_part(downstream_def, k, name) for k in downstream_keys]
        return inner.upstream_partition_keys(parts, dim_def, upstream_def, **opts)

    def _downstream(
        self,
        upstream_keys: list[str],
        upstream_def: PartitionsDefinition,
        downstream_def: PartitionsDefinition,
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ) -> Iterable[str]:
        name, inner = infer_dimension(upstream_def, downstream_def, self.partition_dimension_name)
        opts: dict[str, Any] = {"current_time": current_time, "dynamic_partitions_store": store}
        if isinstance(upstream_def, MultiPartitionsDefinition):
            dim_def = upstream_def.get_partitions_def_for_dimension(name)
            parts = [_part(upstream_def, k, name) for k in upstream_keys]
            return inner.downstream_partition_keys(parts, dim_def, downstream_def, **opts)
        assert isinstance(downstream_def, MultiPartitionsDefinition)
        dim_def = downstream_def.get_partitions_def_for_dimension(name)
        wanted = set(inner.downstream_partition_keys(upstream_keys, upstream_def, dim_def, **opts))
        return _multi_keys_with(downstream_def, name, wanted, current_time, store)

    def _fields(self) -> tuple[Any, ...]:
        return (self.partition_dimension_name,)

    def __repr__(self) -> str:
        if self.partition_dimension_name is None:
            return "MultiToSingleDimensionPartitionMapping()"
        return (
            "MultiToSingleDimensionPartitionMapping("
            f"partition_dimension_name={self.partition_dimension_name!r})"
        )


def _part(definition: MultiPartitionsDefinition, key: str, name: str) -> str:
    return definition.get_partition_key_from_str(key).keys_by_dimension[name]


def _multi_keys_with(
    definition: MultiPartitionsDefinition,
    name: str,
    wanted: set[str],
    current_time: datetime | None,
    store: DynamicPartitionsStore | None,
) -> list[str]:
    """Every key of ``definition`` whose ``name`` part is in ``wanted``, in order."""
    if not wanted:
        return []
    other = next(d for d in definition.partitions_defs if d.name != name)
    dim_def = definition.get_partitions_def_for_dimension(name)
    return definition.keys_for_parts(
        {
            name: [k for k in dim_def.get_partition_keys(current_time, store) if k in wanted],
            other.name: other.partitions_def.get_partition_keys(current_time, store),
        }
    )
