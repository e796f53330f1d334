"""``@asset_check``: a function that judges an asset's value after it materializes.

Responsibilities:
- ``AssetChecksDefinition``: the check's key, the asset it targets, whether a
  failure blocks downstream assets, and how to call the function.
- The decorator, which finds the parameter that receives the asset's value.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from nbassets.definitions.assets import AssetInput
from nbassets.definitions.decorators import register_if_interactive
from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.op_view import InputDefinition, OpHandle
from nbassets.definitions.policies import RetryPolicy
from nbassets.definitions.signature import ParameterRoles, read_parameters, signature_of
from nbassets.definitions.specs import AssetCheckKey, AssetCheckSpec, AssetIn, coerce_dep
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError, did_you_mean

__all__ = ["AssetChecksDefinition", "asset_check", "multi_asset_check"]


class AssetChecksDefinition:
    """Checks on assets, run after the assets they check materialize in the same run.

    ``@asset_check`` makes one with one spec; ``@multi_asset_check`` makes one whose
    function evaluates several checks in one call and returns (or yields) one
    ``AssetCheckResult`` per check.
    """

    def __init__(
        self,
        *,
        fn: Callable[..., Any],
        spec: AssetCheckSpec | None = None,
        specs: Sequence[AssetCheckSpec] = (),
        roles: ParameterRoles,
        inputs: tuple[AssetInput, ...],
        required_resource_keys: frozenset[str] = frozenset(),
        retry_policy: RetryPolicy | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        partitions_def: Any = None,
        pool: str | None = None,
        name: str | None = None,
        description: str | None = None,
        can_subset: bool = False,
        multi: bool = False,
    ) -> None:
        all_specs = (spec,) if spec is not None else tuple(specs)
        if not all_specs:
            raise InvalidDefinitionError(
                f"Asset check '{name or fn.__name__}' has no specs; give it at least one "
                "AssetCheckSpec."
            )
        self.fn = fn
        self.resource_defs = dict(resource_defs or {})
        self.partitions_def = partitions_def
        self.pool = pool
        self.all_specs = all_specs
        # The checks a run evaluates (a subset when the run selects only some).
        self.selected_specs = all_specs
        self.multi = multi or len(all_specs) > 1
        self.can_subset = can_subset
        self.description = description if multi else all_specs[0].description
        self.roles = roles
        self.inputs = inputs
        self.required_resource_keys = required_resource_keys
        self.retry_policy = retry_policy
        self.origin: dict[str, Any] = {}
        input_managers = {i.input_manager_key for i in inputs if i.input_manager_key}
        self.resource_needs = frozenset(
            {*roles.resources, *required_resource_keys, *input_managers}
        )
        self._name = name or all_specs[0].name
        self.__name__ = self._name
        self.__wrapped__ = fn

    def _single(self, what: str) -> AssetCheckSpec:
        if self.multi:
            raise InvalidInvocationError(
                f"'{self._name}' defines {len(self.all_specs)} checks, so it has no single "
                f"{what}; use .check_specs or .check_keys, or get_spec_for_check_key(key)."
            )
        return self.all_specs[0]

    @property
    def spec(self) -> AssetCheckSpec:
        """The spec of a single check (``@asset_check``)."""
        return self._single("spec")

    @property
    def name(self) -> str:
        """The check's name, or the function's for a ``@multi_asset_check``."""
        return self._name

    @property
    def node_name(self) -> str:
        return self._name

    @property
    def check_specs(self) -> tuple[AssetCheckSpec, ...]:
        return self.all_specs

    def get_spec_for_check_key(self, check_key: AssetCheckKey) -> AssetCheckSpec:
        """The spec of ``check_key``, which must be one of this definition's."""
        for spec in self.all_specs:
            if spec.key == check_key:
                return spec
        defined = ", ".join(repr(s.key.to_user_string()) for s in self.all_specs)
        raise KeyError(
            f"{check_key.to_user_string()!r} is not a check of this definition; "
            f"it defines {defined}."
        )

    def subset_for(self, check_keys: Iterable[AssetCheckKey]) -> AssetChecksDefinition:
        """A copy evaluating only ``check_keys`` (its function sees them as selected)."""
        wanted = set(check_keys)
        chosen = tuple(s for s in self.all_specs if s.key in wanted)
        if len(chosen) == len(self.selected_specs):
            return self
        subset = copy.copy(self)
        subset.selected_specs = chosen
        return subset

    def with_attributes(
        self,
        *,
        asset_key_replacements: Mapping[AssetKey, AssetKey] | None = None,
        metadata_by_key: Mapping[AssetCheckKey, Mapping[str, Any]] | None = None,
    ) -> AssetChecksDefinition:
        """A copy whose checks target (and read) the replaced keys, with metadata replaced.

        ``metadata_by_key`` names checks by their keys before any replacement.
        """
        moved = {coerce_key(k): coerce_key(v) for k, v in (asset_key_replacements or {}).items()}
        given = dict(metadata_by_key or {})

        def new(key: Any) -> Any:
            return moved.get(coerce_dep(key).asset_key, key)

        def moved_spec(spec: AssetCheckSpec) -> AssetCheckSpec:
            deps = tuple(new(dep) for dep in spec.additional_deps)
            metadata = dict(given[spec.key]) if spec.key in given else spec.metadata
            return dataclasses.replace(
                spec, asset=new(spec.asset), additional_deps=deps, metadata=metadata
            )

        renamed = copy.copy(self)
        renamed.all_specs = tuple(moved_spec(spec) for spec in self.all_specs)
        chosen = {spec.key for spec in self.selected_specs}
        renamed.selected_specs = tuple(
            new_spec
            for old, new_spec in zip(self.all_specs, renamed.all_specs, strict=True)
            if old.key in chosen
        )
        renamed.inputs = tuple(dataclasses.replace(i, key=new(i.key)) for i in self.inputs)
        renamed.origin = dict(self.origin)
        return renamed

    @property
    def op(self) -> OpHandle:
        """The op view of the checks (Dagster's ``checks_def.op``)."""
        return OpHandle(
            self._name,
            description=self.description,
            retry_policy=self.retry_policy,
            pool=self.pool,
            required_resource_keys=self.required_resource_keys,
            input_defs=tuple(InputDefinition(i.name, asset_key=i.key) for i in self.inputs),
            compute=self,
        )

    @property
    def node_def(self) -> OpHandle:
        return self.op

    @property
    def keys_by_input_name(self) -> dict[str, AssetKey]:
        """Each input's asset; an asset checked but not read is a value-less input, as in Dagster.

        Such an input is named after its key (parts joined by ``_``, ``.`` and ``-``
        as ``_``) and only orders the check after its asset.
        """
        named = {i.name: i.key for i in self.inputs}
        read = set(named.values())
        deps = [s.asset_key for s in self.all_specs]
        deps += [coerce_dep(d).asset_key for s in self.all_specs for d in s.additional_deps]
        for key in dict.fromkeys(deps):
            if key not in read:
                named["_".join(key.parts).replace("-", "_").replace(".", "_")] = key
        return named

    @property
    def asset_key(self) -> AssetKey:
        return self._single("asset_key").asset_key

    @property
    def asset_keys(self) -> tuple[AssetKey, ...]:
        """The assets these checks target, in spec order."""
        return tuple(dict.fromkeys(s.asset_key for s in self.all_specs))

    @property
    def check_key(self) -> AssetCheckKey:
        return self._single("check_key").key

    @property
    def check_keys(self) -> set[AssetCheckKey]:
        return {s.key for s in self.all_specs}

    @property
    def label(self) -> str:
        """How a person names it: ``asset:check``, or the function of several checks."""
        if self.multi:
            return self._name
        return self.all_specs[0].key.to_user_string()

    @property
    def blocking(self) -> bool:
        return any(s.blocking for s in self.all_specs)

    @property
    def keys(self) -> tuple[()]:
        # A check produces no asset; selections treat it as contributing no keys.
        return ()

    @property
    def upstream_keys(self) -> tuple[AssetKey, ...]:
        return tuple(dict.fromkeys(i.key for i in self.inputs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return invoke_check(self, args, kwargs)

    def __repr__(self) -> str:
        if self.multi:
            return f"<AssetChecksDefinition {self._name} ({len(self.all_specs)} checks)>"
        return f"<AssetChecksDefinition {self.check_key.to_user_string()}>"


def invoke_check(
    check: AssetChecksDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Call a check's function directly, as in a unit test.

    A context (``build_asset_check_context()``) may come first even when the function
    takes none: it then only carries resources. A missing context is built; resource
    parameters not passed are taken from the context's resources.
    """
    from nbassets.engine.context import (
        AssetCheckExecutionContext,
        AssetExecutionContext,
        build_asset_check_context,
    )

    roles = check.roles
    context = None
    if args and isinstance(args[0], AssetExecutionContext) and roles.context is None:
        context, args = args[0], args[1:]
    bound = signature_of(check.fn).bind_partial(*args, **kwargs).arguments
    if roles.context is not None:
        if roles.context not in bound:
            kwargs[roles.context] = build_asset_check_context()
            bound[roles.context] = kwargs[roles.context]
        context = bound[roles.context]
    if isinstance(context, AssetCheckExecutionContext):
        context.bind(check)
    for name in roles.resources:
        if name in bound:
            continue
        if context is not None and name in context.resources:
            kwargs[name] = getattr(context.resources, name)
            continue
        raise InvalidDefinitionError(
            f"Check '{check.label}' needs resource '{name}', which this call was not given. "
            f"Pass it: {check.name}(..., {name}=...), or "
            f"build_asset_check_context(resources={{'{name}': ...}})."
        )
    if roles.config is not None and roles.config[0] not in bound:
        kwargs[roles.config[0]] = roles.config[1]()
    return check.fn(*args, **kwargs)


def asset_check(
    *,
    asset: Any,
    name: str | None = None,
    description: str | None = None,
    blocking: bool = False,
    additional_ins: Mapping[str, AssetIn] | None = None,
    additional_deps: Iterable[Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    retry_policy: RetryPolicy | None = None,
    metadata: Mapping[str, Any] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    pool: str | None = None,
    compute_kind: str | None = None,
    op_tags: Mapping[str, Any] | None = None,
    automation_condition: Any = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Define a check on ``asset``, as Dagster's ``@asset_check``.

    The function receives the asset's value through the parameter named after
    the asset (or its only non-context parameter) and returns an
    ``AssetCheckResult`` or a bool. A failed ``blocking`` check skips the
    asset's downstream assets in the same run.

    ``resource_defs`` bind resources for this check; ``partitions_def`` must be its
    asset's (checked by ``Definitions.validate_loadable``); ``pool``,
    ``compute_kind``, ``op_tags`` and ``automation_condition`` are carried for
    Dagster's signature.
    """
    del compute_kind, op_tags, automation_condition
    target = coerce_key(asset)

    def build(fn: Callable[..., Any]) -> AssetChecksDefinition:
        check_name = name or fn.__name__
        owner = f"{target.to_user_string()}:{check_name}"
        resource_keys = frozenset(required_resource_keys or ())
        roles = read_parameters(fn, owner=owner, ins=additional_ins, resource_keys=resource_keys)
        extra = additional_ins or {}
        value_params = [p for p in roles.inputs if p not in extra]
        if len(value_params) > 1:
            raise InvalidDefinitionError(
                f"When defining check '{check_name}', multiple assets provided as parameters: "
                f"{value_params}. These should either match the target asset or be specified "
                "in 'additional_ins'.",
                advice=f"Keep one parameter for '{target.to_user_string()}' and map the others "
                "with additional_ins={'name': AssetIn('key')}.",
            )
        inputs = [AssetInput(p, target) for p in value_params]
        inputs += [
            AssetInput(p, spec.key_for(p), input_manager_key=spec.input_manager_key)
            for p, spec in extra.items()
        ]
        spec = AssetCheckSpec(
            name=check_name,
            asset=target,
            description=description or inspect.getdoc(fn),
            blocking=blocking,
            additional_deps=tuple(coerce_dep(d) for d in (additional_deps or ())),
            metadata=metadata,
        )
        definition = AssetChecksDefinition(
            fn=fn,
            spec=spec,
            roles=roles,
            inputs=tuple(inputs),
            required_resource_keys=resource_keys | frozenset(resource_defs or ()),
            retry_policy=retry_policy,
            resource_defs=resource_defs,
            partitions_def=partitions_def,
            pool=pool,
        )
        register_if_interactive(definition, fn)
        return definition

    return build


def multi_asset_check(
    *,
    specs: Sequence[AssetCheckSpec],
    name: str | None = None,
    description: str | None = None,
    can_subset: bool = False,
    compute_kind: str | None = None,
    op_tags: Mapping[str, Any] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    retry_policy: RetryPolicy | None = None,
    config_schema: Any = None,
    ins: Mapping[str, Any] | None = None,
    pool: str | None = None,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Define several checks evaluated by one function, as Dagster's ``@multi_asset_check``.

    The function returns or yields one ``AssetCheckResult`` per check, each naming
    its ``asset_key`` and ``check_name`` (either may be left out when it is
    unambiguous). A parameter receives the value of the asset it is named after,
    or the one ``ins`` maps it to; it must be an asset the specs check (or one of
    their ``additional_deps``). With ``can_subset=True`` a run may select some of
    the checks (``context.selected_asset_check_keys``); without it a run evaluates
    all of them or none.

    ``compute_kind``, ``op_tags`` and ``config_schema`` are carried for Dagster's
    signature.
    """
    del compute_kind, op_tags, config_schema
    spec_list = tuple(specs)
    coerced_ins = {
        param: value if isinstance(value, AssetIn) else AssetIn(key=value)
        for param, value in (ins or {}).items()
    }

    def build(fn: Callable[..., Any]) -> AssetChecksDefinition:
        op_name = name or fn.__name__
        seen: set[AssetCheckKey] = set()
        for spec in spec_list:
            if spec.key in seen:
                raise InvalidDefinitionError(
                    f"Multi-asset check '{op_name}' lists check "
                    f"'{spec.key.to_user_string()}' twice; give each spec its own name."
                )
            seen.add(spec.key)
        resource_keys = frozenset(required_resource_keys or ())
        roles = read_parameters(fn, owner=op_name, ins=coerced_ins, resource_keys=resource_keys)
        deps = dict.fromkeys(s.asset_key for s in spec_list)
        deps.update(
            dict.fromkeys(coerce_dep(d).asset_key for s in spec_list for d in s.additional_deps)
        )
        inputs = []
        for param in roles.inputs:
            asset_in = coerced_ins.get(param, AssetIn())
            key = asset_in.key_for(param)
            if key not in deps:
                known = [k.to_user_string() for k in deps]
                raise InvalidDefinitionError(
                    f"Multi-asset check '{op_name}' has parameter '{param}', which reads asset "
                    f"'{key.to_user_string()}', but its specs check none of that asset "
                    f"(they check {', '.join(repr(k) for k in known)}). Rename the parameter "
                    "after one of those assets, map it with ins={'" + param + "': AssetKey(...)}"
                    ", or add the asset to a spec's additional_deps."
                    + did_you_mean(param, [k.parts[-1] for k in deps])
                )
            inputs.append(
                AssetInput(
                    param, key, input_manager_key=getattr(asset_in, "input_manager_key", None)
                )
            )
        definition = AssetChecksDefinition(
            fn=fn,
            specs=spec_list,
            roles=roles,
            inputs=tuple(inputs),
            required_resource_keys=resource_keys | frozenset(resource_defs or ()),
            retry_policy=retry_policy,
            resource_defs=resource_defs,
            pool=pool,
            name=op_name,
            description=description or inspect.getdoc(fn),
            can_subset=can_subset,
            multi=True,
        )
        register_if_interactive(definition, fn)
        return definition

    return build
