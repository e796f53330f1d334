"""The interactive lineage graph: an anywidget drawing a kernel-side graphviz layout.

Responsibilities:
- ``LineageWidget``: sync a layout, per-asset statuses, the selection and a
  ``running`` flag with ``static/lineage.js``; recolour without re-layout.
- Turn the front end's messages (materialize buttons, double-click) into calls
  of the callbacks registered with ``on_materialize`` / ``on_open``.
- A static SVG in the mime bundle, so exports and plain IPython show a picture.

The widget reads only the read-only ``AssetGraph`` and knows nothing of the
engine: an engine (or the magics) wires itself in through the callbacks, and
pushes run progress with ``set_status`` / ``set_statuses`` and ``running``.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import anywidget
import traitlets
from ipywidgets import CallbackDispatcher

from nbassets.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_key
from nbassets.errors import InvalidInvocationError
from nbassets.graph.asset_graph import AssetGraph, AssetStatus
from nbassets.graph.topology import downstream_closure, topological_sort, upstream_closure
from nbassets.widgets.layout import Layout, compute_layout, static_html, static_svg
from nbassets.widgets.statuses import check_status, status_table
from nbassets.widgets.themes import stylesheet

__all__ = ["LineageWidget", "MaterializeMode"]

MaterializeMode = Literal["selected", "downstream", "upstream"]
MODES: tuple[MaterializeMode, ...] = ("selected", "downstream", "upstream")

STATIC = pathlib.Path(__file__).parent / "static"

MaterializeCallback = Callable[[list[AssetKey], MaterializeMode], Any]
OpenCallback = Callable[[AssetKey], Any]


class LineageWidget(anywidget.AnyWidget):
    """An asset lineage graph: status colours, selection, materialize buttons, zoom and search.

    ``selected`` holds user strings of keys (``"sales/orders"``), the spelling
    ``%materialize`` accepts; assign strings or ``AssetKey``s, read ``selected_keys``
    for ``AssetKey``s. ``statuses`` maps node ids (``"n0"``) to status names; change it
    through ``set_status`` / ``set_statuses``, which take keys.

    Example:
        >>> w = LineageWidget(graph)
        >>> w.on_materialize(lambda keys, mode: engine.run(keys, mode))
        >>> w.set_status("orders", "running")
    """

    _esm = STATIC / "lineage.js"
    _css = stylesheet("lineage.css")

    graph_layout = traitlets.Dict().tag(sync=True)
    # Node id -> status name. Checked by the methods that change it; runs send patches.
    statuses = traitlets.Dict().tag(sync=True)
    # Node id -> a short count drawn on the node ("19/31" partitions materialized).
    counts = traitlets.Dict().tag(sync=True)
    selected = traitlets.List(traitlets.Any()).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    status_styles = traitlets.List(traitlets.Dict()).tag(sync=True)
    # Pixel height of the drawing area; 0 sizes it to the graph, up to 520 px.
    height = traitlets.Int(0).tag(sync=True)
    # One line under the toolbar: what the last run did, or why it could not start.
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        graph: AssetGraph,
        *,
        keys: Iterable[CoercibleToAssetKey] | None = None,
        statuses: Mapping[CoercibleToAssetKey, str] | None = None,
        selected: Iterable[CoercibleToAssetKey] = (),
        counts: Mapping[Any, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """Lay out ``graph`` (or only ``keys`` of it) and build the widget.

        Args:
            graph: The asset graph to draw; read, never changed.
            keys: The assets to draw; all when ``None``.
            statuses: Initial status per key; otherwise ``graph.status(key)``.
            selected: Keys selected at first.
            counts: A short count per key drawn on its node (partitions materialized).
            **kwargs: Passed to ``anywidget.AnyWidget`` (e.g. ``height``).
        """
        self._graph = graph
        self._layout = compute_layout(
            graph, None if keys is None else [coerce_key(k) for k in keys]
        )
        self._materialize_callbacks = CallbackDispatcher()
        self._open_callbacks = CallbackDispatcher()
        self._close_callbacks: list[Callable[[], Any]] = []
        super().__init__(
            graph_layout=self._layout.to_json(),
            statuses=self._initial_statuses(statuses),
            counts=self._ids(counts or {}),
            status_styles=status_table(),
            **kwargs,
        )
        self.selected = list(selected)
        self.on_msg(self._handle_message)

    def __repr__(self) -> str:
        return f"<LineageWidget: {len(self._layout.nodes)} assets, {len(self.selected)} selected>"

    @property
    def graph(self) -> AssetGraph:
        return self._graph

    @property
    def layout_data(self) -> Layout:
        """The graphviz layout currently drawn."""
        return self._layout

    @property
    def selected_keys(self) -> list[AssetKey]:
        """The selection as ``AssetKey``s, in the order the user picked them."""
        return [AssetKey.from_user_string(str(name)) for name in self.selected]

    @traitlets.validate("selected")
    def _check_selected(self, proposal: dict[str, Any]) -> list[str]:
        names: list[str] = []
        for item in proposal["value"]:
            key = self._key(item)
            name = key.to_user_string()
            if name not in names:
                names.append(name)
        return names

    def _key(self, value: CoercibleToAssetKey) -> AssetKey:
        key = coerce_key(value)
        if key not in self._layout:
            raise self._graph.unknown(key, context="the lineage view")
        return key

    def _ids(self, mapping: Mapping[Any, str]) -> dict[str, str]:
        return {self._layout.id_for(self._key(k)): str(v) for k, v in mapping.items()}

    def _initial_statuses(self, given: Mapping[CoercibleToAssetKey, str] | None) -> dict[str, str]:
        if given is not None:
            out = {node.id: "missing" for node in self._layout.nodes}
            for key, status in given.items():
                out[self._layout.id_for(self._key(key))] = check_status(status)
            return out
        return {node.id: self._graph.status(node.key) for node in self._layout.nodes}

    def status_of(self, key: CoercibleToAssetKey) -> AssetStatus:
        """The status the widget currently shows for ``key``."""
        return check_status(self.statuses.get(self._layout.id_for(self._key(key)), "missing"))

    def set_status(self, key: CoercibleToAssetKey, status: str) -> None:
        """Recolour one asset. Only the ``statuses`` trait changes; nothing is laid out again.

        Raises:
            UnknownAssetError: ``key`` is not drawn.
            InvalidInvocationError: ``status`` is not a status name.
        """
        self.set_statuses({key: status})

    def set_statuses(self, mapping: Mapping[CoercibleToAssetKey, str]) -> None:
        """Recolour many assets in one message to the front end (assets not named keep theirs)."""
        shown = self.statuses
        changes: dict[str, str] = {}
        for key, status in mapping.items():
            node_id = self._layout.id_for(self._key(key))
            if shown.get(node_id) != status:
                changes[node_id] = check_status(status)
        self._patch_statuses(changes)

    def recolour(self, status_of: Callable[[AssetKey], str | None]) -> None:
        """Recolour every drawn asset from ``status_of(key)`` (``None`` keeps its colour).

        One message to the front end holding only the colours that changed; none if
        nothing did.
        """
        shown = self.statuses
        changes: dict[str, str] = {}
        for node in self._layout.nodes:
            status = status_of(node.key)
            if status is not None and shown.get(node.id) != status:
                changes[node.id] = check_status(status)
        self._patch_statuses(changes)

    def recount(self, count_of: Callable[[AssetKey], str | None]) -> None:
        """Redraw the counts on the nodes from ``count_of(key)`` (``None``: no count).

        One message holding only the counts that changed; none if nothing did.
        """
        shown = self.counts
        changes: dict[str, str] = {}
        for node in self._layout.nodes:
            count = count_of(node.key) or ""
            if shown.get(node.id, "") != count:
                changes[node.id] = count
        if changes:
            self.counts.update(changes)
            self.send({"type": "counts", "counts": changes})

    def _patch_statuses(self, changes: dict[str, str]) -> None:
        """Apply ``changes`` here and send only them to the page.

        ``statuses`` is updated in place, so the whole mapping is not sent again
        (a 1,000-asset graph would send every status for each recolour); the page
        merges the patch into its model (``static/lineage.js``), which is what a
        saved notebook keeps. A view drawn later starts from the merged mapping.
        """
        if not changes:
            return
        self.statuses.update(changes)
        self.send({"type": "statuses", "statuses": changes})

    def set_graph(
        self,
        graph: AssetGraph,
        keys: Iterable[CoercibleToAssetKey] | None = None,
        statuses: Mapping[CoercibleToAssetKey, str] | None = None,
        counts: Mapping[Any, str] | None = None,
    ) -> None:
        """Draw a new graph (after definitions changed), coloured by ``statuses``.

        Without ``statuses``, assets still drawn keep their status; all stay selected.
        """
        old_layout, old_statuses = self._layout, dict(self.statuses)
        old_selected = list(self.selected)
        self._graph = graph
        self._layout = compute_layout(
            graph, None if keys is None else [coerce_key(k) for k in keys]
        )
        drawn = self._initial_statuses(statuses)
        if statuses is None:
            for node in old_layout.nodes:
                if node.key in self._layout and node.id in old_statuses:
                    drawn[self._layout.id_for(node.key)] = old_statuses[node.id]
        with self.hold_sync():
            self.graph_layout = self._layout.to_json()
            self.statuses = drawn
            self.counts = self._ids(counts or {})
            self.selected = [
                n for n in old_selected if AssetKey.from_user_string(str(n)) in self._layout
            ]

    def keys_for_mode(
        self, keys: Iterable[CoercibleToAssetKey], mode: MaterializeMode
    ) -> list[AssetKey]:
        """``keys`` widened by ``mode`` the way the buttons mean it, in topological order.

        ``"selected"`` is the keys alone, ``"downstream"`` adds every descendant
        and ``"upstream"`` every ancestor. External assets are left out: nbassets
        cannot materialize them.
        """
        if mode not in MODES:
            raise InvalidInvocationError(
                f"Unknown materialize mode {mode!r}; use one of {', '.join(MODES)}."
            )
        roots = [self._key(k) for k in keys]
        if mode == "downstream":
            chosen = downstream_closure(self._graph, roots)
        elif mode == "upstream":
            chosen = upstream_closure(self._graph, roots)
        else:
            chosen = set(roots)
        keep = {k for k in chosen if not self._graph.node(k).is_external}
        return topological_sort(self._graph, keep)

    def on_materialize(self, callback: MaterializeCallback, *, remove: bool = False) -> None:
        """Call ``callback(keys, mode)`` when the user presses a materialize button.

        ``keys`` are the ``AssetKey``s selected when the button was pressed;
        ``mode`` is ``"selected"``, ``"downstream"`` or ``"upstream"`` for
        "Materialize selected", "+ downstream" and "+ upstream". The callback
        decides what to run (``keys_for_mode`` widens the keys by mode).
        An exception in the callback is shown as a traceback, not swallowed.
        """
        self._materialize_callbacks.register_callback(callback, remove=remove)

    def on_open(self, callback: OpenCallback, *, remove: bool = False) -> None:
        """Call ``callback(key)`` when the user double-clicks an asset."""
        self._open_callbacks.register_callback(callback, remove=remove)

    def on_close(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` once when the widget is closed (e.g. to unsubscribe)."""
        self._close_callbacks.append(callback)

    def close(self) -> None:
        """Close the widget and run the ``on_close`` callbacks."""
        # getattr: ipywidgets closes from __del__ even when __init__ raised early.
        callbacks, self._close_callbacks = getattr(self, "_close_callbacks", []), []
        for callback in callbacks:
            callback()
        super().close()

    def to_svg(self) -> str:
        """The graph as a standalone SVG with the current status colours."""
        by_id = {node.id: node.key for node in self._layout.nodes}
        return static_svg(
            self._layout, {by_id[i]: s for i, s in self.statuses.items() if i in by_id}
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        # Frontends with a widget manager prefer the widget view; nbconvert, GitHub and
        # frontends without one fall back to the picture.
        # text/html too: VS Code, GitHub and nbviewer pick HTML over SVG when the widget
        # state was not saved, and the same picture should show there.
        svg = self.to_svg()
        return {**data, "image/svg+xml": svg, "text/html": static_html(svg)}, metadata

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action == "materialize" and content.get("mode") in MODES:
            keys = [self._key(k) for k in content.get("keys", [])]
            if keys:
                self._materialize_callbacks(keys, content["mode"])
        elif action == "open" and isinstance(content.get("key"), str):
            self._open_callbacks(self._key(content["key"]))
        else:
            self.log.warning("LineageWidget ignored an unknown message: %r", content)
