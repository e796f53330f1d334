"""The kernel-local registry: every asset and check defined in this kernel.

Responsibilities:
- Add, replace and remove definitions, keeping definition order, and refuse a
  definition that would close a cycle (the registry is then unchanged).
- Track which notebook cell defined what, so a renamed cell drops its old asset.
- Build the ``AssetGraph`` (cached until the next change) and answer each
  asset's status and why it is stale, from the instance's records.
- Publish change and run events to subscribers (the views).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.labels import tags_without_kinds
from nbassets.definitions.specs import AssetCheckKey, AssetSpec
from nbassets.errors import (
    CycleError,
    InvalidDefinitionError,
    MissingUpstreamError,
    PartitionError,
    PartitionRequiredError,
    UnknownAssetError,
)
from nbassets.graph.asset_graph import AssetGraph, AssetNode, AssetStatus
from nbassets.graph.staleness import StalenessJudge
from nbassets.graph.topology import find_cycle, format_cycle
from nbassets.storage.instance import Instance

__all__ = ["Definition", "Registry", "RegistryEvent", "get_registry", "use_registry"]

Definition = AssetsDefinition | AssetSpec | AssetChecksDefinition
Listener = Callable[[Any], None]


@dataclass(frozen=True, slots=True)
class RegistryEvent:
    """A change to the set of definitions, or to statuses outside a run."""

    kind: Literal["defined", "removed", "reset", "status"]
    keys: tuple[AssetKey, ...] = ()
    removed: tuple[AssetKey, ...] = ()


def nodes_of(definition: AssetsDefinition | AssetSpec) -> list[AssetNode]:
    """Graph nodes for the assets a definition declares (computed once per definition)."""
    cached: list[AssetNode] | None = getattr(definition, "_graph_nodes", None)
    if cached is None:
        cached = _nodes_of(definition)
        if isinstance(definition, AssetsDefinition):
            definition._graph_nodes = cached  # type: ignore[attr-defined]
    return cached


def _nodes_of(definition: AssetsDefinition | AssetSpec) -> list[AssetNode]:
    if isinstance(definition, AssetSpec):
        return [
            AssetNode(
                definition.key,
                definition.dep_keys,
                definition.group_name or "default",
                tags_without_kinds(definition.tags),  # kinds apart, as for other assets
                frozenset(definition.kinds),
                tuple(definition.owners),
                is_external=True,
            )
        ]
    return [
        AssetNode(
            out.key,
            definition.parents_of(out.key),
            out.group_name,
            out.tags,
            out.kinds,
            out.owners,
            op=definition.node_name,
            subsettable=definition.can_subset or len(definition.outputs) == 1,
        )
        for out in definition.outputs
    ]


class Registry:
    """Every definition in this kernel, in the order they were first defined."""

    def __init__(self, instance: Instance | None = None) -> None:
        self.instance = instance or Instance()
        self.resources: dict[str, Any] = {}
        self.running: set[AssetKey] = set()
        self._entries: list[AssetsDefinition | AssetSpec] = []
        self._owner: dict[AssetKey, AssetsDefinition | AssetSpec] = {}
        self._checks: dict[AssetCheckKey, AssetChecksDefinition] = {}
        self._sources: dict[str, Definition] = {}
        self._listeners: list[Listener] = []
        self._graph: AssetGraph | None = None
        self._keys: list[AssetKey] | None = None
        self._judge: StalenessJudge | None = None
        # What the engine derives from the current definitions (graph, plans); cleared on change.
        self.run_cache: dict[str, Any] = {}

    # Reading -------------------------------------------------------------------------

    @property
    def definitions(self) -> list[AssetsDefinition | AssetSpec]:
        return list(self._entries)

    @property
    def checks(self) -> list[AssetChecksDefinition]:
        # A @multi_asset_check holds several keys; list it once.
        return list({id(c): c for c in self._checks.values()}.values())

    def keys(self) -> list[AssetKey]:
        """Every defined key, in definition order."""
        if self._keys is None:
            self._keys = [key for entry in self._entries for key in entry.keys]
        return list(self._keys)

    def __contains__(self, key: object) -> bool:
        try:
            return coerce_key(key) in self._owner
        except InvalidDefinitionError:
            return False

    def __len__(self) -> int:
        return len(self._owner)

    def owners(self) -> Mapping[AssetKey, AssetsDefinition | AssetSpec]:
        """A read-only view: each defined key -> the definition that produces it.

        The view stays valid until the next change (a change builds a new mapping).
        """
        return MappingProxyType(self._owner)

    def definition_for(self, key: Any) -> AssetsDefinition | AssetSpec:
        asset_key = self.resolve_key(key)
        return self._owner[asset_key]

    def resolve_key(self, key: Any) -> AssetKey:
        """The defined key a user means: exact, or a unique last part (``orders``)."""
        asset_key = coerce_key(key)
        if asset_key in self._owner:
            return asset_key
        if len(asset_key.parts) == 1:
            matches = [k for k in self._owner if k.parts[-1] == asset_key.parts[0]]
            if len(matches) == 1:
                return matches[0]
        raise self.graph.unknown(asset_key)

    @property
    def graph(self) -> AssetGraph:
        if self._graph is None:
            nodes = [node for entry in self._entries for node in nodes_of(entry)]
            self._graph = AssetGraph(nodes, status_provider=self.status)
        return self._graph

    @property
    def asset_dep_graph(self) -> dict[str, dict[AssetKey, set[AssetKey]]]:
        """Each key's parents (``"upstream"``) and children (``"downstream"``), as Dagster's."""
        graph = self.graph
        return {
            "upstream": {key: set(graph.parents(key)) for key in graph.keys},
            "downstream": {key: set(graph.children(key)) for key in graph.keys},
        }

    @property
    def judge(self) -> StalenessJudge:
        if self._judge is None:
            self._judge = StalenessJudge(self.graph, self._owner, self.instance)
        return self._judge

    def status(self, key: AssetKey) -> AssetStatus:
        if key in self.running:
            return "running"
        return self.judge.status(key)

    def stale_reasons(self, key: Any) -> list[str]:
        """Why ``key`` is stale, one sentence each; empty when it is not."""
        return self.judge.reasons(self.resolve_key(key))

    def partition_states(self, key: Any) -> dict[str, str]:
        """State of each partition of a partitioned asset (materialized/missing/failed/stale)."""
        asset_key = self.resolve_key(key)
        self._require_partitioned(asset_key)
        return dict(self.judge.partition_states(asset_key))

    def partition_summary(self, key: Any) -> Any:
        """Counts by state; ``str()`` reads "312/365 materialized, 2 failed"."""
        asset_key = self.resolve_key(key)
        self._require_partitioned(asset_key)
        return self.judge.partition_summary(asset_key)

    def _require_partitioned(self, key: AssetKey) -> None:
        if getattr(self._owner[key], "partitions_def", None) is None:
            raise PartitionError(f"Asset '{key.to_user_string()}' is not partitioned.")

    def value(self, key: Any, partition: str | None = None) -> Any:
        """The latest stored value of ``key`` (a partition of it, if given)."""
        asset_key = self._key_with_records(key)
        self._check_partition_argument(asset_key, partition)
        store = self.instance.io_manager
        if not store.has_value(asset_key, partition):
            part = f" partition '{partition}'" if partition is not None else ""
            raise MissingUpstreamError(
                f"Asset '{asset_key.to_user_string()}'{part} has no value yet.",
                advice=f"Materialize it first (selection='{asset_key.to_user_string()}').",
                asset=asset_key,
                partition=partition,
            )
        return store.values[(asset_key, partition)]

    def _check_partition_argument(self, key: AssetKey, partition: str | None) -> None:
        if key not in self._owner:
            return  # run from an explicit list: only the stored values are known
        pdef = getattr(self._owner[key], "partitions_def", None)
        name = key.to_user_string()
        if pdef is None:
            if partition is not None:
                raise PartitionError(
                    f"Asset '{name}' is not partitioned; drop partition='{partition}'."
                )
            return
        if partition is None:
            first = pdef.get_first_partition_key(dynamic_partitions_store=self.instance)
            raise PartitionRequiredError(
                f"Asset '{name}' is partitioned ({self.partition_summary(key)}): say which "
                "partition.",
                advice=f"For example value('{name}', partition='{first}').",
                asset=key,
                partition=first,
            )
        pdef.validate_partition_key(partition, dynamic_partitions_store=self.instance)

    def history(self, key: Any) -> list[Any]:
        return self.instance.history(self._key_with_records(key))

    def _key_with_records(self, key: Any) -> AssetKey:
        """A defined key, or one only the instance knows (run from an explicit list)."""
        try:
            return self.resolve_key(key)
        except UnknownAssetError:
            asset_key = coerce_key(key)
            if self.instance.get_latest_materialization_event(asset_key) is not None:
                return asset_key
            raise

    def checks_for(self, key: AssetKey) -> list[AssetChecksDefinition]:
        found = {id(c): c for k, c in self._checks.items() if k.asset_key == key}
        return list(found.values())

    # Changing --------------------------------------------------------------------------

    def add(self, definition: Definition, *, source_id: str | None = None) -> None:
        """Define or replace; on any error the registry is left exactly as it was.

        A definition replaces every earlier one that produced any of its keys. With
        ``source_id`` (a notebook cell id), whatever that source defined before and
        no longer defines is removed.
        """
        if isinstance(definition, AssetChecksDefinition):
            self._add_check(definition, source_id)
            return
        if isinstance(definition, AssetsDefinition) and not definition.is_executable:
            # External assets: the registry keeps each as the AssetSpec it stands for.
            from nbassets.definitions.external import unwrap_external

            specs = unwrap_external([definition])
            for spec in specs:
                self.add(spec, source_id=source_id if len(specs) == 1 else None)
            return
        new_keys = tuple(definition.keys)
        displaced = {id(e): e for k in new_keys if (e := self._owner.get(k)) is not None}
        previous = self._sources.get(source_id) if source_id else None
        if isinstance(previous, (AssetsDefinition, AssetSpec)):
            displaced[id(previous)] = previous
        owner = {k: e for k, e in self._owner.items() if id(e) not in displaced}
        owner.update({k: definition for k in new_keys})
        self._check_acyclic(definition, owner)
        _check_mappable(definition, owner)

        entries: list[AssetsDefinition | AssetSpec] = []
        placed = False
        for entry in self._entries:
            if id(entry) in displaced:
                if not placed:
                    entries.append(definition)
                    placed = True
                continue
            entries.append(entry)
        if not placed:
            entries.append(definition)
        removed = tuple(k for e in displaced.values() for k in e.keys if k not in owner)
        graph = self._graph
        self._entries = entries
        self._owner = owner
        if source_id:
            self._sources[source_id] = definition
        self.instance.wipe(removed)
        # The new graph is in place before listeners hear of it: one may define more.
        grown = None
        if graph is not None and not removed:
            grown = graph.with_nodes(nodes_of(definition))
        self._changed(RegistryEvent("defined", new_keys, removed), graph=grown)

    def _add_check(self, check: AssetChecksDefinition, source_id: str | None) -> None:
        previous = self._sources.get(source_id) if source_id else None
        if isinstance(previous, AssetChecksDefinition):
            for key in previous.check_keys:
                self._checks.pop(key, None)
        for key in check.check_keys:
            self._checks[key] = check
        if source_id:
            self._sources[source_id] = check
        self._changed(RegistryEvent("defined", check.asset_keys))

    def _check_acyclic(
        self, definition: AssetsDefinition | AssetSpec, owner: dict[AssetKey, Any]
    ) -> None:
        def parents(key: AssetKey) -> Sequence[AssetKey]:
            entry = owner.get(key)
            if entry is None:
                return ()
            if isinstance(entry, AssetSpec):
                return entry.dep_keys
            parents_of: tuple[AssetKey, ...] = entry.parents_of(key)
            return parents_of

        cycle = find_cycle(parents, definition.keys)
        if cycle:
            name = ", ".join(k.to_user_string() for k in definition.keys)
            raise CycleError(
                f"Defining '{name}' would create a cycle: {format_cycle(cycle)}. An asset "
                "cannot depend on itself, directly or through others; remove one of these "
                "dependencies. The registry is unchanged."
            )

    def remove(self, key: Any) -> tuple[AssetKey, ...]:
        """Remove the definition of ``key`` (all keys of a multi-asset) and its values."""
        asset_key = self.resolve_key(key)
        entry = self._owner[asset_key]
        gone = tuple(entry.keys)
        self._entries = [e for e in self._entries if e is not entry]
        self._owner = {k: e for k, e in self._owner.items() if e is not entry}
        self._sources = {s: d for s, d in self._sources.items() if d is not entry}
        self._checks = {
            ck: c for ck, c in self._checks.items() if not set(c.asset_keys) & set(gone)
        }
        self.instance.wipe(gone)
        self._changed(RegistryEvent("removed", removed=gone))
        return gone

    def reset(self) -> None:
        """Forget every definition, value and run."""
        self._entries = []
        self._owner = {}
        self._checks = {}
        self._sources = {}
        self.running.clear()
        self.instance = Instance()
        self._changed(RegistryEvent("reset"))

    def accept(self, key: Any) -> None:
        """Mark a stale asset fresh without running it (for an edit that changes nothing)."""
        asset_key = self.resolve_key(key)
        self.judge.accept(asset_key)
        self.status_changed(self.graph_downstream(asset_key))

    def graph_downstream(self, key: AssetKey) -> tuple[AssetKey, ...]:
        from nbassets.graph.topology import downstream_closure

        return tuple(downstream_closure(self.graph, [key]))

    # Events ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every registry and run event; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @property
    def has_subscribers(self) -> bool:
        """Whether anything listens (runs skip publishing events nobody reads)."""
        return bool(self._listeners)

    def publish(self, event: Any) -> None:
        for listener in list(self._listeners):
            listener(event)

    def status_changed(self, keys: Sequence[AssetKey] = ()) -> None:
        """Statuses may have changed (a run recorded something): drop cached answers."""
        if self._judge is not None:
            self._judge.invalidate()
        self.publish(RegistryEvent("status", tuple(keys)))

    def forget_statuses(self) -> None:
        """Drop cached status answers without telling subscribers (nobody listens)."""
        if self._judge is not None:
            self._judge.invalidate()

    def _changed(self, event: RegistryEvent, graph: AssetGraph | None = None) -> None:
        self._graph = graph
        self._keys = None
        self._judge = None
        self.run_cache.clear()
        self.publish(event)

    def __repr__(self) -> str:
        return f"<Registry: {len(self._owner)} assets, {len(self._checks)} checks>"


def _check_mappable(definition: Definition, owner: dict[AssetKey, Any]) -> None:
    """Refuse, at definition time, partitions that cannot be mapped to an upstream's."""
    if not isinstance(definition, AssetsDefinition) or definition.partitions_def is None:
        return
    from nbassets.partitions.reads import mapping_for

    for item in definition.inputs:
        upstream_def = getattr(owner.get(item.key), "partitions_def", None)
        if upstream_def is None or item.key in definition.keys:
            continue
        mapping_for(item.partition_mapping, upstream_def, definition.partitions_def).validate(
            upstream_def, definition.partitions_def
        )


_registry = Registry()


def get_registry() -> Registry:
    """The registry of this kernel (process)."""
    return _registry


@contextlib.contextmanager
def use_registry(registry: Registry | None = None) -> Iterator[Registry]:
    """Make ``registry`` (a fresh one by default) the kernel registry for a block."""
    global _registry
    saved = _registry
    _registry = registry if registry is not None else Registry()
    try:
        yield _registry
    finally:
        _registry = saved
