"""Keep a lineage widget in step with the kernel registry while the user works.

Responsibilities:
- ``follow_registry``: subscribe a ``LineageWidget`` to a registry. Events only
  mark what is due (a new layout, or colours); the work happens later, once,
  through ``Deferred``: a loop defining 300 assets is one layout, done after the
  cell. The selection string, if any, is resolved anew at each layout.
- During a run, a step's own assets take the colour its events say (running,
  materialized, failed, skipped), sent at most every ``RECOLOUR_S``: at once
  after a quiet spell, else from a timer, so a long step shows as running while
  it runs. A step event costs a dict update, not a message to the page. When
  the run ends, every drawn asset is recoloured from the registry (stale
  propagation, partitions).
- Every status change, from any cause (runs, ``--no-run`` redefinitions,
  ``accept``, wipes), reaches the widget: a definition redraws with fresh colours.
- Unsubscribe when the widget closes.
"""

from __future__ import annotations

import threading
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
# The colour a step event gives its assets; partition steps only say "running".
_STEP_COLOURS = {
    EventType.STEP_START: "running",
    EventType.STEP_SUCCESS: "materialized",
    EventType.STEP_FAILURE: "failed",
    EventType.STEP_SKIPPED: "skipped",
}
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
        self._steps: dict[str, tuple[AssetKey, ...]] | None = None
        self._run_end: RunEvent | None = None
        self._step_colours: dict[AssetKey, str] = {}
        # The timer thread only sends colours the events gave: it never reads the registry.
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
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
        self._cancel_timer()

    def __call__(self, event: Any) -> None:
        if isinstance(event, RegistryEvent):
            if event.kind == "status":
                self._colours_due = True
            else:
                self._layout_due = True
                self._steps = None
            self._later.request(self.flush)
        elif isinstance(event, RunEvent):
            kind = event.event_type
            colour = _STEP_COLOURS.get(kind)
            if colour is not None:
                self._step_event(event.step_key or "", colour)
            elif kind in _RUN_ENDS:
                self._cancel_timer()
                self._colours_due = True
                self._run_end = event
                self.flush()

    def _step_event(self, step_key: str, colour: str) -> None:
        op, _, partition = step_key.partition("[")
        if partition and colour != "running":
            colour = ""  # one partition done says little of the asset: the run's end says
        with self._lock:
            for key in self._keys_of_step(op):
                if colour:
                    self._step_colours[key] = colour
            if time.perf_counter() - self._last_recolour >= RECOLOUR_S:
                self._send_step_colours()
            elif self._timer is None and self._step_colours:
                wait = RECOLOUR_S - (time.perf_counter() - self._last_recolour)
                self._timer = threading.Timer(max(wait, 0.0), self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
            if self._unsubscribe is not None:
                self._send_step_colours()

    def _send_step_colours(self) -> None:
        """Send the colours step events gave since the last send (the caller holds the lock)."""
        self._last_recolour = time.perf_counter()
        colours, self._step_colours = self._step_colours, {}
        drawn: dict[Any, str] = {k: c for k, c in colours.items() if k in self.widget.layout_data}
        if drawn:
            self.widget.set_statuses(drawn)

    def _cancel_timer(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._step_colours = {}

    def _keys_of_step(self, op: str) -> tuple[AssetKey, ...]:
        # Engine step keys are the op name, "op[partition]" for one partition.
        if self._steps is None:
            self._steps = _steps_of(self.registry)
        return self._steps.get(op, ())

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
        statuses = _statuses_at(self.registry, self._run_end)
        self._run_end = None
        with self._lock:
            self._last_recolour = time.perf_counter()
            self.widget.recolour(statuses.get)

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
        with self._lock:
            self.widget.set_graph(self.registry.graph, keys, {k: status(k) for k in keys})


def _steps_of(registry: Registry) -> dict[str, tuple[AssetKey, ...]]:
    """Op name -> the assets its step makes; shared by the views until definitions change."""
    steps: dict[str, tuple[AssetKey, ...]] | None = registry.run_cache.get("lineage_steps")
    if steps is None:
        steps = {}
        graph = registry.graph
        for key in graph.keys:
            node = graph.node(key)
            if node.op:
                steps[node.op] = (*steps.get(node.op, ()), node.key)
        registry.run_cache["lineage_steps"] = steps
    return steps


# Every view of a registry recolours when a run ends: the first computes, the others reuse.
_last_run_end: tuple[RunEvent, dict[AssetKey, str]] | None = None


def _statuses_at(registry: Registry, run_end: RunEvent | None) -> dict[AssetKey, str]:
    """The status of every asset now (shared among the views told of the same run end)."""
    global _last_run_end
    if run_end is not None and _last_run_end is not None and _last_run_end[0] is run_end:
        return _last_run_end[1]
    status = registry.status
    statuses: dict[AssetKey, str] = {key: status(key) for key in registry.graph.keys}
    _last_run_end = (run_end, statuses) if run_end is not None else None
    return statuses


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
