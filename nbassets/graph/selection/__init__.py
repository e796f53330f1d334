"""Selections of assets: Dagster's ``AssetSelection`` and its string grammars.

The face of the package; import from here::

    from nbassets.graph.selection import AssetSelection, coerce_selection, resolve_selection

Rooms:
- ``base``: ``AssetSelection`` (constructors, methods, operators),
  ``coerce_selection`` and ``resolve_selection``.
- ``leaves``: selections that name assets directly (keys, groups, tags, kinds,
  owners, statuses, key patterns).
- ``ops``: selections built from others (union, intersection, difference,
  upstream/downstream, roots/sinks, required neighbours).
- ``checks``: selections of asset checks.
- ``parser`` (the grammar of ``key:``, ``group:``, ``and``/``or``/``not``...),
  ``classic`` (``*a+``, ``+a``), ``syntax`` (their error messages) and
  ``index`` (the lookups a resolution uses).
"""

from __future__ import annotations

from nbassets.graph.selection.base import (
    AssetSelection,
    ChecksByAsset,
    coerce_selection,
    resolve_selection,
)
from nbassets.graph.selection.parser import parse_selection

__all__ = [
    "AssetSelection",
    "ChecksByAsset",
    "coerce_selection",
    "parse_selection",
    "resolve_selection",
]
