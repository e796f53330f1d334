"""``@asset`` and ``@multi_asset``: turn a function into an ``AssetsDefinition``.

Responsibilities:
- Accept Dagster's parameters, coerce them, and reject contradictions with a
  message that says what to change.
- Hand each new definition to the kernel registry when it is written in the
  notebook or script being run (``__main__``), so cells need no boilerplate.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from nbassets.definitions.assets import (
    DEFAULT_GROUP,
    DEFAULT_IO_MANAGER_KEY,
    AssetInput,
    AssetOutput,
    AssetsDefinition,
)
from nbassets.definitions.automation import condition_of
from nbassets.definitions.check_specs import validate_check_specs
from nbassets.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_key
from nbassets.definitions.labels import check_tags, kind_tags, tags_without_kinds
from nbassets.definitions.names import check_group_name
from nbassets.definitions.policies import RetryPolicy
from nbassets.definitions.signature import read_parameters
from nbassets.definitions.specs import (
    AssetCheckSpec,
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    coerce_dep,
    coerce_deps,
)
from nbassets.errors import InvalidDefinitionError

__all__ = ["asset", "multi_asset"]

AssetFn = Callable[..., Any]


def _prefix(key_prefix: str | Sequence[str] | None) -> tuple[str, ...]:
    if key_prefix is None:
        return ()
    return (key_prefix,) if isinstance(key_prefix, str) else tuple(key_prefix)


def _split_nothing(
    ins: Mapping[str, AssetIn] | None,
) -> tuple[dict[str, AssetIn] | None, list[AssetDep]]:
    """``ins`` without its ``dagster_type=Nothing`` entries, and those as deps.

    A ``Nothing`` input passes no value: it only orders the asset after its upstream,
    like ``deps``, and needs no parameter.
    """
    if not ins:
        return None if ins is None else {}, []
    # `Nothing` lives with the ops; if they were never imported, nothing is Nothing.
    ops = sys.modules.get("nbassets.definitions.ops")
    nothing = getattr(ops, "Nothing", None)
    if nothing is None:
        return dict(ins), []
    values = {name: spec for name, spec in ins.items() if spec.dagster_type is not nothing}
    deps = [
        AssetDep(spec.key_for(name), partition_mapping=spec.partition_mapping)
        for name, spec in ins.items()
        if spec.dagster_type is nothing
    ]
    return values, deps


def _check_ins_beside_deps(ins: Mapping[str, AssetIn] | None, deps: Sequence[AssetDep]) -> None:
    """An upstream given both in ``ins`` and in ``deps`` is described by the dep alone.

    As in Dagster: such an ``AssetIn`` may only name the parameter (and an input
    manager); a mapping, metadata, prefix or type belongs on the ``AssetDep``.
    """
    if not ins or not deps:
        return
    by_key = {spec.key_for(name): spec for name, spec in ins.items()}
    for dep in deps:
        spec = by_key.get(dep.asset_key)
        if spec is None:
            continue
        if (
            spec.metadata
            or spec.key_prefix
            or spec.dagster_type is not None
            or (spec.partition_mapping is not None)
        ):
            raise InvalidDefinitionError(
                f"Asset key '{dep.asset_key.to_user_string()}' is used as both an input (via "
                "AssetIn) and a dependency (via AssetDep). If an asset key is used as an input "
                "and also set as a dependency, the input should only define the relationship "
                "between the asset key and the input name, or optionally set the "
                "input_manager_key. Any other properties should either not be set, or should "
                "be set on the dependency.",
                upstream=dep.asset_key,
            )


def _first_dep_per_key(deps: Sequence[AssetDep]) -> list[AssetDep]:
    # Each spec's deps were checked with the spec; between specs, the first one wins.
    first: dict[AssetKey, AssetDep] = {}
    for dep in deps:
        first.setdefault(dep.asset_key, dep)
    return list(first.values())


def _check_dep_names(node: str, inputs: Sequence[AssetInput], deps: Sequence[AssetDep]) -> None:
    """Refuse a parameter named as a value-less dependency but reading another asset.

    A dependency without a value takes its key's name as an input; such a parameter
    would make two inputs of one name (Dagster refuses it).
    """
    read = {i.key for i in inputs}
    params = {i.name: i.key for i in inputs}
    for dep in deps:
        name = "_".join(dep.asset_key.parts).replace("-", "_").replace(".", "_")
        if dep.asset_key not in read and name in params:
            raise InvalidDefinitionError(
                f"@op '{node}' decorated function has parameter '{name}' that is one of the "
                "input_defs of type 'Nothing' which should not be included since no data will "
                f"be passed for it: deps= names {dep.asset_key.to_user_string()!r}, while the "
                f"parameter reads {params[name].to_user_string()!r}.",
                advice="Rename the parameter, or drop the dependency from deps=.",
                upstream=dep.asset_key,
            )


def _inputs(
    roles_inputs: Sequence[str], ins: Mapping[str, AssetIn] | None
) -> tuple[AssetInput, ...]:
    ins = ins or {}
    made = []
    for name in roles_inputs:
        spec = ins.get(name)
        if spec is None:
            made.append(AssetInput(name, AssetKey(name)))
        else:
            made.append(
                AssetInput(
                    name,
                    spec.key_for(name),
                    spec.metadata,
                    spec.partition_mapping,
                    spec.input_manager_key,
                )
            )
    return tuple(made)


def _kind_of(compute_kind: str | None) -> frozenset[str]:
    """compute_kind, Dagster's older spelling of a single kind, as kinds."""
    return frozenset({compute_kind} if compute_kind else ())


def register_if_interactive(definition: Any, fn: Callable[..., Any]) -> None:
    """Add ``definition`` to the kernel registry when written in ``__main__``.

    Notebook cells and scripts run as ``__main__``; library modules and tests do
    not, so importing a package of assets never changes the kernel's registry.
    """
    if getattr(fn, "__module__", None) == "__main__":
        from nbassets.graph.registry import get_registry

        get_registry().add(definition)


@overload
def asset(compute_fn: AssetFn) -> AssetsDefinition: ...


@overload
def asset(compute_fn: None = None, **kwargs: Any) -> Callable[[AssetFn], AssetsDefinition]: ...


def asset(  # type: ignore[misc]  # the keyword overload spells its options as **kwargs
    compute_fn: AssetFn | None = None,
    *,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    key: CoercibleToAssetKey | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    partitions_def: Any = None,
    group_name: str | None = None,
    code_version: str | None = None,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    owners: Sequence[str] | None = None,
    kinds: Iterable[str] | None = None,
    backfill_policy: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    automation_condition: Any = None,
    output_required: bool = True,
    non_argument_deps: Iterable[Any] | None = None,
    dagster_type: Any = None,
    compute_kind: str | None = None,
    config_schema: Any = None,
    io_manager_def: Any = None,
    hooks: Iterable[Any] | None = None,
    freshness_policy: Any = None,
    legacy_freshness_policy: Any = None,
) -> AssetsDefinition | Callable[[AssetFn], AssetsDefinition]:
    """Define an asset from a function, as Dagster's ``@asset``.

    Parameters name upstream assets (their values are passed in), except
    ``context``, a parameter annotated with a ``Config`` subclass, and resource
    parameters. See the Dagster reference for each argument.
    """

    def build(fn: AssetFn) -> AssetsDefinition:
        if key is not None and (name is not None or key_prefix is not None):
            raise InvalidDefinitionError(
                "Cannot specify a name or key prefix for @asset when the key argument is "
                f"provided (on '{fn.__name__}'); key is the whole key, so pass only "
                "key=AssetKey([...])."
            )
        if group_name is not None:
            check_group_name(group_name)  # its own error first, whatever the function
        if compute_kind is not None and kinds is not None:
            raise InvalidDefinitionError(
                "Cannot specify compute_kind and kinds on the @asset decorator. compute_kind "
                f"is the older spelling of one kind: pass kinds={{{compute_kind!r}, ...}}."
            )
        if key is None and name is None and not str(fn.__name__).isidentifier():
            # A lambda's name, <lambda>, cannot be written in a selection or bound.
            raise InvalidDefinitionError(
                f"@asset got a function named {fn.__name__!r}, which cannot name an asset; "
                "pass name='...' (e.g. asset(name='total')(lambda: 1)) or use def."
            )
        asset_key = (
            coerce_key(key)
            if key is not None
            else AssetKey((*_prefix(key_prefix), name or fn.__name__))
        )
        resource_keys = frozenset(required_resource_keys or ())
        value_ins, nothing_keys = _split_nothing(ins)
        roles = read_parameters(
            fn, owner=asset_key.to_user_string(), ins=value_ins, resource_keys=resource_keys
        )
        manager_key = io_manager_key
        bound = dict(resource_defs or {})
        if io_manager_def is not None:
            # An IO manager given with the asset is bound as a resource of its own.
            manager_key = io_manager_key or f"{asset_key.to_python_identifier()}__io_manager"
            bound[manager_key] = io_manager_def
        check_tags(kind_tags(kinds))  # a kind is a tag key, so it follows their rule
        all_deps = [*(deps or ()), *(non_argument_deps or ()), *nothing_keys]
        _check_ins_beside_deps(ins, coerce_deps(deps))
        output = AssetOutput(
            key=asset_key,
            description=description or inspect.getdoc(fn),
            metadata=dict(metadata or {}),
            # None is the default group; "" is refused, as Dagster refuses it.
            group_name=DEFAULT_GROUP if group_name is None else group_name,
            code_version=code_version,
            tags=dict(tags or {}),
            # compute_kind is Dagster's older spelling of a single kind.
            kinds=frozenset(kinds or ()) | ({compute_kind} if compute_kind else set()),
            owners=tuple(owners or ()),
            io_manager_key=manager_key or DEFAULT_IO_MANAGER_KEY,
            is_required=output_required,
            dagster_type=dagster_type,
            automation_condition=automation_condition,
            freshness_policy=freshness_policy,
            legacy_freshness_policy=legacy_freshness_policy,
        )
        own_checks = [
            s if s.asset is not None else s.with_asset(asset_key) for s in (check_specs or ())
        ]
        validate_check_specs(own_checks, [asset_key])
        inputs = _inputs(roles.inputs, value_ins)
        deps_given = coerce_deps(all_deps)
        _check_dep_names(asset_key.to_python_identifier(), inputs, deps_given)
        definition = AssetsDefinition(
            fn=fn,
            node_name=asset_key.to_python_identifier(),
            outputs=[output],
            inputs=inputs,
            deps=deps_given,
            roles=roles,
            # As in Dagster, resources bound with resource_defs= are required by the op
            # (an IO manager given as io_manager_def= is not).
            required_resource_keys=resource_keys | frozenset(resource_defs or ()),
            retry_policy=retry_policy,
            check_specs=own_checks,
            partitions_def=partitions_def,
            backfill_policy=backfill_policy,
            op_tags=op_tags,
            resource_defs=bound,
            config_schema=config_schema,
            hooks=hooks,
        )
        register_if_interactive(definition, fn)
        return definition

    if compute_fn is not None:
        return build(compute_fn)
    return build


def _require_spec_deps(
    deps: Iterable[Any] | None, in_keys: Sequence[AssetKey], spec_deps: Sequence[Any]
) -> None:
    """With ``specs=``, each spec names its own deps; an input must be one of them."""
    if deps:
        raise InvalidDefinitionError(
            "Can not pass deps and specs to @multi_asset, specify deps on the AssetSpecs directly.",
            advice="Move each dependency into deps=[...] of the AssetSpec that uses it.",
        )
    declared = {coerce_dep(d).asset_key for d in spec_deps}
    stray = {k for k in in_keys if k not in declared}
    if stray:
        raise InvalidDefinitionError(
            f"Invalid asset dependencies: `{stray}` specified as AssetIns, but are not specified "
            "as `AssetDep` objects on any constituent AssetSpec objects. Asset inputs must be "
            "associated with an output produced by the asset.",
            advice="Add the input's key to deps= of the AssetSpec that reads it.",
        )


def multi_asset(
    *,
    outs: Mapping[str, AssetOut] | None = None,
    specs: Sequence[AssetSpec] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    internal_asset_deps: Mapping[str, Iterable[AssetKey]] | None = None,
    partitions_def: Any = None,
    backfill_policy: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    can_subset: bool = False,
    group_name: str | None = None,
    retry_policy: RetryPolicy | None = None,
    code_version: str | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    config_schema: Any = None,
    compute_kind: str | None = None,
    allow_arbitrary_check_specs: bool = False,
    hooks: Iterable[Any] | None = None,
) -> Callable[[AssetFn], AssetsDefinition]:
    """Define several assets computed by one function, as Dagster's ``@multi_asset``.

    With ``outs`` the function returns a tuple in the order of ``outs`` (or
    yields ``Output(value, output_name=...)``); with ``specs`` it returns or
    yields ``MaterializeResult(asset_key=...)`` for each.
    """
    if outs is not None and specs is not None:
        raise InvalidDefinitionError(
            "Must specify only outs or specs but not both: give @multi_asset either "
            "outs={name: AssetOut(), ...} or specs=[AssetSpec(...), ...]."
        )
    # Neither is a definition of no assets, as in Dagster: valid, and never run.

    if specs is not None and internal_asset_deps:
        raise InvalidDefinitionError(
            "Can not pass internal_asset_deps and specs to @multi_asset, specify deps on the "
            "AssetSpecs directly (AssetSpec(..., deps=[...]))."
        )
    if compute_kind is not None and any(spec.kinds for spec in specs or ()):
        raise InvalidDefinitionError(
            "Can not specify compute_kind on both the @multi_asset and kinds on AssetSpecs. "
            "Give the kind in each spec's kinds= instead."
        )

    def build(fn: AssetFn) -> AssetsDefinition:
        node_name = name or fn.__name__
        resource_keys = frozenset(required_resource_keys or ())
        value_ins, nothing_keys = _split_nothing(ins)
        roles = read_parameters(fn, owner=node_name, ins=value_ins, resource_keys=resource_keys)
        internal = {
            k: tuple(coerce_key(x) for x in v) for k, v in (internal_asset_deps or {}).items()
        }
        outputs: list[AssetOutput] = []
        if outs is not None:
            for out_name, out in outs.items():
                check_tags(kind_tags(out.kinds))  # a kind is a tag key, so it follows their rule
                out_deps = internal.get(out_name)
                outputs.append(
                    AssetOutput(
                        key=out.key_for(out_name),
                        name=out_name,
                        description=out.description,
                        metadata=dict(out.metadata or {}),
                        group_name=out.group_name or group_name or DEFAULT_GROUP,
                        code_version=out.code_version or code_version,
                        tags=dict(out.tags or {}),
                        kinds=frozenset(out.kinds or ()) | _kind_of(compute_kind),
                        owners=tuple(out.owners or ()),
                        io_manager_key=out.io_manager_key or DEFAULT_IO_MANAGER_KEY,
                        is_required=out.is_required,
                        dagster_type=out.dagster_type,
                        automation_condition=condition_of(
                            out.automation_condition, out.auto_materialize_policy
                        ),
                        legacy_freshness_policy=out.legacy_freshness_policy,
                        deps=out_deps,
                    )
                )
        else:
            for spec in specs or ():
                outputs.append(
                    AssetOutput(
                        key=spec.key,
                        name=spec.key.to_python_identifier(),
                        description=spec.description,
                        metadata=dict(spec.metadata),
                        group_name=spec.group_name or group_name or DEFAULT_GROUP,
                        code_version=spec.code_version or code_version,
                        tags=tags_without_kinds(spec.tags),
                        kinds=frozenset(spec.kinds) | _kind_of(compute_kind),
                        owners=tuple(spec.owners),
                        io_manager_key=spec.io_manager_key or DEFAULT_IO_MANAGER_KEY,
                        # A function that can subset may leave any asset out (Dagster).
                        is_required=not spec.skippable and not can_subset,
                        automation_condition=spec.automation_condition,
                        freshness_policy=spec.freshness_policy,
                        legacy_freshness_policy=spec.legacy_freshness_policy,
                        # Exactly the spec's deps, as in Dagster: a spec without deps
                        # has none (so a spec may depend on a sibling without a cycle).
                        deps=spec.dep_keys,
                    )
                )
        spec_deps = [d for spec in specs or () for d in spec.deps]
        _check_ins_beside_deps(ins, [*coerce_deps(deps), *spec_deps])
        inputs = _inputs(roles.inputs, value_ins)
        if specs is not None:
            _require_spec_deps(
                deps, [*(i.key for i in inputs), *(d.asset_key for d in nothing_keys)], spec_deps
            )
        validate_check_specs(
            list(check_specs or ()),
            [out.key for out in outputs],
            allow_arbitrary=allow_arbitrary_check_specs,
        )
        definition = AssetsDefinition(
            fn=fn,
            node_name=node_name,
            outputs=outputs,
            inputs=inputs,
            deps=_first_dep_per_key([*coerce_deps([*(deps or ()), *nothing_keys]), *spec_deps]),
            roles=roles,
            # As in Dagster, resources bound with resource_defs= are required by the op
            # (an IO manager given as io_manager_def= is not).
            required_resource_keys=resource_keys | frozenset(resource_defs or ()),
            retry_policy=retry_policy,
            check_specs=list(check_specs or ()),
            partitions_def=partitions_def,
            backfill_policy=backfill_policy,
            op_tags=op_tags,
            resource_defs=resource_defs,
            can_subset=can_subset,
            is_multi=True,
            description=description,
            config_schema=config_schema,
            hooks=hooks,
        )
        register_if_interactive(definition, fn)
        return definition

    return build
