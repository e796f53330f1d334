"""Where an asset's value comes from, and what it takes on disk.

Responsibilities:
- ``describe_origin``: "in memory", "in memory, stored", or "restored from disk
  (<time>, loaded | not loaded yet)", for ``%assets``, ``%assets show`` and
  the views.
- ``size_on_disk`` and ``size_text``: the stored file's size, readable.

Reads the registry's instance only; imports nothing else from the notebook, so
every view can use it.
"""

from __future__ import annotations

import datetime as dt

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry

__all__ = ["describe_origin", "size_on_disk", "size_text"]


def when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def size_text(size: int | None) -> str:
    """``1234567`` -> ``"1.2 MB"`` (decimal units, as file browsers show)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def describe_origin(registry: Registry, key: AssetKey, partition: str | None = None) -> str:
    """Where the value of ``key`` comes from: "in memory", "restored from disk (...)"."""
    record = registry.instance.latest(key, partition)
    if record is None:
        return ""
    values = registry.instance.io_manager.values
    if (key, partition) not in values:
        return "no value"
    loaded = getattr(values, "is_loaded", lambda slot: True)((key, partition))
    if record.restored:
        state = "loaded" if loaded else "not loaded yet"
        return f"restored from disk ({when(record.timestamp)}, {state})"
    return "in memory" + (", stored" if record.stored is not None else "")


def size_on_disk(registry: Registry, key: AssetKey, partition: str | None = None) -> str:
    record = registry.instance.latest(key, partition)
    if record is None or record.stored is None or not record.stored.file:
        return ""
    return size_text(record.stored.size)
