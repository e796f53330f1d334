"""One asset summary: the same facts as text, HTML, the widget payload and JSON."""

from __future__ import annotations

import json

from nbassets import AssetKey
from nbassets.graph.summary import summarize_asset
from nbassets.notebook.state import state_of

K = AssetKey


def test_summary_of_a_materialized_asset(sales):
    summary = summarize_asset(sales.registry, "revenue")
    assert summary.status == "materialized"
    assert (summary.group, summary.kinds) == ("sales", ())
    assert summary.upstream == (K("orders"),) and summary.downstream == (K("report"),)
    assert summary.stale_reasons == () and summary.code_change is None
    assert len(summary.history) == 1
    assert summary.last_run == summary.history[0].timestamp
    assert summary.last_duration is not None and summary.last_duration >= 0
    assert summary.partitions is None and summary.outcome is None


def test_code_change_carries_both_sources_and_the_diff(sales):
    sales.ok("%%asset --no-run\nrevenue = sum(orders) * 2")
    sources = state_of(sales.ip).sources[K("revenue")]
    summary = summarize_asset(sales.registry, "revenue", sources)
    assert summary.status == "stale"
    change = summary.code_change
    assert change is not None
    assert change.old_source.strip() == "revenue = sum(orders)"
    assert change.new_source.strip() == "revenue = sum(orders) * 2"
    assert change.materialized_version != change.current_version
    assert "-revenue = sum(orders)\n" in change.diff and "+revenue = sum(orders) * 2" in change.diff
    assert any("code" in reason for reason in summary.stale_reasons)
    # Without the notebook's sources the versions still differ, but no diff is known.
    assert summarize_asset(sales.registry, "revenue").code_change is None


def test_json_round_trips_and_matches_the_summary(sales):
    sales.ok("%%asset --no-run\nrevenue = sum(orders) * 2")
    summary = summarize_asset(sales.registry, "revenue", state_of(sales.ip).sources[K("revenue")])
    data = json.loads(json.dumps(summary.to_json()))
    assert data["key"] == "revenue" and data["status"] == "stale"
    assert data["upstream"] == ["orders"] and data["downstream"] == ["report"]
    assert data["code_change"]["diff"] == summary.code_change.diff
    assert data["stale_reasons"] == list(summary.stale_reasons)
    assert data["last_run"] == summary.last_run
    assert [h["run_id"] for h in data["history"]] == [h.run_id for h in summary.history]


def test_the_text_view_and_the_widget_payload_show_the_summary(sales):
    from nbassets.notebook.text_views import AssetView
    from nbassets.widgets.asset_view import asset_payload

    sales.ok("%%asset --no-run\nrevenue = sum(orders) * 2")
    sources = state_of(sales.ip).sources[K("revenue")]
    summary = summarize_asset(sales.registry, "revenue", sources)
    text = repr(AssetView(sales.registry, K("revenue"), sources))
    for reason in summary.stale_reasons:
        assert reason in text
    assert summary.code_change is not None
    assert "+revenue = sum(orders) * 2" in text
    payload = asset_payload(sales.registry, K("revenue"), sources=sources)
    assert payload["header"]["stale"] == list(summary.stale_reasons)
    assert payload["header"]["status"] == "stale"
    assert payload["definition"]["diff"] == summary.code_change.diff


def test_partitioned_summary(shell, capsys):
    shell.ok(
        "from nbassets import StaticPartitionsDefinition\n"
        "letters_def = StaticPartitionsDefinition(['a', 'b', 'c'])"
    )
    shell.ok("%%asset --partitions letters_def\ndef letters(context):\n    return 1")
    shell.ok("%materialize letters --partition b")
    parts = summarize_asset(shell.registry, "letters").partitions
    assert parts is not None
    assert (parts.total, parts.counts.get("materialized")) == (3, 1)
    assert parts.text == "1/3 materialized"
