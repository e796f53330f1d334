"""The asset view: one asset's header, value, metadata, logs, definition and history.

Responsibilities:
- ``asset_payload``: read the registry and turn one asset into plain JSON data
  (DataFrames as a column/row table, figures as PNG, ``repr`` otherwise;
  typed metadata; numeric metadata across history as series for a chart).
- ``AssetViewWidget``: draw that payload with tabs (``static/asset_view.js``);
  every string is inserted as text, and markdown metadata is shown as its
  source text, never rendered as HTML.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import pathlib
from collections.abc import Callable, Mapping
from typing import Any

import anywidget
import traitlets

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.graph.summary import metadata_text, size_text, summarize_asset
from nbassets.widgets.logbook import LogBook
from nbassets.widgets.statuses import ordered_counts
from nbassets.widgets.themes import stylesheet

__all__ = ["AssetViewWidget", "asset_payload", "value_payload"]

STATIC = pathlib.Path(__file__).parent / "static"
TABLE_ROWS = 50
TEXT_LIMIT = 20_000


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def value_payload(value: Any) -> dict[str, Any]:
    """A value as the view draws it: a table, an image or text."""
    to_frame = getattr(value, "to_frame", None)
    label = "DataFrame"
    if callable(to_frame) and not hasattr(value, "columns"):
        # A Series is drawn as a one-column table, and named as what it is.
        label = f"{type(value).__name__} of {len(value)}"
        value = to_frame()
    columns = getattr(value, "columns", None)
    if columns is not None and hasattr(value, "head") and hasattr(value, "itertuples"):
        head = value.head(TABLE_ROWS)
        shape = getattr(value, "shape", (len(head), len(columns)))
        if label == "DataFrame":
            label = f"{type(value).__name__} {'x'.join(str(n) for n in shape)}"
        cells, align = _formatted(head)
        return {
            "kind": "table",
            "label": label,
            "columns": [str(head.index.name or "")] + [str(c) for c in columns],
            "rows": cells,
            "align": align,
            "shape": "x".join(str(n) for n in shape),
            "truncated": len(value) > TABLE_ROWS,
        }
    png: bytes | None = None
    if hasattr(value, "savefig"):
        buffer = io.BytesIO()
        value.savefig(buffer, format="png", bbox_inches="tight")
        png = buffer.getvalue()
    elif callable(getattr(value, "_repr_png_", None)):
        data = value._repr_png_()
        png = data if isinstance(data, bytes) else None
    if png is not None:
        return {"kind": "image", "mime": "image/png", "data": base64.b64encode(png).decode()}
    return {"kind": "text", "text": _clip(repr(value)), "type": type(value).__name__}


def _formatted(head: Any) -> tuple[list[list[str]], list[str]]:
    """A frame's rows as pandas prints them (index first), and each column's alignment.

    pandas' own formatter gives one float precision per column, ``NaN``/``NaT``/``None``
    as pandas writes them and dates without a midnight time; numbers, dates and
    booleans are right-aligned, text left. Frames pandas cannot format fall back to
    ``str`` of each cell, left-aligned.
    """
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is None or not isinstance(head, pandas.DataFrame):
        rows = [[_clip(str(c), 200) for c in row] for row in head.itertuples()]
        return rows, ["left"] * (len(head.columns) + 1)
    from pandas.api import types

    try:
        from pandas.arrays import NumpyExtensionArray
    except ImportError:  # pandas < 2.1 calls it PandasArray
        from pandas.arrays import PandasArray as NumpyExtensionArray
    from pandas.io.formats.format import format_array

    series = [head.index.to_series(), *(head.iloc[:, i] for i in range(head.shape[1]))]
    columns: list[list[str]] = []
    align: list[str] = []
    for column in series:
        # A NumPy column formats as a NumPy array (one precision per column, as printed).
        values = column.array
        if isinstance(values, NumpyExtensionArray):
            values = values.to_numpy()
        try:
            texts = [t.strip() for t in format_array(values, None, leading_space=False)]
        except Exception:  # noqa: BLE001 - an exotic extension type: plain str() still shows it
            texts = [str(v) for v in values]
        columns.append([_clip(t, 200) for t in texts])
        dtype = column.dtype
        figures = (
            types.is_numeric_dtype(dtype)
            or types.is_datetime64_any_dtype(dtype)
            or types.is_timedelta64_dtype(dtype)
        )
        align.append("right" if figures else "left")
    return [list(row) for row in zip(*columns, strict=True)], align


def asset_payload(
    registry: Registry,
    key: AssetKey,
    *,
    sources: Mapping[str, str] | None = None,
    logs: LogBook | None = None,
) -> dict[str, Any]:
    """Everything the asset view shows about ``key``, as JSON-able data.

    The facts come from the asset's summary (``nbassets.graph.summary``); this
    adds the value, the metadata charts and the logs.
    """
    summary = summarize_asset(registry, key, sources)
    history = summary.history
    latest = summary.latest
    header: dict[str, Any] = {
        "key": summary.key.to_user_string(),
        "group": summary.group,
        "kinds": list(summary.kinds),
        "status": summary.status,
        "code_version": summary.code_version,
        "description": summary.description,
        "stale": list(summary.stale_reasons),
        "partitions": summary.partitions.text if summary.partitions is not None else "",
        "partition_counts": (
            ordered_counts(summary.partitions.counts) if summary.partitions is not None else []
        ),
        # Set in a persisted notebook, where a value comes from memory or from disk.
        "value_from": summary.value_from,
        "on_disk": size_text(summary.stored_size),
    }
    store = registry.instance.io_manager
    if latest is not None and store.has_value(summary.key, latest.partition):
        value = value_payload(store.values[(summary.key, latest.partition)])
        value["partition"] = latest.partition or ""
    else:
        value = {"kind": "none", "text": "Not materialized yet."}
    metadata = []
    if latest is not None:
        metadata = [
            {"name": name, "type": entry_.type_name, "text": _clip(metadata_text(entry_), 5000)}
            for name, entry_ in latest.metadata.items()
        ]
    series: dict[str, list[float]] = {}
    for record in history:
        for name, entry_ in record.metadata.items():
            if entry_.type_name in ("int", "float") and entry_.value is not None:
                series.setdefault(name, []).append(float(entry_.value))
    book = logs.lines.get(summary.key, ()) if logs is not None else ()
    outcome = summary.outcome
    return {
        "header": header,
        "outcome": {"status": outcome[0], "message": outcome[1]} if outcome else None,
        "value": value,
        "metadata": metadata,
        "series": [{"name": n, "values": v} for n, v in series.items() if len(v) >= 2],
        "logs": list(book),
        "definition": {
            "source": summary.source,
            "upstream": [p.to_user_string() for p in summary.upstream],
            "downstream": [c.to_user_string() for c in summary.downstream],
            "checks": list(summary.checks),
            "diff": summary.code_change.diff if summary.code_change is not None else "",
        },
        "history": [
            [
                _when(r.timestamp),
                r.run_id[:8],
                r.partition or "",
                f"{r.duration:.3f}s",
                r.code_version or "",
                ", ".join(f"{n}={metadata_text(m)[:40]}" for n, m in list(r.metadata.items())[:4]),
            ]
            for r in reversed(history)
        ],
    }


class AssetViewWidget(anywidget.AnyWidget):
    """One asset: header, then tabs for value, metadata, logs, definition and history."""

    _esm = STATIC / "asset_view.js"
    _css = stylesheet("asset_view.css")

    data = traitlets.Dict().tag(sync=True)
    tab = traitlets.Unicode("value").tag(sync=True)

    def __init__(self, data: dict[str, Any], text: str = "", **kwargs: Any) -> None:
        """Build the view from ``asset_payload`` data; ``text`` is the plain-text fallback."""
        self.text_fallback = text
        self._close_callbacks: list[Callable[[], Any]] = []
        self._open_callbacks: list[Callable[[str], Any]] = []
        super().__init__(data=data, **kwargs)
        self.on_msg(self._handle_message)

    def on_open(self, callback: Callable[[str], Any]) -> None:
        """Call ``callback(key)`` (a user string) when an upstream or downstream link is clicked."""
        self._open_callbacks.append(callback)

    def _handle_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        key = content.get("key")
        definition = self.data.get("definition", {})
        linked = [*definition.get("upstream", []), *definition.get("downstream", [])]
        # Only a key this view links to: the page cannot make it open anything else.
        if content.get("action") == "open" and isinstance(key, str) and key in linked:
            for callback in self._open_callbacks:
                callback(key)

    def on_close(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` once when the widget is closed (e.g. to stop following)."""
        self._close_callbacks.append(callback)

    def close(self) -> None:
        """Close the widget and run the ``on_close`` callbacks."""
        # getattr: ipywidgets closes from __del__ even when __init__ raised early.
        callbacks, self._close_callbacks = getattr(self, "_close_callbacks", []), []
        for callback in callbacks:
            callback()
        super().close()

    def __repr__(self) -> str:
        return f"<AssetViewWidget: {self.data.get('header', {}).get('key', '?')}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        header = self.data.get("header", {})
        text = self.text_fallback or f"{header.get('key', '')} [{header.get('status', '')}]"
        return {**data, "text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"}, (
            metadata
        )
