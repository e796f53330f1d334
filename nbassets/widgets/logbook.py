"""Log lines of recent runs, kept per asset for the asset view's logs tab.

Responsibilities:
- ``LogBook``: a run listener that keeps the last ``LOG_LINES`` log lines of
  each asset (the instance stores no logs).
- ``logbook_for``: one book per registry, without importing any widget code,
  so terminal runs stay light.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import deque

from nbassets.definitions.keys import AssetKey
from nbassets.engine.events import EventType, RunEvent
from nbassets.graph.registry import Registry

__all__ = ["LogBook", "logbook_for"]

LOG_LINES = 200

_books: weakref.WeakKeyDictionary[Registry, LogBook] = weakref.WeakKeyDictionary()


class LogBook:
    """Log lines of recent runs, per asset key (the last ``LOG_LINES`` of each)."""

    def __init__(self, registry: Registry) -> None:
        self._registry = weakref.ref(registry)
        self.lines: dict[AssetKey, deque[str]] = {}

    def __call__(self, event: RunEvent) -> None:
        """Record a ``LOG`` event (register the book as a run listener)."""
        if event.event_type is not EventType.LOG or not event.step_key:
            return
        registry = self._registry()
        if registry is None:
            return
        op = event.step_key.split("[", 1)[0]
        graph = registry.graph
        part = f" [{event.partition}]" if event.partition else ""
        when = dt.datetime.fromtimestamp(event.timestamp).strftime("%H:%M:%S")
        line = f"{when}{part} {event.data.level.lower()}: {event.data.message}"
        for key in graph.keys:
            if graph.node(key).op == op:
                self.lines.setdefault(key, deque(maxlen=LOG_LINES)).append(line)


def logbook_for(registry: Registry) -> LogBook:
    """The log book of ``registry`` (one per registry)."""
    book = _books.get(registry)
    if book is None:
        book = _books[registry] = LogBook(registry)
    return book
