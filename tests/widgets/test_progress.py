"""RunProgress's kernel side: checks counted apart from assets, and row patches, not resends.

The rows a view draws are what the kernel sends: the snapshot trait plus the
custom messages captured here from ``send``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from nbassets import (
    AssetCheckResult,
    AssetCheckSeverity,
    DailyPartitionsDefinition,
    asset,
    asset_check,
    use_registry,
)
from nbassets.engine import execute
from nbassets.engine.prepare import prepare_run
from nbassets.widgets.progress import LIGHT_ROWS, RunProgress


def watched_run(assets: list[Any], **kwargs: Any) -> tuple[RunProgress, list[dict[str, Any]]]:
    """Run ``assets`` under a RunProgress; return it and the row patches it sent."""
    prepared = prepare_run(assets, **kwargs)
    view = RunProgress([(s.key, s.label, s.partition_key, s.kind) for s in prepared.plan.steps])
    sent: list[dict[str, Any]] = []
    view.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    execute(prepared, [view], raise_on_error=False)
    view.finish()
    return view, sent


def by_label(view: RunProgress) -> dict[str, dict[str, Any]]:
    return {row["label"]: row for row in view.rows}


def test_a_failed_check_is_a_failure_counted_apart_with_description_and_metadata() -> None:
    @asset
    def orders() -> list[int]:
        return [5, -1, -2]

    @asset_check(asset=orders)
    def no_negatives(orders: list[int]) -> AssetCheckResult:
        bad = sum(x < 0 for x in orders)
        return AssetCheckResult(
            passed=bad == 0, description=f"{bad} negative amounts", metadata={"negative": bad}
        )

    @asset_check(asset=orders)
    def not_empty(orders: list[int]) -> bool:
        return bool(orders)

    with use_registry():
        view, _sent = watched_run([orders, no_negatives, not_empty])
    rows = by_label(view)
    assert rows["orders"]["status"] == "success"
    failed = rows["orders:no_negatives"]
    assert failed["status"] == "failed" and failed["kind"] == "check"
    assert failed["error"] == "check orders:no_negatives failed: 2 negative amounts"
    assert failed["traceback"] == "negative: 2"
    assert rows["orders:not_empty"]["status"] == "passed"
    assert view.summary.startswith("1 materialized, checks: 1 passed, 1 failed in ")


def test_a_warn_check_reported_by_its_asset_gets_its_own_row() -> None:
    from nbassets import AssetCheckSpec

    @asset(check_specs=[AssetCheckSpec("fresh", asset="prices")])
    def prices() -> Any:
        from nbassets import MaterializeResult

        return MaterializeResult(
            value=3,
            check_results=[AssetCheckResult(
                passed=False, severity=AssetCheckSeverity.WARN, description="a day late"
            )],
        )

    with use_registry():
        view, _sent = watched_run([prices])
    rows = by_label(view)
    assert rows["prices"]["status"] == "success"
    assert rows["prices:fresh"]["status"] == "warning"
    assert "a day late" in rows["prices:fresh"]["error"]
    assert "checks: 1 warning" in view.summary


def test_a_long_run_sends_each_row_about_once_and_keeps_a_light_state() -> None:
    days = DailyPartitionsDefinition(start_date="2000-01-01")
    keys = days.get_partition_keys()[: LIGHT_ROWS + 100]

    @asset(partitions_def=days)
    def events(context):  # type: ignore[no-untyped-def]
        time.sleep(0.001)
        if context.partition_key == keys[7]:
            raise ValueError("bad day")
        return 1

    with use_registry():
        view, sent = watched_run([events], partition_keys=keys)
    patched = [row for message in sent for row in message["rows"]]
    assert all(message["type"] == "rows" for message in sent)
    # Rows changed between two flushes go once (those of the last moments only in the
    # final state): far fewer than a resend of every row at each flush.
    assert len(keys) // 2 <= len(patched) <= 2 * len(keys)
    assert view.done == len(keys) and view.total == len(keys)
    statuses = [row["status"] for row in view.rows]
    assert statuses.count("failed") == 1 and statuses.count("success") == 30
    assert len(view.rows) == 31


def test_a_short_run_keeps_every_row_in_its_state() -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b(a: int) -> int:
        return a + 1

    with use_registry():
        view, sent = watched_run([a, b])
    assert [(r["label"], r["status"]) for r in view.rows] == [("a", "success"), ("b", "success")]
    assert sent and all(len(message["rows"]) == 1 for message in sent)


@pytest.mark.parametrize("finished", [False, True])
def test_the_summary_never_counts_checks_as_materialized(finished: bool) -> None:
    view = RunProgress([("a", "a", None, "asset"), ("a:c", "a:c", None, "check")])
    view._rows["a"]["status"] = "success"
    view._rows["a:c"]["status"] = "failed"
    if finished:
        view.finish()
    assert view._summary().startswith("1 materialized, checks: 1 failed")
