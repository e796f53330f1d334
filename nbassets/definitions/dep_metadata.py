"""What the ``AssetDep``s of definitions say about an upstream no definition provides.

Dagster makes a stub asset for such a key and gives it the metadata its deps carry;
two deps that describe it differently are refused. nbassets keeps no stub, but the
same definitions are refused with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import normalize_metadata
from nbassets.errors import InvalidDefinitionError

__all__ = ["undefined_dep_metadata"]


def undefined_dep_metadata(definitions: Iterable[Any]) -> dict[AssetKey, dict[str, Any]]:
    """The metadata the deps give each key that no definition provides.

    Raises:
        InvalidDefinitionError: two deps on one such key carry different metadata.
    """
    items = list(definitions)
    defined = {key for item in items for key in getattr(item, "keys", ())}
    found: dict[AssetKey, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, AssetsDefinition):
            continue
        for dep in item.deps:
            key = dep.asset_key
            if key in defined or not dep.metadata:
                continue
            known = found.get(key)
            if known is None:
                found[key] = dict(dep.metadata)
            elif normalize_metadata(known) != normalize_metadata(dep.metadata):
                raise InvalidDefinitionError(
                    f"Conflicting metadata found on AssetDeps referencing {key.to_string()}: "
                    f"{known} != {dict(dep.metadata)}. All AssetDeps referencing the same "
                    "undefined asset key must have the same metadata.",
                    advice="Give every AssetDep on it the same metadata, or define the asset "
                    "(an AssetSpec) with its metadata.",
                    upstream=key,
                )
    return found
