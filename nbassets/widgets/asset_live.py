"""Keep an asset view in step with the registry: its header follows later runs.

Responsibilities:
- ``follow_asset``: after a run ends, a status change outside runs (``accept``,
  a ``--no-run`` redefinition, a wipe) or a definition change, compute the
  view's data again, once and later (``Deferred``: after the cell, or after the
  button's run), and send it only if something changed. The status, why it is
  stale, the partition counts, the value and the history all follow.
- Say so in the view when its asset is no longer defined.
- Stop when the widget closes.

Step events are ignored (one check each): the view is redrawn when a run ends,
not per step, so an open asset view costs a run nothing measurable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.engine.events import EventType, RunEvent
from nbassets.graph.registry import Registry, RegistryEvent
from nbassets.widgets.asset_view import AssetViewWidget
from nbassets.widgets.deferred import Deferred, deferred

__all__ = ["AssetViewFollower", "follow_asset"]

_RUN_ENDS = frozenset({EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED})

Payload = Callable[[], dict[str, Any]]


class AssetViewFollower:
    """A registry listener that recomputes one asset view's data after changes."""

    def __init__(
        self,
        widget: AssetViewWidget,
        registry: Registry,
        key: AssetKey,
        payload: Payload,
        *,
        later: Deferred | None = None,
    ) -> None:
        self.widget = widget
        self.registry = registry
        self.key = key
        self.refreshes = 0
        self._payload = payload
        self._later = later if later is not None else deferred()
        self._unsubscribe: Callable[[], None] | None = registry.subscribe(self)
        widget.on_close(self.close)

    @property
    def following(self) -> bool:
        return self._unsubscribe is not None

    def close(self) -> None:
        """Stop following (idempotent)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._later.cancel(self.refresh)

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunEvent):
            if event.event_type in _RUN_ENDS:
                self._later.request(self.refresh)
        elif isinstance(event, RegistryEvent):
            self._later.request(self.refresh)

    def refresh(self) -> None:
        """Compute the view's data now and send what changed."""
        if self._unsubscribe is None:
            return
        self.refreshes += 1
        if self.key not in self.registry:
            name = self.key.to_user_string()
            gone = f"{name} is no longer defined; this view shows it as it was."
            self.widget.data = {**self.widget.data, "gone": gone}
            return
        data = self._payload()
        if data != self.widget.data:
            self.widget.data = data


def follow_asset(
    widget: AssetViewWidget,
    registry: Registry,
    key: AssetKey,
    payload: Payload,
    *,
    later: Deferred | None = None,
) -> AssetViewFollower:
    """Keep ``widget`` showing ``payload()`` (the data of ``key``) as the registry changes.

    Args:
        widget: The asset view to keep current.
        registry: The registry to follow.
        key: The asset the view shows.
        payload: Computes the view's data now (``asset_payload`` with its sources).
        later: Where refreshes wait to be coalesced; the kernel's by default.

    Returns:
        The listener; ``close()`` it (or close the widget) to stop following.
    """
    return AssetViewFollower(widget, registry, key, payload, later=later)
