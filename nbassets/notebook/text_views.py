"""Text views: what ``%assets`` shows as text and HTML, in any frontend.

Responsibilities:
- Plain objects with ``_repr_html_`` for Jupyter and ``__repr__`` text for
  terminals, built from the registry; every user-controlled string escaped:
  the catalog, one asset (with "why stale" and the code diff when the cell's
  source changed), its history, and the lineage as a picture or a text tree.
- Nothing here is a widget; ``displays`` chooses between these and widgets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.graph.summary import summarize_asset
from nbassets.notebook.progress import describe_value, metadata_summary
from nbassets.widgets.statuses import STATUS_STYLES

__all__ = ["AssetView", "Catalog", "History", "LineageText", "StaticLineage", "Table"]


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


class Table:
    """Rows of strings shown as an HTML table or aligned text."""

    # Columns of figures, right-aligned (header too) so their digits line up; the rest left.
    RIGHT = frozenset({"duration", "on disk"})

    def __init__(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = ""
    ) -> None:
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.title = title

    def _align(self, header: str) -> str:
        return "right" if header in self.RIGHT else "left"

    def __repr__(self) -> str:
        if not self.rows and self.title:
            return self.title  # headers over nothing say nothing
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        lines = [self.title] if self.title else []
        right = [h in self.RIGHT for h in self.headers]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                c.rjust(w) if r else c.ljust(w)
                for c, w, r in zip(cells, widths, right, strict=True)
            )

        lines.append(line(self.headers))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(line(row) for row in self.rows)
        return "\n".join(lines).rstrip()

    def _cell(self, header: str, value: str) -> str:
        text = html.escape(value)
        # Every cell says its alignment: JupyterLab right-aligns table cells by default.
        style = f"text-align:{self._align(header)}"
        if header == "status" and value in STATUS_STYLES:
            colour = STATUS_STYLES[value].stroke
            return (
                f'<td style="{style}"><span style="color:{colour};font-weight:600">'
                f"{text}</span></td>"
            )
        return f'<td style="{style}">{text}</td>'

    def _repr_html_(self) -> str:
        if not self.rows and self.title:
            return f"<div class='nbassets-table'><i>{html.escape(self.title)}</i></div>"
        head = "".join(
            f'<th style="text-align:{self._align(h)}">{html.escape(h)}</th>' for h in self.headers
        )
        body = "".join(
            "<tr>"
            + "".join(self._cell(h, c) for h, c in zip(self.headers, row, strict=True))
            + "</tr>"
            for row in self.rows
        )
        title = f"<b>{html.escape(self.title)}</b>" if self.title else ""
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        return f"<div class='nbassets-table'>{title}{table}</div>"


class Catalog(Table):
    """Every asset: key, group, kinds, status, last run, duration, partitions."""

    def __init__(self, registry: Registry) -> None:
        from nbassets.notebook.value_origin import describe_origin, size_on_disk

        persisted = registry.instance.store is not None
        rows = []
        for key in registry.keys():
            entry = registry.definition_for(key)
            node = registry.graph.node(key)
            latest = registry.instance.get_latest_materialization_event(key)
            partitions = ""
            if getattr(entry, "partitions_def", None) is not None:
                partitions = str(registry.partition_summary(key))
            row = [
                key.to_user_string(),
                node.group_name,
                ", ".join(sorted(node.kinds)),
                registry.status(key),
                _when(latest.timestamp if latest else None),
                f"{latest.duration:.3f}s" if latest else "",
                partitions,
            ]
            if persisted:
                # Only a persisted notebook has two places a value can come from.
                row += [describe_origin(registry, key), size_on_disk(registry, key)]
            rows.append(row)
        title = f"{len(rows)} assets" if rows else "No assets defined yet: write an %%asset cell."
        headers = ["key", "group", "kinds", "status", "last run", "duration", "partitions"]
        if persisted:
            headers += ["value from", "on disk"]
            title += f" (stored in {registry.instance.store.root})" if rows else ""
        super().__init__(headers, rows, title)


class History(Table):
    def __init__(self, registry: Registry, key: AssetKey) -> None:
        rows = [
            [
                _when(r.timestamp),
                r.run_id[:8],
                r.partition or "",
                f"{r.duration:.3f}s",
                r.code_version or "",
                metadata_summary(r.metadata) + (" (accepted)" if r.accepted else ""),
            ]
            for r in reversed(registry.instance.history(key))
        ]
        title = f"History of {key.to_user_string()}: {len(rows)} materialization(s)"
        super().__init__(["when", "run", "partition", "duration", "code", "metadata"], rows, title)


class AssetView:
    """``%assets show KEY``: the asset's summary as text and HTML, with its value."""

    def __init__(self, registry: Registry, key: AssetKey, sources: dict[str, str]) -> None:
        summary = summarize_asset(registry, key, sources)
        self.summary = summary
        self.key = summary.key
        self.status = summary.status
        self.reasons = list(summary.stale_reasons)
        self.lines: list[tuple[str, str]] = [("status", summary.status), ("group", summary.group)]
        if summary.kinds:
            self.lines.append(("kinds", ", ".join(summary.kinds)))
        if not summary.is_external:
            if summary.description:
                self.lines.append(("description", summary.description))
            self.lines.append(("code version", summary.code_version))
        self.lines.append(("upstream", _names(summary.upstream)))
        self.lines.append(("downstream", _names(summary.downstream)))
        if summary.outcome is not None:
            self.lines.append(summary.outcome)
        if summary.partitions is not None:
            self.lines.append(("partitions", summary.partitions.text))
            for state, chosen in (
                ("failed", summary.partitions.failed),
                ("stale", summary.partitions.stale),
            ):
                if chosen:
                    shown = ", ".join(chosen[:8]) + (
                        f" … ({len(chosen)} in all)" if len(chosen) > 8 else ""
                    )
                    self.lines.append((f"{state} partitions", shown))
        self.value_text = ""
        latest = summary.latest
        if latest is not None:
            self.lines.append(("last run", f"{_when(latest.timestamp)} ({latest.duration:.3f}s)"))
            if summary.value_from:
                from nbassets.notebook.value_origin import size_text

                self.lines.append(("value from", summary.value_from))
                if summary.stored_size is not None:
                    size = size_text(summary.stored_size)
                    self.lines.append(("on disk", f"{size} ({summary.stored_format})"))
            meta = metadata_summary(latest.metadata, limit=12)
            if meta:
                self.lines.append(("metadata", meta))
            if registry.instance.io_manager.has_value(key, latest.partition):
                value = registry.instance.io_manager.values[(key, latest.partition)]
                # A partitioned asset shows its latest partition: say which one.
                where = f" (partition {latest.partition})" if latest.partition else ""
                self.value_text = f"{describe_value(value)}{where}\n{_preview(value)}"
        self.diff = summary.code_change.diff if summary.code_change is not None else ""
        self.source = summary.source

    def __repr__(self) -> str:
        out = [f"{self.key.to_user_string()}"]
        out += [f"  {name}: {value}" for name, value in self.lines]
        if self.reasons:
            out.append("  stale because: " + "; ".join(self.reasons))
        if self.diff:
            out.append("  code change:\n" + _indent(self.diff))
        if self.value_text:
            out.append("  value: " + _indent(self.value_text).lstrip())
        if self.source:
            out.append("  definition:\n" + _indent(self.source))
        return "\n".join(out)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(n)}</th><td>{html.escape(v)}</td></tr>"
            for n, v in self.lines
        )
        parts = [f"<h4>{html.escape(self.key.to_user_string())}</h4><table>{rows}</table>"]
        if self.reasons:
            items = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
            parts.append(f"<p><b>Stale because</b></p><ul>{items}</ul>")
        if self.diff:
            parts.append(f"<p><b>Code change</b></p><pre>{html.escape(self.diff)}</pre>")
        if self.value_text:
            parts.append(f"<p><b>Value</b></p><pre>{html.escape(self.value_text)}</pre>")
        if self.source:
            parts.append(f"<p><b>Definition</b></p><pre>{html.escape(self.source)}</pre>")
        return "<div class='nbassets-asset'>" + "".join(parts) + "</div>"


def _names(keys: Sequence[AssetKey]) -> str:
    return ", ".join(k.to_user_string() for k in keys) or "none"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


def _preview(value: Any, limit: int = 600) -> str:
    head = getattr(value, "head", None)
    if callable(head):
        with contextlib.suppress(TypeError):
            value = head(10)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StaticLineage:
    """An SVG for Jupyter with a text fallback for terminals."""

    def __init__(self, svg: str, text: str) -> None:
        self.svg = svg
        self.text = text

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return self.text


class LineageText:
    """Assets in graph order with their upstreams, for terminals or without graphviz."""

    def __init__(self, lines: list[str], note: str = "") -> None:
        self.lines = lines
        self.note = note

    def __repr__(self) -> str:
        return "\n".join(self.lines + ([self.note] if self.note else []))

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"
