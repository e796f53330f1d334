"""Status of each partition of a partitioned asset, and a summary of them.

Responsibilities:
- Per partition: materialized, missing, failed (its last attempt failed and it was
  not materialized since), or stale (its code changed, or an upstream partition it
  reads was materialized after it).
- A summary an asset view can print: "312/365 materialized, 2 failed", counted
  from the number of partitions and the partitions that were run, never by
  listing every key (an hourly definition from 1900 has a million).
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

__all__ = [
    "PartitionState",
    "PartitionSummary",
    "partition_states",
    "summarize_partitions",
    "summarize_touched",
]

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
    *,
    only_run: bool = False,
) -> dict[str, PartitionState]:
    """The state of every partition of ``key``, in partition order.

    ``upstream_stale(key, partitions)`` says whether what a partition reads of an
    upstream is itself stale, so staleness flows downstream partition by partition.
    With ``only_run``, only the partitions that were materialized or failed (every
    other is missing): it never lists the definition's keys, so a definition with
    millions of partitions costs what was run.
    """
    pdef = definition.partitions_def
    judge = _PartitionJudge(definition, key, owner, instance, upstream_stale)
    if not only_run:
        keys = pdef.get_partition_keys(dynamic_partitions_store=instance)
        return {partition: judge.state(partition) for partition in keys}
    known = instance.materialized_partitions(key) | set(instance.partition_outcomes(key))
    present = [p for p in known if pdef.has_partition_key(p, dynamic_partitions_store=instance)]
    states = {p: judge.state(p) for p in _in_partition_order(pdef, present, instance)}
    return {p: state for p, state in states.items() if state != "missing"}


def _in_partition_order(pdef: Any, partitions: list[str], instance: Instance) -> list[str]:
    index_of = getattr(pdef, "index_of_key", None)
    if index_of is not None:  # time windows: each key's window number, no listing
        return sorted(partitions, key=lambda p: index_of(p))
    wanted = set(partitions)
    return [p for p in pdef.get_partition_keys(dynamic_partitions_store=instance) if p in wanted]


def summarize_touched(total: int, touched: Mapping[str, PartitionState]) -> PartitionSummary:
    """The summary of ``total`` partitions of which only ``touched`` are not missing."""
    counts: Counter[PartitionState] = Counter(touched.values())
    if total > len(touched):
        counts["missing"] = total - len(touched)
    return PartitionSummary(total, counts)


class _PartitionJudge:
    """Judges one partition at a time of one partitioned asset."""

    def __init__(
        self,
        definition: AssetsDefinition,
        key: AssetKey,
        owner: Mapping[AssetKey, Any],
        instance: Instance,
        upstream_stale: Callable[[AssetKey, tuple[str, ...]], bool] | None,
    ) -> None:
        self.definition = definition
        self.key = key
        self.owner = owner
        self.instance = instance
        self.upstream_stale = upstream_stale
        self.failed = instance.partition_outcomes(key)
        self.current = definition.effective_code_version(key)

    def state(self, partition: str) -> PartitionState:
        key, instance, definition = self.key, self.instance, self.definition
        outcome = self.failed.get(partition)
        if outcome is not None and outcome.status == "failed":
            return "failed"
        record = instance.latest(key, partition)
        if record is None:
            return "missing"
        if record.code_version != self.current or (key, partition) in instance.changed_in_place:
            return "stale"
        for item in definition.inputs:
            upstream = self.owner.get(item.key)
            reads = upstream_partitions(
                downstream_def=definition.partitions_def,
                downstream_keys=[partition],
                upstream_def=getattr(upstream, "partitions_def", None),
                mapping=item.partition_mapping,
                store=instance,
                as_dict=False,
            )
            seen = record.input_versions.get(item.key, 0)
            if _newest(instance, item.key, reads.many, reads.single) > seen:
                return "stale"
            read = (
                reads.many
                if reads.many is not None
                else ((reads.single,) if reads.single is not None else ())
            )
            stale_upstream = self.upstream_stale
            if stale_upstream is not None and item.key != key and stale_upstream(item.key, read):
                return "stale"
        return "materialized"


def summarize_partitions(states: Mapping[str, PartitionState]) -> PartitionSummary:
    return PartitionSummary(len(states), Counter(states.values()))
