"""Selections of asset checks: all of them, those of some assets, some by key, or none.

Responsibilities:
- ``AllChecksSelection``, ``ChecksForAssetsSelection``, ``ChecksSelection``: checks
  without their assets, so a run evaluates them against stored values.
- ``WithoutChecksSelection``: a selection's assets with none of their checks.

These have no spelling in the selection grammars, as in Dagster, whose strings
select assets only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.specs import AssetCheckKey
from nbassets.errors import SelectionError, did_you_mean
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.selection.base import AssetSelection, ChecksByAsset

__all__ = [
    "AllChecksSelection",
    "ChecksForAssetsSelection",
    "ChecksSelection",
    "WithoutChecksSelection",
    "check_keys_of",
]


def check_keys_of(items: Iterable[Any]) -> list[AssetCheckKey]:
    """Check keys from check definitions, ``AssetCheckKey``s or ``(asset, name)`` pairs."""
    keys = []
    for item in items:
        if isinstance(item, AssetCheckKey):
            keys.append(item)
        elif hasattr(item, "check_keys"):
            keys.extend(sorted(item.check_keys, key=lambda k: (k.asset_key.parts, k.name)))
        elif isinstance(item, tuple) and len(item) == 2:
            keys.append(AssetCheckKey(coerce_key(item[0]), str(item[1])))
        else:
            raise SelectionError(
                f"Cannot select {item!r} as a check: pass an @asset_check definition or an "
                "AssetCheckKey(asset_key, name)."
            )
    return keys


def _no_spelling(name: str) -> SelectionError:
    return SelectionError(
        f"{name} selects asset checks, which the selection grammars cannot spell; keep it "
        "as an AssetSelection object."
    )


@dataclass(frozen=True, slots=True)
class WithoutChecksSelection(AssetSelection):
    """The assets of ``operand``; none of their checks."""

    operand: AssetSelection

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return self.operand.resolve(graph)

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        return set()

    def to_selection_str(self) -> str:
        raise _no_spelling("without_checks()")


@dataclass(frozen=True, slots=True)
class AllChecksSelection(AssetSelection):
    """Every check, and no asset."""

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        return {check for found in checks.values() for check in found}

    def to_selection_str(self) -> str:
        raise _no_spelling("all_asset_checks()")


@dataclass(frozen=True, slots=True)
class ChecksForAssetsSelection(AssetSelection):
    """The checks that target ``keys``, and not the assets themselves."""

    asset_keys: tuple[AssetKey, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        for key in self.asset_keys:
            if key not in graph:
                raise graph.unknown(key, context="checks_for_assets()")
        return set()

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        self.resolve(graph)
        return {check for key in self.asset_keys for check in checks.get(key, ())}

    def to_selection_str(self) -> str:
        raise _no_spelling("checks_for_assets()")


@dataclass(frozen=True, slots=True)
class ChecksSelection(AssetSelection):
    """The given checks, and no asset."""

    check_keys: tuple[AssetCheckKey, ...]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set()

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        known = {check for found in checks.values() for check in found}
        for wanted in self.check_keys:
            if wanted not in known:
                names = [k.to_user_string() for k in known]
                raise SelectionError(
                    f"Unknown check '{wanted.to_user_string()}'."
                    f"{did_you_mean(wanted.to_user_string(), names)}"
                )
        return set(self.check_keys)

    def to_selection_str(self) -> str:
        raise _no_spelling("checks()")
