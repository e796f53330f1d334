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
- Data versions: a content hash per materialization, computed lazily (only
  when the asset is materialized again, or when staleness asks), so an
  upstream re-materialized to equal data leaves its downstream fresh.
- Write through to a persistent ``AssetStore`` when one is attached
  (``nbassets.storage.persistence``); without one nothing here touches disk.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.metadata import MetadataValue
from nbassets.storage.data_versions import fingerprint
from nbassets.storage.io_manager import InMemoryIOManager
from nbassets.storage.remote_values import RemoteValue

__all__ = ["NO_VALUE", "Instance", "MaterializationRecord", "OutcomeRecord", "RunRecord"]


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


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
    # The StoredVersion when the value was written to (or restored from) a store.
    stored: Any = None
    # True when the record was read back from a store, not computed in this kernel.
    restored: bool = False
    # The value, held until its data version is needed (the same object the IO
    # manager holds, so it costs no memory); NO_VALUE once hashed or never known.
    value_ref: Any = NO_VALUE

    @property
    def partition_key(self) -> str | None:
        """Dagster's name for ``partition`` on an event record."""
        return self.partition


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


@dataclass(slots=True)
class MaterializationRecordsResult:
    """A page of materialization records: Dagster's ``EventRecordsResult``."""

    records: list[MaterializationRecord]
    cursor: str
    has_more: bool


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
        # An attached AssetStore (nbassets.storage.persistence): every record is written there.
        self.store: Any = None
        # (key, partition) -> why: stored values a step changed in place (stale until the
        # asset is materialized again).
        self.changed_in_place: dict[tuple[AssetKey, str | None], str] = {}

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
        value: Any = NO_VALUE,
    ) -> MaterializationRecord:
        """Remember one materialization.

        ``value`` is its value when the instance's IO manager holds it (``NO_VALUE``
        otherwise): it is hashed later, or written through to an attached store.
        """
        if self.store is not None:
            from nbassets.storage.persistence import write_through

            record = write_through(
                self, run_id, asset_key, partition, duration, code_version,
                input_versions, metadata, data_version, accepted, value,
            )  # fmt: skip
        else:
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
                None,
                False,
                value,
            )
            previous = self._latest.get((asset_key, partition))
            if (
                previous is not None
                and previous.value_ref is not NO_VALUE
                and previous.value_ref is not value
            ):
                ref, previous.value_ref = previous.value_ref, NO_VALUE
                if previous.data_version is None:
                    if type(ref) is RemoteValue:
                        # On a Dask worker: hashed there, without waiting; read when asked.
                        previous.value_ref = ref.fingerprint_soon()
                    else:
                        # Hash the value being replaced now, before the IO manager drops it.
                        previous.data_version = fingerprint(ref)
        self.adopt(record)
        return record

    def adopt(self, record: MaterializationRecord) -> None:
        """Make ``record`` the latest materialization of its asset (partition)."""
        asset_key, partition = record.asset_key, record.partition
        self._latest[(asset_key, partition)] = record
        history = self._history.get(asset_key)
        if history is None:
            history = self._history[asset_key] = deque(maxlen=self.history_limit)
        history.append(record)
        self.latest_ids[asset_key] = record.storage_id
        if self.changed_in_place:
            self.changed_in_place.pop((asset_key, partition), None)
        if self._outcomes:
            self._outcomes.pop(asset_key, None)
        if self._partition_outcomes and partition is not None:
            self._partition_outcomes.pop((asset_key, partition), None)

    def adopt_restored(self, record: MaterializationRecord) -> None:
        """Add a record read back from a store (records arrive oldest first)."""
        key = record.asset_key
        history = self._history.get(key)
        if history is None:
            history = self._history[key] = deque(maxlen=self.history_limit)
        history.append(record)
        self._latest[(key, record.partition)] = record
        if record.storage_id > self.latest_ids.get(key, 0):
            self.latest_ids[key] = record.storage_id

    def bump_ids(self, used: int) -> None:
        """Storage ids up to ``used`` are taken (by a store): in-memory ids continue after."""
        self._ids = itertools.count(used + 1)

    def data_version(self, record: MaterializationRecord) -> str | None:
        """The data version of ``record``, hashing its value the first time it is asked."""
        if record.data_version is None and record.value_ref is not NO_VALUE:
            record.data_version = fingerprint(record.value_ref)
            record.value_ref = NO_VALUE
        return record.data_version

    def same_data(self, asset_key: AssetKey, consumed_id: int) -> bool:
        """Whether the latest value of ``asset_key`` equals the one stored as ``consumed_id``.

        True only when both have a data version and they are equal: an asset
        re-materialized to the same data does not make what read it stale.
        """
        history = self._history.get(asset_key)
        if not history or consumed_id <= 0 or history[-1].partition is not None:
            return False
        consumed = next((r for r in reversed(history) if r.storage_id == consumed_id), None)
        if consumed is not None:
            before = self.data_version(consumed)
        elif self.store is not None:
            # A restart restores only the latest record: older ones are in the store.
            stored = self.store.version(consumed_id)
            before = stored.data_version if stored and stored.asset_key == asset_key else None
        else:
            return False
        newest = self.data_version(history[-1])
        return newest is not None and newest == before

    def mark_changed_in_place(
        self, asset_key: AssetKey, partition: str | None, reason: str
    ) -> None:
        """A step changed the stored value of ``asset_key`` in place: it is stale until rerun.

        Its data version is dropped (and, if not taken yet, can no longer be): steps
        that read the changed value read other data than the one materialized, so
        none of them may count as fresh by an equal data version.
        """
        self.changed_in_place[(asset_key, partition)] = reason
        record = self._latest.get((asset_key, partition))
        if record is not None:
            record.value_ref = NO_VALUE
            record.data_version = None

    def record_changed(self, record: MaterializationRecord) -> None:
        """``record`` was updated in place (accepted): write the change through."""
        if self.store is not None and record.stored is not None:
            from nbassets.storage.store import encode_inputs

            self.store.db.update_versions(
                record.storage_id,
                record.code_version,
                encode_inputs(record.input_versions),
                record.accepted,
            )

    def forget_latest(self, asset_key: AssetKey, partition: str | None) -> None:
        """Drop the latest record of an asset partition whose stored value was lost."""
        record = self._latest.pop((asset_key, partition), None)
        self.changed_in_place.pop((asset_key, partition), None)
        history = self._history.get(asset_key, deque())
        if record is not None and record in history:
            history.remove(record)
        if not history:
            self._history.pop(asset_key, None)
            self.latest_ids.pop(asset_key, None)
        else:
            self.latest_ids[asset_key] = max(r.storage_id for r in history)

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

    def fetch_materializations(
        self,
        records_filter: Any,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> MaterializationRecordsResult:
        """Materialization records of one asset, newest first, as Dagster's instance gives.

        ``records_filter`` is an ``AssetKey`` (or anything with ``asset_key`` and,
        optionally, ``asset_partitions``); ``cursor`` is the ``cursor`` of an earlier
        result, to read on from there.
        """
        key = getattr(records_filter, "asset_key", records_filter)
        key = coerce_key(key)
        partitions = getattr(records_filter, "asset_partitions", None)
        records = list(self._history.get(key, ()))
        if partitions is not None:
            records = [r for r in records if r.partition in set(partitions)]
        if not ascending:
            records.reverse()
        if cursor is not None:
            after = int(cursor)
            records = [
                r for r in records if (r.storage_id > after if ascending else r.storage_id < after)
            ]
        page = records[:limit]
        next_cursor = str(page[-1].storage_id) if page else (cursor or "")
        return MaterializationRecordsResult(page, next_cursor, len(records) > limit)

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
            for stored in [k for k in self.changed_in_place if k[0] == key]:
                del self.changed_in_place[stored]
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
        if self.store is not None:
            self.store.db.set_dynamic_partitions(partitions_def_name, keys)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        keys = self._dynamic.get(partitions_def_name, [])
        if partition_key in keys:
            keys.remove(partition_key)
            self.dynamic_version += 1
            if self.store is not None:
                self.store.db.set_dynamic_partitions(partitions_def_name, keys)

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
