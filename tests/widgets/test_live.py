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
from nbassets.widgets.live import follow_registry

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is missing")


def define(registry: Registry, name: str, body: str, params: str = "") -> None:
    namespace: dict[str, Any] = {}
    exec(f"def {name}({params}):\n    {body}\n", namespace)
    registry.add(asset(namespace[name]), source_id=name)


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
    with use_registry() as registry:
        define(registry, "seed", "return 1")
        for i in range(60):
            define(registry, f"leaf_{i}", "return seed", "seed")
        widget, _follower, later = followed(registry)
        later.flush()
        sent: list[Any] = []
        widget.observe(sent.append, names="statuses")
        materialize(selection="*", registry=registry)
        assert {widget.status_of(f"leaf_{i}") for i in range(60)} == {"materialized"}
        assert 1 <= len(sent) <= 3  # maybe a first "running", then the end of the run


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
        widget, _follower, later = followed(registry)
        seen: list[str] = []
        widget.observe(
            lambda change: seen.append(widget.status_of("slow")), names="statuses"
        )
        materialize(selection="*", registry=registry)
        assert "running" in seen
        assert widget.status_of("slow") == "materialized"
