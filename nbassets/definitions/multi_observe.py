"""Dagster's ``@multi_observable_source_asset``: one function observing several sources.

The function yields (or returns) an ``ObserveResult`` per asset, each naming its
``asset_key``. nbassets does not schedule observations: ``observe()`` runs the
function when asked and returns what each asset reported, by key. In ``Definitions``
the assets count as sources (``to_source_assets``), each one observable.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.source_assets import ObserveResult, SourceAsset
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = ["MultiObservableSourceAsset", "multi_observable_source_asset"]


class MultiObservableSourceAsset:
    """Several source assets observed together by one function."""

    def __init__(
        self,
        fn: Callable[..., Any],
        specs: Sequence[AssetSpec],
        *,
        name: str | None = None,
        description: str | None = None,
        group_name: str | None = None,
        partitions_def: Any = None,
        required_resource_keys: Iterable[str] | None = None,
        resource_defs: Mapping[str, Any] | None = None,
    ) -> None:
        if not specs:
            raise InvalidDefinitionError(
                "@multi_observable_source_asset needs specs=[AssetSpec(...), ...], one per asset "
                "it observes."
            )
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or inspect.getdoc(fn)
        self.partitions_def = partitions_def
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.resource_defs = dict(resource_defs or {})
        self.specs = tuple(
            replace(spec, group_name=spec.group_name or group_name) if group_name else spec
            for spec in specs
        )
        keys = [spec.key for spec in self.specs]
        if len(set(keys)) != len(keys):
            raise InvalidDefinitionError(
                f"@multi_observable_source_asset '{self.name}' names a key twice: "
                f"{[k.to_user_string() for k in keys]}."
            )
        self.__name__ = self.name
        self.__wrapped__ = fn

    @property
    def keys(self) -> set[AssetKey]:
        return {spec.key for spec in self.specs}

    @property
    def tags_by_key(self) -> dict[AssetKey, Mapping[str, str]]:
        return {spec.key: dict(spec.tags) for spec in self.specs}

    @property
    def group_names_by_key(self) -> dict[AssetKey, str | None]:
        return {spec.key: spec.group_name for spec in self.specs}

    @property
    def is_observable(self) -> bool:
        return True

    def observe(self, context: Any = None) -> dict[AssetKey, ObserveResult]:
        """Run the function once; what it reported for each asset, by key.

        Raises:
            InvalidInvocationError: it reported a key it does not declare, or a result
                without ``asset_key``.
        """
        takes_context = bool(inspect.signature(self.fn).parameters)
        returned = self.fn(context) if takes_context else self.fn()
        items = [returned] if isinstance(returned, ObserveResult) else list(returned or ())
        found: dict[AssetKey, ObserveResult] = {}
        for item in items:
            if not isinstance(item, ObserveResult) or item.asset_key is None:
                raise InvalidInvocationError(
                    f"'{self.name}' reported {item!r:.60}; a multi-asset observation yields "
                    "ObserveResult(asset_key=..., ...) for each asset."
                )
            key = coerce_key(item.asset_key)
            if key not in self.keys:
                raise InvalidInvocationError(
                    f"'{self.name}' reported asset '{key.to_user_string()}', which is not among "
                    f"its specs: {sorted(k.to_user_string() for k in self.keys)}."
                )
            found[key] = item
        return found

    def to_source_assets(self) -> list[SourceAsset]:
        """One observable source asset per spec; each observes through this function."""

        def observer(key: AssetKey) -> Callable[..., Any]:
            def observe_one(context: Any = None) -> Any:
                return self.observe(context).get(key)

            return observe_one

        return [
            SourceAsset(
                spec.key,
                metadata=dict(spec.metadata),
                description=spec.description or self.description,
                partitions_def=self.partitions_def,
                group_name=spec.group_name,
                resource_defs=self.resource_defs,
                observe_fn=observer(spec.key),
                tags=dict(spec.tags),
                owners=list(spec.owners),
            )
            for spec in self.specs
        ]

    def __repr__(self) -> str:
        return f"<MultiObservableSourceAsset {self.name}: {len(self.specs)} assets>"


def multi_observable_source_asset(
    *,
    specs: Sequence[AssetSpec],
    name: str | None = None,
    description: str | None = None,
    group_name: str | None = None,
    partitions_def: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    check_specs: Any = None,
) -> Callable[[Callable[..., Any]], MultiObservableSourceAsset]:
    """Define several source assets observed together by one function."""
    del can_subset, check_specs

    def build(fn: Callable[..., Any]) -> MultiObservableSourceAsset:
        return MultiObservableSourceAsset(
            fn,
            specs,
            name=name,
            description=description,
            group_name=group_name,
            partitions_def=partitions_def,
            required_resource_keys=required_resource_keys,
            resource_defs=resource_defs,
        )

    return build
