"""Keep a lineage widget in step with the kernel registry while the user works.

Responsibilities:
- ``follow_registry``: subscribe a ``LineageWidget`` to a registry. Definitions
  added, replaced or removed lay the graph out again (the selection string, if
  any, is resolved anew); run events only recolour nodes, never re-layout.
- Recolour cheaply during a run: a step's own assets at once when it starts or
  ends, the whole drawing (stale propagation, skips) at most every
  ``FULL_REFRESH_S`` and once when the run ends.
- Unsubscribe when the widget closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.engine.events import EventType, RunEvent
from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry, RegistryEvent
from nbassets.widgets.lineage import LineageWidget

__all__ = ["RegistryFollower", "follow_registry"]

# A run of many quick steps would otherwise recompute every drawn status per step.
FULL_REFRESH_S = 0.2
_STEP_ENDS = frozenset({EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED})
_RUN_ENDS = frozenset({EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED})


def drawn_keys(registry: Registry, selection: str | None) -> list[AssetKey]:
    """The keys a lineage view of ``selection`` (everything when ``None``) draws, in order."""
    graph = registry.graph
    if not selection:
        return list(graph.keys)
    from nbassets.graph.selection import coerce_selection

    chosen = coerce_selection(selection).resolve(graph)
    return [k for k in graph.keys if k in chosen]


class RegistryFollower:
    """A registry listener that redraws or recolours one ``LineageWidget``."""

    def __init__(
        self, widget: LineageWidget, registry: Registry, selection: str | None = None
    ) -> None:
        self.widget = widget
        self.registry = registry
        self.selection = selection
        self._last_full = 0.0
        self._steps: dict[str, tuple[AssetKey, ...]] = {}
        self._unsubscribe: Callable[[], None] | None = registry.subscribe(self)
        widget.on_close(self.close)

    def close(self) -> None:
        """Stop following the registry (idempotent)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def __call__(self, event: Any) -> None:
        if isinstance(event, RegistryEvent):
            if event.kind == "status":
                self._refresh_all(throttled=True)
            else:
                self._redraw()
        elif isinstance(event, RunEvent):
            kind = event.event_type
            if kind is EventType.STEP_START or kind in _STEP_ENDS:
                self._refresh(self._keys_of_step(event.step_key or ""))
            elif kind in _RUN_ENDS:
                self._refresh_all(throttled=False)

    def _keys_of_step(self, step_key: str) -> tuple[AssetKey, ...]:
        # Engine step keys are the op name, "op[partition]" for one partition.
        if not self._steps:
            graph = self.registry.graph
            for key in graph.keys:
                node = graph.node(key)
                if node.op:
                    self._steps[node.op] = (*self._steps.get(node.op, ()), node.key)
        return self._steps.get(step_key.split("[", 1)[0], ())

    def _refresh(self, keys: tuple[AssetKey, ...]) -> None:
        layout = self.widget.layout_data
        status = self.registry.status
        changes: dict[Any, str] = {
            k: status(k) for k in keys if k in layout and k in self.registry
        }
        if changes:
            self.widget.set_statuses(changes)

    def _refresh_all(self, *, throttled: bool) -> None:
        now = time.perf_counter()
        if throttled and now - self._last_full < FULL_REFRESH_S:
            return
        self._last_full = now
        status = self.registry.status
        keys = [n.key for n in self.widget.layout_data.nodes if n.key in self.registry]
        statuses: dict[Any, str] = {k: status(k) for k in keys}
        self.widget.set_statuses(statuses)

    def _redraw(self) -> None:
        self._steps = {}
        try:
            keys = drawn_keys(self.registry, self.selection)
        except NbAssetsError:
            # The selection names an asset that is gone: keep drawing what still exists.
            keys = [n.key for n in self.widget.layout_data.nodes if n.key in self.registry]
        self.widget.set_graph(self.registry.graph, keys)


def follow_registry(
    widget: LineageWidget, registry: Registry, selection: str | None = None
) -> RegistryFollower:
    """Keep ``widget`` drawing ``selection`` of ``registry``, coloured by live status.

    Returns:
        The listener; ``close()`` it (or close the widget) to stop following.
    """
    return RegistryFollower(widget, registry, selection)
