"""The asset view follows the registry: its header, value and history after later runs.

The ``Deferred`` is flushed by the test, as the kernel's event loop does after a cell
(or after a widget button's run).
"""

from __future__ import annotations

from typing import Any

from nbassets import DailyPartitionsDefinition, asset, materialize, use_registry
from nbassets.definitions.keys import AssetKey
from nbassets.engine import execute, prepare_run
from nbassets.graph.registry import Registry
from nbassets.widgets.asset_live import follow_asset
from nbassets.widgets.asset_view import AssetViewWidget, asset_payload
from nbassets.widgets.deferred import Deferred
from nbassets.widgets.partition_picker import PartitionPicker

K = AssetKey


def define(registry: Registry, name: str, body: str, params: str = "", **options: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def {name}({params}):\n    {body}\n", namespace)
    registry.add(asset(namespace[name], **options), source_id=name)


def live_view(registry: Registry, name: str) -> tuple[AssetViewWidget, Deferred]:
    later = Deferred(later=lambda flush: None)
    key = K(name)

    def payload() -> dict[str, Any]:
        return asset_payload(registry, key)

    view = AssetViewWidget(payload())
    follow_asset(view, registry, key, payload, later=later)
    return view, later


def test_the_header_follows_a_redefinition_and_a_later_run() -> None:
    # orders --> revenue
    with use_registry() as registry:
        define(registry, "orders", "return [1, 2, 3]")
        define(registry, "revenue", "return sum(orders)", "orders")
        materialize(selection="*", registry=registry)
        view, later = live_view(registry, "revenue")
        assert view.data["header"]["status"] == "materialized"
        assert view.data["header"]["stale"] == [] and len(view.data["history"]) == 1

        define(registry, "orders", "return [1, 2]")  # redefined, not run
        later.flush()
        assert view.data["header"]["status"] == "stale"
        assert view.data["header"]["stale"] == ["upstream 'orders' is stale"]

        materialize(selection="orders+", registry=registry)
        assert view.data["header"]["status"] == "stale"  # drawn after the run, not per step
        later.flush()
        assert view.data["header"]["status"] == "materialized"
        assert view.data["header"]["stale"] == []
        assert view.data["value"]["text"] == "3" and len(view.data["history"]) == 2


def test_a_closed_view_and_a_removed_asset() -> None:
    with use_registry() as registry:
        define(registry, "orders", "return [1]")
        define(registry, "other", "return 2")
        view, later = live_view(registry, "orders")
        registry.remove("orders")
        later.flush()
        assert view.data["gone"] == "orders is no longer defined; this view shows it as it was."
        closed, later2 = live_view(registry, "other")
        closed.close()
        materialize(selection="other", registry=registry)
        later2.flush()
        assert closed.data["header"]["status"] == "missing" and later2.pending == 0


def test_after_a_picker_run_the_header_and_the_strip_agree() -> None:
    with use_registry() as registry:
        days = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
        define(registry, "events", "return 1", partitions_def=days)
        key = K("events")
        execute(prepare_run(
            registry=registry, selection="events",
            partition_key_range=("2024-01-01", "2024-01-10"),
        ))
        view, later = live_view(registry, "events")
        picker = PartitionPicker(registry, key)
        assert view.data["header"]["partitions"] == "10/31 materialized"
        # What the picker's Materialize button runs: a range, with the view open above it.
        picker.selected = ["2024-01-11", "2024-01-19"]
        execute(prepare_run(
            registry=registry, selection="events",
            partition_key_range=("2024-01-11", "2024-01-19"),
        ))
        later.flush()
        assert view.data["header"]["partitions"] == "19/31 materialized"
        assert picker.states.count("M") == 19
        assert view.data["header"]["partition_counts"] == picker.counts == [
            ["materialized", 19], ["missing", 12],
        ]
        # The Value tab names the partition it shows: the latest one materialized.
        assert view.data["value"]["partition"] == "2024-01-19"


def test_neighbour_links_ask_to_open_only_the_assets_they_name() -> None:
    with use_registry() as registry:
        define(registry, "orders", "return [1]")
        define(registry, "revenue", "return sum(orders)", "orders")
        view, _later = live_view(registry, "orders")
        opened: list[str] = []
        view.on_open(opened.append)
        view._handle_message(view, {"action": "open", "key": "revenue"}, [])
        view._handle_message(view, {"action": "open", "key": "elsewhere"}, [])
        assert opened == ["revenue"]  # the page can only follow the links it was given
