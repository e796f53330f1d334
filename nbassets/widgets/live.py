"""Keep lineage widgets in step with the kernel registry while the user works.

Responsibilities:
- ``follow_registry``: keep a ``LineageWidget`` drawing a selection of a
  registry. Events only mark what is due (a new layout, or colours); the work
  happens later, once, through ``Deferred``: a loop defining 300 assets is one
  layout, done after the cell. The selection is resolved anew at each layout.
- Every view of one registry shares one listener (``_Hub``): an event is read
  once however many views are open, the status of each asset is computed once
  per recolour, and each view is sent only the statuses that changed for it
  (nothing when none did), as one patch.
- During a run, a step's assets take the colour its events say (running,
  materialized, failed, skipped). Those colours wait ``FIRST_S`` after the first
  one (a run shorter than that sends no "running" flash), then go out at most
  every ``RECOLOUR_S`` from one timer thread, so a long step shows as running
  while it runs. When the run ends, every drawn asset is recoloured from the
  registry (stale propagation, partitions).
- Partitioned assets carry a count on their node ("19/31" materialized), redrawn
  with the colours (only what changed is sent).
- Every status change, from any cause (runs, ``--no-run`` redefinitions,
  ``accept``, wipes), reaches the widgets: a definition redraws with fresh colours.
- Unsubscribe when the widget closes; the shared listener goes with the last view.
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

__all__ = [
    "FIRST_S",
    "RECOLOUR_S",
    "RegistryFollower",
    "drawn_keys",
    "follow_registry",
    "partition_counts",
]

# A run of many quick steps would otherwise send the page a message per step.
RECOLOUR_S = 0.2
# A run shorter than this shows only its end: no flash of "running" for a quick run.
FIRST_S = 0.05
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
    """One ``LineageWidget`` kept current: its selection, and whether it must be laid out."""

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
        self.layout_due = False
        self._hub: _Hub | None = _Hub.join(registry, later if later is not None else deferred())
        self._hub.followers.append(self)
        # Not None while following (what tests and the notebook's view ask).
        self._unsubscribe: Callable[[], None] | None = self.close
        widget.on_close(self.close)

    @property
    def following(self) -> bool:
        return self._hub is not None

    def close(self) -> None:
        """Stop following the registry (idempotent)."""
        hub, self._hub = self._hub, None
        self._unsubscribe = None
        if hub is not None:
            hub.leave(self)

    def flush(self) -> None:
        """Do what is due now, for every view of this registry (tests, benchmarks)."""
        if self._hub is not None:
            self._hub.flush()

    def redraw(self) -> None:
        """Lay the widget out again from the registry, coloured by status now."""
        self.layout_due = False
        self.layouts += 1
        try:
            keys = drawn_keys(self.registry, self.selection)
        except NbAssetsError:
            # The selection names an asset that is gone: keep drawing what still exists.
            keys = [n.key for n in self.widget.layout_data.nodes if n.key in self.registry]
        status = self.registry.status
        self.widget.set_graph(
            self.registry.graph,
            keys,
            {k: status(k) for k in keys},
            partition_counts(self.registry, keys),
        )


class _Hub:
    """The one registry listener behind every live view of a registry (and ``Deferred``)."""

    _hubs: dict[tuple[int, int], _Hub] = {}

    @classmethod
    def join(cls, registry: Registry, later: Deferred) -> _Hub:
        hub = cls._hubs.get((id(registry), id(later)))
        if hub is None:
            hub = cls._hubs[(id(registry), id(later))] = _Hub(registry, later)
        return hub

    def __init__(self, registry: Registry, later: Deferred) -> None:
        self.registry = registry
        self.followers: list[RegistryFollower] = []
        self._later = later
        self._colours_due = False
        self._steps: dict[str, tuple[AssetKey, ...]] | None = None
        self._step_colours: dict[AssetKey, str] = {}
        self._last_sent = 0.0
        # The timer thread only sends colours the events gave: it never reads the registry.
        self._lock = threading.Lock()
        self._ticker = _Ticker(self._on_tick)
        self._unsubscribe = registry.subscribe(self)

    def leave(self, follower: RegistryFollower) -> None:
        with self._lock:
            if follower in self.followers:
                self.followers.remove(follower)
            if self.followers:
                return
        self._unsubscribe()
        self._later.cancel(self.flush)
        self._ticker.stop()
        self._hubs.pop((id(self.registry), id(self._later)), None)

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunEvent):
            kind = event.event_type
            colour = _STEP_COLOURS.get(kind)
            if colour is not None:
                self._step_event(event.step_key or "", colour)
            elif kind in _RUN_ENDS:
                # The run's end recolours from the registry: what steps said is superseded.
                with self._lock:
                    self._ticker.disarm()
                    self._step_colours = {}
                self._colours_due = True
                self.flush()
        elif isinstance(event, RegistryEvent):
            if event.kind == "status":
                self._colours_due = True
            else:
                self._steps = None
                for follower in self.followers:
                    follower.layout_due = True
            self._later.request(self.flush)

    def _step_event(self, step_key: str, colour: str) -> None:
        op, _, partition = step_key.partition("[")
        if partition and colour != "running":
            return  # one partition done says little of the asset: the run's end says
        keys = self._keys_of_step(op)
        if not keys:
            return
        with self._lock:
            for key in keys:
                self._step_colours[key] = colour
            if not self._ticker.armed:
                since = time.perf_counter() - self._last_sent
                self._ticker.arm(max(FIRST_S, RECOLOUR_S - since))

    def _on_tick(self) -> None:
        with self._lock:
            colours, self._step_colours = self._step_colours, {}
            if not colours:
                return
            self._last_sent = time.perf_counter()
            for follower in self.followers:
                widget = follower.widget
                drawn: dict[Any, str] = {
                    k: c for k, c in colours.items() if k in widget.layout_data
                }
                if drawn:
                    widget.set_statuses(drawn)

    def _keys_of_step(self, op: str) -> tuple[AssetKey, ...]:
        # Engine step keys are the op name, "op[partition]" for one partition.
        if self._steps is None:
            self._steps = _steps_of(self.registry)
        return self._steps.get(op, ())

    def flush(self) -> None:
        """Do what is due now: new layouts, then one recolour shared by every view."""
        redrawn = [f for f in list(self.followers) if f.layout_due]
        colours_due, self._colours_due = self._colours_due, False
        with self._lock:
            for follower in redrawn:
                follower.redraw()
            if not colours_due:
                return
            status = self.registry.status
            known: dict[AssetKey, str] = {}

            def status_of(key: AssetKey) -> str:
                found = known.get(key)
                if found is None:
                    found = known[key] = status(key)
                return found

            self._last_sent = time.perf_counter()
            partitioned = _partitioned(self.registry)
            counted: dict[AssetKey, str | None] = {}

            def count_of(key: AssetKey) -> str | None:
                if key not in partitioned:
                    return None
                if key not in counted:
                    counted[key] = _count_text(self.registry, key)
                return counted[key]

            for follower in self.followers:
                if follower not in redrawn:
                    widget = follower.widget
                    widget.recolour(status_of)
                    if partitioned or widget.counts:
                        widget.recount(count_of)


class _Ticker:
    """Calls ``tick`` once a deadline passes, from one background thread kept for reuse."""

    def __init__(self, tick: Callable[[], None]) -> None:
        self._tick = tick
        self._wake = threading.Condition(threading.Lock())
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def armed(self) -> bool:
        return self._deadline is not None

    def arm(self, delay: float) -> None:
        """Tick ``delay`` seconds from now, unless a tick is already due sooner."""
        with self._wake:
            if self._deadline is not None:
                return
            self._deadline = time.perf_counter() + delay
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="nbassets-lineage-colours", daemon=True
                )
                self._thread.start()
            else:
                self._wake.notify()

    def disarm(self) -> None:
        with self._wake:
            self._deadline = None

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._deadline = None
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopped:
                    if self._deadline is None:
                        self._wake.wait()
                        continue
                    wait = self._deadline - time.perf_counter()
                    if wait <= 0:
                        break
                    self._wake.wait(wait)
                if self._stopped:
                    return
                self._deadline = None
            self._tick()


def _steps_of(registry: Registry) -> dict[str, tuple[AssetKey, ...]]:
    """Op name -> the assets its step makes; cached until definitions change."""
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


def partition_counts(registry: Registry, keys: list[AssetKey]) -> dict[AssetKey, str]:
    """``"19/31"`` (partitions materialized, stale ones included, of all) per partitioned key."""
    partitioned = _partitioned(registry)
    return {k: _count_text(registry, k) for k in keys if k in partitioned}


def _count_text(registry: Registry, key: AssetKey) -> str:
    summary = registry.partition_summary(key)
    done = summary.counts.get("materialized", 0) + summary.counts.get("stale", 0)
    return f"{done}/{summary.total}"


def _partitioned(registry: Registry) -> frozenset[AssetKey]:
    """The partitioned assets; cached until definitions change."""
    found: frozenset[AssetKey] | None = registry.run_cache.get("lineage_partitioned")
    if found is None:
        found = frozenset(
            k
            for d in registry.definitions
            if getattr(d, "partitions_def", None) is not None
            for k in d.keys
        )
        registry.run_cache["lineage_partitioned"] = found
    return found


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
        The follower; ``close()`` it (or close the widget) to stop following.
    """
    return RegistryFollower(widget, registry, selection, later=later)
