"""Status of each partition of a partitioned asset, and a summary of them.

Responsibilities:
- Per partition: materialized, missing, failed (its last attempt failed and it was
  not materialized since), or stale (its code changed, or an upstream partition it
  reads was materialized after it).
- A summary an asset view can print: "312/365 materialized, 2 failed".
- The asset's single status from its partitions: failed, missing, stale, partial
  or materialized.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.partitions.reads import upstream_partitions
from nbassets.storage.instance import Instance

__all__ = ["PartitionState", "PartitionSummary", "partition_states", "summarize_partitions"]

PartitionState = Literal["materialized", "missing", "failed", "stale"]


@dataclass(frozen=True)
class PartitionSummary:
    total: int
    counts: Mapping[PartitionState, int]

    @property
    def status(self) -> str:
        """The asset's status judged from its partitions."""
        if self.counts.get("failed"):
            return "failed"
        if not self.counts.get("materialized") and not self.counts.get("stale"):
            return "missing"
        if self.counts.get("stale"):
            return "stale"
        if self.counts.get("missing"):
            return "partial"
        return "materialized"

    def __str__(self) -> str:
        done = self.counts.get("materialized", 0) + self.counts.get("stale", 0)
        parts = [f"{done}/{self.total} materialized"]
        parts += [f"{self.counts[s]} {s}" for s in ("failed", "stale") if self.counts.get(s)]
        return ", ".join(parts)


def _newest(
    instance: Instance, key: AssetKey, partitions: tuple[str, ...] | None, single: str | None
) -> int:
    if partitions is None and single is None:
        return instance.latest_storage_id(key)
    newest = 0
    for partition in partitions if partitions is not None else (single,):
        record = instance.latest(key, partition)
        if record is not None and record.storage_id > newest:
            newest = record.storage_id
    return newest


def partition_states(
    definition: AssetsDefinition,
    key: AssetKey,
    owner: Mapping[AssetKey, Any],
    instance: Instance,
    upstream_stale: Callable[[AssetKey, tuple[str, ...]], bool] | None = None,
) -> dict[str, PartitionState]:
    """The state of every partition of ``key``, in partition order.

    ``upstream_stale(key, partitions)`` says whether what a partition reads of an
    upstream is itself stale, so staleness flows downstream partition by partition.
    """
    pdef = definition.partitions_def
    keys = pdef.get_partition_keys(dynamic_partitions_store=instance)
    failed = instance.partition_outcomes(key)
    current = definition.effective_code_version(key)
    changed = instance.changed_in_place
    states: dict[str, PartitionState] = {}
    for partition in keys:
        outcome = failed.get(partition)
        if outcome is not None and outcome.status == "failed":
            states[partition] = "failed"
            continue
        record = instance.latest(key, partition)
        if record is None:
            states[partition] = "missing"
            continue
        stale = record.code_version != current or (key, partition) in changed
        for item in definition.inputs if not stale else ():
            upstream = owner.get(item.key)
            reads = upstream_partitions(
                downstream_def=pdef,
                downstream_keys=[partition],
                upstream_def=getattr(upstream, "partitions_def", None),
                mapping=item.partition_mapping,
                store=instance,
                as_dict=False,
            )
            seen = record.input_versions.get(item.key, 0)
            if _newest(instance, item.key, reads.many, reads.single) > seen:
                stale = True
                break
            read = (
                reads.many
                if reads.many is not None
                else ((reads.single,) if reads.single is not None else ())
            )
            if upstream_stale is not None and item.key != key and upstream_stale(item.key, read):
                stale = True
                break
        states[partition] = "stale" if stale else "materialized"
    return states


def summarize_partitions(states: Mapping[str, PartitionState]) -> PartitionSummary:
    return PartitionSummary(len(states), Counter(states.values()))
