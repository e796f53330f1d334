"""Status and staleness of assets, judged from definitions and recorded runs.

Responsibilities:
- An asset's status: missing, materialized, stale, failed, skipped, or partial
  (some partitions materialized).
- Why it is stale, in words: its code changed, an upstream was materialized
  after it to different data (an equal data version keeps it fresh), or an
  upstream is itself stale (so staleness flows downstream).
- ``accept``: record that a stale asset is fresh without re-running it.

Answers are cached until the registry says something changed; judging every
asset of the graph visits each node and edge once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import InvalidInvocationError
from nbassets.graph.asset_graph import AssetGraph, AssetStatus
from nbassets.graph.partition_status import (
    PartitionState,
    PartitionSummary,
    partition_states,
    summarize_touched,
)
from nbassets.storage.instance import Instance

__all__ = ["StalenessJudge"]


class StalenessJudge:
    """Judges status and staleness for one version of the registry's graph."""

    def __init__(
        self, graph: AssetGraph, owner: Mapping[AssetKey, Any], instance: Instance
    ) -> None:
        self._graph = graph
        self._owner = owner
        self._instance = instance
        self._reasons: dict[AssetKey, list[str]] = {}
        self._partitions: dict[AssetKey, dict[str, PartitionState]] = {}
        self._touched: dict[AssetKey, dict[str, PartitionState]] = {}
        self._dynamic_version = instance.dynamic_version

    def invalidate(self) -> None:
        self._reasons.clear()
        self._partitions.clear()
        self._touched.clear()

    def status(self, key: AssetKey) -> AssetStatus:
        entry = self._owner.get(key)
        if getattr(entry, "partitions_def", None) is not None:
            return self.partition_summary(key).status  # type: ignore[return-value]
        outcome = self._instance.outcome(key)
        if outcome is not None:
            return outcome.status
        latest = self._instance.get_latest_materialization_event(key)
        if latest is None:
            if entry is None or isinstance(entry, AssetSpec):
                has = self._instance.io_manager.has_value(key)
                return "materialized" if has else "missing"
            return "missing"
        if entry is None:
            # Ran from an explicit asset list, never registered: no definition to
            # judge staleness against, as for a failure of such a key.
            return "materialized"
        return "stale" if self.reasons(key) else "materialized"

    def _check_dynamic_version(self) -> None:
        # Dynamic partitions change without a definition changing: their version counts.
        version = self._instance.dynamic_version
        if version != self._dynamic_version:
            self._partitions.clear()
            self._touched.clear()
            self._dynamic_version = version

    def partition_states(self, key: AssetKey) -> dict[str, PartitionState]:
        """Every partition's state (lists every key: for pickers and small definitions)."""
        return self._states(key, self._partitions, only_run=False)

    def touched_partition_states(self, key: AssetKey) -> dict[str, PartitionState]:
        """States of the partitions that are not missing, in partition order."""
        return self._states(key, self._touched, only_run=True)

    def _states(
        self, key: AssetKey, cache: dict[AssetKey, dict[str, PartitionState]], only_run: bool
    ) -> dict[str, PartitionState]:
        self._check_dynamic_version()
        cached = cache.get(key)
        if cached is None:
            cached = cache[key] = partition_states(
                self._owner[key],
                key,
                self._owner,
                self._instance,
                self._upstream_stale,
                only_run=only_run,
            )
        return cached

    def _upstream_stale(self, key: AssetKey, partitions: tuple[str, ...]) -> bool:
        """Whether what a partition reads of ``key`` is itself stale."""
        entry = self._owner.get(key)
        if entry is None or isinstance(entry, AssetSpec):
            return False
        if getattr(entry, "partitions_def", None) is None:
            return bool(self.reasons(key))
        states = self.touched_partition_states(key)
        return any(states.get(p) == "stale" for p in partitions)

    def partition_summary(self, key: AssetKey) -> PartitionSummary:
        """Counts per state, from the number of partitions and those that were run."""
        pdef = self._owner[key].partitions_def
        total = pdef.get_num_partitions(dynamic_partitions_store=self._instance)
        return summarize_touched(total, self.touched_partition_states(key))

    def reasons(self, key: AssetKey) -> list[str]:
        """Why ``key`` is stale; empty when it is fresh or was never materialized."""
        cached = self._reasons.get(key)
        if cached is not None:
            return cached
        # Parents before children, descending only into ancestors not judged yet: judging
        # every asset in turn visits each node and edge once, not once per descendant.
        judged = self._reasons
        stack: list[tuple[AssetKey, bool]] = [(key, False)]
        while stack:
            node, parents_done = stack.pop()
            if node in judged:
                continue
            if parents_done:
                judged[node] = self._judge(node)
                continue
            stack.append((node, True))
            stack.extend((p, False) for p in self._graph.parents(node) if p not in judged)
        return judged[key]

    def _judge(self, key: AssetKey) -> list[str]:
        entry = self._owner.get(key)
        if entry is None or isinstance(entry, AssetSpec):
            return []
        latest = self._instance.get_latest_materialization_event(key)
        if latest is None:
            return []
        found: list[str] = []
        changed = self._instance.changed_in_place.get((key, None))
        if changed is not None:
            found.append(changed)
        current = entry.effective_code_version(key)
        if latest.code_version != current:
            found.append(
                f"its code changed since it was materialized "
                f"(code version {latest.code_version} -> {current})"
            )
        for parent in self._graph.parents(key):
            newest = self._instance.latest_storage_id(parent)
            consumed = latest.input_versions.get(parent, 0)
            if newest > consumed and not self._instance.same_data(parent, consumed):
                found.append(f"upstream '{parent.to_user_string()}' was materialized after it")
            elif self._reasons.get(parent):
                found.append(f"upstream '{parent.to_user_string()}' is stale")
        return found

    def accept(self, key: AssetKey) -> None:
        """Adopt the current code and inputs as what ``key`` was computed from.

        The record is updated in place, not replaced, so downstream assets do not
        see a new materialization and stay as fresh as they were.
        """
        latest = self._instance.get_latest_materialization_event(key)
        entry = self._owner.get(key)
        if latest is None or entry is None or isinstance(entry, AssetSpec):
            raise InvalidInvocationError(
                f"Cannot accept '{key.to_user_string()}': it has never been materialized, so "
                "there is nothing to keep.",
                advice=f"Materialize it (selection='{key.to_user_string()}').",
                asset=key,
            )
        current = {
            parent: self._instance.latest_storage_id(parent) for parent in self._graph.parents(key)
        }
        partitions_def = getattr(entry, "partitions_def", None)
        records = (
            [self._instance.latest(key, p) for p in self._instance.materialized_partitions(key)]
            if partitions_def is not None
            else [latest]
        )
        for record in records:
            if record is not None:
                record.code_version = entry.effective_code_version(key)
                record.input_versions = current
                record.accepted = True
                self._instance.changed_in_place.pop((key, record.partition), None)
                self._instance.record_changed(record)
        self.invalidate()
