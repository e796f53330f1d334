"""Find the definitions a module holds, as Dagster's module loaders find them.

A module-level value counts when it is of one of the wanted types, or is a list whose
every element is; a package counts with every module under it. The same object seen
twice (imported into two modules) counts once; two different objects for one asset
key are refused, naming the modules, before anything is returned.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.source_assets import SourceAsset
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import InvalidDefinitionError

__all__ = ["modules_in_package", "scan_modules"]


def _objects_in(module: ModuleType, kinds: tuple[type, ...]) -> Iterator[Any]:
    for name in dir(module):
        value = getattr(module, name)
        if isinstance(value, kinds):
            yield value
        elif isinstance(value, list) and all(isinstance(item, kinds) for item in value):
            yield from value


def _is_plain_spec(value: Any) -> bool:
    # A SourceAsset is an AssetSpec here, but Dagster compares it by identity.
    return isinstance(value, AssetSpec) and not isinstance(value, SourceAsset)


def _refuse_collisions(found: dict[str, list[Any]]) -> None:
    by_key: dict[AssetKey, list[tuple[str, Any]]] = {}
    for module_name, objects in found.items():
        for item in objects:
            if isinstance(item, (AssetsDefinition, AssetSpec)):
                for key in item.keys:
                    by_key.setdefault(key, []).append((module_name, item))
    for key, holders in by_key.items():
        items = [item for _, item in holders]
        if all(_is_plain_spec(item) for item in items):
            # Equal specs (the same external asset declared twice) are one asset.
            distinct = 1 + sum(item != items[0] for item in items)
        else:
            distinct = len({id(item) for item in items})
        if distinct > 1:
            modules = ", ".join(sorted({module_name for module_name, _ in holders}))
            raise InvalidDefinitionError(
                f"Asset key {key.to_user_string()} is defined multiple times. "
                f"Definitions found in modules: {modules}.",
                advice="Keep one definition per key, or load the modules separately "
                "with different key_prefix= values.",
                asset=key,
            )


def scan_modules(modules: Iterable[ModuleType], kinds: tuple[type, ...]) -> list[Any]:
    """Every object of ``kinds`` the modules hold, once each, in the order found."""
    found = {module.__name__: list(_objects_in(module, kinds)) for module in modules}
    _refuse_collisions(found)
    unique: dict[int, Any] = {}
    for objects in found.values():
        for item in objects:
            unique.setdefault(id(item), item)
    return list(unique.values())


def modules_in_package(package: ModuleType) -> list[ModuleType]:
    """The package and every module under it, importing them."""
    if getattr(package, "__file__", None) is None:
        raise InvalidDefinitionError(
            f"Cannot look for modules in {package.__name__!r}: it has no __file__ "
            "(a namespace package or a module made in memory).",
            advice="Pass its modules to load_assets_from_modules([...]) instead.",
        )
    found = [package]
    prefix = package.__name__ + "."
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), prefix):
        found.append(importlib.import_module(info.name))
    return found
