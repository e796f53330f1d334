"""The instance: what the kernel remembers about runs and materializations.

Responsibilities:
- Hold the default in-memory IO manager, so values outlive a run.
- Record each materialization with what it was computed from (code version
  and the storage ids of its inputs), which is what staleness is judged on.
- Remember the last failed or skipped outcome of each asset, and each run.
- Keep dynamic partition keys.
- Keep memory bounded in long sessions: the last ``history_limit`` records per
  asset and the last ``run_limit`` runs (the latest record of each partition,
  which statuses are judged on, is always kept).
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue
from nbassets.storage.io_manager import InMemoryIOManager

__all__ = ["Instance", "MaterializationRecord", "OutcomeRecord", "RunRecord"]


@dataclass(slots=True)
class MaterializationRecord:
    """One materialization of one asset (partition)."""

    storage_id: int
    run_id: str
    asset_key: AssetKey
    partition: str | None
    timestamp: float
    duration: float
    code_version: str | None
    input_versions: Mapping[AssetKey, int]
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    data_version: str | None = None
    accepted: bool = False


@dataclass(slots=True)
class OutcomeRecord:
    """The last time an asset failed or was skipped, until it next succeeds."""

    status: Literal["failed", "skipped"]
    run_id: str
    message: str
    timestamp: float


@dataclass(slots=True)
class RunRecord:
    run_id: str
    status: str
    start_time: float
    end_time: float | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    step_keys: tuple[str, ...] = ()


HISTORY_LIMIT = 1000
RUN_LIMIT = 1000


class _BoundedList(list):  # type: ignore[type-arg]
    """A list that forgets its oldest items past ``limit`` (still a plain list to readers)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def append(self, item: Any) -> None:
        super().append(item)
        if len(self) > self.limit:
            del self[: len(self) - self.limit]


class Instance:
    """The kernel's memory of materializations; one per registry.

    Args:
        history_limit: Materialization records kept per asset (older ones are
            dropped; the latest per partition stays for statuses).
        run_limit: Run records kept.
    """

    def __init__(self, history_limit: int = HISTORY_LIMIT, run_limit: int = RUN_LIMIT) -> None:
        self.history_limit = history_limit
        self.io_manager = InMemoryIOManager()
        self._ids = itertools.count(1)
        self._latest: dict[tuple[AssetKey, str | None], MaterializationRecord] = {}
        self._history: dict[AssetKey, deque[MaterializationRecord]] = {}
        self.latest_ids: dict[AssetKey, int] = {}
        self._outcomes: dict[AssetKey, OutcomeRecord] = {}
        self._partition_outcomes: dict[tuple[AssetKey, str], OutcomeRecord] = {}
        self._dynamic: dict[str, list[str]] = {}
        # Bumped when dynamic partitions are added or deleted: cached statuses use it.
        self.dynamic_version = 0
        self.runs: list[RunRecord] = _BoundedList(run_limit)

    # Materializations ------------------------------------------------------------

    def record_materialization(
        self,
        run_id: str,
        asset_key: AssetKey,
        partition: str | None,
        duration: float,
        code_version: str | None,
        input_versions: Mapping[AssetKey, int],
        metadata: Mapping[str, MetadataValue],
        data_version: str | None = None,
        accepted: bool = False,
    ) -> MaterializationRecord:
        record = MaterializationRecord(
            next(self._ids),
            run_id,
            asset_key,
            partition,
            time.time(),
            duration,
            code_version,
            input_versions,
            metadata,
            data_version,
            accepted,
        )
        self._latest[(asset_key, partition)] = record
        history = self._history.get(asset_key)
        if history is None:
            history = self._history[asset_key] = deque(maxlen=self.history_limit)
        history.append(record)
        self.latest_ids[asset_key] = record.storage_id
        if self._outcomes:
            self._outcomes.pop(asset_key, None)
        if self._partition_outcomes and partition is not None:
            self._partition_outcomes.pop((asset_key, partition), None)
        return record

    def latest(
        self, asset_key: AssetKey, partition: str | None = None
    ) -> MaterializationRecord | None:
        return self._latest.get((asset_key, partition))

    def latest_storage_id(self, asset_key: AssetKey) -> int:
        """The newest storage id over all partitions of ``asset_key``; 0 if none."""
        return self.latest_ids.get(asset_key, 0)

    def get_latest_materialization_event(self, asset_key: AssetKey) -> MaterializationRecord | None:
        history = self._history.get(asset_key)
        return history[-1] if history else None

    def history(self, asset_key: AssetKey) -> list[MaterializationRecord]:
        return list(self._history.get(asset_key, ()))

    def materialized_partitions(self, asset_key: AssetKey) -> set[str]:
        return {p for (k, p) in self._latest if k == asset_key and p is not None}

    # Outcomes ----------------------------------------------------------------------

    def record_outcome(
        self,
        asset_key: AssetKey,
        status: Literal["failed", "skipped"],
        run_id: str,
        message: str,
        partition: str | None = None,
    ) -> None:
        record = OutcomeRecord(status, run_id, message, time.time())
        if partition is None:
            self._outcomes[asset_key] = record
        else:
            self._partition_outcomes[(asset_key, partition)] = record

    def outcome(self, asset_key: AssetKey, partition: str | None = None) -> OutcomeRecord | None:
        if partition is None:
            return self._outcomes.get(asset_key)
        return self._partition_outcomes.get((asset_key, partition))

    def partition_outcomes(self, asset_key: AssetKey) -> dict[str, OutcomeRecord]:
        """Failed or skipped partitions of ``asset_key`` not materialized since."""
        return {p: r for (k, p), r in self._partition_outcomes.items() if k == asset_key}

    # Housekeeping ------------------------------------------------------------------

    def wipe(self, asset_keys: Iterable[AssetKey]) -> None:
        """Forget the values, history and outcomes of ``asset_keys``."""
        for key in asset_keys:
            self.io_manager.delete(key)
            self._history.pop(key, None)
            self.latest_ids.pop(key, None)
            self._outcomes.pop(key, None)
            for stored in [k for k in self._latest if k[0] == key]:
                del self._latest[stored]
            for stored in [k for k in self._partition_outcomes if k[0] == key]:
                del self._partition_outcomes[stored]

    # Dynamic partitions (Dagster's instance methods) -------------------------------

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Iterable[str]
    ) -> None:
        keys = self._dynamic.setdefault(partitions_def_name, [])
        for key in partition_keys:
            if key not in keys:
                keys.append(key)
        self.dynamic_version += 1

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        keys = self._dynamic.get(partitions_def_name, [])
        if partition_key in keys:
            keys.remove(partition_key)
            self.dynamic_version += 1

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        return list(self._dynamic.get(partitions_def_name, ()))

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self._dynamic.get(partitions_def_name, ())

    def get_run_record(self, run_id: str) -> RunRecord | None:
        return next((r for r in self.runs if r.run_id == run_id), None)

    def __repr__(self) -> str:
        return f"<Instance: {len(self._history)} assets materialized, {len(self.runs)} runs>"


def describe_metadata(metadata: Mapping[str, MetadataValue]) -> dict[str, Any]:
    """Plain values of typed metadata, for printing."""
    return {name: value.value for name, value in metadata.items()}
