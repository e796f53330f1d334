"""LineageWidget's Python side: traits, recolouring, callbacks and the mime bundle."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from nbassets.definitions.keys import AssetKey as K
from nbassets.errors import InvalidInvocationError, UnknownAssetError
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.widgets.lineage import LineageWidget
from nbassets.widgets.statuses import STATUS_STYLES
from tests.widgets.page_messages import recorded, status_patches

SVG = "{http://www.w3.org/2000/svg}"


def graph() -> AssetGraph:
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


def test_mimebundle_has_the_widget_view_and_a_static_svg() -> None:
    w = LineageWidget(graph(), statuses={"c": "failed"})
    data, _metadata = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert data["text/plain"] == "<LineageWidget: 5 assets, 0 selected>"
    root = ET.fromstring(data["image/svg+xml"])
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"a", "b", "c", "d", "e", "raw", "sales", "reports", "partially partitioned"} <= labels
    assert STATUS_STYLES["failed"].fill in data["image/svg+xml"]


def test_set_status_sends_the_page_only_the_changed_colours() -> None:
    with recorded() as log:
        w = LineageWidget(graph())
        layout_before = w.graph_layout
        log.clear()
        w.set_status("c", "running")
        w.set_statuses({K("a"): "materialized", "b": "stale", "d": "missing"})
        w.set_status("c", "running")  # no change: nothing sent
    ids = {k: w.layout_data.id_for(K(k)) for k in "abcde"}
    assert status_patches(log) == [
        {ids["c"]: "running"},
        {ids["a"]: "materialized", ids["b"]: "stale"},
    ]
    assert len(log) == 2  # no state update: the layout and the whole mapping stay put
    assert w.graph_layout is layout_before
    assert [w.status_of(k) for k in "abcde"] == [
        "materialized", "stale", "running", "missing", "missing",
    ]


def test_bad_status_or_key_is_refused_with_a_suggestion() -> None:
    w = LineageWidget(graph())
    with pytest.raises(InvalidInvocationError, match=r"Unknown asset status 'stal'\. Did you mean"):
        w.set_status("c", "stal")
    with pytest.raises(UnknownAssetError, match=r"Unknown asset 'cc' in the lineage view"):
        w.set_status("cc", "stale")
    with pytest.raises(UnknownAssetError, match=r"Unknown asset 'zz'"):
        w.selected = ["zz"]


def test_selected_holds_user_strings_and_takes_keys() -> None:
    two_part = AssetGraph([AssetNode(K(["sales", "orders"])), AssetNode(K("x"))])
    w = LineageWidget(two_part, selected=[K(["sales", "orders"])])
    assert w.selected == ["sales/orders"]
    w.selected = ["x", "sales/orders", "x"]
    assert w.selected == ["x", "sales/orders"]
    assert w.selected_keys == [K("x"), K(["sales", "orders"])]


def test_front_end_messages_reach_the_callbacks() -> None:
    w = LineageWidget(graph())
    calls: list[Any] = []
    w.on_materialize(lambda keys, mode: calls.append((keys, mode)))
    w.on_open(lambda key: calls.append(key))
    # The same content lineage.js sends with model.send(...).
    w._handle_custom_msg({"action": "materialize", "mode": "upstream", "keys": ["c"]}, [])
    w._handle_custom_msg({"action": "open", "key": "d"}, [])
    assert calls == [([K("c")], "upstream"), K("d")]


def test_keys_for_mode_widens_by_mode_in_topological_order() -> None:
    w = LineageWidget(graph())
    assert w.keys_for_mode(["a"], "selected") == [K("a")]
    assert w.keys_for_mode(["a"], "downstream") == [K("a"), K("b"), K("d"), K("c")]
    assert w.keys_for_mode(["c"], "upstream") == [K("a"), K("e"), K("b"), K("c")]
    with pytest.raises(InvalidInvocationError, match=r"Unknown materialize mode 'down'"):
        w.keys_for_mode(["a"], "down")  # type: ignore[arg-type]


def test_set_graph_keeps_status_and_selection_of_surviving_assets() -> None:
    w = LineageWidget(graph(), selected=["b", "c"])
    w.set_status("c", "materialized")
    smaller = AssetGraph([AssetNode(K("z")), AssetNode(K("c"), (K("z"),))])
    w.set_graph(smaller)
    assert [n["key"] for n in w.graph_layout["nodes"]] == ["z", "c"]
    assert w.selected == ["c"]
    assert w.status_of("c") == "materialized"
