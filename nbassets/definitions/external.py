"""External assets as an ``AssetsDefinition``: Dagster's ``AssetsDefinition(specs=[...])``.

Responsibilities:
- ``external_assets_definition``: a definition of assets made elsewhere; it answers
  every question about them (keys, groups, deps, metadata) and ``is_executable`` is
  ``False``: nothing runs it.
- ``unwrap_external``: the specs such a definition stands for, so the registry and
  the engine keep one form of external asset, the ``AssetSpec``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from nbassets.definitions.assets import DEFAULT_GROUP, AssetOutput, AssetsDefinition
from nbassets.definitions.labels import tags_without_kinds
from nbassets.definitions.signature import read_parameters
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = ["distinct_specs", "external_assets_definition", "unwrap_external"]


def distinct_specs(specs: Iterable[AssetSpec]) -> list[AssetSpec]:
    """``specs`` with repeats dropped; two different specs of one key are refused.

    Raises:
        InvalidDefinitionError: two specs share a key but differ.
    """
    by_key: dict[Any, AssetSpec] = {}
    for spec in specs:
        known = by_key.get(spec.key)
        if known is not None and known != spec:
            raise InvalidDefinitionError(
                "Received conflicting AssetSpecs with the same key:\n"
                f"{known!r}\n{spec!r}\nKeep one spec per key (merge their attributes)."
            )
        by_key[spec.key] = spec
    return list(by_key.values())


def external_assets_definition(specs: Sequence[AssetSpec]) -> AssetsDefinition:
    """A definition standing for ``specs``, assets that nbassets does not materialize."""
    specs = distinct_specs(specs)
    if not specs:
        raise InvalidDefinitionError(
            "AssetsDefinition(specs=[...]) needs at least one AssetSpec; for an asset that "
            "nbassets computes, use @asset or pass node_def=."
        )
    names = ", ".join(spec.key.to_user_string() for spec in specs)

    def not_executable() -> None:
        raise InvalidInvocationError(
            f"The external assets {names} are made outside nbassets, so they cannot be "
            "materialized; define them with @asset to compute them here."
        )

    outputs = [
        AssetOutput(
            key=spec.key,
            name=spec.key.to_python_identifier(),
            description=spec.description,
            metadata=dict(spec.metadata),
            group_name=spec.group_name or DEFAULT_GROUP,
            code_version=spec.code_version,
            tags=tags_without_kinds(spec.tags),
            kinds=frozenset(spec.kinds),
            owners=tuple(spec.owners),
            is_required=not spec.skippable,
            deps=spec.dep_keys,
            automation_condition=spec.automation_condition,
        )
        for spec in specs
    ]
    node_name = "__external__" + "__".join(spec.key.to_python_identifier() for spec in specs)
    definition = AssetsDefinition(
        fn=not_executable,
        node_name=node_name,
        outputs=outputs,
        deps=[dep for spec in specs for dep in spec.deps],
        roles=read_parameters(not_executable, owner=names),
        partitions_def=specs[0].partitions_def,
        is_multi=len(specs) > 1,
    )
    definition.is_executable = False
    definition.external_specs = tuple(specs)
    return definition


def unwrap_external(items: Iterable[Any]) -> list[Any]:
    """``items`` with each non-executable definition replaced by the specs it stands for."""
    found: list[Any] = []
    for item in items:
        if isinstance(item, AssetsDefinition) and not item.is_executable:
            found.extend(item.external_specs)
        else:
            found.append(item)
    return found
