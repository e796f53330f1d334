"""Preparing a run: everything decided before the first step executes.

Responsibilities:
- Gather the definitions a run sees (an explicit list, as in Dagster, or the
  kernel registry), and resolve the selection once into a ``RunSelection``
  (the selected asset keys and the checks they bring).
- ``prepare_run``: validate the partitions and resources, plan, and return a
  frozen ``PreparedRun`` holding everything a view needs to draw the run before
  it starts (``prepared.plan.steps``) and everything ``execute`` needs to run it.

Callers (``materialize``, the magics, the progress widget, the lineage buttons,
the command line, the lab panel) prepare once and hand the same ``PreparedRun``
to their views and to ``nbassets.engine.execute``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckKey, AssetSpec
from nbassets.engine.executor_spec import parse_executor
from nbassets.engine.executors import Executor
from nbassets.engine.partition_plan import PartitionRequest
from nbassets.engine.plan import Plan, build_plan, revalidate
from nbassets.errors import (
    CycleError,
    DuplicateKeyError,
    InvalidDefinitionError,
    InvalidInvocationError,
    PartitionError,
)
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.registry import Registry, get_registry, nodes_of
from nbassets.graph.topology import find_cycle, format_cycle
from nbassets.storage.instance import Instance
from nbassets.storage.io_manager import IOManager

__all__ = [
    "PreparedRun",
    "RunDefinitions",
    "RunSelection",
    "forget_explicit_definitions",
    "partition_request",
    "prepare_run",
    "select_run",
]

Owner = Mapping[AssetKey, "AssetsDefinition | AssetSpec"]


class RunDefinitions:
    """The definitions one run sees: graph, owner of each key, checks, cached plans."""

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


_last_explicit: RunDefinitions | None = None


def forget_explicit_definitions() -> None:
    """Drop the cached graph and plans of the last explicit list (benchmarks of cold runs)."""
    global _last_explicit
    _last_explicit = None


def _from_list(assets: Sequence[Any], registry: Registry) -> RunDefinitions:
    """Definitions from an explicit list; the last list's graph is reused when unchanged."""
    global _last_explicit
    cached = _last_explicit
    if (
        cached is not None
        and len(cached.entries) == len(assets)
        and all(a is b for a, b in zip(cached.entries, assets, strict=True))
    ):
        return cached
    owner: dict[AssetKey, AssetsDefinition | AssetSpec] = {}
    checks: list[AssetChecksDefinition] = []
    from nbassets.definitions.external import unwrap_external

    for item in unwrap_external(assets):
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
                    f"Duplicate asset key: {key!r}. Two definitions in this run produce asset "
                    f"'{key.to_user_string()}': "
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
    _last_explicit = RunDefinitions(list(assets), graph, owner, checks)
    return _last_explicit


def _from_registry(registry: Registry) -> RunDefinitions:
    cached = registry.run_cache.get("definitions")
    if cached is None:
        cached = RunDefinitions(
            registry.definitions, registry.graph, registry.owners(), registry.checks
        )
        registry.run_cache["definitions"] = cached
    return cached


@dataclass(frozen=True, slots=True)
class RunSelection:
    """A selection resolved once against the definitions a run sees.

    Attributes:
        definitions: The definitions the selection was resolved in.
        keys: The selected asset keys.
        checks: The asset checks the run evaluates.
        embedded_checks: The checks declared with ``check_specs=`` on an asset that
            the selection names (``None``: those of each selected asset).
    """

    definitions: RunDefinitions
    keys: frozenset[AssetKey]
    checks: tuple[AssetChecksDefinition, ...]
    embedded_checks: frozenset[AssetCheckKey] | None = None

    @property
    def single_key(self) -> AssetKey | None:
        """The one selected asset, or ``None`` when the selection holds several or none."""
        return next(iter(self.keys)) if len(self.keys) == 1 else None


def select_run(
    selection: Any = None,
    assets: Sequence[Any] | None = None,
    *,
    registry: Registry | None = None,
) -> RunSelection:
    """Resolve ``selection`` among ``assets`` (the kernel registry's when ``None``).

    ``selection`` is anything ``nbassets.graph.selection.resolve_selection`` takes;
    ``None`` selects every materializable asset.
    """
    # The selection grammar loads on first use, keeping `import nbassets` fast.
    from nbassets.graph.selection import resolve_selection

    registry = registry if registry is not None else get_registry()
    defs = _from_registry(registry) if assets is None else _from_list(assets, registry)
    keys = frozenset(resolve_selection(selection, defs.graph))
    checks, embedded = _selected_checks(selection, keys, defs)
    return RunSelection(defs, keys, checks, embedded)


def _selected_checks(
    selection: Any, selected: frozenset[AssetKey], defs: RunDefinitions
) -> tuple[tuple[AssetChecksDefinition, ...], frozenset[AssetCheckKey] | None]:
    """The checks a run evaluates: those of its assets, unless the selection says otherwise.

    Returns the check definitions, and the embedded checks (``check_specs=``) selected,
    ``None`` when the selection says nothing about checks.
    """
    embedded = [spec.key for entry in defs.entries for spec in getattr(entry, "check_specs", ())]
    if not defs.checks and not embedded:
        return (), None
    by_asset: dict[AssetKey, list[Any]] = {}
    for check_key in [*(k for check in defs.checks for k in check.check_keys), *embedded]:
        by_asset.setdefault(check_key.asset_key, []).append(check_key)
    implied = {c for key in selected for c in by_asset.get(key, ())}
    resolve_checks = getattr(selection, "resolve_checks", None)
    wanted = resolve_checks(defs.graph, by_asset) if resolve_checks is not None else implied
    embedded_wanted = (
        frozenset(k for k in embedded if k in wanted) if resolve_checks is not None else None
    )
    chosen = []
    for check in defs.checks:
        keys = check.check_keys & wanted
        if not keys:
            continue
        if keys != check.check_keys and not check.can_subset:
            if not keys - implied:
                # Pulled in only by its assets: it runs in a run that covers all of them.
                continue
            missing = ", ".join(sorted(k.to_user_string() for k in check.check_keys - keys))
            raise InvalidDefinitionError(
                f"The selection takes only some checks of '{check.name}' (it leaves out "
                f"{missing}), but its function evaluates all of them together. Select all "
                "its checks, or define it with @multi_asset_check(..., can_subset=True) and "
                "read context.selected_asset_check_keys."
            )
        chosen.append(check.subset_for(keys))
    return tuple(chosen), embedded_wanted


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
    partition_key: str | None = None,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
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
    defs: RunDefinitions,
    instance: Instance,
    in_memory: bool,
    registry_resources: Mapping[str, Any],
) -> dict[str, Any]:
    # The registry's resources are the notebook's defaults; a run's own override them.
    resources: dict[str, Any] = {"io_manager": instance.io_manager, **registry_resources}
    bound_by: dict[str, str] = {}
    owner_keys: dict[str, list[str]] = {}
    for entry in [*defs.entries, *defs.checks]:
        # Assets, checks and source assets may bind resources of their own.
        bound = getattr(entry, "resource_defs", None)
        if bound:
            owner_name = getattr(entry, "node_name", None) or entry.key.to_user_string()
            for name, value in bound.items():
                if name in bound_by and resources[name] is not value:
                    raise InvalidDefinitionError(
                        f"Conflicting versions of resource with key '{name}' were provided to "
                        f"different assets ('{bound_by[name]}' and '{owner_name}'). Bind one "
                        "resource object under that key, or use different keys."
                    )
                if in_memory and _is_io_manager(value):
                    raise _in_memory_io_manager(name)
                resources[name] = value
                bound_by[name] = owner_name
                owner_keys[name] = [k.to_user_string() for k in getattr(entry, "keys", ())] or [
                    owner_name
                ]
    for name, value in (given or {}).items():
        if name in bound_by:
            key = json.dumps(owner_keys[name][0].split("/"))
            raise InvalidInvocationError(
                f"AssetsDefinition with key {key} has conflicting resource definitions with "
                f"provided resources for the following keys: {name}. Either remove the "
                "existing resources from the asset or change the resource keys so that they "
                f"don't overlap (asset '{bound_by[name]}' binds '{name}' with resource_defs=)."
            )
        if in_memory and _is_io_manager(value):
            raise _in_memory_io_manager(name)
        resources[name] = value
    definitions = sys.modules.get("nbassets.definitions.resources")
    if definitions is None:  # no ResourceDefinition can exist yet
        return resources
    return definitions.resolve_resources(resources)  # type: ignore[no-any-return]


def _is_io_manager(value: Any) -> bool:
    return isinstance(value, IOManager) or _is_io_manager_definition(value)


def _in_memory_io_manager(name: str) -> InvalidInvocationError:
    """Dagster's words for an IO manager given to materialize_to_memory, and the fix."""
    return InvalidInvocationError(
        f"Attempted to call `materialize_to_memory` with a resource provided for io manager "
        f"key '{name}'. Do not provide resources for io manager keys when calling "
        "`materialize_to_memory`, as it will override io management behavior for all keys: "
        "it keeps every value in memory. Use materialize() to run with that IO manager."
    )


def _is_io_manager_definition(value: Any) -> bool:
    definitions = sys.modules.get("nbassets.definitions.resources")
    return definitions is not None and isinstance(value, definitions.IOManagerDefinition)


@dataclass(frozen=True)
class PreparedRun:
    """A planned, validated run that has not started: what ``execute`` runs.

    Attributes:
        plan: The steps in execution order (``plan.steps``), each with its label,
            partition, kind (``"asset"`` or ``"check"``) and inputs.
        selection: The resolved selection (``selection.keys``, ``selection.checks``).
        resources: Every resource the run's steps see, by key.
        registry: The registry whose statuses the run keeps current.
        instance: Where the run records its materializations.
        run_config: The run config as given.
        tags: The run's tags.
        executor: How the steps execute (in process, threads, Dask).
        partitions: The partitions the run was asked for.
    """

    plan: Plan
    selection: RunSelection
    resources: Mapping[str, Any]
    registry: Registry
    instance: Instance
    run_config: Any = None
    tags: Mapping[str, str] = field(default_factory=dict)
    executor: Executor = field(default_factory=lambda: parse_executor(None))
    partitions: PartitionRequest = field(default_factory=PartitionRequest)

    @property
    def selected_keys(self) -> frozenset[AssetKey]:
        """The asset keys the selection named."""
        return self.selection.keys


def prepare_run(
    assets: Sequence[Any] | None = None,
    *,
    selection: Any = None,
    run_config: Any = None,
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: Any = None,
    tags: Mapping[str, str] | None = None,
    executor: str | Executor | None = None,
    instance: Instance | None = None,
    registry: Registry | None = None,
    in_memory: bool = False,
) -> PreparedRun:
    """Resolve, validate and plan a run without running anything.

    The arguments are ``materialize``'s. ``selection`` may also be a
    ``RunSelection`` from ``select_run`` (resolved once, e.g. to learn whether
    it names a single asset before building its run config); ``assets`` must
    then be ``None``. ``in_memory`` refuses IO managers, as
    ``materialize_to_memory`` does.

    Raises:
        NbAssetsError: a subclass naming what is wrong (unknown asset, missing
            upstream value, resource or config, bad partition); nothing has run.
    """
    registry = registry if registry is not None else get_registry()
    instance = instance if instance is not None else registry.instance
    chosen_executor = parse_executor(executor)
    request = partition_request(partition_key, partition_keys, partition_key_range)
    if isinstance(selection, RunSelection):
        if assets is not None:
            raise InvalidInvocationError(
                "prepare_run() got both assets= and a resolved RunSelection; the selection "
                "already knows its definitions, so drop assets=."
            )
        chosen = selection
    else:
        chosen = select_run(selection, assets, registry=registry)
    defs = chosen.definitions
    _check_partition(request, chosen.keys, defs.owner)
    run_resources = _resources(resources, defs, instance, in_memory, registry.resources)
    remedy = "materialize_to_memory" if in_memory else "materialize"
    plan = _plan(chosen, run_config, run_resources, request, instance, remedy)
    chosen_executor.check(plan.steps, run_resources)
    return PreparedRun(
        plan=plan,
        selection=chosen,
        resources=run_resources,
        registry=registry,
        instance=instance,
        run_config=run_config,
        tags=dict(tags or {}),
        executor=chosen_executor,
        partitions=request,
    )


def _plan(
    chosen: RunSelection,
    run_config: Any,
    resources: dict[str, Any],
    request: PartitionRequest,
    instance: Instance,
    remedy: str,
) -> Plan:
    defs = chosen.definitions
    reusable = run_config is None and request.empty
    # Dynamic partitions can change between runs: plans that use them are not reused.
    cache_key = (
        chosen.keys,
        frozenset(s.key for c in chosen.checks for s in c.selected_specs),
        chosen.embedded_checks,
        request,
        remedy,
    )
    plan = defs.plans.get(cache_key) if reusable else None
    if plan is not None:
        revalidate(plan, defs.owner, resources)
        return plan
    plan = build_plan(
        graph=defs.graph,
        owner=defs.owner,
        checks=chosen.checks,
        selected=chosen.keys,
        embedded_checks=chosen.embedded_checks,
        run_config=run_config,
        resources=resources,
        partitions=request,
        store=instance,
        remedy=remedy,
    )
    if reusable:
        defs.plans[cache_key] = plan
    return plan
