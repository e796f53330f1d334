"""The widgets without a browser: their traitlets and payloads after real runs.

The browser tests check what the page draws; these check what the kernel side
sends it, and run everywhere (no Chromium, no graphviz needed but for lineage).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from nbassets import (
    AssetKey,
    MaterializeResult,
    StaticPartitionsDefinition,
    asset,
    use_registry,
)
from nbassets.engine import execute, prepare_run
from nbassets.engine.events import EventType, RunEvent
from nbassets.graph.registry import Registry
from nbassets.widgets.asset_view import AssetViewWidget, asset_payload
from nbassets.widgets.logbook import logbook_for
from nbassets.widgets.partition_picker import PartitionPicker
from nbassets.widgets.progress import RunProgress

K = AssetKey
REGIONS = StaticPartitionsDefinition(["eu", "us", "asia"])


# orders --> revenue --> report;  broken --> after_broken
@asset
def orders(context: Any) -> MaterializeResult:
    context.log.info("loaded 3 orders")
    return MaterializeResult(value=[3, 4, 5], metadata={"rows": 3})


@asset
def revenue(orders: list[int]) -> int:
    return sum(orders)


@asset
def report(revenue: int) -> str:
    return f"revenue {revenue}"


@asset
def broken() -> int:
    raise ValueError("the source is down")


@asset
def after_broken(broken: int) -> int:
    return broken


@asset(partitions_def=REGIONS)
def sales(context: Any) -> str:
    if context.partition_key == "asia":
        raise RuntimeError("no data for asia")
    return context.partition_key


@pytest.fixture
def registry() -> Any:
    with use_registry() as reg:
        for definition in (orders, revenue, report, broken, after_broken, sales):
            reg.add(definition)
        yield reg


def _progress(registry: Registry, **prepare: Any) -> tuple[RunProgress, Any]:
    prepared = prepare_run(registry=registry, **prepare)
    view = RunProgress([(s.key, s.label, s.partition_key, s.kind) for s in prepared.plan.steps])
    return view, execute(prepared, [view], raise_on_error=False)


def test_progress_rows_start_pending_in_plan_order(registry: Registry) -> None:
    prepared = prepare_run(registry=registry, selection="orders*")
    view = RunProgress([(s.key, s.label, s.partition_key, s.kind) for s in prepared.plan.steps])
    assert [(r["label"], r["status"]) for r in view.rows] == [
        ("orders", "pending"),
        ("revenue", "pending"),
        ("report", "pending"),
    ]
    assert view.total == 3 and not view.finished


def test_progress_after_a_run_with_a_failure_and_a_skip(registry: Registry) -> None:
    view, result = _progress(registry, selection=["orders", "broken", "after_broken"])
    assert not result.success
    rows = {r["label"]: r for r in view.rows}
    assert rows["orders"]["status"] == "success" and rows["orders"]["duration"] is not None
    assert rows["orders"]["metadata"] == "rows=3"
    assert rows["orders"]["logs"] == ["info: loaded 3 orders"]
    assert rows["broken"]["status"] == "failed"
    assert "the source is down" in rows["broken"]["error"]
    assert "ValueError" in rows["broken"]["traceback"]
    assert rows["after_broken"]["status"] == "skipped" and "broken" in rows["after_broken"]["error"]
    assert view.finished
    assert view.summary.startswith("1 materialized, 1 failed, 1 skipped in ")
    assert view.counts() == {"success": 1, "failed": 1, "skipped": 1}


def test_progress_marks_steps_still_running_as_canceled_when_finished(registry: Registry) -> None:
    view = RunProgress([("orders", "orders", None, "asset")])
    sent: list[Any] = []
    view.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    view(RunEvent(EventType.STEP_START, "r1", time.time(), step_key="orders"))
    # Mid-run the page gets row patches; the rows trait is set again when the run ends.
    assert sent[-1]["rows"][0]["status"] == "running"
    view.finish()
    assert view.rows[0]["status"] == "canceled" and view.finished
    view.finish()  # idempotent
    assert view.rows[0]["status"] == "canceled"


def test_progress_fallback_is_a_table_of_rows(registry: Registry) -> None:
    view, _ = _progress(registry, selection="orders")
    view.text_fallback = "✓ orders"
    data, _ = view._repr_mimebundle_()
    assert data["text/plain"] == "✓ orders"
    assert "<td>orders</td><td>success</td>" in data["text/html"]


def test_partition_picker_follows_a_run(registry: Registry) -> None:
    picker = PartitionPicker(registry, K("sales"))
    assert (picker.partitions, picker.states) == (["eu", "us", "asia"], "___")
    assert not picker.dates
    execute(
        prepare_run(registry=registry, selection="sales", partition_keys=["eu", "asia"]),
        raise_on_error=False,
    )
    assert picker.states == "M_F"
    assert picker._repr_mimebundle_()[0]["text/plain"] == (
        "sales: 3 partitions; 1 materialized, 1 failed, 1 missing"
    )


def test_partition_picker_buttons_and_preview(registry: Registry) -> None:
    picker = PartitionPicker(registry, K("sales"))
    asked: list[tuple[str, str]] = []
    picker.on_materialize(lambda start, end: asked.append((start, end)))
    picker.selected = ["eu", "us"]
    picker._handle_message(picker, {"action": "materialize"}, [])
    picker.selected = ["eu", "nowhere"]
    picker._handle_message(picker, {"action": "materialize"}, [])
    assert asked == [("eu", "us")]
    picker._handle_message(picker, {"action": "preview", "partition": "us"}, [])
    assert picker.preview["partition"] == "us" and picker.preview["kind"] == "none"
    assert "has no value yet" in picker.preview["text"]
    execute(prepare_run(registry=registry, selection="sales", partition_key="us"))
    picker.show_preview("us")
    assert picker.preview == {"partition": "us", "kind": "text", "text": "'us'", "type": "str"}


def test_partition_picker_stops_listening_when_closed(registry: Registry) -> None:
    picker = PartitionPicker(registry, K("sales"))
    picker.close()
    execute(prepare_run(registry=registry, selection="sales", partition_key="eu"))
    assert picker.states == "___"


def test_asset_view_payload_after_runs(registry: Registry) -> None:
    book = logbook_for(registry)
    execute(prepare_run(registry=registry, selection="orders"), [book])
    execute(prepare_run(registry=registry, selection="orders"), [book])
    data = asset_payload(registry, K("orders"), logs=book)
    assert data["header"]["key"] == "orders" and data["header"]["status"] == "materialized"
    assert data["value"] == {
        "kind": "text",
        "text": "[3, 4, 5]",
        "type": "list",
        "partition": "",
    }
    assert data["metadata"] == [{"name": "rows", "type": "int", "text": "3"}]
    assert data["series"] == [{"name": "rows", "values": [3.0, 3.0]}]
    assert len(data["logs"]) == 2 and data["logs"][0].endswith("info: loaded 3 orders")
    assert data["definition"]["downstream"] == ["revenue"]
    assert len(data["history"]) == 2
    widget = AssetViewWidget(data, "orders [materialized]")
    assert widget.data["header"]["key"] == "orders" and widget.tab == "value"
    assert widget._repr_mimebundle_()[0]["text/plain"] == "orders [materialized]"


def test_asset_view_payload_of_a_failed_asset(registry: Registry) -> None:
    execute(prepare_run(registry=registry, selection="broken"), raise_on_error=False)
    data = asset_payload(registry, K("broken"))
    assert data["header"]["status"] == "failed"
    assert data["outcome"]["status"] == "failed"
    assert "the source is down" in data["outcome"]["message"]
    assert data["value"] == {"kind": "none", "text": "Not materialized yet."}


def test_logbook_keeps_lines_per_asset(registry: Registry) -> None:
    book = logbook_for(registry)
    assert logbook_for(registry) is book
    execute(prepare_run(registry=registry, selection="orders*"), [book])
    assert list(book.lines) == [K("orders")]
    assert book.lines[K("orders")][0].endswith(" info: loaded 3 orders")


def test_a_lineage_widget_follows_the_registry_until_closed(registry: Registry) -> None:
    from nbassets.widgets.lineage import LineageWidget
    from nbassets.widgets.live import drawn_keys, follow_registry

    keys = drawn_keys(registry, "orders*")
    widget = LineageWidget(registry.graph, keys=keys)
    follow_registry(widget, registry, "orders*")
    assert widget.status_of("revenue") == "missing"
    execute(prepare_run(registry=registry, selection="orders*"))
    assert [widget.status_of(k) for k in ("orders", "revenue", "report")] == ["materialized"] * 3

    @asset
    def summary(report: str) -> str:
        return report.upper()

    registry.add(summary)  # a new downstream asset: drawn, as the selection now names it
    # Re-layout waits for the kernel to be idle (coalesced); play the kernel here.
    from nbassets.widgets.deferred import deferred

    deferred().flush()
    assert K("summary") in widget.layout_data
    assert widget.status_of("summary") == "missing"
    widget.close()
    execute(prepare_run(registry=registry, selection="summary"))
    assert widget.status_of("summary") == "missing"  # closed: no longer listening
