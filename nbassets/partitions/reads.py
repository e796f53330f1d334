"""Which upstream partitions one step reads through one input.

Responsibilities:
- Pick the input's mapping: the one it declares, else Dagster's default between
  the two definitions.
- Map the step's partitions (one, a range, or none for an unpartitioned asset)
  to the upstream partitions it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["UpstreamPartitions", "mapping_for", "upstream_partitions"]


def mapping_for(item_mapping: Any, upstream_def: Any, downstream_def: Any) -> Any:
    if item_mapping is not None:
        return item_mapping
    from nbassets.partitions.default_mapping import default_partition_mapping

    return default_partition_mapping(upstream_def, downstream_def)


@dataclass(frozen=True, slots=True)
class UpstreamPartitions:
    """What one input reads: one partition, or several handed over as ``{key: value}``."""

    single: str | None
    many: tuple[str, ...] | None


def upstream_partitions(
    *,
    downstream_def: Any,
    downstream_keys: Sequence[str] | None,
    upstream_def: Any,
    mapping: Any,
    store: Any,
    as_dict: bool,
) -> UpstreamPartitions:
    """The upstream partitions a step reads through one input.

    ``downstream_keys`` is ``None`` for an unpartitioned downstream, which reads
    every partition of the upstream as a dict.
    """
    if upstream_def is None:
        return UpstreamPartitions(None, None)
    if downstream_def is None or downstream_keys is None:
        # An unpartitioned downstream reads every partition by default (a dict), or
        # what its mapping names: LastPartitionMapping gives one value.
        if mapping is None:
            keys = upstream_def.get_partition_keys(dynamic_partitions_store=store)
            return UpstreamPartitions(None, tuple(keys))
        keys = mapping.upstream_partition_keys(
            [], None, upstream_def, dynamic_partitions_store=store
        )
        if len(keys) == 1 and not as_dict:
            return UpstreamPartitions(keys[0], None)
        return UpstreamPartitions(None, tuple(keys))
    keys = mapping_for(mapping, upstream_def, downstream_def).upstream_partition_keys(
        list(downstream_keys), downstream_def, upstream_def, dynamic_partitions_store=store
    )
    if len(keys) == 1 and not as_dict:
        return UpstreamPartitions(keys[0], None)
    return UpstreamPartitions(None, tuple(keys))
