"""Planning a run: which steps, in what order, reading what, with which config.

Responsibilities:
- One step per selected definition (all of a multi-asset's keys unless it can
  subset), one per asset check on a selected asset, in a deterministic
  topological order (ties broken by definition order).
- For each input: read it from this run, or load it from storage; a stored
  value that is missing is reported before anything runs.
- Validate run config and required resources up front, so a run that would
  fail on them never starts.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from nbassets.definitions.assets import DEFAULT_IO_MANAGER_KEY, AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetSpec
from nbassets.errors import (
    ConfigError,
    DuplicateKeyError,
    MissingResourceError,
    MissingUpstreamError,
    did_you_mean,
)
from nbassets.graph.asset_graph import AssetGraph
from nbassets.storage.io_manager import has_stored_value

if TYPE_CHECKING:
    from nbassets.definitions.config import Config

__all__ = ["Plan", "Step", "StepInput", "build_plan", "config_for_ops", "revalidate"]


@dataclass(slots=True)
class StepInput:
    """One parameter's value: from an earlier step of this run, or from storage."""

    param: str
    key: AssetKey
    from_run: bool
    io_manager_key: str
    partition: str | None
    metadata: Mapping[str, Any]


@dataclass(slots=True, eq=False)
class Step:
    """One function call in a run."""

    key: str
    kind: Literal["asset", "check"]
    definition: AssetsDefinition | AssetChecksDefinition
    asset_keys: tuple[AssetKey, ...]
    inputs: tuple[StepInput, ...]
    upstream: tuple[Step, ...]
    config: Config | None
    op_config: Any
    partition_key: str | None

    @property
    def label(self) -> str:
        """How a person names the step: the asset key, or ``asset:check``."""
        if self.kind == "check":
            assert isinstance(self.definition, AssetChecksDefinition)
            return self.definition.check_key.to_user_string()
        return ", ".join(k.to_user_string() for k in self.asset_keys)


@dataclass(slots=True)
class Plan:
    steps: list[Step]
    selected_keys: frozenset[AssetKey]
    remedy: str = "materialize"


def revalidate(plan: Plan, owner: Mapping[AssetKey, Any], resources: Mapping[str, Any]) -> None:
    """Check what may have changed since ``plan`` was built: stored inputs and resources.

    A cached plan is only reused for the same definitions, selection, partition
    and no run config; the values in storage and the resources can still differ.
    """
    missing = []
    for step in plan.steps:
        for item in step.inputs:
            if (
                not item.from_run
                and has_stored_value(resources.get(item.io_manager_key), item.key, item.partition)
                is False
            ):
                entry = step.definition
                if isinstance(entry, AssetsDefinition):
                    missing.append(
                        _missing_message(
                            entry, item.key, owner.get(item.key), item.partition, plan.remedy
                        )
                    )
    if missing:
        raise MissingUpstreamError("\n".join(dict.fromkeys(missing)))
    _require_resources(plan.steps, resources)


def config_for_ops(run_config: Any) -> dict[str, Any]:
    """The ``ops`` section of run config, whatever form it was given in."""
    if run_config is None:
        return {}
    to_dict = getattr(run_config, "to_config_dict", None)
    if to_dict is not None:  # a RunConfig
        run_config = to_dict()
    if not isinstance(run_config, Mapping):
        raise ConfigError(
            f"run_config must be a dict like {{'ops': {{'my_asset': {{'config': {{...}}}}}}}} "
            f"or a RunConfig; got {type(run_config).__name__}."
        )
    unknown = set(run_config) - {"ops", "resources", "execution", "loggers"}
    if unknown:
        raise ConfigError(
            f"run_config has unknown section(s) {sorted(unknown)}; asset config goes under "
            "'ops': {'my_asset': {'config': {...}}}."
        )
    ops = run_config.get("ops") or {}
    return dict(ops)


def _owned_steps(
    graph: AssetGraph,
    owner: Mapping[AssetKey, AssetsDefinition | AssetSpec],
    selected: Collection[AssetKey],
) -> list[tuple[AssetsDefinition, tuple[AssetKey, ...]]]:
    steps: list[tuple[AssetsDefinition, tuple[AssetKey, ...]]] = []
    multi: dict[int, tuple[AssetsDefinition, list[AssetKey]]] = {}
    for key in selected:
        entry = owner.get(key)
        if type(entry) is not AssetsDefinition:
            continue  # external assets are loaded, never materialized
        if len(entry.outputs) == 1:
            steps.append((entry, (key,)))
        else:
            multi.setdefault(id(entry), (entry, []))[1].append(key)
    for entry, keys in multi.values():
        wanted = set(keys)
        steps.append((entry, tuple(k for k in entry.keys if k in wanted or not entry.can_subset)))
    return steps


def build_plan(
    *,
    graph: AssetGraph,
    owner: Mapping[AssetKey, AssetsDefinition | AssetSpec],
    checks: Sequence[AssetChecksDefinition],
    selected: Collection[AssetKey],
    run_config: Any,
    resources: Mapping[str, Any],
    partition_key: str | None,
    remedy: str = "materialize",
) -> Plan:
    """Plan the steps that materialize ``selected``; raise before running anything wrong."""
    ops_config = config_for_ops(run_config)
    owned = _owned_steps(graph, owner, selected)
    producer: dict[AssetKey, int] = {}
    for i, (_, keys) in enumerate(owned):
        for key in keys:
            producer[key] = i

    raws: list[Any] = [None] * len(owned)
    if ops_config:
        for i, (entry, keys) in enumerate(owned):
            raw = ops_config.pop(entry.node_name, None)
            if raw is None and len(keys) == 1:
                raw = ops_config.pop(keys[0].to_user_string(), None)
            raws[i] = raw
    if ops_config:
        names = [entry.node_name for entry, _ in owned]
        extra = next(iter(ops_config))
        raise ConfigError(
            f"run_config gives config for '{extra}', which is not an asset in this run."
            f"{did_you_mean(extra, names)}"
        )

    missing: list[str] = []
    steps: list[Step] = []
    waiting: dict[int, set[int]] = {}
    for i, (entry, keys) in enumerate(owned):
        step_partition = partition_key if entry.partitions_def is not None else None
        inputs = []
        for item in entry.inputs:
            key = item.key
            from_run = producer.get(key, i) != i
            up = owner.get(key)
            io_key = item.input_manager_key or _io_manager_key_of(up, key)
            up_partition = None
            if partition_key is not None and getattr(up, "partitions_def", None) is not None:
                up_partition = partition_key
            if not from_run:
                stored = has_stored_value(resources.get(io_key), key, up_partition)
                if stored is False:
                    missing.append(_missing_message(entry, key, up, up_partition, remedy))
            inputs.append(StepInput(item.name, key, from_run, io_key, up_partition, item.metadata))
        waiting[i] = {j for k in entry.upstream_keys if (j := producer.get(k, i)) != i}
        raw = raws[i]
        config, op_config = (
            _config_for(entry, raw)
            if raw is not None or entry.roles.config or entry.config_schema is not None
            else (None, None)
        )
        steps.append(
            Step(
                entry.node_name,
                "asset",
                entry,
                keys,
                tuple(inputs),
                (),
                config,
                op_config,
                step_partition,
            )
        )
    if missing:
        raise MissingUpstreamError("\n".join(dict.fromkeys(missing)))

    _require_unique_nodes(steps)
    ordered = _order(graph, steps, waiting)
    check_steps = _check_steps(checks, ordered, producer, owner, resources, partition_key)
    _require_resources(ordered + check_steps, resources)
    return Plan(_interleave(ordered, check_steps), frozenset(selected), remedy)


def _require_unique_nodes(steps: Sequence[Step]) -> None:
    seen: dict[str, Step] = {}
    for step in steps:
        other = seen.setdefault(step.key, step)
        if other is not step:
            raise DuplicateKeyError(
                f"Assets '{other.label}' and '{step.label}' share the node name '{step.key}', "
                "so their results would overwrite each other. Rename one (name= or key_prefix=)."
            )


def _io_manager_key_of(entry: Any, key: AssetKey) -> str:
    if isinstance(entry, AssetsDefinition):
        return entry.io_manager_keys[key]
    if isinstance(entry, AssetSpec):
        return entry.io_manager_key or DEFAULT_IO_MANAGER_KEY
    return DEFAULT_IO_MANAGER_KEY


def _missing_message(
    entry: AssetsDefinition, key: AssetKey, up: Any, partition: str | None, remedy: str
) -> str:
    name = entry.outputs[0].key.to_user_string()
    up_name = key.to_user_string()
    part = f" (partition '{partition}')" if partition is not None else ""
    if up is None:
        how = f"'{up_name}' is not defined: define it, or pass its definition to {remedy}()."
    elif isinstance(up, AssetSpec):
        how = (
            f"'{up_name}' is external (an AssetSpec), so nbassets cannot materialize it: "
            "store its value through its IO manager first, or define it with @asset."
        )
    else:
        how = (
            f"Materialize it first (%materialize {up_name}), or select it too "
            f"(%materialize +{name}, or selection='+{name}')."
        )
    return (
        f"Cannot run '{name}': its upstream '{up_name}'{part} is not selected and has no "
        f"stored value. {how}"
    )


def _config_for(entry: AssetsDefinition, raw: Any) -> tuple[Config | None, Any]:
    # Only reached when a config class exists, so pydantic is already imported.
    from nbassets.definitions.config import Config, validate_config

    roles = entry.roles
    if roles.config is None:
        if entry.config_schema is not None:
            section = raw.get("config") if isinstance(raw, Mapping) else None
            return None, dict(section or {})
        if raw is not None and (not isinstance(raw, Mapping) or raw.get("config")):
            raise ConfigError(
                f"run_config gives config for '{entry.node_name}', but its function takes no "
                "Config parameter. Add one (config: MyConfig) or drop the entry."
            )
        return None, raw.get("config") if isinstance(raw, Mapping) else None
    if isinstance(raw, Config):
        section = raw
    elif isinstance(raw, Mapping):
        section = raw.get("config")
    else:
        section = None
    config = validate_config(entry.node_name, roles.config[1], section)
    return config, config.model_dump()


def _order(graph: AssetGraph, steps: list[Step], waiting: dict[int, set[int]]) -> list[Step]:
    dependants: dict[int, list[int]] = {i: [] for i in waiting}
    for i, deps in waiting.items():
        for d in deps:
            dependants[d].append(i)
    index = graph.index
    rank = [index(s.asset_keys[0]) for s in steps]  # a step's keys follow definition order
    remaining = {i: len(deps) for i, deps in waiting.items()}
    ready = [(rank[i], i) for i, n in remaining.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[Step] = []
    while ready:
        _, i = heapq.heappop(ready)
        step = steps[i]
        step.upstream = tuple(steps[d] for d in waiting[i])
        ordered.append(step)
        for child in dependants[i]:
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, (rank[child], child))
    if len(ordered) != len(steps):
        stuck = [steps[i].key for i, n in remaining.items() if n]
        raise ConfigError(
            f"Steps {stuck} depend on each other through a multi-asset; split the multi-asset "
            "or declare internal_asset_deps."
        )
    return ordered


def _check_steps(
    checks: Sequence[AssetChecksDefinition],
    ordered: list[Step],
    producer: Mapping[AssetKey, int],
    owner: Mapping[AssetKey, Any],
    resources: Mapping[str, Any],
    partition_key: str | None,
) -> list[Step]:
    by_key = {k: s for s in ordered for k in s.asset_keys}
    made = []
    for check in checks:
        target = by_key.get(check.asset_key)
        if target is None:
            continue
        inputs = []
        for item in check.inputs:
            from_run = item.key in by_key
            up = owner.get(item.key)
            inputs.append(
                StepInput(
                    item.name,
                    item.key,
                    from_run,
                    _io_manager_key_of(up, item.key),
                    target.partition_key if item.key == check.asset_key else None,
                    {},
                )
            )
        upstream = tuple(dict.fromkeys(by_key[i.key] for i in inputs if i.from_run))
        made.append(
            Step(
                key=f"{check.asset_key.to_python_identifier()}_{check.name}",
                kind="check",
                definition=check,
                asset_keys=(check.asset_key,),
                inputs=tuple(inputs),
                upstream=upstream,
                config=None,
                op_config=None,
                partition_key=target.partition_key,
            )
        )
    return made


def _interleave(ordered: list[Step], check_steps: list[Step]) -> list[Step]:
    """Run each check right after the last step it reads, so blocking checks gate children.

    A step downstream of an asset with a blocking check also waits on that check.
    """
    if not check_steps:
        return ordered
    after: dict[int, list[Step]] = {}
    position = {id(s): i for i, s in enumerate(ordered)}
    for check in check_steps:
        last = max(position[id(u)] for u in check.upstream)
        after.setdefault(last, []).append(check)
    blocking: dict[AssetKey, list[Step]] = {}
    for check in check_steps:
        definition = check.definition
        if isinstance(definition, AssetChecksDefinition) and definition.blocking:
            blocking.setdefault(definition.asset_key, []).append(check)
    result: list[Step] = []
    for i, step in enumerate(ordered):
        gates = [c for u in step.upstream for k in u.asset_keys for c in blocking.get(k, ())]
        if gates:
            step.upstream = step.upstream + tuple(gates)
        result.append(step)
        result.extend(after.get(i, ()))
    return result


def _require_resources(steps: Sequence[Step], resources: Mapping[str, Any]) -> None:
    available = resources.keys()
    for step in steps:
        definition = step.definition
        needed = definition.resource_needs
        storage = [i.io_manager_key for i in step.inputs if not i.from_run]
        if needed <= available and all(k in available for k in storage):
            continue
        absent = sorted((set(needed) | set(storage)) - set(available))
        given = [name for name in resources if name != "io_manager"]
        close = did_you_mean(absent[0], given).replace(" Did you mean", " You gave")
        hint = f"{close[:-1]}: a misspelling?" if close else ""
        raise MissingResourceError(
            f"Asset '{step.label}' needs resource(s) {', '.join(repr(a) for a in absent)}, which "
            f"this run was not given.{hint} Pass them: materialize(..., resources="
            f"{{'{absent[0]}': ...}})."
        )
