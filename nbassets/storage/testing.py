"""Dagster's test instances, as nbassets has them: a fresh in-memory ``Instance``.

``instance_for_test()`` and ``DagsterInstance.ephemeral()`` give code written for
Dagster an instance to pass as ``materialize(..., instance=...)``; nothing is written
to disk, so ``temp_dir`` and ``overrides`` are accepted and not used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from nbassets.storage.event_log import EventLogStorage
from nbassets.storage.instance import Instance

__all__ = ["DagsterInstance", "instance_for_test"]


@dataclass(frozen=True)
class PlannedEvent:
    """What an ``*_PLANNED`` event carries: the asset (and check) a run intends to produce."""

    asset_key: Any
    partition: str | None = None
    check_name: str | None = None


@dataclass(frozen=True)
class EventLogEntry:
    run_id: str
    timestamp: float
    # None for a message the user logged (context.log), as in Dagster.
    dagster_event: Any
    user_message: str = ""

    @property
    def dagster_event_type(self) -> Any:
        return self.dagster_event.event_type


@dataclass(frozen=True)
class EventLogRecord:
    storage_id: int
    event_log_entry: EventLogEntry


@dataclass(frozen=True)
class EventRecordsResult:
    records: list[EventLogRecord]
    cursor: str = ""
    has_more: bool = False


@dataclass(frozen=True)
class StoredRun:
    """A run as ``DagsterInstance.get_runs`` lists it: its id, tags and final status."""

    run_id: str
    tags: dict[str, str]
    status: str


class DagsterInstance(Instance):
    """Dagster's name for the instance; ``ephemeral()`` and ``get()`` build one.

    It also keeps each run's events (``get_records_for_run``), with the
    ``ASSET_MATERIALIZATION_PLANNED`` / ``ASSET_CHECK_EVALUATION_PLANNED`` events
    Dagster writes when a run starts, for code that inspects a run's event log.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._run_events: dict[str, list[EventLogRecord]] = {}
        self._run_tags: dict[str, dict[str, str]] = {}
        self._next_storage_id = 1

    def __enter__(self) -> DagsterInstance:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def keep_run_events(
        self, run_id: str, events: Sequence[Any], tags: Mapping[str, Any] | None = None
    ) -> None:
        """Keep ``events`` as run ``run_id``'s event log (the engine calls this)."""
        self._run_tags.setdefault(run_id, {k: str(v) for k, v in (tags or {}).items()})
        records = self._run_events.setdefault(run_id, [])
        for event in events:
            if event.event_type == "LOG":
                entry = EventLogEntry(run_id, event.timestamp, None, event.message)
            else:
                entry = EventLogEntry(run_id, event.timestamp, event, event.message)
            records.append(EventLogRecord(self._next_storage_id, entry))
            self._next_storage_id += 1

    def get_records_for_run(
        self,
        run_id: str,
        cursor: str | None = None,
        of_type: Any = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> EventRecordsResult:
        """The event records of run ``run_id``, of type ``of_type`` (one or a set) if given."""
        del cursor
        wanted = None
        if of_type is not None:
            wanted = set(of_type) if isinstance(of_type, (set, frozenset, list)) else {of_type}
        records = [
            r
            for r in self._run_events.get(run_id, [])
            if wanted is None
            or (
                r.event_log_entry.dagster_event is not None
                and r.event_log_entry.dagster_event.event_type in wanted
            )
        ]
        if not ascending:
            records.reverse()
        if limit is not None:
            records = records[:limit]
        return EventRecordsResult(records)

    def get_runs(self, filters: Any = None, limit: int | None = None) -> list[StoredRun]:
        """The runs this instance saw, most recent first (``filters`` is not used)."""
        del filters
        runs = []
        for run_id in reversed(self._run_events):
            kinds = {
                getattr(r.event_log_entry.dagster_event.event_type, "name", None)
                for r in self._run_events[run_id]
                if r.event_log_entry.dagster_event is not None  # a log line has none
            }
            status = "FAILURE" if "RUN_FAILURE" in kinds else "SUCCESS"
            runs.append(StoredRun(run_id, self._run_tags.get(run_id, {}), status))
        return runs[:limit] if limit is not None else runs

    @property
    def event_log_storage(self) -> EventLogStorage:
        """Dagster's event log storage: here, the history of each asset check."""

        def runs() -> dict[str, list[Any]]:
            return {
                run_id: [
                    r.event_log_entry.dagster_event
                    for r in records
                    if r.event_log_entry.dagster_event is not None
                ]
                for run_id, records in self._run_events.items()
            }

        return EventLogStorage(runs)

    def all_logs(self, run_id: str, of_type: Any = None) -> list[EventLogEntry]:
        records = self.get_records_for_run(run_id, of_type=of_type).records
        return [r.event_log_entry for r in records]

    @classmethod
    def ephemeral(cls, tempdir: str | None = None, settings: Any = None) -> DagsterInstance:
        """A fresh in-memory instance (``tempdir`` and ``settings`` are not used)."""
        del tempdir, settings
        return cls()

    @classmethod
    def get(cls) -> DagsterInstance:
        """A fresh in-memory instance: a notebook has no ``$DAGSTER_HOME``."""
        return cls()


@contextmanager
def instance_for_test(
    overrides: Mapping[str, Any] | None = None,
    set_dagster_home: bool = True,
    temp_dir: str | None = None,
    synchronous_run_coordinator: bool = False,
) -> Iterator[DagsterInstance]:
    """Yield a fresh in-memory instance for the length of a ``with`` block."""
    del overrides, set_dagster_home, temp_dir, synchronous_run_coordinator
    yield DagsterInstance()
