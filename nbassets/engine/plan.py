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
from typing import TYPE_CHECKING, Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckKey, AssetSpec
from nbassets.engine.check_plan import check_steps_for, interleave
from nbassets.engine.partition_plan import PartitionRequest, target_keys
from nbassets.engine.run_config import config_for, config_for_ops
from nbassets.engine.steps import Step, StepInput, io_manager_key_of
from nbassets.engine.subset_cycles import has_step_cycle, split_pieces
from nbassets.errors import (
    ConfigError,
    DuplicateKeyError,
    MissingResourceError,
    MissingUpstreamError,
    PartitionError,
    did_you_mean,
)
from nbassets.graph.asset_graph import AssetGraph
from nbassets.partitions.reads import UpstreamPartitions, upstream_partitions
from nbassets.storage.io_manager import has_stored_value

if TYPE_CHECKING:
    pass

__all__ = ["Plan", "Step", "StepInput", "build_plan", "owned_steps", "revalidate"]


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
            if not item.from_run and not _stored(
                resources.get(item.io_manager_key),
                item.key,
                UpstreamPartitions(item.partition, item.partitions),
            ):
                entry = step.definition
                if isinstance(entry, AssetsDefinition):
                    missing.append(
                        _missing_error(
                            entry, item.key, owner.get(item.key), item.partition, plan.remedy
                        )
                    )
    if missing:
        raise MissingUpstreamError(missing=missing)
    _require_resources(plan.steps, resources)


def owned_steps(
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
    partitions: PartitionRequest | None = None,
    store: Any = None,
    remedy: str = "materialize",
    embedded_checks: Collection[AssetCheckKey] | None = None,
) -> Plan:
    """Plan the steps that materialize ``selected``; raise before running anything wrong.

    A partitioned asset gets one step per partition (one step for the whole range
    with ``BackfillPolicy.single_run()``); an unpartitioned one, one step.
    """
    request = partitions or PartitionRequest()
    ops_config = config_for_ops(run_config)
    owned = owned_steps(graph, owner, selected)
    pieces = split_pieces(owned, embedded_checks) if has_step_cycle(owned) else None
    if pieces is not None:
        owned = [(piece.entry, piece.keys) for piece in pieces]
    producer: dict[AssetKey, int] = {}
    for i, (_, keys) in enumerate(owned):
        for key in keys:
            producer[key] = i
    raws = _raw_configs(owned, ops_config)
    entries = [entry for entry, _ in owned]
    # A piece of a split multi-asset waits only on what its own assets depend on.
    upstreams: list[Collection[AssetKey]] = [
        piece.parents if piece.parents is not None else piece.entry.upstream_keys
        for piece in pieces or ()
    ] or [entry.upstream_keys for entry in entries]
    def_order, partitioned_parents = _definition_order(graph, owned, producer, upstreams)
    targets = target_keys(def_order, entries, partitioned_parents, request, store)

    missing: list[MissingUpstreamError] = []
    steps: list[Step] = []
    waiting: dict[int, set[int]] = {}
    # (definition index, partition or None) -> step index, for wiring partitions.
    step_of: dict[tuple[int, str | None], int] = {}
    steps_by_def: dict[int, list[int]] = {}
    for i in def_order:
        entry, keys = owned[i]
        input_keys = {item.key for item in entry.inputs}
        piece = pieces[i] if pieces is not None else None
        own_checks = (
            piece.check_keys
            if piece is not None and piece.check_keys is not None
            else embedded_checks_for(entry, keys, embedded_checks)
        )
        raw = raws[i]
        config, op_config = (
            config_for(entry, raw)
            if raw is not None or entry.roles.config or entry.config_schema is not None
            else (None, None)
        )
        for group in _groups(entry, targets[i], store):
            many = group if isinstance(group, tuple) else None
            single = group if isinstance(group, str) else None
            if many is not None and len(many) == 1:
                single = many[0]  # context.partition_key works for a one-key batch
            down_keys = [single] if single is not None else (list(many) if many else None)
            inputs = []
            deps: set[int] = set()
            for item in entry.inputs:
                key = item.key
                up = owner.get(key)
                up_def = producer.get(key)
                io_key = item.input_manager_key or io_manager_key_of(up, key)
                reads = upstream_partitions(
                    downstream_def=entry.partitions_def,
                    downstream_keys=down_keys,
                    upstream_def=getattr(up, "partitions_def", None),
                    mapping=item.partition_mapping,
                    store=store,
                    as_dict=many is not None,
                )
                wanted = reads.many if reads.many is not None else (reads.single,)
                made = {
                    step_of[(up_def, k)]
                    for k in wanted
                    if up_def is not None and (up_def, k) in step_of
                }
                if piece is not None and piece.parents is not None and key not in piece.parents:
                    made = set()  # this piece's assets do not read it: it loads from storage
                deps |= made
                from_run = bool(made)
                if not from_run and not _stored(resources.get(io_key), key, reads):
                    missing.append(_missing_error(entry, key, up, reads.single, remedy))
                inputs.append(
                    StepInput(
                        item.name, key, from_run, io_key, reads.single, item.metadata, reads.many
                    )
                )
            # Ordering-only deps wait for every step of their asset; inputs waited above
            # for exactly the partitions they read.
            for key in upstreams[i]:
                j = producer.get(key)
                if j is not None and j != i and key not in input_keys:
                    deps.update(steps_by_def.get(j, ()))
            index = len(steps)
            dep_reads = _dep_partitions(entry, owner, input_keys, down_keys, store)
            steps.append(
                Step(
                    _step_key(piece.name if piece else entry.node_name, targets[i], group),
                    "asset",
                    entry,
                    keys,
                    tuple(inputs),
                    (),
                    config,
                    op_config,
                    single,
                    many,
                    own_checks,
                    dep_reads,
                )
            )
            waiting[index] = deps
            steps_by_def.setdefault(i, []).append(index)
            for part in many or (single,):
                step_of[(i, part)] = index
    if missing:
        raise MissingUpstreamError(missing=missing)

    _require_unique_nodes(steps)
    ordered = _order(graph, steps, waiting)
    check_steps = check_steps_for(checks, ordered, owner, resources)
    _require_resources(ordered + check_steps, resources)
    return Plan(interleave(ordered, check_steps), frozenset(selected), remedy)


def _dep_partitions(
    entry: AssetsDefinition,
    owner: Mapping[AssetKey, AssetsDefinition | AssetSpec],
    input_keys: Collection[AssetKey],
    down_keys: Sequence[str] | None,
    store: Any,
) -> dict[str, tuple[str, ...]] | None:
    """The upstream partitions each value-less dependency (``deps``) names, by input name.

    Nothing is loaded through them; the context reports them (Dagster's
    ``asset_partition_key_for_input`` works for deps too).
    """
    if down_keys is None or not entry.deps:
        return None
    found: dict[str, tuple[str, ...]] = {}
    for name, key in entry.keys_by_input_name.items():
        upstream_def = getattr(owner.get(key), "partitions_def", None)
        if key in input_keys or upstream_def is None:
            continue
        try:
            reads = upstream_partitions(
                downstream_def=entry.partitions_def,
                downstream_keys=down_keys,
                upstream_def=upstream_def,
                mapping=entry.get_partition_mapping(key),
                store=store,
                as_dict=True,
            )
        except PartitionError:
            continue  # the run does not read them; only the context would report them
        found[name] = reads.many or ()
    return found or None


def embedded_checks_for(
    entry: AssetsDefinition,
    keys: Sequence[AssetKey],
    selected: Collection[AssetKey | AssetCheckKey] | None,
) -> tuple[AssetCheckKey, ...]:
    """The ``check_specs=`` checks a step of ``entry`` producing ``keys`` evaluates.

    Without a say from the selection: those of its keys (every one when it runs
    whole). A selection picks among them only when the function can subset.
    """
    whole = len(keys) == len(entry.outputs)
    mine = [s.key for s in entry.check_specs if whole or s.asset_key in keys]
    if selected is None or not entry.can_subset:
        return tuple(mine)
    return tuple(k for k in mine if k in selected)


def _raw_configs(
    owned: Sequence[tuple[AssetsDefinition, tuple[AssetKey, ...]]], ops_config: dict[str, Any]
) -> list[Any]:
    raws: list[Any] = [None] * len(owned)
    if ops_config:
        taken: dict[int, Any] = {}  # the pieces of a split multi-asset share its config
        for i, (entry, keys) in enumerate(owned):
            if id(entry) in taken:
                raws[i] = taken[id(entry)]
                continue
            raw = ops_config.pop(entry.node_name, None)
            if raw is None and len(keys) == 1:
                raw = ops_config.pop(keys[0].to_user_string(), None)
            raws[i] = taken[id(entry)] = raw
    if ops_config:
        names = [entry.node_name for entry, _ in owned]
        extra = next(iter(ops_config))
        raise ConfigError(
            f"run_config gives config for '{extra}', which is not an asset in this run."
            f"{did_you_mean(extra, names)}"
        )
    return raws


def _definition_order(
    graph: AssetGraph,
    owned: Sequence[tuple[AssetsDefinition, tuple[AssetKey, ...]]],
    producer: Mapping[AssetKey, int],
    upstreams: Sequence[Collection[AssetKey]],
) -> tuple[list[int], dict[int, list[tuple[int, Any]]]]:
    """Definitions in dependency order, and each one's partitioned upstreams in the run."""
    waits: dict[int, set[int]] = {}
    partitioned: dict[int, list[tuple[int, Any]]] = {}
    for i, (entry, _) in enumerate(owned):
        waits[i] = {j for k in upstreams[i] if (j := producer.get(k, i)) != i}
        if entry.partitions_def is not None:
            partitioned[i] = [
                (producer[item.key], item.partition_mapping)
                for item in entry.inputs
                if producer.get(item.key, i) != i
                and owned[producer[item.key]][0].partitions_def is not None
            ]
    rank = [graph.index(keys[0]) for _, keys in owned]
    dependants: dict[int, list[int]] = {i: [] for i in waits}
    for i, ups in waits.items():
        for j in ups:
            dependants[j].append(i)
    remaining = {i: len(ups) for i, ups in waits.items()}
    ready = [(rank[i], i) for i, n in remaining.items() if n == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for child in dependants[i]:
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, (rank[child], child))
    if len(order) != len(owned):
        stuck = [owned[i][0].node_name for i, n in remaining.items() if n]
        raise ConfigError(
            f"Steps {stuck} depend on each other through a multi-asset; split the multi-asset "
            "or declare internal_asset_deps."
        )
    return order, partitioned


def _groups(
    entry: AssetsDefinition, keys: list[str] | None, store: Any
) -> list[str | tuple[str, ...] | None]:
    """The steps of one definition: one, one per partition, or one per batch of a range.

    With a backfill policy every step gets a tuple of keys, even a single key, so the
    function always sees ``context.partition_keys``; a batch never spans a gap
    between requested keys, so its key range and time window hold only what it runs.
    """
    if keys is None:
        return [None]
    policy = entry.backfill_policy
    if policy is None:
        return list(keys)
    order = {
        key: i
        for i, key in enumerate(
            entry.partitions_def.get_partition_keys(dynamic_partitions_store=store)
        )
    }
    runs: list[list[str]] = []
    for key in keys:
        if runs and order[key] == order[runs[-1][-1]] + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    groups: list[str | tuple[str, ...] | None] = []
    for run in runs:
        batches = [run] if policy.max_partitions_per_run is None else policy.batches(run)
        groups.extend(tuple(batch) for batch in batches)
    return groups


def _step_key(name: str, keys: list[str] | None, group: str | tuple[str, ...] | None) -> str:
    # One step per asset keeps Dagster's step key (the node name); several add the partition.
    if keys is None or len(keys) == 1 or (isinstance(group, tuple) and len(group) == len(keys)):
        return name
    if isinstance(group, tuple):
        span = group[0] if len(group) == 1 else f"{group[0]}...{group[-1]}"
        return f"{name}[{span}]"
    return f"{name}[{group}]"


def _stored(manager: Any, key: AssetKey, reads: UpstreamPartitions) -> bool:
    """Whether the value(s) an input reads could be loaded; several need at least one."""
    if reads.many is None:
        return has_stored_value(manager, key, reads.single) is not False
    return not reads.many or any(
        has_stored_value(manager, key, partition) is not False for partition in reads.many
    )


def _require_unique_nodes(steps: Sequence[Step]) -> None:
    seen: dict[str, Step] = {}
    for step in steps:
        other = seen.setdefault(step.key, step)
        if other is not step:
            raise DuplicateKeyError(
                f"Assets '{other.label}' and '{step.label}' share the node name '{step.key}', "
                "so their results would overwrite each other. Rename one (name= or key_prefix=)."
            )


def _missing_error(
    entry: AssetsDefinition, key: AssetKey, up: Any, partition: str | None, remedy: str
) -> MissingUpstreamError:
    asset = entry.outputs[0].key
    name = asset.to_user_string()
    up_name = key.to_user_string()
    part = f" (partition '{partition}')" if partition is not None else ""
    materializable = False
    if up is None:
        how = f"'{up_name}' is not defined: define it, or pass its definition to {remedy}()."
    elif isinstance(up, AssetSpec):
        how = (
            f"'{up_name}' is external (an AssetSpec), so nbassets cannot materialize it: "
            "store its value through its IO manager first, or define it with @asset."
        )
    else:
        materializable = True
        how = f"Materialize it first, or select it too (selection='+{name}')."
    return MissingUpstreamError(
        f"Cannot run '{name}': its upstream '{up_name}'{part} is not selected and has no "
        "stored value.",
        advice=how,
        asset=asset,
        upstream=key,
        partition=partition,
        materializable=materializable,
    )


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
        node = getattr(definition, "node_name", step.label)
        which = (
            f"resource with key '{absent[0]}' required by op '{node}' was not provided"
            if len(absent) == 1
            else f"resources with keys {', '.join(repr(a) for a in absent)} required by op "
            f"'{node}' were not provided"
        )
        raise MissingResourceError(
            f"Asset '{step.label}' needs resource(s) {', '.join(repr(a) for a in absent)}: "
            f"{which}.{hint}",
            advice=f"Pass them: materialize(..., resources={{'{absent[0]}': ...}}).",
            asset=step.asset_keys[0] if step.asset_keys else None,
            names=absent,
        )
