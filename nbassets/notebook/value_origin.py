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

from nbassets.definitions.keys import AssetKey
from nbassets.graph.registry import Registry
from nbassets.graph.summary import size_text, stored_file, value_from

__all__ = ["describe_origin", "size_on_disk", "size_text"]


def describe_origin(registry: Registry, key: AssetKey, partition: str | None = None) -> str:
    """Where the value of ``key`` comes from: "in memory", "restored from disk (...)"."""
    return value_from(registry.instance, key, partition)


def size_on_disk(registry: Registry, key: AssetKey, partition: str | None = None) -> str:
    size, _ = stored_file(registry.instance, key, partition)
    return size_text(size)
