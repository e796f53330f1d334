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
from nbassets.definitions.metadata import normalize_metadata
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


class AssetDep:
    """An upstream dependency that the function does not receive as a parameter.

    Compared by key, partition mapping and metadata, as Dagster's ``AssetDep``.
    """

    __slots__ = ("asset_key", "metadata", "partition_mapping")

    def __init__(
        self,
        asset: Any,
        *,
        partition_mapping: Any = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        keys = getattr(asset, "keys", None)
        if keys is not None and not isinstance(asset, (str, Mapping)) and not callable(keys):
            keys = list(keys)
            if len(keys) != 1:
                raise InvalidDefinitionError(
                    "Cannot create an AssetDep from a multi_asset AssetsDefinition. Instead, "
                    "specify dependencies on the assets created by the multi_asset via "
                    f"AssetKeys or strings: {[k.to_user_string() for k in keys]}."
                )
            asset = keys[0]
        self.asset_key: AssetKey = (
            asset.asset_key if isinstance(asset, AssetDep) else coerce_key(asset)
        )
        self.partition_mapping = partition_mapping
        self.metadata: dict[str, Any] = dict(metadata or {})

    @property
    def asset(self) -> AssetKey:
        return self.asset_key

    def with_key(self, key: AssetKey) -> AssetDep:
        return AssetDep(key, partition_mapping=self.partition_mapping, metadata=self.metadata)

    def _parts(self) -> tuple[Any, ...]:
        return (self.asset_key, self.partition_mapping, self.metadata)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetDep) and self._parts() == other._parts()

    def __hash__(self) -> int:
        return hash(self.asset_key)

    def __repr__(self) -> str:
        return (
            f"AssetDep(asset_key={self.asset_key!r}, partition_mapping="
            f"{self.partition_mapping!r}, metadata={self.metadata!r})"
        )


def coerce_dep(value: Any) -> AssetDep:
    """An ``AssetDep`` from a key, a string, a spec or a definition."""
    return value if isinstance(value, AssetDep) else AssetDep(value)


def coerce_deps(values: Iterable[Any] | None, owner: Any = None) -> list[AssetDep]:
    """Deps as ``AssetDep``s, each key once (a multi-asset stands for each of its keys).

    Raises:
        InvalidInvocationError: one key is given twice with different mappings.
    """
    found: dict[AssetKey, AssetDep] = {}
    for value in values or ():
        keys = getattr(value, "keys", None)
        many = (
            keys is not None
            and not isinstance(value, (str, Mapping, AssetDep))
            and not callable(keys)
            and len(list(keys)) > 1
        )
        for item in list(keys) if many else [value]:  # type: ignore[arg-type]
            dep = coerce_dep(item)
            known = found.get(dep.asset_key)
            if known is not None and known != dep:
                where = f"for spec {owner}." if owner is not None else "per asset."
                raise InvalidInvocationError(
                    f"Cannot set a dependency on asset {dep.asset_key} more than once {where} "
                    "Give it once, with the partition mapping it needs."
                )
            found[dep.asset_key] = dep
    return list(found.values())


_UNSET: Any = object()


@dataclass(frozen=True, eq=False)
class AssetSpec:
    """Everything about an asset except the function that materializes it.

    Passed to ``materialize`` or registered alone, it is an external asset: it
    appears in the graph, and its value loads through its IO manager. As in
    Dagster, ``metadata`` keeps the values as given and ``tags`` include one
    ``dagster/kind/<kind>`` tag per kind.
    """

    key: AssetKey
    deps: list[AssetDep] = field(default_factory=list)
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    skippable: bool = False
    group_name: str | None = None
    code_version: str | None = None
    owners: list[str] = field(default_factory=list)
    tags: Mapping[str, str] = field(default_factory=dict)
    partitions_def: Any = None
    backfill_policy: Any = None
    # Carried, not evaluated: a notebook has no daemon (see nbassets.definitions.automation).
    automation_condition: Any = None
    freshness_policy: Any = None
    legacy_freshness_policy: Any = None
    is_virtual: bool = False

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
        automation_condition: Any = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
        partitions_def: Any = None,
        backfill_policy: Any = None,
        freshness_policy: Any = None,
        legacy_freshness_policy: Any = None,
        auto_materialize_policy: Any = None,
        is_virtual: bool = False,
    ) -> None:
        from nbassets.definitions.automation import resolve_condition
        from nbassets.definitions.labels import check_owners, check_tags, kind_tags, kinds_of

        set_ = object.__setattr__
        asset_key = coerce_key(key)
        set_(self, "key", asset_key)
        set_(self, "deps", coerce_deps(deps, asset_key))
        set_(self, "description", description)
        normalize_metadata(metadata)  # refuse a value nbassets cannot store, here
        set_(self, "metadata", dict(metadata or {}))
        set_(self, "skippable", skippable)
        if group_name is not None:
            from nbassets.definitions.names import check_group_name

            check_group_name(group_name)
        set_(self, "group_name", group_name)
        set_(self, "code_version", code_version)
        # A list, as in Dagster: code compares it to lists.
        set_(self, "owners", check_owners(owners, asset_key))
        all_tags = {**check_tags(tags), **kind_tags(kinds)}
        kinds_of(all_tags)
        set_(self, "tags", all_tags)
        set_(self, "partitions_def", partitions_def)
        set_(self, "backfill_policy", backfill_policy)
        set_(
            self,
            "automation_condition",
            resolve_condition(automation_condition, auto_materialize_policy),
        )
        set_(self, "freshness_policy", freshness_policy)
        set_(self, "legacy_freshness_policy", legacy_freshness_policy)
        set_(self, "is_virtual", is_virtual)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssetSpec):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__dataclass_fields__)

    __hash__ = None  # type: ignore[assignment]  # mutable fields, as Dagster's

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A pydantic model may hold a spec (Dagster's specs are valid fields): kept as is."""
        from pydantic_core import core_schema

        return core_schema.is_instance_schema(cls)

    @property
    def keys(self) -> tuple[AssetKey]:
        return (self.key,)

    @property
    def kinds(self) -> set[str]:
        from nbassets.definitions.labels import kinds_of

        return set(kinds_of(self.tags))

    @property
    def auto_materialize_policy(self) -> Any:
        condition = self.automation_condition
        return None if condition is None else condition.as_auto_materialize_policy()

    @property
    def partition_mappings(self) -> dict[AssetKey, Any]:
        return {
            d.asset_key: d.partition_mapping for d in self.deps if d.partition_mapping is not None
        }

    @property
    def dep_keys(self) -> tuple[AssetKey, ...]:
        return tuple(dep.asset_key for dep in self.deps)

    @property
    def io_manager_key(self) -> str | None:
        entry = self.metadata.get(IO_MANAGER_METADATA_KEY)
        return None if entry is None else str(getattr(entry, "value", entry))

    def _fields(self) -> dict[str, Any]:
        from nbassets.definitions.labels import tags_without_kinds

        return {
            "key": self.key,
            "deps": self.deps,
            "description": self.description,
            "metadata": dict(self.metadata),
            "skippable": self.skippable,
            "group_name": self.group_name,
            "code_version": self.code_version,
            "automation_condition": self.automation_condition,
            "owners": self.owners,
            "tags": tags_without_kinds(self.tags),
            "kinds": self.kinds,
            "partitions_def": self.partitions_def,
            "backfill_policy": self.backfill_policy,
            "freshness_policy": self.freshness_policy,
            "legacy_freshness_policy": self.legacy_freshness_policy,
            "is_virtual": self.is_virtual,
        }

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        """A copy with the given attributes replaced (tags keep the kinds unless given)."""
        unknown = set(changes) - set(self._fields())
        if unknown:
            raise InvalidInvocationError(
                f"replace_attributes() got {sorted(unknown)}; an AssetSpec has "
                f"{sorted(self._fields())}."
            )
        fields = {**self._fields(), **changes}
        return AssetSpec(fields.pop("key"), **fields)

    # Dagster's AssetSpec is a NamedTuple: code copies one with _replace.
    _replace = replace_attributes

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
        current = self._fields()
        return self.replace_attributes(
            deps=[*self.deps, *(deps or ())],
            metadata={**self.metadata, **(metadata or {})},
            owners=[*self.owners, *(owners or ())],
            tags={**current["tags"], **(tags or {})},
            kinds={*self.kinds, *(kinds or ())},
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
    legacy_freshness_policy: Any = None

    @staticmethod
    def from_spec(spec: AssetSpec, **kwargs: Any) -> AssetOut:
        return AssetOut(
            key=spec.key,
            description=spec.description,
            metadata=dict(spec.metadata),
            group_name=spec.group_name,
            code_version=spec.code_version,
            tags={k: v for k, v in spec.tags.items() if not k.startswith("dagster/kind/")},
            kinds=spec.kinds,
            owners=spec.owners,
            **kwargs,
        )

    def key_for(self, output_name: str) -> AssetKey:
        if self.key is not None:
            return coerce_key(self.key)
        prefix = (self.key_prefix,) if isinstance(self.key_prefix, str) else self.key_prefix
        return AssetKey((*(prefix or ()), output_name))


class CheckSpecError(InvalidDefinitionError, ValueError):
    """An ``AssetCheckSpec`` that cannot be (a ``ValueError`` too, as in Dagster)."""


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
        if self.asset is not None and any(
            coerce_dep(dep).asset_key == self.asset for dep in self.additional_deps
        ):
            raise CheckSpecError(
                f"Asset check {self.name} for asset {self.asset.to_string()} cannot have an "
                f"additional dependency on asset {self.asset.to_string()}.",
                advice="The checked asset is already a dependency of its check; drop it "
                "from additional_deps.",
                asset=self.asset,
            )

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
