"""The asset graph: a read-only view of assets and the edges between them.

Responsibilities:
- ``AssetNode``: what selection and planning need to know of one asset.
- ``AssetGraph``: nodes in definition order, parents and children of each, and
  the status of each when the graph was built by a registry that knows it.

Only ``nbassets.graph.registry.Registry`` builds graphs that change; an
``AssetGraph`` never changes once built, so traversals can cache freely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from nbassets.definitions.keys import AssetKey
from nbassets.errors import UnknownAssetError, did_you_mean

__all__ = ["AssetGraph", "AssetNode", "AssetStatus"]

AssetStatus = Literal["missing", "materialized", "stale", "running", "failed", "skipped", "partial"]


@dataclass(frozen=True, slots=True)
class AssetNode:
    """One asset as the graph sees it.

    ``parents`` lists every upstream key, whether the asset reads its value (an
    input) or only runs after it (a dep). ``is_external`` marks assets nbassets
    cannot materialize: ``AssetSpec``s and keys referenced but not defined.
    """

    key: AssetKey
    parents: tuple[AssetKey, ...] = ()
    group_name: str = "default"
    tags: Mapping[str, str] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    owners: tuple[str, ...] = ()
    is_external: bool = False
    # The function that produces the asset, and whether it can produce a subset of
    # its assets; a non-subsettable multi-asset runs all of them together.
    op: str | None = None
    subsettable: bool = True


StatusProvider = Callable[[AssetKey], "AssetStatus"]


class AssetGraph:
    """An immutable DAG of assets, nodes kept in definition order.

    Parents that no node defines are added as external nodes, so every edge has
    both ends in the graph. Cycles are not checked here; the registry rejects
    definitions that would close one (see ``nbassets.graph.topology.find_cycle``).
    """

    __slots__ = ("_children", "_index", "_nodes", "_status_provider", "keys")

    keys: tuple[AssetKey, ...]

    def __init__(
        self,
        nodes: Iterable[AssetNode],
        *,
        status_provider: StatusProvider | None = None,
    ) -> None:
        by_key: dict[AssetKey, AssetNode] = {}
        for node in nodes:
            by_key[node.key] = node
        for node in list(by_key.values()):
            for parent in node.parents:
                if parent not in by_key:
                    by_key[parent] = AssetNode(parent, is_external=True)
        children: dict[AssetKey, list[AssetKey]] = {key: [] for key in by_key}
        for node in by_key.values():
            for parent in node.parents:
                children[parent].append(node.key)
        self._nodes = by_key
        self.keys = tuple(by_key)
        self._index = {key: i for i, key in enumerate(self.keys)}
        self._children = {key: tuple(kids) for key, kids in children.items()}
        self._status_provider = status_provider

    def with_nodes(self, nodes: Iterable[AssetNode]) -> AssetGraph | None:
        """A new graph with ``nodes`` added or replaced in place, or ``None`` if it can't.

        Redefining an asset changes only its own edges, so the new graph is made from
        this one in time proportional to those edges (plus C-speed dict copies),
        not by rebuilding every node. ``None`` when a replaced node leaves behind an
        external placeholder no other node needs: the caller rebuilds instead.
        """
        by_key = dict(self._nodes)
        children = dict(self._children)
        for node in nodes:
            old = by_key.get(node.key)
            old_parents = old.parents if old is not None else ()
            if set(old_parents) != set(node.parents):
                for parent in old_parents:
                    kids = tuple(k for k in children[parent] if k != node.key)
                    children[parent] = kids
                    if not kids and by_key[parent].is_external and parent not in node.parents:
                        return None
                for parent in node.parents:
                    if parent not in by_key:
                        by_key[parent] = AssetNode(parent, is_external=True)
                        children[parent] = ()
                    if node.key not in children[parent]:
                        children[parent] = (*children[parent], node.key)
            by_key[node.key] = node
            children.setdefault(node.key, ())
        graph = object.__new__(AssetGraph)
        graph._nodes = by_key
        graph.keys = tuple(by_key)
        graph._index = (
            self._index
            if len(graph.keys) == len(self.keys)
            else {k: i for i, k in enumerate(graph.keys)}
        )
        graph._children = children
        graph._status_provider = self._status_provider
        return graph

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[AssetKey]:
        return iter(self.keys)

    def node(self, key: AssetKey) -> AssetNode:
        try:
            return self._nodes[key]
        except KeyError:
            raise self.unknown(key) from None

    def parents(self, key: AssetKey) -> tuple[AssetKey, ...]:
        return self.node(key).parents

    def children(self, key: AssetKey) -> tuple[AssetKey, ...]:
        try:
            return self._children[key]
        except KeyError:
            raise self.unknown(key) from None

    def index(self, key: AssetKey) -> int:
        """Definition order of ``key``: the tie-breaker that makes plans deterministic."""
        return self._index[key]

    def status(self, key: AssetKey) -> AssetStatus:
        """The asset's status, or ``"missing"`` when the graph was built without a store."""
        if self._status_provider is None:
            return "missing"
        return self._status_provider(key)

    @property
    def has_status(self) -> bool:
        return self._status_provider is not None

    def unknown(self, key: AssetKey | str, *, context: str = "") -> UnknownAssetError:
        """Build the error for a key that is not in the graph, with suggestions."""
        name = key.to_user_string() if isinstance(key, AssetKey) else key
        names = [k.to_user_string() for k in self.keys]
        where = f" in {context}" if context else ""
        hint = did_you_mean(name, names)
        if not hint:
            hint = (
                " No asset is defined yet: write an %%asset cell, or define @asset "
                "functions and pass them to materialize()."
                if not names
                else " Defined assets: "
                + ", ".join(sorted(names)[:10])
                + ("…" if len(names) > 10 else "")
                + "."
            )
        return UnknownAssetError(f"Unknown asset '{name}'{where}.{hint}")
