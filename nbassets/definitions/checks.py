"""``@asset_check``: a function that judges an asset's value after it materializes.

Responsibilities:
- ``AssetChecksDefinition``: the check's key, the asset it targets, whether a
  failure blocks downstream assets, and how to call the function.
- The decorator, which finds the parameter that receives the asset's value.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from nbassets.definitions.assets import AssetInput
from nbassets.definitions.decorators import register_if_interactive
from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.op_view import InputDefinition, OpHandle
from nbassets.definitions.policies import RetryPolicy
from nbassets.definitions.signature import ParameterRoles, read_parameters
from nbassets.definitions.specs import AssetCheckKey, AssetCheckSpec, AssetIn, coerce_dep
from nbassets.errors import InvalidDefinitionError

__all__ = ["AssetChecksDefinition", "asset_check"]


class AssetChecksDefinition:
    """A check on one asset, run after the asset materializes in the same run."""

    def __init__(
        self,
        *,
        fn: Callable[..., Any],
        spec: AssetCheckSpec,
        roles: ParameterRoles,
        inputs: tuple[AssetInput, ...],
        required_resource_keys: frozenset[str] = frozenset(),
        retry_policy: RetryPolicy | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        partitions_def: Any = None,
        pool: str | None = None,
    ) -> None:
        self.fn = fn
        self.resource_defs = dict(resource_defs or {})
        self.partitions_def = partitions_def
        self.pool = pool
        self.spec = spec
        self.roles = roles
        self.inputs = inputs
        self.required_resource_keys = required_resource_keys
        self.retry_policy = retry_policy
        self.origin: dict[str, Any] = {}
        self.resource_needs = frozenset({*roles.resources, *required_resource_keys})
        self.__name__ = spec.name
        self.__wrapped__ = fn

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def node_name(self) -> str:
        return self.spec.name

    @property
    def check_specs(self) -> tuple[AssetCheckSpec, ...]:
        return (self.spec,)

    def get_spec_for_check_key(self, check_key: AssetCheckKey) -> AssetCheckSpec:
        """The spec of ``check_key``, which must be this check's."""
        if check_key != self.spec.key:
            raise KeyError(
                f"{check_key.to_user_string()!r} is not a check of this definition; "
                f"it defines {self.spec.key.to_user_string()!r}."
            )
        return self.spec

    @property
    def op(self) -> OpHandle:
        """The op view of the check (Dagster's ``checks_def.op``)."""
        return OpHandle(
            self.spec.name,
            description=self.spec.description,
            retry_policy=self.retry_policy,
            pool=self.pool,
            required_resource_keys=self.required_resource_keys,
            input_defs=tuple(InputDefinition(i.name, asset_key=i.key) for i in self.inputs),
        )

    @property
    def node_def(self) -> OpHandle:
        return self.op

    @property
    def asset_key(self) -> AssetKey:
        return self.spec.asset_key

    @property
    def check_key(self) -> AssetCheckKey:
        return self.spec.key

    @property
    def check_keys(self) -> set[AssetCheckKey]:
        return {self.spec.key}

    @property
    def blocking(self) -> bool:
        return self.spec.blocking

    @property
    def keys(self) -> tuple[()]:
        # A check produces no asset; selections treat it as contributing no keys.
        return ()

    @property
    def upstream_keys(self) -> tuple[AssetKey, ...]:
        return tuple(dict.fromkeys(i.key for i in self.inputs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<AssetChecksDefinition {self.check_key.to_user_string()}>"


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
            preferred = [p for p in value_params if p == target.parts[-1]]
            if not preferred:
                raise InvalidDefinitionError(
                    f"Check '{owner}' has parameters {value_params}; name the one that receives "
                    f"the asset's value '{target.parts[-1]}', or map the others with "
                    "additional_ins."
                )
            value_params = preferred
        inputs = [AssetInput(p, target) for p in value_params]
        inputs += [AssetInput(p, spec.key_for(p)) for p, spec in extra.items()]
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
