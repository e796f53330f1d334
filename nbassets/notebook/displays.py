"""Displays: a widget where the frontend renders widgets, a text view elsewhere.

Responsibilities:
- ``asset_display``: the asset view widget (with the text view as its
  fallback) or the text view, for ``%assets show`` and a lineage double-click.
  The widget follows the registry (its header follows later runs) until the
  cell that showed it runs again.
- ``partition_display``: the partition picker, whose button runs the range it
  shows through ``run_in_notebook``; nothing in terminals.

The widget modules load on first display (they pull anywidget), keeping
``%load_ext nbassets`` fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.notebook.frontend import renders_widgets
from nbassets.notebook.runs import run_in_notebook
from nbassets.notebook.text_views import AssetView

__all__ = ["asset_display", "partition_display"]


def asset_display(
    registry: Registry,
    key: AssetKey,
    sources_of: Callable[[AssetKey], dict[str, str]] | None = None,
) -> Any:
    """What ``%assets show`` (and a double-click on the lineage) shows for ``key``.

    ``sources_of(key)`` gives the cell sources an asset ran with, by code version
    (the view diffs them); it is asked again each time the view follows a change.
    The view's upstream and downstream links open those assets in the same view.
    """
    sources = sources_of(key) if sources_of is not None else {}
    text_view = AssetView(registry, key, sources)
    if not renders_widgets():
        return text_view
    from nbassets.widgets.asset_live import follow_asset
    from nbassets.widgets.asset_view import AssetViewWidget, asset_payload
    from nbassets.widgets.logbook import logbook_for

    def payload() -> dict[str, Any]:
        shown = follower.key
        fresh = sources_of(shown) if sources_of is not None else {}
        return asset_payload(registry, shown, sources=fresh, logs=logbook_for(registry))

    view = AssetViewWidget(
        asset_payload(registry, key, sources=sources, logs=logbook_for(registry)),
        repr(text_view),
    )
    follower = follow_asset(view, registry, key, payload)

    def open_neighbour(name: str) -> None:
        follower.key = registry.resolve_key(name)
        view.data = payload()

    view.on_open(open_neighbour)
    return view


def partition_display(registry: Registry, key: AssetKey, user_ns: dict[str, Any]) -> Any:
    """The partition picker of ``key`` with its runs' progress under it; ``None`` in terminals."""
    if not renders_widgets():
        return None
    import ipywidgets

    from nbassets.widgets.partition_picker import PartitionPicker

    picker = PartitionPicker(registry, key)
    output = ipywidgets.Output()

    def materialize(start: str, end: str) -> None:
        picker.running = True
        picker.message = f"Materializing {start} … {end}"
        output.clear_output()
        try:
            with output:
                result = run_in_notebook(
                    registry,
                    user_ns,
                    selection=[key],
                    partition_key_range=(start, end),
                    raise_on_error=False,
                    progress="widget",
                )
        except Exception as error:  # noqa: BLE001 - shown in the picker, not lost
            picker.message = f"Could not run: {error}"
            return
        finally:
            picker.running = False
            picker.refresh()
        done = len(result.get_step_success_events())
        failed = len(result.get_step_failure_events())
        picker.message = f"{done} step(s) materialized" + (f", {failed} failed" if failed else "")

    picker.on_materialize(materialize)
    from nbassets.notebook.partition_view import PartitionView

    return PartitionView(picker, output)
