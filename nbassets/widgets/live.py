"""Keep a lineage widget in step with the kernel registry while the user works.

Responsibilities:
- ``follow_registry``: subscribe a ``LineageWidget`` to a registry. Events only
  mark what is due (a new layout, or colours); the work happens later, once,
  through ``Deferred``: a loop defining 300 assets is one layout, done after the
  cell. The selection string, if any, is resolved anew at each layout.
- During a run, recolour at most every ``RECOLOUR_S`` (and once when the run
  ends): a step event costs a set update, not a message to the page.
- Every status change, from any cause (runs, ``--no-run`` redefinitions,
  ``accept``, wipes), reaches the widget: a definition redraws with fresh colours.
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
from nbassets.widgets.deferred import Deferred, deferred
from nbassets.widgets.lineage import LineageWidget

__all__ = ["RECOLOUR_S", "RegistryFollower", "drawn_keys", "follow_registry"]

# A run of many quick steps would otherwise send the page a message per step.
RECOLOUR_S = 0.2
_STEP_EVENTS = frozenset(
    {EventType.STEP_START, EventType.STEP_SUCCESS, EventType.STEP_FAILURE,
     EventType.STEP_SKIPPED}
)
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
    """A registry listener that redraws or recolours one ``LineageWidget``, lazily."""

    def __init__(
        self,
        widget: LineageWidget,
        registry: Registry,
        selection: str | None = None,
        *,
        later: Deferred | None = None,
    ) -> None:
        self.widget = widget
        self.registry = registry
        self.selection = selection
        self.layouts = 0
        self._later = later if later is not None else deferred()
        self._layout_due = False
        self._colours_due = False
        self._last_recolour = 0.0
        self._unsubscribe: Callable[[], None] | None = registry.subscribe(self)
        widget.on_close(self.close)

    @property
    def following(self) -> bool:
        return self._unsubscribe is not None

    def close(self) -> None:
        """Stop following the registry (idempotent)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._later.cancel(self.flush)

    def __call__(self, event: Any) -> None:
        if isinstance(event, RegistryEvent):
            if event.kind == "status":
                self._colours_due = True
                self._later.request(self.flush)
            else:
                self._layout_due = True
                self._later.request(self.flush)
        elif isinstance(event, RunEvent):
            kind = event.event_type
            if kind in _STEP_EVENTS:
                self._colours_due = True
                now = time.perf_counter()
                if now - self._last_recolour >= RECOLOUR_S:
                    self.flush()
            elif kind in _RUN_ENDS:
                self.flush()
            elif kind is EventType.RUN_START:
                # A run shorter than RECOLOUR_S is recoloured once, when it ends.
                self._last_recolour = time.perf_counter()

    def flush(self) -> None:
        """Do what is due now: a new layout, or recolouring every drawn asset."""
        if self._unsubscribe is None:
            return
        if self._layout_due:
            self._redraw()
        elif self._colours_due:
            self._recolour()

    def _recolour(self) -> None:
        self._colours_due = False
        self._last_recolour = time.perf_counter()
        graph, status = self.registry.graph, self.registry.status
        self.widget.recolour(lambda key: status(key) if key in graph else None)

    def _redraw(self) -> None:
        self._layout_due = self._colours_due = False
        self._last_recolour = time.perf_counter()
        self.layouts += 1
        try:
            keys = drawn_keys(self.registry, self.selection)
        except NbAssetsError:
            # The selection names an asset that is gone: keep drawing what still exists.
            keys = [n.key for n in self.widget.layout_data.nodes if n.key in self.registry]
        status = self.registry.status
        self.widget.set_graph(self.registry.graph, keys, {k: status(k) for k in keys})


def follow_registry(
    widget: LineageWidget,
    registry: Registry,
    selection: str | None = None,
    *,
    later: Deferred | None = None,
) -> RegistryFollower:
    """Keep ``widget`` drawing ``selection`` of ``registry``, coloured by live status.

    Args:
        widget: The lineage widget to keep current.
        registry: The registry to follow.
        selection: What to draw; everything when ``None``.
        later: Where updates wait to be coalesced; the kernel's by default.

    Returns:
        The listener; ``close()`` it (or close the widget) to stop following.
    """
    return RegistryFollower(widget, registry, selection, later=later)
