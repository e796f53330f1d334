"""What the Assets panel shows about each asset, as plain JSON data.

Responsibilities:
- ``summarize``: one asset's row for the panel and the cell marks: status and
  its colour (the ``widgets.statuses`` palette the lineage widget draws with),
  why it is stale / failed / skipped, last run and duration, partition summary,
  group and kinds, and the notebook cell that defined it (``None`` when the
  frontend sent no cell id, which the panel then says).
- ``summaries``: every asset of a registry, in the registry's (graph) order.

Only data leaves here; the panel inserts every string as text.
"""

from __future__ import annotations

from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.widgets.statuses import STATUS_STYLES

__all__ = ["summaries", "summarize"]


def _cell_id(entry: Any) -> str | None:
    origin = getattr(entry, "origin", None)
    if not isinstance(origin, dict):
        return None
    cell_id = origin.get("cell_id")
    return cell_id if isinstance(cell_id, str) and cell_id else None


def _defined_in(entry: Any) -> str:
    """Where the definition came from: a notebook cell, a function, or an external spec."""
    if not isinstance(entry, AssetsDefinition):
        return "external"
    origin = entry.origin if isinstance(entry.origin, dict) else {}
    return "cell" if "source" in origin else "python"


def _why(registry: Registry, key: AssetKey, status: str) -> list[str]:
    if status in ("failed", "skipped"):
        outcome = registry.instance.outcome(key)
        if outcome is not None and outcome.message:
            return [outcome.message]
    if status in ("stale", "partial"):
        return list(registry.stale_reasons(key))
    return []


def summarize(registry: Registry, key: AssetKey) -> dict[str, Any]:
    """The panel's row for ``key`` (which must be in ``registry``)."""
    entry = registry.definition_for(key)
    node = registry.graph.node(key)
    status = registry.status(key)
    latest = registry.instance.get_latest_materialization_event(key)
    partitions = ""
    if getattr(entry, "partitions_def", None) is not None:
        partitions = str(registry.partition_summary(key))
    description = ""
    if isinstance(entry, AssetsDefinition):
        description = entry.output_by_key[key].description or ""
    return {
        "key": key.to_user_string(),
        "group": node.group_name,
        "kinds": sorted(node.kinds),
        "status": status,
        "colour": STATUS_STYLES[status].stroke,
        "why": _why(registry, key, status),
        "last_run": latest.timestamp if latest is not None else None,
        "duration": latest.duration if latest is not None else None,
        "partitions": partitions,
        "description": description,
        "cell_id": _cell_id(entry),
        "defined_in": _defined_in(entry),
        "upstream": [p.to_user_string() for p in registry.graph.parents(key)],
    }


def summaries(registry: Registry) -> list[dict[str, Any]]:
    """Every asset's row, in the registry's order."""
    return [summarize(registry, key) for key in registry.keys()]
