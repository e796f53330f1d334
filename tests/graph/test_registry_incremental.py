"""The registry updates its graph in place when an asset is (re)defined.

The incremental graph must answer exactly as a graph rebuilt from scratch.
"""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from nbassets import AssetKey, AssetsDefinition, asset
from nbassets.errors import CycleError
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.registry import Registry, nodes_of

NAMES = [f"n{i}" for i in range(8)]


def _define(name: str, parents: list[str]) -> AssetsDefinition:
    namespace: dict[str, object] = {}
    exec(f"def {name}({', '.join(parents)}):\n    return 1\n", namespace)
    return asset(namespace[name])


def _edges(graph: AssetGraph) -> dict[AssetKey, tuple[set[AssetKey], set[AssetKey], bool]]:
    return {
        key: (set(graph.parents(key)), set(graph.children(key)), graph.node(key).is_external)
        for key in graph.keys
    }


steps = st.lists(
    st.tuples(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=3, unique=True)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_incremental_graph_equals_a_rebuilt_one(sequence: list[tuple[str, list[str]]]) -> None:
    registry = Registry()
    for name, parents in sequence:
        registry.graph  # noqa: B018 - keep a graph so the next add updates it in place
        with contextlib.suppress(CycleError):
            registry.add(_define(name, [p for p in parents if p != name]))
        rebuilt = AssetGraph([n for d in registry.definitions for n in nodes_of(d)])
        assert _edges(registry.graph) == _edges(rebuilt)
        assert set(registry.graph.keys) == set(rebuilt.keys)
