"""Traversals over a read-only asset graph.

Responsibilities:
- Deterministic topological order of a subset of keys (ties broken by
  definition order, so a plan reads the same every run).
- Upstream and downstream closures, optionally bounded by depth.
- Finding a dependency cycle and naming its path.

Every function is linear in the nodes and edges it visits.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from nbassets.definitions.keys import AssetKey
from nbassets.graph.asset_graph import AssetGraph

__all__ = [
    "downstream_closure",
    "find_cycle",
    "topological_sort",
    "upstream_closure",
]


def topological_sort(graph: AssetGraph, keys: Collection[AssetKey]) -> list[AssetKey]:
    """Order ``keys`` so every key comes after its parents that are also in ``keys``.

    Among keys ready at the same time, the earlier-defined one goes first.
    """
    chosen = keys if isinstance(keys, (set, frozenset)) else set(keys)
    waiting: dict[AssetKey, int] = {}
    ready: list[tuple[int, AssetKey]] = []
    index = graph.index
    for key in chosen:
        count = sum(1 for parent in graph.parents(key) if parent in chosen)
        if count:
            waiting[key] = count
        else:
            ready.append((index(key), key))
    heapq.heapify(ready)
    order: list[AssetKey] = []
    while ready:
        _, key = heapq.heappop(ready)
        order.append(key)
        for child in graph.children(key):
            if child in waiting:
                waiting[child] -= 1
                if not waiting[child]:
                    del waiting[child]
                    heapq.heappush(ready, (index(child), child))
    if waiting:
        cycle = find_cycle(graph.parents, waiting)
        raise ValueError(f"Cycle among assets: {format_cycle(cycle)}")
    return order


def _closure(
    start: Iterable[AssetKey],
    step: Callable[[AssetKey], Sequence[AssetKey]],
    depth: int | None,
    include_self: bool,
) -> set[AssetKey]:
    # With include_self=False every start key is left out, even one another start
    # key reaches: Dagster 1.13 does the same ("a -> b", upstream of {a, b} is {}).
    starts = list(dict.fromkeys(start))
    reached: set[AssetKey] = set()
    frontier = starts
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        nxt: list[AssetKey] = []
        for key in frontier:
            for other in step(key):
                if other not in reached:
                    reached.add(other)
                    nxt.append(other)
        frontier = nxt
    if include_self:
        reached.update(starts)
    else:
        reached.difference_update(starts)
    return reached


def upstream_closure(
    graph: AssetGraph,
    keys: Iterable[AssetKey],
    *,
    depth: int | None = None,
    include_self: bool = True,
) -> set[AssetKey]:
    """``keys`` and their ancestors, up to ``depth`` hops (all when ``None``)."""
    return _closure(keys, graph.parents, depth, include_self)


def downstream_closure(
    graph: AssetGraph,
    keys: Iterable[AssetKey],
    *,
    depth: int | None = None,
    include_self: bool = True,
) -> set[AssetKey]:
    """``keys`` and their descendants, up to ``depth`` hops (all when ``None``)."""
    return _closure(keys, graph.children, depth, include_self)


def find_cycle(
    parents_of: Callable[[AssetKey], Sequence[AssetKey]] | Mapping[AssetKey, Sequence[AssetKey]],
    keys: Iterable[AssetKey],
) -> list[AssetKey] | None:
    """Return a cycle as ``[k0, k1, ..., k0]`` (each depends on the next), or ``None``.

    ``parents_of`` maps a key to the keys it depends on; keys it does not know
    have no parents.
    """
    if isinstance(parents_of, Mapping):
        table = parents_of

        def lookup(key: AssetKey) -> Sequence[AssetKey]:
            return table.get(key, ())
    else:
        call = parents_of

        def lookup(key: AssetKey) -> Sequence[AssetKey]:
            try:
                return call(key)
            except LookupError:
                return ()

    done: set[AssetKey] = set()
    for root in keys:
        if root in done:
            continue
        # Iterative depth-first search; `path` is the current chain of dependants.
        path: list[AssetKey] = [root]
        on_path = {root}
        stack = [iter(lookup(root))]
        while stack:
            advanced = False
            for parent in stack[-1]:
                if parent in on_path:
                    start = path.index(parent)
                    return path[start:] + [parent]
                if parent not in done:
                    path.append(parent)
                    on_path.add(parent)
                    stack.append(iter(lookup(parent)))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
    return None


def format_cycle(cycle: Sequence[AssetKey] | None) -> str:
    """Spell a cycle found by ``find_cycle`` in data-flow order: ``a -> b -> a``."""
    if not cycle:
        return "(none)"
    return " -> ".join(key.to_user_string() for key in reversed(cycle))
