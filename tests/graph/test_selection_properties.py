"""Property tests: selections on random DAGs against a plain reachability oracle.

The oracle knows only the edge list: it computes all-pairs shortest path lengths
(Floyd-Warshall, nothing like the breadth-first closures the package uses) and
answers every selection with set arithmetic on those distances.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from nbassets.definitions.keys import AssetKey
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.graph.selection import AssetSelection
from nbassets.graph.selection.ops import NotSelection

INF = float("inf")

# Key parts that need quoting, look like keywords or attributes, or start with digits,
# so the round trip exercises the spelling of values.
PART = st.one_of(
    st.sampled_from(["a", "b", "orders", "and", "or", "not", "key", "roots", "2024", "x-y.z"]),
    st.text(alphabet='ab1_-. :"\\=()+,@', min_size=1, max_size=4),
)


def within(distance: float, limit: float) -> bool:
    """A path exists (distance is finite), of one hop or more, and no longer than ``limit``."""
    return distance != INF and 1 <= distance <= limit


@dataclass(frozen=True)
class Dag:
    """A random DAG: node i may depend on node j < i. External nodes are left undefined."""

    keys: tuple[AssetKey, ...]
    parents: tuple[frozenset[int], ...]
    groups: tuple[str, ...]
    tags: tuple[str | None, ...]
    external: frozenset[int]

    @property
    def graph(self) -> AssetGraph:
        return AssetGraph(
            AssetNode(
                self.keys[i],
                tuple(self.keys[p] for p in sorted(self.parents[i])),
                group_name=self.groups[i],
                tags={} if self.tags[i] is None else {"team": self.tags[i]},
            )
            for i in range(len(self.keys))
            if i not in self.external
        )

    @property
    def nodes(self) -> range:
        return range(len(self.keys))

    @property
    def materializable(self) -> frozenset[int]:
        return frozenset(self.nodes) - self.external

    def distances(self) -> list[list[float]]:
        """``d[u][v]``: fewest edges on a path from ``u`` down to ``v``."""
        d = [[0.0 if u == v else INF for v in self.nodes] for u in self.nodes]
        for child in self.nodes:
            for parent in self.parents[child]:
                d[parent][child] = 1
        for k, u, v in itertools.product(self.nodes, repeat=3):
            if d[u][k] + d[k][v] < d[u][v]:
                d[u][v] = d[u][k] + d[k][v]
        return d

    def names(self, found: set[AssetKey]) -> frozenset[int]:
        return frozenset(self.keys.index(key) for key in found)


@st.composite
def dags(draw: st.DrawFn, *, plain_names: bool = False) -> Dag:
    size = draw(st.integers(1, 9))
    if plain_names:
        keys = tuple(AssetKey(f"n{i}") for i in range(size))
    else:
        paths = draw(
            st.lists(
                st.lists(PART, min_size=1, max_size=2).map(tuple),
                min_size=size,
                max_size=size,
                unique=True,
            )
        )
        keys = tuple(AssetKey(path) for path in paths)
    parents = tuple(frozenset(j for j in range(i) if draw(st.booleans())) for i in range(size))
    groups = tuple(draw(st.sampled_from(["g1", "g2", "default"])) for _ in range(size))
    tags = tuple(draw(st.sampled_from([None, "x", "y"])) for _ in range(size))
    # A node with children and no parents may be left undefined: the graph then adds
    # it as an external node (group "default", no tags), as for an AssetSpec.
    candidates = [i for i in range(size) if not parents[i] and any(i in p for p in parents)]
    external = frozenset(i for i in candidates if draw(st.booleans()))
    groups = tuple("default" if i in external else g for i, g in enumerate(groups))
    tags = tuple(None if i in external else t for i, t in enumerate(tags))
    return Dag(keys, parents, groups, tags, external)


Case = tuple[AssetSelection, frozenset[int]]
DEPTH = st.one_of(st.none(), st.integers(0, 4))


def selections(dag: Dag, *, spellable: bool = False) -> st.SearchStrategy[Case]:
    """Selection trees on ``dag``, each with the oracle's answer."""
    dist = dag.distances()
    materializable = dag.materializable
    present_groups = sorted({dag.groups[i] for i in materializable})
    present_tags = sorted({dag.tags[i] for i in materializable} - {None})  # type: ignore[type-var]

    def traverse(up: bool) -> Callable[[tuple[Case, int | None, bool]], Case]:
        def build(args: tuple[Case, int | None, bool]) -> Case:
            (selection, starts), depth, include_self = args
            limit = INF if depth is None else depth

            def hops(s: int, other: int) -> float:
                return dist[other][s] if up else dist[s][other]

            reached = {o for o in dag.nodes for s in starts if within(hops(s, o), limit)}
            reached = reached | starts if include_self else reached - starts
            # Traversals never add an external asset the user did not name.
            reached = {k for k in reached if k not in dag.external or k in starts}
            method = selection.upstream if up else selection.downstream
            return method(depth, include_self), frozenset(reached)

        return build

    def roots(case: Case) -> Case:
        selection, chosen = case
        return selection.roots(), frozenset(
            k for k in chosen if not any(dist[c][k] not in (0, INF) for c in chosen)
        )

    def sinks(case: Case) -> Case:
        selection, chosen = case
        return selection.sinks(), frozenset(
            k for k in chosen if not any(dist[k][c] not in (0, INF) for c in chosen)
        )

    leaves = [
        st.sampled_from(list(dag.nodes)).map(
            lambda i: (AssetSelection.assets(dag.keys[i]), frozenset({i}))
        ),
        st.just((AssetSelection.all(), materializable)),
        st.sampled_from(present_groups).map(
            lambda g: (
                AssetSelection.groups(g),
                frozenset(i for i in materializable if dag.groups[i] == g),
            )
        ),
    ]
    if present_tags:
        leaves.append(
            st.sampled_from(present_tags).map(
                lambda v: (
                    AssetSelection.tag("team", v),
                    frozenset(i for i in materializable if dag.tags[i] == v),
                )
            )
        )
    include_self = st.just(True) if spellable else st.booleans()

    def extend(inner: st.SearchStrategy[Case]) -> st.SearchStrategy[Case]:
        return st.one_of(
            st.tuples(inner, inner).map(lambda p: (p[0][0] | p[1][0], p[0][1] | p[1][1])),
            st.tuples(inner, inner).map(lambda p: (p[0][0] & p[1][0], p[0][1] & p[1][1])),
            st.tuples(inner, inner).map(lambda p: (p[0][0] - p[1][0], p[0][1] - p[1][1])),
            inner.map(lambda c: (NotSelection(c[0]), materializable - c[1])),
            st.tuples(inner, DEPTH, include_self).map(traverse(up=True)),
            st.tuples(inner, DEPTH, include_self).map(traverse(up=False)),
            inner.map(roots),
            inner.map(sinks),
        )

    return st.recursive(st.one_of(leaves), extend, max_leaves=6)


@settings(deadline=None, max_examples=200)
@given(st.data())
def test_resolve_matches_the_oracle(data: st.DataObject) -> None:
    dag = data.draw(dags())
    selection, expected = data.draw(selections(dag))
    assert dag.names(selection.resolve(dag.graph)) == expected


@settings(deadline=None, max_examples=200)
@given(st.data())
def test_spelling_round_trips(data: st.DataObject) -> None:
    dag = data.draw(dags())
    selection, expected = data.draw(selections(dag, spellable=True))
    spelled = selection.to_selection_str()
    parsed = AssetSelection.from_string(spelled)
    assert parsed == selection, spelled
    assert dag.names(parsed.resolve(dag.graph)) == expected


MARK = st.one_of(st.just(""), st.just("*"), st.integers(1, 3).map(lambda n: "+" * n))


@settings(deadline=None, max_examples=200)
@given(st.data())
def test_classic_clauses_match_the_oracle(data: st.DataObject) -> None:
    dag = data.draw(dags(plain_names=True))
    dist = dag.distances()
    clauses = data.draw(
        st.lists(st.tuples(MARK, st.sampled_from(list(dag.nodes)), MARK), min_size=1, max_size=3)
    )
    expected: set[int] = set()
    for up, node, down in clauses:
        up_limit = INF if up == "*" else len(up)
        down_limit = INF if down == "*" else len(down)
        reached = {o for o in dag.nodes if within(dist[o][node], up_limit)}
        reached |= {o for o in dag.nodes if within(dist[node][o], down_limit)}
        expected |= (reached - dag.external) | {node}
    separator = data.draw(st.sampled_from([",", ", ", " ", "  ,"]))
    text = separator.join(f"{up}{dag.keys[node]}{down}" for up, node, down in clauses)
    selection = AssetSelection.from_string(text)
    assert dag.names(selection.resolve(dag.graph)) == expected, text
    assert AssetSelection.from_string(selection.to_selection_str()) == selection
