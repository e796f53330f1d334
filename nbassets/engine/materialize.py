"""``materialize`` and ``materialize_to_memory``: Dagster's entry points for a run.

Responsibilities:
- Gather the definitions (an explicit list, as in Dagster, or the kernel
  registry when none is given), resolve the selection, plan, and execute.
- Supply the default IO manager (the instance's in-memory store, so values
  outlive the run), set up and tear down resources.
- Finish with an ``ExecuteInProcessResult``; with ``raise_on_error`` re-raise
  the user's own exception after every independent step has run.
- Keep the registry's statuses live while the run goes on.
"""

from __future__ import annotations

import contextlib
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetSpec
from nbassets.engine.events import EventType, RunEvent
from nbassets.engine.executors import Executor, parse_executor
from nbassets.engine.partition_plan import PartitionRequest
from nbassets.engine.plan import Plan, build_plan, revalidate
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.engine.run import Run
from nbassets.errors import (
    CycleError,
    DuplicateKeyError,
    InvalidInvocationError,
    PartitionError,
)
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.registry import Registry, get_registry, nodes_of
from nbassets.graph.topology import find_cycle, format_cycle
from nbassets.storage.instance import Instance, RunRecord
from nbassets.storage.io_manager import IOManager

__all__ = ["materialize", "materialize_to_memory", "plan_materialization", "resolve_selection"]

Owner = dict[AssetKey, "AssetsDefinition | AssetSpec"]


class _Definitions:
    """The definitions one run sees: graph, owner of each key, checks."""

    __slots__ = ("checks", "entries", "graph", "owner", "plans")

    def __init__(
        self,
        entries: list[Any],
        graph: AssetGraph,
        owner: Owner,
        checks: list[AssetChecksDefinition],
    ) -> None:
        self.entries = entries
        self.graph = graph
        self.owner = owner
        self.checks = checks
        # Plans by (selection, partition) for runs without run config; see plan.revalidate.
        self.plans: dict[tuple[Any, ...], Plan] = {}


_last_explicit: _Definitions | None = None


def _from_list(assets: Sequence[Any], registry: Registry) -> _Definitions:
    """Definitions from an explicit list; the last list's graph is reused when unchanged."""
    global _last_explicit
    cached = _last_explicit
    if (
        cached is not None
        and len(cached.entries) == len(assets)
        and all(a is b for a, b in zip(cached.entries, assets, strict=True))
    ):
        return cached
    owner: Owner = {}
    checks: list[AssetChecksDefinition] = []
    for item in assets:
        if isinstance(item, AssetChecksDefinition):
            checks.append(item)
            continue
        if not isinstance(item, (AssetsDefinition, AssetSpec)):
            raise InvalidInvocationError(
                f"materialize() got {item!r}; pass asset definitions (@asset functions), "
                "AssetSpecs or asset checks."
            )
        for key in item.keys:
            if key in owner and owner[key] is not item:
                raise DuplicateKeyError(
                    f"Two definitions in this run produce asset '{key.to_user_string()}': "
                    f"{owner[key]!r} and {item!r}. Keep one, or rename one with name= or "
                    "key_prefix=."
                )
            owner[key] = item
    entries = {id(entry): entry for entry in owner.values()}.values()
    nodes = [node for entry in entries for node in nodes_of(entry)]
    graph = AssetGraph(
        nodes, status_provider=lambda k: registry.status(k) if k in registry else "missing"
    )
    cycle = find_cycle(graph.parents, graph.keys)
    if cycle:
        raise CycleError(
            f"These assets form a cycle: {format_cycle(cycle)}. Remove one dependency."
        )
    _last_explicit = _Definitions(list(assets), graph, owner, checks)
    return _last_explicit


def _from_registry(registry: Registry) -> _Definitions:
    cached = registry.run_cache.get("definitions")
    if cached is None:
        cached = _Definitions(
            registry.definitions, registry.graph, registry._owner, registry.checks
        )
        registry.run_cache["definitions"] = cached
    return cached


def resolve_selection(selection: Any, graph: AssetGraph) -> set[AssetKey]:
    """The keys ``selection`` names in ``graph`` (``None``: every materializable asset)."""
    if selection is None:
        return {k for k in graph.keys if not graph.node(k).is_external}
    if isinstance(selection, (list, tuple, set, frozenset)) and all(
        isinstance(s, (AssetKey, AssetsDefinition)) for s in selection
    ):
        keys: set[AssetKey] = set()
        for item in selection:
            for key in item.keys if isinstance(item, AssetsDefinition) else (item,):
                if key not in graph:
                    raise graph.unknown(key, context="the selection")
                keys.add(key)
        return keys
    from nbassets.graph.selection import coerce_selection

    return set(coerce_selection(selection).resolve(graph))


def _selected_checks(
    selection: Any, selected: set[AssetKey], defs: _Definitions
) -> list[AssetChecksDefinition]:
    """The checks a run evaluates: those of its assets, unless the selection says otherwise."""
    if not defs.checks:
        return []
    by_asset: dict[AssetKey, list[Any]] = {}
    for check in defs.checks:
        by_asset.setdefault(check.asset_key, []).append(check.check_key)
    resolve_checks = getattr(selection, "resolve_checks", None)
    if resolve_checks is not None:
        wanted = resolve_checks(defs.graph, by_asset)
    else:
        wanted = {c for key in selected for c in by_asset.get(key, ())}
    return [check for check in defs.checks if check.check_key in wanted]


def _check_partition(request: PartitionRequest, selected: Iterable[AssetKey], owner: Owner) -> None:
    if request.empty:
        return
    if not any(getattr(owner.get(k), "partitions_def", None) for k in selected):
        names = ", ".join(sorted(k.to_user_string() for k in selected)) or "nothing"
        raise PartitionError(
            f"{request.describe().capitalize()} given, but no selected asset is partitioned "
            f"(selected: {names}). Drop the partition, or select a partitioned asset."
        )


def partition_request(
    partition_key: str | None,
    partition_keys: Sequence[str] | None,
    partition_key_range: Any,
) -> PartitionRequest:
    """One request from ``materialize``'s three ways of naming partitions."""
    given = [x is not None for x in (partition_key, partition_keys, partition_key_range)]
    if sum(given) > 1:
        raise InvalidInvocationError(
            "Give one of partition_key=, partition_keys= or partition_key_range=, not several."
        )
    if partition_key_range is not None:
        start, end = (
            (partition_key_range.start, partition_key_range.end)
            if hasattr(partition_key_range, "start")
            else tuple(partition_key_range)
        )
        return PartitionRequest(range=(start, end))
    if partition_keys is not None:
        if isinstance(partition_keys, str):
            raise InvalidInvocationError(
                f"partition_keys={partition_keys!r} is one string; pass a list of keys, or "
                "partition_key= for one."
            )
        return PartitionRequest(keys=tuple(partition_keys))
    return PartitionRequest(key=partition_key)


def _resources(
    given: Mapping[str, Any] | None,
    defs: _Definitions,
    instance: Instance,
    in_memory: bool,
    registry_resources: Mapping[str, Any],
) -> dict[str, Any]:
    # The registry's resources are the notebook's defaults; a run's own override them.
    resources: dict[str, Any] = {"io_manager": instance.io_manager, **registry_resources}
    bound_by: dict[str, str] = {}
    for entry in defs.entries:
        if isinstance(entry, AssetsDefinition):
            resources.update(entry.resource_defs)
            bound_by.update({name: entry.node_name for name in entry.resource_defs})
    for name, value in (given or {}).items():
        if name in bound_by:
            raise InvalidInvocationError(
                f"resources['{name}'] conflicts with the resource '{name}' that asset "
                f"'{bound_by[name]}' binds with resource_defs=. Give it another key, or drop "
                "one of the two."
            )
        if in_memory and isinstance(value, IOManager):
            raise InvalidInvocationError(
                f"materialize_to_memory() keeps every value in memory, so it takes no IO manager "
                f"(got resources['{name}'] = {type(value).__name__}). Use materialize() to run "
                "with it."
            )
        resources[name] = value
    return resources


def _registry_listener(registry: Registry, run: Run) -> Callable[[RunEvent], None]:
    """Keep the registry's running set and status answers current while the run goes on."""
    keys_of = {step.key: step.asset_keys for step in run.plan.steps if step.kind == "asset"}
    running = registry.running
    start = EventType.STEP_START
    ends = frozenset({EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED})
    subscribers = registry._listeners

    def listen(event: RunEvent) -> None:
        kind = event.event_type
        if kind is start:
            running.update(keys_of.get(event.step_key or "", ()))
        elif kind in ends:
            running.difference_update(keys_of.get(event.step_key or "", ()))
            registry.status_changed(()) if subscribers else registry.judge.invalidate()
        if subscribers:
            registry.publish(event)

    return listen


def _prepare(
    assets: Sequence[Any] | None,
    registry: Registry,
    instance: Instance,
    run_config: Any,
    resources: Mapping[str, Any] | None,
    request: PartitionRequest,
    selection: Any,
    in_memory: bool,
    remedy: str,
) -> tuple[Plan, dict[str, Any]]:
    """Resolve, validate and plan a run without running anything."""
    defs = _from_registry(registry) if assets is None else _from_list(assets, registry)
    selected = resolve_selection(selection, defs.graph)
    checks = _selected_checks(selection, selected, defs)
    _check_partition(request, selected, defs.owner)
    run_resources = _resources(resources, defs, instance, in_memory, registry.resources)
    # Dynamic partitions can change between runs: plans that use them are not reused.
    cache_key = (frozenset(selected), frozenset(c.check_key for c in checks), request, remedy)
    plan = defs.plans.get(cache_key) if run_config is None and request.empty else None
    if plan is not None:
        revalidate(plan, defs.owner, run_resources)
        return plan, run_resources
    plan = build_plan(
        graph=defs.graph,
        owner=defs.owner,
        checks=checks,
        selected=selected,
        run_config=run_config,
        resources=run_resources,
        partitions=request,
        store=instance,
        remedy=remedy,
    )
    if run_config is None and request.empty:
        defs.plans[cache_key] = plan
    return plan, run_resources


def plan_materialization(
    assets: Sequence[Any] | None = None,
    *,
    run_config: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    selection: Any = None,
    registry: Registry | None = None,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
) -> Plan:
    """The plan ``materialize`` would run, checked the same way, without running it."""
    registry = registry if registry is not None else get_registry()
    plan, _ = _prepare(
        assets,
        registry,
        registry.instance,
        run_config,
        resources,
        partition_request(partition_key, partition_keys, partition_key_range),
        selection,
        False,
        "materialize",
    )
    return plan


def _execute(
    assets: Sequence[Any] | None,
    *,
    run_config: Any,
    instance: Instance | None,
    resources: Mapping[str, Any] | None,
    request: PartitionRequest,
    raise_on_error: bool,
    tags: Mapping[str, str] | None,
    selection: Any,
    executor: str | Executor | None,
    registry: Registry | None,
    listeners: Sequence[Callable[[RunEvent], None]],
    in_memory: bool,
    remedy: str,
) -> ExecuteInProcessResult:
    registry = registry if registry is not None else get_registry()
    instance = instance if instance is not None else registry.instance
    chosen_executor = parse_executor(executor)
    plan, run_resources = _prepare(
        assets,
        registry,
        instance,
        run_config,
        resources,
        request,
        selection,
        in_memory,
        remedy,
    )
    run = Run(
        plan,
        run_id=str(uuid.uuid4()),
        tags=tags or {},
        resources=run_resources,
        instance=instance,
        listeners=list(listeners),
        run_config=run_config if isinstance(run_config, Mapping) else None,
    )
    if instance is registry.instance:
        run.listeners.append(_registry_listener(registry, run))
    record = RunRecord(
        run.run_id, "STARTED", time.time(), None, dict(tags or {}), tuple(s.key for s in plan.steps)
    )
    instance.runs.append(record)
    canceled = False
    run.emit(EventType.RUN_START)
    active = _setup_resources(run_resources, run)
    try:
        chosen_executor.execute(run)
    except KeyboardInterrupt:
        canceled = True
        run.emit(EventType.RUN_CANCELED, message="Run canceled by KeyboardInterrupt")
        raise
    finally:
        _teardown_resources(active, run)
        record.end_time = time.time()
        failed = any(o == "failed" for o in run.outcomes.values())
        record.status = "CANCELED" if canceled else ("FAILURE" if failed else "SUCCESS")
        registry.running.difference_update(k for s in plan.steps for k in s.asset_keys)
        if not canceled:
            run.emit(EventType.RUN_FAILURE if failed else EventType.RUN_SUCCESS)
    result = ExecuteInProcessResult(
        run_id=run.run_id,
        events=run.events,
        outputs=run.outputs,
        values=run.values,
        outcomes=run.outcomes,
        reasons=run.reasons,
        tags=tags,
    )
    if raise_on_error and run.errors:
        error = next(iter(run.errors.values()))
        with contextlib.suppress(AttributeError):
            error.nbassets_result = result  # type: ignore[attr-defined]
        raise error
    return result


def _setup_resources(resources: Mapping[str, Any], run: Run) -> list[Any]:
    config = sys.modules.get("nbassets.definitions.config")
    if config is None:  # no ConfigurableResource can exist yet
        return []
    active = []
    for value in {id(v): v for v in resources.values()}.values():
        if isinstance(value, config.ConfigurableResource):
            value.setup_for_execution(run)
            active.append(value)
    return active


def _teardown_resources(active: list[Any], run: Run) -> None:
    for value in reversed(active):
        value.teardown_after_execution(run)


def materialize(
    assets: Sequence[Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
    *,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
    executor: str | Executor | None = None,
    registry: Registry | None = None,
    listeners: Sequence[Callable[[RunEvent], None]] = (),
) -> ExecuteInProcessResult:
    """Materialize ``assets`` (all, or ``selection`` of them) in this process.

    As Dagster's ``materialize``; without ``assets`` the kernel registry's
    definitions are used. Values go through the IO managers in ``resources``,
    by default the kernel's in-memory store, where later runs find them.

    Beyond Dagster: ``partition_keys=[...]`` or ``partition_key_range=(start, end)``
    (or a ``PartitionKeyRange``) materializes many partitions in one run, a step per
    partition, or one step per asset that declares ``BackfillPolicy.single_run()``.
    """
    return _execute(
        assets,
        run_config=run_config,
        instance=instance,
        resources=resources,
        request=partition_request(partition_key, partition_keys, partition_key_range),
        raise_on_error=raise_on_error,
        tags=tags,
        selection=selection,
        executor=executor,
        registry=registry,
        listeners=listeners,
        in_memory=False,
        remedy="materialize",
    )


def materialize_to_memory(
    assets: Sequence[Any] | None = None,
    run_config: Any = None,
    instance: Instance | None = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    selection: Any = None,
    *,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
    executor: str | Executor | None = None,
    registry: Registry | None = None,
    listeners: Sequence[Callable[[RunEvent], None]] = (),
) -> ExecuteInProcessResult:
    """Like ``materialize``, keeping every value in memory; IO managers are refused."""
    return _execute(
        assets,
        run_config=run_config,
        instance=instance,
        resources=resources,
        request=partition_request(partition_key, partition_keys, partition_key_range),
        raise_on_error=raise_on_error,
        tags=tags,
        selection=selection,
        executor=executor,
        registry=registry,
        listeners=listeners,
        in_memory=True,
        remedy="materialize_to_memory",
    )
