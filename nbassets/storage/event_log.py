"""Dagster's ``instance.event_log_storage``: the history of each asset check.

Responsibilities:
- ``AssetCheckExecutionRecord``: one run's execution of one check, planned, then
  passed (``SUCCEEDED``) or failed.
- ``EventLogStorage.get_asset_check_execution_history``: those records, newest run
  first, read from the runs' event logs that ``DagsterInstance`` keeps.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AssetCheckExecutionRecord", "AssetCheckExecutionRecordStatus", "EventLogStorage"]


class AssetCheckExecutionRecordStatus(enum.Enum):
    PLANNED = "PLANNED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class AssetCheckExecutionRecord:
    """One run's execution of one check, with the last event about it."""

    key: Any
    run_id: str
    status: AssetCheckExecutionRecordStatus
    event: Any


def _status(event: Any) -> AssetCheckExecutionRecordStatus | None:
    kind = getattr(event.event_type, "value", event.event_type)
    if kind == "ASSET_CHECK_EVALUATION_PLANNED":
        return AssetCheckExecutionRecordStatus.PLANNED
    if kind == "ASSET_CHECK_EVALUATION":
        passed = event.data.passed
        return (
            AssetCheckExecutionRecordStatus.SUCCEEDED
            if passed
            else AssetCheckExecutionRecordStatus.FAILED
        )
    return None


class EventLogStorage:
    """Answers questions over the runs' event logs (``run_id -> events``, oldest run first)."""

    def __init__(self, runs: Callable[[], Mapping[str, Sequence[Any]]]) -> None:
        self._runs = runs

    def get_asset_check_execution_history(
        self,
        check_key: Any,
        limit: int,
        cursor: int | None = None,
        status: Iterable[AssetCheckExecutionRecordStatus] | None = None,
    ) -> list[AssetCheckExecutionRecord]:
        """The runs that planned ``check_key``, newest first, with how each ended."""
        del cursor
        wanted = set(status) if status is not None else None
        found = []
        runs = self._runs()
        for run_id in reversed(list(runs)):
            last = verdict = None
            for event in runs[run_id]:
                data = event.data
                if getattr(data, "asset_key", None) != check_key.asset_key:
                    continue
                if getattr(data, "check_name", None) != check_key.name:
                    continue
                now = _status(event)
                if now is not None:
                    last, verdict = event, now
            if verdict is not None and (wanted is None or verdict in wanted):
                found.append(AssetCheckExecutionRecord(check_key, run_id, verdict, last))
            if len(found) >= limit:
                break
        return found
