"""``AssetsDefinition``: one function that materializes one or more assets.

Responsibilities:
- Hold everything the engine needs to run the function: its outputs (one per
  asset key), its inputs (parameter -> upstream key), ordering-only deps, the
  roles of its parameters, retry policy, checks and partitions.
- Answer Dagster's questions about it (``key``, ``keys``, ``dependency_keys``,
  ``group_names_by_key``, ...).
- Be callable as the plain function, so assets can be unit-tested directly.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable, Iterable, KeysView, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.op_view import (
    InputDefinition,
    OpHandle,
    OutputDefinition,
    annotations_of,
    dagster_type_of,
)
from nbassets.definitions.policies import RetryPolicy
from nbassets.definitions.signature import ParameterRoles, code_fingerprint, signature_of
from nbassets.definitions.specs import AssetCheckKey, AssetCheckSpec, AssetDep, AssetSpec
from nbassets.errors import CycleError, InvalidDefinitionError, InvalidInvocationError

__all__ = ["AssetInput", "AssetOutput", "AssetsDefinition", "OpHandle"]

DEFAULT_GROUP = "default"
# Marks a constructor argument not given (typed Any so the signature keeps its types).
_MISSING: Any = object()
DEFAULT_IO_MANAGER_KEY = "io_manager"


@dataclass(frozen=True, slots=True)
class AssetOutput:
    """One asset a definition produces, under the function's output ``name``."""

    key: AssetKey
    name: str = "result"
    description: str | None = None
    # As given (Dagster keeps raw values); checked storable when defined.
    metadata: Mapping[str, Any] = field(default_factory=dict)
    group_name: str = DEFAULT_GROUP
    code_version: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    owners: tuple[str, ...] = ()
    io_manager_key: str = DEFAULT_IO_MANAGER_KEY
    is_required: bool = True
    deps: tuple[AssetKey, ...] | None = None
    # The type given with dagster_type= (shown by op.output_defs); else the annotation's.
    dagster_type: Any = None
    # An AutomationCondition, carried for export; nothing evaluates it in a notebook.
    automation_condition: Any = None
    # Freshness policies, carried the same way (nbassets.definitions.freshness).
    freshness_policy: Any = None
    legacy_freshness_policy: Any = None

    def __post_init__(self) -> None:
        from nbassets.definitions.labels import check_owners, check_tags, kind_tags, kinds_of
        from nbassets.definitions.metadata import normalize_metadata
        from nbassets.definitions.names import check_group_name

        check_group_name(self.group_name)
        check_tags(self.tags)
        kinds_of(kind_tags(self.kinds))
        check_owners(self.owners, self.key)
        normalize_metadata(self.metadata)


@dataclass(frozen=True, slots=True)
class AssetInput:
    """A parameter that receives an upstream asset's value."""

    name: str
    key: AssetKey
    metadata: Mapping[str, Any] = field(default_factory=dict)
    partition_mapping: Any = None
    input_manager_key: str | None = None


def _check_self_dependencies(
    outputs: Sequence[AssetOutput],
    inputs: Sequence[AssetInput],
    deps: Sequence[AssetDep],
    partitions_def: Any,
) -> None:
    """Refuse an asset reading itself, except its earlier time partitions (Dagster's rule).

    A multi-asset's output may depend on a sibling; only an output among its own
    parents is a self-dependency.
    """
    mappings = {i.key: i.partition_mapping for i in inputs}
    mappings.update({d.asset_key: d.partition_mapping for d in deps if d.asset_key not in mappings})
    for out in outputs:
        parents = out.deps if out.deps is not None else tuple(mappings)
        if out.key not in parents:
            continue
        from nbassets.partitions.multi_to_multi import self_dependency_window

        window = self_dependency_window(mappings.get(out.key), partitions_def)
        if window is not None and window.start_offset < 0 and window.end_offset < 0:
            continue
        name = out.key.to_user_string()
        raise CycleError(
            f'Asset "{name}" depends on itself ({name} -> {name}). Assets can only depend on '
            "themselves if they are:\n(a) time-partitioned and each partition depends on earlier "
            "partitions\n(b) multipartitioned, with one time dimension that depends on earlier "
            "time partitions.",
            advice="To read the previous partition, pass ins={'"
            + out.key.parts[-1]
            + "': AssetIn(partition_mapping=TimeWindowPartitionMapping(start_offset=-1, "
            "end_offset=-1))}; otherwise rename the parameter or the asset.",
        )


def _by_output_name(specs: Sequence[AssetCheckSpec]) -> dict[str, AssetCheckSpec]:
    return {f"{spec.asset_key.to_python_identifier()}_{spec.name}": spec for spec in specs}


class AssetsDefinition:
    """A function that materializes one or more assets, with everything about them.

    Built by ``@asset`` and ``@multi_asset``; rarely constructed by hand.
    ``AssetsDefinition(specs=[...])`` stands for external assets (not executable).
    """

    # False for external assets (see nbassets.definitions.external), which keep their specs.
    is_executable: bool = True
    external_specs: tuple[AssetSpec, ...] = ()
    # The keys a subset answers for (``subset_for``); None: every key.
    selected_keys: frozenset[AssetKey] | None = None
    # A subset's checks before it was subset (``node_check_specs_by_output_name``).
    node_check_specs: tuple[AssetCheckSpec, ...] | None = None

    def __init__(
        self,
        *,
        fn: Callable[..., Any] = _MISSING,
        node_name: str = _MISSING,
        outputs: Sequence[AssetOutput] = (),
        inputs: Sequence[AssetInput] = (),
        deps: Sequence[AssetDep] = (),
        roles: ParameterRoles = _MISSING,
        required_resource_keys: frozenset[str] = frozenset(),
        retry_policy: RetryPolicy | None = None,
        check_specs: Sequence[AssetCheckSpec] = (),
        partitions_def: Any = None,
        backfill_policy: Any = None,
        op_tags: Mapping[str, Any] | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        can_subset: bool = False,
        is_multi: bool = False,
        description: str | None = None,
        config_schema: Any = None,
        hooks: Iterable[Any] | None = None,
        keys_by_input_name: Mapping[str, Any] | None = None,
        keys_by_output_name: Mapping[str, Any] | None = None,
        node_def: Any = None,
        **node_options: Any,
    ) -> None:
        if node_def is not None:
            # Dagster's form: a graph (or op) and the asset keys of its inputs and outputs.
            from nbassets.definitions.graph_assets import assets_from_node

            built = assets_from_node(
                node_def,
                keys_by_input_name=keys_by_input_name,
                keys_by_output_name=keys_by_output_name,
                partitions_def=partitions_def,
                resource_defs=resource_defs,
                can_subset=can_subset,
                backfill_policy=backfill_policy,
                check_specs=check_specs or None,
                **node_options,
            )
            self.__dict__.update(built.__dict__)
            return
        if "specs" in node_options and not node_options.keys() - {"specs"}:
            extra = [
                name
                for name, value in (
                    ("keys_by_input_name", keys_by_input_name),
                    ("keys_by_output_name", keys_by_output_name),
                    ("backfill_policy", backfill_policy),
                    ("can_subset", can_subset),
                )
                if value
            ]
            if extra:
                raise InvalidDefinitionError(
                    f"AssetsDefinition(specs=...) got {extra}, which need a function: external "
                    "assets only carry their specs. Pass node_def= to compute them."
                )
            from nbassets.definitions.external import external_assets_definition

            built = external_assets_definition(list(node_options["specs"]))
            self.__dict__.update(built.__dict__)
            return
        if node_options:
            raise InvalidDefinitionError(
                f"AssetsDefinition(...) got {sorted(node_options)}, which only go with "
                "node_def= (a graph or op); build assets with @asset or @multi_asset instead."
            )
        if fn is _MISSING or node_name is _MISSING or roles is _MISSING:
            raise InvalidDefinitionError(
                "AssetsDefinition(...) needs node_def= with keys_by_input_name= and "
                "keys_by_output_name=; build assets with @asset or @multi_asset instead."
            )
        if not outputs and not is_multi:
            # A @multi_asset() of no assets is valid in Dagster (and never runs).
            raise InvalidDefinitionError(f"'{node_name}' produces no asset; give it outs or specs.")
        _check_self_dependencies(outputs, inputs, deps, partitions_def)
        self.fn = fn
        self.node_name = node_name
        self.outputs = tuple(outputs)
        self.inputs = tuple(inputs)
        self.deps = tuple(deps)
        self.roles = roles
        # Hooks run after each step of this definition; the resources they need are its own.
        self.hooks: frozenset[Any] = frozenset(hooks or ())
        self.required_resource_keys = frozenset(required_resource_keys).union(
            *(hook.required_resource_keys for hook in self.hooks)
        )
        self.retry_policy = retry_policy
        self.check_specs = tuple(check_specs)
        self.partitions_def = partitions_def
        self.backfill_policy = backfill_policy
        self.op_tags = dict(op_tags or {})
        self.resource_defs = dict(resource_defs or {})
        self.can_subset = can_subset
        self.is_multi = is_multi
        self.description = description
        # Dagster's dict-style schema: the raw config reaches context.op_config.
        self.config_schema = config_schema
        self.fingerprint = code_fingerprint(fn)
        # Tags every materialization of each key carries, made once, not per run.
        self.version_tags: dict[AssetKey, dict[str, str]] = {
            out.key: {"dagster/code_version": version}
            if (version := out.code_version or self.fingerprint)
            else {}
            for out in self.outputs
        }
        # Where the definition came from, for views and `%assets show`: set by the magics.
        self.origin: dict[str, Any] = {}
        self._by_key = {out.key: out for out in self.outputs}
        self.output_by_key: Mapping[AssetKey, AssetOutput] = self._by_key
        self.io_manager_keys = {out.key: out.io_manager_key for out in self.outputs}
        # Every resource key a run of this definition needs, checked before it starts.
        # An input read through an input manager needs that manager, as in Dagster.
        input_managers = {i.input_manager_key for i in self.inputs if i.input_manager_key}
        self.resource_needs = frozenset(
            {
                *roles.resources,
                *self.required_resource_keys,
                *self.io_manager_keys.values(),
                *input_managers,
            }
        )
        if len(self._by_key) != len(self.outputs):
            raise InvalidDefinitionError(
                f"'{node_name}' declares the same asset key twice: "
                f"{[o.key.to_user_string() for o in self.outputs]}."
            )
        upstream = [i.key for i in self.inputs] + [d.asset_key for d in self.deps]
        self._upstream = tuple(dict.fromkeys(upstream))
        self.__name__ = node_name
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    # Dagster's questions -------------------------------------------------------

    @property
    def key(self) -> AssetKey:
        if self.selected_keys is None and len(self.outputs) == 1:
            return self.outputs[0].key
        keys = list(self.keys)
        if len(keys) != 1:
            names = ", ".join(k.to_user_string() for k in keys)
            raise InvalidInvocationError(
                f"'{self.node_name}' produces several assets ({names}); use .keys instead of .key."
            )
        return keys[0]

    @property
    def keys(self) -> KeysView[AssetKey]:
        """The produced keys (those selected, for a subset): an ordered, set-like view."""
        if self.selected_keys is None:
            return self._by_key.keys()
        return {k: None for k in self._by_key if k in self.selected_keys}.keys()

    @property
    def is_subset(self) -> bool:
        return self.selected_keys is not None and len(self.selected_keys) < len(self._by_key)

    def subset_for(
        self, selected_asset_keys: Iterable[Any], selected_asset_check_keys: Any = None
    ) -> AssetsDefinition:
        """This definition answering only for the selected keys it produces (Dagster's).

        Its dependency structure (``asset_deps``) stays whole; its inputs are those the
        selected assets read, a sibling read as ``__subset_input__<output>``.

        Raises:
            InvalidInvocationError: it cannot subset and the selection leaves some key out.
        """
        wanted = {coerce_key(k) for k in selected_asset_keys}
        chosen = frozenset(k for k in self.keys if k in wanted)
        if not self.can_subset and chosen != set(self.keys):
            raise InvalidInvocationError(
                f"'{self.node_name}' has can_subset=False, so it cannot be subset to "
                f"{sorted(k.to_user_string() for k in chosen)}; give it can_subset=True."
            )
        subset = copy.copy(self)
        subset.selected_keys = chosen
        subset.__dict__.pop("_graph_nodes", None)
        if selected_asset_check_keys is not None:
            checks = set(selected_asset_check_keys)
            subset.node_check_specs = self.node_check_specs or self.check_specs
            subset.check_specs = tuple(s for s in self.check_specs if s.key in checks)
        return subset

    @property
    def check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        """Each check by the name of the output carrying its result (Dagster's naming)."""
        return _by_output_name(self.check_specs)

    @property
    def node_check_specs_by_output_name(self) -> dict[str, AssetCheckSpec]:
        """As ``check_specs_by_output_name``, with a subset's unselected checks too."""
        return _by_output_name(self.node_check_specs or self.check_specs)

    @property
    def check_keys(self) -> set[AssetCheckKey]:
        return {spec.key for spec in self.check_specs}

    @property
    def upstream_keys(self) -> tuple[AssetKey, ...]:
        """Every upstream key, inputs first, in declaration order."""
        return self._upstream

    @property
    def dependency_keys(self) -> set[AssetKey]:
        return set(self._upstream) - set(self._by_key)

    @property
    def asset_deps(self) -> dict[AssetKey, set[AssetKey]]:
        return {out.key: set(self.parents_of(out.key)) for out in self.outputs}

    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        return {out.key: out.group_name for out in self.outputs}

    @property
    def descriptions_by_key(self) -> dict[AssetKey, str]:
        return {out.key: out.description for out in self.outputs if out.description}

    @property
    def metadata_by_key(self) -> dict[AssetKey, Mapping[str, Any]]:
        return {out.key: out.metadata for out in self.outputs}

    @property
    def tags_by_key(self) -> dict[AssetKey, Mapping[str, str]]:
        return {out.key: out.tags for out in self.outputs}

    @property
    def owners_by_key(self) -> dict[AssetKey, list[str]]:
        return {out.key: list(out.owners) for out in self.outputs}

    @property
    def code_versions_by_key(self) -> dict[AssetKey, str | None]:
        return {out.key: out.code_version for out in self.outputs}

    @classmethod
    def from_graph(cls, graph_def: Any, **options: Any) -> AssetsDefinition:
        """An asset (or several) computed by a graph of ops, as Dagster's ``from_graph``."""
        from nbassets.definitions.graph_assets import assets_from_node

        built: AssetsDefinition = assets_from_node(graph_def, **options)
        return built

    @classmethod
    def from_op(cls, op_def: Any, **options: Any) -> AssetsDefinition:
        """An asset (or several) computed by one op, as Dagster's ``from_op``."""
        from nbassets.definitions.graph_assets import assets_from_node

        built: AssetsDefinition = assets_from_node(op_def, **options)
        return built

    @property
    def op(self) -> OpHandle:
        """The op view of this definition (Dagster's ``assets_def.op``)."""
        hints = annotations_of(self.fn)
        returned = hints.get("return", inspect.Parameter.empty) if len(self.outputs) == 1 else Any
        inputs = [
            InputDefinition(
                i.name, dagster_type_of(hints.get(i.name, Any)), dict(i.metadata), i.key
            )
            for i in self.inputs
        ]
        # A ``deps`` entry is an input of type Nothing named after its key, as in Dagster.
        valued = {i.key for i in self.inputs}
        inputs += [
            InputDefinition(name, dagster_type_of(None), {}, key)
            for name, key in self.keys_by_input_name.items()
            if key not in valued
        ]
        outputs = [
            OutputDefinition(
                out.name,
                dagster_type_of(out.dagster_type if out.dagster_type is not None else returned),
                {name: getattr(value, "value", value) for name, value in out.metadata.items()},
                out.description,
                out.code_version,
                out.io_manager_key,
                out.is_required,
            )
            for out in self.outputs
        ]
        versions = {out.code_version for out in self.outputs}
        return OpHandle(
            self.node_name,
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in self.op_tags.items()},
            description=self.description
            or (self.outputs[0].description if len(self.outputs) == 1 else None),
            version=versions.pop() if len(versions) == 1 else None,
            retry_policy=self.retry_policy,
            pool=getattr(self, "pool", None),
            required_resource_keys=self.required_resource_keys,
            input_defs=tuple(inputs),
            output_defs=tuple(outputs),
            compute=self,
        )

    @property
    def node_def(self) -> OpHandle:
        return self.op

    @property
    def keys_by_input_name(self) -> dict[str, AssetKey]:
        """Each input's asset; a dependency without a value is an input too, as in Dagster.

        Such an input (``deps``, ``AssetIn(dagster_type=Nothing)``) is named after its
        key: parts joined by ``_``, with ``.`` and ``-`` as ``_``.
        """
        if self.selected_keys is not None:
            return self._subset_inputs()
        named = {i.name: i.key for i in self.inputs}
        read = set(named.values())
        for dep in self.deps:
            if dep.asset_key not in read and dep.asset_key not in self.output_by_key:
                parts = "_".join(dep.asset_key.parts)
                named[parts.replace("-", "_").replace(".", "_")] = dep.asset_key
        return named

    def _subset_inputs(self) -> dict[str, AssetKey]:
        """A subset's inputs: what its selected assets read (a sibling as Dagster names it)."""
        needed = {p for key in self.keys for p in self.parents_of(key)}
        named = {i.name: i.key for i in self.inputs if i.key in needed}
        read = set(named.values())
        for parent in dict.fromkeys(p for key in self.keys for p in self.parents_of(key)):
            if parent in read:
                continue
            sibling = self.output_by_key.get(parent)
            if sibling is not None:
                named[f"__subset_input__{sibling.name}"] = parent
            else:
                parts = "_".join(parent.parts)
                named[parts.replace("-", "_").replace(".", "_")] = parent
        return named

    @property
    def automation_conditions_by_key(self) -> dict[AssetKey, Any]:
        """Each asset's ``AutomationCondition``, for those that have one (carried only)."""
        return {
            out.key: out.automation_condition
            for out in self.outputs
            if out.automation_condition is not None
        }

    @property
    def auto_materialize_policies_by_key(self) -> dict[AssetKey, Any]:
        """Each condition in Dagster's older ``AutoMaterializePolicy`` form."""
        return {
            key: condition.as_auto_materialize_policy()
            for key, condition in self.automation_conditions_by_key.items()
        }

    @property
    def legacy_freshness_policies_by_key(self) -> dict[AssetKey, Any]:
        """Each asset's ``LegacyFreshnessPolicy``, for those that have one (carried only)."""
        return {
            out.key: out.legacy_freshness_policy
            for out in self.outputs
            if out.legacy_freshness_policy is not None
        }

    @property
    def keys_by_output_name(self) -> dict[str, AssetKey]:
        chosen = self.selected_keys
        return {out.name: out.key for out in self.outputs if chosen is None or out.key in chosen}

    @property
    def specs(self) -> tuple[AssetSpec, ...]:
        if self.external_specs:
            return self.external_specs
        return tuple(self.get_asset_spec(key) for key in self.keys)

    def get_asset_spec(self, key: AssetKey | None = None) -> AssetSpec:
        out = self.output_for(key) if key is not None else self._single_output()
        for spec in self.external_specs:
            if spec.key == out.key:
                return spec
        return AssetSpec(
            out.key,
            deps=[
                AssetDep(parent, partition_mapping=self.get_partition_mapping(parent))
                for parent in self.parents_of(out.key)
            ],
            description=out.description,
            metadata=dict(out.metadata),
            skippable=not out.is_required,
            group_name=out.group_name,
            code_version=out.code_version,
            automation_condition=out.automation_condition,
            owners=out.owners,
            tags=dict(out.tags),
            kinds=out.kinds,
            partitions_def=self.partitions_def,
            freshness_policy=out.freshness_policy,
            legacy_freshness_policy=out.legacy_freshness_policy,
        )

    def to_source_asset(self, key: Any = None) -> Any:
        """The asset ``key`` as a ``SourceAsset`` (Dagster's ``to_source_asset``).

        Same key, metadata, IO manager and description, with nothing to compute.
        """
        from nbassets.definitions.source_assets import SourceAsset

        out = self.output_for(coerce_key(key)) if key is not None else self._single_output()
        return SourceAsset(
            out.key,
            metadata=dict(out.metadata),
            io_manager_key=out.io_manager_key,
            description=out.description,
            partitions_def=self.partitions_def,
            group_name=None if out.group_name == DEFAULT_GROUP else out.group_name,
            tags=dict(out.tags),
            owners=list(out.owners),
        )

    def to_source_assets(self) -> list[Any]:
        """Each asset of this definition as a ``SourceAsset``."""
        return [self.to_source_asset(key) for key in self.keys]

    def with_specs(self, specs: Sequence[AssetSpec]) -> AssetsDefinition:
        """A copy whose outputs take the attributes of ``specs`` (same keys, same function).

        A spec's deps replace the asset's: deps may be added or dropped, but a parameter's
        upstream stays (the function reads it).
        """
        from nbassets.definitions.labels import tags_without_kinds

        by_key = {spec.key: spec for spec in specs}
        if not self.is_executable:
            from nbassets.definitions.external import external_assets_definition

            return external_assets_definition([by_key.get(s.key, s) for s in self.specs])
        inputs = {i.key: i for i in self.inputs}
        outputs = []
        new_deps: dict[AssetKey, AssetDep] = {}
        for out in self.outputs:
            spec = by_key.get(out.key)
            if spec is None:
                outputs.append(out)
                for parent in self.parents_of(out.key):
                    if parent not in inputs:
                        new_deps[parent] = self._dep_on(parent)
                continue
            missing = [k.to_user_string() for k in inputs if k not in spec.dep_keys]
            if missing and (
                out.deps is None or set(missing) & {k.to_user_string() for k in out.deps}
            ):
                raise InvalidDefinitionError(
                    f"The spec of '{out.key.to_user_string()}' drops the deps {missing}, which "
                    f"'{self.node_name}' reads as parameters; keep them in deps."
                )
            for dep in spec.deps:
                if dep.asset_key in inputs:
                    item = inputs[dep.asset_key]
                    if dep.partition_mapping is not None:
                        inputs[dep.asset_key] = replace(
                            item, partition_mapping=dep.partition_mapping
                        )
                else:
                    new_deps[dep.asset_key] = dep
            parents = set(self.parents_of(out.key))
            outputs.append(
                replace(
                    out,
                    description=spec.description,
                    metadata=dict(spec.metadata),
                    group_name=spec.group_name or out.group_name,
                    code_version=spec.code_version,
                    tags=tags_without_kinds(spec.tags),
                    kinds=frozenset(spec.kinds),
                    owners=tuple(spec.owners),
                    is_required=not spec.skippable,
                    automation_condition=spec.automation_condition,
                    deps=out.deps if set(spec.dep_keys) == parents else spec.dep_keys,
                )
            )
        return self._copy(
            outputs=outputs, inputs=list(inputs.values()), deps=list(new_deps.values())
        )

    def _dep_on(self, key: AssetKey) -> AssetDep:
        for dep in self.deps:
            if dep.asset_key == key:
                return dep
        return AssetDep(key)

    def _copy(self, **changes: Any) -> AssetsDefinition:
        """This definition with some constructor arguments changed (same function)."""
        arguments: dict[str, Any] = {
            "fn": self.fn,
            "node_name": self.node_name,
            "outputs": self.outputs,
            "inputs": self.inputs,
            "deps": self.deps,
            "roles": self.roles,
            "required_resource_keys": self.required_resource_keys,
            "retry_policy": self.retry_policy,
            "check_specs": self.check_specs,
            "partitions_def": self.partitions_def,
            "backfill_policy": self.backfill_policy,
            "op_tags": self.op_tags,
            "resource_defs": self.resource_defs,
            "can_subset": self.can_subset,
            "is_multi": self.is_multi,
            "description": self.description,
            "config_schema": self.config_schema,
            "hooks": self.hooks,
        }
        arguments.update(changes)
        copy = AssetsDefinition(**arguments)
        copy.origin = dict(self.origin)
        # Set after construction by subset_for: a copy of a subset is the same subset.
        copy.selected_keys = self.selected_keys
        copy.node_check_specs = self.node_check_specs
        return copy

    def with_attributes(
        self,
        *,
        asset_key_replacements: Mapping[AssetKey, AssetKey] | None = None,
        group_names_by_key: Mapping[AssetKey, str] | None = None,
        tags_by_key: Mapping[AssetKey, Mapping[str, str]] | None = None,
        metadata_by_key: Mapping[AssetKey, Mapping[str, Any]] | None = None,
        descriptions_by_key: Mapping[AssetKey, str] | None = None,
        **ignored: Any,
    ) -> AssetsDefinition:
        """A copy with keys replaced (produced and upstream ones) and attributes changed."""
        del ignored
        moved = {coerce_key(k): coerce_key(v) for k, v in (asset_key_replacements or {}).items()}

        def new(key: AssetKey) -> AssetKey:
            return moved.get(key, key)

        groups = {coerce_key(k): v for k, v in (group_names_by_key or {}).items()}
        tags = {coerce_key(k): v for k, v in (tags_by_key or {}).items()}
        metadata = {coerce_key(k): v for k, v in (metadata_by_key or {}).items()}
        descriptions = {coerce_key(k): v for k, v in (descriptions_by_key or {}).items()}
        outputs = [
            replace(
                out,
                key=new(out.key),
                deps=tuple(new(k) for k in out.deps) if out.deps is not None else None,
                group_name=groups.get(out.key, out.group_name),
                tags=dict(tags.get(out.key, out.tags)),
                # Merged over the declared metadata, as in Dagster (whose op output keeps it).
                metadata={**out.metadata, **metadata.get(out.key, {})},
                description=descriptions.get(out.key, out.description),
            )
            for out in self.outputs
        ]
        inputs = [replace(item, key=new(item.key)) for item in self.inputs]
        deps = [dep.with_key(new(dep.asset_key)) for dep in self.deps]
        def moved_checks(specs: Sequence[Any]) -> list[Any]:
            return [
                replace(spec, asset=new(spec.asset_key)) if hasattr(spec, "asset_key") else spec
                for spec in specs
            ]

        renamed = self._copy(
            outputs=outputs, inputs=inputs, deps=deps, check_specs=moved_checks(self.check_specs)
        )
        if self.selected_keys is not None:
            renamed.selected_keys = frozenset(new(k) for k in self.selected_keys)
        if self.node_check_specs is not None:
            renamed.node_check_specs = tuple(moved_checks(self.node_check_specs))
        if not self.is_executable:
            # Still external: the renamed outputs, read back as specs, make the new one.
            from nbassets.definitions.external import external_assets_definition

            return external_assets_definition([renamed.get_asset_spec(k) for k in renamed.keys])
        return renamed

    @property
    def specs_by_key(self) -> dict[AssetKey, AssetSpec]:
        return {spec.key: spec for spec in self.specs}

    @property
    def input_names(self) -> list[str]:
        """Every input: the parameters receiving values, then ``deps`` (value-less)."""
        return list(self.keys_by_input_name)

    def get_partition_mapping(self, key: AssetKey) -> Any:
        for item in self.inputs:
            if item.key == key:
                return item.partition_mapping
        for dep in self.deps:
            if dep.asset_key == key:
                return dep.partition_mapping
        return None

    # Used by the graph and the engine -----------------------------------------

    def output_for(self, key: AssetKey) -> AssetOutput:
        try:
            return self._by_key[coerce_key(key)]
        except KeyError:
            raise InvalidInvocationError(
                f"'{self.node_name}' does not produce '{coerce_key(key).to_user_string()}'."
            ) from None

    def _single_output(self) -> AssetOutput:
        self.key  # noqa: B018 - raises the helpful error for multi-assets
        return self.outputs[0]

    def parents_of(self, key: AssetKey) -> tuple[AssetKey, ...]:
        out = self._by_key[key]
        parents = out.deps if out.deps is not None else self._upstream
        if self.partitions_def is None:
            return tuple(parents)
        # A partitioned asset may read its own earlier partitions (Dagster's
        # self-dependency); that edge is within the asset, not in the graph.
        return tuple(p for p in parents if p != key)

    def effective_code_version(self, key: AssetKey) -> str | None:
        """The declared code version, else a fingerprint of the function's code."""
        return self._by_key[key].code_version or self.fingerprint

    # Direct invocation, for unit tests ------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function as written; a missing ``context`` or default config is supplied."""
        roles = self.roles
        if roles.context is not None or roles.config is not None:
            bound = signature_of(self.fn).bind_partial(*args, **kwargs).arguments
            if roles.context is not None and roles.context not in bound:
                from nbassets.engine.context import build_asset_context

                kwargs[roles.context] = build_asset_context()
                bound[roles.context] = kwargs[roles.context]
            binder = getattr(bound.get(roles.context or ""), "bind", None)
            if callable(binder):
                binder(self)
            if roles.config is not None and roles.config[0] not in bound:
                kwargs[roles.config[0]] = roles.config[1]()
        returned = self.fn(*args, **kwargs)
        if getattr(returned, "asset_key", None) is not None:
            # A MaterializeResult naming another asset fails here as it would in a run.
            from nbassets.engine.outputs import check_names

            check_names(self, tuple(self.keys), returned)
        elif isinstance(returned, list) and self.is_multi and len(self.outputs) > 1:
            from nbassets.engine.outputs import multiple_outputs_error

            raise multiple_outputs_error(self, "a list")
        elif inspect.isgenerator(returned) and self.is_multi:
            # What it yields is checked when it ends, as a run checks it.
            from nbassets.engine.outputs import checked_direct_stream

            return checked_direct_stream(self, returned)
        return returned

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self.keys)
        return f"<AssetsDefinition {self.node_name}: {keys}>"
