"""What the Assets panel shows about each asset: a compact row of the one asset summary.

Responsibilities:
- ``summarize``: one asset's row for the panel and the cell marks, projected
  from ``graph.summary.summarize_asset`` (the summary every view reads): status
  and its colour (the ``widgets.statuses`` palette the lineage widget draws
  with), why it is stale / failed / skipped, last run and duration, partition
  summary, group and kinds, and the notebook cell that defined it (``None``
  when the frontend sent no cell id, which the panel then says). History,
  source and metadata stay out: a row is sent for every changed asset.
- ``summaries``: every asset of a registry, in the registry's (graph) order.

Only data leaves here; the panel inserts every string as text.
"""

from __future__ import annotations

from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.graph.summary import AssetSummary, summarize_asset
from nbassets.widgets.statuses import STATUS_STYLES

__all__ = ["row_of", "summaries", "summarize"]


def _cell_id(entry: Any) -> str | None:
    origin = getattr(entry, "origin", None)
    if not isinstance(origin, dict):
        return None
    cell_id = origin.get("cell_id")
    return cell_id if isinstance(cell_id, str) and cell_id else None


def _defined_in(entry: Any) -> str:
    """Where the definition came from: a notebook cell, Python code, or an external spec."""
    if not isinstance(entry, AssetsDefinition):
        return "external"
    origin = entry.origin if isinstance(entry.origin, dict) else {}
    return "cell" if "source" in origin else "python"


def _why(summary: AssetSummary) -> list[str]:
    if summary.status in ("failed", "skipped") and summary.outcome is not None:
        return [summary.outcome[1]] if summary.outcome[1] else []
    if summary.status in ("stale", "partial"):
        return list(summary.stale_reasons)
    return []


def row_of(summary: AssetSummary, entry: Any) -> dict[str, Any]:
    """The panel's row for an asset summary (``entry``: the asset's definition)."""
    return {
        "key": summary.key.to_user_string(),
        "group": summary.group,
        "kinds": list(summary.kinds),
        "status": summary.status,
        "colour": STATUS_STYLES[summary.status].stroke,
        "why": _why(summary),
        "last_run": summary.last_run,
        "duration": summary.last_duration,
        "partitions": summary.partitions.text if summary.partitions is not None else "",
        "description": summary.description,
        "cell_id": _cell_id(entry),
        "defined_in": _defined_in(entry),
        "upstream": [k.to_user_string() for k in summary.upstream],
    }


def summarize(registry: Registry, key: AssetKey) -> dict[str, Any]:
    """The panel's row for ``key`` (which must be in ``registry``)."""
    return row_of(summarize_asset(registry, key), registry.definition_for(key))


def summaries(registry: Registry) -> list[dict[str, Any]]:
    """Every asset's row, in the registry's order."""
    return [summarize(registry, key) for key in registry.keys()]
