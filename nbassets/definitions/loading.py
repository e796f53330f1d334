"""``load_assets_from_modules`` and friends: collect the definitions a module holds.

As Dagster's loaders: the module-level ``AssetsDefinition``s and ``SourceAsset``s
(``AssetSpec``s too with ``include_specs=True``; asset checks with the
``load_asset_checks_*`` functions), each once, returned as copies with the
attributes asked for:

* ``key_prefix`` prefixes the keys of the loaded definitions and of the checks that
  target them, and every dependency on them; sources and specs keep their keys
  (``source_key_prefix`` prefixes those, and the dependencies on them);
* ``group_name`` puts every loaded asset in that group; an asset already in another
  (non-default) group is refused rather than moved;
* ``automation_condition`` and ``backfill_policy`` are given to every loaded asset.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

from nbassets.definitions.assets import DEFAULT_GROUP, AssetsDefinition
from nbassets.definitions.automation import condition_of
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.module_scan import modules_in_package, scan_modules
from nbassets.definitions.source_assets import SourceAsset
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import InvalidDefinitionError

__all__ = [
    "load_asset_checks_from_current_module",
    "load_asset_checks_from_modules",
    "load_asset_checks_from_package_module",
    "load_asset_checks_from_package_name",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
]

KeyPrefix = str | Sequence[str] | None


def _prefix_parts(prefix: KeyPrefix, parameter: str) -> tuple[str, ...]:
    if prefix is None:
        return ()
    parts = (prefix,) if isinstance(prefix, str) else tuple(prefix)
    if not all(isinstance(part, str) for part in parts):
        raise InvalidDefinitionError(
            f"{parameter}= must be a string or a list of strings; got {prefix!r}."
        )
    return parts


def _rename(item: Any, moved: Mapping[AssetKey, AssetKey]) -> Any:
    if not moved:
        return item
    if isinstance(item, (AssetsDefinition, AssetChecksDefinition)):
        return item.with_attributes(asset_key_replacements=moved)
    if isinstance(item, SourceAsset):
        return item.with_attributes(key=moved.get(item.key, item.key))
    if isinstance(item, AssetSpec) and item.key in moved:
        return item.replace_attributes(key=moved[item.key])
    return item


def _with_key_prefix(items: list[Any], prefix: tuple[str, ...]) -> list[Any]:
    """Definitions and checks renamed under ``prefix``; sources and specs kept."""
    keys: set[AssetKey] = set()
    for item in items:
        if isinstance(item, AssetsDefinition) or (
            isinstance(item, AssetSpec) and not isinstance(item, SourceAsset)
        ):
            keys.update(item.keys)
        elif isinstance(item, AssetChecksDefinition):
            keys.update(item.asset_keys)
    moved = {key: key.with_prefix(prefix) for key in keys}
    return [
        _rename(item, moved)
        if isinstance(item, (AssetsDefinition, AssetChecksDefinition))
        else item
        for item in items
    ]


def _with_source_prefix(items: list[Any], prefix: tuple[str, ...]) -> list[Any]:
    """Sources and specs renamed under ``prefix``, and every dependency on them."""
    moved = {
        item.key: item.key.with_prefix(prefix) for item in items if isinstance(item, AssetSpec)
    }
    return [_rename(item, moved) for item in items]


def _group_for(key: AssetKey, current: str | None, group_name: str | None) -> str | None:
    if group_name is None:
        return current
    if current is not None and current not in (group_name, DEFAULT_GROUP):
        raise InvalidDefinitionError(
            f"Asset spec {key.to_user_string()} has group name {current}, which conflicts "
            f"with the group name {group_name} provided in load_assets_from_modules.",
            advice="Leave group_name= out to keep each asset's own group, or remove the "
            "asset's group.",
            asset=key,
        )
    return group_name


def _with_attributes(
    item: Any, group_name: str | None, carried: dict[str, Any], backfill_policy: Any
) -> Any:
    if isinstance(item, AssetsDefinition):
        given = {name: value for name, value in carried.items() if value is not None}
        outputs = [
            replace(
                out,
                group_name=_group_for(out.key, out.group_name, group_name) or DEFAULT_GROUP,
                **given,
            )
            for out in item.outputs
        ]
        changes: dict[str, Any] = {"outputs": outputs}
        if backfill_policy is not None:
            changes["backfill_policy"] = backfill_policy
        return item._copy(**changes)
    if isinstance(item, SourceAsset):
        return item.with_attributes(group_name=group_name) if group_name else item
    if isinstance(item, AssetSpec) and group_name is not None:
        return item.replace_attributes(group_name=_group_for(item.key, item.group_name, group_name))
    return item


def _loaded(
    modules: Iterable[ModuleType],
    kinds: tuple[type, ...],
    *,
    key_prefix: KeyPrefix = None,
    source_key_prefix: KeyPrefix = None,
    group_name: str | None = None,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    legacy_freshness_policy: Any = None,
) -> list[Any]:
    items = scan_modules(modules, kinds)
    prefix = _prefix_parts(key_prefix, "key_prefix")
    if prefix:
        items = _with_key_prefix(items, prefix)
    source_prefix = _prefix_parts(source_key_prefix, "source_key_prefix")
    if source_prefix:
        items = _with_source_prefix(items, source_prefix)
    carried = {
        "automation_condition": automation_condition,
        "legacy_freshness_policy": legacy_freshness_policy,
    }
    return [_with_attributes(i, group_name, carried, backfill_policy) for i in items]


def _asset_kinds(include_specs: bool) -> tuple[type, ...]:
    # Checks are found too: the keys they target take the prefix as the assets' do.
    found = (AssetsDefinition, AssetChecksDefinition)
    return (*found, AssetSpec) if include_specs else (*found, SourceAsset)


def load_assets_from_modules(
    modules: Iterable[ModuleType],
    group_name: str | None = None,
    key_prefix: KeyPrefix = None,
    *,
    automation_condition: Any = None,
    backfill_policy: Any = None,
    source_key_prefix: KeyPrefix = None,
    include_specs: bool = False,
    **deprecated: Any,
) -> list[Any]:
    """The asset definitions and source assets at the top level of ``modules``.

    Args:
        modules: The modules to look in.
        group_name: Put every loaded asset in this group.
        key_prefix: Prefix the keys of the loaded definitions (and dependencies on them).
        automation_condition: Give every loaded asset this condition (carried only).
        backfill_policy: Give every loaded definition this backfill policy.
        source_key_prefix: Prefix the keys of the loaded source assets and specs.
        include_specs: Load ``AssetSpec``s too.
        **deprecated: Dagster's older ``auto_materialize_policy=`` (taken as the
            automation condition) and ``legacy_freshness_policy=`` (carried only).
    """
    condition = condition_of(automation_condition, deprecated.pop("auto_materialize_policy", None))
    freshness = deprecated.pop("legacy_freshness_policy", None)
    if deprecated:
        raise InvalidDefinitionError(
            f"load_assets_from_modules() got unexpected arguments {sorted(deprecated)}; it "
            "takes group_name, key_prefix, source_key_prefix, include_specs, "
            "automation_condition and backfill_policy (check the spelling)."
        )
    loaded = _loaded(
        modules,
        _asset_kinds(include_specs),
        key_prefix=key_prefix,
        source_key_prefix=source_key_prefix,
        group_name=group_name,
        automation_condition=condition,
        backfill_policy=backfill_policy,
        legacy_freshness_policy=freshness,
    )
    return [item for item in loaded if not isinstance(item, AssetChecksDefinition)]


def _calling_module(depth: int) -> ModuleType:
    frame = inspect.currentframe()
    for _ in range(depth + 1):
        frame = frame.f_back if frame is not None else None
    name = frame.f_globals.get("__name__", "__main__") if frame is not None else "__main__"
    return sys.modules[name]


def load_assets_from_current_module(
    group_name: str | None = None, key_prefix: KeyPrefix = None, **options: Any
) -> list[Any]:
    """As ``load_assets_from_modules``, for the module that calls this function."""
    return load_assets_from_modules([_calling_module(1)], group_name, key_prefix, **options)


def load_assets_from_package_module(
    package_module: ModuleType,
    group_name: str | None = None,
    key_prefix: KeyPrefix = None,
    **options: Any,
) -> list[Any]:
    """As ``load_assets_from_modules``, for a package and every module under it."""
    modules = modules_in_package(package_module)
    return load_assets_from_modules(modules, group_name, key_prefix, **options)


def load_assets_from_package_name(
    package_name: str, group_name: str | None = None, key_prefix: KeyPrefix = None, **options: Any
) -> list[Any]:
    """As ``load_assets_from_package_module``, for a package given by name."""
    package = importlib.import_module(package_name)
    return load_assets_from_package_module(package, group_name, key_prefix, **options)


def load_asset_checks_from_modules(
    modules: Iterable[ModuleType], asset_key_prefix: KeyPrefix = None
) -> list[Any]:
    """The asset checks at the top level of ``modules``.

    ``asset_key_prefix`` prefixes the keys the checks target, as ``key_prefix=``
    prefixes the assets loaded with ``load_assets_from_modules``.
    """
    return _loaded(modules, (AssetChecksDefinition,), key_prefix=asset_key_prefix)


def load_asset_checks_from_current_module(asset_key_prefix: KeyPrefix = None) -> list[Any]:
    """As ``load_asset_checks_from_modules``, for the module that calls this function."""
    return load_asset_checks_from_modules([_calling_module(1)], asset_key_prefix)


def load_asset_checks_from_package_module(
    package_module: ModuleType, asset_key_prefix: KeyPrefix = None
) -> list[Any]:
    """As ``load_asset_checks_from_modules``, for a package and every module under it."""
    return load_asset_checks_from_modules(modules_in_package(package_module), asset_key_prefix)


def load_asset_checks_from_package_name(
    package_name: str, asset_key_prefix: KeyPrefix = None
) -> list[Any]:
    """As ``load_asset_checks_from_package_module``, for a package given by name."""
    package = importlib.import_module(package_name)
    return load_asset_checks_from_package_module(package, asset_key_prefix)
