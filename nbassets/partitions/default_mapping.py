"""The partition mapping a dependency gets when none is given, following Dagster.

Responsibilities:
- ``default_partition_mapping(upstream_def, downstream_def)``:
  either side unpartitioned -> ``AllPartitionMapping`` (an unpartitioned downstream
  reads every upstream partition, as a ``{partition: value}`` dict);
  one side multi-partitioned with a matching dimension ->
  ``MultiToSingleDimensionPartitionMapping``; two time-window definitions ->
  ``TimeWindowPartitionMapping``; equal definitions -> ``IdentityPartitionMapping``.
- Doing better than Dagster where it guesses: Dagster falls back to identity for
  any other pair and fails later, one partition at a time. Here, two static
  definitions get identity only when every downstream key exists upstream; any
  other pair raises ``PartitionError`` at once, naming both definitions and
  suggesting an explicit mapping.
"""

from __future__ import annotations

from nbassets.errors import PartitionError
from nbassets.partitions.definitions import PartitionsDefinition, StaticPartitionsDefinition
from nbassets.partitions.mappings import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    PartitionMapping,
)
from nbassets.partitions.multi import MultiPartitionsDefinition
from nbassets.partitions.multi_mapping import (
    MultiToSingleDimensionPartitionMapping,
    infer_dimension,
)
from nbassets.partitions.time_mapping import TimeWindowPartitionMapping
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

__all__ = ["default_partition_mapping"]


def default_partition_mapping(
    upstream_def: PartitionsDefinition | None, downstream_def: PartitionsDefinition | None
) -> PartitionMapping:
    """Return the mapping Dagster infers between two partitions definitions.

    Args:
        upstream_def: The upstream asset's partitions, or ``None`` if unpartitioned.
        downstream_def: The downstream asset's partitions, or ``None`` if unpartitioned.

    Raises:
        PartitionError: No mapping can be inferred; the message names both
            definitions and suggests an explicit one.
    """
    if upstream_def is None or downstream_def is None:
        return AllPartitionMapping()
    reason = ""
    multi_sides = sum(
        isinstance(d, MultiPartitionsDefinition) for d in (upstream_def, downstream_def)
    )
    if multi_sides == 1:
        try:
            infer_dimension(upstream_def, downstream_def)
        except PartitionError as exc:
            reason = f" {exc}"
        else:
            return MultiToSingleDimensionPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
        downstream_def, TimeWindowPartitionsDefinition
    ):
        mapping = TimeWindowPartitionMapping()
        mapping.validate(upstream_def, downstream_def)
        return mapping
    if upstream_def == downstream_def:
        return IdentityPartitionMapping()
    if isinstance(upstream_def, StaticPartitionsDefinition) and isinstance(
        downstream_def, StaticPartitionsDefinition
    ):
        missing = [
            k for k in downstream_def.partition_keys if not upstream_def.has_partition_key(k)
        ]
        if not missing:
            return IdentityPartitionMapping()
        reason = (
            f" Downstream keys {', '.join(repr(k) for k in missing[:5])} have no upstream "
            "partition of the same name."
        )
    raise PartitionError(
        f"Cannot infer a partition mapping from upstream {upstream_def!r} to downstream "
        f"{downstream_def!r}.{reason} Give the dependency an explicit partition_mapping, e.g. "
        "AllPartitionMapping(), LastPartitionMapping() or StaticPartitionMapping({...})."
    )
