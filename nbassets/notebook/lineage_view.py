"""``%assets lineage`` and ``nbassets.lineage()``: the live lineage graph.

Responsibilities:
- In a frontend that renders widgets: a ``LineageView`` (the lineage widget
  following the registry, plus an output area under it). Its materialize
  buttons run through ``run_in_notebook`` (values bound, progress shown under
  the graph); a double-click opens the asset view there.
- Elsewhere (terminals, no widget manager): a static SVG with a text fallback.
- Without any Graphviz (system ``dot`` or the WebAssembly build), or when the
  layout fails: the text tree, and why.
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from nbassets.definitions.keys import AssetKey
from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry, get_registry
from nbassets.notebook.displays import asset_display
from nbassets.notebook.frontend import renders_widgets
from nbassets.notebook.runs import run_in_notebook
from nbassets.notebook.text_views import LineageText, StaticLineage
from nbassets.widgets.layout import compute_layout, static_svg
from nbassets.widgets.lineage import LineageWidget
from nbassets.widgets.live import drawn_keys, follow_registry, partition_counts

__all__ = ["LineageView", "lineage", "lineage_view"]


def _text(registry: Registry, keys: list[Any]) -> list[str]:
    lines = []
    for key in keys:
        parents = [p.to_user_string() for p in registry.graph.parents(key)]
        arrow = f"  <- {', '.join(parents)}" if parents else ""
        lines.append(f"{key.to_user_string()} [{registry.status(key)}]{arrow}")
    return lines or ["No assets defined yet."]


class LineageView(ipywidgets.VBox):  # type: ignore[misc]
    """The live lineage widget with an output area for runs and the asset view.

    ``view.lineage`` is the ``LineageWidget``; ``view.selected`` its selection.
    """

    def __init__(self, registry: Registry, user_ns: dict[str, Any], selection: str | None) -> None:

        keys = drawn_keys(registry, selection)
        self.registry = registry
        self.user_ns = user_ns
        self.lineage = LineageWidget(
            registry.graph,
            keys=keys,
            statuses={k: registry.status(k) for k in keys},
            counts=partition_counts(registry, keys),
        )
        self.output = ipywidgets.Output()
        self._opened: Any = None
        self.follower = follow_registry(self.lineage, registry, selection)
        self.lineage.on_materialize(self._materialize)
        self.lineage.on_open(self._open)
        super().__init__(children=[self.lineage, self.output])

    @property
    def selected(self) -> list[str]:
        return [str(name) for name in self.lineage.selected]

    @selected.setter
    def selected(self, value: list[Any]) -> None:
        self.lineage.selected = value

    def __repr__(self) -> str:
        return repr(self.lineage)

    def close(self) -> None:
        # ipywidgets closes from __del__ even when __init__ raised before these existed.
        self._close_opened()
        for part in (getattr(self, "lineage", None), getattr(self, "output", None)):
            if part is not None:
                part.close()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        # ipywidgets returns the data alone; anywidget a (data, metadata) pair.
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        keys = [n.key for n in self.lineage.layout_data.nodes]
        text = "\n".join(_text(self.registry, keys))
        from nbassets.widgets.layout import static_html

        svg = self.lineage.to_svg()
        picture = {"text/plain": text, "image/svg+xml": svg, "text/html": static_html(svg)}
        return {**data, **picture}, metadata

    def _materialize(self, keys: list[AssetKey], mode: Any) -> None:
        widget = self.lineage
        chosen = widget.keys_for_mode(keys, mode)
        if not chosen:
            widget.message = "Nothing to materialize: the selection holds only external assets."
            return
        widget.running = True
        widget.message = f"Materializing {len(chosen)} asset(s)…"
        self.output.clear_output()
        try:
            with self.output:
                result = run_in_notebook(
                    self.registry,
                    self.user_ns,
                    selection=chosen,
                    raise_on_error=False,
                    progress="widget",
                )
        except Exception as error:  # noqa: BLE001 - shown to the user in the widget, not lost
            widget.message = f"Could not run: {error}"
            return
        finally:
            widget.running = False
        failures = result.get_step_failure_events()
        done = len(result.get_step_success_events())
        parts = [f"{done} step(s) materialized"]
        if failures:
            first = failures[0]
            parts.append(f"{first.step_key} failed: {first.step_failure_data.error.message}")
        skipped = len(result.get_step_skipped_events())
        if skipped:
            parts.append(f"{skipped} skipped")
        widget.message = " · ".join(parts)

    def _open(self, key: AssetKey) -> None:
        self._close_opened()
        self.output.clear_output()
        with self.output:
            from IPython.display import display

            self._opened = asset_display(self.registry, key, _sources_of)
            display(self._opened)  # type: ignore[no-untyped-call]

    def _close_opened(self) -> None:
        # The asset view opened last follows the registry: it goes when replaced.
        opened, self._opened = getattr(self, "_opened", None), None
        if opened is not None and hasattr(opened, "close"):
            opened.close()


def _sources_of(key: AssetKey) -> dict[str, str]:
    """The cell sources ``key`` ran with, by code version: the asset view diffs them."""
    from IPython import get_ipython

    from nbassets.notebook.state import state_of

    shell = get_ipython()
    return state_of(shell).sources.get(key, {}) if shell is not None else {}


def lineage_view(
    registry: Registry, selection: str | None, user_ns: dict[str, Any] | None = None
) -> Any:
    """What ``%assets lineage [SELECTION]`` shows in this frontend.

    Raises:
        SelectionError: ``selection`` does not parse or names unknown assets.
    """
    keys = drawn_keys(registry, selection)
    text = _text(registry, keys)
    try:
        if renders_widgets():
            from nbassets.notebook.live_views import remember

            view = LineageView(registry, user_ns if user_ns is not None else {}, selection)
            remember(view)
            return view

        layout = compute_layout(registry.graph, keys)
        svg = static_svg(layout, {k: registry.status(k) for k in keys})
    except NbAssetsError as error:
        # The selection was resolved above, so what failed here is the layout
        # (no Graphviz at all, or one that gave up): the text tree still answers.
        return LineageText(text, f"({error})")
    return StaticLineage(svg, "\n".join(text))


def lineage(selection: str | None = None) -> Any:
    """Show the lineage of this kernel's assets (``selection`` of them, if given).

    In Jupyter this is the live, clickable graph; in a terminal a picture or text.

    Args:
        selection: A selection string, e.g. ``"orders+"`` or ``"group:sales"``.
    """
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    user_ns = shell.user_ns if shell is not None else {}
    return lineage_view(get_registry(), selection, user_ns)
