"""Declarative pieces of definitions: specs, ins, outs, deps and check specs.

Responsibilities:
- Hold what the user declared, coerced to keys and typed metadata.
- ``AssetSpec`` doubles as an external asset: a key nbassets knows but does
  not materialize.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from nbassets.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_key
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = [
    "AssetCheckKey",
    "AssetCheckSpec",
    "AssetDep",
    "AssetIn",
    "AssetOut",
    "AssetSpec",
    "coerce_dep",
    "coerce_deps",
    "map_asset_specs",
]

IO_MANAGER_METADATA_KEY = "dagster/io_manager_key"


class AssetCheckKey(NamedTuple):
    """Names one check: the asset it targets and the check's name."""

    asset_key: AssetKey
    name: str

    def to_user_string(self) -> str:
        return f"{self.asset_key.to_user_string()}:{self.name}"


def _produced_keys(value: Any) -> list[AssetKey] | None:
    """The keys a definition produces; ``None`` for anything else (keys, strings...)."""
    keys = getattr(value, "keys", None)
    if keys is None or isinstance(value, (str, Mapping)) or callable(keys):
        return None
    return list(keys)


@dataclass(frozen=True)
class AssetDep:
    """An upstream dependency that the function does not receive as a parameter.

    ``metadata`` describes the dependency (Dagster gives it to an upstream asset
    that no definition provides).
    """

    asset: Any
    partition_mapping: Any = None
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        keys = _produced_keys(self.asset)
        if keys is not None and len(keys) > 1:
            name = getattr(self.asset, "node_name", "?")
            raise InvalidDefinitionError(
                "Cannot create an AssetDep from a multi_asset AssetsDefinition. Instead, "
                "specify dependencies on the assets created by the multi_asset via AssetKeys "
                f"or strings. For the multi_asset {name}, the available keys are: "
                f"{[k.to_user_string() for k in keys]}.",
                advice="Pass the multi_asset itself in deps=[...] to depend on all its assets.",
            )
        if self.metadata is not None:
            object.__setattr__(self, "metadata", dict(self.metadata))

    @property
    def asset_key(self) -> AssetKey:
        keys = _produced_keys(self.asset)
        return keys[0] if keys else coerce_key(self.asset)


def coerce_dep(value: Any) -> AssetDep:
    """An ``AssetDep`` from a key, a string, a spec or a single-asset definition."""
    if isinstance(value, AssetDep):
        return value
    keys = _produced_keys(value)
    return AssetDep(keys[0] if keys and len(keys) == 1 else coerce_key(value))


def _dep_identity(dep: AssetDep) -> tuple[Any, ...]:
    return (dep.asset_key, dep.partition_mapping, dep.metadata)


def coerce_deps(values: Iterable[Any] | None, owner: Any = None) -> tuple[AssetDep, ...]:
    """``AssetDep``s from what ``deps=`` lists, as Dagster coerces them.

    A multi-asset stands for each of its assets; a key listed twice the same way
    counts once, and listed twice differently (another partition mapping) is refused.
    """
    found: dict[AssetKey, AssetDep] = {}
    for value in values or ():
        keys = _produced_keys(value)
        expanded = keys if keys is not None and len(keys) > 1 else [value]
        for item in expanded:
            dep = coerce_dep(item)
            key = dep.asset_key
            if key in found and _dep_identity(found[key]) != _dep_identity(dep):
                where = f"for spec {owner}." if owner is not None else "per asset."
                raise InvalidInvocationError(
                    f"Cannot set a dependency on asset {key} more than once {where}",
                    advice="Keep one entry for it in deps=, with the partition mapping it needs.",
                    upstream=key,
                )
            found[key] = dep
    return tuple(found.values())


def _keyset(values: Iterable[Any] | None, owner: Any = None) -> tuple[AssetDep, ...]:
    return coerce_deps(values, owner)


@dataclass(frozen=True)
class AssetSpec:
    """Everything about an asset except the function that materializes it.

    Passed to ``materialize`` or registered alone, it is an external asset: it
    appears in the graph, and its value loads through its IO manager.
    """

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    skippable: bool = False
    group_name: str | None = None
    code_version: str | None = None
    owners: list[str] = field(default_factory=list)
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    partitions_def: Any = None
    backfill_policy: Any = None

    def __init__(
        self,
        key: CoercibleToAssetKey,
        *,
        deps: Iterable[Any] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        skippable: bool = False,
        group_name: str | None = None,
        code_version: str | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
        partitions_def: Any = None,
        backfill_policy: Any = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", coerce_key(key))
        set_(self, "deps", _keyset(deps, self.key))
        set_(self, "description", description)
        set_(self, "metadata", normalize_metadata(metadata))
        set_(self, "skippable", skippable)
        if group_name is not None:
            from nbassets.definitions.names import check_group_name

            check_group_name(group_name)
        set_(self, "group_name", group_name)
        set_(self, "code_version", code_version)
        # A list, as in Dagster: code compares it to lists.
        set_(self, "owners", list(owners or ()))
        set_(self, "tags", dict(tags or {}))
        set_(self, "kinds", frozenset(kinds or ()))
        set_(self, "partitions_def", partitions_def)
        set_(self, "backfill_policy", backfill_policy)

    @property
    def keys(self) -> tuple[AssetKey]:
        return (self.key,)

    @property
    def dep_keys(self) -> tuple[AssetKey, ...]:
        return tuple(dep.asset_key for dep in self.deps)

    @property
    def io_manager_key(self) -> str | None:
        entry = self.metadata.get(IO_MANAGER_METADATA_KEY)
        return None if entry is None else str(entry.value)

    def _fields(self) -> dict[str, Any]:
        return {
            "deps": self.deps,
            "description": self.description,
            "metadata": dict(self.metadata),
            "skippable": self.skippable,
            "group_name": self.group_name,
            "code_version": self.code_version,
            "owners": self.owners,
            "tags": dict(self.tags),
            "kinds": self.kinds,
            "partitions_def": self.partitions_def,
            "backfill_policy": self.backfill_policy,
        }

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        """A copy with the given attributes replaced."""
        fields = self._fields()
        key = changes.pop("key", self.key)
        fields.update(changes)
        return AssetSpec(key, **fields)

    def merge_attributes(
        self,
        *,
        deps: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> AssetSpec:
        """A copy with the given deps, metadata, owners, tags and kinds added."""
        return self.replace_attributes(
            deps=self.deps + _keyset(deps),
            metadata={**self.metadata, **(metadata or {})},
            owners=self.owners + [o for o in (owners or ()) if o not in self.owners],
            tags={**self.tags, **(tags or {})},
            kinds=self.kinds | frozenset(kinds or ()),
        )

    def with_io_manager_key(self, io_manager_key: str) -> AssetSpec:
        """A copy whose value loads through the IO manager under ``io_manager_key``."""
        return self.merge_attributes(metadata={IO_MANAGER_METADATA_KEY: io_manager_key})


@dataclass(frozen=True)
class AssetIn:
    """How a parameter maps to an upstream asset: its key, or a prefix for its name."""

    key: AssetKey | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    key_prefix: tuple[str, ...] | None = None
    partition_mapping: Any = None
    dagster_type: Any = None
    input_manager_key: str | None = None

    def __init__(
        self,
        key: CoercibleToAssetKey | None = None,
        metadata: Mapping[str, Any] | None = None,
        key_prefix: str | Sequence[str] | None = None,
        partition_mapping: Any = None,
        dagster_type: Any = None,
        input_manager_key: str | None = None,
    ) -> None:
        if key is not None and key_prefix is not None:
            raise InvalidDefinitionError(
                f"AssetIn(key={key!r}, key_prefix={key_prefix!r}): give one of them; key is the "
                "whole key, key_prefix is prepended to the parameter's name."
            )
        set_ = object.__setattr__
        set_(self, "key", coerce_key(key) if key is not None else None)
        set_(self, "metadata", dict(metadata or {}))
        prefix = (key_prefix,) if isinstance(key_prefix, str) else key_prefix
        set_(self, "key_prefix", tuple(prefix) if prefix is not None else None)
        set_(self, "partition_mapping", partition_mapping)
        set_(self, "dagster_type", dagster_type)
        set_(self, "input_manager_key", input_manager_key)

    def key_for(self, input_name: str) -> AssetKey:
        if self.key is not None:
            return self.key
        return AssetKey((*(self.key_prefix or ()), input_name))


@dataclass(frozen=True)
class AssetOut:
    """One asset produced by a ``multi_asset``, keyed by its output name."""

    key_prefix: str | Sequence[str] | None = None
    key: CoercibleToAssetKey | None = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    group_name: str | None = None
    code_version: str | None = None
    tags: Mapping[str, str] | None = None
    kinds: Iterable[str] | None = None
    owners: Sequence[str] | None = None
    backfill_policy: Any = None
    dagster_type: Any = None
    # Carried, not evaluated: a notebook has no daemon (see nbassets.definitions.automation).
    automation_condition: Any = None
    auto_materialize_policy: Any = None

    @staticmethod
    def from_spec(spec: AssetSpec, **kwargs: Any) -> AssetOut:
        return AssetOut(
            key=spec.key,
            description=spec.description,
            metadata=dict(spec.metadata),
            group_name=spec.group_name,
            code_version=spec.code_version,
            tags=dict(spec.tags),
            kinds=spec.kinds,
            owners=spec.owners,
            **kwargs,
        )

    def key_for(self, output_name: str) -> AssetKey:
        if self.key is not None:
            return coerce_key(self.key)
        prefix = (self.key_prefix,) if isinstance(self.key_prefix, str) else self.key_prefix
        return AssetKey((*(prefix or ()), output_name))


@dataclass(frozen=True)
class AssetCheckSpec:
    """Declares a check on an asset; the asset's function reports its result."""

    name: str
    asset: Any
    description: str | None = None
    blocking: bool = False
    additional_deps: tuple[Any, ...] = ()
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        # Dagster keeps the key, so specs given a string and an AssetKey compare equal.
        if self.asset is not None and type(self.asset) is not AssetKey:
            object.__setattr__(self, "asset", coerce_key(self.asset))

    @property
    def asset_key(self) -> AssetKey:
        return coerce_key(self.asset)

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)

    def with_asset(self, asset: Any) -> AssetCheckSpec:
        return replace(self, asset=asset)


def map_asset_specs(func: Any, iterable: Iterable[Any]) -> list[Any]:
    """Apply ``func`` to each ``AssetSpec`` (and to each spec of a definition).

    Definitions are rebuilt with the mapped specs' group, description, metadata,
    tags, owners, kinds and code version; their functions are unchanged.
    """
    mapped = []
    for item in iterable:
        if isinstance(item, AssetSpec):
            mapped.append(func(item))
        else:
            mapped.append(item.with_specs([func(spec) for spec in item.specs]))
    return mapped
