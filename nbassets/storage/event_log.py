"""Each recent run's events, as Dagster's instance keeps them in its event log.

Responsibilities:
- ``RunEventLog``: the events of the last runs (bounded), each run's "planned"
  events (what the run set out to materialize and check) first, then what it did.
- ``EventLogRecord`` and ``AssetCheckExecutionRecord``: Dagster's record shapes for
  ``get_records_for_run`` and ``get_asset_check_execution_history``.

A run's events are the very list its result holds, so keeping them costs no copy.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AssetCheckExecutionRecord",
    "AssetCheckExecutionRecordStatus",
    "EventLogRecord",
    "EventLogStorage",
    "RunEventLog",
]

RUN_LOG_LIMIT = 100


@dataclass(frozen=True, slots=True)
class EventLogRecord:
    """One event of a run's log; ``event_log_entry`` is the event itself."""

    storage_id: int
    event_log_entry: Any

    @property
    def run_id(self) -> str:
        return str(self.event_log_entry.run_id)

    @property
    def timestamp(self) -> float:
        return float(self.event_log_entry.timestamp)

    @property
    def asset_key(self) -> Any:
        return self.event_log_entry.asset_key


class AssetCheckExecutionRecordStatus(enum.Enum):
    PLANNED = "PLANNED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class AssetCheckExecutionRecord:
    """One run's execution of one check: planned, then passed (SUCCEEDED) or failed."""

    key: Any
    run_id: str
    status: AssetCheckExecutionRecordStatus
    event: Any


class RunEventLog:
    """The events of the last ``limit`` runs, by run id."""

    def __init__(self, limit: int = RUN_LOG_LIMIT) -> None:
        self.limit = limit
        self._runs: OrderedDict[str, tuple[Sequence[Any], Sequence[Any]]] = OrderedDict()

    def start(self, run_id: str, planned: Sequence[Any], events: Sequence[Any]) -> None:
        """Keep ``planned`` and ``events`` (the run's live list) for ``run_id``."""
        self._runs[run_id] = (tuple(planned), events)
        while len(self._runs) > self.limit:
            self._runs.popitem(last=False)

    def events_of(self, run_id: str) -> list[Any]:
        planned, events = self._runs.get(run_id, ((), ()))
        return [*planned, *events]

    def records_for_run(
        self,
        run_id: str,
        of_type: Any = None,
        cursor: str | None = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> tuple[list[EventLogRecord], str, bool]:
        wanted = _types(of_type)
        records = [
            EventLogRecord(n, event)
            for n, event in enumerate(self.events_of(run_id), start=1)
            if wanted is None or event.event_type in wanted
        ]
        if not ascending:
            records.reverse()
        if cursor:
            after = int(cursor)
            records = [r for r in records if (r.storage_id > after) == ascending]
        page = records if limit is None else records[:limit]
        next_cursor = str(page[-1].storage_id) if page else (cursor or "")
        return page, next_cursor, len(page) < len(records)

    def check_history(self, check_key: Any, limit: int) -> list[AssetCheckExecutionRecord]:
        """The runs that planned ``check_key``, newest first, with how each ended."""
        found = []
        for run_id in reversed(self._runs):
            status = None
            last = None
            for event in self.events_of(run_id):
                data = event.data
                if getattr(data, "asset_key", None) != check_key.asset_key:
                    continue
                if getattr(data, "check_name", None) != check_key.name:
                    continue
                last = event
                if event.event_type.value == "ASSET_CHECK_EVALUATION_PLANNED":
                    status = AssetCheckExecutionRecordStatus.PLANNED
                elif event.event_type.value == "ASSET_CHECK_EVALUATION":
                    status = (
                        AssetCheckExecutionRecordStatus.SUCCEEDED
                        if data.passed
                        else AssetCheckExecutionRecordStatus.FAILED
                    )
            if status is not None:
                found.append(AssetCheckExecutionRecord(check_key, run_id, status, last))
            if len(found) >= limit:
                break
        return found


class EventLogStorage:
    """Dagster's ``instance.event_log_storage``: the check-history question it answers."""

    def __init__(self, log: RunEventLog) -> None:
        self._log = log

    def get_asset_check_execution_history(
        self, check_key: Any, limit: int, cursor: int | None = None, status: Any = None
    ) -> list[AssetCheckExecutionRecord]:
        del cursor
        history = self._log.check_history(check_key, limit)
        wanted = set(status) if status is not None else None
        return [r for r in history if wanted is None or r.status in wanted]


def _types(of_type: Any) -> set[Any] | None:
    if of_type is None:
        return None
    if isinstance(of_type, Iterable) and not isinstance(of_type, (str, enum.Enum)):
        return set(of_type)
    return {of_type}
