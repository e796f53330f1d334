"""The partition picker: a status strip over every partition of one asset.

Responsibilities:
- ``PartitionPicker``: sync the partition keys and one status letter per
  partition (a compact string, so thousands of partitions stay cheap) with
  ``static/partition_picker.js``, which draws them on a canvas and lets the user
  click or drag to select a key or a range (or type dates for time windows).
- Turn the page's requests into calls: "Materialize" runs the callbacks
  registered with ``on_materialize(callback(start, end))``; "Preview" loads the
  chosen partition's stored value into the view.
- Follow the registry: partitions turn "running" as their steps start and take
  their stored state when a run ends; unsubscribe when the widget closes.
"""

from __future__ import annotations

import html
import pathlib
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets
from ipywidgets import CallbackDispatcher

from nbassets.definitions.keys import AssetKey
from nbassets.engine.events import EventType, RunEvent
from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry, RegistryEvent
from nbassets.widgets.asset_view import value_payload
from nbassets.widgets.statuses import ordered_counts
from nbassets.widgets.themes import stylesheet

__all__ = ["STATE_LETTERS", "PartitionPicker"]

STATIC = pathlib.Path(__file__).parent / "static"
STATE_LETTERS = {
    "missing": "_",
    "materialized": "M",
    "stale": "S",
    "failed": "F",
    "running": "R",
    "skipped": "K",
}
_NAMES = {letter: name for name, letter in STATE_LETTERS.items()}
REFRESH_S = 0.1
_RUN_ENDS = frozenset({EventType.RUN_SUCCESS, EventType.RUN_FAILURE, EventType.RUN_CANCELED})

RangeCallback = Callable[[str, str], Any]


class PartitionPicker(anywidget.AnyWidget):
    """Pick a partition or a range of one partitioned asset, materialize it, preview it."""

    _esm = STATIC / "partition_picker.js"
    _css = stylesheet("partition_picker.css")

    asset = traitlets.Unicode("").tag(sync=True)
    partitions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    states = traitlets.Unicode("").tag(sync=True)
    # What each letter of ``states`` means (a status name of ``widgets.statuses``).
    letters = traitlets.Dict(_NAMES).tag(sync=True)
    # [[state, n], ...] in COUNT_ORDER: what the strip's legend says, in that order.
    counts = traitlets.List(traitlets.List()).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    dates = traitlets.Bool(False).tag(sync=True)
    preview = traitlets.Dict().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)

    def __init__(self, registry: Registry, key: AssetKey, **kwargs: Any) -> None:
        """Show the partitions of ``key`` in ``registry`` and follow its runs.

        Raises:
            PartitionError: ``key`` is not partitioned.
        """
        self._registry = registry
        self._key = key
        self._running: set[str] = set()
        self._last = 0.0
        self._callbacks = CallbackDispatcher()
        self._op = registry.graph.node(key).op or key.to_python_identifier()
        states = registry.partition_states(key)
        keys = list(states)
        letters = self._letters(states)
        super().__init__(
            asset=key.to_user_string(),
            partitions=keys,
            states=letters,
            counts=_counts(letters),
            dates=bool(keys) and all(_is_date_like(k) for k in (keys[0], keys[-1])),
            **kwargs,
        )
        self.on_msg(self._handle_message)
        self._unsubscribe: Callable[[], None] | None = registry.subscribe(self._on_event)

    def __repr__(self) -> str:
        return f"<PartitionPicker: {self.asset}, {len(self.partitions)} partitions>"

    def _letters(self, states: dict[str, str]) -> str:
        return "".join(
            "R" if p in self._running else STATE_LETTERS.get(s, "_") for p, s in states.items()
        )

    def refresh(self) -> None:
        """Read every partition's state from the registry again."""
        if self._key not in self._registry:
            return
        states = self._registry.partition_states(self._key)
        letters = self._letters(states)
        with self.hold_sync():
            if list(states) != self.partitions:
                self.partitions = list(states)
            self.states = letters
            self.counts = _counts(letters)

    def close(self) -> None:
        """Stop following the registry and close the widget."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()

    def on_materialize(self, callback: RangeCallback, *, remove: bool = False) -> None:
        """Call ``callback(start, end)`` (partition keys) when the user presses Materialize."""
        self._callbacks.register_callback(callback, remove=remove)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, RegistryEvent):
            if event.kind in ("removed", "reset") and self._key not in self._registry:
                self.message = f"{self.asset} is no longer defined."
            return
        if not isinstance(event, RunEvent):
            return
        kind = event.event_type
        mine = (event.step_key or "").split("[", 1)[0] == self._op
        if kind is EventType.STEP_START and mine and event.partition:
            self._running.add(event.partition)
        elif (
            mine
            and event.partition
            and kind in (EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED)
        ):
            self._running.discard(event.partition)
        elif kind in _RUN_ENDS:
            self._running.clear()
            self.refresh()
            return
        else:
            return
        now = time.perf_counter()
        if now - self._last >= REFRESH_S or kind is EventType.STEP_START:
            self._last = now
            self.refresh()

    @traitlets.observe("selected")
    def _selection_changed(self, change: dict[str, Any]) -> None:
        # What the last run said and the last preview belong to the old selection.
        if change["old"] != change["new"] and not self.running:
            self.message = ""
            if self.preview.get("partition") not in self.selected:
                self.preview = {}

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action == "materialize" and len(self.selected) == 2:
            start, end = self.selected
            if start in self.partitions and end in self.partitions:
                self._callbacks(start, end)
        elif action == "preview" and content.get("partition") in self.partitions:
            self.show_preview(str(content["partition"]))

    def show_preview(self, partition: str) -> None:
        """Load the stored value of ``partition`` into the preview pane."""
        try:
            value = self._registry.value(self._key, partition=partition)
        except NbAssetsError as error:
            self.preview = {"partition": partition, "kind": "none", "text": str(error)}
            return
        self.preview = {"partition": partition, **value_payload(value)}

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, **self.static_bundle()}, metadata

    def static_bundle(self) -> dict[str, str]:
        """The picture nbconvert, GitHub and terminals show: counts, and the strip as SVG."""
        found = [_NAMES.get(letter, "missing") for letter in self.states]
        text = f"{self.asset}: {len(self.partitions)} partitions; " + ", ".join(
            f"{n} {s}" for s, n in self.counts
        )
        svg = strip_svg(self.partitions, found)
        return {
            "text/plain": text,
            "text/html": f"<div><p>{html.escape(text)}</p>{svg}</div>",
            "image/svg+xml": svg,
        }


def strip_svg(partitions: list[str], states: list[str], width: int = 640) -> str:
    """A status strip: one cell per partition, in the lineage's status colours.

    Under it an axis: up to five ticks with their partition keys (dates as dates),
    the first and the last always.
    """
    from nbassets.widgets.statuses import STATUS_STYLES

    n = max(len(partitions), 1)
    cell = width / n
    rects = []
    for i, state in enumerate(states):
        style = STATUS_STYLES.get(state, STATUS_STYLES["missing"])
        rects.append(
            f'<rect x="{i * cell:.2f}" y="0" width="{max(cell, 0.5):.2f}" height="18" '
            f'fill="{style.stroke}"><title>{html.escape(partitions[i])}: {state}</title></rect>'
        )
    ticks = axis_ticks(len(partitions), 5)
    marks = []
    for i in ticks:
        x = (i + 0.5) * cell
        anchor = "start" if i == ticks[0] else "end" if i == ticks[-1] else "middle"
        text_x = 0 if anchor == "start" else width if anchor == "end" else x
        marks.append(
            f'<line x1="{x:.2f}" y1="18" x2="{x:.2f}" y2="22" stroke="#6b7280"/>'
            f'<text x="{text_x:.2f}" y="33" text-anchor="{anchor}">'
            f"{html.escape(axis_label(partitions[i]))}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="38" '
        f'viewBox="0 0 {width} 38" font-family="sans-serif" font-size="11">'
        + "".join(rects)
        + "".join(marks)
        + "</svg>"
    )


def axis_ticks(count: int, most: int) -> list[int]:
    """Indices of at most ``most`` evenly spread ticks over ``count`` partitions, ends included."""
    if count <= 0:
        return []
    if count <= most:
        return list(range(count))
    if most < 2:
        return [0]
    return sorted({round(k * (count - 1) / (most - 1)) for k in range(most)})


def axis_label(key: str) -> str:
    """A partition key as an axis writes it: a daily key's date alone, others whole."""
    return key[:10] if _is_date_like(key) and key[10:] in ("", "-00:00") else key


def _counts(letters: str) -> list[list[Any]]:
    """``[[state, n], ...]`` over a strip, in ``COUNT_ORDER``."""
    return ordered_counts(Counter(_NAMES.get(letter, "missing") for letter in letters))


def _is_date_like(key: str) -> bool:
    head = key[:10]
    return len(head) == 10 and head[4] == "-" and head[7] == "-" and head.replace("-", "").isdigit()
