"""A lineage widget following the registry: lazy, coalesced, and told of every status change.

The ``Deferred`` here is flushed by the test, as the kernel's event loop does after a cell.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from nbassets import asset, materialize, use_registry
from nbassets.graph.registry import Registry
from nbassets.widgets.deferred import Deferred
from nbassets.widgets.lineage import LineageWidget
from nbassets.widgets.live import drawn_keys, follow_registry, partition_counts
from tests.widgets.page_messages import (
    full_status_updates,
    recorded,
    sent_by,
    status_patches,
)

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is missing")


def define(registry: Registry, name: str, body: str, params: str = "", **options: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def {name}({params}):\n    {body}\n", namespace)
    registry.add(asset(namespace[name], **options), source_id=name)


def followed(registry: Registry) -> tuple[LineageWidget, Any, Deferred]:
    later = Deferred(later=lambda flush: None)
    widget = LineageWidget(registry.graph)
    return widget, follow_registry(widget, registry, later=later), later


def test_a_burst_of_definitions_is_one_layout_when_flushed() -> None:
    with use_registry() as registry:
        define(registry, "seed", "return 1")
        widget, follower, later = followed(registry)
        for i in range(25):
            define(registry, f"leaf_{i}", "return seed", "seed")
        assert follower.layouts == 0 and len(widget.layout_data.nodes) == 1
        later.flush()
        assert follower.layouts == 1 and len(widget.layout_data.nodes) == 26


def test_a_no_run_redefinition_recolours_downstream_stale() -> None:
    # orders --> revenue
    with use_registry() as registry:
        define(registry, "orders", "return [1, 2, 3]")
        define(registry, "revenue", "return sum(orders)", "orders")
        materialize(selection="*", registry=registry)
        widget, _follower, later = followed(registry)
        assert widget.status_of("revenue") == "materialized"
        define(registry, "orders", "return [1, 2]")
        later.flush()
        assert registry.status(registry.resolve_key("revenue")) == "stale"
        assert (widget.status_of("orders"), widget.status_of("revenue")) == ("stale", "stale")


def test_a_run_recolours_in_few_messages_not_one_per_step() -> None:
    with use_registry() as registry, recorded() as log:
        define(registry, "seed", "return 1")
        for i in range(60):
            define(registry, f"leaf_{i}", "return seed", "seed")
        widget, _follower, later = followed(registry)
        later.flush()
        log.clear()
        materialize(selection="*", registry=registry)
        assert {widget.status_of(f"leaf_{i}") for i in range(60)} == {"materialized"}
        # A quick run: one patch at its end, every asset in it, and never the whole mapping.
        everything = {node.id: "materialized" for node in widget.layout_data.nodes}
        assert status_patches(log) == [everything]
        assert full_status_updates(log) == []


def test_views_are_sent_only_what_changed_for_them() -> None:
    # a --> b; c alone. Three views: everything, `a+`, and `c`.
    with use_registry() as registry, recorded() as log:
        define(registry, "a", "return 1")
        define(registry, "b", "return a", "a")
        define(registry, "c", "return 3")
        materialize(selection="*", registry=registry)
        later = Deferred(later=lambda flush: None)
        views = {}
        for selection in (None, "a+", "c"):
            keys = drawn_keys(registry, selection)
            views[selection] = LineageWidget(registry.graph, keys=keys)
            follow_registry(views[selection], registry, selection, later=later)
        log.clear()
        define(registry, "a", "return 2")  # a new definition: every view is laid out again
        later.flush()
        log.clear()
        materialize(selection="a", registry=registry)  # a fresh again, b still stale
        patches = {s: status_patches(sent_by(log, w)) for s, w in views.items()}
        id_of = views[None].layout_data.id_for
        assert patches[None] == [{id_of(registry.resolve_key("a")): "materialized"}]
        assert len(patches["a+"]) == 1 and list(patches["a+"][0].values()) == ["materialized"]
        assert patches["c"] == []  # nothing changed in what it draws: no message at all


def test_a_closed_widget_stops_following() -> None:
    with use_registry() as registry:
        define(registry, "seed", "return 1")
        widget, follower, later = followed(registry)
        widget.close()
        define(registry, "other", "return 2")
        later.flush()
        assert not follower.following and follower.layouts == 0
        assert later.pending == 0


def test_a_long_step_after_quick_ones_shows_as_running_while_it_runs() -> None:
    # quick --> slow: `slow` starts within RECOLOUR_S of quick's colours: a timer sends it.
    with use_registry() as registry:
        define(registry, "quick", "return 1")
        define(registry, "slow", "import time; time.sleep(0.8); return quick", "quick")
        with recorded() as log:
            widget, _follower, _later = followed(registry)
            materialize(selection="*", registry=registry)
        slow = widget.layout_data.id_for(registry.resolve_key("slow"))
        seen = [p[slow] for p in status_patches(log) if slow in p]
        assert seen[0] == "running" and seen[-1] == "materialized"
        assert widget.status_of("slow") == "materialized"


def test_partitioned_nodes_carry_their_count_and_follow_runs() -> None:
    from nbassets import StaticPartitionsDefinition

    regions = StaticPartitionsDefinition(["eu", "us", "asia"])
    with use_registry() as registry, recorded() as log:
        define(registry, "plain", "return 1")
        define(registry, "sales", "return 2", partitions_def=regions)
        keys = drawn_keys(registry, None)
        widget = LineageWidget(registry.graph, counts=partition_counts(registry, keys))
        later = Deferred(later=lambda flush: None)
        follow_registry(widget, registry, later=later)
        sales = widget.layout_data.id_for(registry.resolve_key("sales"))
        assert widget.counts == {sales: "0/3"}  # only partitioned assets carry one
        log.clear()
        materialize(selection="sales", registry=registry, partition_key="us")
        assert widget.counts == {sales: "1/3"}
        counts = [m["content"]["counts"] for m in log
                  if m.get("method") == "custom" and m["content"].get("type") == "counts"]
        assert counts == [{sales: "1/3"}]
