"""Source assets and observations: Dagster's older spelling of external assets.

Responsibilities:

* ``SourceAsset``: an ``AssetSpec`` (an external asset: in the graph, loaded
  through its IO manager, never materialized by nbassets) with Dagster's
  constructor, ``io_manager_key`` and an optional observation function.
* ``observable_source_asset``: a ``SourceAsset`` whose function reports a
  ``DataVersion``; ``observe()`` calls it.
* ``AssetObservation``: the event such a function may log.

Nothing schedules observations in a notebook: ``observe()`` runs one when asked.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nbassets.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_key
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.definitions.names import check_group_name
from nbassets.definitions.specs import IO_MANAGER_METADATA_KEY, AssetSpec
from nbassets.errors import InvalidDefinitionError

__all__ = ["AssetObservation", "ObserveResult", "SourceAsset", "observable_source_asset"]


class SourceAsset(AssetSpec):
    """An asset that nbassets does not materialize: data made elsewhere.

    As Dagster's ``SourceAsset``; it behaves as an ``AssetSpec`` of the same key.
    """

    observe_fn: Callable[..., Any] | None
    resource_defs: Mapping[str, Any]
    io_manager_def: Any
    op_tags: Mapping[str, Any]
    _io_manager_key: str | None

    def __init__(
        self,
        key: CoercibleToAssetKey,
        metadata: Mapping[str, Any] | None = None,
        io_manager_key: str | None = None,
        io_manager_def: Any = None,
        description: str | None = None,
        partitions_def: Any = None,
        group_name: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        observe_fn: Callable[..., Any] | None = None,
        op_tags: Mapping[str, Any] | None = None,
        *,
        auto_observe_interval_minutes: float | None = None,
        freshness_policy: Any = None,
        automation_condition: Any = None,
        tags: Mapping[str, str] | None = None,
        owners: Sequence[str] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> None:
        del auto_observe_interval_minutes, freshness_policy, automation_condition
        resources = dict(resource_defs or {})
        entries = dict(metadata or {})
        if io_manager_def is not None:
            default_key = f"{coerce_key(key).to_python_identifier()}__io_manager"
            io_manager_key = io_manager_key or default_key
            resources[io_manager_key] = io_manager_def
        # Kept apart from the metadata, as Dagster keeps it (a spec keeps it in metadata).
        io_manager_key = io_manager_key or entries.pop(IO_MANAGER_METADATA_KEY, None)
        super().__init__(
            key,
            description=description,
            metadata=entries,
            group_name=group_name,
            partitions_def=partitions_def,
            tags=tags,
            owners=owners,
            kinds=kinds,
        )
        # Unlike an AssetSpec's, a source asset's metadata is typed, as in Dagster.
        object.__setattr__(self, "metadata", normalize_metadata(entries))
        object.__setattr__(self, "observe_fn", observe_fn)
        object.__setattr__(self, "resource_defs", _as_definitions(resources))
        object.__setattr__(self, "io_manager_def", io_manager_def)
        object.__setattr__(self, "op_tags", dict(op_tags or {}))
        object.__setattr__(self, "_io_manager_key", io_manager_key)

    @property
    def io_manager_key(self) -> str | None:
        return self._io_manager_key

    @property
    def op(self) -> Any:
        """The op that observes this asset (Dagster's ``source_asset.op``)."""
        from nbassets.definitions.op_view import OpHandle

        return OpHandle(
            self.key.to_python_identifier(), dict(self.op_tags), compute=self.observe_fn
        )

    @property
    def node_def(self) -> Any:
        return self.op

    @property
    def is_observable(self) -> bool:
        """Whether an observation function reports this asset's data version."""
        return self.observe_fn is not None

    def observe(self, context: Any = None) -> Any:
        """Run the observation function once and return what it reports."""
        if self.observe_fn is None:
            raise TypeError(f"Source asset {self.key.to_user_string()!r} has no observe_fn.")
        return self.observe_fn(context) if context is not None else self.observe_fn()

    def with_attributes(
        self, group_name: str | None = None, key: CoercibleToAssetKey | None = None
    ) -> SourceAsset:
        """A copy in another group or under another key (everything else kept)."""
        current = self.group_name or "default"
        if group_name is not None and current not in ("default", group_name):
            raise InvalidDefinitionError(
                f"Attempted to override group name to {group_name} for SourceAsset "
                f"{self.key.to_user_string()}, which already has group name {current}.",
                advice="Leave the group out, or remove the source asset's own group_name.",
                asset=self.key,
            )
        clone = copy.copy(self)
        if key is not None:
            object.__setattr__(clone, "key", coerce_key(key))
        if group_name is not None:
            object.__setattr__(clone, "group_name", check_group_name(group_name))
        return clone

    def __repr__(self) -> str:
        return f"SourceAsset(key={self.key!r})"


# One definition per bare object, so the same object bound twice is one resource.
_WRAPPED: dict[int, tuple[Any, Any]] = {}


def _as_definitions(resources: Mapping[str, Any]) -> dict[str, Any]:
    """Resources as Dagster holds them: a bare object becomes a definition of it.

    IO managers, configurable resources and definitions stay as given.
    """
    import sys

    from nbassets.definitions.resources import ResourceDefinition

    config = sys.modules.get("nbassets.definitions.config")
    kept: tuple[type, ...] = (ResourceDefinition,)
    if config is not None:
        kept += (config.ConfigurableResource,)
    found = {}
    for name, value in resources.items():
        io_manager = hasattr(value, "handle_output") and hasattr(value, "load_input")
        if isinstance(value, kept) or io_manager:
            found[name] = value
            continue
        known = _WRAPPED.get(id(value))
        if known is None or known[0] is not value:
            known = (value, ResourceDefinition.hardcoded_resource(value))
            _WRAPPED[id(value)] = known
        found[name] = known[1]
    return found


def observable_source_asset(
    observe_fn: Callable[..., Any] | None = None,
    *,
    key: CoercibleToAssetKey | None = None,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    description: str | None = None,
    group_name: str | None = None,
    partitions_def: Any = None,
    tags: Mapping[str, str] | None = None,
    io_manager_def: Any = None,
    resource_defs: Mapping[str, Any] | None = None,
    op_tags: Mapping[str, Any] | None = None,
    owners: Sequence[str] | None = None,
    **ignored: Any,
) -> Any:
    """Decorate a function returning a ``DataVersion`` as an observable source asset."""
    del ignored
    if key is not None and (name is not None or key_prefix is not None):
        from nbassets.errors import InvalidDefinitionError

        raise InvalidDefinitionError(
            "Cannot specify a name or key prefix for @observable_source_asset when the key "
            "argument is provided; key is the whole key, so pass only key=[...]."
        )

    def build(fn: Callable[..., Any]) -> SourceAsset:
        if key is not None:
            asset_key = coerce_key(key)
        else:
            prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
            asset_key = AssetKey([*prefix, name or fn.__name__])
        return SourceAsset(
            asset_key,
            metadata=metadata,
            io_manager_key=io_manager_key,
            description=description or fn.__doc__,
            group_name=group_name,
            partitions_def=partitions_def,
            observe_fn=fn,
            tags=tags,
            io_manager_def=io_manager_def,
            resource_defs=resource_defs,
            op_tags=op_tags,
            owners=owners,
        )

    return build(observe_fn) if observe_fn is not None else build


@dataclass
class AssetObservation:
    """Something learned about an asset without materializing it."""

    asset_key: AssetKey
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    partition: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.asset_key = coerce_key(self.asset_key)
        self.metadata = normalize_metadata(self.metadata)

    def with_metadata(self, metadata: Mapping[str, Any]) -> Any:
        """A copy with ``metadata`` in place of its metadata (Dagster's ``with_metadata``)."""
        return replace(self, metadata=metadata)


@dataclass
class ObserveResult:
    """What an observation function returns: a data version and metadata."""

    asset_key: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    check_results: Sequence[Any] = ()
    data_version: Any = None
    tags: Mapping[str, str] = field(default_factory=dict)
