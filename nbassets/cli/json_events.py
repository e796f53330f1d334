"""Run events as JSON lines, for CI logs and other programs.

Responsibilities:
- Turn each ``RunEvent`` into one flat JSON object (``event``, ``step``,
  ``asset``, ``partition``, ``timestamp`` and the payload's facts), naming
  steps as the user does.
- Write one line per event as it happens, flushed, so a reader sees progress live.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from nbassets.engine.events import EventType, RunEvent

__all__ = ["JsonLines", "event_to_json"]


def _metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, entry in metadata.items():
        value = getattr(entry, "value", entry)
        plain = isinstance(value, (int, float, str, bool, type(None)))
        values[name] = value if plain else str(value)
    return values


def event_to_json(event: RunEvent, label: str | None = None) -> dict[str, Any]:
    """The facts of one event as a JSON-ready dict."""
    row: dict[str, Any] = {
        "event": event.event_type.value,
        "run_id": event.run_id,
        "timestamp": event.timestamp,
    }
    if event.step_key:
        row["step"] = label or event.step_key
    if event.asset_key is not None:
        row["asset"] = event.asset_key.to_user_string()
    if event.partition is not None:
        row["partition"] = event.partition
    data = event.data
    kind = event.event_type
    if kind is EventType.STEP_SUCCESS and isinstance(data, (int, float)):
        row["duration"] = data
    elif kind is EventType.STEP_FAILURE:
        row["error"] = data.error.message
        row["error_type"] = data.error.cls_name
    elif kind is EventType.STEP_SKIPPED:
        row["reason"] = data.reason
    elif kind is EventType.ASSET_MATERIALIZATION:
        row["asset"] = data.asset_key.to_user_string()
        row["metadata"] = _metadata(data.metadata)
    elif kind is EventType.ASSET_CHECK_EVALUATION:
        row["asset"] = data.asset_key.to_user_string()
        row["check"] = data.check_name
        row["passed"] = bool(data.passed)
        row["blocking"] = bool(data.blocking)
        row["metadata"] = _metadata(data.metadata)
    elif kind is EventType.LOG:
        row["level"] = data.level
        row["message"] = data.message
    elif event.message:
        row["message"] = event.message
    return row


class JsonLines:
    """A run listener writing one JSON object per line."""

    def __init__(self, stream: TextIO, labels: Callable[[], Mapping[str, str]]) -> None:
        self.stream = stream
        self._labels = labels
        self._known: Mapping[str, str] | None = None

    def _label(self, step: str | None) -> str | None:
        if not step:
            return None
        if self._known is None or step.split("[", 1)[0] not in self._known:
            self._known = self._labels()
        return self._known.get(step.split("[", 1)[0])

    def write(self, row: Mapping[str, Any]) -> None:
        self.stream.write(json.dumps(row, default=str) + "\n")
        self.stream.flush()

    def __call__(self, event: RunEvent) -> None:
        self.write(event_to_json(event, self._label(event.step_key)))
