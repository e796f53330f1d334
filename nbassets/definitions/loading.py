"""``load_assets_from_modules`` and friends: collect the definitions a module holds.

Every module-level ``AssetsDefinition``, ``AssetSpec`` (``SourceAsset`` included)
and asset check, deduplicated by identity, in the order the modules list them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.specs import AssetSpec

__all__ = [
    "load_asset_checks_from_modules",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
]


def _collect(modules: Iterable[ModuleType], kinds: tuple[type, ...], group_name: Any) -> list[Any]:
    found: dict[int, Any] = {}
    for module in modules:
        for value in vars(module).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, kinds):
                    found.setdefault(id(item), item)
    definitions = list(found.values())
    if group_name is None:
        return definitions
    grouped = []
    for item in definitions:
        if isinstance(item, AssetsDefinition):
            specs = [spec.replace_attributes(group_name=group_name) for spec in item.specs]
            item = item.with_specs(specs)
        elif isinstance(item, AssetSpec):
            item = item.replace_attributes(group_name=group_name)
        grouped.append(item)
    return grouped


def load_assets_from_modules(
    modules: Sequence[ModuleType], group_name: str | None = None, **ignored: Any
) -> list[Any]:
    """The asset definitions and specs defined at the top level of ``modules``."""
    del ignored
    return _collect(modules, (AssetsDefinition, AssetSpec), group_name)


def load_asset_checks_from_modules(modules: Sequence[ModuleType], **ignored: Any) -> list[Any]:
    """The asset checks defined at the top level of ``modules``."""
    del ignored
    return _collect(modules, (AssetChecksDefinition,), None)


def load_assets_from_current_module(group_name: str | None = None, **ignored: Any) -> list[Any]:
    """The asset definitions of the module that calls this function."""
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    name = caller.f_globals.get("__name__", "__main__") if caller is not None else "__main__"
    return load_assets_from_modules([sys.modules[name]], group_name, **ignored)


def _package_modules(package: ModuleType) -> list[ModuleType]:
    modules = [package]
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        modules.append(importlib.import_module(info.name))
    return modules


def load_assets_from_package_module(
    package_module: ModuleType, group_name: str | None = None, **ignored: Any
) -> list[Any]:
    """The asset definitions of a package and every module under it."""
    return load_assets_from_modules(_package_modules(package_module), group_name, **ignored)


def load_assets_from_package_name(
    package_name: str, group_name: str | None = None, **ignored: Any
) -> list[Any]:
    """As ``load_assets_from_package_module``, for a package given by name."""
    package = importlib.import_module(package_name)
    return load_assets_from_package_module(package, group_name, **ignored)
