"""Traversals: topological order, closures, cycles."""

from __future__ import annotations

import pytest

from nbassets import AssetKey
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.graph.topology import (
    downstream_closure,
    find_cycle,
    format_cycle,
    topological_sort,
    upstream_closure,
)

K = AssetKey


def graph(edges: dict[str, str]) -> AssetGraph:
    """Nodes in the dict's order; each value lists the node's parents, space-separated."""
    return AssetGraph(AssetNode(K(n), tuple(K(p) for p in ps.split())) for n, ps in edges.items())


def names(keys: object) -> list[str]:
    return [k.to_user_string() for k in keys]  # type: ignore[attr-defined]


# a --> b --> c
# a --> d
# e --> c
G = graph({"a": "", "b": "a", "c": "b e", "d": "a", "e": ""})


def test_undefined_parents_become_external_nodes() -> None:
    g = graph({"b": "a"})
    assert g.node(K("a")).is_external
    assert g.children(K("a")) == (K("b"),)
    assert names(g.keys) == ["b", "a"]


def test_unknown_key_suggests_a_close_name() -> None:
    with pytest.raises(LookupError, match="Unknown asset 'bb'. Did you mean 'b'"):
        G.node(K("bb"))


def test_topological_sort_breaks_ties_by_definition_order() -> None:
    assert names(topological_sort(G, set(G.keys))) == ["a", "b", "d", "e", "c"]


def test_topological_sort_of_a_subset_ignores_other_parents() -> None:
    assert names(topological_sort(G, {K("c"), K("d")})) == ["c", "d"]


def test_closures() -> None:
    assert set(names(upstream_closure(G, [K("c")]))) == {"a", "b", "c", "e"}
    assert set(names(upstream_closure(G, [K("c")], depth=1))) == {"b", "c", "e"}
    assert set(names(downstream_closure(G, [K("a")]))) == {"a", "b", "c", "d"}
    assert set(names(downstream_closure(G, [K("a")], include_self=False))) == {"b", "c", "d"}
    assert set(names(downstream_closure(G, [K("a")], depth=1, include_self=False))) == {"b", "d"}


def test_include_self_false_drops_every_start_even_one_another_start_reaches() -> None:
    # Dagster 1.13: every key of the starting selection is removed.
    reached = downstream_closure(G, [K("a"), K("b")], include_self=False)
    assert set(names(reached)) == {"c", "d"}


def test_find_cycle_names_the_path() -> None:
    parents = {K("a"): [K("c")], K("b"): [K("a")], K("c"): [K("b")]}
    cycle = find_cycle(parents, [K("a")])
    assert cycle is not None and cycle[0] == cycle[-1]
    assert set(cycle) == {K("a"), K("b"), K("c")}
    assert format_cycle(cycle).count(" -> ") == 3
    assert find_cycle({K("a"): [K("b")]}, [K("a")]) is None


def test_topological_sort_reports_a_cycle() -> None:
    g = graph({"a": "b", "b": "a"})
    with pytest.raises(ValueError, match="Cycle among assets: (a -> b -> a|b -> a -> b)"):
        topological_sort(g, set(g.keys))


def test_long_chain_does_not_recurse() -> None:
    n = 5000
    g = AssetGraph(AssetNode(K(f"n{i}"), (K(f"n{i-1}"),) if i else ()) for i in range(n))
    assert len(topological_sort(g, set(g.keys))) == n
    assert find_cycle(g.parents, [K(f"n{n-1}")]) is None
